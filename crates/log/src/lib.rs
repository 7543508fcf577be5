//! Logging for vigild and its children (keepalived's `-l`, `-D`, `-S`): every process
//! calls [`init`] once and then logs with the `log` crate's macros.
//!
//! Console lines go to stderr as `vigil-vrrpd[1234]: message`, so that a supervisor run
//! with `-l -n` shows one interleaved stream of all three processes (children inherit
//! its stderr). Syslog lines go to /dev/log with the process's own ident and pid.

use log::{Level, LevelFilter, Log, Metadata, Record};
use std::io::Write;
use std::sync::Mutex;

pub use log;

/// Where log lines go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// stderr (`-l/--log-console`).
    Console,
    /// syslog at this facility (`-S/--log-facility`, 0..=7 for LOCAL0..LOCAL7; `None`
    /// is LOG_DAEMON, keepalived's default).
    Syslog(Option<u8>),
}

/// The syslog facility for keepalived's `-S N` (LOCAL0..LOCAL7), or `None` when out of range.
pub fn local_facility(n: u8) -> Option<syslog::Facility> {
    use syslog::Facility::*;
    Some(match n {
        0 => LOG_LOCAL0,
        1 => LOG_LOCAL1,
        2 => LOG_LOCAL2,
        3 => LOG_LOCAL3,
        4 => LOG_LOCAL4,
        5 => LOG_LOCAL5,
        6 => LOG_LOCAL6,
        7 => LOG_LOCAL7,
        _ => return None,
    })
}

/// Why logging could not be set up.
#[derive(Debug)]
pub enum InitError {
    /// /dev/log could not be reached.
    Syslog(syslog::Error),
    /// A logger was installed already.
    AlreadySet,
}

impl std::fmt::Display for InitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InitError::Syslog(e) => write!(f, "cannot reach syslog: {e}"),
            InitError::AlreadySet => f.write_str("a logger is already installed"),
        }
    }
}

impl std::error::Error for InitError {}

enum Sink {
    Console { prefix: String },
    Syslog(Mutex<syslog::Logger<syslog::LoggerBackend, syslog::Formatter3164>>),
}

struct Logger {
    sink: Sink,
    level: LevelFilter,
}

impl Log for Logger {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.level() <= self.level
    }

    fn log(&self, record: &Record<'_>) {
        if !self.enabled(record.metadata()) {
            return;
        }
        match &self.sink {
            Sink::Console { prefix } => {
                // One write per line so that lines of three processes do not interleave.
                let line = format!("{prefix}{}\n", record.args());
                let _ = std::io::stderr().lock().write_all(line.as_bytes());
            }
            Sink::Syslog(logger) => {
                let msg = record.args().to_string();
                let Ok(mut l) = logger.lock() else { return };
                // A lost log line must never take a daemon down.
                let _ = match record.level() {
                    Level::Error => l.err(msg),
                    Level::Warn => l.warning(msg),
                    Level::Info => l.info(msg),
                    Level::Debug | Level::Trace => l.debug(msg),
                };
            }
        }
    }

    fn flush(&self) {
        let _ = std::io::stderr().flush();
    }
}

/// Installs the process's logger. `ident` is the program name (`vigild`, `vigil-vrrpd`);
/// `detail` (keepalived's `-D`) adds debug lines.
pub fn init(ident: &str, target: Target, detail: bool) -> Result<(), InitError> {
    let level = if detail {
        LevelFilter::Debug
    } else {
        LevelFilter::Info
    };
    let sink = match target {
        Target::Console => Sink::Console {
            prefix: format!("{ident}[{}]: ", std::process::id()),
        },
        Target::Syslog(facility) => {
            let formatter = syslog::Formatter3164 {
                facility: facility
                    .and_then(local_facility)
                    .unwrap_or(syslog::Facility::LOG_DAEMON),
                hostname: None,
                process: ident.to_string(),
                pid: std::process::id(),
            };
            Sink::Syslog(Mutex::new(
                syslog::unix(formatter).map_err(InitError::Syslog)?,
            ))
        }
    };
    log::set_boxed_logger(Box::new(Logger { sink, level })).map_err(|_| InitError::AlreadySet)?;
    log::set_max_level(level);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_facilities_are_keepalived_s_0_to_7() {
        assert!(matches!(
            local_facility(0),
            Some(syslog::Facility::LOG_LOCAL0)
        ));
        assert!(matches!(
            local_facility(7),
            Some(syslog::Facility::LOG_LOCAL7)
        ));
        assert!(local_facility(8).is_none());
    }

    #[test]
    fn console_logger_installs_once() {
        assert!(init("vigil-test", Target::Console, true).is_ok());
        log::debug!("debug line reaches stderr");
        assert!(matches!(
            init("vigil-test", Target::Console, false),
            Err(InitError::AlreadySet)
        ));
    }
}
