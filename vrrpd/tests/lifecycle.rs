//! Reload, the supervisor going away, SIGTERM, and addresses left by a killed daemon.

#![allow(clippy::unwrap_used)] // tests may unwrap (STYLE)

mod common;

use common::{lab, v3_conf, wait_until, Node};
use std::time::{Duration, Instant};
use vigil_ipc::msg::vrrp::{FromVrrp, VrrpState};

fn instance(name: &str, vrid: u8, prio: u8, vips: &[&str]) -> String {
    let vips: String = vips.iter().map(|v| format!("        {v}/24\n")).collect();
    format!(
        r#"
vrrp_instance {name} {{
    interface eth0
    virtual_router_id {vrid}
    priority {prio}
    advert_int 0.1
    version 3
    virtual_ipaddress {{
{vips}    }}
}}
"#
    )
}

#[test]
fn reload_keeps_state_adds_and_removes_vips_never_touching_common_ones_and_stops_removed_instances()
{
    let (_lab, hosts) = lab("l1", 2);
    let mut a = Node::start(
        &hosts[0],
        &instance("VI_1", 51, 150, &["192.0.2.100", "192.0.2.101"]),
    );
    let mut b = Node::start(
        &hosts[1],
        &instance("VI_1", 51, 100, &["192.0.2.100", "192.0.2.101"]),
    );
    a.wait_state(0, VrrpState::Master, Duration::from_secs(3));
    b.wait_state(0, VrrpState::Backup, Duration::from_secs(3));
    wait_until("VIPs on a", Duration::from_secs(1), || {
        hosts[0].has_address("eth0", "192.0.2.101")
    });
    // Watch every address deletion on a during the reload.
    let mut mon = std::process::Command::new("ip");
    mon.args(["-o", "monitor", "address"]);
    let mut monitor = hosts[0].spawn(&mut mon).unwrap();
    std::thread::sleep(Duration::from_millis(100));

    // Renamed (the name is irrelevant), a new priority, one VIP dropped, one added.
    let from = a.seen.len();
    let gen = a.configure(&instance(
        "renamed",
        51,
        160,
        &["192.0.2.101", "192.0.2.102"],
    ));
    a.wait_for(
        Duration::from_secs(2),
        "ConfigApplied 2",
        |m| matches!(m, FromVrrp::ConfigApplied { generation } if *generation == gen),
    );
    wait_until("192.0.2.102 added", Duration::from_secs(1), || {
        hosts[0].has_address("eth0", "192.0.2.102")
    });
    wait_until("192.0.2.100 removed", Duration::from_secs(1), || {
        !hosts[0].has_address("eth0", "192.0.2.100")
    });
    std::thread::sleep(Duration::from_millis(200));
    let _ = monitor.kill();
    let _ = monitor.wait();
    let log = hosts[0].log();
    let deleted: Vec<&str> = log.lines().filter(|l| l.starts_with("Deleted")).collect();
    assert!(
        deleted.iter().any(|l| l.contains("192.0.2.100/")),
        "{deleted:?}"
    );
    assert!(
        !deleted.iter().any(|l| l.contains("192.0.2.101/")),
        "{deleted:?}"
    );
    assert!(hosts[0].has_address("eth0", "192.0.2.101"));
    // The state was kept: no transition, only the new priority reported.
    for m in &a.seen[from..] {
        if let FromVrrp::InstanceStatus(s) = m {
            assert_eq!(s.state, VrrpState::Master, "{m:?}");
        }
    }
    assert_eq!(a.status[&0].priority, 160);
    assert_eq!(b.state(), Some(VrrpState::Backup));

    // A new instance on b starts (alone on VRID 52, it becomes MASTER); then VI_1 is
    // removed from a: priority 0, addresses gone, b takes over at once.
    let both = format!(
        "{}{}",
        instance("VI_1", 51, 100, &["192.0.2.101", "192.0.2.102"]),
        instance("VI_2", 52, 100, &["192.0.2.152"])
    );
    b.configure(&both);
    b.wait_state(1, VrrpState::Master, Duration::from_secs(2));
    assert_eq!(b.state(), Some(VrrpState::Backup));
    let start = Instant::now();
    a.configure(&instance("VI_9", 59, 100, &["192.0.2.159"]));
    b.wait_state(0, VrrpState::Master, Duration::from_millis(300));
    eprintln!(
        "instance removed by reload -> backup MASTER: {:?}",
        start.elapsed()
    );
    wait_until("a dropped VI_1's VIPs", Duration::from_secs(1), || {
        !hosts[0].has_address("eth0", "192.0.2.101") && !hosts[0].has_address("eth0", "192.0.2.102")
    });
    a.wait_state(0, VrrpState::Master, Duration::from_secs(2));
    assert!(hosts[0].has_address("eth0", "192.0.2.159"));
}

