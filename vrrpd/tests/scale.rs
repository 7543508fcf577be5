//! Many instances on one link share one raw socket per interface and family
//! (DESIGN.md): 100 VRIDs, two nodes, each VRID elected independently.

#![allow(clippy::unwrap_used)] // tests may unwrap (STYLE)

mod common;

use common::{lab, Node};
use std::time::Duration;
use vigil_ipc::msg::vrrp::VrrpState;

const N: u32 = 100;

fn conf(prio_even: u8, prio_odd: u8) -> String {
    (1..=N)
        .map(|vrid| {
            let prio = if vrid % 2 == 0 { prio_even } else { prio_odd };
            format!(
                r#"
vrrp_instance VI_{vrid} {{
    interface eth0
    virtual_router_id {vrid}
    priority {prio}
    advert_int 0.1
    version 3
    virtual_ipaddress {{
        198.51.100.{vrid}/24
    }}
}}
"#
            )
        })
        .collect()
}

#[test]
fn hundred_instances_share_one_socket_and_each_vrid_elects_its_own_master() {
    let (_lab, hosts) = lab("s1", 2);
    // a wins the even VRIDs, b the odd ones.
    let mut a = Node::start(&hosts[0], &conf(150, 100));
    let mut b = Node::start(&hosts[1], &conf(100, 150));
    for i in 0..N {
        let vrid = i + 1;
        let (want_a, want_b) = if vrid % 2 == 0 {
            (VrrpState::Master, VrrpState::Backup)
        } else {
            (VrrpState::Backup, VrrpState::Master)
        };
        a.wait_state(i, want_a, Duration::from_secs(5));
        b.wait_state(i, want_b, Duration::from_secs(5));
    }
    std::thread::sleep(Duration::from_millis(500));
    let sa = a.status_request(1);
    let sb = b.status_request(1);
    assert_eq!(sa.len(), N as usize);
    for (x, y) in sa.iter().zip(&sb) {
        assert_ne!(
            x.state, y.state,
            "VRID #{}: {:?} / {:?}",
            x.instance, x.state, y.state
        );
        assert!(matches!(x.state, VrrpState::Master | VrrpState::Backup));
        assert_eq!(
            x.counters.address_list_errors + y.counters.address_list_errors,
            0
        );
    }
    // One raw VRRP socket for all 100 instances: count the raw sockets of the process.
    let raw: usize = std::fs::read_dir(format!("/proc/{}/fd", a.pid()))
        .unwrap()
        .filter_map(|e| std::fs::read_link(e.unwrap().path()).ok())
        .filter(|l| l.to_string_lossy().starts_with("socket:"))
        .count();
    // IPC, rtnetlink ×2 (addresses, monitor), the monitor's, one AF_PACKET announcer,
    // one VRRP socket: far fewer than one per instance.
    assert!(raw < 10, "{raw} sockets");
    assert!(hosts[0].has_address("eth0", "198.51.100.2"));
    assert!(!hosts[0].has_address("eth0", "198.51.100.1"));
}
