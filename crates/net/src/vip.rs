//! From the configuration model to kernel specs, with keepalived's defaults:
//! addresses (`virtual_ipaddress`, `virtual_ipaddress_excluded`, `static_ipaddress`),
//! routes (`virtual_routes`, `static_routes`) and rules (`virtual_rules`,
//! `static_rules`). The only module that knows the configuration model.

use crate::addr::AddrSpec;
use crate::error::NetError;
use crate::route::{rtax, NexthopSpec, RouteSpec, RTPROT_KEEPALIVED};
use crate::rtnl::Rtnl;
use crate::rule::{RuleSpec, RuleVerdict};
use std::net::{IpAddr, Ipv4Addr};
use vigil_config::model::ipaddr::{
    Broadcast, IpAddress, Lifetime, Metric, Range, Route, RouteType, Rule, RuleAction,
};

/// The AddrSpec of a configured address on the interface `dev` names, else
/// `default_if` (the instance's interface, or its VMAC when `use_vmac`), resolved to
/// an ifindex through `rtnl`.
pub fn addr_spec(
    rtnl: &mut Rtnl,
    ip: &IpAddress,
    default_if: Option<&str>,
) -> Result<AddrSpec, NetError> {
    let Some(ifname) = ip.dev.as_deref().or(default_if) else {
        return Err(NetError::Invalid {
            object: format!("address {}", ip.addr),
            reason: "no interface: neither `dev` nor a default interface".into(),
        });
    };
    let ifindex = rtnl.ifindex(ifname)?;
    Ok(spec_on(ip, ifindex))
}

/// The AddrSpec of a configured address on a known interface (no kernel access).
/// keepalived's defaults: IPv4 broadcast only when `brd` is given (`+`/`-` computed
/// from the prefix), scope and label as configured, and IPv6 always IFA_F_NODAD
/// (keepalived adds VIPs without duplicate address detection: a VIP that moves must
/// work at once, and a tentative address cannot be used as a source).
pub fn spec_on(ip: &IpAddress, ifindex: u32) -> AddrSpec {
    let mut spec = AddrSpec::new(ifindex, ip.addr.addr, ip.addr.len);
    spec.broadcast = match (ip.addr.addr, ip.broadcast) {
        (IpAddr::V4(a), Some(b)) => Some(broadcast(a, ip.addr.len, b)),
        _ => None,
    };
    spec.peer = ip.peer;
    spec.scope = ip.scope;
    spec.label = ip.label.clone();
    spec.nodad = ip.nodad || ip.addr.is_ipv6();
    spec.noprefixroute = ip.noprefixroute;
    spec.home = ip.home;
    spec.mngtmpaddr = ip.mngtmpaddr;
    spec.autojoin = ip.autojoin;
    spec.preferred_lft = match ip.preferred_lft {
        Lifetime::Forever => None,
        Lifetime::Secs(s) => Some(s),
    };
    spec
}

/// The broadcast address `brd` asks for: explicit, or the prefix with all host bits
/// set (`+`) or cleared (`-`), as `ip address add` computes them.
fn broadcast(addr: Ipv4Addr, len: u8, b: Broadcast) -> Ipv4Addr {
    let mask = if len == 0 {
        0
    } else {
        u32::MAX << (32 - u32::from(len.min(32)))
    };
    let a = u32::from(addr);
    match b {
        Broadcast::Addr(x) => x,
        Broadcast::SetHostBits => Ipv4Addr::from(a | !mask),
        Broadcast::ClearHostBits => Ipv4Addr::from(a & mask),
    }
}

/// RTAX_CC_ALGO: the congestion-control metric, locked like the others.
const RTAX_CC_ALGO: u16 = 16;

