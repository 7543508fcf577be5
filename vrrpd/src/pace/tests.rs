//! The pacing rules, each from keepalived 2.2.7 as observed with tcpdump in network
//! namespaces (timestamps in the comments are from those captures).

use super::*;
use proptest::prelude::*;

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn ms(n: u64) -> Time {
    Time(n * 1_000)
}

const ETH0: LaneId = LaneId::Link(2);
const TEN: Intervals = Intervals {
    arp: Span::from_millis(10),
    na: Span::ZERO,
};

fn addrs(list: &[&str]) -> Vec<IpAddr> {
    list.iter().map(|s| ip(s)).collect()
}

/// `list` with each address's position in it.
fn ranked(list: &[IpAddr]) -> Vec<(usize, IpAddr)> {
    list.iter().copied().enumerate().collect()
}

/// Drains the pacer, calling `due` at each `next_due`: (time in ms, address) pairs.
fn drain(p: &mut Pacer) -> Vec<(u64, IpAddr)> {
    let mut out = Vec::new();
    while let Some(t) = p.next_due() {
        for f in p.due(t) {
            out.push((t.0 / 1_000, f.addr));
        }
    }
    out
}

#[test]
fn keepalived_without_interval_every_frame_goes_at_once() {
    let mut p = Pacer::new();
    let a = addrs(&["192.0.2.101", "192.0.2.102"]);
    let o = p.offer(ms(0), (ETH0, Intervals::default()), 1, 2, &ranked(&a), 5);
    assert_eq!(o.unpaced, a);
    assert!(o.now.is_empty());
    assert_eq!(p.queued(), 0);
    assert_eq!(p.next_due(), None);
}

#[test]
fn keepalived_vrrp_arp_repeat_3_sends_the_first_address_twice_and_the_others_once() {
    // vrrp_garp_interval 0.01, garp_master_repeat 3, three VIPs: keepalived sent
    // .101 at 0, .101 at +11 ms, .102 at +22 ms, .103 at +33 ms (one pending flag per
    // address: the repeats of a queued address merge).
    let mut p = Pacer::new();
    let a = addrs(&["192.0.2.101", "192.0.2.102", "192.0.2.103"]);
    let o = p.offer(ms(0), (ETH0, TEN), 1, 2, &ranked(&a), 3);
    assert_eq!(o.now, vec![a[0]]);
    assert!(o.unpaced.is_empty());
    assert_eq!(p.queued(), 3);
    assert_eq!(p.next_due(), Some(ms(10)));
    assert!(p.due(ms(9)).is_empty(), "nothing before the interval");
    assert_eq!(
        drain(&mut p),
        vec![(10, a[0]), (20, a[1]), (30, a[2])],
        "configuration order, one per interval"
    );
    assert_eq!(p.next_due(), None);
}

#[test]
fn keepalived_vrrp_arp_repeat_1_sends_each_address_once() {
    // garp_master_repeat 1, three VIPs, 20 ms: .101 at 0, .102 at +20, .103 at +44.
    let mut p = Pacer::new();
    let a = addrs(&["192.0.2.101", "192.0.2.102", "192.0.2.103"]);
    let o = p.offer(ms(0), (ETH0, TEN), 1, 2, &ranked(&a), 1);
    assert_eq!(o.now, vec![a[0]]);
    assert_eq!(drain(&mut p), vec![(10, a[1]), (20, a[2])]);
}

#[test]
fn keepalived_vrrp_arp_delay_is_per_interface_across_instances() {
    // Two instances on eth0 at 10 ms: their GARPs interleave into one 10 ms cadence,
    // the earlier instance's pending addresses first (vrrp_arp_thread walks the
    // instance list, then each one's addresses).
    let mut p = Pacer::new();
    let v1 = addrs(&["192.0.2.101", "192.0.2.102"]);
    let v2 = addrs(&["192.0.2.111", "192.0.2.112"]);
    assert_eq!(
        p.offer(ms(0), (ETH0, TEN), 2, 2, &ranked(&v2), 1).now,
        vec![v2[0]]
    );
    assert!(p
        .offer(ms(1), (ETH0, TEN), 1, 2, &ranked(&v1), 1)
        .now
        .is_empty());
    assert_eq!(
        drain(&mut p),
        vec![(10, v1[0]), (20, v1[1]), (30, v2[1])],
        "instance 1 is first in configuration order"
    );
}

#[test]
fn keepalived_first_announcement_of_a_burst_does_not_wait() {
    // The second burst (garp_master_delay) after a quiet second: its first GARP went
    // at once, the rest every interval.
    let mut p = Pacer::new();
    let a = addrs(&["192.0.2.101", "192.0.2.102"]);
    p.offer(ms(0), (ETH0, TEN), 1, 2, &ranked(&a), 1);
    drain(&mut p);
    let o = p.offer(ms(1_000), (ETH0, TEN), 1, 2, &ranked(&a), 1);
    assert_eq!(o.now, vec![a[0]]);
    assert_eq!(drain(&mut p), vec![(1_010, a[1])]);
}

