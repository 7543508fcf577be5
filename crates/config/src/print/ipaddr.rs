//! Printing addresses, routes and rules as block lines, in the order of the model's
//! fields, non-default options only.

use super::Printer;
use crate::lower::ipaddr::{ila_text, name_of, protocol_name, scope_name, table_name, ROUTE_PREFS};
use crate::model::ipaddr::{
    Broadcast, Encap, IpAddress, IpEncap, Lifetime, Metric, Nexthop, Route, RouteType, Rule,
    RuleAction,
};

/// One address line.
pub fn address(a: &IpAddress, p: &mut Printer) {
    p.words(address_words(a));
}

/// The words of an address line.
pub fn address_words(a: &IpAddress) -> Vec<String> {
    let mut w = vec![a.addr.to_string()];
    let mut kv = |k: &str, v: String| {
        w.push(k.to_string());
        w.push(v);
    };
    if let Some(b) = &a.broadcast {
        kv(
            "brd",
            match b {
                Broadcast::Addr(x) => x.to_string(),
                Broadcast::SetHostBits => "+".into(),
                Broadcast::ClearHostBits => "-".into(),
            },
        );
    }
    if let Some(d) = &a.dev {
        kv("dev", d.clone());
    }
    if a.scope != 0 {
        kv("scope", scope_name(a.scope));
    }
    if let Some(l) = &a.label {
        kv("label", l.clone());
    }
    if let Some(x) = &a.peer {
        kv("peer", x.to_string());
    }
    for (on, k) in [
        (a.home, "home"),
        (a.nodad, "-nodad"),
        (a.mngtmpaddr, "mngtmpaddr"),
        (a.noprefixroute, "noprefixroute"),
        (a.autojoin, "autojoin"),
        (a.use_vmac, "use_vmac"),
        (a.no_track, "no_track"),
    ] {
        if on {
            w.push(k.to_string());
        }
    }
    if let Some(g) = &a.track_group {
        w.push("track_group".into());
        w.push(g.clone());
    }
    if a.preferred_lft != IpAddress::default_preferred_lft(&a.addr) {
        w.push("preferred_lft".into());
        w.push(match a.preferred_lft {
            Lifetime::Forever => "forever".into(),
            Lifetime::Secs(s) => s.to_string(),
        });
    }
    w
}

fn metric(w: &mut Vec<String>, k: &str, m: &Option<Metric>, ms: bool) {
    if let Some(m) = m {
        w.push(k.into());
        if m.lock {
            w.push("lock".into());
        }
        w.push(if ms {
            format!("{}ms", m.value)
        } else {
            m.value.to_string()
        });
    }
}

fn encap(w: &mut Vec<String>, e: &Encap) {
    w.push("encap".into());
    match e {
        Encap::Mpls(l) => {
            w.push("mpls".into());
            w.push(
                l.iter()
                    .map(|x| x.to_string())
                    .collect::<Vec<_>>()
                    .join("/"),
            );
        }
        Encap::Ip(x) => ip_encap(w, "ip", x, "tos", "ttl"),
        Encap::Ip6(x) => ip_encap(w, "ip6", x, "tc", "hoplimit"),
        Encap::Ila(l) => {
            w.push("ila".into());
            w.push(ila_text(*l));
        }
    }
}

fn ip_encap(w: &mut Vec<String>, t: &str, e: &IpEncap, tos: &str, ttl: &str) {
    w.push(t.into());
    let mut kv = |k: &str, v: Option<String>| {
        if let Some(v) = v {
            w.push(k.into());
            w.push(v);
        }
    };
    kv("id", e.id.map(|x| x.to_string()));
    kv("dst", e.dst.map(|x| x.to_string()));
    kv("src", e.src.map(|x| x.to_string()));
    kv(tos, e.tos.map(|x| x.to_string()));
    kv(ttl, e.ttl.map(|x| x.to_string()));
    kv("flags", e.flags.map(|x| x.to_string()));
}

fn nexthop(w: &mut Vec<String>, n: &Nexthop) {
    w.push("nexthop".into());
    if let Some(v) = &n.via {
        w.push("via".into());
        w.push(v.to_string());
    }
    if let Some(d) = &n.dev {
        w.push("dev".into());
        w.push(d.clone());
    }
    if let Some(x) = n.weight {
        w.push("weight".into());
        w.push(x.to_string());
    }
    if n.onlink {
        w.push("onlink".into());
    }
    if let Some(r) = &n.realms {
        w.push("realms".into());
        w.push(r.to_string());
    }
    if let Some(e) = &n.encap {
        encap(w, e);
    }
}

/// One route line.
pub fn route(r: &Route, p: &mut Printer) {
    p.words(route_words(r));
}

