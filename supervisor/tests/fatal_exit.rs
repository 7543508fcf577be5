//! A child that exits with 77 (privileges cannot be dropped) or 78 (its configuration
//! can never work here) stops the whole suite with a clear message instead of
//! restarting it.

mod common;

use common::{Suite, BASIC};
use std::time::Duration;

fn scenario(tag: &str, status: i32, words: &str) {
    let mut s = Suite::new(tag, BASIC);
    s.child_script("vigil-checkerd", &format!("exit {status}"));
    s.start();
    let code = s.wait_exit(Duration::from_secs(10));
    assert_eq!(code, Some(status), "vigild's exit status");
    let log = s.log();
    assert!(log.contains(words), "{log}");
    assert!(
        log.contains("stopping the suite (not restarting it)"),
        "{log}"
    );
    assert!(!log.contains("restarting in"), "{log}");
    // The other child was stopped too, and no pid file is left.
    for p in [&s.pid, &s.vrrp_pid, &s.checker_pid] {
        assert!(!p.exists(), "{} left behind", p.display());
    }
}

#[test]
fn exit_77_stops_the_suite() {
    scenario("f77", 77, "could not drop its privileges");
}

#[test]
fn exit_78_stops_the_suite() {
    scenario("f78", 78, "its configuration cannot work on this host");
}

#[test]
fn an_unknown_child_user_stops_the_suite() {
    let conf = BASIC.replace(
        "router_id test",
        "router_id test\n    checker_user no-such-user-here",
    );
    let mut s = Suite::new("fus", &conf);
    s.start();
    assert_eq!(s.wait_exit(Duration::from_secs(10)), Some(78));
    let log = s.log();
    assert!(
        log.contains(
            "checker child: cannot choose its user: user no-such-user-here does not exist"
        ),
        "{log}"
    );
}
