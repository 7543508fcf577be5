//! Garbage, an oversized datagram and a wrong-version Hello on a child's channel:
//! vigild logs the violation, kills and restarts that child, and keeps running; the
//! other child is not disturbed.

mod common;

use common::{Suite, BASIC};
use std::time::Duration;

fn scenario(tag: &str, role: &str, mode: &str, words: &str) {
    let mut s = Suite::new(tag, BASIC);
    s.fake(role, mode);
    s.start();
    s.wait_log(words, Duration::from_secs(10));
    s.wait_log("killing it", Duration::from_secs(5));
    let other = if role == "vrrp" {
        s.checker()
    } else {
        s.vrrp()
    };
    // Restarted after its backoff delay, and killed again for the same reason.
    s.wait_log(
        &format!("{role} child: restarting in"),
        Duration::from_secs(5),
    );
    let first = s.count(words);
    common::wait_for("a second violation", Duration::from_secs(5), || {
        s.count(words) > first
    });
    assert!(s.vigild_running(), "vigild died:\n{}", s.log());
    let other_now = if role == "vrrp" {
        s.checker()
    } else {
        s.vrrp()
    };
    assert_eq!(other, other_now, "the other child was disturbed");
    assert!(!s.log().contains("panicked"), "{}", s.log());
    if std::env::var_os("SHOW_LOG").is_some() {
        eprintln!("{}", s.log());
    }
    // The control socket still answers.
    let st = s.ctl(&["status"]);
    assert!(st.status.success(), "{st:?}");
}

#[test]
fn undecodable_bytes_from_the_checker() {
    scenario(
        "bmg",
        "checker",
        "garbage",
        "protocol violation: undecodable message",
    );
}

#[test]
fn oversized_datagram_from_vrrpd() {
    scenario(
        "bmo",
        "vrrp",
        "oversized",
        "protocol violation: datagram of",
    );
}

#[test]
fn wrong_protocol_version_from_the_checker() {
    scenario(
        "bmv",
        "checker",
        "wrong-version",
        "peer speaks protocol version 999",
    );
}