/// The words of a route line.
pub fn route_words(r: &Route) -> Vec<String> {
    let mut w: Vec<String> = Vec::new();
    if r.kind != RouteType::Unicast {
        w.push(r.kind.keyword().into());
    }
    w.push(r.dst.to_string());
    {
        let mut kv = |k: &str, v: Option<String>| {
            if let Some(v) = v {
                w.push(k.into());
                w.push(v);
            }
        };
        kv("src", r.src.map(|x| x.to_string()));
        kv("from", r.from.map(|x| x.to_string()));
        kv("via", r.via.map(|x| x.to_string()));
        kv("dev", r.dev.clone());
    }
    if r.onlink {
        w.push("onlink".into());
    }
    let kv = |w: &mut Vec<String>, k: &str, v: Option<String>| {
        if let Some(v) = v {
            w.push(k.into());
            w.push(v);
        }
    };
    kv(
        &mut w,
        "table",
        (r.table != 254).then(|| table_name(r.table)),
    );
    kv(&mut w, "metric", r.metric.map(|x| x.to_string()));
    kv(&mut w, "scope", r.scope.map(scope_name));
    kv(&mut w, "tos", r.tos.map(|x| x.to_string()));
    kv(&mut w, "protocol", r.protocol.map(protocol_name));
    metric(&mut w, "mtu", &r.mtu, false);
    kv(&mut w, "hoplimit", r.hoplimit.map(|x| x.to_string()));
    metric(&mut w, "advmss", &r.advmss, false);
    metric(&mut w, "rtt", &r.rtt, true);
    metric(&mut w, "rttvar", &r.rttvar, true);
    metric(&mut w, "reordering", &r.reordering, false);
    kv(&mut w, "window", r.window.map(|x| x.to_string()));
    metric(&mut w, "cwnd", &r.cwnd, false);
    metric(&mut w, "ssthresh", &r.ssthresh, false);
    kv(&mut w, "realms", r.realms.map(|x| x.to_string()));
    metric(&mut w, "rto_min", &r.rto_min, true);
    kv(&mut w, "initcwnd", r.initcwnd.map(|x| x.to_string()));
    kv(&mut w, "initrwnd", r.initrwnd.map(|x| x.to_string()));
    if r.features_ecn {
        w.push("features".into());
        w.push("ecn".into());
    }
    kv(
        &mut w,
        "quickack",
        r.quickack.map(|b| u8::from(b).to_string()),
    );
    if let Some((name, lock)) = &r.congctl {
        w.push("congctl".into());
        if *lock {
            w.push("lock".into());
        }
        w.push(name.clone());
    }
    kv(&mut w, "pref", r.pref.map(|x| name_of(ROUTE_PREFS, x)));
    kv(&mut w, "expires", r.expires.map(|x| x.to_string()));
    kv(
        &mut w,
        "fastopen_no_cookie",
        r.fastopen_no_cookie.map(|b| u8::from(b).to_string()),
    );
    kv(
        &mut w,
        "ttl-propagate",
        r.ttl_propagate
            .map(|b| if b { "enabled" } else { "disabled" }.to_string()),
    );
    if let Some(e) = &r.encap {
        encap(&mut w, e);
    }
    kv(&mut w, "vrf", r.vrf.clone());
    if r.append {
        w.push("append".into());
    }
    if r.no_track {
        w.push("no_track".into());
    }
    kv(&mut w, "track_group", r.track_group.clone());
    for n in &r.nexthops {
        nexthop(&mut w, n);
    }
    w
}

/// One rule line.
pub fn rule(r: &Rule, p: &mut Printer) {
    p.words(rule_words(r));
}

/// The words of a rule line.
pub fn rule_words(r: &Rule) -> Vec<String> {
    let mut w: Vec<String> = Vec::new();
    let kv = |w: &mut Vec<String>, k: &str, v: Option<String>| {
        if let Some(v) = v {
            w.push(k.into());
            w.push(v);
        }
    };
    if r.invert {
        w.push("not".into());
    }
    kv(&mut w, "from", r.from.map(|x| x.to_string()));
    kv(&mut w, "to", r.to.map(|x| x.to_string()));
    kv(&mut w, "preference", Some(r.priority.to_string()));
    kv(&mut w, "tos", r.tos.map(|x| x.to_string()));
    kv(
        &mut w,
        "fwmark",
        r.fwmark.map(|(m, k)| match k {
            Some(k) => format!("{m:#x}/{k:#x}"),
            None => format!("{m:#x}"),
        }),
    );
    kv(&mut w, "realms", r.realms.map(|x| x.to_string()));
    kv(&mut w, "iif", r.iif.clone());
    kv(&mut w, "oif", r.oif.clone());
    kv(&mut w, "uidrange", r.uidrange.map(|x| x.to_string()));
    kv(&mut w, "protocol", r.protocol.map(|x| x.to_string()));
    kv(&mut w, "ipproto", r.ipproto.map(|x| x.to_string()));
    kv(&mut w, "sport", r.sport.map(|x| x.to_string()));
    kv(&mut w, "dport", r.dport.map(|x| x.to_string()));
    kv(&mut w, "tunnel-id", r.tunnel_id.map(|x| x.to_string()));
    kv(
        &mut w,
        "suppress_prefixlength",
        r.suppress_prefixlength.map(|x| x.to_string()),
    );
    kv(
        &mut w,
        "suppress_ifgroup",
        r.suppress_ifgroup.map(|x| x.to_string()),
    );
    match r.action {
        RuleAction::Table(t) => kv(&mut w, "table", Some(table_name(t))),
        RuleAction::Goto(t) => kv(&mut w, "goto", Some(t.to_string())),
        RuleAction::Nop => w.push("nop".into()),
        RuleAction::Blackhole => w.push("blackhole".into()),
        RuleAction::Unreachable => w.push("unreachable".into()),
        RuleAction::Prohibit => w.push("prohibit".into()),
        RuleAction::L3mdev => w.push("l3mdev".into()),
    }
    if r.no_track {
        w.push("no_track".into());
    }
    kv(&mut w, "track_group", r.track_group.clone());
    // Last: keepalived 2.2.7 skips the word after a rule's `inet6`.
    if r.ipv6 && r.from.is_none() && r.to.is_none() {
        w.push("inet6".into());
    }
    w
}
