//! A blocking NETLINK_ROUTE request/ACK socket. Each call sends one request and waits
//! for the kernel's answer (microseconds; bounded by a reply timeout), which suits a
//! single-threaded event loop. The methods live with their subjects: links in
//! `link`, macvlans in `macvlan`, addresses in `addr`, routes in `route`, rules in
//! `rule`, IPv4 settings in `devconf`; this module holds the socket.

pub use crate::addr::AddrSpec;
pub use crate::devconf::Ipv4Conf;
pub use crate::error::NetError;
pub use crate::link::{Link, MacvlanMode};
use crate::nl::Requester;
pub use crate::route::{NexthopSpec, RouteSpec};
pub use crate::rule::{RuleSpec, RuleVerdict};
use nix::errno::Errno;

/// rtnetlink message types (linux/rtnetlink.h).
pub(crate) const RTM_NEWLINK: u16 = 16;
pub(crate) const RTM_DELLINK: u16 = 17;
pub(crate) const RTM_NEWADDR: u16 = 20;
pub(crate) const RTM_DELADDR: u16 = 21;

/// A NETLINK_ROUTE socket for requests; see the module documentation.
pub struct Rtnl {
    pub(crate) req: Requester,
}

impl Rtnl {
    /// Opens the socket (needs no privilege; changes need CAP_NET_ADMIN).
    pub fn open() -> Result<Rtnl, NetError> {
        Ok(Rtnl {
            req: Requester::open()?,
        })
    }
}

/// Ok when the request succeeded or failed only with one of `fine` (adding what is
/// there, removing what is gone: keepalived's idempotence).
pub(crate) fn tolerate(r: Result<(), NetError>, fine: &[Errno]) -> Result<(), NetError> {
    match r {
        Err(e) if e.errno().is_some_and(|n| fine.contains(&n)) => Ok(()),
        r => r,
    }
}
