//! The process contract with the supervisor: privileges, handshake, configuration,
//! Ping, status, Shutdown, exit codes.

#![allow(clippy::unwrap_used)] // tests may unwrap (STYLE)

mod common;

use common::{lab, v3_conf, Node};
use std::time::Duration;
use vigil_ipc::msg::vrrp::{FromVrrp, VrrpState};

#[test]
fn single_node_becomes_master_answers_ping_and_status_and_stops_on_shutdown() {
    let (_lab, hosts) = lab("d1", 1);
    let mut a = Node::start(&hosts[0], &v3_conf(100, ""));
    a.ping(7);
    a.wait_state(0, VrrpState::Master, Duration::from_secs(3));
    common::wait_until("VIP on a", Duration::from_secs(2), || {
        hosts[0].has_address("eth0", "192.0.2.100")
    });
    let st = a.status_request(1);
    assert_eq!(st.len(), 1);
    assert_eq!(st[0].state, VrrpState::Master);
    assert_eq!(st[0].priority, 100);
    assert_eq!(st[0].master, Some("192.0.2.1".parse().unwrap()));
    assert!(st[0].counters.adverts_sent > 0);
    assert!(a
        .seen
        .iter()
        .any(|m| matches!(m, FromVrrp::RunNotify { instance: 0, .. })));
    let (status, took) = a.shutdown();
    assert_eq!(status.code(), Some(0), "log:\n{}", hosts[0].log());
    assert!(took < Duration::from_secs(2), "shutdown took {took:?}");
    assert_eq!(a.status[&0].state, VrrpState::Stop);
    assert!(!hosts[0].has_address("eth0", "192.0.2.100"));
    let log = hosts[0].log();
    assert!(log.contains("(VI_1) Entering MASTER STATE"), "{log}");
}

#[test]
fn privileges_of_the_running_daemon_are_net_raw_and_net_admin_only() {
    let (_lab, hosts) = lab("d2", 1);
    let mut a = Node::start(&hosts[0], &v3_conf(100, ""));
    a.ping(1);
    let status = std::fs::read_to_string(format!("/proc/{}/status", a.pid())).unwrap();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    // CAP_NET_ADMIN is bit 12, CAP_NET_RAW bit 13.
    let want = format!("{:016x}", (1u64 << 12) | (1u64 << 13));
    assert_eq!(field("CapEff:"), want);
    assert_eq!(field("CapPrm:"), want);
    assert_eq!(field("CapBnd:"), want);
    assert_eq!(field("CapInh:"), "0000000000000000");
    assert_eq!(field("NoNewPrivs:"), "1");
    let uid = field("Uid:");
    assert!(uid.split_whitespace().all(|u| u == "65534"), "Uid: {uid}");
    a.shutdown();
}

#[test]
fn missing_interface_exits_78_after_config_rejected() {
    let (_lab, hosts) = lab("d3", 1);
    let mut a = Node::spawn(&hosts[0]);
    a.configure(&v3_conf(100, "").replace("interface eth0", "interface eth9"));
    let m = a.wait_for(Duration::from_secs(3), "ConfigRejected", |m| {
        matches!(m, FromVrrp::ConfigRejected { .. })
    });
    if let FromVrrp::ConfigRejected { reason, .. } = m {
        assert!(reason.contains("eth9"), "{reason}");
    }
    let status = a.wait_exit(Duration::from_secs(3));
    assert_eq!(status.code(), Some(78));
}

#[test]
fn unknown_user_exits_77() {
    let (_lab, hosts) = lab("d4", 1);
    let out = hosts[0]
        .wrap(
            std::process::Command::new(env!("CARGO_BIN_EXE_vigil-vrrpd")).args([
                "--ipc-fd",
                "3",
                "--user",
                "no-such-user-vigil",
                "--supervisor-pid",
                &std::process::id().to_string(),
            ]),
        )
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(77));
}

#[test]
fn keepalived_vrrp_startup_delay_holds_instances_back() {
    let (_lab, hosts) = lab("d5", 1);
    let conf = format!(
        "global_defs {{\n    vrrp_startup_delay 0.5\n}}\n{}",
        v3_conf(100, "")
    );
    let start = std::time::Instant::now();
    let mut a = Node::start(&hosts[0], &conf);
    a.wait_state(0, VrrpState::Master, Duration::from_secs(3));
    let took = start.elapsed();
    // 0.5 s delay, then Master_Down_Interval (0.3 s + skew) as BACKUP.
    assert!(took > Duration::from_millis(800), "MASTER after {took:?}");
    assert!(a.log().contains("Delaying startup for 500ms"));
}
