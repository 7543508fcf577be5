//! `use_vmac` with real vigild nodes and a client on a bridge (RFC 5798 §7.3): the
//! master holds the virtual address on the macvlan `vrrp.VRID` whose MAC is the virtual
//! router MAC; adverts and GARPs leave from that MAC (with `vmac_xmit_base` the adverts
//! leave from the base interface's own MAC, as keepalived 2.2.7 sends them); the
//! client's neighbour entry for the virtual address is the virtual MAC and stays so
//! across a failover, while its pings keep being answered; a stopped node removes its
//! VMAC interface. vigil and keepalived with `use_vmac` elect each other correctly.
//! See `vigil_e2e::vmac` for the lab's two subnets. Needs root (and keepalived).
#![allow(clippy::unwrap_used)]

use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;
use std::process::{Child, Command};
use std::time::{Duration, Instant};
use vigil_e2e::failover::wait;
use vigil_e2e::vmac::{self, VmacConf, VmacFamily};
use vigil_e2e::{serial, Daemon, Node};
use vigil_netlab::wire::{classify, src_mac, Kind};
use vigil_netlab::{Frame, Host, Lab};

fn holds(n: &Node, c: &VmacConf) -> bool {
    n.host.has_address(&c.ifname(), c.vip())
}

fn logs(nodes: &[Node]) -> String {
    nodes
        .iter()
        .map(|n| format!("--- {} ---\n{}", n.host.name(), n.host.log()))
        .collect()
}

/// A ping from the client every 20 ms for a fixed time, across a failover.
struct Pinger {
    child: Child,
    out: PathBuf,
}

/// What a [`Pinger`] saw.
#[derive(Debug)]
struct PingResult {
    sent: u32,
    answered: u32,
    /// The longest run of unanswered pings, in ms (20 ms each).
    longest_gap_ms: u32,
}

impl Pinger {
    fn start(client: &Host, dir: &std::path::Path, vip: &str, secs: u32) -> Pinger {
        let out = dir.join("ping.txt");
        let mut cmd = Command::new("ping");
        cmd.args(["-n", "-i", "0.02", "-W", "1", "-w", &secs.to_string(), vip]);
        let child = client.spawn_logging_to(&mut cmd, &out).unwrap();
        Pinger { child, out }
    }

    fn finish(mut self) -> PingResult {
        let _ = self.child.wait();
        let text = std::fs::read_to_string(&self.out).unwrap_or_default();
        let seqs: Vec<u32> = text
            .lines()
            .filter_map(|l| l.split("icmp_seq=").nth(1))
            .filter_map(|r| r.split_whitespace().next()?.parse().ok())
            .collect();
        let sent: u32 = text
            .lines()
            .find(|l| l.contains("packets transmitted"))
            .and_then(|l| l.split_whitespace().next()?.parse().ok())
            .unwrap_or(0);
        let mut longest = 0;
        let mut prev = 0;
        for &s in &seqs {
            longest = longest.max(s.saturating_sub(prev).saturating_sub(1));
            prev = s;
        }
        longest = longest.max(sent.saturating_sub(prev));
        PingResult {
            sent,
            answered: u32::try_from(seqs.len()).unwrap_or(0),
            longest_gap_ms: longest * 20,
        }
    }
}

/// Every ARP frame whose sender protocol address is the VIP: (Ethernet source, ARP
/// sender hardware address, host it came from).
fn arps_for(frames: &[Frame], vip: Ipv4Addr) -> Vec<([u8; 6], [u8; 6], String)> {
    frames
        .iter()
        .filter(|f| f.data.get(28..32) == Some(&vip.octets()[..]))
        .filter_map(|f| {
            Some((
                src_mac(&f.data)?,
                vmac::arp_sender_mac(&f.data)?,
                f.from.clone(),
            ))
        })
        .collect()
}

/// The adverts of VRID `vrid` from `host`: (Ethernet source, IP source).
fn adverts_from(frames: &[Frame], host: &str, vrid: u8) -> Vec<([u8; 6], IpAddr)> {
    frames
        .iter()
        .filter(|f| f.from == host)
        .filter_map(|f| match classify(&f.data) {
            Some(Kind::Advert { src, vrid: v, .. }) if v == vrid => Some((src_mac(&f.data)?, src)),
            _ => None,
        })
        .collect()
}

fn garps_from(frames: &[Frame], host: &str, vip: IpAddr) -> usize {
    frames
        .iter()
        .filter(|f| f.from == host)
        .filter(|f| matches!(classify(&f.data), Some(Kind::Garp { ip }) if IpAddr::V4(ip) == vip))
        .count()
}

