//! Test labs of network namespaces: hosts on a bridge, commands inside, packet capture,
//! and cleanup on drop (DESIGN.md, "Testing").
//!
//! A [`Lab`] owns a switch namespace with a bridge `br0`; each [`Host`] is a namespace
//! whose `eth0` is a veth plugged into that bridge. Processes started with
//! [`Host::spawn`] log to a file per host. Dropping the lab kills every process left in
//! its namespaces and deletes them, also when the test panicked.
//!
//! The lab sets things up with iproute2 (`ip`): that is test scaffolding; the daemons
//! themselves never shell out.

// Tests may unwrap (STYLE); the library itself may not.
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod capture;
mod lab;
pub mod wire;

pub use capture::{Capture, Frame};
pub use lab::{Cleaner, Host, Lab, LabError};
