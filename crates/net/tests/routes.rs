//! Routes and rules from keepalived.conf text (through vigil-config's model) into a
//! namespace's kernel, checked with `ip -j route` / `ip -j rule`.

mod common;

use common::Netns;
use serde_json::Value;
use std::path::Path;
use vigil_config::model::Config;
use vigil_net::{vip, Rtnl};

/// The configuration model of `text`, which must be valid.
fn config(text: &str) -> Config {
    let loaded = vigil_config::load_str(Path::new("test.conf"), text, &Default::default());
    assert!(loaded.is_valid(), "{:#?}", loaded.diags);
    loaded.config
}

/// A namespace with v0 up (v1 its peer), 192.0.2.1/24 and 2001:db8::1/64 on v0.
fn ns() -> Option<Netns> {
    let ns = Netns::new()?;
    ns.ip(&["link", "add", "v0", "type", "veth", "peer", "name", "v1"]);
    ns.ip(&["link", "set", "v0", "up"]);
    ns.ip(&["link", "set", "v1", "up"]);
    ns.ip(&["addr", "add", "192.0.2.1/24", "dev", "v0"]);
    ns.ip(&["-6", "addr", "add", "2001:db8::1/64", "dev", "v0", "nodad"]);
    Some(ns)
}

/// The `ip -j [-6] route show [table T]` entry for `dst`.
fn route(ns: &Netns, args: &[&str], dst: &str) -> Option<Value> {
    let mut a: Vec<&str> = args.iter().copied().filter(|x| *x == "-6").collect();
    a.extend(["route", "show"]);
    a.extend(args.iter().copied().filter(|x| *x != "-6"));
    let v = ns.ip_json(&a);
    v.as_array()?.iter().find(|r| r["dst"] == dst).cloned()
}

const ROUTES: &str = r#"
static_routes {
    198.51.100.0/24 via 192.0.2.254 dev v0 metric 100 mtu lock 1400 table 100
    203.0.113.0/25 dev v0 scope link src 192.0.2.1
    blackhole 203.0.113.128/25 table 100 no_track
    2001:db8:5::/48 via 2001:db8::fe dev v0 metric 50
    198.51.100.128/25 table 101 no_track nexthop via 192.0.2.253 dev v0 weight 2 nexthop via 192.0.2.252 dev v0
}
"#;

#[test]
fn configured_routes_are_added_twice_and_removed_twice_harmlessly() {
    let Some(ns) = ns() else { return };
    let cfg = config(ROUTES);
    let routes = cfg.statics.routes.clone();
    assert_eq!(routes.len(), 5);
    let specs = ns.run(move || {
        let mut r = Rtnl::open().expect("rtnl");
        let specs: Vec<_> = routes
            .iter()
            .map(|x| vip::route_spec(&mut r, x).expect("spec"))
            .collect();
        for s in &specs {
            r.add_route(s).expect("add");
            r.add_route(s).expect("add twice (EEXIST) is Ok");
        }
        // Read back: ours are exactly the keepalived-protocol routes.
        let ours = r
            .routes(Some(vigil_net::route::RTPROT_KEEPALIVED))
            .expect("dump");
        assert_eq!(ours.len(), specs.len(), "{ours:#?}");
        for s in &specs {
            let got = ours
                .iter()
                .find(|o| o.dst == s.dst && o.dst_len == s.dst_len && o.table == s.table)
                .unwrap_or_else(|| panic!("{s} not read back: {ours:#?}"));
            assert_eq!(
                (got.kind, got.via, got.oif, got.metric, got.src),
                (s.kind, s.via, s.oif, s.metric, s.src),
                "{s}"
            );
            assert_eq!(got.nexthops.len(), s.nexthops.len(), "{s}");
            assert_eq!(got.scope, Some(s.effective_scope()), "{s}");
        }
        let mtu = ours
            .iter()
            .find(|o| o.metric == Some(100))
            .expect("route 1");
        assert_eq!(mtu.metrics, vec![(vigil_net::route::rtax::MTU, 1400)]);
        assert_eq!(mtu.locked, vec![vigil_net::route::rtax::MTU]);
        let multi = ours.iter().find(|o| o.table == 101).expect("route 5");
        assert_eq!(multi.nexthops[0].weight, 2);
        assert_eq!(
            multi.nexthops[0].via,
            Some("192.0.2.253".parse().expect("a"))
        );
        // Everything else (the kernel's own routes) is another protocol.
        let all = r.routes(None).expect("dump");
        assert!(all.len() > ours.len());
        specs
    });
    let a = route(&ns, &["table", "100"], "198.51.100.0/24").expect("route 1");
    assert_eq!(a["gateway"], "192.0.2.254");
    assert_eq!(a["dev"], "v0");
    assert_eq!(a["metric"], 100);
    assert_eq!(a["protocol"], "keepalived");
    assert_eq!(a["metrics"][0]["mtu"], 1400, "{a}");
    // `ip -j` does not show locks; the text form does.
    let text = ns.ip(&["route", "show", "table", "100", "198.51.100.0/24"]);
    assert!(text.contains("mtu lock 1400"), "{text}");
    let b = route(&ns, &[], "203.0.113.0/25").expect("route 2");
    assert_eq!(b["scope"], "link");
    assert_eq!(b["prefsrc"], "192.0.2.1");
    let c = route(&ns, &["table", "100"], "203.0.113.128/25").expect("route 3");
    assert_eq!(c["type"], "blackhole");
    let d = route(&ns, &["-6"], "2001:db8:5::/48").expect("route 4");
    assert_eq!(d["gateway"], "2001:db8::fe");
    assert_eq!(d["metric"], 50);
    let e = route(&ns, &["table", "101"], "198.51.100.128/25").expect("route 5");
    let hops = e["nexthops"].as_array().expect("multipath");
    assert_eq!(hops.len(), 2);
    assert_eq!(hops[0]["gateway"], "192.0.2.253");
    assert_eq!(hops[0]["weight"], 2);

    ns.run(move || {
        let mut r = Rtnl::open().expect("rtnl");
        for s in &specs {
            r.del_route(s).expect("del");
            r.del_route(s).expect("del twice (ESRCH) is Ok");
        }
    });
    assert!(route(&ns, &["table", "100"], "198.51.100.0/24").is_none());
    assert!(route(&ns, &[], "203.0.113.0/25").is_none());
    assert!(route(&ns, &["-6"], "2001:db8:5::/48").is_none());
    assert!(route(&ns, &["table", "101"], "198.51.100.128/25").is_none());
}

