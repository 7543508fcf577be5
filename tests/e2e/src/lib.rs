//! End-to-end labs: vigild and keepalived nodes in network namespaces, and failover
//! timelines read from the wire (DESIGN.md, "Testing"). The demo, the failover benchmark
//! and the end-to-end tests are built on it.

// Tests may unwrap (STYLE); the library itself may not.
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod addrwatch;
pub mod conf;
pub mod echo;
pub mod failover;
pub mod node;
pub mod procstat;
pub mod report;
pub mod timeline;
pub mod vmac;

pub use conf::{Family, PairConf};
pub use node::{Daemon, Node};

/// Serialises the timing-sensitive tests of one test binary: libtest runs tests on
/// parallel threads, and two labs of VRRP daemons on two cores disturb each other's
/// timers.
pub fn serial() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}
