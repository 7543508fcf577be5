//! Rtnl against the real kernel, each test in its own network namespace.

mod common;

use common::Netns;
use nix::errno::Errno;
use serde_json::Value;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use vigil_net::{AddrSpec, MacvlanMode, NetError, Rtnl};

/// A namespace with a veth pair v0/v1, both up.
fn veth_ns() -> Option<Netns> {
    let ns = Netns::new()?;
    ns.ip(&["link", "add", "v0", "type", "veth", "peer", "name", "v1"]);
    ns.ip(&["link", "set", "v0", "up"]);
    ns.ip(&["link", "set", "v1", "up"]);
    Some(ns)
}

/// The addr_info entries of `dev` from `ip -j addr show dev DEV`.
fn ip_addrs(ns: &Netns, dev: &str) -> Vec<Value> {
    let v = ns.ip_json(&["addr", "show", "dev", dev]);
    v[0]["addr_info"].as_array().cloned().unwrap_or_default()
}

/// The addr_info entry for `local`, if present.
fn ip_addr(ns: &Netns, dev: &str, local: &str) -> Option<Value> {
    ip_addrs(ns, dev)
        .into_iter()
        .find(|a| a["local"].as_str() == Some(local))
}

#[test]
fn ipv4_address_with_label_broadcast_and_scope_round_trips() {
    let Some(ns) = veth_ns() else { return };
    let (read, link_scoped) = ns.run(|| {
        let mut r = Rtnl::open().expect("open");
        let idx = r.ifindex("v0").expect("v0");
        let mut spec = AddrSpec::new(idx, IpAddr::V4(Ipv4Addr::new(192, 0, 2, 10)), 24);
        spec.broadcast = Some(Ipv4Addr::new(192, 0, 2, 255));
        spec.label = Some("v0:vip".into());
        r.add_address(&spec).expect("add");
        // Adding what is there already is not an error (EEXIST is Ok).
        r.add_address(&spec).expect("add twice");
        let mut ls = AddrSpec::new(idx, IpAddr::V4(Ipv4Addr::new(198, 51, 100, 1)), 32);
        ls.scope = 253;
        r.add_address(&ls).expect("add link scope");
        let all = r.addresses(Some(idx)).expect("addresses");
        let read = all
            .iter()
            .find(|a| a.same_address(&spec))
            .cloned()
            .expect("read back");
        let lsr = all
            .iter()
            .find(|a| a.same_address(&ls))
            .cloned()
            .expect("read back");
        (read, lsr)
    });
    assert_eq!(read.broadcast, Some(Ipv4Addr::new(192, 0, 2, 255)));
    assert_eq!(read.label.as_deref(), Some("v0:vip"));
    assert_eq!(read.scope, 0);
    assert_eq!(read.peer, None);
    assert_eq!(read.preferred_lft, None);
    assert_eq!(link_scoped.scope, 253);
    // The kernel's default label is the interface name.
    assert_eq!(link_scoped.label.as_deref(), Some("v0"));

    let a = ip_addr(&ns, "v0", "192.0.2.10").expect("ip sees it");
    assert_eq!(a["prefixlen"], 24);
    assert_eq!(a["broadcast"], "192.0.2.255");
    assert_eq!(a["label"], "v0:vip");
    assert_eq!(a["scope"], "global");
    let b = ip_addr(&ns, "v0", "198.51.100.1").expect("ip sees it");
    assert_eq!(b["scope"], "link");
    assert!(b.get("broadcast").is_none(), "no brd unless asked: {b}");

    // Removing, then removing what is gone (EADDRNOTAVAIL is Ok).
    ns.run(move || {
        let mut r = Rtnl::open().expect("open");
        r.del_address(&read).expect("del");
        r.del_address(&read).expect("del twice");
        r.del_address(&link_scoped).expect("del");
    });
    assert!(ip_addr(&ns, "v0", "192.0.2.10").is_none());
    assert!(ip_addr(&ns, "v0", "198.51.100.1").is_none());
}

