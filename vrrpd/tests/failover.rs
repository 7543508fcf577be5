//! Two (or three) vigil-vrrpd nodes on one link: election, failover on kill -9, on
//! Shutdown (priority 0), on interface down; IPv6; v2 with PASS; unicast peers.

#![allow(clippy::unwrap_used)] // tests may unwrap (STYLE)

mod common;

use common::{lab, v3_conf, wait_until, Node};
use std::time::{Duration, Instant};
use vigil_ipc::msg::vrrp::VrrpState;

const VIP: &str = "192.0.2.100";

/// RFC 5798 §6.1 Master_Down_Interval for priority 100 at 0.1 s: 3 × 0.1 + 156/256 × 0.1.
const MASTER_DOWN_100: Duration = Duration::from_micros(300_000 + 60_937);
/// Polling, scheduling and the netlink round trip.
const MARGIN: Duration = Duration::from_millis(400);

fn pair(tag: &str) -> (vigil_netlab::Lab, Vec<vigil_netlab::Host>, Node, Node) {
    let (lab, hosts) = lab(tag, 2);
    let mut a = Node::start(&hosts[0], &v3_conf(150, ""));
    let mut b = Node::start(&hosts[1], &v3_conf(100, ""));
    a.wait_state(0, VrrpState::Master, Duration::from_secs(3));
    b.wait_state(0, VrrpState::Backup, Duration::from_secs(3));
    (lab, hosts, a, b)
}

#[test]
fn rfc5798_6_4_two_nodes_elect_the_higher_priority_and_only_it_has_the_vip() {
    let (_lab, hosts, mut a, mut b) = pair("f1");
    wait_until("VIP on a", Duration::from_secs(2), || {
        hosts[0].has_address("eth0", VIP)
    });
    // Several advert intervals later nothing has changed.
    std::thread::sleep(Duration::from_millis(600));
    assert_eq!(a.state(), Some(VrrpState::Master));
    assert_eq!(b.state(), Some(VrrpState::Backup));
    assert!(hosts[0].has_address("eth0", VIP));
    assert!(!hosts[1].has_address("eth0", VIP));
    let st = b.status_request(9);
    assert_eq!(st[0].master, Some("192.0.2.1".parse().unwrap()));
    assert!(st[0].counters.adverts_received >= 5, "{:?}", st[0].counters);
    assert_eq!(st[0].counters.adverts_sent, 0);
}

#[test]
fn rfc5798_6_4_2_kill_9_of_the_master_backup_takes_over_within_master_down_interval() {
    let (_lab, hosts, mut a, mut b) = pair("f2");
    std::thread::sleep(Duration::from_millis(300));
    let start = Instant::now();
    a.kill9();
    b.wait_state(0, VrrpState::Master, MASTER_DOWN_100 + MARGIN);
    let took = start.elapsed();
    eprintln!("kill -9 failover: {took:?} (Master_Down_Interval {MASTER_DOWN_100:?})");
    assert!(
        // The last advert came up to one interval (plus jitter) before the kill.
        took >= MASTER_DOWN_100 - Duration::from_millis(150),
        "too early: {took:?}"
    );
    wait_until("VIP on b", Duration::from_secs(1), || {
        hosts[1].has_address("eth0", VIP)
    });
}

#[test]
fn rfc5798_6_4_3_shutdown_sends_priority_0_and_backup_takes_over_within_skew_time() {
    let (_lab, hosts, mut a, mut b) = pair("f3");
    std::thread::sleep(Duration::from_millis(300));
    let start = Instant::now();
    let (status, _) = a.shutdown();
    assert_eq!(status.code(), Some(0));
    // Skew_Time for priority 100 at 0.1 s is 61 ms (RFC 5798 §6.1).
    b.wait_state(0, VrrpState::Master, Duration::from_millis(61) + MARGIN);
    let took = start.elapsed();
    eprintln!("shutdown failover: {took:?}");
    assert!(
        took < MASTER_DOWN_100,
        "took {took:?}: priority 0 not heard?"
    );
    assert!(!hosts[0].has_address("eth0", VIP));
    wait_until("VIP on b", Duration::from_secs(1), || {
        hosts[1].has_address("eth0", VIP)
    });
    let st = b.status_request(2);
    assert!(st[0].counters.priority_zero_received >= 1);
}

#[test]
fn keepalived_fault_on_interface_down_and_failover() {
    let (_lab, hosts, mut a, mut b) = pair("f4");
    std::thread::sleep(Duration::from_millis(200));
    let start = Instant::now();
    hosts[0].set_link(false).unwrap();
    a.wait_state(0, VrrpState::Fault, Duration::from_secs(1));
    b.wait_state(0, VrrpState::Master, MASTER_DOWN_100 + MARGIN);
    eprintln!("interface-down failover: {:?}", start.elapsed());
    wait_until("VIP gone from a", Duration::from_secs(1), || {
        !hosts[0].has_address("eth0", VIP)
    });
    wait_until("VIP on b", Duration::from_secs(1), || {
        hosts[1].has_address("eth0", VIP)
    });
    // Back up: BACKUP first, then a preempts (higher priority).
    hosts[0].set_link(true).unwrap();
    a.wait_state(0, VrrpState::Master, Duration::from_secs(2));
    b.wait_state(0, VrrpState::Backup, Duration::from_secs(1));
    assert!(a.log().contains("(VI_1) Entering FAULT STATE"));
}

