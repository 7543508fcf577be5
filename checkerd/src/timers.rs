//! A timer heap: keys due at instants, earliest first. Cancelling is lazy: the owner
//! puts an epoch in its keys and ignores keys whose epoch is stale.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::time::{Duration, Instant};

/// Timers carrying keys of type `K`.
#[derive(Debug)]
pub struct Timers<K> {
    heap: BinaryHeap<Reverse<(Instant, u64, K)>>,
    seq: u64,
}

impl<K: Ord> Default for Timers<K> {
    fn default() -> Self {
        Timers {
            heap: BinaryHeap::new(),
            seq: 0,
        }
    }
}

impl<K: Ord> Timers<K> {
    /// No timers.
    pub fn new() -> Self {
        Self::default()
    }

    /// Arms `key` at `at`. Keys due at the same instant fire in arming order.
    pub fn arm(&mut self, at: Instant, key: K) {
        self.seq = self.seq.wrapping_add(1);
        self.heap.push(Reverse((at, self.seq, key)));
    }

    /// How long until the earliest timer from `now` (zero if one is due), `None`
    /// without timers.
    pub fn timeout(&self, now: Instant) -> Option<Duration> {
        self.heap
            .peek()
            .map(|Reverse((at, _, _))| at.saturating_duration_since(now))
    }

    /// Takes the earliest timer due at `now`.
    pub fn pop_due(&mut self, now: Instant) -> Option<K> {
        match self.heap.peek() {
            Some(Reverse((at, _, _))) if *at <= now => self.heap.pop().map(|Reverse((_, _, k))| k),
            _ => None,
        }
    }

    /// How many timers are armed (stale ones included).
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// True without timers.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fires_in_time_order_then_arming_order() {
        let t0 = Instant::now();
        let mut t = Timers::new();
        t.arm(t0 + Duration::from_secs(2), "late");
        t.arm(t0 + Duration::from_secs(1), "a");
        t.arm(t0 + Duration::from_secs(1), "b");
        assert_eq!(t.timeout(t0), Some(Duration::from_secs(1)));
        assert_eq!(t.pop_due(t0), None);
        let later = t0 + Duration::from_secs(5);
        assert_eq!(t.pop_due(later), Some("a"));
        assert_eq!(t.pop_due(later), Some("b"));
        assert_eq!(t.pop_due(later), Some("late"));
        assert!(t.is_empty());
    }
}
