//! The health of one real server from the results of its checkers: retries, the
//! checker up/down states, the server's failed-checker count and its effective weight.
//! Pure logic, no I/O, no clock (keepalived/check/check_tcp.c `tcp_epilog`,
//! check_misc.c `misc_check_child_thread`, ipwrapper.c `update_svr_checker_state`).
//!
//! keepalived 2.2 has no `rise`/`fall` for real server checkers (those are vrrp_script
//! options): a checker goes down after `retry` further failures spaced by
//! `delay_before_retry`, i.e. on the `retry + 1`-th consecutive failure, and comes up on
//! the first success. The real server is up when no checker is down.

/// What one run of a checker found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The check passed.
    Success,
    /// The check passed and set the server's weight (MISC_CHECK `misc_dynamic`, exit
    /// status 2..=255: weight = status - 2).
    SuccessWithWeight(u32),
    /// The check failed.
    Failure,
}

/// When the checker runs next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// After `delay_before_retry` (a failure is being retried).
    Retry,
    /// After `delay_loop`.
    Loop,
}

/// The per-checker settings the health logic needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckerParams {
    /// `retry`: further attempts after a failure before the checker is down.
    pub retry: u32,
    /// `alpha`: the checker starts down.
    pub alpha: bool,
}

/// One checker's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckerHealth {
    params: CheckerParams,
    up: bool,
    has_run: bool,
    retry_it: u32,
}

impl CheckerHealth {
    fn new(params: CheckerParams) -> Self {
        CheckerHealth {
            params,
            up: !params.alpha,
            has_run: false,
            retry_it: 0,
        }
    }

    /// True while the checker counts as passing.
    pub fn is_up(&self) -> bool {
        self.up
    }

    /// True once the checker reported a result.
    pub fn has_run(&self) -> bool {
        self.has_run
    }
}

/// What a result changed for the real server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Report {
    /// When this checker runs next.
    pub next: Next,
    /// The real server went up (`Some(true)`) or down (`Some(false)`).
    pub server: Option<bool>,
    /// The checker itself changed state (for the log line).
    pub checker: Option<bool>,
    /// The effective weight changed (misc_dynamic), to this value.
    pub weight: Option<u32>,
    /// The first result of an `alpha` checker was a failure: keepalived runs the
    /// server's notify_down once then (ipwrapper.c `update_svr_checker_state`).
    pub initial_down_notify: bool,
}

/// A real server's health: its checkers and effective weight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerHealth {
    checkers: Vec<CheckerHealth>,
    failed: u32,
    configured_weight: u32,
    weight: u32,
    checks_run: u64,
    checks_failed: u64,
}

impl ServerHealth {
    /// A server with these checkers at their initial state (alpha ones down), weighted
    /// `weight`.
    pub fn new(weight: u32, checkers: &[CheckerParams]) -> Self {
        let checkers: Vec<CheckerHealth> =
            checkers.iter().copied().map(CheckerHealth::new).collect();
        let failed = count(checkers.iter().filter(|c| !c.up).count());
        ServerHealth {
            checkers,
            failed,
            configured_weight: weight,
            weight,
            checks_run: 0,
            checks_failed: 0,
        }
    }

    /// Up when no checker is down (a server without checkers is always up).
    pub fn is_up(&self) -> bool {
        self.failed == 0
    }

    /// The effective weight (the configured one, or the last misc_dynamic one).
    pub fn weight(&self) -> u32 {
        self.weight
    }

    /// The configured weight.
    pub fn configured_weight(&self) -> u32 {
        self.configured_weight
    }

    /// How many checkers are down.
    pub fn failed_checkers(&self) -> u32 {
        self.failed
    }

    /// Checks run so far.
    pub fn checks_run(&self) -> u64 {
        self.checks_run
    }

    /// Checks failed so far.
    pub fn checks_failed(&self) -> u64 {
        self.checks_failed
    }

    /// Checker `i`, if it exists.
    pub fn checker(&self, i: usize) -> Option<&CheckerHealth> {
        self.checkers.get(i)
    }

