//! What vigil-vrrpd puts on the wire, from a capture on the lab's bridge: advert
//! cadence, GARP / NA bursts, the priority-0 advert at shutdown.

#![allow(clippy::unwrap_used)] // tests may unwrap (STYLE)

mod common;

use common::{lab, v3_conf, Node};
use std::net::IpAddr;
use std::time::Duration;
use vigil_ipc::msg::vrrp::VrrpState;
use vigil_netlab::wire::{classify, Kind};

#[test]
fn rfc5798_6_4_3_advert_every_interval_garp_burst_and_priority_0_at_shutdown() {
    let (lab, hosts) = lab("w1", 2);
    let extra = "    virtual_ipaddress_excluded {\n        192.0.2.200/24\n    }\n";
    let cap = lab.capture().unwrap();
    let mut a = Node::start(&hosts[0], &v3_conf(150, extra));
    let mut b = Node::start(&hosts[1], &v3_conf(100, extra));
    a.wait_state(0, VrrpState::Master, Duration::from_secs(3));
    b.wait_state(0, VrrpState::Backup, Duration::from_secs(3));
    std::thread::sleep(Duration::from_millis(1000));
    // The excluded address is not advertised: b accepts a's adverts (same address list).
    assert_eq!(b.state(), Some(VrrpState::Backup));
    assert!(hosts[0].has_address("eth0", "192.0.2.200"));
    a.shutdown();
    std::thread::sleep(Duration::from_millis(100));
    let frames = cap.stop();
    let src: IpAddr = "192.0.2.1".parse().unwrap();
    let adverts: Vec<(Duration, u8)> = frames
        .iter()
        .filter_map(|f| match classify(&f.data) {
            Some(Kind::Advert {
                src: s,
                version: 3,
                vrid: 51,
                priority,
            }) if s == src => Some((f.at, priority)),
            _ => None,
        })
        .collect();
    let normal: Vec<Duration> = adverts
        .iter()
        .filter(|(_, p)| *p == 150)
        .map(|(t, _)| *t)
        .collect();
    assert!(normal.len() >= 9, "{} adverts", normal.len());
    let gaps: Vec<u128> = normal
        .windows(2)
        .map(|w| (w[1] - w[0]).as_micros())
        .collect();
    let mean = gaps.iter().sum::<u128>() / gaps.len() as u128;
    let max = gaps.iter().max().copied().unwrap_or(0);
    eprintln!(
        "advert interval: mean {mean} us, max {max} us over {} gaps",
        gaps.len()
    );
    assert!((95_000..=110_000).contains(&mean), "mean gap {mean} us");
    assert!(max < 250_000, "max gap {max} us");
    assert_eq!(
        adverts.last().map(|(_, p)| *p),
        Some(0),
        "no priority 0 advert at the end"
    );
    let garps = |ip: &str| {
        frames
            .iter()
            .filter(|f| f.from == "a")
            .filter(
                |f| matches!(classify(&f.data), Some(Kind::Garp { ip: g }) if g.to_string() == ip),
            )
            .count()
    };
    // keepalived's garp_master_repeat 5 from a (the second burst would be 5 s later;
    // b sends its own after taking over).
    assert_eq!(garps("192.0.2.100"), 5);
    assert_eq!(garps("192.0.2.200"), 5);
}

#[test]
fn rfc5798_6_4_2_ipv6_master_sends_unsolicited_nas() {
    let (lab, hosts) = lab("w2", 1);
    let cap = lab.capture().unwrap();
    let conf = r#"
vrrp_instance VI_6 {
    interface eth0
    virtual_router_id 61
    priority 100
    advert_int 0.1
    virtual_ipaddress {
        2001:db8::100/64
    }
}
"#;
    let mut a = Node::start(&hosts[0], conf);
    a.wait_state(0, VrrpState::Master, Duration::from_secs(3));
    std::thread::sleep(Duration::from_millis(300));
    let frames = cap.stop();
    let target: std::net::Ipv6Addr = "2001:db8::100".parse().unwrap();
    let nas = frames
        .iter()
        .filter(|f| matches!(classify(&f.data), Some(Kind::Na { target: t }) if t == target))
        .count();
    assert_eq!(nas, 5);
    let adverts = frames
        .iter()
        .filter(|f| matches!(classify(&f.data), Some(Kind::Advert { vrid: 61, version: 3, src: IpAddr::V6(s), .. }) if s.segments()[0] == 0xfe80))
        .count();
    assert!(
        adverts >= 2,
        "{adverts} IPv6 adverts from a link-local source"
    );
}