/// The client reaches the VIP: one of three pings is answered (right after a
/// takeover the bridge may still send the first to the old master's port).
/// Both nodes sent GARPs for the (IPv4) VIP, and every ARP for it carried the
/// virtual MAC, in the Ethernet header and as the sender.
fn both_garp_from_the_virtual_mac(frames: &[Frame], c: &VmacConf, what: &str) {
    let vip: IpAddr = c.vip().parse().unwrap();
    assert!(garps_from(frames, "lb1", vip) >= 1 && garps_from(frames, "lb2", vip) >= 1);
    let IpAddr::V4(vip4) = vip else { panic!() };
    let arps = arps_for(frames, vip4);
    assert!(
        arps.iter()
            .all(|(eth, sha, _)| *eth == c.mac() && *sha == c.mac()),
        "{what}: {arps:?}"
    );
}

fn reach(client: &Host, c: &VmacConf, what: &str) {
    if let Err(e) = client.run(&format!("ping -n -c 3 -i 0.2 -W 1 {}", c.vip())) {
        panic!("{what}: the client cannot reach {}: {e}", c.vip());
    }
}

fn node_ip(c: &VmacConf, n: u8) -> IpAddr {
    c.node_addr(n).split('/').next().unwrap().parse().unwrap()
}

/// Starts a vigil pair (lb1 150, lb2 100) with `c` and waits for lb1 to hold the VIP
/// on its VMAC and lb2 to have its VMAC without the VIP.
fn elected_pair(tag: &str, c: &VmacConf) -> (Lab, Vec<Node>, Host, vigil_netlab::Capture) {
    let mut lab = Lab::new(tag).unwrap();
    let (mut nodes, client) =
        vmac::build(&mut lab, c, &[(Daemon::Vigil, 150), (Daemon::Vigil, 100)]).unwrap();
    let cap = lab.capture().unwrap();
    for n in nodes.iter_mut() {
        n.start().unwrap();
    }
    assert!(
        wait(Duration::from_secs(10), || holds(&nodes[0], c)
            && vmac::has_link(&nodes[1].host, &c.ifname())),
        "lb1 holds {} on {}; logs:\n{}",
        c.vip(),
        c.ifname(),
        logs(&nodes)
    );
    // Stable: lb2 hears lb1 and stays BACKUP.
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        holds(&nodes[0], c) && !holds(&nodes[1], c),
        "{}",
        logs(&nodes)
    );
    (lab, nodes, client, cap)
}

#[test]
fn rfc5798_7_3_the_vip_lives_on_the_virtual_mac_and_the_client_keeps_it_across_a_failover() {
    let _g = serial();
    let c = VmacConf::v4();
    let (lab, mut nodes, client, cap) = elected_pair("vm", &c);
    let vif = c.ifname();
    assert_eq!(vmac::link_mac(&nodes[0].host, &vif), Some(c.mac()));
    assert_eq!(vmac::link_mac(&nodes[1].host, &vif), Some(c.mac()));
    assert!(!nodes[0].host.has_address("eth0", c.vip()));
    client.run(&format!("ping -c 1 -W 2 {}", c.vip())).unwrap();
    assert_eq!(vmac::neighbour_mac(&client, c.vip()), Some(c.mac()));

    let ping = Pinger::start(&client, lab.dir(), c.vip(), 3);
    std::thread::sleep(Duration::from_millis(500));
    // A graceful stop: priority 0, the VIP and the VMAC interface go (keepalived
    // removes a stopped instance's VMAC).
    assert!(nodes[0].stop(Duration::from_secs(5)), "lb1 stops");
    assert!(
        wait(Duration::from_secs(3), || holds(&nodes[1], &c)),
        "lb2 takes over; log:\n{}",
        nodes[1].host.log()
    );
    assert!(
        !vmac::has_link(&nodes[0].host, &vif),
        "lb1 left {vif} behind"
    );
    let p = ping.finish();
    eprintln!(
        "ping across the failover: {}/{} answered, longest gap {} ms",
        p.answered, p.sent, p.longest_gap_ms
    );
    assert!(p.sent > 50, "{p:?}");
    // Skew_Time of priority 100 at 0.1 s is 61 ms; scheduling on a loaded machine
    // adds some, a stale neighbour entry would add seconds.
    assert!(p.longest_gap_ms <= 500, "{p:?}");
    assert_eq!(
        vmac::neighbour_mac(&client, c.vip()),
        Some(c.mac()),
        "the client's neighbour entry is still the virtual MAC"
    );
    client.run(&format!("ping -c 1 -W 2 {}", c.vip())).unwrap();

    let frames = cap.stop();
    for (n, host) in [(1, "lb1"), (2, "lb2")] {
        let adverts = adverts_from(&frames, host, c.vrid);
        assert!(!adverts.is_empty(), "no adverts from {host}");
        assert!(
            adverts
                .iter()
                .all(|(mac, src)| *mac == c.mac() && *src == node_ip(&c, n)),
            "{host}'s adverts come from the virtual MAC and its own address: {adverts:?}"
        );
    }
    both_garp_from_the_virtual_mac(
        &frames,
        &c,
        "every ARP for the VIP (GARPs, replies, requests) carries the virtual MAC",
    );
    assert!(nodes[1].stop(Duration::from_secs(5)));
    assert!(
        !vmac::has_link(&nodes[1].host, &vif),
        "lb2 left {vif} behind"
    );
}

