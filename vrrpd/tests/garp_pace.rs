//! GARP / NA pacing on the wire (keepalived `vrrp_garp_interval`, `vrrp_gna_interval`,
//! `garp_group`), from a capture on the lab's bridges. What is expected is what
//! keepalived 2.2.7 sent in the same set-up (see `vrrpd/src/pace.rs`).
//!
//! Spacing tolerance: the daemon marks a lane busy until one interval after the
//! sendto of its last frame has returned, so successive sendto calls are at least the
//! interval apart. On the wire (stamped where the frame enters the bridge) a gap can
//! be shorter only by how much longer the earlier frame took from sendto to the
//! bridge than the later one: the veth hands it to the bridge in softirq context,
//! which a loaded machine may defer to ksoftirqd. `SLACK` covers that on a loaded
//! 2-core machine; unpaced frames are tens of microseconds apart, so the check still
//! tells paced from unpaced by far.

#![allow(clippy::unwrap_used)] // tests may unwrap (STYLE)

mod common;

use std::net::IpAddr;
use std::time::Duration;

use common::{lab, Node};
use vigil_ipc::msg::vrrp::VrrpState;
use vigil_netlab::wire::{classify, Kind};
use vigil_netlab::Frame;

const SLACK: Duration = Duration::from_millis(5);

/// The announcements host `from` sent through bridge port `port`: (time, address).
fn announcements(frames: &[Frame], from: &str, port: &str) -> Vec<(Duration, IpAddr)> {
    frames
        .iter()
        .filter(|f| f.from == from && f.port == port)
        .filter_map(|f| match classify(&f.data) {
            Some(Kind::Garp { ip }) => Some((f.at, IpAddr::V4(ip))),
            Some(Kind::Na { target }) => Some((f.at, IpAddr::V6(target))),
            _ => None,
        })
        .collect()
}

fn only(list: &[(Duration, IpAddr)], v4: bool) -> Vec<(Duration, IpAddr)> {
    list.iter()
        .filter(|(_, a)| a.is_ipv4() == v4)
        .copied()
        .collect()
}

fn addrs(list: &[(Duration, IpAddr)]) -> Vec<String> {
    list.iter().map(|(_, a)| a.to_string()).collect()
}

/// Gaps between successive frames, in microseconds.
fn gaps(list: &[(Duration, IpAddr)]) -> Vec<u128> {
    list.windows(2)
        .map(|w| (w[1].0 - w[0].0).as_micros())
        .collect()
}

/// Every gap is at least `interval` less `SLACK`, the median at least `interval`, and
/// none absurdly long (a stuck queue).
fn assert_paced(what: &str, list: &[(Duration, IpAddr)], interval: Duration) {
    let mut g = gaps(list);
    eprintln!("{what}: gaps {g:?} us (interval {interval:?})");
    assert!(!g.is_empty(), "{what}: fewer than two frames");
    let floor = (interval - SLACK).as_micros();
    assert!(
        g.iter().all(|&x| x >= floor),
        "{what}: gap under {floor} us: {g:?}"
    );
    g.sort_unstable();
    assert!(
        g[g.len() / 2] >= interval.as_micros(),
        "{what}: median gap under the interval: {g:?}"
    );
    let ceiling = (interval + Duration::from_millis(250)).as_micros();
    assert!(
        g.iter().all(|&x| x < ceiling),
        "{what}: gap over {ceiling} us: {g:?}"
    );
}

/// Back to back: the whole burst within `within`.
fn assert_unpaced(what: &str, list: &[(Duration, IpAddr)], within: Duration) {
    let span = list.last().unwrap().0 - list.first().unwrap().0;
    eprintln!("{what}: {} frames in {span:?}", list.len());
    assert!(span < within, "{what}: burst took {span:?}");
}

fn instance(
    name: &str,
    ifname: &str,
    vrid: u8,
    priority: u8,
    vips: &[&str],
    extra: &str,
) -> String {
    let vips: String = vips.iter().map(|v| format!("        {v}\n")).collect();
    format!(
        "vrrp_instance {name} {{\n    interface {ifname}\n    virtual_router_id {vrid}\n    \
         priority {priority}\n    advert_int 0.1\n    version 3\n{extra}    \
         virtual_ipaddress {{\n{vips}    }}\n}}\n"
    )
}

