//! GARP and NA frames sent with an Announcer from one namespace, captured with an
//! AF_PACKET socket (pnet_datalink) on the veth peer in another, and accepted by the
//! other kernel's neighbour cache.

mod common;

use common::{run, Netns};
use pnet_datalink::{Channel, Config};
use pnet_packet::arp::{ArpOperations, ArpPacket};
use pnet_packet::ethernet::{EtherTypes, EthernetPacket};
use pnet_packet::icmpv6::ndp::{NeighborAdvertFlags, NeighborAdvertPacket};
use pnet_packet::icmpv6::Icmpv6Types;
use pnet_packet::ipv6::Ipv6Packet;
use pnet_packet::Packet;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use vigil_net::{gratuitous_arp, unsolicited_na, Announcer, MacvlanMode, Rtnl};

/// RFC 5798 §7.3 virtual MACs for VRID 7.
const VMAC4: [u8; 6] = [0x00, 0x00, 0x5e, 0x00, 0x01, 0x07];
const VMAC6: [u8; 6] = [0x00, 0x00, 0x5e, 0x00, 0x02, 0x07];

/// Two namespaces joined by a veth: `a` has vA, `b` has vB; both up.
fn pair() -> Option<(Netns, Netns)> {
    let a = Netns::new()?;
    let b = Netns::new()?;
    a.ip(&[
        "link", "add", "vA", "type", "veth", "peer", "name", "vB", "netns", &b.name,
    ]);
    a.ip(&["link", "set", "vA", "up"]);
    b.ip(&["link", "set", "vB", "up"]);
    Some((a, b))
}

/// Starts capturing on `dev` in `ns`; returns once the capture is open, and a
/// receiver for the frames seen within `secs`.
fn capture(ns: &Netns, dev: &'static str, secs: u64) -> mpsc::Receiver<Vec<u8>> {
    let (tx, rx) = mpsc::channel();
    let (ready_tx, ready_rx) = mpsc::channel();
    let path = format!("/run/netns/{}", ns.name);
    std::thread::spawn(move || {
        let f = std::fs::File::open(path).expect("netns");
        nix::sched::setns(&f, nix::sched::CloneFlags::CLONE_NEWNET).expect("setns");
        let iface = pnet_datalink::interfaces()
            .into_iter()
            .find(|i| i.name == dev)
            .expect("capture interface");
        let config = Config {
            read_timeout: Some(Duration::from_millis(50)),
            ..Config::default()
        };
        let Ok(Channel::Ethernet(_tx, mut rx)) = pnet_datalink::channel(&iface, config) else {
            panic!("capture channel");
        };
        ready_tx.send(()).expect("ready");
        let end = Instant::now() + Duration::from_secs(secs);
        while Instant::now() < end {
            if let Ok(frame) = rx.next() {
                if tx.send(frame.to_vec()).is_err() {
                    return;
                }
            }
        }
    });
    ready_rx.recv().expect("capture started");
    rx
}

/// The first captured frame accepted by `pick`, waiting up to the capture's end.
fn first<T>(rx: &mpsc::Receiver<Vec<u8>>, pick: impl Fn(&[u8]) -> Option<T>) -> Option<T> {
    while let Ok(f) = rx.recv() {
        if let Some(t) = pick(&f) {
            return Some(t);
        }
    }
    None
}

