//! vigild, the root supervisor of vigil, and the pieces vigilctl shares with it.
//!
//! - [`cli`], [`config_cmd`]: the command line and the configuration commands (`-t`).
//! - [`daemon`]: the event loop and the lifecycle of the children.
//! - [`children`], [`backoff`], [`proto`]: starting children, their exit, the restart delay.
//! - [`broker`], [`sockets`], [`script_table`], [`scripts`]: what the supervisor does
//!   for a child, and the script runner.
//! - [`reload`]: loading and the two-phase reload. [`vip_cleanup`]: the VIP rule.
//! - [`control`], [`status`], [`reports`]: the control socket and what it shows.
//! - [`signals`], [`sdnotify`]: signals and systemd.

// Tests may unwrap (STYLE: never on input from the network, IPC, files or users).
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod backoff;
pub mod broker;
pub mod children;
pub mod cli;
pub mod config_cmd;
pub mod control;
pub mod daemon;
pub mod proto;
pub mod reload;
pub mod reports;
pub mod script_table;
pub mod scripts;
pub mod sdnotify;
pub mod signals;
pub mod sockets;
pub mod status;
pub mod vip_cleanup;
