//! End-to-end labs: vigild and keepalived nodes in network namespaces, and failover
//! timelines read from the wire (DESIGN.md, "Testing"). The demo, the failover benchmark
//! and the end-to-end tests are built on it.

// Tests may unwrap (STYLE); the library itself may not.
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod conf;
pub mod failover;
pub mod node;
pub mod timeline;

pub use conf::{Family, PairConf};
pub use node::{Daemon, Node};