#[test]
fn garp_from_a_vmac_arrives_on_the_peer_and_updates_its_arp_cache() {
    let Some((a, b)) = pair() else { return };
    // b knows 192.0.2.10 at an old MAC; locktime 0 lets an ARP override it at once.
    b.ip(&["addr", "add", "192.0.2.2/24", "dev", "vB"]);
    b.ip(&[
        "neigh",
        "add",
        "192.0.2.10",
        "lladdr",
        "02:00:00:00:00:99",
        "nud",
        "stale",
        "dev",
        "vB",
    ]);
    run(
        "ip",
        &[
            "netns",
            "exec",
            &b.name,
            "sysctl",
            "-qw",
            "net.ipv4.neigh.vB.locktime=0",
        ],
    );
    let rx = capture(&b, "vB", 3);
    a.run(|| {
        let mut r = Rtnl::open().expect("rtnl");
        let parent = r.ifindex("vA").expect("vA");
        let vmac = r
            .add_macvlan("vrrp.7", parent, VMAC4, MacvlanMode::Private)
            .expect("vmac");
        r.set_link_up(vmac, true).expect("up");
        let mut ann = Announcer::open(vmac).expect("announcer");
        ann.send(&gratuitous_arp(VMAC4, Ipv4Addr::new(192, 0, 2, 10)))
            .expect("send");
    });
    let (src, sha, spa, tpa) = first(&rx, |f| {
        let eth = EthernetPacket::new(f)?;
        if eth.get_ethertype() != EtherTypes::Arp {
            return None;
        }
        let arp = ArpPacket::new(eth.payload())?;
        (arp.get_operation() == ArpOperations::Request).then(|| {
            (
                eth.get_source().octets(),
                arp.get_sender_hw_addr().octets(),
                arp.get_sender_proto_addr(),
                arp.get_target_proto_addr(),
            )
        })
    })
    .expect("the GARP arrives on vB");
    assert_eq!(src, VMAC4);
    assert_eq!(sha, VMAC4);
    assert_eq!(spa, Ipv4Addr::new(192, 0, 2, 10));
    assert_eq!(tpa, spa);
    let neigh = b.ip_json(&["neigh", "show", "192.0.2.10", "dev", "vB"]);
    assert_eq!(neigh[0]["lladdr"], "00:00:5e:00:01:07", "{neigh}");
}

#[test]
fn unsolicited_na_arrives_on_the_peer_and_overrides_its_neighbour_cache() {
    let Some((a, b)) = pair() else { return };
    let target: Ipv6Addr = "2001:db8::10".parse().expect("addr");
    b.ip(&["-6", "addr", "add", "2001:db8::2/64", "dev", "vB", "nodad"]);
    b.ip(&[
        "-6",
        "neigh",
        "add",
        "2001:db8::10",
        "lladdr",
        "02:00:00:00:00:99",
        "nud",
        "stale",
        "dev",
        "vB",
    ]);
    let rx = capture(&b, "vB", 3);
    a.run(move || {
        let mut r = Rtnl::open().expect("rtnl");
        let parent = r.ifindex("vA").expect("vA");
        let vmac = r
            .add_macvlan("vrrp.7", parent, VMAC6, MacvlanMode::Private)
            .expect("vmac");
        r.set_link_up(vmac, true).expect("up");
        let mut ann = Announcer::open(vmac).expect("announcer");
        ann.send(&unsolicited_na(VMAC6, target, target, false))
            .expect("send");
    });
    let (src, tgt, flags, hop) = first(&rx, |f| {
        let eth = EthernetPacket::new(f)?;
        if eth.get_ethertype() != EtherTypes::Ipv6 {
            return None;
        }
        let ip6 = Ipv6Packet::new(eth.payload())?;
        let na = NeighborAdvertPacket::new(ip6.payload())?;
        (na.get_icmpv6_type() == Icmpv6Types::NeighborAdvert && na.get_target_addr() == target)
            .then(|| {
                (
                    eth.get_source().octets(),
                    na.get_target_addr(),
                    na.get_flags(),
                    ip6.get_hop_limit(),
                )
            })
    })
    .expect("the NA arrives on vB");
    assert_eq!(src, VMAC6);
    assert_eq!(tgt, target);
    assert_eq!(flags, NeighborAdvertFlags::Override);
    assert_eq!(hop, 255);
    // b's kernel checked hop limit and checksum and took the override.
    let neigh = b.ip_json(&["-6", "neigh", "show", "2001:db8::10", "dev", "vB"]);
    assert_eq!(neigh[0]["lladdr"], "00:00:5e:00:02:07", "{neigh}");
}

#[test]
fn sending_on_a_down_interface_is_a_named_error() {
    let Some(ns) = Netns::new() else { return };
    ns.ip(&["link", "add", "v0", "type", "veth", "peer", "name", "v1"]);
    let err = ns.run(|| {
        let idx = Rtnl::open().expect("rtnl").ifindex("v0").expect("v0");
        let mut ann = Announcer::open(idx).expect("announcer");
        let e = ann
            .send(&gratuitous_arp(VMAC4, Ipv4Addr::new(192, 0, 2, 1)))
            .expect_err("v0 is down");
        (idx, e)
    });
    assert_eq!(err.1.errno(), Some(nix::errno::Errno::ENETDOWN));
    assert!(
        err.1.to_string().contains(&format!("ifindex {}", err.0)),
        "{}",
        err.1
    );
}
