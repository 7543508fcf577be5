//! systemd's notification protocol: READY=1 once both children applied their
//! configuration, RELOADING=1 then READY=1 around a reload, STOPPING=1 at the end.

mod common;

use common::{signal, Suite, BASIC};
use nix::sys::signal::Signal;
use std::os::unix::net::UnixDatagram;
use std::time::Duration;

fn next(sock: &UnixDatagram) -> String {
    let mut buf = [0u8; 4096];
    let n = sock.recv(&mut buf).expect("notification");
    String::from_utf8_lossy(&buf[..n]).into_owned()
}

#[test]
fn ready_reloading_and_stopping_are_sent() {
    let mut s = Suite::new("sdn", BASIC);
    let path = s.dir.join("notify.sock");
    let sock = UnixDatagram::bind(&path).expect("bind");
    sock.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let p = path.display().to_string();
    s.start_env(&[], &[("NOTIFY_SOCKET", &p)]);
    let first = next(&sock);
    assert!(first.contains("READY=1"), "{first}");
    assert!(
        first.contains("STATUS=configuration generation 1 in force"),
        "{first}"
    );
    let log = s.log();
    assert!(
        log.contains("vrrp child applied configuration generation 1"),
        "{log}"
    );
    assert!(
        log.contains("checker child applied configuration generation 1"),
        "{log}"
    );

    signal(s.vigild_pid(), Signal::SIGHUP);
    let r = next(&sock);
    assert!(r.contains("RELOADING=1"), "{r}");
    assert!(r.contains("MONOTONIC_USEC="), "{r}");
    let r = next(&sock);
    assert!(r.contains("READY=1"), "{r}");
    assert!(r.contains("generation 2"), "{r}");

    signal(s.vigild_pid(), Signal::SIGTERM);
    let r = next(&sock);
    assert!(r.contains("STOPPING=1"), "{r}");
    assert_eq!(s.wait_exit(Duration::from_secs(2)), Some(0));
}

#[test]
fn the_watchdog_is_fed_at_half_its_interval() {
    let mut s = Suite::new("sdw", BASIC);
    let path = s.dir.join("notify.sock");
    let sock = UnixDatagram::bind(&path).expect("bind");
    sock.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let p = path.display().to_string();
    s.start_env(&[], &[("NOTIFY_SOCKET", &p), ("WATCHDOG_USEC", "400000")]);
    let mut pings = 0;
    let t = std::time::Instant::now();
    while pings < 3 {
        if next(&sock).contains("WATCHDOG=1") {
            pings += 1;
        }
    }
    // Every 200 ms: three pings in about 600 ms.
    let took = t.elapsed();
    assert!(took < Duration::from_millis(1500), "{took:?}");
}
