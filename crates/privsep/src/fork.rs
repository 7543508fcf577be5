//! The crate's only unsafe code: fork(2), for daemonising.
//!
//! Why unsafe: after fork in a multi-threaded process the child has one thread
//! and possibly locks (malloc's, stdio's) held forever by threads that no longer
//! exist, so only async-signal-safe calls are sound there. Callers check that
//! the process is single-threaded before calling (see `daemon::daemonize`), and
//! the parent side only calls `_exit`.
//!
//! Everything else that looks like it needs unsafe (prctl, capset, setresuid,
//! flock) goes through the safe wrappers of `nix` and `caps`.

#![allow(unsafe_code)]

use nix::errno::Errno;
use nix::unistd::{fork, ForkResult};

/// Forks; the parent exits at once with status 0 and the child returns.
///
/// The caller must have checked that the process is single-threaded.
pub(crate) fn fork_and_exit_parent() -> Result<(), Errno> {
    // SAFETY: the process is single-threaded (the caller's check), so the child
    // inherits no lock held by another thread and may run ordinary Rust code.
    // The parent runs no destructor and flushes nothing: `_exit` is
    // async-signal-safe and leaves shared resources (a locked pid file, the
    // stdio buffers) to the child.
    match unsafe { fork() }? {
        // SAFETY: _exit takes no pointer and never returns.
        ForkResult::Parent { .. } => unsafe { libc::_exit(0) },
        ForkResult::Child => Ok(()),
    }
}