    /// Takes the result of checker `i`; `None` for an index out of range.
    pub fn record(&mut self, i: usize, outcome: Outcome) -> Option<Report> {
        let was_up = self.is_up();
        let c = self.checkers.get_mut(i)?;
        self.checks_run = self.checks_run.saturating_add(1);
        let mut report = Report {
            next: Next::Loop,
            server: None,
            checker: None,
            weight: None,
            initial_down_notify: false,
        };
        match outcome {
            Outcome::Success | Outcome::SuccessWithWeight(_) => {
                c.retry_it = 0;
                if !c.up {
                    c.up = true;
                    report.checker = Some(true);
                    self.failed = self.failed.saturating_sub(1);
                }
                c.has_run = true;
                // check_misc.c: status 2..=255 sets the weight even while already up;
                // status 0 leaves it as it is.
                if let Outcome::SuccessWithWeight(w) = outcome {
                    if w != self.weight {
                        self.weight = w;
                        report.weight = Some(w);
                    }
                }
            }
            Outcome::Failure => {
                self.checks_failed = self.checks_failed.saturating_add(1);
                if c.up {
                    // check_tcp.c tcp_epilog: retry while up, down after `retry` retries.
                    if c.retry_it < c.params.retry {
                        c.retry_it += 1;
                        report.next = Next::Retry;
                    } else {
                        c.retry_it = 0;
                        c.up = false;
                        report.checker = Some(false);
                        self.failed = self.failed.saturating_add(1);
                    }
                } else if !c.has_run && c.params.alpha && c.params.retry == 0 {
                    // check_tcp.c/check_udp.c epilog: a never-run alpha checker reaches
                    // update_svr_checker_state(DOWN) only once its retries are used up,
                    // which for a checker never up is only with retry 0.
                    report.initial_down_notify = true;
                }
                // A checker already down waits a full delay_loop: no retries.
                c.has_run = true;
            }
        }
        let now_up = self.is_up();
        if now_up != was_up {
            report.server = Some(now_up);
        }
        Some(report)
    }

    /// Carries the state of an unchanged server over a reload: checkers, weight,
    /// counters (ipwrapper.c `migrate_checkers`, for identical checkers).
    pub fn carried_over(&self, weight: u32) -> ServerHealth {
        let mut next = self.clone();
        // A changed configured weight applies unless misc_dynamic set its own.
        if next.weight == next.configured_weight {
            next.weight = weight;
        }
        next.configured_weight = weight;
        next
    }
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAIN: CheckerParams = CheckerParams {
        retry: 0,
        alpha: false,
    };

    fn retry(n: u32) -> CheckerParams {
        CheckerParams {
            retry: n,
            alpha: false,
        }
    }

    fn alpha() -> CheckerParams {
        CheckerParams {
            retry: 0,
            alpha: true,
        }
    }

    #[test]
    fn ipwrapper_init_service_rs_server_without_alpha_starts_up() {
        let h = ServerHealth::new(5, &[PLAIN, PLAIN]);
        assert!(h.is_up());
        assert_eq!(h.weight(), 5);
        assert_eq!(h.failed_checkers(), 0);
    }

    #[test]
    fn keepalived_conf_alpha_starts_the_server_down() {
        // keepalived.conf(5) `alpha`: "start in the failed state".
        let h = ServerHealth::new(1, &[PLAIN, alpha()]);
        assert!(!h.is_up());
        assert_eq!(h.failed_checkers(), 1);
    }

    #[test]
    fn a_server_without_checkers_is_always_up() {
        assert!(ServerHealth::new(1, &[]).is_up());
    }

    #[test]
    fn check_tcp_epilog_retry_0_fails_on_first_failure() {
        let mut h = ServerHealth::new(1, &[PLAIN]);
        let r = h.record(0, Outcome::Failure).expect("checker 0");
        assert_eq!(r.server, Some(false));
        assert_eq!(r.checker, Some(false));
        assert_eq!(r.next, Next::Loop);
    }

    #[test]
    fn check_tcp_epilog_down_after_retry_plus_one_failures_spaced_by_delay_before_retry() {
        let mut h = ServerHealth::new(1, &[retry(2)]);
        for _ in 0..2 {
            let r = h.record(0, Outcome::Failure).expect("checker 0");
            assert_eq!(r.next, Next::Retry);
            assert_eq!(r.server, None);
            assert!(h.is_up());
        }
        let r = h.record(0, Outcome::Failure).expect("checker 0");
        assert_eq!(r.server, Some(false));
        assert_eq!(r.next, Next::Loop);
    }

    #[test]
    fn check_tcp_epilog_success_resets_the_retry_count() {
        let mut h = ServerHealth::new(1, &[retry(1)]);
        assert_eq!(
            h.record(0, Outcome::Failure).map(|r| r.next),
            Some(Next::Retry)
        );
        assert_eq!(h.record(0, Outcome::Success).map(|r| r.server), Some(None));
        // One retry again before going down.
        assert_eq!(
            h.record(0, Outcome::Failure).map(|r| r.next),
            Some(Next::Retry)
        );
        assert!(h.is_up());
    }