#[test]
fn keepalived_announcement_within_the_interval_waits_for_it() {
    let mut p = Pacer::new();
    let a = addrs(&["192.0.2.101"]);
    let b = addrs(&["192.0.2.111"]);
    p.offer(ms(0), (ETH0, TEN), 1, 2, &ranked(&a), 1);
    assert!(p
        .offer(ms(4), (ETH0, TEN), 2, 2, &ranked(&b), 1)
        .now
        .is_empty());
    assert_eq!(p.next_due(), Some(ms(10)));
    assert_eq!(drain(&mut p), vec![(10, b[0])]);
}

#[test]
fn keepalived_send_gratuitous_arp_goes_at_once_when_the_lane_is_free_even_with_a_queue() {
    // send_gratuitous_arp only compares the time with garp_next_time: an instance
    // asking when the interval has passed but before the timer ran goes first (seen:
    // V2's first GARP at +10.1 ms before V1's queued ones).
    let mut p = Pacer::new();
    let v1 = addrs(&["192.0.2.101", "192.0.2.102"]);
    let v2 = addrs(&["192.0.2.111"]);
    p.offer(ms(0), (ETH0, TEN), 1, 2, &ranked(&v1), 1);
    assert_eq!(
        p.offer(ms(10), (ETH0, TEN), 2, 2, &ranked(&v2), 1).now,
        vec![v2[0]]
    );
    assert_eq!(drain(&mut p), vec![(20, v1[1])]);
}

#[test]
fn keepalived_arp_and_na_and_each_interface_have_their_own_lane() {
    // eth0 ARPs at 10 ms, eth0 NAs at 15 ms, eth1 ARPs at 30 ms: independent cadences.
    let iv = Intervals {
        arp: Span::from_millis(10),
        na: Span::from_millis(15),
    };
    let mut p = Pacer::new();
    let v4 = addrs(&["192.0.2.101", "192.0.2.102"]);
    let v6 = addrs(&["2001:db8::101", "2001:db8::102"]);
    let other = addrs(&["198.51.100.101", "198.51.100.102"]);
    assert_eq!(
        p.offer(ms(0), (ETH0, iv), 1, 2, &ranked(&v4), 1).now,
        vec![v4[0]]
    );
    assert_eq!(
        p.offer(ms(0), (ETH0, iv), 2, 2, &ranked(&v6), 1).now,
        vec![v6[0]]
    );
    let eth1 = LaneId::Link(3);
    assert_eq!(
        p.offer(ms(0), (eth1, iv), 3, 3, &ranked(&other), 1).now,
        vec![other[0]]
    );
    let mut got = drain(&mut p);
    got.sort();
    assert_eq!(got, vec![(10, v4[1]), (10, other[1]), (15, v6[1])]);
}

#[test]
fn keepalived_unpaced_kind_goes_at_once_beside_a_paced_one() {
    let mut p = Pacer::new();
    let a = addrs(&["192.0.2.101", "2001:db8::101", "192.0.2.102"]);
    let o = p.offer(ms(0), (ETH0, TEN), 1, 2, &ranked(&a), 2);
    assert_eq!(o.unpaced, vec![a[1]]);
    assert_eq!(o.now, vec![a[0]]);
    assert_eq!(drain(&mut p), vec![(10, a[0]), (20, a[2])]);
}

#[test]
fn keepalived_vrrp_arp_thread_sends_nothing_for_an_instance_no_longer_master() {
    // A MASTER at 200 ms with ten VIPs that stepped down after three GARPs sent none
    // of the seven still queued.
    let mut p = Pacer::new();
    let v1 = addrs(&["192.0.2.101", "192.0.2.102", "192.0.2.103"]);
    let v2 = addrs(&["192.0.2.111"]);
    p.offer(ms(0), (ETH0, TEN), 1, 2, &ranked(&v1), 1);
    p.offer(ms(0), (ETH0, TEN), 2, 2, &ranked(&v2), 1);
    assert_eq!(p.queued(), 3);
    assert_eq!(p.drop_owner(1), 2);
    assert_eq!(p.drop_owner(1), 0);
    assert_eq!(drain(&mut p), vec![(10, v2[0])]);
    assert_eq!(p.drop_owner(2), 0);
    assert_eq!(p.next_due(), None);
}

