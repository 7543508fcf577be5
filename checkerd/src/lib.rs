//! vigil-checkerd, the health checker child of vigild (DESIGN.md).
//!
//! - Pure logic: `health` (one real server: checker results, retries, up/down, weight),
//!   `quorum` (quorum with hysteresis), `service` (one virtual server: wanted IPVS
//!   state, sorry server, notifications), `engine` (every virtual server and the reload
//!   rule), `plan` (configuration model to effective per-checker settings).
//! - Checkers, one file per kind: `check::{tcp, http (+ tls for SSL_GET), smtp, udp,
//!   dns, ping, misc}`.
//! - I/O shell: `startup` (privilege drop, logging, channel), `daemon` (the mio loop and
//!   timer heap in `timers`), `ipc` (the supervisor's channel), `logs` (log lines).
//!
//! Conventions with the supervisor: requests name objects by index in the
//! configuration in force. On a reload, what concerns objects of the old generation
//! (removed real servers, virtual servers, a changed sorry server) is sent before
//! `ConfigApplied` with the old indexes; everything after it uses the new indexes. A
//! real server whose address, port and checkers are unchanged keeps its state and IPVS
//! entry (no message). After `ConfigApplied` comes one `RealServerStatus` per real
//! server, then one on every change.
#![forbid(unsafe_code)]

pub mod check;
pub mod cli;
pub mod daemon;
pub mod engine;
pub mod health;
pub mod ipc;
pub mod logs;
pub mod plan;
pub mod quorum;
pub mod service;
pub mod startup;
pub mod timers;
