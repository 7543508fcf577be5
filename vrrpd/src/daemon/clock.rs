//! The monotonic clock of the event loop: CLOCK_MONOTONIC (std's `Instant` on Linux)
//! as [`Time`] microseconds since the daemon started, and the loop's [`Alarm`].

use std::io;
use std::os::fd::{AsFd, AsRawFd, RawFd};
use std::time::{Duration, Instant};

use nix::sys::time::TimeSpec;
use nix::sys::timerfd::{ClockId, Expiration, TimerFd, TimerFlags, TimerSetTimeFlags};
use nix::time::clock_gettime;

use crate::time::Time;

/// Monotonic time since the daemon started.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    base: Instant,
    /// CLOCK_MONOTONIC at `base` (read just after it, so never earlier).
    base_ts: Duration,
}

impl Clock {
    /// A clock whose epoch is now.
    pub fn start() -> Clock {
        let base = Instant::now();
        let base_ts = clock_gettime(nix::time::ClockId::CLOCK_MONOTONIC)
            .map(Duration::from)
            .unwrap_or_default();
        Clock { base, base_ts }
    }

    /// The current time.
    pub fn now(&self) -> Time {
        Time(u64::try_from(self.base.elapsed().as_micros()).unwrap_or(u64::MAX))
    }

    /// How long until `t` (zero when past): the poll timeout when the alarm cannot
    /// be used.
    pub fn until(&self, t: Time) -> Duration {
        Duration::from_micros(t.0.saturating_sub(self.now().0))
    }

    /// `t` as an absolute CLOCK_MONOTONIC time; never earlier than `t` by `now()`.
    fn absolute(&self, t: Time) -> Duration {
        self.base_ts + Duration::from_micros(t.0)
    }
}

/// The loop's alarm: a CLOCK_MONOTONIC timerfd armed at the earliest deadline, in
/// absolute time. epoll_wait's own timeout is rounded up to a millisecond and the
/// kernel lets it run late by 0.1 % (select_estimate_accuracy: 3.6 ms on a 3.6 s
/// Master_Down_Interval); a timerfd fires within the timer slack (50 µs).
#[derive(Debug)]
pub struct Alarm {
    fd: TimerFd,
    armed: Option<Time>,
}

impl Alarm {
    /// A disarmed alarm.
    pub fn new() -> io::Result<Alarm> {
        let fd = TimerFd::new(
            ClockId::CLOCK_MONOTONIC,
            TimerFlags::TFD_NONBLOCK | TimerFlags::TFD_CLOEXEC,
        )?;
        Ok(Alarm { fd, armed: None })
    }

    /// Arms the alarm at `at` (disarms it with `None`); nothing to do when it is
    /// already armed there.
    pub fn arm(&mut self, clock: &Clock, at: Option<Time>) -> io::Result<()> {
        if self.armed == at {
            return Ok(());
        }
        match at {
            Some(t) => self.fd.set(
                Expiration::OneShot(TimeSpec::from_duration(clock.absolute(t))),
                TimerSetTimeFlags::TFD_TIMER_ABSTIME,
            )?,
            None => self.fd.unset()?,
        }
        self.armed = at;
        Ok(())
    }

    /// Consumes an expiry (the descriptor polled readable); the alarm is disarmed.
    pub fn fired(&mut self) {
        let mut buf = [0u8; 8];
        let _ = nix::unistd::read(self.fd.as_fd(), &mut buf);
        self.armed = None;
    }

    /// The descriptor to poll.
    pub fn raw_fd(&self) -> RawFd {
        self.fd.as_fd().as_raw_fd()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mio::unix::SourceFd;
    use mio::{Events, Interest, Poll, Token};

    #[test]
    fn the_alarm_fires_at_the_deadline_not_before() {
        let clock = Clock::start();
        let mut alarm = Alarm::new().unwrap();
        let mut poll = Poll::new().unwrap();
        poll.registry()
            .register(&mut SourceFd(&alarm.raw_fd()), Token(0), Interest::READABLE)
            .unwrap();
        let mut events = Events::with_capacity(4);
        let at = Time(clock.now().0 + 20_000);
        alarm.arm(&clock, Some(at)).unwrap();
        poll.poll(&mut events, Some(Duration::from_secs(1)))
            .unwrap();
        let now = clock.now();
        assert!(!events.is_empty(), "the alarm never fired");
        assert!(now >= at, "fired {} µs early", at.0 - now.0);
        assert!(now.0 - at.0 < 10_000, "fired {} µs late", now.0 - at.0);
        alarm.fired();
        // Disarmed: nothing more within 30 ms.
        poll.poll(&mut events, Some(Duration::from_millis(30)))
            .unwrap();
        assert!(events.is_empty());
        // Re-armed at the same time as before it fired: it is set again.
        let again = Time(clock.now().0 + 5_000);
        alarm.arm(&clock, Some(again)).unwrap();
        poll.poll(&mut events, Some(Duration::from_secs(1)))
            .unwrap();
        assert!(!events.is_empty() && clock.now() >= again);
    }
}
