//! From the command line to the event loop: privilege drop, logging, channel.

use crate::cli::{Args, EXIT_CONFIG, EXIT_FAILURE, EXIT_NOPERM};
use crate::daemon::{self, Exit};
use nix::sys::signal::{SigSet, Signal};
use nix_privsep::unistd::Pid;
use vigil_privsep::{drop_privileges, user, DropPlan, Role};

/// Runs the checker; returns the exit status.
pub fn run(args: &Args) -> u8 {
    // `checker_rlimit_rttime`: lowering its own limit needs no privilege.
    if let Some(us) = args.rlimit_rttime {
        if let Err(e) = vigil_privsep::tune::limit_own_rttime(us) {
            eprintln!("vigil-checkerd: {e}");
        }
    }
    // Before anything reads IPC or touches the network (DESIGN.md). Logging is not set
    // up yet: stderr is the supervisor's log stream.
    let account = match user::resolve(&args.user) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("vigil-checkerd: dropping privileges: {e}");
            return EXIT_NOPERM;
        }
    };
    let plan = DropPlan {
        account,
        role: Role::Checkerd,
        parent: Some(Pid::from_raw(args.supervisor_pid)),
    };
    if let Err(e) = drop_privileges(&plan) {
        eprintln!("vigil-checkerd: {e}");
        return EXIT_NOPERM;
    }
    if let Err(e) = vigil_log::init("vigil-checkerd", args.log_target(), args.log_detail) {
        // Without syslog the checker is still worth running: stderr is the supervisor's.
        eprintln!("vigil-checkerd: logging: {e}; logging to stderr");
        if let Err(e) = vigil_log::init(
            "vigil-checkerd",
            vigil_log::Target::Console,
            args.log_detail,
        ) {
            eprintln!("vigil-checkerd: logging: {e}");
            return EXIT_FAILURE;
        }
    }
    // A reload comes over IPC; a stray SIGHUP (a terminal hangup of the process group)
    // must not kill the checker. Blocked, it stays pending and harmless.
    let mut blocked = SigSet::empty();
    blocked.add(Signal::SIGHUP);
    // `checker_rt_priority` with `checker_rlimit_rttime`: the soft limit's SIGXCPU is
    // a warning, never a reason to die (the hard limit still applies).
    blocked.add(Signal::SIGXCPU);
    if let Err(e) = blocked.thread_block() {
        log::warn!("cannot block SIGHUP and SIGXCPU: {}", e.desc());
    }
    let fd = match vigil_ipc::adopt_inherited(args.ipc_fd) {
        Ok(fd) => fd,
        Err(e) => {
            log::error!("IPC: {e}");
            return EXIT_FAILURE;
        }
    };
    let pid = u32::try_from(args.supervisor_pid).unwrap_or(0);
    match daemon::run(fd, pid) {
        Ok(Exit::Shutdown) => {
            log::info!("Stopped (shutdown requested)");
            0
        }
        Ok(Exit::SupervisorGone) => {
            log::info!("Stopped (supervisor closed the channel)");
            0
        }
        Ok(Exit::FirstConfigRejected) => EXIT_CONFIG,
        Err(e) => {
            log::error!("{e}");
            EXIT_FAILURE
        }
    }
}
