//! The signals vigild reacts to, delivered as events of the loop through signal-hook's
//! self-pipe (the handler only writes a byte; the loop does the work).
//!
//! Not a signalfd: a signalfd needs the signals blocked, and a blocked mask is
//! inherited across fork and exec — std does not reset it — so every child and script
//! would start with SIGTERM, SIGHUP, SIGINT and SIGCHLD blocked, and a script's timeout
//! SIGTERM would not reach it. Handlers are reset to the default by exec.

use mio::{Interest, Registry, Token};
use nix::sys::signal::Signal;
use signal_hook_mio::v1_0::Signals as HookSignals;
use std::io;

/// What a received signal asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignalEvent {
    /// SIGCHLD: a child or script ended.
    Child,
    /// SIGHUP: reload the configuration.
    Reload,
    /// SIGTERM or SIGINT: stop the suite.
    Stop,
}

/// Maps a signal number to its event (pure).
pub fn event_of(signo: i32) -> Option<SignalEvent> {
    match Signal::try_from(signo).ok()? {
        Signal::SIGCHLD => Some(SignalEvent::Child),
        Signal::SIGHUP => Some(SignalEvent::Reload),
        Signal::SIGTERM | Signal::SIGINT => Some(SignalEvent::Stop),
        _ => None,
    }
}

/// The handled signals and the pipe that delivers them.
pub struct Signals {
    inner: HookSignals,
}

impl Signals {
    /// Installs handlers for SIGCHLD, SIGHUP, SIGTERM and SIGINT and registers the
    /// delivery pipe under `token`.
    pub fn open(registry: &Registry, token: Token) -> io::Result<Signals> {
        let mut inner = HookSignals::new([
            Signal::SIGCHLD as i32,
            Signal::SIGHUP as i32,
            Signal::SIGTERM as i32,
            Signal::SIGINT as i32,
        ])?;
        registry.register(&mut inner, token, Interest::READABLE)?;
        Ok(Signals { inner })
    }

    /// The signals waiting (several of one kind may coalesce into one).
    pub fn drain(&mut self) -> Vec<SignalEvent> {
        self.inner.pending().filter_map(event_of).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signals_map_to_events() {
        assert_eq!(event_of(Signal::SIGCHLD as i32), Some(SignalEvent::Child));
        assert_eq!(event_of(Signal::SIGHUP as i32), Some(SignalEvent::Reload));
        assert_eq!(event_of(Signal::SIGTERM as i32), Some(SignalEvent::Stop));
        assert_eq!(event_of(Signal::SIGINT as i32), Some(SignalEvent::Stop));
        assert_eq!(event_of(Signal::SIGUSR1 as i32), None);
        assert_eq!(event_of(9999), None);
    }
}
