//! SIGTERM: every process of the suite is gone within 2 s, no pid file and no control
//! socket is left.

mod common;

use common::{alive, signal, Suite, BASIC};
use nix::sys::signal::Signal;
use std::time::{Duration, Instant};

#[test]
fn sigterm_stops_everything_within_two_seconds() {
    let mut s = Suite::new("stp", BASIC);
    s.start_ready();
    let pids = [
        s.vigild_pid(),
        s.vrrp().expect("vrrp"),
        s.checker().expect("checker"),
    ];
    for p in [&s.pid, &s.vrrp_pid, &s.checker_pid, &s.ctl] {
        assert!(p.exists(), "{} missing", p.display());
    }
    let t = Instant::now();
    signal(pids[0], Signal::SIGTERM);
    let code = s.wait_exit(Duration::from_secs(2));
    common::wait_for("every process gone", Duration::from_secs(2), || {
        pids.iter().all(|p| !alive(*p))
    });
    let took = t.elapsed();
    eprintln!("suite stopped {} ms after SIGTERM", took.as_millis());
    assert!(took < Duration::from_secs(2), "{took:?}");
    assert_eq!(code, Some(0));
    for p in [&s.pid, &s.vrrp_pid, &s.checker_pid, &s.ctl] {
        assert!(!p.exists(), "{} left behind", p.display());
    }
    let log = s.log();
    assert!(log.contains("vrrp child (pid"), "{log}");
    assert!(log.contains(") stopped"), "{log}");
    assert!(log.contains("stopped (signal)"), "{log}");
}

#[test]
fn a_child_that_ignores_shutdown_is_killed_in_time() {
    let mut s = Suite::new("stk", BASIC);
    // A checker that never reads its channel: no Hello, no answer to Shutdown.
    s.child_script("vigil-checkerd", "trap '' TERM\nexec sleep 30");
    s.start();
    s.wait_log("vrrp child applied", Duration::from_secs(10));
    let checker = s.checker().expect("checker");
    let t = Instant::now();
    signal(s.vigild_pid(), Signal::SIGTERM);
    s.wait_exit(Duration::from_secs(2));
    assert!(!alive(checker));
    eprintln!(
        "stopped with a stuck child in {} ms",
        t.elapsed().as_millis()
    );
    assert!(t.elapsed() < Duration::from_secs(2));
}
