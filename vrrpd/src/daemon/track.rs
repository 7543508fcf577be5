//! `vrrp_script` tracking as keepalived does it (keepalived.conf(5), vrrp_script;
//! vrrp_track.c): each result moves a rise/fall counter; a script is OK after `rise`
//! consecutive successes and KO after `fall` consecutive failures. A tracking instance
//! adds the weight while OK (weight > 0) or while KO (weight < 0), `reverse` swapping
//! the two; weight 0 puts the instance in FAULT while the script is KO. Pure.

use super::build::ScriptTrack;

/// One script's rise/fall state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptState {
    rise: u32,
    fall: u32,
    /// keepalived's `result`: 0..rise+fall-1; OK when at least `rise`.
    result: u32,
}

impl ScriptState {
    /// A script that starts OK, or KO with `init_fail`.
    pub fn new(rise: u32, fall: u32, init_fail: bool) -> ScriptState {
        let rise = rise.max(1);
        let fall = fall.max(1);
        ScriptState {
            rise,
            fall,
            result: if init_fail { 0 } else { rise + fall - 1 },
        }
    }

    /// True while the script is in the OK state.
    pub fn ok(&self) -> bool {
        self.result >= self.rise
    }

    /// Applies one run's outcome; returns true when the OK/KO state changed.
    pub fn record(&mut self, success: bool) -> bool {
        let before = self.ok();
        let top = self.rise + self.fall - 1;
        if success {
            // vrrp_track.c: count up to rise-1, then jump to the top (OK).
            if self.result < self.rise - 1 {
                self.result += 1;
            } else {
                self.result = top;
            }
        } else if self.result > self.rise {
            self.result -= 1;
        } else {
            self.result = 0;
        }
        before != self.ok()
    }
}

/// What a tracked script contributes to an instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Contribution {
    /// Nothing.
    None,
    /// Add this to the priority.
    Weight(i32),
    /// The instance is in FAULT.
    Fault,
}

/// The contribution of a script in state `ok` tracked with `track`.
pub fn contribution(track: &ScriptTrack, ok: bool) -> Contribution {
    weighted(track.weight, track.reverse, ok)
}

/// The contribution of any tracked object (script, interface) with `weight` and
/// `reverse` in state `ok` (keepalived.conf(5), track_script / track_interface).
pub fn weighted(weight: i32, reverse: bool, ok: bool) -> Contribution {
    let effective_ok = ok != reverse;
    match weight {
        0 if !ok => Contribution::Fault,
        0 => Contribution::None,
        w if w > 0 && effective_ok => Contribution::Weight(w),
        w if w < 0 && !effective_ok => Contribution::Weight(w),
        _ => Contribution::None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn track(weight: i32, reverse: bool) -> ScriptTrack {
        ScriptTrack {
            script: 0,
            name: "chk".into(),
            weight,
            reverse,
        }
    }

    #[test]
    fn keepalived_rise_and_fall_need_consecutive_results() {
        let mut s = ScriptState::new(2, 3, false);
        assert!(s.ok());
        assert!(!s.record(false));
        assert!(!s.record(false));
        assert!(!s.record(true)); // back to the top
        assert!(!s.record(false));
        assert!(!s.record(false));
        assert!(s.record(false)); // third consecutive failure
        assert!(!s.ok());
        assert!(!s.record(true));
        assert!(!s.record(false)); // not consecutive: start again
        assert!(!s.record(true));
        assert!(s.record(true)); // second consecutive success
        assert!(s.ok());
    }

    #[test]
    fn init_fail_starts_ko() {
        let mut s = ScriptState::new(1, 1, true);
        assert!(!s.ok());
        assert!(s.record(true));
    }

    #[test]
    fn keepalived_weight_signs() {
        assert_eq!(
            contribution(&track(10, false), true),
            Contribution::Weight(10)
        );
        assert_eq!(contribution(&track(10, false), false), Contribution::None);
        assert_eq!(
            contribution(&track(-10, false), false),
            Contribution::Weight(-10)
        );
        assert_eq!(contribution(&track(-10, false), true), Contribution::None);
        assert_eq!(
            contribution(&track(-10, true), true),
            Contribution::Weight(-10)
        );
        assert_eq!(contribution(&track(0, false), false), Contribution::Fault);
        assert_eq!(contribution(&track(0, false), true), Contribution::None);
    }
}
