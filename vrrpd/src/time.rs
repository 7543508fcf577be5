//! Time as the pure cores see it: microseconds on a monotonic clock the caller owns.
//!
//! The state machine never reads a clock: the I/O shell passes `now` from
//! `std::time::Instant`, the simulator and the conformance tests pass simulated time.
//! Microseconds are fine enough for VRRPv3's 10 ms adverts and keepalived's timer
//! arithmetic (which also works in microseconds), and a `u64` of them lasts 584,000 years.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::ops::{Add, Mul, Sub};

/// A point in time: microseconds since an epoch chosen by the caller.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Time(pub u64);

/// A length of time in microseconds.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Span(pub u64);

impl Time {
    /// The epoch.
    pub const ZERO: Time = Time(0);

    /// The time elapsed since `earlier` (zero if `earlier` is later).
    pub fn since(self, earlier: Time) -> Span {
        Span(self.0.saturating_sub(earlier.0))
    }
}

impl Span {
    /// No time at all.
    pub const ZERO: Span = Span(0);

    /// `n` microseconds.
    pub const fn from_micros(n: u64) -> Span {
        Span(n)
    }

    /// `n` milliseconds.
    pub const fn from_millis(n: u64) -> Span {
        Span(n * 1_000)
    }

    /// `n` centiseconds, the unit of the VRRPv3 Max Adver Int field (RFC 5798 §5.2.7).
    pub const fn from_centis(n: u64) -> Span {
        Span(n * 10_000)
    }

    /// `n` seconds.
    pub const fn from_secs(n: u64) -> Span {
        Span(n * 1_000_000)
    }

    /// The length in microseconds.
    pub const fn as_micros(self) -> u64 {
        self.0
    }

    /// The length in whole centiseconds, rounded down.
    pub const fn as_centis(self) -> u64 {
        self.0 / 10_000
    }

    /// True for a zero length (keepalived's "disabled" for most timers).
    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }
}

impl Add<Span> for Time {
    type Output = Time;
    fn add(self, rhs: Span) -> Time {
        Time(self.0.saturating_add(rhs.0))
    }
}

impl Sub<Span> for Time {
    type Output = Time;
    fn sub(self, rhs: Span) -> Time {
        Time(self.0.saturating_sub(rhs.0))
    }
}

impl Add for Span {
    type Output = Span;
    fn add(self, rhs: Span) -> Span {
        Span(self.0.saturating_add(rhs.0))
    }
}

impl Sub for Span {
    type Output = Span;
    fn sub(self, rhs: Span) -> Span {
        Span(self.0.saturating_sub(rhs.0))
    }
}

impl Mul<u64> for Span {
    type Output = Span;
    fn mul(self, rhs: u64) -> Span {
        Span(self.0.saturating_mul(rhs))
    }
}

impl fmt::Display for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:06}", self.0 / 1_000_000, self.0 % 1_000_000)
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_multiple_of(1_000) {
            write!(f, "{}ms", self.0 / 1_000)
        } else {
            write!(f, "{}us", self.0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_saturates_instead_of_wrapping() {
        assert_eq!(Time(5) - Span(10), Time(0));
        assert_eq!(Time(u64::MAX) + Span(1), Time(u64::MAX));
        assert_eq!(Time(3).since(Time(10)), Span::ZERO);
        assert_eq!(Time(10).since(Time(3)), Span(7));
    }

    #[test]
    fn units() {
        assert_eq!(Span::from_centis(1), Span::from_millis(10));
        assert_eq!(Span::from_secs(1).as_centis(), 100);
        assert_eq!(Span::from_millis(2) * 3, Span(6_000));
        assert_eq!(Span::from_millis(1500).to_string(), "1500ms");
        assert_eq!(Time(1_500_000).to_string(), "1.500000");
    }
}
