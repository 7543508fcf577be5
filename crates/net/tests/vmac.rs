//! VMAC interfaces, their sysctls, and configured VIPs turned into kernel addresses,
//! against the real kernel in a namespace.

mod common;

use common::Netns;
use std::net::IpAddr;
use vigil_config::model::ipaddr::{Broadcast, IpAddress, Prefix};
use vigil_net::sysctl::{self, Family};
use vigil_net::{vip, vmac, MacvlanMode, NetError, Rtnl};

/// A namespace with a veth pair v0/v1, both up.
fn veth_ns() -> Option<Netns> {
    let ns = Netns::new()?;
    ns.ip(&["link", "add", "v0", "type", "veth", "peer", "name", "v1"]);
    ns.ip(&["link", "set", "v0", "up"]);
    ns.ip(&["link", "set", "v1", "up"]);
    Some(ns)
}

/// A sysctl as seen by a process in the namespace (not through this crate).
fn proc_value(ns: &Netns, path: &str) -> String {
    common::run("ip", &["netns", "exec", &ns.name, "cat", path])
        .trim()
        .to_string()
}

#[test]
fn ipv4_vmac_gets_keepalived_sysctls_and_the_parent_is_restored() {
    let Some(ns) = veth_ns() else { return };
    let before = (
        proc_value(&ns, "/proc/sys/net/ipv4/conf/v0/arp_ignore"),
        proc_value(&ns, "/proc/sys/net/ipv4/conf/v0/arp_filter"),
    );
    let saved = ns.run(|| {
        let mut r = Rtnl::open().expect("rtnl");
        let parent = r.ifindex("v0").expect("v0");
        let name = vmac::default_name(7);
        // RFC 5798 §7.3: 00-00-5E-00-01-{VRID}.
        let idx = r
            .add_macvlan(&name, parent, vmac(7, false), MacvlanMode::Private)
            .expect("create");
        vmac::apply_vmac(&mut r, idx).expect("vmac settings");
        vmac::disable_ipv6(&name).expect("no IPv6");
        // Read back over netlink too.
        for s in vmac::VMAC_SETTINGS {
            assert_eq!(r.ipv4_conf(idx, s.conf).expect("read"), s.value);
        }
        vmac::apply_parent(&mut r, parent).expect("parent settings")
    });
    for s in vmac::VMAC_SETTINGS {
        let key = s.conf.sysctl_key();
        let got = proc_value(&ns, &format!("/proc/sys/net/ipv4/conf/vrrp.7/{key}"));
        assert_eq!(got, s.value.to_string(), "{key}");
    }
    for s in vmac::PARENT_SETTINGS {
        let key = s.conf.sysctl_key();
        let got = proc_value(&ns, &format!("/proc/sys/net/ipv4/conf/v0/{key}"));
        assert_eq!(got, s.value.to_string(), "{key}");
    }
    assert_eq!(
        proc_value(&ns, "/proc/sys/net/ipv6/conf/vrrp.7/disable_ipv6"),
        "1"
    );
    assert!(
        !saved.previous.is_empty(),
        "the defaults differ from keepalived's"
    );
    ns.run(move || {
        let mut r = Rtnl::open().expect("rtnl");
        vmac::restore_parent(&mut r, &saved).expect("restore")
    });
    let after = (
        proc_value(&ns, "/proc/sys/net/ipv4/conf/v0/arp_ignore"),
        proc_value(&ns, "/proc/sys/net/ipv4/conf/v0/arp_filter"),
    );
    assert_eq!(after, before);
}

#[test]
fn sysctl_reads_and_writes_the_namespace_of_the_thread() {
    let Some(ns) = veth_ns() else { return };
    let (read, missing) = ns.run(|| {
        sysctl::set_interface(Family::V4, "v0", "rp_filter", "2").expect("set");
        let read = sysctl::get_interface(Family::V4, "v0", "rp_filter").expect("get");
        let missing = sysctl::get_interface(Family::V4, "nosuch0", "rp_filter")
            .expect_err("no such interface");
        (read, missing)
    });
    assert_eq!(read, "2");
    assert_eq!(proc_value(&ns, "/proc/sys/net/ipv4/conf/v0/rp_filter"), "2");
    // The host has no v0: the write went to the namespace only.
    assert!(!std::path::Path::new("/proc/sys/net/ipv4/conf/v0").exists());
    assert_eq!(missing.errno(), Some(nix::errno::Errno::ENOENT));
    assert!(missing
        .to_string()
        .contains("/proc/sys/net/ipv4/conf/nosuch0/rp_filter"));
}

