//! Routes (`virtual_routes`, `static_routes`) as kernel specs, and their
//! RTM_NEWROUTE/RTM_DELROUTE encoding; and the `Rtnl` methods on routes.

use crate::error::NetError;
use crate::rtnl::{tolerate, Rtnl};
use netlink_packet_core::{DefaultNla, Parseable};
use netlink_packet_core::{NLM_F_APPEND, NLM_F_CREATE, NLM_F_EXCL};
use netlink_packet_route::route::{
    RouteAddress, RouteAttribute, RouteFlags, RouteHeader, RouteMessage, RouteMetric, RouteNextHop,
    RouteNextHopFlags, RouteProtocol, RouteScope, RouteType,
};
use netlink_packet_route::AddressFamily;
use netlink_packet_route::RouteNetlinkMessage;
use nix::errno::Errno;
use std::fmt;
use std::net::IpAddr;

/// keepalived's routing protocol number (RTPROT_KEEPALIVED, linux/rtnetlink.h).
pub const RTPROT_KEEPALIVED: u8 = 18;
/// The main table.
pub const RT_TABLE_MAIN: u32 = 254;
/// Route types (RTN_*, linux/rtnetlink.h).
pub const RTN_UNICAST: u8 = 1;
const RTN_LOCAL: u8 = 2;
const RTN_BROADCAST: u8 = 3;
const RTN_ANYCAST: u8 = 4;
const RTN_MULTICAST: u8 = 5;
const RTN_NAT: u8 = 10;
/// Scopes (RT_SCOPE_*).
const RT_SCOPE_UNIVERSE: u8 = 0;
const RT_SCOPE_LINK: u8 = 253;
const RT_SCOPE_HOST: u8 = 254;
const RT_SCOPE_NOWHERE: u8 = 255;
/// RTA_* attributes this crate emits raw (linux/rtnetlink.h).
const RTA_FLOW: u16 = 11;
const RTA_PREF: u16 = 20;
const RTA_EXPIRES: u16 = 23;
/// RTAX_* metrics (linux/rtnetlink.h); `RouteSpec::metrics` holds them by number.
pub mod rtax {
    /// Lock bit mask (bit N locks metric N).
    pub const LOCK: u16 = 1;
    /// Path MTU.
    pub const MTU: u16 = 2;
    /// TCP window clamp.
    pub const WINDOW: u16 = 3;
    /// Initial RTT, in milliseconds as `ip route` takes it (the kernel stores << 3).
    pub const RTT: u16 = 4;
    /// Initial RTT variance.
    pub const RTTVAR: u16 = 5;
    /// Slow-start threshold.
    pub const SSTHRESH: u16 = 6;
    /// Congestion window clamp.
    pub const CWND: u16 = 7;
    /// Advertised MSS.
    pub const ADVMSS: u16 = 8;
    /// Reordering.
    pub const REORDERING: u16 = 9;
    /// Hop limit.
    pub const HOPLIMIT: u16 = 10;
    /// Initial congestion window.
    pub const INITCWND: u16 = 11;
    /// Features (bit 0: ECN).
    pub const FEATURES: u16 = 12;
    /// Minimum RTO.
    pub const RTO_MIN: u16 = 13;
    /// Initial receive window.
    pub const INITRWND: u16 = 14;
    /// Quick ACK.
    pub const QUICKACK: u16 = 15;
    /// Fast open without cookie.
    pub const FASTOPEN_NO_COOKIE: u16 = 17;
}

/// One hop of a multipath route.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct NexthopSpec {
    /// The gateway.
    pub via: Option<IpAddr>,
    /// The output interface.
    pub oif: Option<u32>,
    /// The weight, 1..=256.
    pub weight: u16,
    /// RTNH_F_ONLINK: the gateway is on the link even if no prefix says so.
    pub onlink: bool,
    /// Realms (from, to), IPv4 only.
    pub realms: Option<(u16, u16)>,
}

