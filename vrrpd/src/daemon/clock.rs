//! The monotonic clock of the event loop: CLOCK_MONOTONIC (std's `Instant` on Linux)
//! as [`Time`] microseconds since the daemon started.

use std::time::{Duration, Instant};

use crate::time::Time;

/// Monotonic time since the daemon started.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    base: Instant,
}

impl Clock {
    /// A clock whose epoch is now.
    pub fn start() -> Clock {
        Clock {
            base: Instant::now(),
        }
    }

    /// The current time.
    pub fn now(&self) -> Time {
        Time(u64::try_from(self.base.elapsed().as_micros()).unwrap_or(u64::MAX))
    }

    /// How long until `t` (zero when past), for the poll timeout. Rounded up to whole
    /// milliseconds' worth of microseconds is not needed: epoll_pwait2 takes the rest.
    pub fn until(&self, t: Time) -> Duration {
        Duration::from_micros(t.0.saturating_sub(self.now().0))
    }
}