#[test]
fn an_address_added_by_a_reload_queues_at_its_own_position() {
    // A MASTER reloaded with one more VIP announces only that one; it must not take
    // the place of an address of the same instance still waiting.
    let mut p = Pacer::new();
    let a = addrs(&["192.0.2.101", "192.0.2.102", "192.0.2.103"]);
    p.offer(ms(0), (ETH0, TEN), 1, 2, &ranked(&a[..2]), 1);
    assert!(p
        .offer(ms(1), (ETH0, TEN), 1, 2, &[(2, a[2])], 1)
        .now
        .is_empty());
    assert_eq!(drain(&mut p), vec![(10, a[1]), (20, a[2])]);
}

#[test]
fn a_frame_sent_late_pushes_the_next_one_back() {
    // The lane is stamped again when the frame has actually gone: a send delayed by
    // 3 ms moves the next turn from 10 to 13 ms (and an early stamp never pulls it in).
    let mut p = Pacer::new();
    let a = addrs(&["192.0.2.101", "192.0.2.102", "192.0.2.103"]);
    p.offer(ms(0), (ETH0, TEN), 1, 2, &ranked(&a), 1);
    p.sent(ETH0, Kind::Arp, ms(3));
    assert_eq!(p.next_due(), Some(ms(13)));
    p.sent(ETH0, Kind::Arp, ms(1));
    assert_eq!(p.next_due(), Some(ms(13)));
    let f = p.due(ms(13));
    assert_eq!(f.len(), 1);
    assert_eq!((f[0].lane, f[0].owner, f[0].ifindex), (ETH0, 1, 2));
    p.sent(f[0].lane, Kind::of(&f[0].addr), ms(15));
    assert_eq!(p.next_due(), Some(ms(25)));
}

#[test]
fn dropping_the_only_owner_leaves_no_deadline() {
    let mut p = Pacer::new();
    let a = addrs(&["192.0.2.101", "192.0.2.102"]);
    p.offer(ms(0), (ETH0, TEN), 7, 2, &ranked(&a), 3);
    assert!(p.next_due().is_some());
    p.drop_owner(7);
    assert_eq!(p.next_due(), None);
    assert!(p.due(ms(100)).is_empty());
}

#[test]
fn a_delay_set_to_zero_by_a_reload_releases_the_queue() {
    let mut p = Pacer::new();
    let a = addrs(&["192.0.2.101", "192.0.2.102", "192.0.2.103"]);
    p.offer(ms(0), (ETH0, TEN), 1, 2, &ranked(&a), 1);
    let b = addrs(&["192.0.2.111"]);
    let o = p.offer(ms(1), (ETH0, Intervals::default()), 2, 2, &ranked(&b), 1);
    assert_eq!(o.unpaced, b);
    let f = p.due(ms(10));
    assert_eq!(f.len(), 2);
    assert_eq!(p.queued(), 0);
}

#[test]
fn keepalived_garp_group_replaces_the_global_intervals_of_its_interfaces() {
    // global 10 ms ARP / 15 ms NA; garp_group { garp_interval 0.03; interface eth1 }:
    // eth1's ARPs went every 30 ms and its NAs back to back.
    let global = Intervals {
        arp: Span::from_millis(10),
        na: Span::from_millis(15),
    };
    let group = Intervals {
        arp: Span::from_millis(30),
        na: Span::ZERO,
    };
    let plan = Plan::new(global, vec![(group, vec!["eth1".into()])]);
    assert_eq!(plan.lane("eth0", 2), (LaneId::Link(2), global));
    assert_eq!(plan.lane("eth1", 3), (LaneId::Group(0), group));
}

#[test]
fn keepalived_garp_group_interfaces_share_one_lane() {
    // garp_group { garp_interval 0.02; interfaces { eth0 eth1 } }: three GARPs on eth0
    // then two on eth1, all 20 ms apart.
    let iv = Intervals {
        arp: Span::from_millis(20),
        na: Span::ZERO,
    };
    let plan = Plan::new(
        Intervals::default(),
        vec![(iv, vec!["eth0".into(), "eth1".into()])],
    );
    let (l0, i0) = plan.lane("eth0", 2);
    let (l1, i1) = plan.lane("eth1", 3);
    assert_eq!(l0, l1);
    let mut p = Pacer::new();
    let v1 = addrs(&["192.0.2.101", "192.0.2.102", "192.0.2.103"]);
    let v3 = addrs(&["198.51.100.101", "198.51.100.102"]);
    assert_eq!(
        p.offer(ms(0), (l0, i0), 1, 2, &ranked(&v1), 1).now,
        vec![v1[0]]
    );
    assert!(p
        .offer(ms(0), (l1, i1), 3, 3, &ranked(&v3), 1)
        .now
        .is_empty());
    let mut ifs = Vec::new();
    while let Some(t) = p.next_due() {
        for f in p.due(t) {
            ifs.push((t.0 / 1_000, f.ifindex, f.addr));
        }
    }
    assert_eq!(
        ifs,
        vec![
            (20, 2, v1[1]),
            (40, 2, v1[2]),
            (60, 3, v3[0]),
            (80, 3, v3[1])
        ]
    );
}

