//! Detaching from the terminal when vigild is not given `-n`: double fork,
//! setsid, chdir /, standard descriptors on /dev/null (keepalived does the same
//! in daemon.c `xdaemon`).

use crate::fork::fork_and_exit_parent;
use crate::status::{self, StatusError};
use nix::errno::Errno;
use nix::unistd::{chdir, dup2_stderr, dup2_stdin, dup2_stdout, setsid};
use std::fmt;
use std::fs::OpenOptions;
use std::io::{self, Write};

/// The step of daemonising that failed.
#[derive(Debug)]
pub enum DaemonError {
    /// /proc/self/status could not be read for the thread count.
    Status(StatusError),
    /// The process has threads; forking it would leave their locks held.
    NotSingleThreaded(u32),
    /// A fork failed.
    Fork(Errno),
    /// setsid failed.
    Setsid(Errno),
    /// chdir("/") failed.
    Chdir(Errno),
    /// /dev/null could not be opened.
    DevNull(io::Error),
    /// Redirecting a standard descriptor failed.
    Redirect(Errno),
}

impl fmt::Display for DaemonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("daemonising: ")?;
        match self {
            DaemonError::Status(e) => write!(f, "{e}"),
            DaemonError::NotSingleThreaded(n) => {
                write!(f, "process has {n} threads; daemonise before starting any")
            }
            DaemonError::Fork(e) => write!(f, "fork: {}", e.desc()),
            DaemonError::Setsid(e) => write!(f, "setsid: {}", e.desc()),
            DaemonError::Chdir(e) => write!(f, "chdir /: {}", e.desc()),
            DaemonError::DevNull(e) => write!(f, "opening /dev/null: {e}"),
            DaemonError::Redirect(e) => write!(f, "redirecting stdio to /dev/null: {}", e.desc()),
        }
    }
}

impl std::error::Error for DaemonError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            DaemonError::Status(e) => Some(e),
            DaemonError::DevNull(e) => Some(e),
            DaemonError::Fork(e)
            | DaemonError::Setsid(e)
            | DaemonError::Chdir(e)
            | DaemonError::Redirect(e) => Some(e),
            DaemonError::NotSingleThreaded(_) => None,
        }
    }
}

/// Detaches the process: returns in the grandchild, a session-less daemon whose
/// parent is init (or a subreaper); the original process exits with status 0.
///
/// Call it before starting any thread. The pid changes: a pid file taken before
/// must be updated with [`crate::pidfile::PidFile::rewrite_pid`]. An error after
/// the first fork is only seen by the daemon, so the caller should log it to
/// syslog as well as return it.
pub fn daemonize() -> Result<(), DaemonError> {
    let threads = status::read_self().map_err(DaemonError::Status)?.threads;
    if threads != 1 {
        return Err(DaemonError::NotSingleThreaded(threads));
    }
    // Whatever is buffered belongs to the original process; the forks'
    // parents _exit without flushing, so flush it once here.
    let _ = io::stdout().flush();
    // First fork: the child is not a process-group leader, so setsid works.
    fork_and_exit_parent().map_err(DaemonError::Fork)?;
    setsid().map_err(DaemonError::Setsid)?;
    // Second fork: the daemon is not a session leader, so opening a terminal
    // can never make it the controlling terminal again.
    fork_and_exit_parent().map_err(DaemonError::Fork)?;
    // Do not keep a mounted filesystem busy.
    chdir("/").map_err(DaemonError::Chdir)?;
    let null = OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/null")
        .map_err(DaemonError::DevNull)?;
    dup2_stdin(&null).map_err(DaemonError::Redirect)?;
    dup2_stdout(&null).map_err(DaemonError::Redirect)?;
    dup2_stderr(&null).map_err(DaemonError::Redirect)?;
    Ok(())
}
