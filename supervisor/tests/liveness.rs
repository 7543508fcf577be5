//! A child that stops answering Ping is killed and restarted; the other child is not
//! disturbed.

mod common;

use common::{Suite, BASIC};
use std::time::{Duration, Instant};

#[test]
fn a_child_that_does_not_pong_is_killed_and_restarted() {
    let mut s = Suite::new("liv", BASIC);
    s.fake("checker", "no-pong");
    s.start_ready();
    let vrrp = s.vrrp();
    let checker = s.checker().expect("checker");
    let t = Instant::now();
    // Ping every 2 s, 5 s to answer.
    s.wait_log("no Pong within 5 s; killing it", Duration::from_secs(10));
    let took = t.elapsed();
    eprintln!(
        "unresponsive child killed {} ms after it was ready",
        took.as_millis()
    );
    assert!(took > Duration::from_secs(4), "{took:?}");
    common::wait_for("a new checker", Duration::from_secs(3), || {
        s.checker()
            .is_some_and(|p| p != checker && common::alive(p))
    });
    assert_eq!(s.vrrp(), vrrp);
}
