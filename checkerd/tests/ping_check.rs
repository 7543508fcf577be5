//! PING_CHECK: the checker asks for its ICMP socket, this test (as the supervisor)
//! opens it and passes it over; echo to 127.0.0.1 passes, a socket in a fresh network
//! namespace (loopback down, nothing leaves) fails.

mod common;

use common::start_with;
use nix::sys::socket::{socket, AddressFamily, SockFlag, SockProtocol, SockType};
use std::os::fd::OwnedFd;
use std::time::Duration;
use vigil_ipc::msg::checker::{IpvsChange, SocketKind};
use vigil_ipc::{FromChecker, ToChecker};

fn config(alpha: bool) -> String {
    format!(
        r#"
virtual_server 192.0.2.10 80 {{
    delay_loop 0.1
    lvs_sched rr
    lvs_method NAT
    protocol TCP
    real_server 127.0.0.1 80 {{
        weight 2
        {}
        PING_CHECK {{
            connect_timeout 0.3
            retry 0
            warmup 0
        }}
    }}
}}
"#,
        if alpha { "alpha" } else { "" }
    )
}

fn raw_icmp() -> OwnedFd {
    socket(
        AddressFamily::Inet,
        SockType::Raw,
        SockFlag::SOCK_CLOEXEC,
        SockProtocol::Icmp,
    )
    .expect("raw ICMP socket (run as root)")
}

/// A raw ICMP socket of a new, empty network namespace (made in a thread of its own:
/// unshare changes only the calling thread's namespace).
fn raw_icmp_in_empty_netns() -> OwnedFd {
    std::thread::spawn(|| {
        nix::sched::unshare(nix::sched::CloneFlags::CLONE_NEWNET).expect("unshare netns");
        raw_icmp()
    })
    .join()
    .expect("thread")
}

fn socket_request(c: &mut common::Checkerd) -> u32 {
    match c.wait_for(Duration::from_secs(2), "SocketRequest", |m| {
        matches!(
            m,
            FromChecker::SocketRequest {
                kind: SocketKind::IcmpEcho { .. },
                ..
            }
        )
    }) {
        FromChecker::SocketRequest { request, .. } => request,
        _ => unreachable!(),
    }
}

fn set(m: &FromChecker) -> Option<IpvsChange> {
    match m {
        FromChecker::SetRealServer { change, .. } => Some(*change),
        _ => None,
    }
}

#[test]
fn echo_reply_from_loopback_brings_an_alpha_server_up() {
    let mut c = start_with(&config(true));
    let request = socket_request(&mut c);
    c.send_fd(ToChecker::Socket { request }, raw_icmp());
    let m = c.wait_for(Duration::from_secs(3), "Add", |m| set(m).is_some());
    assert_eq!(set(&m), Some(IpvsChange::Add { weight: 2 }));
}

#[test]
fn no_echo_reply_takes_the_server_down() {
    let mut c = start_with(&config(false));
    let m = c.wait_for(Duration::from_secs(2), "initial Add", |m| set(m).is_some());
    assert_eq!(set(&m), Some(IpvsChange::Add { weight: 2 }));
    let request = socket_request(&mut c);
    c.send_fd(ToChecker::Socket { request }, raw_icmp_in_empty_netns());
    let m = c.wait_for(Duration::from_secs(3), "Remove", |m| set(m).is_some());
    assert_eq!(set(&m), Some(IpvsChange::Remove));
}

#[test]
fn refused_socket_leaves_the_initial_state_and_says_so() {
    let mut c = start_with(&config(true));
    let request = socket_request(&mut c);
    c.send(ToChecker::SocketRefused {
        request,
        reason: "test refuses".into(),
    });
    c.drain(Duration::from_millis(300));
    assert!(!c.seen.iter().any(|m| set(m).is_some()), "{:?}", c.seen);
    assert!(c.log_text().contains("cannot run"), "{}", c.log_text());
}
