//! Quorum lost and regained: NotifyQuorum and the sorry server (MISC_CHECKs answered by
//! this test drive the health of the real servers).

mod common;

use common::{start_with, Checkerd};
use std::time::{Duration, Instant};
use vigil_ipc::msg::checker::{IpvsChange, RealServerRef};
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
    quorum 2
    quorum_up "/bin/true up"
    quorum_down "/bin/true down"
    sorry_server 192.0.2.99 80
    real_server 198.51.100.1 80 {
        MISC_CHECK {
            misc_path "/bin/true"
            warmup 0
        }
    }
    real_server 198.51.100.2 80 {
        MISC_CHECK {
            misc_path "/bin/true"
            warmup 0
        }
    }
}
"#;

/// Answers every RunMiscCheck with `health(rs)` until `until` matches; returns the
/// other messages seen, in order, the matching one last.
fn pump(
    c: &mut Checkerd,
    health: impl Fn(u32) -> bool,
    until: impl Fn(&FromChecker) -> bool,
) -> Vec<FromChecker> {
    let deadline = Instant::now() + Duration::from_secs(3);
    let mut got = Vec::new();
    while Instant::now() < deadline {
        let Some(m) = c.recv(Duration::from_millis(100)) else {
            continue;
        };
        if let FromChecker::RunMiscCheck { target } = m {
            let code = if health(target.server.rs) { 0 } else { 1 };
            c.send(ToChecker::MiscCheckResult {
                target,
                outcome: ScriptOutcome::Exited(code),
            });
            continue;
        }
        let done = until(&m);
        got.push(m);
        if done {
            return got;
        }
    }
    panic!("condition not met; got {got:#?}\nlog:\n{}", c.log_text());
}

fn rs(i: u32) -> RealServerRef {
    RealServerRef { vs: 0, rs: i }
}

fn ipvs_and_notifies(msgs: &[FromChecker]) -> Vec<FromChecker> {
    msgs.iter()
        .filter(|m| {
            matches!(
                m,
                FromChecker::SetRealServer { .. }
                    | FromChecker::SetSorryServer { .. }
                    | FromChecker::NotifyQuorum { .. }
            )
        })
        .cloned()
        .collect()
}

#[test]
fn quorum_lost_brings_the_sorry_server_in_regained_takes_it_out() {
    let mut c = start_with(CONFIG);
    // Both up at start: weight 2 meets quorum 2.
    let start = pump(
        &mut c,
        |_| true,
        |m| matches!(m, FromChecker::SetRealServer { server, .. } if server.rs == 1),
    );
    assert_eq!(
        ipvs_and_notifies(&start),
        vec![
            FromChecker::SetRealServer {
                server: rs(0),
                change: IpvsChange::Add { weight: 1 }
            },
            FromChecker::SetRealServer {
                server: rs(1),
                change: IpvsChange::Add { weight: 1 }
            },
        ]
    );
    // Real server 0 fails: 1 < 2, the quorum is lost.
    let lost = pump(
        &mut c,
        |r| r != 0,
        |m| matches!(m, FromChecker::NotifyQuorum { up: false, .. }),
    );
    assert_eq!(
        ipvs_and_notifies(&lost),
        vec![
            FromChecker::SetRealServer {
                server: rs(0),
                change: IpvsChange::Remove
            },
            FromChecker::SetRealServer {
                server: rs(1),
                change: IpvsChange::Remove
            },
            FromChecker::SetSorryServer {
                vs: 0,
                present: true
            },
            FromChecker::NotifyQuorum { vs: 0, up: false },
        ]
    );
    // Back: the sorry server leaves, the live servers return, quorum_up runs.
    let gained = pump(
        &mut c,
        |_| true,
        |m| matches!(m, FromChecker::NotifyQuorum { up: true, .. }),
    );
    assert_eq!(
        ipvs_and_notifies(&gained),
        vec![
            FromChecker::SetSorryServer {
                vs: 0,
                present: false
            },
            FromChecker::SetRealServer {
                server: rs(0),
                change: IpvsChange::Add { weight: 1 }
            },
            FromChecker::SetRealServer {
                server: rs(1),
                change: IpvsChange::Add { weight: 1 }
            },
            FromChecker::NotifyQuorum { vs: 0, up: true },
        ]
    );
}