#[test]
fn plan_from_keepalived_conf() {
    let text = "global_defs {\n vrrp_garp_interval 0.02\n vrrp_gna_interval 0.005\n}\n\
                garp_group {\n garp_interval 0.05\n interfaces {\n eth1\n eth2\n }\n}\n\
                garp_group {\n gna_interval 0.001\n interface eth3\n}\n";
    let loaded = vigil_config::load_str(std::path::Path::new("t.conf"), text, &Default::default());
    assert!(
        loaded.is_valid(),
        "{}",
        loaded.diags.render(&loaded.sources)
    );
    let c = loaded.config;
    let plan = Plan::from_config(&c.global, &c.vrrp.garp_groups);
    let global = Intervals {
        arp: Span::from_millis(20),
        na: Span::from_millis(5),
    };
    assert_eq!(plan.lane("eth0", 2), (LaneId::Link(2), global));
    let g0 = Intervals {
        arp: Span::from_millis(50),
        na: Span::ZERO,
    };
    assert_eq!(plan.lane("eth1", 3), (LaneId::Group(0), g0));
    assert_eq!(plan.lane("eth2", 4), (LaneId::Group(0), g0));
    let g1 = Intervals {
        arp: Span::ZERO,
        na: Span::from_millis(1),
    };
    assert_eq!(plan.lane("eth3", 5), (LaneId::Group(1), g1));
    let none = Plan::from_config(&Default::default(), &[]);
    assert!(none.lane("eth0", 2).1.is_zero());
}

proptest! {
    /// Whatever is asked, whenever `due` runs and however late each frame actually
    /// goes: a frame of a lane and kind is given out no sooner than one interval after
    /// the previous one went, a dropped owner gets no frame until it asks again, and
    /// the queue always drains.
    #[test]
    fn frames_of_a_lane_are_never_closer_than_its_interval(
        ops in proptest::collection::vec(
            (0u64..3, 0u64..9, 1u32..4, 1u32..3, 0u64..30, any::<bool>(), 0u64..4),
            1..60,
        )
    ) {
        let iv = Intervals { arp: Span::from_millis(10), na: Span::from_millis(7) };
        let pool = addrs(&["192.0.2.1", "192.0.2.2", "2001:db8::1", "2001:db8::2"]);
        let mut p = Pacer::new();
        let mut now = Time(0);
        // When the last frame of each (interface = lane, kind) went.
        let mut last: BTreeMap<(u32, Kind), Time> = BTreeMap::new();
        let mut live = BTreeSet::new();
        // Frames given out at `t` go `late` ms later; the pacer is told so.
        let mut send = |p: &mut Pacer, t: Time, late: u64, link: u32, a: &IpAddr|
            -> Result<Time, TestCaseError> {
            let kind = Kind::of(a);
            if let Some(prev) = last.get(&(link, kind)) {
                prop_assert!(
                    t.since(*prev) >= iv.of(kind),
                    "{kind:?} on {link}: went at {prev}, the next given out at {t}"
                );
            }
            let at = t + Span::from_millis(late);
            last.insert((link, kind), at);
            p.sent(LaneId::Link(link), kind, at);
            Ok(at)
        };
        for (owner, step, count, link, dt, drop, late) in ops {
            now = now + Span::from_millis(step);
            if drop {
                p.drop_owner(owner);
                live.remove(&owner);
            } else {
                // One interface per lane here, so that a frame names its lane.
                let o = p.offer(now, (LaneId::Link(link), iv), owner, link, &ranked(&pool), count);
                prop_assert!(o.unpaced.is_empty());
                live.insert(owner);
                let t = now;
                for a in &o.now {
                    now = now.max(send(&mut p, t, late, link, a)?);
                }
            }
            let t = now + Span::from_millis(dt);
            now = t;
            for f in p.due(t) {
                prop_assert!(live.contains(&f.owner), "frame for dropped owner {}", f.owner);
                prop_assert_eq!(f.lane, LaneId::Link(f.ifindex));
                now = now.max(send(&mut p, t, late, f.ifindex, &f.addr)?);
            }
        }
        let mut guard = 0;
        while let Some(t) = p.next_due() {
            let t = t.max(now);
            now = t;
            for f in p.due(t) {
                prop_assert!(live.contains(&f.owner));
                now = now.max(send(&mut p, t, 1, f.ifindex, &f.addr)?);
            }
            guard += 1;
            prop_assert!(guard < 1_000, "queue does not drain");
        }
        prop_assert_eq!(p.queued(), 0);
    }
}
