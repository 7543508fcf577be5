//! vigild: the vigil supervisor (root). Checks configurations (`-t`, `--dump-config`,
//! `--print-config`) or runs the suite: vigil-vrrpd and vigil-checkerd as unprivileged
//! children, the broker, the script runner and the control socket.

use clap::Parser;
use std::process::ExitCode;
use vigil_supervisor::children::{libexec_dir, SpawnSpec};
use vigil_supervisor::cli::{Args, EXIT_CONFIG};
use vigil_supervisor::config_cmd;
use vigil_supervisor::daemon::{Daemon, Settings};
use vigil_supervisor::reload;

/// Exit status when vigild itself cannot start (keepalived's KEEPALIVED_EXIT_FATAL).
const EXIT_FATAL: u8 = 1;

fn main() -> ExitCode {
    let args = Args::parse();
    if args.version {
        println!("vigild {}", env!("CARGO_PKG_VERSION"));
        return ExitCode::SUCCESS;
    }
    let code = match args.mode() {
        Some(mode) => config_cmd::run(&args, mode),
        None => run(&args),
    };
    ExitCode::from(code)
}

fn run(args: &Args) -> u8 {
    // Absolute: the daemon changes directory to / and reloads read the file again.
    let path = args.config_path();
    let path = std::fs::canonicalize(&path).unwrap_or(path);
    let config_id = args.config_id();
    // Before daemonising, so that a broken configuration or a second instance is
    // reported on the terminal that started vigild.
    let config = match reload::load(&path, &config_id) {
        Ok((config, notes)) => {
            for n in notes {
                eprintln!("{n}");
            }
            config
        }
        Err(errors) => {
            for e in errors {
                eprintln!("{e}");
            }
            eprintln!("vigild: {}: configuration is not valid", path.display());
            return EXIT_CONFIG;
        }
    };
    for p in [&args.pid_file, &args.vrrp_pid_file, &args.checker_pid_file] {
        if let Some(dir) = p.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
    }
    let mut pid_file = match vigil_privsep::PidFile::acquire(&args.pid_file) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("vigild: {e}");
            return EXIT_FATAL;
        }
    };
    if !args.dont_fork {
        if let Err(e) = vigil_privsep::daemonize() {
            eprintln!("vigild: {e}");
            return EXIT_FATAL;
        }
        if let Err(e) = pid_file.rewrite_pid() {
            eprintln!("vigild: {e}");
            return EXIT_FATAL;
        }
    }
    let target = if args.log_console {
        vigil_log::Target::Console
    } else {
        vigil_log::Target::Syslog(args.log_facility)
    };
    if let Err(e) = vigil_log::init("vigild", target, args.log_detail) {
        // No syslog here (no /dev/log): the console is better than nothing.
        eprintln!("vigild: logging: {e}; logging to the console");
        let _ = vigil_log::init("vigild", vigil_log::Target::Console, args.log_detail);
    }
    log::info!(
        "vigild {} starting with {}",
        env!("CARGO_PKG_VERSION"),
        path.display()
    );
    let settings = Settings {
        config_path: path,
        config_id,
        spec: SpawnSpec {
            libexec: libexec_dir(),
            supervisor_pid: std::process::id(),
            log_console: args.log_console,
            log_detail: args.log_detail,
            log_facility: args.log_facility,
            rlimit_rttime: None,
        },
        control: args.control.clone(),
        run_vrrp: args.run_vrrp(),
        run_checker: args.run_checker(),
        vrrp_pid_file: args.vrrp_pid_file.clone(),
        checker_pid_file: args.checker_pid_file.clone(),
    };
    let code = match Daemon::new(settings, config) {
        Ok(d) => d.run(),
        Err(e) => {
            log::error!("{e}");
            eprintln!("vigild: {e}");
            EXIT_FATAL
        }
    };
    drop(pid_file);
    code
}
