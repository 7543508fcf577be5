//! `use_vmac`: the macvlan with the virtual router MAC (RFC 5798 §7.3) carries adverts
//! and VIPs, and goes away when the instance stops.

#![allow(clippy::unwrap_used)] // tests may unwrap (STYLE)

mod common;

use common::{lab, v3_conf, wait_until, Node};
use std::time::Duration;
use vigil_ipc::msg::vrrp::VrrpState;
use vigil_netlab::wire::{classify, src_mac, Kind};

fn link_exists(h: &vigil_netlab::Host, name: &str) -> bool {
    h.run(&format!("ip link show {name}")).is_ok()
}

#[test]
fn rfc5798_7_3_use_vmac_sends_from_the_virtual_mac_and_holds_the_vips() {
    let (lab, hosts) = lab("v1", 2);
    let cap = lab.capture().unwrap();
    let mut a = Node::start(&hosts[0], &v3_conf(150, "    use_vmac\n"));
    let mut b = Node::start(&hosts[1], &v3_conf(100, "    use_vmac\n"));
    a.wait_state(0, VrrpState::Master, Duration::from_secs(3));
    b.wait_state(0, VrrpState::Backup, Duration::from_secs(3));
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(b.state(), Some(VrrpState::Backup), "log:\n{}", b.log());
    assert!(link_exists(&hosts[0], "vrrp.51") && link_exists(&hosts[1], "vrrp.51"));
    let mac = hosts[0].run("cat /sys/class/net/vrrp.51/address").unwrap();
    assert_eq!(mac.trim(), "00:00:5e:00:01:33");
    assert!(hosts[0].has_address("vrrp.51", "192.0.2.100"));
    assert!(!hosts[0].has_address("eth0", "192.0.2.100"));
    assert!(!hosts[1].has_address("vrrp.51", "192.0.2.100"));

    a.kill9();
    b.wait_state(0, VrrpState::Master, Duration::from_secs(1));
    wait_until("VIP on b's VMAC", Duration::from_secs(1), || {
        hosts[1].has_address("vrrp.51", "192.0.2.100")
    });
    std::thread::sleep(Duration::from_millis(200));
    let frames = cap.stop();
    let vmac = [0, 0, 0x5e, 0, 1, 51];
    for from in ["a", "b"] {
        let adverts: Vec<_> = frames
            .iter()
            .filter(|f| f.from == from)
            .filter(|f| matches!(classify(&f.data), Some(Kind::Advert { vrid: 51, .. })))
            .collect();
        assert!(!adverts.is_empty(), "no adverts from {from}");
        assert!(
            adverts.iter().all(|f| src_mac(&f.data) == Some(vmac)),
            "an advert from {from} not from the VMAC"
        );
    }
    let garps = frames
        .iter()
        .filter(|f| f.from == "b" && matches!(classify(&f.data), Some(Kind::Garp { .. })))
        .count();
    assert_eq!(garps, 5);

    // keepalived's sysctls on the VMAC and its parent, put back on the parent at stop.
    let sysctl = |key: &str| {
        hosts[1]
            .run(&format!("cat /proc/sys/net/ipv4/conf/{key}"))
            .unwrap()
    };
    assert_eq!(sysctl("vrrp.51/arp_ignore").trim(), "1");
    assert_eq!(sysctl("eth0/arp_filter").trim(), "1");
    let (status, _) = b.shutdown();
    assert_eq!(status.code(), Some(0));
    assert!(!link_exists(&hosts[1], "vrrp.51"), "VMAC left behind");
    assert_eq!(sysctl("eth0/arp_filter").trim(), "0");
}

