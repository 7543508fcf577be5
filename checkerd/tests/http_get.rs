//! HTTP_GET with status_code and digest against a tiny HTTP server on 127.0.0.1.

mod common;

use common::start_with;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use vigil_ipc::msg::checker::IpvsChange;
use vigil_ipc::FromChecker;

/// Serves `body` with status `status` (both changeable) and records request heads.
struct Server {
    port: u16,
    status: Arc<AtomicU16>,
    body: Arc<Mutex<Vec<u8>>>,
    requests: Arc<Mutex<Vec<String>>>,
}

fn serve() -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").expect("listen");
    let port = listener.local_addr().expect("address").port();
    let status = Arc::new(AtomicU16::new(200));
    let body = Arc::new(Mutex::new(b"hello\n".to_vec()));
    let requests = Arc::new(Mutex::new(Vec::new()));
    let (s, b, r) = (status.clone(), body.clone(), requests.clone());
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { continue };
            let _ = conn.set_read_timeout(Some(Duration::from_secs(2)));
            let mut head = Vec::new();
            let mut buf = [0u8; 1024];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                match conn.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => head.extend_from_slice(&buf[..n]),
                }
            }
            if let Ok(mut reqs) = r.lock() {
                reqs.push(String::from_utf8_lossy(&head).into_owned());
            }
            let code = s.load(Ordering::SeqCst);
            let body = b.lock().map(|b| b.clone()).unwrap_or_default();
            let mut resp = format!(
                "HTTP/1.0 {code} X\r\nContent-Length: {}\r\n\r\n",
                body.len()
            )
            .into_bytes();
            resp.extend_from_slice(&body);
            let _ = conn.write_all(&resp);
        }
    });
    Server {
        port,
        status,
        body,
        requests,
    }
}