#[test]
fn ipv6_address_nodad_and_deprecated_round_trips() {
    let Some(ns) = veth_ns() else { return };
    let read = ns.run(|| {
        let mut r = Rtnl::open().expect("open");
        let idx = r.ifindex("v0").expect("v0");
        let mut spec = AddrSpec::new(idx, "2001:db8::10".parse().expect("addr"), 128);
        spec.nodad = true;
        // keepalived's default for an IPv6 /128 VIP: preferred_lft 0 (deprecated).
        spec.preferred_lft = Some(0);
        r.add_address(&spec).expect("add");
        r.add_address(&spec).expect("add twice");
        let mut p64 = AddrSpec::new(idx, "2001:db8:1::1".parse().expect("addr"), 64);
        p64.nodad = true;
        p64.noprefixroute = true;
        r.add_address(&p64).expect("add /64");
        r.addresses(Some(idx)).expect("addresses")
    });
    let vip = read
        .iter()
        .find(|a| a.addr == "2001:db8::10".parse::<Ipv6Addr>().expect("a"))
        .expect("vip read back");
    assert!(vip.nodad);
    assert_eq!(vip.preferred_lft, Some(0));
    assert_eq!(vip.prefix_len, 128);
    assert_eq!(vip.label, None);
    let p64 = read
        .iter()
        .find(|a| a.addr == "2001:db8:1::1".parse::<Ipv6Addr>().expect("a"))
        .expect("/64 read back");
    assert!(p64.noprefixroute && p64.nodad);

    let a = ip_addr(&ns, "v0", "2001:db8::10").expect("ip sees it");
    assert_eq!(a["nodad"], true);
    assert_eq!(a["deprecated"], true);
    assert_eq!(a["preferred_life_time"], 0);
    // NODAD: never tentative, usable at once.
    assert!(a.get("tentative").is_none(), "{a}");
    let b = ip_addr(&ns, "v0", "2001:db8:1::1").expect("ip sees it");
    assert_eq!(b["noprefixroute"], true);
    let routes = ns.ip(&["-6", "route", "show", "2001:db8:1::/64"]);
    assert!(routes.trim().is_empty(), "noprefixroute: {routes}");

    let vip = vip.clone();
    ns.run(move || {
        let mut r = Rtnl::open().expect("open");
        r.del_address(&vip).expect("del");
        r.del_address(&vip).expect("del twice");
    });
    assert!(ip_addr(&ns, "v0", "2001:db8::10").is_none());
}

#[test]
fn peer_address_round_trips() {
    let Some(ns) = veth_ns() else { return };
    let read = ns.run(|| {
        let mut r = Rtnl::open().expect("open");
        let idx = r.ifindex("v0").expect("v0");
        let mut spec = AddrSpec::new(idx, IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1)), 32);
        spec.peer = Some(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 2)));
        r.add_address(&spec).expect("add");
        let read = r.addresses(Some(idx)).expect("addresses");
        r.del_address(&spec).expect("del");
        let after = r.addresses(Some(idx)).expect("addresses");
        (read, after)
    });
    let p = read
        .0
        .iter()
        .find(|a| a.addr == IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1)))
        .expect("read back");
    assert_eq!(p.peer, Some(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 2))));
    assert!(!read.1.iter().any(|a| a.same_address(p)));
}

#[test]
fn removing_from_a_missing_interface_is_ok_and_adding_is_a_named_error() {
    let Some(ns) = Netns::new() else { return };
    let err = ns.run(|| {
        let mut r = Rtnl::open().expect("open");
        let spec = AddrSpec::new(9999, IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1)), 24);
        r.del_address(&spec)
            .expect("del on a missing interface (ENODEV) is Ok");
        let v6 = AddrSpec::new(9999, "2001:db8::1".parse().expect("a"), 64);
        r.del_address(&v6)
            .expect("del v6 on a missing interface is Ok");
        r.add_address(&spec)
            .expect_err("add on a missing interface")
    });
    assert_eq!(err.errno(), Some(Errno::ENODEV));
    let text = err.to_string();
    assert!(text.contains("192.0.2.1/24 on ifindex 9999"), "{text}");
    assert!(text.contains("ENODEV"), "{text}");
}

#[test]
fn invalid_specs_are_refused_before_the_kernel() {
    let Some(ns) = veth_ns() else { return };
    ns.run(|| {
        let mut r = Rtnl::open().expect("open");
        let idx = r.ifindex("v0").expect("v0");
        let mut v6 = AddrSpec::new(idx, "2001:db8::1".parse().expect("a"), 64);
        v6.label = Some("v0:x".into());
        assert!(matches!(r.add_address(&v6), Err(NetError::Invalid { .. })));
        let v4 = AddrSpec::new(idx, IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1)), 33);
        assert!(matches!(r.add_address(&v4), Err(NetError::Invalid { .. })));
        assert!(matches!(
            r.link_by_name("a-name-that-is-too-long"),
            Err(NetError::Invalid { .. })
        ));
        assert!(matches!(
            r.ifindex("nosuch0"),
            Err(NetError::NoSuchInterface { .. })
        ));
    });
}

#[test]
fn links_by_name_index_and_listing() {
    let Some(ns) = veth_ns() else { return };
    ns.ip(&["link", "set", "v1", "down"]);
    let mac = ns.ip_json(&["link", "show", "v0"])[0]["address"]
        .as_str()
        .expect("mac")
        .to_string();
    let (v0, v1, by_index, missing, all) = ns.run(|| {
        let mut r = Rtnl::open().expect("open");
        let v0 = r.link_by_name("v0").expect("get").expect("v0 exists");
        let v1 = r.link_by_name("v1").expect("get").expect("v1 exists");
        let by_index = r.link_by_index(v0.index).expect("get");
        let missing = (
            r.link_by_name("nosuch0").expect("get"),
            r.link_by_index(99999).expect("get"),
        );
        (v0, v1, by_index, missing, r.links().expect("links"))
    });
    assert_eq!(by_index.as_ref(), Some(&v0));
    assert_eq!(missing, (None, None));
    assert_eq!(v0.kind.as_deref(), Some("veth"));
    assert!(v0.admin_up);
    // v0's peer is down, so v0 has no carrier.
    assert!(!v0.oper_up);
    assert!(!v1.admin_up && !v1.oper_up);
    let text: Vec<String> = v0
        .mac
        .expect("mac")
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(text.join(":"), mac);
    let names: Vec<&str> = all.iter().map(|l| l.name.as_str()).collect();
    assert!(names.contains(&"lo") && names.contains(&"v0") && names.contains(&"v1"));
    let lo = all.iter().find(|l| l.name == "lo").expect("lo");
    assert!(lo.admin_up && lo.kind.is_none());
}