#[test]
fn rfc5798_7_3_ipv6_use_vmac_elects_and_holds_the_vip() {
    let (_lab, hosts) = lab("v2", 2);
    let conf = |p: u8| {
        format!(
            r#"
vrrp_instance VI_6 {{
    interface eth0
    virtual_router_id 61
    priority {p}
    advert_int 0.1
    use_vmac
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
    assert_eq!(b.state(), Some(VrrpState::Backup), "log:\n{}", b.log());
    let mac = hosts[0].run("cat /sys/class/net/vrrp.61/address").unwrap();
    assert_eq!(mac.trim(), "00:00:5e:00:02:3d");
    assert!(hosts[0].has_address("vrrp.61", "2001:db8::100"));
    let st = b.status_request(1);
    assert!(st[0].master.unwrap().to_string().starts_with("fe80:"));
    a.kill9();
    b.wait_state(0, VrrpState::Master, Duration::from_secs(1));
    wait_until("VIP on b's VMAC", Duration::from_secs(1), || {
        hosts[1].has_address("vrrp.61", "2001:db8::100")
    });
}

/// The Ethernet source of the adverts `from` sent, and whether they went to the group.
fn advert_sources(frames: &[vigil_netlab::Frame], from: &str) -> Vec<([u8; 6], bool)> {
    frames
        .iter()
        .filter(|f| f.from == from)
        .filter(|f| matches!(classify(&f.data), Some(Kind::Advert { vrid: 51, .. })))
        .filter_map(|f| Some((src_mac(&f.data)?, f.data.get(30..34)? == [224, 0, 0, 18])))
        .collect()
}

#[test]
fn vmac_xmit_base_with_unicast_peers_sends_from_the_base_interface_as_keepalived() {
    // keepalived 2.2.7 (vrrp_parser.c) needs vmac_xmit_base for unicast with use_vmac;
    // with it the adverts leave from the base interface and its MAC, the VIPs and their
    // GARPs stay on the VMAC (observed with keepalived on a namespace lab).
    let (lab, hosts) = lab("vu", 2);
    let cap = lab.capture().unwrap();
    let extra = |me: u8, peer: u8| {
        format!(
            "    use_vmac\n    vmac_xmit_base\n    unicast_src_ip 192.0.2.{me}\n    \
             unicast_peer {{\n        192.0.2.{peer}\n    }}\n"
        )
    };
    let mut a = Node::start(&hosts[0], &v3_conf(150, &extra(1, 2)));
    let mut b = Node::start(&hosts[1], &v3_conf(100, &extra(2, 1)));
    a.wait_state(0, VrrpState::Master, Duration::from_secs(3));
    b.wait_state(0, VrrpState::Backup, Duration::from_secs(3));
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(b.state(), Some(VrrpState::Backup), "log:\n{}", b.log());
    assert!(hosts[0].has_address("vrrp.51", "192.0.2.100"));
    assert!(!hosts[1].has_address("vrrp.51", "192.0.2.100"));
    a.kill9();
    b.wait_state(0, VrrpState::Master, Duration::from_secs(1));
    wait_until("VIP on b's VMAC", Duration::from_secs(1), || {
        hosts[1].has_address("vrrp.51", "192.0.2.100")
    });
    std::thread::sleep(Duration::from_millis(200));
    let frames = cap.stop();
    let base = |h: &vigil_netlab::Host| {
        let out = h.run("ip -o link show dev eth0").unwrap();
        let w = out
            .split_whitespace()
            .skip_while(|w| *w != "link/ether")
            .nth(1)
            .unwrap()
            .to_string();
        let mut m = [0u8; 6];
        for (i, b) in w.split(':').enumerate() {
            m[i] = u8::from_str_radix(b, 16).unwrap();
        }
        m
    };
    for (host, from) in [(&hosts[0], "a"), (&hosts[1], "b")] {
        let sources = advert_sources(&frames, from);
        assert!(!sources.is_empty(), "no adverts from {from}");
        let own = base(host);
        assert!(
            sources.iter().all(|&(mac, group)| mac == own && !group),
            "{from}: unicast adverts from its base MAC: {sources:?}"
        );
    }
    let vmac = [0, 0, 0x5e, 0, 1, 51];
    let garps: Vec<_> = frames
        .iter()
        .filter(|f| f.from == "b" && matches!(classify(&f.data), Some(Kind::Garp { .. })))
        .map(|f| src_mac(&f.data))
        .collect();
    assert!(!garps.is_empty());
    assert!(garps.iter().all(|m| *m == Some(vmac)), "{garps:?}");
    let (status, _) = b.shutdown();
    assert_eq!(status.code(), Some(0));
    assert!(!link_exists(&hosts[1], "vrrp.51"), "VMAC left behind");
}
