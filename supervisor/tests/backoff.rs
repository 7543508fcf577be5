//! A child that exits at once, over and over, is restarted after 1 s, 2 s, 4 s ...
//! (measured between its starts), never hot; the other child is not disturbed.

mod common;

use common::{Suite, BASIC};
use std::time::Duration;

#[test]
fn a_crash_looping_checker_is_backed_off() {
    let mut s = Suite::new("bko", BASIC);
    let stamps = s.dir.join("starts");
    s.child_script(
        "vigil-checkerd",
        &format!("date +%s.%N >> {}\nexit 1", stamps.display()),
    );
    s.start();
    s.wait_log("vrrp child applied", Duration::from_secs(10));
    let vrrp = s.vrrp().expect("vrrp");
    // Starts at 0, 1, 3, 7 s: wait for the fourth.
    common::wait_for("four starts", Duration::from_secs(10), || {
        std::fs::read_to_string(&stamps).is_ok_and(|t| t.lines().count() >= 4)
    });
    let t: Vec<f64> = std::fs::read_to_string(&stamps)
        .expect("stamps")
        .lines()
        .map(|l| l.parse().expect("timestamp"))
        .collect();
    let gaps: Vec<f64> = t.windows(2).map(|w| w[1] - w[0]).collect();
    eprintln!("intervals between starts: {gaps:.3?}");
    for (gap, want) in gaps.iter().zip([1.0, 2.0, 4.0]) {
        assert!(
            (*gap - want).abs() < 0.25,
            "interval {gap:.3} s, expected {want} s (all: {gaps:?})"
        );
    }
    let log = s.log();
    assert!(log.contains("checker child (pid"), "{log}");
    assert!(log.contains("exited with status 1"), "{log}");
    for n in 1..=3 {
        assert!(
            log.contains(&format!("s (restart #{n}, {n} quick exits in a row)")),
            "{log}"
        );
    }
    assert_eq!(s.vrrp(), Some(vrrp));
    assert!(s.vigild_running());
}
