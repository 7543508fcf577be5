//! The one place this crate needs `unsafe`: taking ownership of descriptors the kernel
//! installed in this process while receiving SCM_RIGHTS.
//!
//! nix hands received descriptors over as bare `RawFd`s; std has no stable safe way to
//! receive them either. Wrapping each at once in an `OwnedFd` makes sure every one is
//! closed, including those that arrive with a message we then refuse.
#![allow(unsafe_code)]

use std::os::fd::{FromRawFd, OwnedFd, RawFd};

/// Takes ownership of descriptors just received with SCM_RIGHTS.
///
/// Only for the descriptors of one `recvmsg` call's `ScmRights` control message: the
/// kernel has just installed them in this process and nothing else refers to them.
pub(crate) fn adopt_received(fds: Vec<RawFd>) -> Vec<OwnedFd> {
    fds.into_iter()
        .filter(|fd| *fd >= 0)
        // SAFETY: each descriptor was installed by the kernel for this recvmsg call and
        // is owned by nobody else; it is wrapped exactly once.
        .map(|fd| unsafe { OwnedFd::from_raw_fd(fd) })
        .collect()
}

/// Why an inherited descriptor (`--ipc-fd N`) cannot be the channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InheritError {
    /// Standard input, output or error, or a negative number: never the channel.
    Reserved(RawFd),
    /// No such open descriptor.
    NotOpen(RawFd),
    /// The descriptor is not a SOCK_SEQPACKET socket.
    NotSeqPacket(RawFd),
}

impl std::fmt::Display for InheritError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InheritError::Reserved(fd) => write!(f, "descriptor {fd} cannot be the IPC channel"),
            InheritError::NotOpen(fd) => write!(f, "descriptor {fd} is not open"),
            InheritError::NotSeqPacket(fd) => {
                write!(f, "descriptor {fd} is not a SOCK_SEQPACKET socket")
            }
        }
    }
}

impl std::error::Error for InheritError {}

/// Takes ownership of the channel end a child inherited across exec (its number given
/// on the command line), after checking that it is an open SOCK_SEQPACKET socket; marks
/// it close-on-exec so that nothing the child might start inherits it in turn.
///
/// Call once per descriptor, at start-up, before anything else can own that number.
pub fn adopt_inherited(fd: RawFd) -> Result<OwnedFd, InheritError> {
    use nix::fcntl::{fcntl, FcntlArg, FdFlag};
    use nix::sys::socket::{getsockopt, sockopt, SockType};
    use std::os::fd::BorrowedFd;
    if fd <= 2 {
        return Err(InheritError::Reserved(fd));
    }
    // SAFETY: only borrowed for the checks below; F_GETFD fails with EBADF if the
    // number is not open, so nothing is done with a closed descriptor.
    let borrowed = unsafe { BorrowedFd::borrow_raw(fd) };
    if fcntl(borrowed, FcntlArg::F_GETFD).is_err() {
        return Err(InheritError::NotOpen(fd));
    }
    match getsockopt(&borrowed, sockopt::SockType) {
        Ok(SockType::SeqPacket) => {}
        _ => return Err(InheritError::NotSeqPacket(fd)),
    }
    // SAFETY: the descriptor is open, was inherited for this purpose, and the caller
    // adopts it once at start-up: nothing else in the process owns it.
    let owned = unsafe { OwnedFd::from_raw_fd(fd) };
    // Best effort: a failure leaves the descriptor inheritable, which is harmless here.
    let _ = fcntl(&owned, FcntlArg::F_SETFD(FdFlag::FD_CLOEXEC));
    Ok(owned)
}
