//! `vrrp_script` tracking through the supervisor: RunScript each interval, ScriptResult
//! applied with rise/fall and weight (keepalived.conf(5), vrrp_script).

#![allow(clippy::unwrap_used)] // tests may unwrap (STYLE)

mod common;

use common::{lab, wait_state_pumping, Node};
use std::time::Duration;
use vigil_ipc::msg::vrrp::{FromVrrp, VrrpState};

fn conf(priority: u8, weight: i32, fall: u32) -> String {
    format!(
        r#"
vrrp_script chk {{
    script "/bin/true"
    interval 1
    weight {weight}
    fall {fall}
    rise 1
}}
vrrp_instance VI_1 {{
    interface eth0
    virtual_router_id 51
    priority {priority}
    advert_int 0.1
    version 3
    virtual_ipaddress {{
        192.0.2.100/24
    }}
    track_script {{
        chk
    }}
}}
"#
    )
}

#[test]
fn keepalived_negative_weight_on_failure_lets_the_backup_preempt() {
    let (_lab, hosts) = lab("t1", 2);
    let mut a = Node::start(&hosts[0], &conf(150, -60, 1));
    let mut b = Node::start(&hosts[1], &conf(100, -60, 1));
    a.wait_state(0, VrrpState::Master, Duration::from_secs(3));
    b.wait_state(0, VrrpState::Backup, Duration::from_secs(3));
    assert!(a
        .seen
        .iter()
        .any(|m| matches!(m, FromVrrp::RunScript { script: 0 })));
    a.scripts.insert(0, false);
    // The next run (within the 1 s interval) fails: 150 - 60 = 90 < 100.
    wait_state_pumping(
        &mut b,
        &mut [&mut a],
        VrrpState::Master,
        Duration::from_secs(3),
    );
    a.wait_state(0, VrrpState::Backup, Duration::from_secs(1));
    assert_eq!(a.status[&0].priority, 90);
    // Success again: 150 preempts.
    a.scripts.insert(0, true);
    a.wait_state(0, VrrpState::Master, Duration::from_secs(3));
    assert_eq!(a.status[&0].priority, 150);
    b.wait_state(0, VrrpState::Backup, Duration::from_secs(1));
}

#[test]
fn keepalived_weight_0_failure_is_fault_after_fall_failures() {
    let (_lab, hosts) = lab("t2", 1);
    let mut a = Node::start(&hosts[0], &conf(100, 0, 2));
    a.wait_state(0, VrrpState::Master, Duration::from_secs(3));
    a.scripts.insert(0, false);
    let t = a.wait_state(0, VrrpState::Fault, Duration::from_secs(4));
    // fall 2 at interval 1: the second failing run, 1 to 2 s after the change.
    assert!(
        t > Duration::from_millis(900),
        "FAULT after {t:?}: fall ignored?"
    );
    assert!(!hosts[0].has_address("eth0", "192.0.2.100"));
    a.scripts.insert(0, true);
    a.wait_state(0, VrrpState::Master, Duration::from_secs(3));
}

#[test]
fn keepalived_track_interface_down_is_fault_and_up_recovers() {
    let (_lab, hosts) = lab("t3", 1);
    hosts[0]
        .run("ip link add eth1 type veth peer name eth1p && ip link set eth1p up && ip link set eth1 up")
        .unwrap();
    let text = common::v3_conf(100, "    track_interface {\n        eth1\n    }\n");
    let mut a = Node::start(&hosts[0], &text);
    a.wait_state(0, VrrpState::Master, Duration::from_secs(3));
    hosts[0].run("ip link set eth1 down").unwrap();
    a.wait_state(0, VrrpState::Fault, Duration::from_secs(1));
    assert!(!hosts[0].has_address("eth0", "192.0.2.100"));
    hosts[0].run("ip link set eth1 up").unwrap();
    a.wait_state(0, VrrpState::Master, Duration::from_secs(2));
}

#[test]
fn rfc5798_5_1_1_1_no_source_address_is_fault_until_the_interface_gets_one() {
    let (_lab, hosts) = lab("t4", 1);
    hosts[0].run("ip addr flush dev eth0").unwrap();
    let mut a = Node::start(&hosts[0], &common::v3_conf(100, ""));
    a.wait_state(0, VrrpState::Fault, Duration::from_secs(2));
    hosts[0].run("ip addr add 192.0.2.1/24 dev eth0").unwrap();
    a.wait_state(0, VrrpState::Master, Duration::from_secs(2));
    let st = a.status_request(3);
    assert_eq!(st[0].master, Some("192.0.2.1".parse().unwrap()));
}

#[test]
fn reload_that_removes_a_failing_tracker_restores_the_priority_at_once() {
    let (_lab, hosts) = lab("t5", 1);
    let mut a = Node::start(&hosts[0], &conf(150, -60, 1));
    a.wait_state(0, VrrpState::Master, Duration::from_secs(3));
    a.scripts.insert(0, false);
    common::wait_until("priority 90", Duration::from_secs(3), || {
        a.pump();
        a.status.get(&0).map(|s| s.priority) == Some(90)
    });
    // The same instance without track_script: its weight goes with the tracker,
    // before any later script result could change it (there is none to run now).
    let without = conf(150, -60, 1).replace("    track_script {\n        chk\n    }\n", "");
    assert!(!without.contains("track_script"));
    a.configure(&without);
    a.wait_for(Duration::from_secs(2), "ConfigApplied", |m| {
        matches!(m, FromVrrp::ConfigApplied { .. })
    });
    let st = a.status_request(7);
    assert_eq!(st[0].priority, 150, "the removed tracker's weight stayed");
    assert_eq!(st[0].state, VrrpState::Master);
}
