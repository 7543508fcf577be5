//! The signals vigild reacts to, read from a signalfd registered with the event loop
//! (no handlers, no async-signal-safety concerns: a signal is one more event).

use nix::sys::signal::{SigSet, Signal};
use nix::sys::signalfd::{SfdFlags, SignalFd};
use std::os::fd::{AsFd, AsRawFd, RawFd};

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
pub fn event_of(signo: u32) -> Option<SignalEvent> {
    let signal = Signal::try_from(i32::try_from(signo).ok()?).ok()?;
    match signal {
        Signal::SIGCHLD => Some(SignalEvent::Child),
        Signal::SIGHUP => Some(SignalEvent::Reload),
        Signal::SIGTERM | Signal::SIGINT => Some(SignalEvent::Stop),
        _ => None,
    }
}

/// The blocked signals and the descriptor that delivers them.
pub struct Signals {
    fd: SignalFd,
}

impl Signals {
    /// Blocks SIGCHLD, SIGHUP, SIGTERM and SIGINT and opens a nonblocking signalfd for
    /// them. Children get a clean mask: std's spawn resets it before exec.
    pub fn open() -> nix::Result<Signals> {
        let mut mask = SigSet::empty();
        for s in [
            Signal::SIGCHLD,
            Signal::SIGHUP,
            Signal::SIGTERM,
            Signal::SIGINT,
        ] {
            mask.add(s);
        }
        mask.thread_block()?;
        let fd = SignalFd::with_flags(&mask, SfdFlags::SFD_NONBLOCK | SfdFlags::SFD_CLOEXEC)?;
        Ok(Signals { fd })
    }

    /// The signals waiting, in order (several of one kind may coalesce into one).
    pub fn drain(&mut self) -> Vec<SignalEvent> {
        let mut out = Vec::new();
        while let Ok(Some(info)) = self.fd.read_signal() {
            if let Some(e) = event_of(info.ssi_signo) {
                out.push(e);
            }
        }
        out
    }

    /// The descriptor to register with mio.
    pub fn raw_fd(&self) -> RawFd {
        self.fd.as_fd().as_raw_fd()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signals_map_to_events() {
        assert_eq!(
            event_of(libc_sig(Signal::SIGCHLD)),
            Some(SignalEvent::Child)
        );
        assert_eq!(
            event_of(libc_sig(Signal::SIGHUP)),
            Some(SignalEvent::Reload)
        );
        assert_eq!(event_of(libc_sig(Signal::SIGTERM)), Some(SignalEvent::Stop));
        assert_eq!(event_of(libc_sig(Signal::SIGINT)), Some(SignalEvent::Stop));
        assert_eq!(event_of(libc_sig(Signal::SIGUSR1)), None);
        assert_eq!(event_of(9999), None);
    }

    fn libc_sig(s: Signal) -> u32 {
        u32::try_from(s as i32).unwrap_or(0)
    }
}
