//! The command line the supervisor starts vigil-checkerd with.

use clap::Parser;

/// Exit status when the privilege drop fails (EX_NOPERM, sysexits.h).
pub const EXIT_NOPERM: u8 = 77;
/// Exit status when the first configuration can never work here (EX_CONFIG).
pub const EXIT_CONFIG: u8 = 78;
/// Exit status of any other fatal error.
pub const EXIT_FAILURE: u8 = 1;

/// vigil-checkerd arguments; only vigild starts this program.
#[derive(Debug, Parser)]
#[command(
    name = "vigil-checkerd",
    about = "vigil health checker (started by vigild)",
    disable_version_flag = true
)]
pub struct Args {
    /// The inherited SOCK_SEQPACKET descriptor connected to the supervisor.
    #[arg(long = "ipc-fd", value_name = "N")]
    pub ipc_fd: i32,
    /// The user to drop to.
    #[arg(long = "user", value_name = "NAME")]
    pub user: String,
    /// The supervisor's pid (for the parent-death signal race check and the handshake).
    #[arg(long = "supervisor-pid", value_name = "PID")]
    pub supervisor_pid: i32,
    /// Log to stderr instead of syslog.
    #[arg(long = "log-console")]
    pub log_console: bool,
    /// Log debug detail.
    #[arg(long = "log-detail")]
    pub log_detail: bool,
    /// Syslog facility LOCAL0..LOCAL7.
    #[arg(long = "log-facility", value_name = "N", value_parser = clap::value_parser!(u8).range(0..=7))]
    pub log_facility: Option<u8>,
    /// `checker_rlimit_rttime` (with `checker_rt_priority`): set on itself at start.
    #[arg(long = "rlimit-rttime", value_name = "USECS", value_parser = clap::value_parser!(u32).range(1..))]
    pub rlimit_rttime: Option<u32>,
}

impl Args {
    /// Where log lines go.
    pub fn log_target(&self) -> vigil_log::Target {
        if self.log_console {
            vigil_log::Target::Console
        } else {
            vigil_log::Target::Syslog(self.log_facility)
        }
    }
}