/// A route, as `ip route add` would describe it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RouteSpec {
    /// The destination.
    pub dst: IpAddr,
    /// The destination prefix length.
    pub dst_len: u8,
    /// The table (RT_TABLE_MAIN by default).
    pub table: u32,
    /// The route type (RTN_*; RTN_UNICAST by default).
    pub kind: u8,
    /// The protocol (RTPROT_KEEPALIVED by default, which also marks our routes: a
    /// delete only matches routes with this protocol).
    pub protocol: u8,
    /// The scope; None picks `ip route`'s default for the type and gateway.
    pub scope: Option<u8>,
    /// RTA_PREFSRC: the preferred source address.
    pub src: Option<IpAddr>,
    /// RTA_SRC: a source prefix (IPv6 source-specific routing).
    pub from: Option<(IpAddr, u8)>,
    /// RTA_GATEWAY.
    pub via: Option<IpAddr>,
    /// RTA_OIF.
    pub oif: Option<u32>,
    /// RTNH_F_ONLINK.
    pub onlink: bool,
    /// RTA_PRIORITY (`metric`).
    pub metric: Option<u32>,
    /// The TOS to match.
    pub tos: u8,
    /// RTA_METRICS values by RTAX number (see `rtax`).
    pub metrics: Vec<(u16, u32)>,
    /// RTAX numbers whose value is locked.
    pub locked: Vec<u16>,
    /// RTAX_CC_ALGO: the congestion control algorithm.
    pub congctl: Option<String>,
    /// RTA_FLOW realms (from, to), IPv4 only.
    pub realms: Option<(u16, u16)>,
    /// RTA_PREF: the IPv6 router preference.
    pub pref: Option<u8>,
    /// RTA_EXPIRES in seconds (IPv6).
    pub expires: Option<u32>,
    /// RTA_MULTIPATH hops; empty for a single-path route.
    pub nexthops: Vec<NexthopSpec>,
    /// Append (NLM_F_APPEND, as `ip route append`) instead of failing on an existing
    /// route with the same key.
    pub append: bool,
}

impl RouteSpec {
    /// A unicast route in the main table with keepalived's protocol, nothing else.
    pub fn new(dst: IpAddr, dst_len: u8) -> RouteSpec {
        RouteSpec {
            dst,
            dst_len,
            table: RT_TABLE_MAIN,
            kind: RTN_UNICAST,
            protocol: RTPROT_KEEPALIVED,
            scope: None,
            src: None,
            from: None,
            via: None,
            oif: None,
            onlink: false,
            metric: None,
            tos: 0,
            metrics: Vec::new(),
            locked: Vec::new(),
            congctl: None,
            realms: None,
            pref: None,
            expires: None,
            nexthops: Vec::new(),
            append: false,
        }
    }

    /// The scope sent: the given one, else `ip route add`'s choice (host for local
    /// and nat, link for broadcast/multicast/anycast and for unicast without a
    /// gateway, universe otherwise).
    pub fn effective_scope(&self) -> u8 {
        if let Some(s) = self.scope {
            return s;
        }
        match self.kind {
            RTN_LOCAL | RTN_NAT => RT_SCOPE_HOST,
            RTN_BROADCAST | RTN_MULTICAST | RTN_ANYCAST => RT_SCOPE_LINK,
            RTN_UNICAST | 0
                if self.via.is_none() && self.nexthops.iter().all(|n| n.via.is_none()) =>
            {
                RT_SCOPE_LINK
            }
            _ => RT_SCOPE_UNIVERSE,
        }
    }

    /// Refuses what the kernel would refuse with a bare EINVAL, to say why.
    pub(crate) fn check(&self) -> Result<(), String> {
        let v6 = self.dst.is_ipv6();
        let max = if v6 { 128 } else { 32 };
        if self.dst_len > max {
            return Err(format!("prefix length {} is above {max}", self.dst_len));
        }
        let same = |a: Option<IpAddr>| !matches!(a, Some(x) if x.is_ipv6() != v6);
        if !same(self.src) || !same(self.via) || !same(self.from.map(|f| f.0)) {
            return Err("addresses of two families in one route".into());
        }
        if self.nexthops.iter().any(|n| !same(n.via)) {
            return Err("a nexthop of another address family".into());
        }
        if self
            .nexthops
            .iter()
            .any(|n| n.weight == 0 || n.weight > 256)
        {
            return Err("a nexthop weight is 1 to 256".into());
        }
        Ok(())
    }
}

impl fmt::Display for RouteSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.dst, self.dst_len)?;
        if let Some(v) = self.via {
            write!(f, " via {v}")?;
        }
        if let Some(o) = self.oif {
            write!(f, " dev #{o}")?;
        }
        write!(f, " table {}", self.table)
    }
}

fn route_addr(a: IpAddr) -> RouteAddress {
    match a {
        IpAddr::V4(a) => RouteAddress::Inet(a),
        IpAddr::V6(a) => RouteAddress::Inet6(a),
    }
}

