//! The one error type of the crate: every variant names what was being done, to what,
//! and the errno the kernel gave.

use nix::errno::Errno;
use std::fmt;

/// An error from the kernel or from the crate's own checks, with its context.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum NetError {
    /// A socket operation failed (open, bind, setsockopt, send, receive).
    Socket {
        /// What was being done: "opening the rtnetlink socket", ...
        op: String,
        /// The errno.
        errno: Errno,
    },
    /// The kernel refused a request (a netlink NACK).
    Kernel {
        /// The request: "adding address", "creating macvlan", ...
        op: &'static str,
        /// The object: "192.0.2.1/24 on ifindex 3", "vrrp.7", ...
        object: String,
        /// The errno from the NACK.
        errno: Errno,
        /// The kernel's extended-ACK message, when it gave one.
        message: Option<String>,
    },
    /// A reply from the kernel could not be decoded.
    Decode {
        /// What was being read.
        op: String,
        /// What was wrong with it.
        detail: String,
    },
    /// The kernel did not answer in time.
    Timeout {
        /// The request.
        op: String,
    },
    /// The caller asked for something that cannot be sent to the kernel.
    Invalid {
        /// The object.
        object: String,
        /// Why it is refused.
        reason: String,
    },
    /// An interface named in a request does not exist.
    NoSuchInterface {
        /// The name.
        name: String,
    },
    /// The kernel dropped notifications (ENOBUFS on the monitor socket): the caller's
    /// picture of links and addresses is stale and must be re-read with `Rtnl`.
    EventsLost,
    /// Reading or writing a file under /proc/sys failed.
    Sysctl {
        /// The path.
        path: String,
        /// "reading" or "writing".
        op: &'static str,
        /// The errno.
        errno: Errno,
    },
}

impl NetError {
    /// The errno behind the error, when there is one.
    pub fn errno(&self) -> Option<Errno> {
        match self {
            NetError::Socket { errno, .. }
            | NetError::Kernel { errno, .. }
            | NetError::Sysctl { errno, .. } => Some(*errno),
            NetError::NoSuchInterface { .. } => Some(Errno::ENODEV),
            NetError::EventsLost => Some(Errno::ENOBUFS),
            NetError::Timeout { .. } => Some(Errno::ETIMEDOUT),
            NetError::Decode { .. } | NetError::Invalid { .. } => None,
        }
    }

    /// A socket error from an `std::io::Error` (errno kept when the OS gave one).
    pub(crate) fn socket(op: impl Into<String>, err: &std::io::Error) -> NetError {
        NetError::Socket {
            op: op.into(),
            errno: errno_of(err),
        }
    }
}

/// The errno of an I/O error; EIO when it carries none.
pub(crate) fn errno_of(err: &std::io::Error) -> Errno {
    err.raw_os_error()
        .map(Errno::from_raw)
        .unwrap_or(Errno::EIO)
}

impl fmt::Display for NetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NetError::Socket { op, errno } => write!(f, "{op}: {}", errno_text(*errno)),
            NetError::Kernel {
                op,
                object,
                errno,
                message,
            } => {
                write!(f, "{op} {object}: {}", errno_text(*errno))?;
                if let Some(m) = message {
                    write!(f, " (kernel: {m})")?;
                }
                Ok(())
            }
            NetError::Decode { op, detail } => write!(f, "{op}: undecodable reply: {detail}"),
            NetError::Timeout { op } => write!(f, "{op}: no answer from the kernel in time"),
            NetError::Invalid { object, reason } => write!(f, "{object}: {reason}"),
            NetError::NoSuchInterface { name } => write!(f, "interface {name:?} does not exist"),
            NetError::EventsLost => write!(
                f,
                "netlink notifications were lost (ENOBUFS): links and addresses must be re-read"
            ),
            NetError::Sysctl { path, op, errno } => {
                write!(f, "{op} {path}: {}", errno_text(*errno))
            }
        }
    }
}

/// "EEXIST (File exists)": the symbolic name for grepping, the text for reading.
fn errno_text(errno: Errno) -> String {
    format!("{errno:?} ({})", errno.desc())
}

impl std::error::Error for NetError {}
