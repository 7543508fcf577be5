//! The crate's error type: what failed, with the kernel's errno and extended ACK.

use std::fmt;
use std::io;
use std::net::Ipv6Addr;

use crate::table::Link;

/// Why a request to nf_tables failed.
#[derive(Debug)]
pub enum NftError {
    /// A socket call failed (`op` names it: "socket", "bind", "send", "recv", ...).
    Socket {
        /// The call.
        op: &'static str,
        /// The OS error.
        source: io::Error,
    },
    /// The kernel refused a request; it aborted the whole batch, so nothing changed.
    Kernel {
        /// The refused request, e.g. "NFT_MSG_NEWSETELEM elements of set ip keepalived vips".
        what: String,
        /// The errno (positive), e.g. libc::ENOENT.
        errno: i32,
        /// The extended ACK message (NLMSGERR_ATTR_MSG), when the kernel gave one.
        message: Option<String>,
        /// Offset of the offending attribute in the request (NLMSGERR_ATTR_OFFS).
        bad_attr_offset: Option<u32>,
    },
    /// The kernel's reply could not be parsed (truncated or inconsistent).
    Protocol(String),
    /// Some requests of a batch were neither acknowledged nor refused.
    MissingAck {
        /// The first unanswered request.
        what: String,
    },
    /// `add_vips`/`del_vips` before `setup`.
    NotSetUp,
    /// The table name is empty or longer than nf_tables takes.
    BadTableName(String),
    /// A link-local IPv6 VIP given to `add_vips`/`del_vips`: keepalived blocks those
    /// per interface; use `add_link_local_vips`.
    LinkLocal(Ipv6Addr),
    /// A global address given to `add_link_local_vips`/`del_link_local_vips`.
    NotLinkLocal(Ipv6Addr),
    /// An interface index of 0, or a name that is empty, has a NUL or is over 15 bytes.
    BadLink(Link),
}

impl NftError {
    /// The kernel's errno, if the kernel refused the request.
    pub fn errno(&self) -> Option<i32> {
        match self {
            NftError::Kernel { errno, .. } => Some(*errno),
            NftError::Socket { source, .. } => source.raw_os_error(),
            _ => None,
        }
    }
}

impl fmt::Display for NftError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NftError::Socket { op, source } => write!(f, "nftables netlink socket: {op}: {source}"),
            NftError::Kernel {
                what,
                errno,
                message,
                bad_attr_offset,
            } => {
                write!(
                    f,
                    "nftables: {what}: {}",
                    io::Error::from_raw_os_error(*errno)
                )?;
                if let Some(m) = message {
                    write!(f, " ({m})")?;
                }
                if let Some(o) = bad_attr_offset {
                    write!(f, " [attribute at offset {o}]")?;
                }
                Ok(())
            }
            NftError::Protocol(m) => write!(f, "nftables: malformed netlink reply: {m}"),
            NftError::MissingAck { what } => {
                write!(f, "nftables: no answer from the kernel for {what}")
            }
            NftError::NotSetUp => write!(f, "nftables: setup() has not run"),
            NftError::BadTableName(t) => {
                write!(f, "nftables: bad table name {t:?} (1 to 255 bytes, no NUL)")
            }
            NftError::LinkLocal(a) => {
                write!(f, "nftables: {a} is link-local: it needs an interface")
            }
            NftError::NotLinkLocal(a) => write!(f, "nftables: {a} is not link-local"),
            NftError::BadLink(l) => write!(f, "nftables: bad interface {l:?}"),
        }
    }
}

impl std::error::Error for NftError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            NftError::Socket { source, .. } => Some(source),
            _ => None,
        }
    }
}