fn config(port: u16) -> String {
    format!(
        r#"
virtual_server 192.0.2.10 80 {{
    delay_loop 0.1
    lvs_sched rr
    lvs_method NAT
    protocol TCP
    real_server 127.0.0.1 {port} {{
        weight 4
        alpha
        HTTP_GET {{
            url {{
                path /health
                status_code 200
                digest b1946ac92492d2347c6235b4d2611184
            }}
            connect_timeout 1
            retry 0
            warmup 0
        }}
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

#[test]
fn status_code_and_digest_pass_then_a_changed_body_or_status_fails() {
    let srv = serve();
    let mut c = start_with(&config(srv.port));
    let m = c.wait_for(Duration::from_secs(3), "Add", |m| set(m).is_some());
    assert_eq!(set(&m), Some(IpvsChange::Add { weight: 4 }));
    let first = srv.requests.lock().expect("requests")[0].clone();
    assert!(first.starts_with("GET /health HTTP/1.0\r\n"), "{first:?}");
    assert!(
        first.contains(&format!("Host: 127.0.0.1:{}\r\n", srv.port)),
        "{first:?}"
    );

    // Another body: the MD5 digest no longer matches.
    *srv.body.lock().expect("body") = b"goodbye\n".to_vec();
    let m = c.wait_for(Duration::from_secs(3), "Remove", |m| set(m).is_some());
    assert_eq!(set(&m), Some(IpvsChange::Remove));
    assert!(
        c.log_text().contains("MD5 digest mismatch"),
        "{}",
        c.log_text()
    );

    // Body back: up again.
    *srv.body.lock().expect("body") = b"hello\n".to_vec();
    let m = c.wait_for(Duration::from_secs(3), "Add", |m| set(m).is_some());
    assert_eq!(set(&m), Some(IpvsChange::Add { weight: 4 }));

    // A status code outside status_code fails even with the right body.
    srv.status.store(503, Ordering::SeqCst);
    let m = c.wait_for(Duration::from_secs(3), "Remove", |m| set(m).is_some());
    assert_eq!(set(&m), Some(IpvsChange::Remove));
    assert!(
        c.log_text().contains("HTTP status code 503"),
        "{}",
        c.log_text()
    );
}

/// A server that sends its response in pieces `gap` apart, `pieces` of them.
fn trickle(gap: Duration, pieces: usize) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("listen");
    let port = listener.local_addr().expect("address").port();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { continue };
            let mut buf = [0u8; 1024];
            let _ = conn.read(&mut buf);
            let resp = b"HTTP/1.0 200 OK\r\n\r\nhello\n".to_vec();
            let size = resp.len().div_ceil(pieces);
            for piece in resp.chunks(size) {
                std::thread::sleep(gap);
                if conn.write_all(piece).is_err() {
                    break;
                }
            }
        }
    });
    port
}

fn timeout_config(port: u16) -> String {
    format!(
        r#"
virtual_server 192.0.2.10 80 {{
    delay_loop 0.1
    lvs_sched rr
    lvs_method NAT
    protocol TCP
    real_server 127.0.0.1 {port} {{
        alpha
        HTTP_GET {{
            url {{
                path /
                digest b1946ac92492d2347c6235b4d2611184
            }}
            connect_timeout 0.3
            retry 0
            warmup 0
        }}
    }}
}}
"#
    )
}

#[test]
fn check_http_connect_timeout_applies_to_each_read_not_the_whole_response() {
    // 5 pieces 0.12 s apart: 0.6 s in all, each within the 0.3 s timeout.
    let port = trickle(Duration::from_millis(120), 5);
    let mut c = start_with(&timeout_config(port));
    let m = c.wait_for(Duration::from_secs(5), "Add", |m| set(m).is_some());
    assert_eq!(set(&m), Some(IpvsChange::Add { weight: 1 }));
}

#[test]
fn check_http_a_stalled_response_times_out() {
    // One gap of 0.6 s before anything: longer than the 0.3 s timeout.
    let port = trickle(Duration::from_millis(600), 1);
    let mut c = start_with(&timeout_config(port));
    c.drain(Duration::from_millis(1500));
    assert!(!c.seen.iter().any(|m| set(m).is_some()), "{:?}", c.seen);
    assert!(c.log_text().contains("timeout"), "{}", c.log_text());
}

#[test]
fn http_1_1_response_framed_by_content_length_is_judged_without_waiting_for_close() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("listen");
    let port = listener.local_addr().expect("address").port();
    let requests = Arc::new(Mutex::new(Vec::new()));
    let r = requests.clone();
    std::thread::spawn(move || {
        let mut open = Vec::new();
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { continue };
            let mut buf = [0u8; 1024];
            let n = conn.read(&mut buf).unwrap_or(0);
            if let Ok(mut v) = r.lock() {
                v.push(String::from_utf8_lossy(&buf[..n]).into_owned());
            }
            let _ = conn.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nhello\n");
            // Keep-alive: the connection stays open.
            open.push(conn);
        }
    });
    let text = format!(
        r#"
virtual_server 192.0.2.10 80 {{
    delay_loop 0.1
    lvs_sched rr
    lvs_method NAT
    protocol TCP
    real_server 127.0.0.1 {port} {{
        alpha
        HTTP_GET {{
            url {{
                path /
                digest b1946ac92492d2347c6235b4d2611184
            }}
            http_protocol 1.1
            connect_timeout 2
            retry 0
            warmup 0
        }}
    }}
}}
"#
    );
    let mut c = start_with(&text);
    let t0 = std::time::Instant::now();
    let m = c.wait_for(Duration::from_secs(1), "Add", |m| set(m).is_some());
    assert_eq!(set(&m), Some(IpvsChange::Add { weight: 1 }));
    assert!(t0.elapsed() < Duration::from_secs(1));
    let first = requests.lock().expect("requests")[0].clone();
    assert!(first.starts_with("GET / HTTP/1.1\r\n"), "{first:?}");
    assert!(first.contains("Connection: close\r\n"), "{first:?}");
}