#[test]
fn supervisor_going_away_is_a_shutdown() {
    let (_lab, hosts) = lab("l2", 2);
    let mut a = Node::start(&hosts[0], &v3_conf(150, ""));
    let mut b = Node::start(&hosts[1], &v3_conf(100, ""));
    a.wait_state(0, VrrpState::Master, Duration::from_secs(3));
    b.wait_state(0, VrrpState::Backup, Duration::from_secs(3));
    std::thread::sleep(Duration::from_millis(200));
    let start = Instant::now();
    a.hang_up();
    b.wait_state(0, VrrpState::Master, Duration::from_millis(300));
    eprintln!("supervisor EOF -> backup MASTER: {:?}", start.elapsed());
    let status = a.wait_exit_quiet(Duration::from_secs(2));
    assert_eq!(status.code(), Some(0));
    assert!(!hosts[0].has_address("eth0", "192.0.2.100"));
}

#[test]
fn sigterm_is_an_orderly_stop() {
    let (_lab, hosts) = lab("l3", 2);
    let mut a = Node::start(&hosts[0], &v3_conf(150, ""));
    let mut b = Node::start(&hosts[1], &v3_conf(100, ""));
    a.wait_state(0, VrrpState::Master, Duration::from_secs(3));
    b.wait_state(0, VrrpState::Backup, Duration::from_secs(3));
    std::thread::sleep(Duration::from_millis(200));
    let start = Instant::now();
    a.signal(nix::sys::signal::Signal::SIGTERM);
    b.wait_state(0, VrrpState::Master, Duration::from_millis(300));
    eprintln!("SIGTERM -> backup MASTER: {:?}", start.elapsed());
    assert_eq!(a.wait_exit(Duration::from_secs(2)).code(), Some(0));
    assert!(!hosts[0].has_address("eth0", "192.0.2.100"));
}

#[test]
fn addresses_left_by_a_killed_daemon_are_removed_at_start() {
    let (_lab, hosts) = lab("l4", 2);
    // Another router is MASTER; a has a stale VIP, as a killed vrrpd leaves it.
    let mut b = Node::start(&hosts[1], &v3_conf(200, ""));
    b.wait_state(0, VrrpState::Master, Duration::from_secs(3));
    hosts[0].run("ip addr add 192.0.2.100/24 dev eth0").unwrap();
    let mut a = Node::start(&hosts[0], &v3_conf(100, ""));
    a.wait_state(0, VrrpState::Backup, Duration::from_secs(2));
    assert!(!hosts[0].has_address("eth0", "192.0.2.100"));
    assert!(hosts[1].has_address("eth0", "192.0.2.100"));
}

#[test]
fn keepalived_virtual_routes_and_rules_follow_the_master() {
    let (_lab, hosts) = lab("l5", 2);
    let extra = "    virtual_routes {\n        198.51.100.0/24 via 192.0.2.254 dev eth0\n    }\n    virtual_rules {\n        from 192.0.2.100 table 100 preference 1000\n    }\n";
    let mut a = Node::start(&hosts[0], &v3_conf(150, extra));
    let mut b = Node::start(&hosts[1], &v3_conf(100, extra));
    a.wait_state(0, VrrpState::Master, Duration::from_secs(3));
    b.wait_state(0, VrrpState::Backup, Duration::from_secs(3));
    let route = |i: usize| {
        hosts[i]
            .run("ip route show 198.51.100.0/24")
            .unwrap()
            .contains("via 192.0.2.254")
    };
    let rule = |i: usize| {
        hosts[i]
            .run("ip rule show")
            .unwrap()
            .contains("from 192.0.2.100 lookup 100")
    };
    wait_until("route on a", Duration::from_secs(1), || route(0) && rule(0));
    assert!(!route(1) && !rule(1));
    a.shutdown();
    assert!(!route(0) && !rule(0));
    b.wait_state(0, VrrpState::Master, Duration::from_secs(1));
    wait_until("route on b", Duration::from_secs(1), || route(1) && rule(1));
}
