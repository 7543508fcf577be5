//! The command line, keepalived-compatible where keepalived has the same option.

use clap::Parser;
use std::path::PathBuf;

/// keepalived's exit code for an unreadable or missing configuration (KEEPALIVED_EXIT_CONFIG).
pub const EXIT_CONFIG: u8 = 4;
/// keepalived's exit code for `-t` finding errors (KEEPALIVED_EXIT_CONFIG_TEST).
pub const EXIT_CONFIG_TEST: u8 = 5;
/// Exit code for a command line that cannot be used.
pub const EXIT_USAGE: u8 = 2;

/// Default configuration files, tried in order.
pub const DEFAULT_CONFIG: &[&str] = &[
    "/etc/vigil/keepalived.conf",
    "/etc/keepalived/keepalived.conf",
];

/// vigild command-line arguments.
#[derive(Debug, Parser)]
#[command(
    name = "vigild",
    about = "vigil: privilege-separated VRRP and IPVS health checking",
    disable_version_flag = true
)]
pub struct Args {
    /// Configuration file (default: /etc/vigil/keepalived.conf, then /etc/keepalived/keepalived.conf).
    #[arg(short = 'f', long = "use-file", value_name = "FILE")]
    pub file: Option<PathBuf>,

    /// Configuration id for `@id` conditional lines (default: the host name's first label).
    #[arg(short = 'i', long = "config-id", value_name = "ID")]
    pub config_id: Option<String>,

    /// Check the configuration, print diagnostics and exit (0 when valid).
    #[arg(short = 't', long = "config-test")]
    pub config_test: bool,

    /// Print the understood configuration as JSON and exit.
    #[arg(long = "dump-config")]
    pub dump_config: bool,

    /// Print the configuration canonically (includes and definitions resolved) and exit.
    #[arg(long = "print-config")]
    pub print_config: bool,

    /// Diagnostics as one line each (`file:line:col: severity: message`).
    #[arg(long = "short-diagnostics")]
    pub short: bool,

    /// Print the version and exit.
    #[arg(short = 'v', long = "version")]
    pub version: bool,

    /// Run only the VRRP child.
    #[arg(short = 'P', long = "vrrp")]
    pub vrrp_only: bool,

    /// Run only the health-checker child.
    #[arg(short = 'C', long = "check")]
    pub check_only: bool,

    /// Stay in the foreground.
    #[arg(short = 'n', long = "dont-fork")]
    pub dont_fork: bool,

    /// Log to the console (stderr) instead of syslog; the children inherit it.
    #[arg(short = 'l', long = "log-console")]
    pub log_console: bool,

    /// Detailed (debug) log lines.
    #[arg(short = 'D', long = "log-detail")]
    pub log_detail: bool,

    /// Syslog facility LOCAL0..LOCAL7 (0-7; default: daemon).
    #[arg(short = 'S', long = "log-facility", value_name = "N", value_parser = clap::value_parser!(u8).range(0..=7))]
    pub log_facility: Option<u8>,

    /// vigild's pid file.
    #[arg(short = 'p', long = "pid", value_name = "FILE", default_value = DEFAULT_PID)]
    pub pid_file: PathBuf,

    /// The VRRP child's pid file.
    #[arg(short = 'r', long = "vrrp_pid", value_name = "FILE", default_value = DEFAULT_VRRP_PID)]
    pub vrrp_pid_file: PathBuf,

    /// The checker child's pid file.
    #[arg(short = 'c', long = "checkers_pid", value_name = "FILE", default_value = DEFAULT_CHECKER_PID)]
    pub checker_pid_file: PathBuf,

    /// The control socket vigilctl talks to (root only).
    #[arg(long = "control", value_name = "PATH", default_value = DEFAULT_CONTROL)]
    pub control: PathBuf,
}

/// vigild's pid file. keepalived uses /run/keepalived.pid; vigil keeps its files in one
/// directory, which packaging can create with the right owner.
pub const DEFAULT_PID: &str = "/run/vigil/vigild.pid";
/// The VRRP child's pid file (keepalived: /run/vrrp.pid).
pub const DEFAULT_VRRP_PID: &str = "/run/vigil/vrrpd.pid";
/// The checker child's pid file (keepalived: /run/checkers.pid).
pub const DEFAULT_CHECKER_PID: &str = "/run/vigil/checkerd.pid";
/// The control socket.
pub const DEFAULT_CONTROL: &str = "/run/vigil/vigil.ctl";

/// What vigild was asked to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `-t`
    Test,
    /// `--dump-config`
    Dump,
    /// `--print-config`
    Print,
}

impl Args {
    /// The single mode asked for, if any.
    pub fn mode(&self) -> Option<Mode> {
        if self.dump_config {
            Some(Mode::Dump)
        } else if self.print_config {
            Some(Mode::Print)
        } else if self.config_test {
            Some(Mode::Test)
        } else {
            None
        }
    }

    /// Whether the VRRP child runs (`-C` alone turns it off).
    pub fn run_vrrp(&self) -> bool {
        !self.check_only || self.vrrp_only
    }

    /// Whether the checker child runs (`-P` alone turns it off).
    pub fn run_checker(&self) -> bool {
        !self.vrrp_only || self.check_only
    }

    /// The configuration id for `@id` lines.
    pub fn config_id(&self) -> String {
        self.config_id
            .clone()
            .unwrap_or_else(vigil_config::preprocess::default_config_id)
    }

    /// The configuration file to read: `-f`, or the first default that exists.
    pub fn config_path(&self) -> PathBuf {
        if let Some(f) = &self.file {
            return f.clone();
        }
        DEFAULT_CONFIG
            .iter()
            .map(PathBuf::from)
            .find(|p| p.exists())
            .unwrap_or_else(|| PathBuf::from(DEFAULT_CONFIG[0]))
    }
}
