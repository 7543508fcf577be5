//! vigil-checkerd's pieces: the pure health logic (`health`, `quorum`, `service`,
//! `plan`), the checkers (`check`), and the I/O shell (`daemon`, `ipc`, `timers`).
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
