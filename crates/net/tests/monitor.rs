//! The Monitor against the real kernel, driven by a mio Poll as vrrpd drives it.

mod common;

use common::Netns;
use mio::unix::SourceFd;
use mio::{Events, Interest, Poll, Token};
use std::net::{IpAddr, Ipv4Addr};
use std::os::fd::AsRawFd;
use std::process::Command;
use std::time::{Duration, Instant};
use vigil_net::{AddrSpec, Monitor, NetEvent, Rtnl};

/// Collects events until `done` accepts the list or 3 s pass, waiting on mio.
fn collect(mon: &mut Monitor, done: impl Fn(&[NetEvent]) -> bool) -> Vec<NetEvent> {
    let mut poll = Poll::new().expect("poll");
    let fd = mon.as_raw_fd();
    poll.registry()
        .register(&mut SourceFd(&fd), Token(0), Interest::READABLE)
        .expect("register");
    let mut events = Events::with_capacity(8);
    let mut got = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(3);
    while !done(&got) {
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(!left.is_zero(), "timed out; got {got:#?}");
        poll.poll(&mut events, Some(left)).expect("poll");
        got.extend(mon.read().expect("read"));
    }
    got
}

#[test]
fn reports_an_address_added_and_removed_by_another_socket() {
    let Some(ns) = Netns::new() else { return };
    ns.ip(&["link", "add", "v0", "type", "veth", "peer", "name", "v1"]);
    ns.run(|| {
        let mut mon = Monitor::open().expect("monitor");
        // Nothing pending: read returns at once, empty.
        let t = Instant::now();
        assert_eq!(mon.read().expect("read"), vec![]);
        assert!(t.elapsed() < Duration::from_millis(100));

        let mut r = Rtnl::open().expect("rtnl");
        let idx = r.ifindex("v0").expect("v0");
        let mut spec = AddrSpec::new(idx, IpAddr::V4(Ipv4Addr::new(203, 0, 113, 5)), 24);
        spec.label = Some("v0:vip".into());
        r.add_address(&spec).expect("add");
        let got = collect(&mut mon, |evs| {
            evs.iter()
                .any(|e| matches!(e, NetEvent::AddrAdded(a) if a.same_address(&spec)))
        });
        let added = got
            .iter()
            .find_map(|e| match e {
                NetEvent::AddrAdded(a) if a.same_address(&spec) => Some(a.clone()),
                _ => None,
            })
            .expect("added");
        assert_eq!(added.label.as_deref(), Some("v0:vip"));

        let mut v6 = AddrSpec::new(idx, "2001:db8::5".parse().expect("a"), 64);
        v6.nodad = true;
        r.add_address(&v6).expect("add v6");
        r.del_address(&spec).expect("del");
        collect(&mut mon, |evs| {
            evs.iter()
                .any(|e| matches!(e, NetEvent::AddrAdded(a) if a.same_address(&v6) && a.nodad))
                && evs
                    .iter()
                    .any(|e| matches!(e, NetEvent::AddrRemoved(a) if a.same_address(&spec)))
        });
    });
}

#[test]
fn reports_a_link_going_down_losing_carrier_and_being_removed() {
    let Some(ns) = Netns::new() else { return };
    ns.ip(&["link", "add", "v0", "type", "veth", "peer", "name", "v1"]);
    ns.ip(&["link", "set", "v0", "up"]);
    ns.ip(&["link", "set", "v1", "up"]);
    ns.ip(&["link", "add", "br0", "type", "bridge"]);
    let name = ns.name.clone();
    let ip = move |args: &[&str]| {
        let ok = Command::new("ip")
            .args(["-n", &name])
            .args(args)
            .status()
            .expect("ip")
            .success();
        assert!(ok, "ip {args:?}");
    };
    ns.run(move || {
        let mut r = Rtnl::open().expect("rtnl");
        let v0 = r.ifindex("v0").expect("v0");
        let v1 = r.ifindex("v1").expect("v1");
        let mut mon = Monitor::open().expect("monitor");

        // The peer going down takes v0's carrier: v0 admin up, not operationally up.
        ip(&["link", "set", "v1", "down"]);
        collect(&mut mon, |evs| {
            evs.iter().any(|e| {
                matches!(e, NetEvent::LinkChanged(l) if l.index == v0 && l.admin_up && !l.oper_up)
            })
        });
        // v0 itself set down (by another socket: ours).
        r.set_link_up(v0, false).expect("down");
        collect(&mut mon, |evs| {
            evs.iter()
                .any(|e| matches!(e, NetEvent::LinkChanged(l) if l.index == v0 && !l.admin_up))
        });

        // Enslaving v1 to a bridge and releasing it sends AF_BRIDGE RTM_DELLINK
        // notifications, which are not removals.
        ip(&["link", "set", "v1", "master", "br0"]);
        ip(&["link", "set", "v1", "nomaster"]);
        ip(&["link", "set", "v1", "up"]);
        let got = collect(&mut mon, |evs| {
            evs.iter()
                .any(|e| matches!(e, NetEvent::LinkChanged(l) if l.index == v1 && l.admin_up))
        });
        assert!(
            !got.contains(&NetEvent::LinkRemoved(v1)),
            "a bridge port leaving is not a removal: {got:#?}"
        );

        ip(&["link", "del", "v0"]);
        collect(&mut mon, |evs| {
            evs.contains(&NetEvent::LinkRemoved(v0)) && evs.contains(&NetEvent::LinkRemoved(v1))
        });
    });
}

#[test]
fn an_overflow_is_reported_as_events_lost() {
    let Some(ns) = Netns::new() else { return };
    ns.ip(&["link", "add", "v0", "type", "veth", "peer", "name", "v1"]);
    ns.run(|| {
        let mut mon = Monitor::open().expect("monitor");
        // Shrink the buffer so a burst overflows it (SO_RCVBUF's floor is ~2 KiB).
        nix::sys::socket::setsockopt(&mon, nix::sys::socket::sockopt::RcvBufForce, &1)
            .expect("shrink");
        let mut r = Rtnl::open().expect("rtnl");
        let idx = r.ifindex("v0").expect("v0");
        for i in 1..=200u8 {
            let s = AddrSpec::new(idx, IpAddr::V4(Ipv4Addr::new(198, 51, 100, i)), 32);
            r.add_address(&s).expect("add");
        }
        let mut lost = false;
        for _ in 0..3 {
            match mon.read() {
                Err(vigil_net::NetError::EventsLost) => {
                    lost = true;
                    break;
                }
                Err(e) => panic!("{e}"),
                Ok(_) => {}
            }
        }
        assert!(lost, "200 notifications into a tiny buffer must overflow");
        // After the report the socket works again.
        let s = AddrSpec::new(idx, IpAddr::V4(Ipv4Addr::new(203, 0, 113, 1)), 32);
        r.add_address(&s).expect("add");
        collect(&mut mon, |evs| {
            evs.iter()
                .any(|e| matches!(e, NetEvent::AddrAdded(a) if a.same_address(&s)))
        });
    });
}
