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