/// The header and the attributes that identify a route (used to add and delete).
fn base(spec: &RouteSpec, scope: u8) -> RouteMessage {
    let mut msg = RouteMessage::default();
    let h: &mut RouteHeader = &mut msg.header;
    h.address_family = if spec.dst.is_ipv6() {
        AddressFamily::Inet6
    } else {
        AddressFamily::Inet
    };
    h.destination_prefix_length = spec.dst_len;
    h.tos = spec.tos;
    // Tables above 255 only fit in RTA_TABLE; the header then says RT_TABLE_UNSPEC.
    h.table = u8::try_from(spec.table).unwrap_or(0);
    h.protocol = RouteProtocol::from(spec.protocol);
    h.scope = RouteScope::from(scope);
    h.kind = RouteType::from(spec.kind);
    msg.attributes.push(RouteAttribute::Table(spec.table));
    msg.attributes
        .push(RouteAttribute::Destination(route_addr(spec.dst)));
    if let Some((a, len)) = spec.from {
        msg.header.source_prefix_length = len;
        msg.attributes.push(RouteAttribute::Source(route_addr(a)));
    }
    if let Some(m) = spec.metric {
        msg.attributes.push(RouteAttribute::Priority(m));
    }
    if let Some(o) = spec.oif {
        msg.attributes.push(RouteAttribute::Oif(o));
    }
    if let Some(v) = spec.via {
        msg.attributes.push(RouteAttribute::Gateway(route_addr(v)));
    }
    msg
}

/// The RTM_NEWROUTE message for `spec`.
pub(crate) fn new_message(spec: &RouteSpec) -> RouteMessage {
    let mut msg = base(spec, spec.effective_scope());
    if spec.onlink {
        msg.header.flags |= RouteFlags::Onlink;
    }
    if let Some(s) = spec.src {
        msg.attributes
            .push(RouteAttribute::PrefSource(route_addr(s)));
    }
    let mut metrics: Vec<RouteMetric> = spec
        .metrics
        .iter()
        .filter_map(|(k, v)| metric(*k, *v))
        .collect();
    if !spec.locked.is_empty() {
        let mask = spec
            .locked
            .iter()
            .filter(|k| **k < 32)
            .fold(0u32, |m, k| m | (1 << k));
        metrics.push(RouteMetric::Lock(mask));
    }
    if let Some(c) = &spec.congctl {
        metrics.push(RouteMetric::CcAlgo(c.clone()));
    }
    if !metrics.is_empty() {
        msg.attributes.push(RouteAttribute::Metrics(metrics));
    }
    if let Some(r) = spec.realms {
        msg.attributes.push(flow(r));
    }
    if let Some(p) = spec.pref {
        msg.attributes
            .push(RouteAttribute::Other(DefaultNla::new(RTA_PREF, vec![p])));
    }
    if let Some(e) = spec.expires {
        msg.attributes.push(RouteAttribute::Other(DefaultNla::new(
            RTA_EXPIRES,
            e.to_ne_bytes().to_vec(),
        )));
    }
    if !spec.nexthops.is_empty() {
        let hops = spec.nexthops.iter().map(nexthop).collect();
        msg.attributes.push(RouteAttribute::MultiPath(hops));
    }
    msg
}

/// The RTM_DELROUTE message for `spec`: the identifying attributes, scope "any"
/// (RT_SCOPE_NOWHERE, as `ip route del`), and the protocol, so that only a route we
/// added (same protocol) is deleted, never an administrator's with the same prefix.
pub(crate) fn del_message(spec: &RouteSpec) -> RouteMessage {
    base(spec, RT_SCOPE_NOWHERE)
}

/// RTA_FLOW: (from << 16) | to.
fn flow((from, to): (u16, u16)) -> RouteAttribute {
    let v = (u32::from(from) << 16) | u32::from(to);
    RouteAttribute::Other(DefaultNla::new(RTA_FLOW, v.to_ne_bytes().to_vec()))
}

/// One RTAX metric.
fn metric(kind: u16, v: u32) -> Option<RouteMetric> {
    Some(match kind {
        rtax::MTU => RouteMetric::Mtu(v),
        rtax::WINDOW => RouteMetric::Window(v),
        // `ip route` takes milliseconds; the kernel's unit is 1/8 ms for RTT and
        // 1/4 ms for RTTVAR.
        rtax::RTT => RouteMetric::Rtt(v.saturating_mul(8)),
        rtax::RTTVAR => RouteMetric::RttVar(v.saturating_mul(4)),
        rtax::SSTHRESH => RouteMetric::SsThresh(v),
        rtax::CWND => RouteMetric::Cwnd(v),
        rtax::ADVMSS => RouteMetric::Advmss(v),
        rtax::REORDERING => RouteMetric::Reordering(v),
        rtax::HOPLIMIT => RouteMetric::Hoplimit(v),
        rtax::INITCWND => RouteMetric::InitCwnd(v),
        rtax::FEATURES => RouteMetric::Features(v),
        rtax::RTO_MIN => RouteMetric::RtoMin(v),
        rtax::INITRWND => RouteMetric::InitRwnd(v),
        rtax::QUICKACK => RouteMetric::QuickAck(v),
        rtax::FASTOPEN_NO_COOKIE => RouteMetric::FastopenNoCookie(v),
        _ => return None,
    })
}