/// The RouteSpec of a configured route; `dev` names (of the route and of each
/// nexthop) are resolved through `rtnl`. What the crate cannot send yet (`encap`,
/// `vrf`, `ttl-propagate`) is refused rather than silently dropped.
pub fn route_spec(rtnl: &mut Rtnl, r: &Route) -> Result<RouteSpec, NetError> {
    let unsupported = |what: &str| NetError::Invalid {
        object: format!("route {}", r.dst),
        reason: format!("`{what}` is not supported"),
    };
    if r.encap.is_some() {
        return Err(unsupported("encap"));
    }
    if r.vrf.is_some() {
        return Err(unsupported("vrf"));
    }
    if r.ttl_propagate.is_some() {
        return Err(unsupported("ttl-propagate"));
    }
    let mut spec = RouteSpec::new(r.dst.addr, r.dst.len);
    spec.kind = route_type(r.kind);
    spec.table = r.table;
    spec.protocol = r.protocol.unwrap_or(RTPROT_KEEPALIVED);
    spec.scope = r.scope;
    spec.src = r.src;
    spec.from = r.from.map(|p| (p.addr, p.len));
    spec.via = r.via;
    spec.oif = match &r.dev {
        Some(d) => Some(rtnl.ifindex(d)?),
        None => None,
    };
    spec.onlink = r.onlink;
    spec.metric = r.metric;
    spec.tos = r.tos.unwrap_or(0);
    let lockable = [
        (rtax::MTU, r.mtu),
        (rtax::ADVMSS, r.advmss),
        (rtax::RTT, r.rtt),
        (rtax::RTTVAR, r.rttvar),
        (rtax::REORDERING, r.reordering),
        (rtax::CWND, r.cwnd),
        (rtax::SSTHRESH, r.ssthresh),
        (rtax::RTO_MIN, r.rto_min),
    ];
    for (k, m) in lockable {
        if let Some(Metric { value, lock }) = m {
            spec.metrics.push((k, value));
            if lock {
                spec.locked.push(k);
            }
        }
    }
    let plain = [
        (rtax::HOPLIMIT, r.hoplimit.map(u32::from)),
        (rtax::WINDOW, r.window),
        (rtax::INITCWND, r.initcwnd),
        (rtax::INITRWND, r.initrwnd),
        (rtax::QUICKACK, r.quickack.map(u32::from)),
        (
            rtax::FASTOPEN_NO_COOKIE,
            r.fastopen_no_cookie.map(u32::from),
        ),
        // RTAX_FEATURE_ECN is bit 0.
        (rtax::FEATURES, r.features_ecn.then_some(1)),
    ];
    spec.metrics
        .extend(plain.into_iter().filter_map(|(k, v)| v.map(|v| (k, v))));
    if let Some((name, lock)) = &r.congctl {
        spec.congctl = Some(name.clone());
        if *lock {
            spec.locked.push(RTAX_CC_ALGO);
        }
    }
    spec.realms = r.realms.map(|x| (x.from, x.to));
    spec.pref = r.pref;
    spec.expires = r.expires;
    for n in &r.nexthops {
        if n.encap.is_some() {
            return Err(unsupported("nexthop encap"));
        }
        spec.nexthops.push(NexthopSpec {
            via: n.via,
            oif: match &n.dev {
                Some(d) => Some(rtnl.ifindex(d)?),
                None => None,
            },
            weight: n.weight.unwrap_or(1),
            onlink: n.onlink,
            realms: n.realms.map(|x| (x.from, x.to)),
        });
    }
    spec.append = r.append;
    Ok(spec)
}

/// The RTN_* number of a route type.
fn route_type(t: RouteType) -> u8 {
    match t {
        RouteType::Unicast => 1,
        RouteType::Local => 2,
        RouteType::Broadcast => 3,
        RouteType::Anycast => 4,
        RouteType::Multicast => 5,
        RouteType::Blackhole => 6,
        RouteType::Unreachable => 7,
        RouteType::Prohibit => 8,
        RouteType::Throw => 9,
        RouteType::Nat => 10,
        RouteType::Xresolve => 11,
    }
}