/// The first advert of `vrid` from the host on `port` with `priority`.
fn first_advert(frames: &[Frame], port: &str, vrid: u8, priority: u8) -> Duration {
    frames
        .iter()
        .filter(|f| f.port == port)
        .find(|f| {
            matches!(classify(&f.data),
                Some(Kind::Advert { vrid: v, priority: p, .. }) if v == vrid && p == priority)
        })
        .map(|f| f.at)
        .unwrap_or_else(|| panic!("no advert of vrid {vrid} priority {priority} on {port}"))
}

#[test]
fn keepalived_vrrp_garp_interval_paces_each_interface_across_instances() {
    let (lab, hosts) = lab("gp1", 1);
    let interval = Duration::from_millis(40);
    let repeat = "    garp_master_repeat 3\n";
    let conf = format!(
        "global_defs {{\n    vrrp_garp_interval 0.04\n    vrrp_gna_interval 0.04\n    \
         vrrp_garp_master_delay 0\n}}\n{}{}{}",
        instance(
            "V1",
            "eth0",
            51,
            100,
            &["192.0.2.101/24", "192.0.2.102/24", "192.0.2.103/24"],
            repeat
        ),
        instance(
            "V2",
            "eth0",
            52,
            100,
            &["192.0.2.111/24", "192.0.2.112/24"],
            repeat
        ),
        instance(
            "V3",
            "eth0",
            53,
            100,
            &["2001:db8::101/64", "2001:db8::102/64"],
            repeat
        ),
    );
    let cap = lab.capture().unwrap();
    let mut a = Node::start(&hosts[0], &conf);
    for i in 0..3 {
        a.wait_state(i, VrrpState::Master, Duration::from_secs(3));
    }
    // The longest lane holds six frames: five intervals, and some margin.
    std::thread::sleep(5 * interval + Duration::from_millis(400));
    let frames = cap.stop();
    let sent = announcements(&frames, "a", "p-a");
    let garps = only(&sent, true);
    let nas = only(&sent, false);
    // keepalived: one pending flag per address, so garp_master_repeat 3 gives the
    // first address of the first instance twice (at once, then queued) and every other
    // address once; the second instance's addresses wait behind the first's, on the
    // same interface; instances, then addresses, in configuration order.
    assert_eq!(
        addrs(&garps),
        [
            "192.0.2.101",
            "192.0.2.101",
            "192.0.2.102",
            "192.0.2.103",
            "192.0.2.111",
            "192.0.2.112"
        ]
    );
    assert_paced("eth0 GARPs", &garps, interval);
    // NAs have their own lane with their own delay.
    assert_eq!(
        addrs(&nas),
        ["2001:db8::101", "2001:db8::101", "2001:db8::102"]
    );
    assert_paced("eth0 NAs", &nas, interval);
    // The first of a burst does not wait: it follows the first MASTER advert in the
    // same turn of the loop (a wait would put it one interval later).
    let advert = first_advert(&frames, "p-a", 51, 100);
    let lag = garps[0].0.saturating_sub(advert);
    eprintln!("first GARP {lag:?} after the first advert");
    assert!(
        lag < interval - SLACK,
        "first GARP {lag:?} after the advert"
    );
    a.shutdown();
}

