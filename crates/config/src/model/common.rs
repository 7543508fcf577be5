//! Value types shared by several sections.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A time value, kept in microseconds (keepalived's timer resolution).
///
/// keepalived.conf(5), PARAMETER SYNTAX: `<TIMER>` is seconds with an optional fraction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timer(pub u64);

impl Timer {
    /// A timer of whole seconds.
    pub const fn secs(s: u64) -> Self {
        Timer(s * 1_000_000)
    }

    /// A timer of milliseconds.
    pub const fn millis(ms: u64) -> Self {
        Timer(ms * 1_000)
    }

    /// Microseconds.
    pub const fn micros(self) -> u64 {
        self.0
    }

    /// As a `std::time::Duration`.
    pub fn duration(self) -> std::time::Duration {
        std::time::Duration::from_micros(self.0)
    }
}

impl fmt::Display for Timer {
    /// Seconds with as few decimals as needed: `1`, `0.1`, `0.000001`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.0 / 1_000_000;
        let frac = self.0 % 1_000_000;
        if frac == 0 {
            write!(f, "{secs}")
        } else {
            let s = format!("{frac:06}");
            write!(f, "{secs}.{}", s.trim_end_matches('0'))
        }
    }
}

/// An external program to run and the user/group to run it as
/// (keepalived.conf(5), SCRIPTS).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Script {
    /// The command as configured: program path and arguments in one string, split into
    /// argv at run time by keepalived's rules.
    pub command: String,
    /// User to run as; the global `script_user` when absent.
    pub user: Option<String>,
    /// Group to run as; the user's primary group when absent.
    pub group: Option<String>,
}
