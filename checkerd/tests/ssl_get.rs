//! SSL_GET: HTTP_GET over TLS against a rustls server on 127.0.0.1 with a self-signed
//! certificate (not verified, as keepalived does not), status code and digest checked,
//! SNI sent with enable_sni.

mod common;

use common::start_with;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use vigil_ipc::msg::checker::IpvsChange;
use vigil_ipc::FromChecker;

struct Server {
    port: u16,
    healthy: Arc<AtomicBool>,
    sni: Arc<Mutex<Vec<Option<String>>>>,
}

fn serve() -> Server {
    let cert = CertificateDer::from(include_bytes!("data/cert.der").to_vec());
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
        include_bytes!("data/key.der").to_vec(),
    ));
    let config = Arc::new(
        rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)
        .expect("server config"),
    );
    let listener = TcpListener::bind("127.0.0.1:0").expect("listen");
    let port = listener.local_addr().expect("address").port();
    let healthy = Arc::new(AtomicBool::new(true));
    let sni = Arc::new(Mutex::new(Vec::new()));
    let (h, n) = (healthy.clone(), sni.clone());
    std::thread::spawn(move || {
        for tcp in listener.incoming() {
            let Ok(mut tcp) = tcp else { continue };
            let _ = tcp.set_read_timeout(Some(Duration::from_secs(2)));
            let Ok(mut conn) = rustls::ServerConnection::new(config.clone()) else {
                continue;
            };
            let mut tls = rustls::Stream::new(&mut conn, &mut tcp);
            let mut head = Vec::new();
            let mut buf = [0u8; 1024];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                match tls.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(k) => head.extend_from_slice(&buf[..k]),
                }
            }
            if let Ok(mut v) = n.lock() {
                v.push(tls.conn.server_name().map(str::to_string));
            }
            let body: &[u8] = if h.load(Ordering::SeqCst) {
                b"hello\n"
            } else {
                b"sick\n"
            };
            let _ = write!(
                tls,
                "HTTP/1.0 200 OK\r\nContent-Length: {}\r\n\r\n",
                body.len()
            );
            let _ = tls.write_all(body);
            tls.conn.send_close_notify();
            let _ = tls.flush();
        }
    });
    Server { port, healthy, sni }
}

fn set(m: &FromChecker) -> Option<IpvsChange> {
    match m {
        FromChecker::SetRealServer { change, .. } => Some(*change),
        _ => None,
    }
}

#[test]
fn ssl_get_status_and_digest_over_tls_with_sni() {
    let srv = serve();
    let text = format!(
        r#"
virtual_server 192.0.2.10 443 {{
    delay_loop 0.1
    lvs_sched rr
    lvs_method NAT
    protocol TCP
    real_server 127.0.0.1 {} {{
        weight 3
        alpha
        SSL_GET {{
            url {{
                path /
                digest b1946ac92492d2347c6235b4d2611184
                status_code 200
            }}
            virtualhost rs.example
            enable_sni
            connect_timeout 1
            retry 0
            warmup 0
        }}
    }}
}}
"#,
        srv.port
    );
    let mut c = start_with(&text);
    let m = c.wait_for(Duration::from_secs(3), "Add", |m| set(m).is_some());
    assert_eq!(set(&m), Some(IpvsChange::Add { weight: 3 }));
    assert_eq!(
        srv.sni
            .lock()
            .expect("sni")
            .first()
            .cloned()
            .flatten()
            .as_deref(),
        Some("rs.example")
    );
    srv.healthy.store(false, Ordering::SeqCst);
    let m = c.wait_for(Duration::from_secs(3), "Remove", |m| set(m).is_some());
    assert_eq!(set(&m), Some(IpvsChange::Remove));
    assert!(
        c.log_text().contains("MD5 digest mismatch"),
        "{}",
        c.log_text()
    );
}

#[test]
fn ssl_get_against_a_plain_http_server_fails() {
    let l = TcpListener::bind("127.0.0.1:0").expect("listen");
    let port = l.local_addr().expect("address").port();
    std::thread::spawn(move || {
        for s in l.incoming() {
            let Ok(mut s) = s else { continue };
            let _ = s.write_all(b"HTTP/1.0 400 Bad Request\r\n\r\n");
        }
    });
    let text = format!(
        r#"
virtual_server 192.0.2.10 443 {{
    delay_loop 0.1
    lvs_sched rr
    lvs_method NAT
    protocol TCP
    real_server 127.0.0.1 {port} {{
        SSL_GET {{
            url {{
                path /
            }}
            connect_timeout 1
            retry 0
            warmup 0
        }}
    }}
}}
"#
    );
    let mut c = start_with(&text);
    let m = c.wait_for(Duration::from_secs(3), "Remove", |m| {
        matches!(set(m), Some(IpvsChange::Remove))
    });
    assert!(set(&m).is_some());
    assert!(c.log_text().contains("TLS"), "{}", c.log_text());
}
