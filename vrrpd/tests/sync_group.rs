//! `vrrp_sync_group`: members change state together (keepalived vrrp_sync.c).

#![allow(clippy::unwrap_used)] // tests may unwrap (STYLE)

mod common;

use common::{lab, wait_until, Node};
use std::time::Duration;
use vigil_ipc::msg::vrrp::{FromVrrp, NotifyEvent, VrrpState};

fn conf(prio: u8, track: &str) -> String {
    format!(
        r#"
vrrp_sync_group VG_1 {{
    group {{
        VI_1
        VI_2
    }}
}}
vrrp_instance VI_1 {{
    interface eth0
    virtual_router_id 51
    priority {prio}
    advert_int 0.1
    version 3
    virtual_ipaddress {{
        192.0.2.100/24
    }}
{track}
}}
vrrp_instance VI_2 {{
    interface eth0
    virtual_router_id 52
    priority {prio}
    advert_int 0.1
    version 3
    virtual_ipaddress {{
        192.0.2.101/24
    }}
}}
"#
    )
}

#[test]
fn keepalived_sync_group_fault_of_one_member_moves_the_whole_group() {
    let (_lab, hosts) = lab("g1", 2);
    hosts[0]
        .run("ip link add eth1 type veth peer name eth1p && ip link set eth1p up && ip link set eth1 up")
        .unwrap();
    let track = "    track_interface {\n        eth1\n    }\n";
    let mut a = Node::start(&hosts[0], &conf(150, track));
    let mut b = Node::start(&hosts[1], &conf(100, ""));
    for i in 0..2 {
        a.wait_state(i, VrrpState::Master, Duration::from_secs(3));
        b.wait_state(i, VrrpState::Backup, Duration::from_secs(3));
    }
    a.wait_for(Duration::from_secs(1), "group MASTER notify", |m| {
        matches!(
            m,
            FromVrrp::RunGroupNotify {
                group: 0,
                event: NotifyEvent::Master
            }
        )
    });
    // VI_1's tracked interface goes down: FAULT, which takes VI_2 to FAULT as well.
    hosts[0].run("ip link set eth1 down").unwrap();
    a.wait_state(0, VrrpState::Fault, Duration::from_secs(1));
    a.wait_state(1, VrrpState::Fault, Duration::from_secs(1));
    b.wait_state(0, VrrpState::Master, Duration::from_secs(1));
    b.wait_state(1, VrrpState::Master, Duration::from_secs(1));
    wait_until("VIPs gone from a", Duration::from_secs(1), || {
        !hosts[0].has_address("eth0", "192.0.2.100") && !hosts[0].has_address("eth0", "192.0.2.101")
    });
    a.wait_for(Duration::from_secs(1), "group FAULT notify", |m| {
        matches!(
            m,
            FromVrrp::RunGroupNotify {
                group: 0,
                event: NotifyEvent::Fault
            }
        )
    });
    // Recovery: both members back, and a preempts with both.
    hosts[0].run("ip link set eth1 up").unwrap();
    a.wait_state(0, VrrpState::Master, Duration::from_secs(2));
    a.wait_state(1, VrrpState::Master, Duration::from_secs(2));
    b.wait_state(0, VrrpState::Backup, Duration::from_secs(1));
    b.wait_state(1, VrrpState::Backup, Duration::from_secs(1));
}

#[test]
fn keepalived_sync_group_master_of_one_member_takes_the_others_along() {
    let (_lab, hosts) = lab("g2", 2);
    let mut a = Node::start(&hosts[0], &conf(150, ""));
    let mut b = Node::start(&hosts[1], &conf(100, ""));
    for i in 0..2 {
        a.wait_state(i, VrrpState::Master, Duration::from_secs(3));
        b.wait_state(i, VrrpState::Backup, Duration::from_secs(3));
    }
    // a dies: b's first member to time out becomes MASTER and brings the other along
    // at once, instead of after its own Master_Down_Interval.
    a.kill9();
    let t0 = b.wait_state(0, VrrpState::Master, Duration::from_secs(1));
    let t1 = b.wait_state(1, VrrpState::Master, Duration::from_secs(1));
    eprintln!("sync group on b: VI_1 MASTER after {t0:?}, VI_2 {t1:?} later");
    let log = b.log();
    assert!(
        log.contains("(VG_1) Syncing instances to MASTER state"),
        "{log}"
    );
}

/// Both members go MASTER in the same turn of the loop (they start together and no
/// peer answers): the group's notify follows the members' own, and comes after their
/// addresses are on the interface, as when they change one by one (keepalived
/// vrrp_sync.c notifies the group once the members have transitioned).
#[test]
fn keepalived_sync_group_notify_follows_its_members_in_one_batch() {
    let (_lab, hosts) = lab("g3", 1);
    let mut a = Node::start(&hosts[0], &conf(100, ""));
    a.wait_for(Duration::from_secs(3), "group MASTER notify", |m| {
        matches!(
            m,
            FromVrrp::RunGroupNotify {
                event: NotifyEvent::Master,
                ..
            }
        )
    });
    // Both addresses are there when the group's notify has been sent.
    assert!(hosts[0].has_address("eth0", "192.0.2.100"));
    assert!(hosts[0].has_address("eth0", "192.0.2.101"));
    let pos = |want: &dyn Fn(&FromVrrp) -> bool| a.seen.iter().position(want);
    let group = pos(&|m| {
        matches!(
            m,
            FromVrrp::RunGroupNotify {
                event: NotifyEvent::Master,
                ..
            }
        )
    })
    .unwrap();
    for instance in 0..2 {
        let member = pos(&|m| {
            matches!(m, FromVrrp::RunNotify { instance: i, event: NotifyEvent::Master, .. } if *i == instance)
        })
        .unwrap_or_else(|| panic!("no MASTER notify of member {instance}"));
        assert!(
            member < group,
            "member {instance}'s notify (#{member}) after the group's (#{group})"
        );
    }
}
