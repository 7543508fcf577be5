//! Many real servers in one loop: 1000 TCP_CHECKs (alpha) against one listener on
//! 127.0.0.1 must all come up within a few seconds, and the loop must stay responsive
//! (a Ping is answered meanwhile).

mod common;

use common::start_with;
use std::net::TcpListener;
use std::time::{Duration, Instant};
use vigil_ipc::msg::checker::IpvsChange;
use vigil_ipc::msg::Nonce;
use vigil_ipc::{FromChecker, ToChecker};

const SERVERS: u32 = 1000;

#[test]
fn a_thousand_tcp_checks_come_up_and_ping_stays_answered() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("listen");
    let port = listener.local_addr().expect("address").port();
    // The kernel completes handshakes into the accept queue; accept and drop them so
    // that the queue never fills.
    std::thread::spawn(move || for _ in listener.incoming() {});
    let mut text = String::from(
        "virtual_server 192.0.2.10 80 {\n delay_loop 2\n lvs_sched rr\n lvs_method NAT\n protocol TCP\n",
    );
    for i in 0..SERVERS {
        text.push_str(&format!(
            " real_server 127.0.0.1 {} {{\n  alpha\n  TCP_CHECK {{\n   connect_port {port}\n   connect_timeout 2\n   warmup 0.5\n  }}\n }}\n",
            10000 + i
        ));
    }
    text.push_str("}\n");
    let t0 = Instant::now();
    let mut c = start_with(&text);
    let applied = t0.elapsed();
    c.send(ToChecker::Ping(Nonce(1)));
    let mut up = 0;
    let mut pong = None;
    let deadline = Instant::now() + Duration::from_secs(10);
    while up < SERVERS && Instant::now() < deadline {
        match c.recv(Duration::from_millis(200)) {
            Some(FromChecker::SetRealServer {
                change: IpvsChange::Add { weight: 1 },
                ..
            }) => up += 1,
            Some(FromChecker::Pong(Nonce(1))) => pong = Some(t0.elapsed()),
            _ => {}
        }
    }
    let all_up = t0.elapsed();
    assert_eq!(up, SERVERS, "servers up");
    assert!(pong.is_some(), "Ping answered while checking");
    eprintln!(
        "{SERVERS} TCP_CHECKs: configuration applied after {applied:?}, all up after {all_up:?} (warmup 0.5 s), Pong after {pong:?}"
    );
    // CPU over two delay_loops in the steady state (for the record, not asserted).
    let cpu = |pid: u32| -> u64 {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let after = stat.rsplit(')').next().unwrap_or("");
        let f: Vec<&str> = after.split_whitespace().collect();
        let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
        ticks(11) + ticks(12)
    };
    let pid = c.child.id();
    let before = cpu(pid);
    c.drain(Duration::from_secs(4));
    let used = cpu(pid) - before;
    eprintln!("steady state: {used} clock ticks of CPU in 4 s ({SERVERS} checks every 2 s)");
}