#[test]
fn a_killed_vrrpd_loses_the_vip_on_its_vmac_at_once_and_the_client_follows() {
    let _g = serial();
    let c = VmacConf::v4();
    let (lab, nodes, client, cap) = elected_pair("vk", &c);
    drop(cap);
    client.run(&format!("ping -c 1 -W 2 {}", c.vip())).unwrap();
    let old = nodes[0].vrrp_pid().unwrap();
    let ping = Pinger::start(&client, lab.dir(), c.vip(), 3);
    std::thread::sleep(Duration::from_millis(300));
    let t = Instant::now();
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(old),
        nix::sys::signal::Signal::SIGKILL,
    )
    .unwrap();
    // vigild removes the VIP from lb1's VMAC before restarting vrrpd (the VIP rule).
    assert!(
        wait(Duration::from_secs(2), || !holds(&nodes[0], &c)),
        "the VIP stays on lb1's {}; log:\n{}",
        c.ifname(),
        nodes[0].host.log()
    );
    let gone = t.elapsed();
    assert!(
        wait(Duration::from_secs(3), || holds(&nodes[1], &c)),
        "lb2 takes over"
    );
    eprintln!(
        "VIP gone from lb1's VMAC {} ms after kill -9 of vrrpd",
        gone.as_millis()
    );
    assert!(gone < Duration::from_millis(500), "{gone:?}");
    // lb1's new vrrpd takes its VMAC over and, with the higher priority, preempts back.
    assert!(
        wait(Duration::from_secs(8), || holds(&nodes[0], &c)
            && !holds(&nodes[1], &c)),
        "lb1 preempts back; log:\n{}",
        nodes[0].host.log()
    );
    let p = ping.finish();
    eprintln!(
        "ping across kill -9 and preemption: {}/{} answered, longest gap {} ms",
        p.answered, p.sent, p.longest_gap_ms
    );
    assert!(p.sent > 50, "{p:?}");
    assert!(p.longest_gap_ms <= 1500, "{p:?}");
    assert_eq!(vmac::neighbour_mac(&client, c.vip()), Some(c.mac()));
    client.run(&format!("ping -c 1 -W 2 {}", c.vip())).unwrap();
    // vigild, not the restarted vrrpd, removed the VIP from the VMAC.
    let log = nodes[0].host.log();
    assert!(!log.contains("removing stale address"), "{log}");
}

#[test]
fn vmac_xmit_base_sends_adverts_from_the_base_interface_and_garps_from_the_vmac() {
    let _g = serial();
    let c = VmacConf {
        extra: "    vmac_xmit_base\n".into(),
        ..VmacConf::v4()
    };
    let (_lab, mut nodes, client, cap) = elected_pair("vx", &c);
    let base = [
        vmac::link_mac(&nodes[0].host, "eth0").unwrap(),
        vmac::link_mac(&nodes[1].host, "eth0").unwrap(),
    ];
    client.run(&format!("ping -c 1 -W 2 {}", c.vip())).unwrap();
    assert_eq!(vmac::neighbour_mac(&client, c.vip()), Some(c.mac()));
    assert!(nodes[0].stop(Duration::from_secs(5)));
    assert!(
        wait(Duration::from_secs(3), || holds(&nodes[1], &c)),
        "lb2 takes over; log:\n{}",
        nodes[1].host.log()
    );
    // lb2 sends a few adverts as MASTER.
    std::thread::sleep(Duration::from_millis(300));
    client.run(&format!("ping -c 1 -W 2 {}", c.vip())).unwrap();
    assert_eq!(vmac::neighbour_mac(&client, c.vip()), Some(c.mac()));
    let frames = cap.stop();
    for (n, host) in [(1u8, "lb1"), (2, "lb2")] {
        let adverts = adverts_from(&frames, host, c.vrid);
        assert!(!adverts.is_empty(), "no adverts from {host}");
        let own = base[usize::from(n - 1)];
        assert!(
            adverts
                .iter()
                .all(|(mac, src)| *mac == own && *src == node_ip(&c, n)),
            "{host}'s adverts come from its base interface: {adverts:?}"
        );
    }
    both_garp_from_the_virtual_mac(&frames, &c, "the GARPs still come from the virtual MAC");
}