/// One RTA_MULTIPATH entry (struct rtnexthop and its attributes).
fn nexthop(n: &NexthopSpec) -> RouteNextHop {
    let mut hop = RouteNextHop::default();
    if n.onlink {
        hop.flags |= RouteNextHopFlags::Onlink;
    }
    // rtnh_hops is the weight minus one.
    hop.hops = u8::try_from(n.weight.saturating_sub(1)).unwrap_or(u8::MAX);
    hop.interface_index = n.oif.unwrap_or(0);
    if let Some(v) = n.via {
        hop.attributes.push(RouteAttribute::Gateway(route_addr(v)));
    }
    if let Some(r) = n.realms {
        hop.attributes.push(flow(r));
    }
    hop
}

/// RTM_NEWROUTE (linux/rtnetlink.h).
const RTM_NEWROUTE: u16 = 24;

/// Decodes an RTM_NEWROUTE payload into a spec (the fields this crate sends; the
/// kernel's own details such as cache info are dropped).
pub(crate) fn decode(payload: &[u8]) -> Result<RouteSpec, String> {
    let msg = RouteMessage::parse(payload).map_err(|e| e.to_string())?;
    let h = &msg.header;
    let v6 = h.address_family == AddressFamily::Inet6;
    let any = if v6 {
        IpAddr::V6(std::net::Ipv6Addr::UNSPECIFIED)
    } else {
        IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED)
    };
    let mut spec = RouteSpec::new(any, h.destination_prefix_length);
    spec.table = u32::from(h.table);
    spec.kind = u8::from(h.kind);
    spec.protocol = u8::from(h.protocol);
    spec.scope = Some(u8::from(h.scope));
    spec.tos = h.tos;
    spec.onlink = h.flags.contains(RouteFlags::Onlink);
    let ip = |a: &RouteAddress| match a {
        RouteAddress::Inet(a) => Some(IpAddr::V4(*a)),
        RouteAddress::Inet6(a) => Some(IpAddr::V6(*a)),
        _ => None,
    };
    for attr in &msg.attributes {
        match attr {
            RouteAttribute::Table(t) => spec.table = *t,
            RouteAttribute::Destination(a) => spec.dst = ip(a).unwrap_or(any),
            RouteAttribute::Source(a) => {
                spec.from = ip(a).map(|a| (a, h.source_prefix_length));
            }
            RouteAttribute::Gateway(a) => spec.via = ip(a),
            RouteAttribute::PrefSource(a) => spec.src = ip(a),
            RouteAttribute::Oif(o) => spec.oif = Some(*o),
            RouteAttribute::Priority(m) => spec.metric = Some(*m),
            RouteAttribute::Realm(r) => spec.realms = Some((r.source, r.destination)),
            RouteAttribute::Metrics(ms) => {
                for m in ms {
                    match m {
                        RouteMetric::Lock(mask) => {
                            spec.locked = (0..32u16).filter(|k| mask & (1 << k) != 0).collect();
                        }
                        RouteMetric::Mtu(v) => spec.metrics.push((rtax::MTU, *v)),
                        RouteMetric::Advmss(v) => spec.metrics.push((rtax::ADVMSS, *v)),
                        RouteMetric::Hoplimit(v) => spec.metrics.push((rtax::HOPLIMIT, *v)),
                        RouteMetric::Window(v) => spec.metrics.push((rtax::WINDOW, *v)),
                        RouteMetric::InitCwnd(v) => spec.metrics.push((rtax::INITCWND, *v)),
                        RouteMetric::InitRwnd(v) => spec.metrics.push((rtax::INITRWND, *v)),
                        RouteMetric::CcAlgo(c) => spec.congctl = Some(c.clone()),
                        _ => {}
                    }
                }
            }
            RouteAttribute::MultiPath(hops) => {
                for hop in hops {
                    let mut n = NexthopSpec {
                        weight: u16::from(hop.hops) + 1,
                        onlink: hop.flags.contains(RouteNextHopFlags::Onlink),
                        oif: (hop.interface_index != 0).then_some(hop.interface_index),
                        ..NexthopSpec::default()
                    };
                    for a in &hop.attributes {
                        match a {
                            RouteAttribute::Gateway(g) => n.via = ip(g),
                            RouteAttribute::Realm(r) => n.realms = Some((r.source, r.destination)),
                            _ => {}
                        }
                    }
                    spec.nexthops.push(n);
                }
            }
            _ => {}
        }
    }
    Ok(spec)
}

