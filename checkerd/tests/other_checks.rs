//! SMTP_CHECK, UDP_CHECK and DNS_CHECK against tiny servers on 127.0.0.1.

mod common;

use common::start_with;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, UdpSocket};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use vigil_ipc::msg::checker::IpvsChange;
use vigil_ipc::FromChecker;

fn config(port: u16, check: &str) -> String {
    format!(
        r#"
virtual_server 192.0.2.10 80 {{
    delay_loop 0.1
    lvs_sched rr
    lvs_method NAT
    protocol TCP
    real_server 127.0.0.1 {port} {{
        weight 2
        alpha
        {check}
    }}
}}
"#
    )
}

fn set(m: &FromChecker) -> Option<IpvsChange> {
    match m {
        FromChecker::SetRealServer { change, .. } => Some(*change),
        _ => None,
    }
}

fn next_set(c: &mut common::Checkerd) -> IpvsChange {
    let m = c.wait_for(Duration::from_secs(3), "SetRealServer", |m| {
        set(m).is_some()
    });
    set(&m).unwrap_or(IpvsChange::Remove)
}

/// An SMTP server that greets with 220 and answers HELO with 250 while `good`, 550
/// otherwise; returns the HELO lines it saw.
fn smtp_server(good: Arc<AtomicBool>) -> (u16, Arc<std::sync::Mutex<Vec<String>>>) {
    let l = TcpListener::bind("127.0.0.1:0").expect("listen");
    let port = l.local_addr().expect("address").port();
    let helos = Arc::new(std::sync::Mutex::new(Vec::new()));
    let h = helos.clone();
    std::thread::spawn(move || {
        for conn in l.incoming() {
            let Ok(mut conn) = conn else { continue };
            let _ = conn.set_read_timeout(Some(Duration::from_secs(2)));
            let _ = conn.write_all(b"220-test.example ESMTP\r\n220 ready\r\n");
            let Ok(read) = conn.try_clone() else { continue };
            let mut lines = BufReader::new(read).lines();
            if let Some(Ok(line)) = lines.next() {
                if let Ok(mut v) = h.lock() {
                    v.push(line);
                }
                let answer: &[u8] = if good.load(Ordering::SeqCst) {
                    b"250 hello\r\n"
                } else {
                    b"550 go away\r\n"
                };
                let _ = conn.write_all(answer);
                let _ = lines.next(); // QUIT
            }
        }
    });
    (port, helos)
}

#[test]
fn smtp_check_greeting_helo_quit() {
    let good = Arc::new(AtomicBool::new(true));
    let (port, helos) = smtp_server(good.clone());
    let check = format!(
        "SMTP_CHECK {{\n connect_ip 127.0.0.1\n connect_port {port}\n helo_name checker.example\n connect_timeout 1\n retry 0\n warmup 0\n }}"
    );
    let mut c = start_with(&config(port, &check));
    assert_eq!(next_set(&mut c), IpvsChange::Add { weight: 2 });
    assert_eq!(
        helos.lock().expect("helos").first().map(String::as_str),
        Some("HELO checker.example")
    );
    good.store(false, Ordering::SeqCst);
    assert_eq!(next_set(&mut c), IpvsChange::Remove);
    assert!(c.log_text().contains("550"), "{}", c.log_text());
}

/// A UDP server answering `reply` to everything while `on`.
fn udp_server(reply: &'static [u8], on: Arc<AtomicBool>) -> u16 {
    let s = UdpSocket::bind("127.0.0.1:0").expect("bind");
    let port = s.local_addr().expect("address").port();
    std::thread::spawn(move || {
        let mut buf = [0u8; 2048];
        while let Ok((_, from)) = s.recv_from(&mut buf) {
            if on.load(Ordering::SeqCst) {
                let _ = s.send_to(reply, from);
            }
        }
    });
    port
}

#[test]
fn udp_check_require_reply_pattern() {
    let on = Arc::new(AtomicBool::new(true));
    let port = udp_server(b"\xca\xfe\x01", on.clone());
    let check = "UDP_CHECK {\n payload 0102\n require_reply cafe\n min_reply_length 2\n connect_timeout 0.2\n retry 0\n warmup 0\n }";
    let mut c = start_with(&config(port, check));
    assert_eq!(next_set(&mut c), IpvsChange::Add { weight: 2 });
    // No reply any more: the required reply times out.
    on.store(false, Ordering::SeqCst);
    assert_eq!(next_set(&mut c), IpvsChange::Remove);
}

#[test]
fn udp_check_without_require_reply_fails_on_port_unreachable_only() {
    let port = {
        let s = UdpSocket::bind("127.0.0.1:0").expect("bind");
        s.local_addr().expect("address").port()
    };
    // Nobody listens: the kernel answers port unreachable.
    let check = "UDP_CHECK {\n connect_timeout 0.2\n retry 0\n warmup 0\n }";
    let mut c = start_with(&config(port, check));
    c.drain(Duration::from_millis(500));
    assert!(!c.seen.iter().any(|m| set(m).is_some()), "{:?}", c.seen);
    // A silent listener: success at the timeout.
    let _silent = UdpSocket::bind(("127.0.0.1", port)).expect("bind again");
    assert_eq!(next_set(&mut c), IpvsChange::Add { weight: 2 });
}

/// A DNS server answering with `rcode` (switchable), echoing the id.
fn dns_server(fail: Arc<AtomicBool>) -> u16 {
    let s = UdpSocket::bind("127.0.0.1:0").expect("bind");
    let port = s.local_addr().expect("address").port();
    std::thread::spawn(move || {
        let mut buf = [0u8; 512];
        while let Ok((n, from)) = s.recv_from(&mut buf) {
            if n < 12 {
                continue;
            }
            let mut r = buf[..n].to_vec();
            // A stray answer with another id first: must be ignored.
            let mut stray = r.clone();
            stray[0] ^= 0xff;
            stray[2] |= 0x80;
            let _ = s.send_to(&stray, from);
            r[2] |= 0x80; // QR
            r[3] = if fail.load(Ordering::SeqCst) {
                0x83
            } else {
                0x80
            };
            let _ = s.send_to(&r, from);
        }
    });
    port
}

#[test]
fn dns_check_rcode_0_passes_nxdomain_fails() {
    let fail = Arc::new(AtomicBool::new(false));
    let port = dns_server(fail.clone());
    let check = format!(
        "DNS_CHECK {{\n connect_port {port}\n type A\n name www.example.org\n connect_timeout 0.5\n retry 0\n delay_before_retry 0.1\n warmup 0\n }}"
    );
    let mut c = start_with(&config(port, &check));
    assert_eq!(next_set(&mut c), IpvsChange::Add { weight: 2 });
    fail.store(true, Ordering::SeqCst);
    assert_eq!(next_set(&mut c), IpvsChange::Remove);
    assert!(c.log_text().contains("rcode 3"), "{}", c.log_text());
}
