//! MISC_CHECK round trip: the checker asks the supervisor (this test) to run the script
//! and takes the result; misc_dynamic sets the weight from the exit status.

mod common;

use common::start_with;
use std::time::Duration;
use vigil_ipc::msg::checker::{CheckerRef, IpvsChange, RealServerRef};
use vigil_ipc::msg::ScriptOutcome;
use vigil_ipc::{FromChecker, ToChecker};

const CONFIG: &str = r#"
global_defs {
    script_user nobody
    enable_script_security
}
virtual_server 192.0.2.10 80 {
    delay_loop 0.05
    lvs_sched rr
    lvs_method NAT
    protocol TCP
    real_server 198.51.100.1 80 {
        weight 10
        alpha
        MISC_CHECK {
            misc_path "/bin/true"
            misc_dynamic
            warmup 0
        }
    }
}
"#;

const TARGET: CheckerRef = CheckerRef {
    server: RealServerRef { vs: 0, rs: 0 },
    checker: 0,
};

fn answer(c: &mut common::Checkerd, outcome: ScriptOutcome) {
    c.wait_for(
        Duration::from_secs(2),
        "RunMiscCheck",
        |m| matches!(m, FromChecker::RunMiscCheck { target } if *target == TARGET),
    );
    c.send(ToChecker::MiscCheckResult {
        target: TARGET,
        outcome,
    });
}

fn next_set(c: &mut common::Checkerd) -> IpvsChange {
    match c.wait_for(Duration::from_secs(2), "SetRealServer", |m| {
        matches!(m, FromChecker::SetRealServer { .. })
    }) {
        FromChecker::SetRealServer { change, .. } => change,
        _ => unreachable!(),
    }
}

#[test]
fn exit_0_up_dynamic_status_sets_weight_exit_1_down() {
    let mut c = start_with(CONFIG);
    answer(&mut c, ScriptOutcome::Exited(0));
    assert_eq!(next_set(&mut c), IpvsChange::Add { weight: 10 });
    // misc_dynamic: exit 7 → weight 5.
    answer(&mut c, ScriptOutcome::Exited(7));
    assert_eq!(next_set(&mut c), IpvsChange::SetWeight { weight: 5 });
    // retry defaults to 0 for MISC_CHECK: one failure is enough.
    answer(&mut c, ScriptOutcome::Exited(1));
    assert_eq!(next_set(&mut c), IpvsChange::Remove);
    answer(&mut c, ScriptOutcome::Exited(0));
    assert_eq!(next_set(&mut c), IpvsChange::Add { weight: 5 });
    answer(&mut c, ScriptOutcome::TimedOut);
    assert_eq!(next_set(&mut c), IpvsChange::Remove);
}

#[test]
fn a_result_for_a_check_not_running_is_ignored() {
    let mut c = start_with(CONFIG);
    let other = CheckerRef {
        server: RealServerRef { vs: 0, rs: 5 },
        checker: 0,
    };
    c.send(ToChecker::MiscCheckResult {
        target: other,
        outcome: ScriptOutcome::Exited(0),
    });
    // Still answers and still works.
    answer(&mut c, ScriptOutcome::Exited(0));
    assert_eq!(next_set(&mut c), IpvsChange::Add { weight: 10 });
}
