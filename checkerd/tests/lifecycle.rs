//! Ping, status, Shutdown and EOF.

mod common;

use common::{start_with, Checkerd};
use std::time::{Duration, Instant};
use vigil_ipc::msg::Nonce;
use vigil_ipc::{FromChecker, ToChecker};

const ONE_SERVER: &str = r#"
virtual_server 192.0.2.10 80 {
    delay_loop 60
    protocol TCP
    lvs_sched rr
    lvs_method NAT
    real_server 198.51.100.1 80 {
        weight 2
    }
    real_server 198.51.100.2 80 {
    }
}
"#;

#[test]
fn ping_is_answered_with_the_same_nonce() {
    let mut c = start_with(ONE_SERVER);
    c.send(ToChecker::Ping(Nonce(42)));
    c.wait_for(Duration::from_secs(2), "Pong(42)", |m| {
        matches!(m, FromChecker::Pong(Nonce(42)))
    });
}

#[test]
fn status_request_reports_every_real_server_then_status_end() {
    let mut c = start_with(ONE_SERVER);
    c.drain(Duration::from_millis(100));
    c.send(ToChecker::StatusRequest { request: 7 });
    let mut statuses = Vec::new();
    loop {
        match c.recv(Duration::from_secs(2)) {
            Some(FromChecker::RealServerStatus(s)) => statuses.push(s),
            Some(FromChecker::StatusEnd { request }) => {
                assert_eq!(request, 7);
                break;
            }
            Some(_) => {}
            None => panic!("no StatusEnd"),
        }
    }
    assert_eq!(statuses.len(), 2);
    assert!(statuses.iter().all(|s| s.healthy));
    assert_eq!(statuses[0].weight, 2);
}

#[test]
fn start_adds_the_virtual_server_and_servers_without_checkers() {
    let mut c = Checkerd::spawn();
    c.send_config(ONE_SERVER, 1);
    c.wait_for(Duration::from_secs(2), "SetVirtualServer", |m| {
        matches!(
            m,
            FromChecker::SetVirtualServer {
                vs: 0,
                present: true
            }
        )
    });
    c.wait_for(
        Duration::from_secs(2),
        "SetRealServer",
        |m| matches!(m, FromChecker::SetRealServer { server, .. } if server.rs == 1),
    );
}

#[test]
fn shutdown_exits_0_within_500_ms() {
    let mut c = start_with(ONE_SERVER);
    let t0 = Instant::now();
    c.send(ToChecker::Shutdown);
    let status = c.wait_exit(Duration::from_millis(500));
    let took = t0.elapsed();
    assert_eq!(status.and_then(|s| s.code()), Some(0), "after {took:?}");
    eprintln!("Shutdown to exit: {took:?}");
}

#[test]
fn eof_exits_0_at_once() {
    let mut c = start_with(ONE_SERVER);
    let t0 = Instant::now();
    c.close();
    let status = c.wait_exit(Duration::from_millis(500));
    let took = t0.elapsed();
    assert_eq!(status.and_then(|s| s.code()), Some(0), "after {took:?}");
    eprintln!("EOF to exit: {took:?}");
}

#[test]
fn eof_before_any_configuration_exits_0() {
    let mut c = Checkerd::spawn();
    c.close();
    assert_eq!(
        c.wait_exit(Duration::from_millis(500))
            .and_then(|s| s.code()),
        Some(0)
    );
}

#[test]
fn a_broken_first_configuration_is_rejected_and_exits_78() {
    use vigil_ipc::msg::config::{ConfigMsg, Counts};
    let mut c = Checkerd::spawn();
    c.send(ToChecker::Config(ConfigMsg::Begin { generation: 1 }));
    c.send(ToChecker::Config(ConfigMsg::End {
        generation: 1,
        counts: Counts {
            virtual_servers: 3,
            ..Counts::default()
        },
    }));
    c.wait_for(Duration::from_secs(2), "ConfigRejected", |m| {
        matches!(m, FromChecker::ConfigRejected { generation: 1, .. })
    });
    assert_eq!(
        c.wait_exit(Duration::from_secs(1)).and_then(|s| s.code()),
        Some(78)
    );
}

#[test]
fn a_broken_reload_is_rejected_and_the_old_configuration_stays() {
    use vigil_ipc::msg::config::{CheckerItem, ConfigMsg};
    let mut c = start_with(ONE_SERVER);
    c.drain(Duration::from_millis(100));
    c.send(ToChecker::Config(ConfigMsg::Begin { generation: 2 }));
    // Real server of a virtual server that was not sent: the stream is broken.
    let config = common::parse(ONE_SERVER);
    let rs = config.lvs.virtual_servers[0].real_servers[0].clone();
    c.send(ToChecker::Config(ConfigMsg::Item(
        CheckerItem::RealServer {
            vs: 5,
            index: 0,
            server: Box::new(rs),
        },
    )));
    c.wait_for(Duration::from_secs(2), "ConfigRejected 2", |m| {
        matches!(m, FromChecker::ConfigRejected { generation: 2, .. })
    });
    c.send(ToChecker::StatusRequest { request: 9 });
    let mut statuses = 0;
    loop {
        match c.recv(Duration::from_secs(2)) {
            Some(FromChecker::RealServerStatus(_)) => statuses += 1,
            Some(FromChecker::StatusEnd { request: 9 }) => break,
            Some(_) => {}
            None => panic!("no StatusEnd: the checker stopped"),
        }
    }
    assert_eq!(statuses, 2, "generation 1 still in force");
    assert!(c.child.try_wait().expect("wait").is_none(), "still running");
}

#[test]
fn sighup_does_not_stop_the_checker() {
    let mut c = start_with(ONE_SERVER);
    let pid = nix::unistd::Pid::from_raw(i32::try_from(c.child.id()).expect("pid"));
    // Only the process this test started, by its pid.
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGHUP).expect("kill");
    c.send(ToChecker::Ping(Nonce(5)));
    c.wait_for(Duration::from_secs(2), "Pong(5)", |m| {
        matches!(m, FromChecker::Pong(Nonce(5)))
    });
    assert!(c.child.try_wait().expect("wait").is_none());
}