#[test]
fn keepalived_garp_group_paces_only_its_interface_and_replaces_the_global_delays() {
    let (mut lab, hosts) = lab("gp2", 1);
    let a_host = &hosts[0];
    lab.link(a_host, "eth1", "br1").unwrap();
    a_host
        .run("ip addr add 198.51.100.1/24 dev eth1 && ip addr add 2001:db8:1::1/64 dev eth1 nodad")
        .unwrap();
    let interval = Duration::from_millis(40);
    let repeat = "    garp_master_repeat 3\n";
    // The group sets only garp_interval: eth1's NAs are not paced, although
    // vrrp_gna_interval is set (keepalived gives the group's interfaces the group's
    // delays only). eth0 has no delay at all: one burst, as without pacing.
    let conf = format!(
        "global_defs {{\n    vrrp_gna_interval 0.04\n    vrrp_garp_master_delay 0\n}}\n\
         garp_group {{\n    garp_interval 0.04\n    interface eth1\n}}\n{}{}{}",
        instance(
            "V1",
            "eth0",
            51,
            100,
            &["192.0.2.101/24", "192.0.2.102/24", "192.0.2.103/24"],
            repeat
        ),
        instance(
            "V2",
            "eth1",
            52,
            100,
            &[
                "198.51.100.101/24",
                "198.51.100.102/24",
                "198.51.100.103/24"
            ],
            repeat
        ),
        instance(
            "V3",
            "eth1",
            53,
            100,
            &["2001:db8:1::101/64", "2001:db8:1::102/64"],
            repeat
        ),
    );
    let cap = lab.capture().unwrap();
    let mut a = Node::start(a_host, &conf);
    for i in 0..3 {
        a.wait_state(i, VrrpState::Master, Duration::from_secs(3));
    }
    std::thread::sleep(3 * interval + Duration::from_millis(400));
    let frames = cap.stop();
    let eth0 = only(&announcements(&frames, "a", "p-a"), true);
    let eth1 = announcements(&frames, "a", "p-a-eth1");
    let (garps1, nas1) = (only(&eth1, true), only(&eth1, false));
    assert_eq!(
        eth0.len(),
        9,
        "3 VIPs x garp_master_repeat 3 on eth0: {eth0:?}"
    );
    assert_unpaced("eth0 GARPs", &eth0, interval / 2);
    assert_eq!(
        addrs(&garps1),
        [
            "198.51.100.101",
            "198.51.100.101",
            "198.51.100.102",
            "198.51.100.103"
        ]
    );
    assert_paced("eth1 GARPs", &garps1, interval);
    assert_eq!(
        nas1.len(),
        6,
        "2 VIPs x garp_master_repeat 3 on eth1: {nas1:?}"
    );
    assert_unpaced("eth1 NAs", &nas1, interval / 2);
    a.shutdown();
}

/// Twelve VIPs 100 ms apart: 1.1 s of queue.
fn long_queue(priority: u8) -> String {
    let vips: Vec<String> = (101..113).map(|i| format!("192.0.2.{i}/24")).collect();
    let vips: Vec<&str> = vips.iter().map(String::as_str).collect();
    format!(
        "global_defs {{\n    vrrp_garp_interval 0.1\n    vrrp_garp_master_delay 0\n}}\n{}",
        instance(
            "V1",
            "eth0",
            51,
            priority,
            &vips,
            "    garp_master_repeat 1\n"
        )
    )
}

#[test]
fn keepalived_vrrp_arp_thread_a_master_that_steps_down_sends_no_queued_garp() {
    let (lab, hosts) = lab("gp3", 2);
    let cap = lab.capture().unwrap();
    let mut a = Node::start(&hosts[0], &long_queue(100));
    a.wait_state(0, VrrpState::Master, Duration::from_secs(3));
    // b preempts about 0.4 s later (Master_Down_Interval of priority 200), with most of
    // a's queue still waiting.
    let mut b = Node::start(&hosts[1], &long_queue(200));
    b.wait_state(0, VrrpState::Master, Duration::from_secs(3));
    a.wait_state(0, VrrpState::Backup, Duration::from_secs(3));
    // Longer than what was left of a's queue.
    std::thread::sleep(Duration::from_millis(1_300));
    let frames = cap.stop();
    let sent = announcements(&frames, "a", "p-a");
    let takeover = first_advert(&frames, "p-b", 51, 200);
    let last = sent
        .last()
        .map(|(t, _)| t.as_secs_f64() - takeover.as_secs_f64());
    eprintln!(
        "a sent {} GARPs, the last {:.1} ms after b's first advert",
        sent.len(),
        last.unwrap_or(f64::NAN) * 1e3
    );
    // a handles b's advert within a turn of its loop; 50 ms covers a slow turn and is
    // half the interval, so a queue that kept going would show several GARPs later.
    let late: Vec<_> = sent
        .iter()
        .filter(|(t, _)| *t > takeover + Duration::from_millis(50))
        .collect();
    assert!(
        late.is_empty(),
        "GARPs from a after stepping down: {late:?}"
    );
    assert!(sent.len() >= 2, "a's GARPs were not paced: {sent:?}");
    assert!(
        sent.len() < 12,
        "a sent all 12 GARPs before b took over: the test did not step down mid-queue"
    );
    assert_paced("a's GARPs", &sent, Duration::from_millis(100));
    a.shutdown();
    b.shutdown();
}

