//! Kernel networking for vigil: rtnetlink addresses and links, macvlan, sysctls, GARP/NA.
//!
//! No threads, no async runtime, no global state: every socket is owned by the caller,
//! and the non-blocking ones expose their descriptor for a `mio` event loop.
//!
//! - [`rtnl`]: a blocking request/ACK rtnetlink socket: links, addresses, macvlans,
//!   routes, rules. Idempotent where keepalived is: adding what exists and removing
//!   what is gone are not errors.
//! - [`monitor`]: link and address notifications, non-blocking.
//! - [`announce`]: gratuitous ARP and unsolicited NA frames, and a send-only
//!   AF_PACKET socket.
//! - [`sysctl`]: per-interface /proc/sys/net settings; [`devconf`]: the IPv4 ones
//!   over netlink.
//! - [`vmac`](mod@vmac): VRRP virtual MACs and the settings of a VMAC interface.
//! - [`vip`]: the configuration model's addresses, routes and rules as kernel specs.
//! - [`error`]: the error type, naming the object and the errno.
//!
//! Privileges: reading needs none; changes need CAP_NET_ADMIN, AF_PACKET needs
//! CAP_NET_RAW (what vrrpd keeps).
#![warn(missing_docs)]

mod addr;
pub mod announce;
pub mod devconf;
pub mod error;
mod link;
mod macvlan;
pub mod monitor;
mod nl;
mod packet;
#[cfg(test)]
mod proptests;
pub mod route;
pub mod rtnl;
pub mod rule;
pub mod sysctl;
pub mod vip;
pub mod vmac;

pub use announce::{gratuitous_arp, unsolicited_na, Announcer};
pub use error::NetError;
pub use monitor::{Monitor, NetEvent};
pub use rtnl::{AddrSpec, Link, MacvlanMode, NexthopSpec, RouteSpec, Rtnl, RuleSpec, RuleVerdict};
pub use sysctl::Family;
pub use vmac::vmac;