#[test]
fn deleting_only_touches_routes_of_our_protocol() {
    let Some(ns) = ns() else { return };
    // An administrator's route with the same prefix, protocol static.
    ns.ip(&[
        "route",
        "add",
        "198.51.100.0/24",
        "via",
        "192.0.2.254",
        "proto",
        "static",
    ]);
    let cfg = config("static_routes {\n 198.51.100.0/24 via 192.0.2.254 dev v0\n}\n");
    let r0 = cfg.statics.routes[0].clone();
    ns.run(move || {
        let mut r = Rtnl::open().expect("rtnl");
        let spec = vip::route_spec(&mut r, &r0).expect("spec");
        r.del_route(&spec).expect("nothing of ours: Ok");
    });
    let kept = route(&ns, &[], "198.51.100.0/24").expect("still there");
    assert_eq!(kept["protocol"], "static");
}

const RULES: &str = r#"
static_rules {
    from 192.0.2.0/24 table 100 priority 1000
    to 198.51.100.0/24 fwmark 7/0xff table 101 priority 1001
    from 2001:db8::/32 lookup 100 priority 1002
    not iif v0 ipproto tcp dport 80-81 prohibit priority 1003
}
"#;

#[test]
fn configured_rules_are_added_and_removed() {
    let Some(ns) = ns() else { return };
    let cfg = config(RULES);
    let rules = cfg.statics.rules.clone();
    assert_eq!(rules.len(), 4);
    let specs = ns.run(move || {
        let mut r = Rtnl::open().expect("rtnl");
        let specs: Vec<_> = rules
            .iter()
            .map(|x| vip::rule_spec(x).expect("spec"))
            .collect();
        for s in &specs {
            r.add_rule(s).expect("add");
            r.add_rule(s).expect("add twice (EEXIST) is Ok");
        }
        specs
    });
    let v4 = ns.ip_json(&["rule", "show"]);
    let find = |v: &Value, prio: u64| {
        v.as_array()
            .and_then(|a| a.iter().find(|r| r["priority"] == prio).cloned())
    };
    let a = find(&v4, 1000).expect("rule 1000");
    assert_eq!(a["src"], "192.0.2.0");
    assert_eq!(a["srclen"], 24);
    assert_eq!(a["table"], "100");
    let b = find(&v4, 1001).expect("rule 1001");
    assert_eq!(b["dst"], "198.51.100.0");
    assert_eq!(b["fwmark"], "0x7");
    assert_eq!(b["fwmask"], "0xff");
    let d = find(&v4, 1003).expect("rule 1003");
    assert_eq!(d["action"], "prohibit");
    // `ip -j` prints the invert flag as "not": null.
    assert!(d.get("not").is_some(), "{d}");
    assert_eq!(d["iif"], "v0");
    assert_eq!(d["ipproto"], "tcp");
    assert_eq!(d["dport_start"], 80);
    let v6 = ns.ip_json(&["-6", "rule", "show"]);
    let c = find(&v6, 1002).expect("rule 1002");
    assert_eq!(c["src"], "2001:db8::");
    assert_eq!(c["table"], "100");

    ns.run(move || {
        let mut r = Rtnl::open().expect("rtnl");
        for s in &specs {
            r.del_rule(s).expect("del");
            r.del_rule(s).expect("del twice (ENOENT) is Ok");
        }
    });
    let v4 = ns.ip_json(&["rule", "show"]);
    assert!(find(&v4, 1000).is_none() && find(&v4, 1003).is_none());
    let v6 = ns.ip_json(&["-6", "rule", "show"]);
    assert!(find(&v6, 1002).is_none());
}

#[test]
fn unsupported_route_features_are_refused_not_dropped() {
    let Some(ns) = ns() else { return };
    let cfg =
        config("static_routes {\n 198.51.100.0/24 encap mpls 100 via 192.0.2.254 dev v0\n}\n");
    let r0 = cfg.statics.routes[0].clone();
    let err = ns.run(move || {
        let mut r = Rtnl::open().expect("rtnl");
        vip::route_spec(&mut r, &r0).expect_err("encap")
    });
    assert!(err.to_string().contains("encap"), "{err}");
}
