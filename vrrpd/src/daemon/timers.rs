//! The timer heap of the event loop: one deadline per (instance, timer, sequence), with
//! lazy invalidation. Re-arming or cancelling bumps the sequence; a popped entry whose
//! sequence is not the current one is dropped. The state machine also ignores stale
//! fires (it keeps its own deadlines), so this is a cheap first filter, not the only one.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use crate::time::Time;

/// What a deadline is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Due {
    /// A state-machine timer of an instance (by its stable runtime id).
    Instance(u64, crate::fsm::Timer),
    /// The next run of `vrrp_script` #index.
    Script(u32),
    /// The delayed start of an instance (`vrrp_startup_delay`).
    Startup(u64),
    /// The next paced GARP / NA (`vrrp_garp_interval`, `garp_group`).
    Garp,
}

/// Deadlines, earliest first.
#[derive(Debug, Default)]
pub struct Timers {
    heap: BinaryHeap<Reverse<(Time, Due, u64)>>,
    current: HashMap<Due, u64>,
    next_seq: u64,
}

impl Timers {
    /// No deadlines.
    pub fn new() -> Timers {
        Timers::default()
    }

    /// Arms `due` at `at`, replacing any earlier arming.
    pub fn arm(&mut self, due: Due, at: Time) {
        self.next_seq += 1;
        self.current.insert(due, self.next_seq);
        self.heap.push(Reverse((at, due, self.next_seq)));
    }

    /// Cancels `due` (no effect when not armed).
    pub fn cancel(&mut self, due: Due) {
        self.current.remove(&due);
    }

    /// Cancels every timer of instance `id`.
    pub fn cancel_instance(&mut self, id: u64) {
        self.current
            .retain(|due, _| !matches!(due, Due::Instance(i, _) | Due::Startup(i) if *i == id));
    }

    /// The earliest live deadline.
    pub fn next_deadline(&mut self) -> Option<Time> {
        self.discard_stale();
        self.heap.peek().map(|Reverse((at, _, _))| *at)
    }

    /// Removes and returns one live entry due at or before `now`.
    pub fn pop_due(&mut self, now: Time) -> Option<Due> {
        self.discard_stale();
        match self.heap.peek() {
            Some(Reverse((at, _, _))) if *at <= now => {}
            _ => return None,
        }
        let Reverse((_, due, _)) = self.heap.pop()?;
        self.current.remove(&due);
        Some(due)
    }

    fn discard_stale(&mut self) {
        while let Some(Reverse((_, due, seq))) = self.heap.peek() {
            if self.current.get(due) == Some(seq) {
                return;
            }
            self.heap.pop();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fsm::Timer;

    #[test]
    fn rearmed_and_cancelled_entries_never_pop() {
        let mut t = Timers::new();
        let a = Due::Instance(1, Timer::Adver);
        let b = Due::Instance(2, Timer::MasterDown);
        t.arm(a, Time(10));
        t.arm(a, Time(30));
        t.arm(b, Time(20));
        t.cancel(b);
        assert_eq!(t.next_deadline(), Some(Time(30)));
        assert_eq!(t.pop_due(Time(25)), None);
        assert_eq!(t.pop_due(Time(30)), Some(a));
        assert_eq!(t.pop_due(Time(100)), None);
        assert_eq!(t.next_deadline(), None);
    }

    #[test]
    fn simultaneous_deadlines_pop_one_by_one() {
        let mut t = Timers::new();
        t.arm(Due::Script(0), Time(5));
        t.arm(Due::Instance(1, Timer::Adver), Time(5));
        t.cancel_instance(1);
        assert_eq!(t.pop_due(Time(5)), Some(Due::Script(0)));
        assert_eq!(t.pop_due(Time(5)), None);
    }
}
