//! vigil-vrrpd: VRRP (RFC 5798 / RFC 9568 v3, RFC 3768 v2) as keepalived runs it.
//!
//! Pure cores, no I/O: [`packet`] (the codec and the receive checks), [`fsm`] (one
//! instance's state machine), [`auth`], [`time`], [`sim`] (a simulator over the fsm),
//! [`pace`] (the spacing of GARPs / NAs).
//!
//! The I/O shell: [`daemon`] (privilege drop, IPC, the mio event loop, configuration,
//! tracking, sync groups), [`socket`] (one raw socket per interface, family and IP
//! protocol), [`iface`] (interface facts from getifaddrs), [`vip`] (addresses, routes
//! and rules through vigil-net), [`garp`] (GARP / unsolicited NA), [`vmac`]
//! (`use_vmac`), [`cli`] (the command line from the supervisor).
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
pub mod memory;
pub mod pace;
pub mod packet;
pub mod sim;
pub mod socket;
pub mod time;
pub mod vip;
pub mod vmac;
