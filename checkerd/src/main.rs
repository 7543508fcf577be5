//! vigil-checkerd: health checks of real servers, quorum, desired IPVS state.
//!
//! Start-up order matters (DESIGN.md): drop privileges first, then logging, then IPC.
#![forbid(unsafe_code)]

use clap::Parser;
use std::process::ExitCode;
use vigil_checkerd::cli::{Args, EXIT_FAILURE};
use vigil_checkerd::startup;

fn main() -> ExitCode {
    let args = match Args::try_parse() {
        Ok(a) => a,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(EXIT_FAILURE);
        }
    };
    ExitCode::from(startup::run(&args))
}
