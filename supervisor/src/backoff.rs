//! When to restart a child that died: the restart rule as pure logic.
//!
//! A child that had run for more than [`STABLE_AFTER`] is restarted at once (it was
//! healthy; something passing went wrong). A child that dies sooner is restarted after
//! a delay that starts at [`FIRST_DELAY`] and doubles with every quick death in a row,
//! up to [`MAX_DELAY`], so that a crash loop costs little and fills the log slowly.
//!
//! The delay is counted from the child's previous *start*: starts of a crash-looping
//! child are 1 s, 2 s, 4 s ... apart, while a child that ran for a while and was
//! killed (an operator's `kill -9`, the OOM killer) comes back at once, because its
//! delay has already passed. What the rule bounds is the rate of starts.

use std::time::Duration;

/// A child that ran longer than this is considered to have been healthy.
pub const STABLE_AFTER: Duration = Duration::from_secs(60);
/// The delay after the first quick death.
pub const FIRST_DELAY: Duration = Duration::from_secs(1);
/// The longest delay.
pub const MAX_DELAY: Duration = Duration::from_secs(60);

/// The restart delay of one child.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Backoff {
    quick_deaths: u32,
}

impl Backoff {
    /// A child that has not died yet.
    pub fn new() -> Self {
        Backoff::default()
    }

    /// Records a death after `ran` and returns how long to wait, from now, before the
    /// restart.
    pub fn on_death(&mut self, ran: Duration) -> Duration {
        self.spacing(ran).saturating_sub(ran)
    }

    /// Records a death after `ran` and returns the spacing wanted between the previous
    /// start and the next one.
    fn spacing(&mut self, ran: Duration) -> Duration {
        if ran > STABLE_AFTER {
            self.quick_deaths = 0;
            return Duration::ZERO;
        }
        self.quick_deaths = self.quick_deaths.saturating_add(1);
        // 1 s, 2 s, 4 s, ... capped: the shift is bounded so it cannot overflow.
        let shift = (self.quick_deaths - 1).min(16);
        FIRST_DELAY
            .checked_mul(1u32 << shift)
            .map_or(MAX_DELAY, |d| d.min(MAX_DELAY))
    }

    /// Deaths in a row that came before [`STABLE_AFTER`].
    pub fn quick_deaths(&self) -> u32 {
        self.quick_deaths
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    #[test]
    fn quick_deaths_double_from_one_second_to_sixty() {
        let mut b = Backoff::new();
        let delays: Vec<u64> = (0..9)
            .map(|_| b.on_death(Duration::ZERO).as_secs())
            .collect();
        assert_eq!(delays, [1, 2, 4, 8, 16, 32, 60, 60, 60]);
    }

    #[test]
    fn the_delay_counts_from_the_previous_start() {
        let mut b = Backoff::new();
        assert_eq!(
            b.on_death(Duration::from_millis(300)),
            Duration::from_millis(700)
        );
        // Ran 5 s, wanted spacing 2 s: already passed, restart at once.
        assert_eq!(b.on_death(secs(5)), Duration::ZERO);
        assert_eq!(b.quick_deaths(), 2);
        assert_eq!(b.on_death(secs(1)), secs(3));
    }

    #[test]
    fn a_long_run_restarts_at_once_and_resets_the_ladder() {
        let mut b = Backoff::new();
        b.on_death(secs(1));
        b.on_death(secs(1));
        assert_eq!(b.on_death(secs(61)), Duration::ZERO);
        assert_eq!(b.quick_deaths(), 0);
        assert_eq!(b.on_death(Duration::ZERO), secs(1));
    }

    #[test]
    fn exactly_sixty_seconds_is_still_quick() {
        let mut b = Backoff::new();
        b.on_death(secs(60));
        assert_eq!(b.quick_deaths(), 1);
    }

    #[test]
    fn thousands_of_deaths_stay_capped() {
        let mut b = Backoff::new();
        for _ in 0..10_000 {
            assert!(b.on_death(Duration::ZERO) <= MAX_DELAY);
        }
        assert_eq!(b.on_death(Duration::ZERO), MAX_DELAY);
    }
}
