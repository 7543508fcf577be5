//! Kernel networking for vigil: rtnetlink addresses and links, macvlan, sysctls, GARP/NA.
//!
//! No threads, no async runtime, no global state: every socket is owned by the caller,
//! and the non-blocking ones expose their descriptor for a `mio` event loop.

mod addr;
pub mod announce;
pub mod error;
mod link;
pub mod monitor;
mod nl;
mod packet;
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
