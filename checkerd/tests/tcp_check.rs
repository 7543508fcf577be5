//! TCP_CHECK against a listener the test opens and closes on 127.0.0.1.

mod common;

use common::start_with;
use std::net::TcpListener;
use std::time::{Duration, Instant};
use vigil_ipc::msg::checker::IpvsChange;
use vigil_ipc::FromChecker;

fn config(port: u16, extra: &str) -> String {
    format!(
        r#"
virtual_server 192.0.2.10 80 {{
    delay_loop 0.1
    lvs_sched rr
    lvs_method NAT
    protocol TCP
    real_server 127.0.0.1 {port} {{
        weight 3
        alpha
        {extra}
        TCP_CHECK {{
            connect_timeout 0.5
            retry 2
            delay_before_retry 0.05
            warmup 0
        }}
    }}
}}
"#
    )
}

fn set(m: &FromChecker) -> Option<IpvsChange> {
    match m {
        FromChecker::SetRealServer { server, change } if server.vs == 0 && server.rs == 0 => {
            Some(*change)
        }
        _ => None,
    }
}

#[test]
fn listener_up_adds_the_server_listener_closed_removes_it_after_retries() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("listen");
    let port = listener.local_addr().expect("address").port();
    let mut c = start_with(&config(port, ""));
    // alpha: down at start; the first successful connect brings it up.
    let t0 = Instant::now();
    let m = c.wait_for(Duration::from_secs(3), "Add", |m| set(m).is_some());
    assert_eq!(set(&m), Some(IpvsChange::Add { weight: 3 }));
    eprintln!("first check to Add: {:?}", t0.elapsed());
    c.wait_for(
        Duration::from_secs(1),
        "healthy status",
        |m| matches!(m, FromChecker::RealServerStatus(s) if s.healthy && s.weight == 3),
    );
    drop(listener);
    let t0 = Instant::now();
    let m = c.wait_for(Duration::from_secs(3), "Remove", |m| set(m).is_some());
    let took = t0.elapsed();
    assert_eq!(set(&m), Some(IpvsChange::Remove));
    let st = c.wait_for(
        Duration::from_secs(1),
        "unhealthy status",
        |m| matches!(m, FromChecker::RealServerStatus(s) if !s.healthy),
    );
    let FromChecker::RealServerStatus(st) = st else {
        unreachable!()
    };
    // retry 2: the third consecutive failure takes it down.
    assert!(st.checks_failed >= 3, "{st:?}");
    assert_eq!(st.weight, 0);
    eprintln!("listener closed to Remove: {took:?} ({st:?})");
    // Up again when the port listens again (if it can be had back).
    if let Ok(again) = TcpListener::bind(("127.0.0.1", port)) {
        let m = c.wait_for(Duration::from_secs(3), "Add again", |m| set(m).is_some());
        assert_eq!(set(&m), Some(IpvsChange::Add { weight: 3 }));
        drop(again);
    }
}

#[test]
fn inhibit_on_failure_sets_weight_0_instead_of_removing() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("listen");
    let port = listener.local_addr().expect("address").port();
    let mut c = start_with(&config(port, "inhibit_on_failure"));
    // alpha + inhibit: in IPVS with weight 0 from the start (ipwrapper.c init_service_rs).
    let m = c.wait_for(Duration::from_secs(3), "Add 0", |m| set(m).is_some());
    assert_eq!(set(&m), Some(IpvsChange::Add { weight: 0 }));
    let m = c.wait_for(Duration::from_secs(3), "weight 3", |m| set(m).is_some());
    assert_eq!(set(&m), Some(IpvsChange::SetWeight { weight: 3 }));
    drop(listener);
    let m = c.wait_for(Duration::from_secs(3), "weight 0", |m| set(m).is_some());
    assert_eq!(set(&m), Some(IpvsChange::SetWeight { weight: 0 }));
}

/// A listener whose accept queue is full: further SYNs are dropped, so a connect to
/// it hangs until the checker's connect_timeout.
fn black_hole() -> (std::os::fd::OwnedFd, Vec<std::net::TcpStream>, u16) {
    use nix::sys::socket::{
        bind, getsockname, listen, socket, AddressFamily, Backlog, SockFlag, SockType, SockaddrIn,
    };
    use std::os::fd::AsRawFd;
    let fd = socket(
        AddressFamily::Inet,
        SockType::Stream,
        SockFlag::SOCK_CLOEXEC,
        None,
    )
    .expect("socket");
    bind(fd.as_raw_fd(), &SockaddrIn::new(127, 0, 0, 1, 0)).expect("bind");
    listen(&fd, Backlog::new(0).expect("backlog")).expect("listen");
    let port = getsockname::<SockaddrIn>(fd.as_raw_fd())
        .expect("name")
        .port();
    let mut fillers = Vec::new();
    for _ in 0..4 {
        if let Ok(s) = std::net::TcpStream::connect_timeout(
            &std::net::SocketAddr::from(([127, 0, 0, 1], port)),
            Duration::from_millis(100),
        ) {
            fillers.push(s);
        }
    }
    (fd, fillers, port)
}

#[test]
fn connect_timeout_fails_the_check_of_a_black_hole() {
    let (_listener, _fillers, port) = black_hole();
    let text = format!(
        r#"
virtual_server 192.0.2.10 80 {{
    delay_loop 0.1
    lvs_sched rr
    lvs_method NAT
    protocol TCP
    real_server 127.0.0.1 {port} {{
        TCP_CHECK {{
            connect_timeout 0.3
            retry 0
            warmup 0
        }}
    }}
}}
"#
    );
    let mut c = start_with(&text);
    let t0 = Instant::now();
    let m = c.wait_for(Duration::from_secs(3), "Remove", |m| {
        matches!(set(m), Some(IpvsChange::Remove))
    });
    let took = t0.elapsed();
    assert!(set(&m).is_some());
    assert!(
        took >= Duration::from_millis(250),
        "failed before the timeout: {took:?}"
    );
    assert!(c.log_text().contains("timeout"), "{}", c.log_text());
    eprintln!("connect_timeout 0.3 s: Remove after {took:?}");
}

#[test]
fn refused_connection_keeps_an_alpha_server_down() {
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").expect("listen");
        l.local_addr().expect("address").port()
    };
    let text = format!(
        r#"
virtual_server 192.0.2.10 80 {{
    delay_loop 0.1
    lvs_sched rr
    lvs_method NAT
    protocol TCP
    real_server 127.0.0.1 {port} {{
        alpha
        TCP_CHECK {{
            connect_timeout 0.2
            warmup 0
        }}
    }}
}}
"#
    );
    let mut c = start_with(&text);
    c.drain(Duration::from_millis(500));
    assert!(
        !c.seen
            .iter()
            .any(|m| matches!(m, FromChecker::SetRealServer { .. })),
        "{:?}",
        c.seen
    );
    c.send(vigil_ipc::ToChecker::StatusRequest { request: 1 });
    let st = c.wait_for(
        Duration::from_secs(1),
        "status",
        |m| matches!(m, FromChecker::RealServerStatus(s) if s.checks_run > 0),
    );
    assert!(
        matches!(st, FromChecker::RealServerStatus(s) if !s.healthy && s.checks_failed == s.checks_run),
        "{st:?}"
    );
}