/// The RuleSpec of a configured rule (interface names are sent as names: the kernel
/// matches them even for interfaces that do not exist yet).
pub fn rule_spec(r: &Rule) -> Result<RuleSpec, NetError> {
    let ports = |what: &str, p: Option<Range>| -> Result<Option<(u16, u16)>, NetError> {
        p.map(|p| match (u16::try_from(p.start), u16::try_from(p.end)) {
            (Ok(a), Ok(b)) => Ok((a, b)),
            _ => Err(NetError::Invalid {
                object: format!("rule {}", r.priority),
                reason: format!("{what} {p} is not a port range"),
            }),
        })
        .transpose()
    };
    let verdict = match r.action {
        RuleAction::Table(t) => RuleVerdict::Table(t),
        RuleAction::Goto(p) => RuleVerdict::Goto(p),
        RuleAction::Nop => RuleVerdict::Nop,
        RuleAction::Blackhole => RuleVerdict::Blackhole,
        RuleAction::Unreachable => RuleVerdict::Unreachable,
        RuleAction::Prohibit => RuleVerdict::Prohibit,
        RuleAction::L3mdev => RuleVerdict::L3mdev,
    };
    let mut spec = RuleSpec::new(r.ipv6, r.priority, verdict);
    spec.invert = r.invert;
    spec.from = r.from.map(|p| (p.addr, p.len));
    spec.to = r.to.map(|p| (p.addr, p.len));
    spec.tos = r.tos.unwrap_or(0);
    spec.fwmark = r.fwmark;
    spec.realms = r.realms.map(|x| (x.from, x.to));
    spec.iif = r.iif.clone();
    spec.oif = r.oif.clone();
    spec.uidrange = r.uidrange.map(|u| (u.start, u.end));
    spec.protocol = r.protocol;
    spec.ipproto = r.ipproto;
    spec.sport = ports("sport", r.sport)?;
    spec.dport = ports("dport", r.dport)?;
    spec.tunnel_id = r.tunnel_id;
    spec.suppress_prefixlength = r.suppress_prefixlength;
    spec.suppress_ifgroup = r.suppress_ifgroup;
    Ok(spec)
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigil_config::model::ipaddr::Prefix;

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
    fn ipv4_defaults_no_broadcast_no_nodad() {
        let s = spec_on(&model("192.0.2.10", 24), 3);
        assert_eq!(s, AddrSpec::new(3, "192.0.2.10".parse().expect("a"), 24));
    }

    #[test]
    fn ipv4_brd_plus_minus_and_explicit() {
        let mut m = model("192.0.2.10", 24);
        m.broadcast = Some(Broadcast::SetHostBits);
        assert_eq!(
            spec_on(&m, 1).broadcast,
            Some(Ipv4Addr::new(192, 0, 2, 255))
        );
        m.broadcast = Some(Broadcast::ClearHostBits);
        assert_eq!(spec_on(&m, 1).broadcast, Some(Ipv4Addr::new(192, 0, 2, 0)));
        m.broadcast = Some(Broadcast::Addr(Ipv4Addr::new(192, 0, 2, 127)));
        assert_eq!(
            spec_on(&m, 1).broadcast,
            Some(Ipv4Addr::new(192, 0, 2, 127))
        );
        let mut h = model("198.51.100.1", 32);
        h.broadcast = Some(Broadcast::SetHostBits);
        assert_eq!(
            spec_on(&h, 1).broadcast,
            Some(Ipv4Addr::new(198, 51, 100, 1))
        );
        let mut z = model("198.51.100.1", 0);
        z.broadcast = Some(Broadcast::SetHostBits);
        assert_eq!(spec_on(&z, 1).broadcast, Some(Ipv4Addr::BROADCAST));
    }

    #[test]
    fn ipv6_is_always_nodad_and_a_128_is_deprecated() {
        let s = spec_on(&model("2001:db8::10", 128), 2);
        assert!(s.nodad);
        // The model's default preferred_lft for an IPv6 /128 is 0 (keepalived's).
        assert_eq!(s.preferred_lft, Some(0));
        let s = spec_on(&model("2001:db8::10", 64), 2);
        assert!(s.nodad);
        assert_eq!(s.preferred_lft, None);
    }

    #[test]
    fn options_carry_over() {
        let mut m = model("192.0.2.1", 32);
        m.scope = 253;
        m.label = Some("eth0:vip".into());
        m.peer = Some("192.0.2.2".parse().expect("a"));
        m.home = true;
        m.noprefixroute = true;
        let s = spec_on(&m, 4);
        assert_eq!(s.scope, 253);
        assert_eq!(s.label.as_deref(), Some("eth0:vip"));
        assert_eq!(s.peer, Some("192.0.2.2".parse().expect("a")));
        assert!(s.home && s.noprefixroute && !s.nodad);
    }
}
