//! systemd's notification protocol (Type=notify): READY, RELOADING, STOPPING and the
//! watchdog. Without $NOTIFY_SOCKET every call does nothing.

use sd_notify::NotifyState;
use std::time::{Duration, Instant};

/// Notifications to systemd and the watchdog's schedule.
#[derive(Debug)]
pub struct Notifier {
    watchdog: Option<Duration>,
    next_watchdog: Option<Instant>,
    ready: bool,
}

fn send(states: &[NotifyState<'_>]) {
    if let Err(e) = sd_notify::notify(states) {
        log::debug!("sd_notify: {e}");
    }
}

impl Notifier {
    /// Reads WATCHDOG_USEC: pings go out at half the interval, as sd_watchdog_enabled(3)
    /// recommends.
    pub fn new(now: Instant) -> Self {
        let watchdog = sd_notify::watchdog_enabled().map(|d| d / 2);
        Notifier {
            watchdog,
            next_watchdog: watchdog.map(|d| now + d),
            ready: false,
        }
    }

    /// READY=1, once.
    pub fn ready(&mut self, status: &str) {
        if !self.ready {
            self.ready = true;
            send(&[NotifyState::Ready, NotifyState::Status(status)]);
        }
    }

    /// Whether READY=1 was sent.
    pub fn is_ready(&self) -> bool {
        self.ready
    }

    /// RELOADING=1 (with the monotonic time systemd's notify-reload wants).
    pub fn reloading(&self) {
        match NotifyState::monotonic_usec_now() {
            Ok(t) => send(&[NotifyState::Reloading, t]),
            Err(_) => send(&[NotifyState::Reloading]),
        }
    }

    /// READY=1 after a reload, with a status line.
    pub fn reloaded(&self, status: &str) {
        send(&[NotifyState::Ready, NotifyState::Status(status)]);
    }

    /// STOPPING=1.
    pub fn stopping(&self) {
        send(&[NotifyState::Stopping]);
    }

    /// When the watchdog is next due.
    pub fn next_wake(&self) -> Option<Instant> {
        self.next_watchdog
    }

    /// WATCHDOG=1 when due.
    pub fn tick(&mut self, now: Instant) {
        if let (Some(due), Some(every)) = (self.next_watchdog, self.watchdog) {
            if now >= due {
                send(&[NotifyState::Watchdog]);
                self.next_watchdog = Some(now + every);
            }
        }
    }
}
