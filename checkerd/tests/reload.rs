//! A new generation: unchanged real servers keep their state, new ones start, removed
//! ones are taken out (named by the old indexes, before ConfigApplied).

mod common;

use common::start_with;
use std::time::Duration;
use vigil_ipc::msg::checker::{IpvsChange, RealServerRef};
use vigil_ipc::msg::ScriptOutcome;
use vigil_ipc::{FromChecker, ToChecker};

fn config(servers: &[&str]) -> String {
    let mut s = String::from(
        r#"
global_defs {
    script_user nobody
    enable_script_security
}
virtual_server 192.0.2.10 80 {
    delay_loop 30
    lvs_sched rr
    lvs_method NAT
    protocol TCP
"#,
    );
    for last in servers {
        s.push_str(&format!(
            r#"
    real_server 198.51.100.{last} 80 {{
        MISC_CHECK {{
            misc_path "/bin/true"
            warmup 0
        }}
    }}
"#
        ));
    }
    s.push_str("}\n");
    s
}

#[test]
fn unchanged_servers_keep_state_new_start_removed_go() {
    let mut c = start_with(&config(&["1", "2"]));
    // Server .1 fails its first check; .2 passes.
    for _ in 0..2 {
        let m = c.wait_for(Duration::from_secs(2), "RunMiscCheck", |m| {
            matches!(m, FromChecker::RunMiscCheck { .. })
        });
        let FromChecker::RunMiscCheck { target } = m else {
            unreachable!()
        };
        let code = if target.server.rs == 0 { 1 } else { 0 };
        c.send(ToChecker::MiscCheckResult {
            target,
            outcome: ScriptOutcome::Exited(code),
        });
    }
    c.wait_for(Duration::from_secs(2), "Remove of .1", |m| {
        matches!(m, FromChecker::SetRealServer { server, change: IpvsChange::Remove } if server.rs == 0)
    });
    c.drain(Duration::from_millis(100));
    c.seen.clear();

    // Generation 2: .2 goes, .1 stays (at index 1 now), .3 is new (index 0).
    c.send_config(&config(&["3", "1"]), 2);
    c.wait_for(Duration::from_secs(2), "ConfigApplied 2", |m| {
        matches!(m, FromChecker::ConfigApplied { generation: 2 })
    });
    c.drain(Duration::from_millis(200));
    let applied_at = c
        .seen
        .iter()
        .position(|m| matches!(m, FromChecker::ConfigApplied { .. }))
        .expect("applied");
    let (before, after) = c.seen.split_at(applied_at);
    // .2 was #1 of generation 1: removed, named by the old index, before the ack.
    assert_eq!(
        before,
        &[FromChecker::SetRealServer {
            server: RealServerRef { vs: 0, rs: 1 },
            change: IpvsChange::Remove
        }]
    );
    // .3 is new and starts up: added as #0. .1 kept its failed state: nothing for it.
    let sets: Vec<&FromChecker> = after
        .iter()
        .filter(|m| matches!(m, FromChecker::SetRealServer { .. }))
        .collect();
    assert_eq!(
        sets,
        vec![&FromChecker::SetRealServer {
            server: RealServerRef { vs: 0, rs: 0 },
            change: IpvsChange::Add { weight: 1 }
        }]
    );
    let kept = after.iter().find_map(|m| match m {
        FromChecker::RealServerStatus(s) if s.server.rs == 1 => Some(*s),
        _ => None,
    });
    let kept = kept.expect("status of the kept server");
    assert!(!kept.healthy);
    assert_eq!(kept.checks_failed, 1, "its counters came along");
}