impl Rtnl {
    /// Every route of every table, IPv4 and IPv6 (a route the crate cannot decode is
    /// logged and skipped). With `protocol`, only routes of that protocol: keepalived's
    /// (`RTPROT_KEEPALIVED`) finds what a previous run left behind.
    pub fn routes(&mut self, protocol: Option<u8>) -> Result<Vec<RouteSpec>, NetError> {
        let mut out = Vec::new();
        for family in [AddressFamily::Inet, AddressFamily::Inet6] {
            let mut msg = RouteMessage::default();
            msg.header.address_family = family;
            let answer = self
                .req
                .dump(RouteNetlinkMessage::GetRoute(msg), "listing routes")?;
            for (kind, payload) in answer {
                if kind != RTM_NEWROUTE {
                    continue;
                }
                match decode(&payload) {
                    Ok(r) if protocol.is_none() || protocol == Some(r.protocol) => out.push(r),
                    Ok(_) => {}
                    Err(e) => log::warn!("listing routes: skipping an undecodable one: {e}"),
                }
            }
        }
        Ok(out)
    }

    /// Adds a route; one already there (EEXIST) is Ok.
    pub fn add_route(&mut self, spec: &RouteSpec) -> Result<(), NetError> {
        spec.check().map_err(|reason| NetError::Invalid {
            object: format!("route {spec}"),
            reason,
        })?;
        let flags = if spec.append {
            NLM_F_CREATE | NLM_F_APPEND
        } else {
            NLM_F_CREATE | NLM_F_EXCL
        };
        tolerate(
            self.req.ack(
                RouteNetlinkMessage::NewRoute(new_message(spec)),
                flags,
                "adding route",
                &|| spec.to_string(),
            ),
            &[Errno::EEXIST],
        )
    }

    /// Removes a route we added (same protocol); one not there (ESRCH) or whose
    /// interface is gone (ENODEV) is Ok.
    pub fn del_route(&mut self, spec: &RouteSpec) -> Result<(), NetError> {
        tolerate(
            self.req.ack(
                RouteNetlinkMessage::DelRoute(del_message(spec)),
                0,
                "removing route",
                &|| spec.to_string(),
            ),
            &[Errno::ESRCH, Errno::ENODEV],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_scope_follows_ip_route() {
        let mut r = RouteSpec::new("198.51.100.0".parse().expect("a"), 24);
        assert_eq!(r.effective_scope(), RT_SCOPE_LINK, "no gateway: link");
        r.via = Some("192.0.2.1".parse().expect("a"));
        assert_eq!(r.effective_scope(), RT_SCOPE_UNIVERSE, "gateway: universe");
        r.kind = RTN_LOCAL;
        assert_eq!(r.effective_scope(), RT_SCOPE_HOST);
        r.kind = 6; // blackhole
        assert_eq!(r.effective_scope(), RT_SCOPE_UNIVERSE);
        r.scope = Some(200);
        assert_eq!(r.effective_scope(), 200);
    }

    #[test]
    fn rtt_is_sent_in_kernel_units() {
        // iproute2: rtt in ms is sent << 3, rttvar << 2.
        assert_eq!(metric(rtax::RTT, 10), Some(RouteMetric::Rtt(80)));
        assert_eq!(metric(rtax::RTTVAR, 10), Some(RouteMetric::RttVar(40)));
        assert_eq!(metric(rtax::MTU, 1400), Some(RouteMetric::Mtu(1400)));
        assert_eq!(metric(99, 1), None);
    }

    #[test]
    fn mixed_families_are_refused() {
        let mut r = RouteSpec::new("198.51.100.0".parse().expect("a"), 24);
        r.via = Some("2001:db8::1".parse().expect("a"));
        assert!(r.check().is_err());
        let mut r = RouteSpec::new("2001:db8::".parse().expect("a"), 129);
        assert!(r.check().is_err());
        r.dst_len = 64;
        r.nexthops.push(NexthopSpec {
            weight: 0,
            ..NexthopSpec::default()
        });
        assert!(r.check().is_err());
    }
}
