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
pub const DEFAULT_CONFIG: &[&str] = &["/etc/vigil/keepalived.conf", "/etc/keepalived/keepalived.conf"];

/// vigild command-line arguments.
#[derive(Debug, Parser)]
#[command(name = "vigild", about = "vigil: privilege-separated VRRP and IPVS health checking", disable_version_flag = true)]
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
}

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
