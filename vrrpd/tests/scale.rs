//! Many instances on one link share one raw socket per interface and family
//! (DESIGN.md): 100 VRIDs, two nodes, each VRID elected independently.

#![allow(clippy::unwrap_used)] // tests may unwrap (STYLE)

mod common;

use common::{lab, Node};
use std::collections::HashMap;
use std::time::Duration;
use vigil_ipc::msg::vrrp::VrrpState;
use vigil_netlab::wire::{classify, Kind};

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

/// 250 instances on one node with no peer: they start together, so their
/// Master_Down_Interval timers (RFC 5798 §6.4.2) expire together. Every one of them
/// must have its first MASTER advert on the wire before any address announcement
/// (§6.4.1 sends the advert first; the GARPs of a thousand instances must not hold
/// back the adverts of the last ones), and the last advert must follow the first
/// within a few milliseconds, not the sum of every instance's address work.
#[test]
fn instances_that_start_together_all_advertise_before_any_garp() {
    const M: u32 = 250;
    let (lab, hosts) = lab("s2", 1);
    let text: String = (1..=M)
        .map(|vrid| {
            format!(
                "vrrp_instance VI_{vrid} {{\n interface eth0\n virtual_router_id {vrid}\n \
                 priority 100\n advert_int 0.1\n version 3\n garp_master_delay 0\n \
                 virtual_ipaddress {{\n 198.51.100.{vrid}/32\n }}\n}}\n"
            )
        })
        .collect();
    let cap = lab.capture().unwrap();
    let mut a = Node::start(&hosts[0], &text);
    for i in 0..M {
        a.wait_state(i, VrrpState::Master, Duration::from_secs(10));
    }
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(cap.drops(), 0, "the capture dropped frames");
    let frames = cap.stop();
    let mut first_advert: HashMap<u8, Duration> = HashMap::new();
    let mut first_garp = None;
    for f in &frames {
        match classify(&f.data) {
            Some(Kind::Advert { vrid, .. }) => {
                first_advert.entry(vrid).or_insert(f.at);
            }
            Some(Kind::Garp { .. }) if first_garp.is_none() => first_garp = Some(f.at),
            _ => {}
        }
    }
    assert_eq!(first_advert.len(), M as usize);
    let last = *first_advert.values().max().unwrap();
    let first = *first_advert.values().min().unwrap();
    let garp = first_garp.expect("no GARP seen");
    assert!(
        last < garp,
        "the last first advert came {:?} after the first GARP",
        last - garp
    );
    assert!(
        last - first < Duration::from_millis(100),
        "first adverts spread over {:?}",
        last - first
    );
    eprintln!(
        "{M} instances: first adverts within {:?}; first GARP {:?} after the last",
        last - first,
        garp - last
    );
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
