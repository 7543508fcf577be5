//! vigil-vrrpd: VRRP (RFC 5798 / RFC 9568 v3, RFC 3768 v2) as keepalived runs it.
//!
//! Unsafe code is denied everywhere but `socket::sys`, which adopts the inherited IPC
//! descriptor.
#![deny(unsafe_code)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod auth;
pub mod cli;
pub mod daemon;
pub mod fsm;
pub mod garp;
pub mod iface;
pub mod packet;
pub mod sim;
pub mod socket;
pub mod time;
pub mod vip;
pub mod vmac;