#[test]
fn a_master_removed_by_a_reload_sends_no_queued_garp() {
    let (lab, hosts) = lab("gp4", 1);
    let cap = lab.capture().unwrap();
    let mut a = Node::start(&hosts[0], &long_queue(100));
    a.wait_state(0, VrrpState::Master, Duration::from_secs(3));
    std::thread::sleep(Duration::from_millis(250));
    // The reload keeps another instance only: V1 stops (priority 0) and is removed.
    let other = format!(
        "global_defs {{\n    vrrp_garp_interval 0.1\n}}\n{}",
        instance("V9", "eth0", 59, 100, &["192.0.2.199/24"], "")
    );
    let generation = a.configure(&other);
    a.wait_for(Duration::from_secs(3), "ConfigApplied", |m| {
        matches!(m, vigil_ipc::msg::vrrp::FromVrrp::ConfigApplied { generation: g } if *g == generation)
    });
    std::thread::sleep(Duration::from_millis(1_300));
    let frames = cap.stop();
    let sent: Vec<_> = announcements(&frames, "a", "p-a")
        .into_iter()
        .filter(|(_, a)| a.to_string() != "192.0.2.199")
        .collect();
    let stop = first_advert(&frames, "p-a", 51, 0);
    eprintln!("V1 sent {} GARPs before it was removed", sent.len());
    assert!(
        sent.len() >= 2 && sent.len() < 12,
        "{} GARPs: {sent:?}",
        sent.len()
    );
    let late: Vec<_> = sent.iter().filter(|(t, _)| *t > stop).collect();
    assert!(late.is_empty(), "GARPs of the removed instance: {late:?}");
    a.shutdown();
}

/// The case that asked for pacing: 250 instances that become MASTER in the same
/// turn, garp_master_repeat 5. Unpaced that is 1,250 GARPs back to back; paced at 5 ms
/// every GARP waits its turn. keepalived 2.2.7 with this configuration sent 301 GARPs
/// over 2.66 s (an instance asking when the interface is free sends at once and queues
/// its repeat, so the count lies between one and two per instance).
#[test]
fn keepalived_vrrp_garp_interval_spreads_a_mass_takeover() {
    const M: u32 = 250;
    let interval = Duration::from_millis(5);
    let (lab, hosts) = lab("gp5", 1);
    let mut text = String::from(
        "global_defs {\n    vrrp_garp_interval 0.005\n    vrrp_garp_master_delay 0\n}\n",
    );
    for vrid in 1..=M {
        let vrid = u8::try_from(vrid).unwrap();
        let vip = format!("198.51.100.{vrid}/32");
        text.push_str(&instance(
            &format!("VI_{vrid}"),
            "eth0",
            vrid,
            100,
            &[&vip],
            "    garp_master_repeat 5\n",
        ));
    }
    let cap = lab.capture().unwrap();
    let mut a = Node::start(&hosts[0], &text);
    for i in 0..M {
        a.wait_state(i, VrrpState::Master, Duration::from_secs(10));
    }
    // Up to two per instance, 5 ms apart: 2.5 s at most, and a margin.
    let start = std::time::Instant::now();
    common::wait_until("the GARPs", Duration::from_secs(4), || {
        start.elapsed() > Duration::from_millis(500)
            && announcements(&cap.frames(), "a", "p-a")
                .last()
                .is_some_and(|(t, _)| {
                    vigil_netlab::capture::now() - *t > 4 * interval + Duration::from_millis(200)
                })
    });
    assert_eq!(cap.drops(), 0, "the capture dropped frames");
    let frames = cap.stop();
    let garps = announcements(&frames, "a", "p-a");
    let n = garps.len();
    let span = garps[n - 1].0 - garps[0].0;
    let mut g = gaps(&garps);
    g.sort_unstable();
    eprintln!(
        "{M} instances: {n} GARPs over {span:?}; gaps min {} median {} max {} us",
        g[0],
        g[g.len() / 2],
        g[g.len() - 1]
    );
    assert!((M as usize..=2 * M as usize).contains(&n), "{n} GARPs");
    let distinct: std::collections::BTreeSet<_> = garps.iter().map(|(_, a)| *a).collect();
    assert_eq!(distinct.len(), M as usize, "every VIP announced");
    assert!(
        span + SLACK >= interval * (n as u32 - 1),
        "{n} GARPs in {span:?}: closer than {interval:?} on average"
    );
    assert!(
        g[g.len() / 2] >= interval.as_micros(),
        "median gap {}",
        g[g.len() / 2]
    );
    a.shutdown();
}
