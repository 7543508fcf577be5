//! MISC_CHECK: the supervisor runs the script (`RunMiscCheck`) and reports how it
//! ended (`MiscCheckResult`); this turns that into a check outcome
//! (keepalived/check/check_misc.c `misc_check_child_thread`).

use crate::health::Outcome;
use vigil_ipc::msg::ScriptOutcome;

/// The outcome of a MISC_CHECK run: exit 0 passes; with `misc_dynamic` an exit status
/// of 2..=255 passes and sets the weight to status - 2; anything else (exit 1 or more
/// without misc_dynamic, a signal, a timeout, not run) fails.
pub fn outcome(dynamic: bool, result: ScriptOutcome) -> Outcome {
    match result {
        ScriptOutcome::Exited(0) => Outcome::Success,
        ScriptOutcome::Exited(s) if dynamic && (2..=255).contains(&s) => {
            Outcome::SuccessWithWeight(u32::try_from(s - 2).unwrap_or(0))
        }
        _ => Outcome::Failure,
    }
}

/// A line for the log describing how the script ended.
pub fn describe(result: ScriptOutcome) -> String {
    match result {
        ScriptOutcome::Exited(s) => format!("exited with status {s}"),
        ScriptOutcome::Signalled(s) => format!("killed by signal {s}"),
        ScriptOutcome::TimedOut => "timed out".into(),
        ScriptOutcome::NotRun => "was not run by the supervisor".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_misc_exit_0_up_exit_1_down() {
        assert_eq!(outcome(false, ScriptOutcome::Exited(0)), Outcome::Success);
        assert_eq!(outcome(false, ScriptOutcome::Exited(1)), Outcome::Failure);
        assert_eq!(outcome(true, ScriptOutcome::Exited(1)), Outcome::Failure);
    }

    #[test]
    fn check_misc_dynamic_status_2_to_255_is_weight_status_minus_2() {
        assert_eq!(
            outcome(true, ScriptOutcome::Exited(2)),
            Outcome::SuccessWithWeight(0)
        );
        assert_eq!(
            outcome(true, ScriptOutcome::Exited(255)),
            Outcome::SuccessWithWeight(253)
        );
        // Without misc_dynamic, any non-zero status fails.
        assert_eq!(outcome(false, ScriptOutcome::Exited(7)), Outcome::Failure);
    }

    #[test]
    fn check_misc_signal_and_timeout_fail() {
        assert_eq!(outcome(true, ScriptOutcome::Signalled(9)), Outcome::Failure);
        assert_eq!(outcome(true, ScriptOutcome::TimedOut), Outcome::Failure);
        assert_eq!(outcome(true, ScriptOutcome::NotRun), Outcome::Failure);
    }
}
