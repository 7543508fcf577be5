//! `kill -9` of the checker: it is back within 1 s, and vrrpd is not disturbed (same
//! pid, same instance state).

mod common;

use common::{kill9, wait_for, Suite, BASIC};
use std::time::{Duration, Instant};

#[test]
fn killed_checker_is_back_within_a_second_and_vrrpd_is_untouched() {
    let conf = BASIC
        .replace("state BACKUP", "state MASTER")
        .replace("priority 100", "priority 200");
    let mut s = Suite::new("rck", &conf);
    s.host
        .run("ip addr add 192.0.2.1/24 dev eth0")
        .expect("address");
    s.start_ready();
    // A MASTER, so that "not disturbed" means something.
    s.wait_log("(VI_1) is MASTER", Duration::from_secs(10));
    let vrrp = s.vrrp().expect("vrrp");
    let checker = s.checker().expect("checker");
    // A checker that has been running a while (a crash-looping one is the backoff
    // test's subject): the delay counts from its start and has passed.
    std::thread::sleep(Duration::from_millis(1200));
    let before = s.ctl(&["status", "--json"]);
    let before: serde_json::Value = serde_json::from_slice(&before.stdout).expect("json");

    let t = Instant::now();
    kill9(checker);
    wait_for("a new checker", Duration::from_secs(3), || {
        s.checker()
            .is_some_and(|p| p != checker && common::alive(p))
    });
    let restarted = t.elapsed();
    eprintln!(
        "checker restarted {} ms after kill -9",
        restarted.as_millis()
    );
    assert!(restarted < Duration::from_secs(1), "took {restarted:?}");
    s.wait_log(
        "checker child applied configuration generation 1",
        Duration::from_secs(5),
    );

    assert_eq!(s.vrrp(), Some(vrrp), "vrrpd was restarted");
    assert!(common::alive(vrrp));
    let after = s.ctl(&["status", "--json"]);
    let after: serde_json::Value = serde_json::from_slice(&after.stdout).expect("json");
    // Counters move on their own; the state and priority must not.
    let states = |v: &serde_json::Value| -> Vec<(String, String, u64)> {
        v["instances"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|i| {
                        (
                            i["name"].to_string(),
                            i["state"].to_string(),
                            i["priority"].as_u64().unwrap_or(0),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    assert!(!states(&before).is_empty(), "no instance report: {before}");
    assert_eq!(states(&before), states(&after), "VRRP state changed");
    assert_eq!(after["processes"][2]["restarts"], 1);
    assert_eq!(after["processes"][1]["restarts"], 0);
    assert!(
        s.host.has_address("eth0", "192.0.2.100"),
        "the MASTER lost its VIP"
    );
    let log = s.log();
    assert!(log.contains("checker child (pid"), "{log}");
    assert!(log.contains("killed by signal SIGKILL"), "{log}");
}