#[test]
fn rfc5798_5_1_2_ipv6_pair_elects_and_fails_over() {
    let (_lab, hosts) = lab("f5", 2);
    let conf = |p: u8| {
        format!(
            r#"
vrrp_instance VI_6 {{
    interface eth0
    virtual_router_id 61
    priority {p}
    advert_int 0.1
    virtual_ipaddress {{
        2001:db8::100/64
    }}
}}
"#
        )
    };
    let mut a = Node::start(&hosts[0], &conf(150));
    let mut b = Node::start(&hosts[1], &conf(100));
    a.wait_state(0, VrrpState::Master, Duration::from_secs(3));
    b.wait_state(0, VrrpState::Backup, Duration::from_secs(3));
    std::thread::sleep(Duration::from_millis(400));
    assert_eq!(b.state(), Some(VrrpState::Backup));
    let st = b.status_request(1);
    let master = st[0].master.unwrap();
    assert!(master.to_string().starts_with("fe80:"), "{master}");
    wait_until("VIP6 on a", Duration::from_secs(1), || {
        hosts[0].has_address("eth0", "2001:db8::100")
    });
    assert!(!hosts[1].has_address("eth0", "2001:db8::100"));
    let start = Instant::now();
    a.kill9();
    b.wait_state(0, VrrpState::Master, MASTER_DOWN_100 + MARGIN);
    eprintln!("IPv6 kill -9 failover: {:?}", start.elapsed());
    wait_until("VIP6 on b", Duration::from_secs(1), || {
        hosts[1].has_address("eth0", "2001:db8::100")
    });
}

#[test]
fn rfc3768_v2_pass_auth_elects_and_a_wrong_password_is_ignored_and_counted() {
    let (_lab, hosts) = lab("f6", 3);
    let conf = |p: u8, pw: &str| {
        format!(
            r#"
vrrp_instance VI_2 {{
    interface eth0
    virtual_router_id 52
    priority {p}
    advert_int 1
    version 2
    authentication {{
        auth_type PASS
        auth_pass {pw}
    }}
    virtual_ipaddress {{
        192.0.2.52
    }}
}}
"#
        )
    };
    let mut a = Node::start(&hosts[0], &conf(150, "right"));
    let mut b = Node::start(&hosts[1], &conf(100, "right"));
    let mut c = Node::start(&hosts[2], &conf(120, "wrong"));
    a.wait_state(0, VrrpState::Master, Duration::from_secs(6));
    c.wait_state(0, VrrpState::Master, Duration::from_secs(6));
    b.wait_state(0, VrrpState::Backup, Duration::from_secs(1));
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(b.state(), Some(VrrpState::Backup));
    let sb = b.status_request(1);
    assert_eq!(sb[0].master, Some("192.0.2.1".parse().unwrap()));
    assert!(sb[0].counters.auth_failures >= 1, "{:?}", sb[0].counters);
    let sc = c.status_request(1);
    assert_eq!(sc[0].state, VrrpState::Master);
    assert!(sc[0].counters.auth_failures >= 1, "{:?}", sc[0].counters);
    assert_eq!(sc[0].counters.adverts_received, 0);
}

#[test]
fn keepalived_unicast_peers_elect_and_fail_over() {
    let (_lab, hosts) = lab("f7", 2);
    let conf = |p: u8, me: u8, peer: u8| {
        v3_conf(
            p,
            &format!(
                "    unicast_src_ip 192.0.2.{me}\n    unicast_peer {{\n        192.0.2.{peer}\n    }}\n"
            ),
        )
    };
    let mut a = Node::start(&hosts[0], &conf(150, 1, 2));
    let mut b = Node::start(&hosts[1], &conf(100, 2, 1));
    a.wait_state(0, VrrpState::Master, Duration::from_secs(3));
    b.wait_state(0, VrrpState::Backup, Duration::from_secs(3));
    std::thread::sleep(Duration::from_millis(400));
    assert_eq!(b.state(), Some(VrrpState::Backup));
    let start = Instant::now();
    a.kill9();
    b.wait_state(0, VrrpState::Master, MASTER_DOWN_100 + MARGIN);
    eprintln!("unicast kill -9 failover: {:?}", start.elapsed());
    wait_until("VIP on b", Duration::from_secs(1), || {
        hosts[1].has_address("eth0", VIP)
    });
}