#[test]
fn rfc5798_7_3_ipv6_vmac_holds_the_vip_and_announces_it_from_the_virtual_mac() {
    let _g = serial();
    let c = VmacConf {
        family: VmacFamily::V6,
        vrid: 61,
        extra: String::new(),
    };
    let (_lab, mut nodes, client, cap) = elected_pair("v6", &c);
    assert_eq!(vmac::link_mac(&nodes[0].host, &c.ifname()), Some(c.mac()));
    client.run(&format!("ping -c 1 -W 2 {}", c.vip())).unwrap();
    assert_eq!(vmac::neighbour_mac(&client, c.vip()), Some(c.mac()));
    assert!(nodes[0].stop(Duration::from_secs(5)));
    assert!(
        wait(Duration::from_secs(3), || holds(&nodes[1], &c)),
        "lb2 takes over; log:\n{}",
        nodes[1].host.log()
    );
    assert!(!vmac::has_link(&nodes[0].host, &c.ifname()));
    client.run(&format!("ping -c 1 -W 2 {}", c.vip())).unwrap();
    assert_eq!(vmac::neighbour_mac(&client, c.vip()), Some(c.mac()));
    let frames = cap.stop();
    let vip: IpAddr = c.vip().parse().unwrap();
    let nas: Vec<_> = frames
        .iter()
        .filter(
            |f| matches!(classify(&f.data), Some(Kind::Na { target }) if IpAddr::V6(target) == vip),
        )
        .map(|f| {
            (
                f.from.clone(),
                src_mac(&f.data),
                vmac::na_target_mac(&f.data),
            )
        })
        .collect();
    assert!(nas.iter().any(|(h, _, _)| h == "lb2"), "{nas:?}");
    assert!(
        nas.iter()
            .all(|(_, eth, tll)| *eth == Some(c.mac()) && tll.is_none_or(|m| m == c.mac())),
        "NAs for the VIP come from the virtual MAC: {nas:?}"
    );
    for host in ["lb1", "lb2"] {
        let adverts = adverts_from(&frames, host, c.vrid);
        assert!(!adverts.is_empty(), "no adverts from {host}");
        assert!(
            adverts.iter().all(|(mac, src)| *mac == c.mac()
                && matches!(src, IpAddr::V6(a) if a.segments()[0] == 0xfe80)),
            "{host}: adverts from the virtual MAC and a link-local source: {adverts:?}"
        );
    }
}

#[test]
fn vigil_and_keepalived_with_use_vmac_elect_each_other_in_both_roles() {
    let _g = serial();
    let v6 = VmacConf {
        family: VmacFamily::V6,
        vrid: 61,
        extra: String::new(),
    };
    let xmit_base = VmacConf {
        extra: "    vmac_xmit_base\n".into(),
        ..VmacConf::v4()
    };
    for c in [VmacConf::v4(), xmit_base, v6] {
        let extra = format!("{:?} {}", c.family, c.extra.trim());
        for (high, low) in [
            (Daemon::Vigil, Daemon::Keepalived),
            (Daemon::Keepalived, Daemon::Vigil),
        ] {
            let what = format!("{} over {} ({extra})", high.name(), low.name());
            let mut lab = Lab::new("vi").unwrap();
            let (mut nodes, client) =
                vmac::build(&mut lab, &c, &[(low, 100), (high, 150)]).unwrap();
            for n in nodes.iter_mut() {
                n.start().unwrap();
            }
            assert!(
                wait(Duration::from_secs(10), || holds(&nodes[1], &c)),
                "{what}: the higher priority takes the VIP; logs:\n{}",
                logs(&nodes)
            );
            std::thread::sleep(Duration::from_millis(600));
            assert!(
                holds(&nodes[1], &c) && !holds(&nodes[0], &c),
                "{what}: one master; logs:\n{}",
                logs(&nodes)
            );
            reach(&client, &c, &what);
            assert_eq!(
                vmac::neighbour_mac(&client, c.vip()),
                Some(c.mac()),
                "{what}"
            );
            assert!(nodes[1].stop(Duration::from_secs(5)), "{what}");
            assert!(
                wait(Duration::from_secs(3), || holds(&nodes[0], &c)),
                "{what}: the lower priority takes over; logs:\n{}",
                logs(&nodes)
            );
            reach(&client, &c, &what);
            assert_eq!(
                vmac::neighbour_mac(&client, c.vip()),
                Some(c.mac()),
                "{what}"
            );
            eprintln!("{what}: elected, failed over, client on the virtual MAC");
        }
    }
}