/// RFC 5798 §7.3: the IPv4 VRRP virtual MAC is 00-00-5E-00-01-{VRID}.
const VMAC_7: [u8; 6] = [0x00, 0x00, 0x5e, 0x00, 0x01, 0x07];

#[test]
fn macvlan_with_the_vrrp_mac_is_created_set_up_and_deleted() {
    let Some(ns) = veth_ns() else { return };
    let (idx, link, down) = ns.run(|| {
        let mut r = Rtnl::open().expect("open");
        let parent = r.ifindex("v0").expect("v0");
        let idx = r
            .add_macvlan("vrrp.7", parent, VMAC_7, MacvlanMode::Private)
            .expect("create");
        // A second run finds the same macvlan and takes it over.
        let again = r
            .add_macvlan("vrrp.7", parent, VMAC_7, MacvlanMode::Private)
            .expect("take over");
        assert_eq!(again, idx);
        // Same name, another MAC (an old configuration's): replaced.
        let other = r
            .add_macvlan(
                "vrrp.7",
                parent,
                [0, 0, 0x5e, 0, 1, 8],
                MacvlanMode::Private,
            )
            .expect("replace");
        let l = r.link_by_index(other).expect("get").expect("exists");
        assert_eq!(l.mac, Some([0, 0, 0x5e, 0, 1, 8]));
        assert_eq!(
            r.link_by_index(idx).expect("get"),
            None,
            "the old one is gone"
        );
        // And back to the VRRP MAC.
        let idx = r
            .add_macvlan("vrrp.7", parent, VMAC_7, MacvlanMode::Private)
            .expect("replace back");
        // A name held by something that is not a macvlan is never touched.
        let err = r
            .add_macvlan("v1", parent, VMAC_7, MacvlanMode::Private)
            .expect_err("v1 is a veth");
        assert_eq!(err.errno(), Some(Errno::EEXIST));
        assert!(err.to_string().contains("veth"), "{err}");
        assert!(r.link_by_name("v1").expect("get").is_some());
        r.set_link_up(idx, true).expect("up");
        let link = r.link_by_index(idx).expect("get").expect("exists");
        r.set_link_up(idx, false).expect("down");
        let down = r.link_by_index(idx).expect("get").expect("exists");
        (idx, link, down)
    });
    assert_eq!(link.name, "vrrp.7");
    assert_eq!(link.kind.as_deref(), Some("macvlan"));
    assert_eq!(link.mac, Some(VMAC_7));
    assert!(link.admin_up && link.oper_up);
    assert!(!down.admin_up && !down.oper_up);
    let j = ns.ip_json(&["-d", "link", "show", "vrrp.7"]);
    assert_eq!(j[0]["address"], "00:00:5e:00:01:07");
    assert_eq!(j[0]["link"], "v0");
    assert_eq!(j[0]["linkinfo"]["info_kind"], "macvlan");
    assert_eq!(j[0]["linkinfo"]["info_data"]["mode"], "private");
    ns.run(move || {
        let mut r = Rtnl::open().expect("open");
        let parent = r.ifindex("v0").expect("v0");
        let link = r.link_by_index(idx).expect("get").expect("exists");
        assert_eq!(link.parent, Some(parent));
        r.del_link(idx).expect("delete");
        r.del_link(idx).expect("delete twice (ENODEV) is Ok");
        assert_eq!(r.link_by_name("vrrp.7").expect("get"), None);
        let b = r
            .add_macvlan("vrrp.9", parent, [0, 0, 0x5e, 0, 1, 9], MacvlanMode::Bridge)
            .expect("bridge mode");
        assert!(r.link_by_index(b).expect("get").is_some());
    });
    let j = ns.ip_json(&["-d", "link", "show", "vrrp.9"]);
    assert_eq!(j[0]["linkinfo"]["info_data"]["mode"], "bridge");
}

#[test]
fn macvlan_on_a_missing_parent_names_it() {
    let Some(ns) = Netns::new() else { return };
    let err = ns.run(|| {
        let mut r = Rtnl::open().expect("open");
        r.add_macvlan("vrrp.1", 4242, VMAC_7, MacvlanMode::Private)
            .expect_err("no parent")
    });
    let text = err.to_string();
    assert!(text.contains("vrrp.1") && text.contains("4242"), "{text}");
}
