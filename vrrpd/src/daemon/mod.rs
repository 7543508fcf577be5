//! The daemon: the privilege drop, logging, the supervisor channel, then the event
//! loop ([`runtime`]) until Shutdown.
//!
//! - [`build`]: configuration model → what runs (pure).
//! - [`track`]: `vrrp_script` rise/fall and weights (pure).
//! - [`timers`]: the timer heap.
//! - [`ipc`]: state / counter translations for the IPC messages (pure).
//! - [`kernel`]: the address and announcement operations the runtime asks for.
//! - [`firewall`]: non-accept mode, keepalived's nftables drop sets (RFC 5798 §6.4.3).
//! - [`instance`]: one running instance.
//! - [`receive`]: demultiplexing and validating received adverts.
//! - [`send`]: building and sending adverts.
//! - [`runtime`]: the mio loop and everything it does.

pub mod build;
pub mod clock;
pub mod firewall;
pub mod instance;
pub mod ipc;
pub mod kernel;
pub mod receive;
pub mod runtime;
pub mod send;
pub mod timers;
pub mod track;

use vigil_ipc::Channel;
use vigil_privsep::{drop_privileges, user, DropError, DropPlan, Role};

use crate::cli;
use crate::socket::sys;

/// Exit status when the privilege drop fails (sysexits EX_NOPERM): the supervisor
/// stops the suite instead of restarting.
pub const EXIT_NOPERM: u8 = 77;

/// Runs the daemon with the arguments after the program name; returns the exit status.
pub fn main<I: IntoIterator<Item = String>>(args: I) -> u8 {
    let args = match cli::parse(args) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("vigil-vrrpd: {e}");
            return 1;
        }
    };
    // `vrrp_rlimit_rttime`: lowering its own limit needs no privilege; the supervisor
    // has made it SCHED_RR already.
    if let Some(us) = args.rlimit_rttime {
        if let Err(e) = vigil_privsep::tune::limit_own_rttime(us) {
            eprintln!("vigil-vrrpd: {e}");
        }
    }
    // First of all, before reading IPC or touching the network: drop to the account,
    // keeping CAP_NET_RAW and CAP_NET_ADMIN only (DESIGN.md).
    let account = match user::resolve(&args.user) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("vigil-vrrpd: {e}");
            return EXIT_NOPERM;
        }
    };
    let plan = DropPlan {
        account,
        role: Role::Vrrpd,
        parent: Some(nix_privsep::unistd::Pid::from_raw(args.supervisor_pid)),
    };
    match drop_privileges(&plan) {
        Ok(()) => {}
        Err(e @ DropError::ParentGone { .. }) => {
            eprintln!("vigil-vrrpd: {e}");
            return 1;
        }
        Err(e) => {
            eprintln!("vigil-vrrpd: {e}");
            return EXIT_NOPERM;
        }
    }
    let target = if args.log_console {
        vigil_log::Target::Console
    } else {
        vigil_log::Target::Syslog(args.log_facility)
    };
    if let Err(e) = vigil_log::init("vigil-vrrpd", target, args.log_detail) {
        eprintln!("vigil-vrrpd: logging: {e}");
    }
    let fd = match sys::adopt_inherited(args.ipc_fd) {
        Ok(fd) => fd,
        Err(e) => {
            log::error!("IPC descriptor {}: {e}", args.ipc_fd);
            return 1;
        }
    };
    let chan = match Channel::new(fd, std::process::id()) {
        Ok(c) => c,
        Err(e) => {
            log::error!("IPC: {e}");
            return 1;
        }
    };
    let mut kernel = match crate::vip::NetKernel::open() {
        Ok(k) => k,
        Err(e) => {
            log::error!("rtnetlink: {e}");
            return 1;
        }
    };
    let links: Option<Box<dyn runtime::LinkWatch>> = match crate::vip::NetLinks::open() {
        Ok(l) => Some(Box::new(l)),
        Err(e) => {
            log::error!("link monitor: {e}; interface state is not tracked");
            kernel.without_link_events();
            None
        }
    };
    let rt = match runtime::Runtime::new(chan, Box::new(kernel), links) {
        Ok(rt) => rt,
        Err(e) => {
            log::error!("{e}");
            return 1;
        }
    };
    log::info!("Starting VRRP child process, pid={}", std::process::id());
    rt.run().code()
}