    #[test]
    fn check_tcp_epilog_a_down_checker_is_not_retried() {
        let mut h = ServerHealth::new(1, &[retry(3)]);
        for _ in 0..4 {
            h.record(0, Outcome::Failure);
        }
        assert!(!h.is_up());
        let r = h.record(0, Outcome::Failure).expect("checker 0");
        assert_eq!(r.next, Next::Loop);
        assert_eq!(r.server, None);
    }

    #[test]
    fn check_tcp_epilog_one_success_brings_a_checker_up() {
        let mut h = ServerHealth::new(1, &[PLAIN]);
        h.record(0, Outcome::Failure);
        let r = h.record(0, Outcome::Success).expect("checker 0");
        assert_eq!(r.server, Some(true));
        assert_eq!(r.checker, Some(true));
    }

    #[test]
    fn ipwrapper_update_svr_checker_state_server_up_only_when_all_checkers_up() {
        let mut h = ServerHealth::new(1, &[PLAIN, PLAIN]);
        assert_eq!(
            h.record(0, Outcome::Failure).and_then(|r| r.server),
            Some(false)
        );
        assert_eq!(h.record(1, Outcome::Failure).and_then(|r| r.server), None);
        assert_eq!(h.failed_checkers(), 2);
        assert_eq!(h.record(0, Outcome::Success).and_then(|r| r.server), None);
        assert!(!h.is_up());
        assert_eq!(
            h.record(1, Outcome::Success).and_then(|r| r.server),
            Some(true)
        );
    }

    #[test]
    fn ipwrapper_update_svr_checker_state_alpha_first_failure_notifies_down_once() {
        let mut h = ServerHealth::new(1, &[alpha()]);
        let r = h.record(0, Outcome::Failure).expect("checker 0");
        assert!(r.initial_down_notify);
        assert_eq!(r.server, None);
        let r = h.record(0, Outcome::Failure).expect("checker 0");
        assert!(!r.initial_down_notify);
    }

    #[test]
    fn check_udp_epilog_alpha_with_retries_sends_no_initial_notify() {
        let mut h = ServerHealth::new(
            1,
            &[CheckerParams {
                retry: 2,
                alpha: true,
            }],
        );
        let r = h.record(0, Outcome::Failure).expect("checker 0");
        assert!(!r.initial_down_notify);
        assert_eq!(r.next, Next::Loop, "a down checker is not retried");
    }

    #[test]
    fn alpha_server_comes_up_on_first_success() {
        let mut h = ServerHealth::new(1, &[alpha()]);
        assert_eq!(
            h.record(0, Outcome::Success).and_then(|r| r.server),
            Some(true)
        );
    }

    #[test]
    fn check_misc_dynamic_exit_status_sets_weight_status_minus_2() {
        // check_misc.c: misc_dynamic, exit 2..=255 → update_svr_wgt(status - 2).
        let mut h = ServerHealth::new(10, &[PLAIN]);
        let r = h
            .record(0, Outcome::SuccessWithWeight(3))
            .expect("checker 0");
        assert_eq!(r.weight, Some(3));
        assert_eq!(h.weight(), 3);
        // Exit 0 leaves the weight ("legacy case").
        let r = h.record(0, Outcome::Success).expect("checker 0");
        assert_eq!(r.weight, None);
        assert_eq!(h.weight(), 3);
        // Same weight again is no change.
        assert_eq!(
            h.record(0, Outcome::SuccessWithWeight(3))
                .and_then(|r| r.weight),
            None
        );
    }

    #[test]
    fn counters_count_runs_and_failures() {
        let mut h = ServerHealth::new(1, &[retry(5)]);
        h.record(0, Outcome::Failure);
        h.record(0, Outcome::Success);
        assert_eq!((h.checks_run(), h.checks_failed()), (2, 1));
    }

    #[test]
    fn unknown_checker_index_is_refused() {
        let mut h = ServerHealth::new(1, &[PLAIN]);
        assert_eq!(h.record(1, Outcome::Failure), None);
        assert_eq!(h.checks_run(), 0);
    }

    #[test]
    fn ipwrapper_migrate_checkers_reload_keeps_state_and_takes_new_weight() {
        let mut h = ServerHealth::new(1, &[PLAIN]);
        h.record(0, Outcome::Failure);
        let n = h.carried_over(7);
        assert!(!n.is_up());
        assert_eq!(n.weight(), 7);
        assert_eq!(n.checks_run(), 1);
    }
}
