//! When to signal a script that runs too long, and how its end is classified.
//!
//! keepalived vrrp/vrrp_scheduler.c `vrrp_script_child_thread()`: at the timeout SIGTERM
//! goes to the script's process group; 2 s later SIGKILL. A script that then dies of
//! that signal "timed_out"; one that exits normally reports its status; after a TERM
//! death the group gets SIGKILL so that children it started die too.

use std::time::{Duration, Instant};

/// keepalived's grace period between SIGTERM and SIGKILL.
pub const DEFAULT_GRACE: Duration = Duration::from_secs(2);

/// What to do now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Nothing yet.
    None,
    /// Send SIGTERM to the process group.
    Term,
    /// Send SIGKILL to the process group.
    Kill,
}

/// Where the termination stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Running,
    TermSent,
    KillSent,
}

/// How a script ended, as reported to the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// It exited with this status.
    Exited(i32),
    /// A signal it was not sent by us (or not for a timeout) ended it.
    Signaled(i32),
    /// It ran past its timeout and the signal we sent ended it.
    TimedOut {
        /// The signal that ended it (SIGTERM or SIGKILL).
        signal: i32,
    },
}

impl Outcome {
    /// Exit status 0 (keepalived: "succeeded").
    pub fn success(&self) -> bool {
        matches!(self, Outcome::Exited(0))
    }
}

/// The timeout state machine of one script run (pure: it takes the time).
#[derive(Debug, Clone)]
pub struct Termination {
    deadline: Option<Instant>,
    grace: Duration,
    stage: Stage,
}

impl Termination {
    /// A run started at `start`; `timeout` `None` means never time out.
    pub fn new(start: Instant, timeout: Option<Duration>, grace: Duration) -> Self {
        Termination {
            deadline: timeout.map(|t| start + t),
            grace,
            stage: Stage::Running,
        }
    }

    /// When `on_tick` next has something to do.
    pub fn next_wake(&self) -> Option<Instant> {
        match self.stage {
            Stage::KillSent => None,
            _ => self.deadline,
        }
    }

    /// The action due at `now`; the caller sends the signal.
    pub fn on_tick(&mut self, now: Instant) -> Action {
        let Some(d) = self.deadline else {
            return Action::None;
        };
        if now < d {
            return Action::None;
        }
        match self.stage {
            Stage::Running => {
                self.stage = Stage::TermSent;
                self.deadline = Some(now + self.grace);
                Action::Term
            }
            Stage::TermSent => {
                self.stage = Stage::KillSent;
                self.deadline = None;
                Action::Kill
            }
            Stage::KillSent => Action::None,
        }
    }

    /// Whether we have signalled the script.
    pub fn signalled(&self) -> bool {
        self.stage != Stage::Running
    }

    /// Classifies the end: `code` for a normal exit, `signal` for a death by signal.
    pub fn classify(&self, code: Option<i32>, signal: Option<i32>) -> Outcome {
        const TERM: i32 = 15;
        const KILL: i32 = 9;
        match (code, signal) {
            (Some(c), _) => Outcome::Exited(c),
            (None, Some(s)) => match self.stage {
                Stage::TermSent if s == TERM => Outcome::TimedOut { signal: s },
                Stage::KillSent if s == KILL || s == TERM => Outcome::TimedOut { signal: s },
                _ => Outcome::Signaled(s),
            },
            (None, None) => Outcome::Signaled(0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn term_at_timeout_then_kill_after_grace_vrrp_script_child_thread() {
        let t0 = Instant::now();
        let mut t = Termination::new(t0, Some(Duration::from_secs(5)), DEFAULT_GRACE);
        assert_eq!(t.next_wake(), Some(t0 + Duration::from_secs(5)));
        assert_eq!(t.on_tick(t0 + Duration::from_secs(4)), Action::None);
        assert_eq!(t.on_tick(t0 + Duration::from_secs(5)), Action::Term);
        assert_eq!(t.next_wake(), Some(t0 + Duration::from_secs(7)));
        assert_eq!(t.on_tick(t0 + Duration::from_millis(6999)), Action::None);
        assert_eq!(t.on_tick(t0 + Duration::from_secs(7)), Action::Kill);
        assert_eq!(t.next_wake(), None);
        assert_eq!(t.on_tick(t0 + Duration::from_secs(100)), Action::None);
    }

    #[test]
    fn no_timeout_never_signals() {
        let t0 = Instant::now();
        let mut t = Termination::new(t0, None, DEFAULT_GRACE);
        assert_eq!(t.next_wake(), None);
        assert_eq!(t.on_tick(t0 + Duration::from_secs(1 << 20)), Action::None);
    }

    #[test]
    fn classification_follows_keepalived() {
        let t0 = Instant::now();
        let mut t = Termination::new(t0, Some(Duration::from_secs(1)), DEFAULT_GRACE);
        // Before any signal from us: a signal death is just a signal.
        assert_eq!(t.classify(None, Some(15)), Outcome::Signaled(15));
        assert_eq!(t.classify(Some(3), None), Outcome::Exited(3));
        t.on_tick(t0 + Duration::from_secs(1));
        assert_eq!(t.classify(None, Some(15)), Outcome::TimedOut { signal: 15 });
        // Killed by something else while we wait: reported as a signal.
        assert_eq!(t.classify(None, Some(9)), Outcome::Signaled(9));
        // A script that traps TERM and exits: its status.
        assert_eq!(t.classify(Some(1), None), Outcome::Exited(1));
        t.on_tick(t0 + Duration::from_secs(3));
        assert_eq!(t.classify(None, Some(9)), Outcome::TimedOut { signal: 9 });
        assert!(!Outcome::TimedOut { signal: 9 }.success());
        assert!(Outcome::Exited(0).success());
    }
}