#[test]
fn ipv6_vmac_without_generated_link_local_gets_the_parents_one() {
    let Some(ns) = veth_ns() else { return };
    let parent_mac = ns.ip_json(&["link", "show", "v0"])[0]["address"]
        .as_str()
        .expect("mac")
        .to_string();
    let ll = ns.run(|| {
        let mut r = Rtnl::open().expect("rtnl");
        let parent = r.link_by_name("v0").expect("get").expect("v0");
        let idx = r
            .add_macvlan("vrrp.7", parent.index, vmac(7, true), MacvlanMode::Private)
            .expect("create");
        r.set_ipv6_addr_gen_mode_none(idx)
            .expect("addr gen mode none");
        r.set_link_up(idx, true).expect("up");
        let ll = vmac::link_local_of(parent.mac.expect("mac"));
        let mut spec = vigil_net::AddrSpec::new(idx, IpAddr::V6(ll), 64);
        spec.nodad = true;
        r.add_address(&spec).expect("link-local");
        ll
    });
    let j = ns.ip_json(&["-6", "addr", "show", "dev", "vrrp.7"]);
    let addrs: Vec<&str> = j[0]["addr_info"]
        .as_array()
        .expect("addrs")
        .iter()
        .filter_map(|a| a["local"].as_str())
        .collect();
    // Only ours: none derived from the VMAC (fe80::200:5eff:fe00:207).
    assert_eq!(
        addrs,
        vec![ll.to_string().as_str()],
        "parent MAC {parent_mac}"
    );
    let vmac_ll = vmac::link_local_of(vmac(7, true));
    assert_ne!(ll, vmac_ll);
    assert_eq!(
        ns.ip_json(&["-d", "link", "show", "vrrp.7"])[0]["inet6_addr_gen_mode"],
        "none"
    );
}

fn model(addr: &str, len: u8) -> IpAddress {
    let addr: IpAddr = addr.parse().expect("addr");
    let prefix = Prefix { addr, len };
    IpAddress {
        addr: prefix,
        broadcast: None,
        dev: None,
        scope: 0,
        label: None,
        peer: None,
        home: false,
        nodad: false,
        mngtmpaddr: false,
        noprefixroute: false,
        autojoin: false,
        use_vmac: false,
        no_track: false,
        track_group: None,
        preferred_lft: IpAddress::default_preferred_lft(&prefix),
    }
}

#[test]
fn configured_vips_resolve_their_interface_and_reach_the_kernel() {
    let Some(ns) = veth_ns() else { return };
    let mut v4 = model("192.0.2.10", 24);
    v4.broadcast = Some(Broadcast::SetHostBits);
    v4.label = Some("v0:vip".into());
    let mut on_v1 = model("198.51.100.7", 32);
    on_v1.dev = Some("v1".into());
    let v6 = model("2001:db8::10", 128);
    let errs = ns.run(move || {
        let mut r = Rtnl::open().expect("rtnl");
        let idx = (r.ifindex("v0").expect("v0"), r.ifindex("v1").expect("v1"));
        let a = vip::addr_spec(&mut r, &v4, Some("v0")).expect("v4");
        assert_eq!(a.ifindex, idx.0);
        let b = vip::addr_spec(&mut r, &on_v1, Some("v0")).expect("dev wins");
        assert_eq!(b.ifindex, idx.1);
        let c = vip::addr_spec(&mut r, &v6, Some("v0")).expect("v6");
        for s in [&a, &b, &c] {
            r.add_address(s).expect("add");
        }
        (
            vip::addr_spec(&mut r, &v4, Some("nosuch0")).expect_err("missing"),
            vip::addr_spec(&mut r, &v4, None).expect_err("no interface"),
        )
    });
    assert!(matches!(errs.0, NetError::NoSuchInterface { ref name } if name == "nosuch0"));
    assert!(matches!(errs.1, NetError::Invalid { .. }));
    let j = ns.ip_json(&["addr", "show", "dev", "v0"]);
    let info = j[0]["addr_info"].as_array().expect("addrs");
    let a = info
        .iter()
        .find(|a| a["local"] == "192.0.2.10")
        .expect("v4 VIP");
    assert_eq!(a["broadcast"], "192.0.2.255");
    assert_eq!(a["label"], "v0:vip");
    let c = info
        .iter()
        .find(|a| a["local"] == "2001:db8::10")
        .expect("v6 VIP");
    // keepalived's IPv6 VIP: no DAD, deprecated (/128 preferred_lft 0).
    assert_eq!(c["nodad"], true);
    assert_eq!(c["preferred_life_time"], 0);
    let j1 = ns.ip_json(&["addr", "show", "dev", "v1"]);
    assert!(j1[0]["addr_info"]
        .as_array()
        .expect("addrs")
        .iter()
        .any(|a| a["local"] == "198.51.100.7"));
}
