//! vigild: the vigil supervisor. This build checks, dumps and re-prints configurations.

mod cli;
mod config_cmd;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = cli::Args::parse();
    if args.version {
        println!("vigild {}", env!("CARGO_PKG_VERSION"));
        return ExitCode::SUCCESS;
    }
    let code = match args.mode() {
        Some(mode) => config_cmd::run(&args, mode),
        None => {
            eprintln!(
                "vigild: give a mode: -t/--config-test, --dump-config or --print-config \
                 (running the daemons comes with the supervisor)"
            );
            cli::EXIT_USAGE
        }
    };
    ExitCode::from(code)
}
