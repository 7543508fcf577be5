//! A checker with a privileged source (bind_port below 1024): each run asks the
//! supervisor for the bound socket (`SocketRequest BoundSource`), and connects on it.

mod common;

use common::start_with;
use nix::sys::socket::{
    bind, setsockopt, socket, sockopt, AddressFamily, SockFlag, SockType, SockaddrIn,
};
use std::net::TcpListener;
use std::os::fd::{AsRawFd, OwnedFd};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use vigil_ipc::msg::checker::{IpvsChange, SocketKind};
use vigil_ipc::{FromChecker, ToChecker};

fn config(listen_port: u16, bind_port: u16) -> String {
    format!(
        r#"
virtual_server 192.0.2.10 80 {{
    delay_loop 0.2
    lvs_sched rr
    lvs_method NAT
    protocol TCP
    real_server 127.0.0.1 {listen_port} {{
        alpha
        TCP_CHECK {{
            bindto 127.0.0.1
            bind_port {bind_port}
            connect_timeout 0.5
            retry 0
            warmup 0
        }}
    }}
}}
"#
    )
}

/// What the supervisor would make: a TCP socket bound to 127.0.0.1:`port`.
fn bound(port: u16) -> OwnedFd {
    let fd = socket(
        AddressFamily::Inet,
        SockType::Stream,
        SockFlag::SOCK_CLOEXEC,
        None,
    )
    .expect("socket");
    setsockopt(&fd, sockopt::ReuseAddr, &true).expect("SO_REUSEADDR");
    bind(fd.as_raw_fd(), &SockaddrIn::new(127, 0, 0, 1, port)).expect("bind (root)");
    fd
}

fn source_request(c: &mut common::Checkerd) -> u32 {
    match c.wait_for(Duration::from_secs(2), "SocketRequest BoundSource", |m| {
        matches!(
            m,
            FromChecker::SocketRequest {
                kind: SocketKind::BoundSource { .. },
                ..
            }
        )
    }) {
        FromChecker::SocketRequest { request, .. } => request,
        _ => unreachable!(),
    }
}

#[test]
fn tcp_check_connects_from_the_supervisors_bound_socket() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("listen");
    let port = listener.local_addr().expect("address").port();
    let peers = Arc::new(Mutex::new(Vec::new()));
    let p = peers.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming().flatten() {
            if let (Ok(addr), Ok(mut v)) = (conn.peer_addr(), p.lock()) {
                v.push(addr.port());
            }
        }
    });
    let mut c = start_with(&config(port, 1017));
    let request = source_request(&mut c);
    c.send_fd(ToChecker::Socket { request }, bound(1017));
    c.wait_for(Duration::from_secs(2), "Add", |m| {
        matches!(
            m,
            FromChecker::SetRealServer {
                change: IpvsChange::Add { .. },
                ..
            }
        )
    });
    std::thread::sleep(Duration::from_millis(50));
    assert_eq!(peers.lock().expect("peers").first(), Some(&1017));
}

#[test]
fn refused_source_socket_leaves_the_state_and_asks_again_next_run() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("listen");
    let port = listener.local_addr().expect("address").port();
    let mut c = start_with(&config(port, 1018));
    let request = source_request(&mut c);
    c.send(ToChecker::SocketRefused {
        request,
        reason: "test refuses".into(),
    });
    // Next run (delay_loop 0.2 s later) asks again; nothing changed meanwhile.
    let again = source_request(&mut c);
    assert_ne!(again, request);
    assert!(
        !c.seen
            .iter()
            .any(|m| matches!(m, FromChecker::SetRealServer { .. })),
        "{:?}",
        c.seen
    );
    assert!(c.log_text().contains("Rescheduling"), "{}", c.log_text());
    drop(listener);
}
