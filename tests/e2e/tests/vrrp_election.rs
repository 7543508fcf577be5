//! Elections of vigild nodes on a bridge: the highest priority wins and alone holds the
//! virtual address, announced with its own MAC; preemption, `nopreempt`,
//! `preempt_delay` and the address owner behave as RFC 5798 §6.4 and keepalived say.
//! Needs root.
#![allow(clippy::unwrap_used)]

use std::net::IpAddr;
use std::time::Duration;
use vigil_e2e::failover::{cluster, wait};
use vigil_e2e::{serial, timeline, Daemon, PairConf};
use vigil_netlab::{wire, Lab};

fn conf() -> PairConf {
    PairConf {
        advert_int: "0.1".into(),
        ..PairConf::default()
    }
}

fn mac(host: &vigil_netlab::Host) -> [u8; 6] {
    // /sys shows the mounting namespace's interfaces: ask ip inside the host's.
    let out = host.run("ip -o link show eth0").unwrap();
    let word = out
        .split_whitespace()
        .skip_while(|w| *w != "link/ether")
        .nth(1)
        .unwrap()
        .to_string();
    let mut m = [0u8; 6];
    for (i, b) in word.split(':').enumerate() {
        m[i] = u8::from_str_radix(b, 16).unwrap();
    }
    m
}

#[test]
fn three_nodes_elect_the_highest_priority_rfc5798_6_4_2() {
    let _g = serial();
    let c = conf();
    let mut lab = Lab::new("el3").unwrap();
    let mut nodes = cluster(
        &mut lab,
        &c,
        &[
            (Daemon::Vigil, 100),
            (Daemon::Vigil, 200),
            (Daemon::Vigil, 150),
        ],
        |_, t| t,
    )
    .unwrap();
    let cap = lab.capture().unwrap();
    for n in nodes.iter_mut() {
        n.start().unwrap();
    }
    assert!(
        wait(Duration::from_secs(5), || nodes[1].holds(c.vip())),
        "lb2 (priority 200) becomes MASTER; log:\n{}",
        nodes[1].host.log()
    );
    // Stable: for a second, only lb2 holds the address.
    for _ in 0..50 {
        assert!(nodes[1].holds(c.vip()));
        assert!(!nodes[0].holds(c.vip()) && !nodes[2].holds(c.vip()));
        std::thread::sleep(Duration::from_millis(20));
    }
    let events = timeline::events(&cap.stop());
    let vip: IpAddr = c.vip().parse().unwrap();
    // The GARP comes from the master, with its own MAC as the Ethernet source.
    let garp = events
        .iter()
        .find(|e| timeline::announces(&e.kind, vip))
        .expect("a gratuitous ARP for the VIP");
    assert_eq!(garp.from, "lb2");
    let lb2_mac = mac(&nodes[1].host);
    let cap2 = lab.capture().unwrap();
    std::thread::sleep(Duration::from_millis(350));
    let frames = cap2.stop();
    let adverts: Vec<_> = frames
        .iter()
        .filter(|f| matches!(wire::classify(&f.data), Some(wire::Kind::Advert { .. })))
        .collect();
    assert!(!adverts.is_empty(), "adverts flow");
    assert!(
        adverts
            .iter()
            .all(|f| f.from == "lb2" && wire::src_mac(&f.data) == Some(lb2_mac)),
        "only the master advertises, from its own MAC"
    );
}

#[test]
fn a_higher_priority_node_preempts_a_running_master_rfc5798_6_4_3() {
    let _g = serial();
    let c = conf();
    let mut lab = Lab::new("pre").unwrap();
    let mut nodes = cluster(
        &mut lab,
        &c,
        &[(Daemon::Vigil, 100), (Daemon::Vigil, 200)],
        |_, t| t,
    )
    .unwrap();
    nodes[0].start().unwrap();
    assert!(wait(Duration::from_secs(5), || nodes[0].holds(c.vip())));
    nodes[1].start().unwrap();
    assert!(
        wait(Duration::from_secs(3), || nodes[1].holds(c.vip())
            && !nodes[0].holds(c.vip())),
        "lb2 preempts and lb1 releases; lb1 log:\n{}",
        nodes[0].host.log()
    );
}

#[test]
fn nopreempt_leaves_a_lower_priority_master_in_place() {
    let _g = serial();
    let c = conf();
    let mut lab = Lab::new("nop").unwrap();
    let mut nodes = cluster(
        &mut lab,
        &c,
        &[(Daemon::Vigil, 100), (Daemon::Vigil, 200)],
        |_, t| t.replace("    state BACKUP\n", "    state BACKUP\n    nopreempt\n"),
    )
    .unwrap();
    nodes[0].start().unwrap();
    assert!(wait(Duration::from_secs(5), || nodes[0].holds(c.vip())));
    nodes[1].start().unwrap();
    // Two seconds: many Master_Down_Intervals; lb2 hears lb1 and stays BACKUP.
    std::thread::sleep(Duration::from_secs(2));
    assert!(nodes[0].holds(c.vip()), "lb1 stays MASTER");
    assert!(
        !nodes[1].holds(c.vip()),
        "lb2 (nopreempt) does not take over"
    );
}

#[test]
fn preempt_delay_holds_off_preemption_for_its_time() {
    let _g = serial();
    let c = conf();
    let mut lab = Lab::new("pd").unwrap();
    let mut nodes = cluster(
        &mut lab,
        &c,
        &[(Daemon::Vigil, 100), (Daemon::Vigil, 200)],
        |_, t| {
            t.replace(
                "    state BACKUP\n",
                "    state BACKUP\n    preempt_delay 2\n",
            )
        },
    )
    .unwrap();
    nodes[0].start().unwrap();
    assert!(wait(Duration::from_secs(5), || nodes[0].holds(c.vip())));
    nodes[1].start().unwrap();
    std::thread::sleep(Duration::from_millis(1200));
    assert!(
        !nodes[1].holds(c.vip()),
        "lb2 waits for its preempt delay (2 s)"
    );
    assert!(
        wait(Duration::from_secs(3), || nodes[1].holds(c.vip())),
        "then lb2 preempts"
    );
    assert!(wait(Duration::from_secs(1), || !nodes[0].holds(c.vip())));
}

#[test]
fn the_address_owner_takes_over_at_once_rfc5798_6_4_1() {
    let _g = serial();
    let c = conf();
    let mut lab = Lab::new("own").unwrap();
    let mut nodes = cluster(
        &mut lab,
        &c,
        &[(Daemon::Vigil, 100), (Daemon::Vigil, 255)],
        |n, t| {
            if n == 2 {
                t.replace("    state BACKUP\n", "    state MASTER\n")
            } else {
                t
            }
        },
    )
    .unwrap();
    nodes[0].start().unwrap();
    assert!(wait(Duration::from_secs(5), || nodes[0].holds(c.vip())));
    let start = std::time::Instant::now();
    nodes[1].start().unwrap();
    assert!(
        wait(Duration::from_secs(2), || nodes[1].holds(c.vip())),
        "the owner becomes MASTER"
    );
    // Owner at startup goes straight to MASTER: no Master_Down_Interval wait
    // (process start included, well under 3 × advert_int).
    assert!(
        start.elapsed() < Duration::from_millis(300),
        "took {:?}",
        start.elapsed()
    );
    assert!(wait(Duration::from_secs(1), || !nodes[0].holds(c.vip())));
}
