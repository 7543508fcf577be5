//! One line of an address, route or rule block (keepalived.conf(5), "Static
//! routes/addresses/rules", and the VRRP instance's `virtual_ipaddress`,
//! `virtual_routes` and `virtual_rules`). Option names and checks follow keepalived
//! 2.2.7's `vrrp_ipaddress.c`, `vrrp_iproute.c` and `vrrp_iprule.c`; every problem
//! keepalived logs about a line is an error here.
//!
//! [`address`], [`route`] and [`rule`] read lines of the VRRP blocks (`use_vmac`
//! allowed, `track_group` refused); [`static_address`], [`static_route`] and
//! [`static_rule`] read lines of the static blocks (the other way round).

use crate::lexer::Word;
use crate::lower::ctx::{Ctx, Kind};
use crate::model::ipaddr::{
    Broadcast, Encap, IpAddress, IpEncap, Lifetime, Metric, Nexthop, Prefix, Range, Realms, Route,
    RouteType, Rule, RuleAction,
};
use crate::tree::Node;
use std::net::IpAddr;

/// keepalived's route protocol number (RTPROT_KEEPALIVED); tracked routes and rules
/// must carry it.
pub const RTPROT_KEEPALIVED: u8 = 18;

/// Where a line stands: VRRP blocks or static blocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Virtual,
    Static,
}

/// One line of `virtual_ipaddress` / `virtual_ipaddress_excluded`.
pub fn address(node: &Node, ctx: &mut Ctx) -> Option<IpAddress> {
    parse_address(node, ctx, Place::Virtual)
}

/// One line of `static_ipaddress`.
pub fn static_address(node: &Node, ctx: &mut Ctx) -> Option<IpAddress> {
    parse_address(node, ctx, Place::Static)
}

/// One line of `virtual_routes`.
pub fn route(node: &Node, ctx: &mut Ctx) -> Option<Route> {
    parse_route(node, ctx, Place::Virtual)
}

/// One line of `static_routes`.
pub fn static_route(node: &Node, ctx: &mut Ctx) -> Option<Route> {
    parse_route(node, ctx, Place::Static)
}

/// One line of `virtual_rules`.
pub fn rule(node: &Node, ctx: &mut Ctx) -> Option<Rule> {
    parse_rule(node, ctx, Place::Virtual)
}

/// One line of `static_rules`.
pub fn static_rule(node: &Node, ctx: &mut Ctx) -> Option<Rule> {
    parse_rule(node, ctx, Place::Static)
}

// ----- name tables (iproute2's defaults, as keepalived reads them) -----

/// Address and route scopes.
pub const SCOPES: &[(&str, u8)] = &[
    ("global", 0),
    ("site", 200),
    ("link", 253),
    ("host", 254),
    ("nowhere", 255),
];

/// Routing table names.
pub const TABLES: &[(&str, u32)] = &[
    ("unspec", 0),
    ("default", 253),
    ("main", 254),
    ("local", 255),
];

/// Route protocol names (iproute2's rt_protos).
pub const PROTOCOLS: &[(&str, u8)] = &[
    ("unspec", 0),
    ("redirect", 1),
    ("kernel", 2),
    ("boot", 3),
    ("static", 4),
    ("gated", 8),
    ("ra", 9),
    ("mrt", 10),
    ("zebra", 11),
    ("bird", 12),
    ("dnrouted", 13),
    ("xorp", 14),
    ("ntk", 15),
    ("dhcp", 16),
    ("keepalived", 18),
    ("babel", 42),
    ("bgp", 186),
    ("isis", 187),
    ("ospf", 188),
    ("rip", 189),
    ("eigrp", 192),
];

/// IPv6 router preferences (`pref`).
pub const ROUTE_PREFS: &[(&str, u8)] = &[("medium", 0), ("high", 1), ("low", 3)];

/// IP protocol names for `ipproto` (case-insensitive, as getprotobyname).
pub const IP_PROTOCOLS: &[(&str, u8)] = &[
    ("icmp", 1),
    ("igmp", 2),
    ("ipencap", 4),
    ("tcp", 6),
    ("egp", 8),
    ("udp", 17),
    ("dccp", 33),
    ("ipv6", 41),
    ("rsvp", 46),
    ("gre", 47),
    ("esp", 50),
    ("ah", 51),
    ("ipv6-icmp", 58),
    ("ospf", 89),
    ("pim", 103),
    ("vrrp", 112),
    ("l2tp", 115),
    ("sctp", 132),
    ("udplite", 136),
    ("mpls-in-ip", 137),
];

/// The name of a scope number, or the number.
pub fn scope_name(n: u8) -> String {
    name_of(SCOPES, n)
}

/// The name of a table number, or the number.
pub fn table_name(n: u32) -> String {
    name_of(TABLES, n)
}

/// The name of a route protocol number, or the number.
pub fn protocol_name(n: u8) -> String {
    name_of(PROTOCOLS, n)
}

/// The name of `n` in `table`, or the number.
pub fn name_of<T: PartialEq + Copy + ToString>(table: &[(&str, T)], n: T) -> String {
    table
        .iter()
        .find(|(_, v)| *v == n)
        .map(|(k, _)| k.to_string())
        .unwrap_or_else(|| n.to_string())
}

fn by_name<T: Copy>(table: &[(&str, T)], s: &str) -> Option<T> {
    table.iter().find(|(k, _)| *k == s).map(|(_, v)| *v)
}

/// An unsigned number as C's `strtoul(s, 0)` reads it: `0x` hex, leading `0` octal,
/// decimal otherwise.
pub fn parse_base0(s: &str) -> Option<u64> {
    if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        if h.is_empty() {
            return None;
        }
        u64::from_str_radix(h, 16).ok()
    } else if s.len() > 1 && s.starts_with('0') {
        u64::from_str_radix(&s[1..], 8).ok()
    } else if !s.is_empty() && s.chars().all(|c| c.is_ascii_digit()) {
        s.parse().ok()
    } else {
        None
    }
}

/// A plain decimal number.
pub fn parse_dec(s: &str) -> Option<u64> {
    if !s.is_empty() && s.chars().all(|c| c.is_ascii_digit()) {
        s.parse().ok()
    } else {
        None
    }
}

/// `ADDR[/LEN]`; a missing length is the full length (keepalived accepts an empty
/// one after `/` too).
pub fn parse_prefix(s: &str) -> Result<Prefix, String> {
    let (a, l) = match s.split_once('/') {
        Some((a, l)) => (a, Some(l)),
        None => (s, None),
    };
    let addr: IpAddr = a
        .parse()
        .map_err(|_| format!("`{s}` is not an IP address"))?;
    let max = if addr.is_ipv4() { 32 } else { 128 };
    let len = match l {
        None | Some("") => max,
        Some(l) => match parse_dec(l) {
            Some(n) if n <= u64::from(max) => n as u8,
            _ => {
                return Err(format!(
                    "the prefix length of `{s}` must be a number from 0 to {max}"
                ))
            }
        },
    };
    Ok(Prefix { addr, len })
}

// ----- a cursor over the words of a line -----

struct Line<'a> {
    words: Vec<&'a Word>,
    i: usize,
}

impl<'a> Line<'a> {
    fn new(node: &'a Node) -> Self {
        Line {
            words: node.words().collect(),
            i: 0,
        }
    }

    fn next(&mut self) -> Option<&'a Word> {
        let w = self.words.get(self.i).copied();
        if w.is_some() {
            self.i += 1;
        }
        w
    }

    fn peek(&self) -> Option<&'a str> {
        self.words.get(self.i).map(|w| w.text.as_str())
    }

    /// The value after option `kw`, or an error saying it is missing.
    fn value(&mut self, ctx: &mut Ctx, kw: &Word, what: &str) -> Option<&'a Word> {
        let v = self.next();
        if v.is_none() {
            ctx.diags
                .error(kw.span, format!("`{}` needs {what}", kw.text));
        }
        v
    }
}

fn err(ctx: &mut Ctx, w: &Word, msg: String) {
    ctx.diags.error(w.span, msg);
}

fn num_in(ctx: &mut Ctx, kw: &str, w: &Word, min: u64, max: u64, base0: bool) -> Option<u64> {
    let v = if base0 {
        parse_base0(&w.text)
    } else {
        parse_dec(&w.text)
    };
    match v {
        Some(n) if n >= min && n <= max => Some(n),
        _ => {
            err(
                ctx,
                w,
                format!(
                    "`{kw}` must be a number from {min} to {max}, not `{}`",
                    w.text
                ),
            );
            None
        }
    }
}

fn named_or_num<T>(ctx: &mut Ctx, kw: &str, w: &Word, table: &[(&str, T)], max: u64) -> Option<T>
where
    T: Copy + TryFrom<u64>,
{
    if let Some(v) = by_name(table, &w.text) {
        return Some(v);
    }
    if let Some(n) = parse_dec(&w.text).filter(|n| *n <= max) {
        if let Ok(v) = T::try_from(n) {
            return Some(v);
        }
    }
    let names: Vec<&str> = table.iter().map(|(k, _)| *k).collect();
    err(
        ctx,
        w,
        format!(
            "`{kw}` must be one of {} or a number from 0 to {max}, not `{}`",
            names.join(", "),
            w.text
        ),
    );
    None
}

fn plain_ip(ctx: &mut Ctx, kw: &str, w: &Word) -> Option<IpAddr> {
    match w.text.parse::<IpAddr>() {
        Ok(a) => Some(a),
        Err(_) => {
            err(ctx, w, format!("`{kw}`: `{}` is not an IP address", w.text));
            None
        }
    }
}

fn prefix(ctx: &mut Ctx, w: &Word) -> Option<Prefix> {
    match parse_prefix(&w.text) {
        Ok(p) => Some(p),
        Err(m) => {
            err(ctx, w, m);
            None
        }
    }
}

fn family(v6: bool) -> &'static str {
    if v6 {
        "IPv6"
    } else {
        "IPv4"
    }
}

fn track_group(ctx: &mut Ctx, line: &mut Line<'_>, kw: &Word, place: Place) -> Option<String> {
    let v = line.value(ctx, kw, "a track group name")?;
    if place == Place::Virtual {
        ctx.diags
            .error(
                kw.span,
                "`track_group` is only allowed in static addresses, routes and rules",
            )
            .help("a VRRP instance tracks its own virtual addresses, routes and rules");
        return None;
    }
    ctx.reference(Kind::StaticTrackGroup, v, "track_group");
    Some(v.text.clone())
}

fn realms(ctx: &mut Ctx, w: &Word) -> Option<Realms> {
    let one = |s: &str| -> Option<u16> {
        if s == "cosmos" {
            Some(0)
        } else {
            parse_base0(s).and_then(|n| u16::try_from(n).ok())
        }
    };
    let r = match w.text.split_once('/') {
        Some((f, t)) => one(f).zip(one(t)).map(|(from, to)| Realms { from, to }),
        None => one(&w.text).map(|to| Realms { from: 0, to }),
    };
    if r.is_none() {
        err(
            ctx,
            w,
            format!(
                "`realms` must be [FROM/]TO with realms from 0 to 65535 (or `cosmos`), not `{}`",
                w.text
            ),
        );
    }
    r
}

fn range(ctx: &mut Ctx, kw: &str, w: &Word, max: u64) -> Option<Range> {
    let r = w.text.split_once('-').and_then(|(a, b)| {
        let a = parse_dec(a).filter(|n| *n <= max)?;
        let b = parse_dec(b).filter(|n| *n <= max)?;
        Some(Range {
            start: a as u32,
            end: b as u32,
        })
    });
    match r {
        Some(r) if r.start <= r.end => Some(r),
        Some(_) => {
            ctx.diags
                .error(
                    w.span,
                    format!("`{kw}` range `{}` ends before it starts", w.text),
                )
                .help("keepalived accepts this, but the kernel refuses the rule");
            None
        }
        None => {
            err(
                ctx,
                w,
                format!(
                    "`{kw}` must be a range START-END of numbers from 0 to {max}, not `{}`",
                    w.text
                ),
            );
            None
        }
    }
}

// ----- addresses -----

fn parse_address(node: &Node, ctx: &mut Ctx, place: Place) -> Option<IpAddress> {
    ctx.no_block(node);
    let mut line = Line::new(node);
    let first = line.next()?;
    let addr = match parse_prefix(&first.text) {
        Ok(p) => p,
        Err(m) => {
            err(ctx, first, m);
            return None;
        }
    };
    let v6 = addr.is_ipv6();
    let mut a = IpAddress {
        addr,
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
        preferred_lft: IpAddress::default_preferred_lft(&addr),
    };
    let mut ok = true;
    while let Some(kw) = line.next() {
        match kw.text.as_str() {
            "dev" => {
                let Some(v) = line.value(ctx, kw, "an interface name") else {
                    ok = false;
                    continue;
                };
                if a.dev.is_some() {
                    err(ctx, kw, "an address can have only one `dev`".into());
                    ok = false;
                }
                a.dev = Some(v.text.clone());
            }
            "scope" => {
                let Some(v) = line.value(ctx, kw, "a scope") else {
                    ok = false;
                    continue;
                };
                if v6 {
                    // vrrp_ipaddress.c: "Cannot specify scope for IPv6 addresses".
                    err(
                        ctx,
                        kw,
                        "`scope`: IPv6 addresses cannot have a scope".into(),
                    );
                    ok = false;
                    continue;
                }
                match named_or_num(ctx, "scope", v, SCOPES, 255) {
                    Some(s) => a.scope = s,
                    None => ok = false,
                }
            }
            "brd" | "broadcast" => {
                let Some(v) = line.value(ctx, kw, "a broadcast address, `+` or `-`") else {
                    ok = false;
                    continue;
                };
                if v6 {
                    err(
                        ctx,
                        kw,
                        format!("`{}`: an IPv6 address has no broadcast address", kw.text),
                    );
                    ok = false;
                    continue;
                }
                let b = match v.text.as_str() {
                    "+" => Some(Broadcast::SetHostBits),
                    "-" => Some(Broadcast::ClearHostBits),
                    t => match t.parse::<IpAddr>() {
                        Ok(IpAddr::V4(b)) => Some(Broadcast::Addr(b)),
                        _ => None,
                    },
                };
                match b {
                    Some(Broadcast::Addr(b)) => a.broadcast = Some(Broadcast::Addr(b)),
                    Some(b) if a.addr.len >= 31 => {
                        ctx.diags
                            .error(
                                v.span,
                                format!(
                                    "`{} {}` needs a prefix length below 31, not /{}",
                                    kw.text, v.text, a.addr.len
                                ),
                            )
                            .help("a /31 or /32 address has no host bits to set or clear");
                        let _ = b;
                        ok = false;
                    }
                    Some(b) => a.broadcast = Some(b),
                    None => {
                        err(
                            ctx,
                            v,
                            format!(
                                "`{}` must be an IPv4 address, `+` or `-`, not `{}`",
                                kw.text, v.text
                            ),
                        );
                        ok = false;
                    }
                }
            }
            "label" => {
                let Some(v) = line.value(ctx, kw, "a label") else {
                    ok = false;
                    continue;
                };
                if v6 {
                    err(
                        ctx,
                        kw,
                        "`label`: IPv6 addresses cannot have a label".into(),
                    );
                    ok = false;
                } else if v.text.chars().count() > 15 {
                    err(
                        ctx,
                        v,
                        format!(
                            "`label` must be at most 15 characters, `{}` is longer",
                            v.text
                        ),
                    );
                    ok = false;
                } else {
                    a.label = Some(v.text.clone());
                }
            }
            "peer" => {
                let Some(v) = line.value(ctx, kw, "an address") else {
                    ok = false;
                    continue;
                };
                match v.text.parse::<IpAddr>() {
                    Ok(p) if p.is_ipv6() == v6 => a.peer = Some(p),
                    Ok(_) => {
                        err(
                            ctx,
                            v,
                            format!("`peer` {} must be {} like the address", v.text, family(v6)),
                        );
                        ok = false;
                    }
                    Err(_) => {
                        ctx.diags
                            .error(v.span, format!("`peer`: `{}` is not an IP address", v.text))
                            .help("the peer takes the prefix length of the local address");
                        ok = false;
                    }
                }
            }
            "preferred_lft" => {
                let Some(v) = line.value(ctx, kw, "a lifetime") else {
                    ok = false;
                    continue;
                };
                if v.text == "forever" {
                    a.preferred_lft = Lifetime::Forever;
                } else {
                    match parse_dec(&v.text).and_then(|n| u32::try_from(n).ok()) {
                        Some(n) => a.preferred_lft = Lifetime::Secs(n),
                        None => {
                            err(
                                ctx,
                                v,
                                format!(
                                    "`preferred_lft` must be `forever` or a number from 0 to {}, not `{}`",
                                    u32::MAX,
                                    v.text
                                ),
                            );
                            ok = false;
                        }
                    }
                }
            }
            "home" => a.home = true,
            "-nodad" => a.nodad = true,
            "mngtmpaddr" => a.mngtmpaddr = true,
            "noprefixroute" => a.noprefixroute = true,
            "autojoin" => a.autojoin = true,
            "no_track" => a.no_track = true,
            "use_vmac" if place == Place::Virtual => a.use_vmac = true,
            "track_group" => match track_group(ctx, &mut line, kw, place) {
                Some(g) => a.track_group = Some(g),
                None => ok = false,
            },
            other => {
                let d = ctx
                    .diags
                    .error(kw.span, format!("unknown option `{other}` for an address"));
                if let Some(s) = crate::lower::ctx::suggest(other, ADDRESS_OPTIONS.iter().copied())
                {
                    d.help(format!("did you mean `{s}`?"));
                } else if other == "nodad" {
                    d.help("keepalived spells it `-nodad`");
                }
                ok = false;
                break;
            }
        }
    }
    let full = if v6 { 128 } else { 32 };
    if ok && a.peer.is_some() && a.addr.len != full {
        // vrrp_ipaddress.c: "Cannot specify address prefix when specifying peer address".
        ctx.diags
            .error(
                first.span,
                format!(
                    "address {} has a `peer`, so it cannot have a prefix length",
                    a.addr
                ),
            )
            .help("write the local address without /LEN; keepalived ignores the prefix");
        ok = false;
    }
    if ok && a.peer.is_some() && a.broadcast.is_some() {
        // vrrp_ipaddress.c: "Cannot specify broadcast and peer addresses".
        ctx.diags
            .error(
                node.name.span,
                format!("address {} has both `peer` and `brd`", a.addr),
            )
            .help("a point-to-point address has no broadcast address");
        ok = false;
    }
    ok.then_some(a)
}

/// Options of an address line.
pub const ADDRESS_OPTIONS: &[&str] = &[
    "dev",
    "scope",
    "brd",
    "broadcast",
    "label",
    "peer",
    "preferred_lft",
    "home",
    "-nodad",
    "mngtmpaddr",
    "noprefixroute",
    "autojoin",
    "no_track",
    "use_vmac",
    "track_group",
];

// ----- routes -----

/// Options of a route line.
pub const ROUTE_OPTIONS: &[&str] = &[
    "to",
    "inet",
    "inet6",
    "src",
    "from",
    "via",
    "gw",
    "or",
    "dev",
    "oif",
    "onlink",
    "table",
    "metric",
    "priority",
    "preference",
    "scope",
    "tos",
    "dsfield",
    "protocol",
    "mtu",
    "hoplimit",
    "advmss",
    "rtt",
    "rttvar",
    "reordering",
    "window",
    "cwnd",
    "ssthresh",
    "realms",
    "rto_min",
    "initcwnd",
    "initrwnd",
    "features",
    "quickack",
    "congctl",
    "pref",
    "expires",
    "fastopen_no_cookie",
    "ttl-propagate",
    "encap",
    "vrf",
    "nexthop",
    "append",
    "no_track",
    "track_group",
];

/// A metric with an optional `lock` before its value.
fn metric(ctx: &mut Ctx, line: &mut Line<'_>, kw: &Word, time: bool) -> Option<Metric> {
    let mut v = line.value(ctx, kw, "a value")?;
    let mut lock = false;
    if v.text == "lock" {
        lock = true;
        v = line.value(ctx, kw, "a value after `lock`")?;
    }
    let value = if time {
        let r = parse_ms(&v.text);
        if r.is_none() {
            err(
                ctx,
                v,
                format!(
                    "`{}` must be a time in milliseconds (`100`, `100ms` or `0.1s`), not `{}`",
                    kw.text, v.text
                ),
            );
        }
        r?
    } else {
        num_in(ctx, &kw.text, v, 0, u64::from(u32::MAX), false)? as u32
    };
    Some(Metric { value, lock })
}

/// A route time: milliseconds, plain or with `ms`, or seconds with `s` (up to
/// millisecond precision).
fn parse_ms(s: &str) -> Option<u32> {
    let ms = if let Some(n) = s
        .strip_suffix("msecs")
        .or_else(|| s.strip_suffix("msec"))
        .or_else(|| s.strip_suffix("ms"))
    {
        parse_dec(n)?
    } else if let Some(n) = s
        .strip_suffix("secs")
        .or_else(|| s.strip_suffix("sec"))
        .or_else(|| s.strip_suffix('s'))
    {
        let (i, f) = n.split_once('.').unwrap_or((n, ""));
        if f.len() > 3 || (i.is_empty() && f.is_empty()) || !f.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        let i = if i.is_empty() { 0 } else { parse_dec(i)? };
        let mut frac = 0u64;
        for c in f.chars().chain(std::iter::repeat('0')).take(3) {
            frac = frac * 10 + u64::from(c.to_digit(10)?);
        }
        i.checked_mul(1000)?.checked_add(frac)?
    } else {
        parse_dec(s)?
    };
    u32::try_from(ms).ok()
}

fn bool01(ctx: &mut Ctx, kw: &str, w: &Word) -> Option<bool> {
    match w.text.as_str() {
        "0" => Some(false),
        "1" => Some(true),
        _ => {
            err(ctx, w, format!("`{kw}` must be 0 or 1, not `{}`", w.text));
            None
        }
    }
}

/// A gateway after `via`/`gw`/`nexthop via`: `[inet|inet6] ADDR`.
fn gateway(ctx: &mut Ctx, line: &mut Line<'_>, kw: &Word) -> Option<(IpAddr, Option<bool>)> {
    let mut v = line.value(ctx, kw, "an address")?;
    let mut fam = None;
    if v.text == "inet" || v.text == "inet6" {
        fam = Some(v.text == "inet6");
        v = line.value(ctx, kw, "an address")?;
    }
    let a = plain_ip(ctx, &kw.text, v)?;
    if let Some(f) = fam {
        if f != a.is_ipv6() {
            err(
                ctx,
                v,
                format!("`{}`: {} is not an {} address", kw.text, v.text, family(f)),
            );
            return None;
        }
    }
    Some((a, fam))
}

fn encap(ctx: &mut Ctx, line: &mut Line<'_>, kw: &Word) -> Option<Encap> {
    let t = line.value(ctx, kw, "an encapsulation type (mpls, ip, ip6 or ila)")?;
    match t.text.as_str() {
        "mpls" => {
            let v = line.value(ctx, t, "a label")?;
            let labels: Option<Vec<u32>> = v
                .text
                .split('/')
                .map(|l| parse_base0(l).filter(|n| *n < (1 << 20)).map(|n| n as u32))
                .collect();
            match labels.filter(|l| l.len() <= 2) {
                Some(l) => Some(Encap::Mpls(l)),
                None => {
                    err(
                        ctx,
                        v,
                        format!(
                            "`encap mpls` needs one or two labels (LABEL[/LABEL]) from 0 to 1048575, not `{}`",
                            v.text
                        ),
                    );
                    None
                }
            }
        }
        "ip" | "ip6" => {
            let v6 = t.text == "ip6";
            let mut e = IpEncap::default();
            let mut ok = true;
            loop {
                let (tos_kw, ttl_kw) = if v6 {
                    ("tc", "hoplimit")
                } else {
                    ("tos", "ttl")
                };
                let Some(o) = line.peek() else { break };
                if !["id", "dst", "src", "flags", tos_kw, ttl_kw].contains(&o) {
                    break;
                }
                let Some(okw) = line.next() else { break };
                let Some(v) = line.value(ctx, okw, "a value") else {
                    ok = false;
                    break;
                };
                match okw.text.as_str() {
                    "id" => match num_in(ctx, "encap id", v, 0, u64::MAX, false) {
                        Some(n) => e.id = Some(n),
                        None => ok = false,
                    },
                    "dst" | "src" => match plain_ip(ctx, &okw.text, v) {
                        Some(a) if a.is_ipv6() == v6 => {
                            if okw.text == "dst" {
                                e.dst = Some(a)
                            } else {
                                e.src = Some(a)
                            }
                        }
                        Some(_) => {
                            err(
                                ctx,
                                v,
                                format!(
                                    "`encap {}` needs {} addresses, not `{}`",
                                    t.text,
                                    family(v6),
                                    v.text
                                ),
                            );
                            ok = false;
                        }
                        None => ok = false,
                    },
                    "flags" => match num_in(ctx, "encap flags", v, 0, 0xffff, true) {
                        Some(n) => e.flags = Some(n as u16),
                        None => ok = false,
                    },
                    k if k == tos_kw => match num_in(ctx, k, v, 0, 255, true) {
                        Some(n) => e.tos = Some(n as u8),
                        None => ok = false,
                    },
                    k => match num_in(ctx, k, v, 0, 255, false) {
                        Some(n) => e.ttl = Some(n as u8),
                        None => ok = false,
                    },
                }
            }
            if !ok {
                return None;
            }
            if e.id.is_none() && e.dst.is_none() {
                err(
                    ctx,
                    t,
                    format!("`encap {}` needs an `id` or a `dst`", t.text),
                );
                return None;
            }
            Some(if v6 { Encap::Ip6(e) } else { Encap::Ip(e) })
        }
        "ila" => {
            let v = line.value(ctx, t, "a locator")?;
            match parse_ila(&v.text) {
                Some(l) => Some(Encap::Ila(l)),
                None => {
                    err(
                        ctx,
                        v,
                        format!("`encap ila` needs a locator of four hex groups (like `2001:0:0:1`), not `{}`", v.text),
                    );
                    None
                }
            }
        }
        other => {
            err(
                ctx,
                t,
                format!("`encap` must be one of mpls, ip, ip6, ila, not `{other}`"),
            );
            None
        }
    }
}

/// An ILA locator `a:b:c:d` (four groups of up to four hex digits).
pub fn parse_ila(s: &str) -> Option<u64> {
    let groups: Vec<&str> = s.split(':').collect();
    if groups.len() != 4 {
        return None;
    }
    let mut v = 0u64;
    for g in groups {
        if g.is_empty() || g.len() > 4 {
            return None;
        }
        v = (v << 16) | u64::from_str_radix(g, 16).ok()?;
    }
    Some(v)
}

/// The text of an ILA locator.
pub fn ila_text(v: u64) -> String {
    format!(
        "{:x}:{:x}:{:x}:{:x}",
        (v >> 48) & 0xffff,
        (v >> 32) & 0xffff,
        (v >> 16) & 0xffff,
        v & 0xffff
    )
}

fn parse_route(node: &Node, ctx: &mut Ctx, place: Place) -> Option<Route> {
    ctx.no_block(node);
    let mut line = Line::new(node);
    let mut kind = RouteType::Unicast;
    if let Some(t) = line.peek() {
        if let Some((k, _)) = RouteType::ALL.iter().find(|(_, n)| *n == t) {
            kind = *k;
            line.next();
        }
    }
    let mut ok = true;
    let mut dst: Option<(Prefix, &Word)> = None;
    // `default` without a family: resolved once the family is known.
    let mut default_dst: Option<&Word> = None;
    let mut fam: Option<(bool, &Word)> = None;
    let mut src = None;
    let mut from = None;
    let mut via: Option<(IpAddr, &Word)> = None;
    let mut or: Option<(IpAddr, &Word)> = None;
    let mut r = Route {
        kind,
        dst: Prefix {
            addr: IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED),
            len: 0,
        },
        src: None,
        from: None,
        via: None,
        dev: None,
        onlink: false,
        table: 254,
        metric: None,
        scope: None,
        tos: None,
        protocol: None,
        mtu: None,
        hoplimit: None,
        advmss: None,
        rtt: None,
        rttvar: None,
        reordering: None,
        window: None,
        cwnd: None,
        ssthresh: None,
        realms: None,
        rto_min: None,
        initcwnd: None,
        initrwnd: None,
        features_ecn: false,
        quickack: None,
        congctl: None,
        pref: None,
        expires: None,
        fastopen_no_cookie: None,
        ttl_propagate: None,
        encap: None,
        vrf: None,
        nexthops: Vec::new(),
        append: false,
        no_track: false,
        track_group: None,
    };
    // Words that need the family: (word, what) checked at the end.
    let mut v4_only: Vec<(&Word, &str)> = Vec::new();
    let mut v6_only: Vec<(&Word, &str)> = Vec::new();
    let mut addrs: Vec<(IpAddr, &Word)> = Vec::new();

    macro_rules! val {
        ($kw:expr, $what:expr) => {
            match line.value(ctx, $kw, $what) {
                Some(v) => v,
                None => {
                    ok = false;
                    continue;
                }
            }
        };
    }
    macro_rules! set {
        ($field:expr, $e:expr) => {
            match $e {
                Some(v) => $field = Some(v),
                None => ok = false,
            }
        };
    }

    while let Some(kw) = line.next() {
        match kw.text.as_str() {
            "to" => {
                let v = val!(kw, "a destination");
                if v.text == "default" {
                    default_dst = Some(v);
                } else if let Some(p) = prefix(ctx, v) {
                    if dst.is_some() {
                        err(ctx, v, "a route has only one destination".into());
                        ok = false;
                    }
                    dst = Some((p, v));
                } else {
                    ok = false;
                }
            }
            "inet" | "inet6" => fam = Some((kw.text == "inet6", kw)),
            "src" => {
                let v = val!(kw, "an address");
                match plain_ip(ctx, "src", v) {
                    Some(a) => {
                        src = Some(a);
                        addrs.push((a, v));
                    }
                    None => ok = false,
                }
            }
            "from" => {
                let v = val!(kw, "a source prefix");
                match prefix(ctx, v) {
                    Some(p) => {
                        from = Some(p);
                        addrs.push((p.addr, v));
                        v6_only.push((kw, "`from` (source routing)"));
                    }
                    None => ok = false,
                }
            }
            "via" | "gw" => {
                if kw.text == "gw" {
                    ctx.diags.warning(kw.span, "`gw` is deprecated; use `via`");
                }
                match gateway(ctx, &mut line, kw) {
                    Some((a, _)) => {
                        via = Some((a, kw));
                        addrs.push((a, kw));
                    }
                    None => ok = false,
                }
            }
            "or" => {
                ctx.diags
                    .warning(kw.span, "`or` is deprecated; use `nexthop`")
                    .help("`via A or B` is read as `nexthop via A nexthop via B`");
                let v = val!(kw, "an address");
                match plain_ip(ctx, "or", v) {
                    Some(a) => {
                        or = Some((a, v));
                        addrs.push((a, v));
                    }
                    None => ok = false,
                }
            }
            "dev" | "oif" => {
                let v = val!(kw, "an interface name");
                r.dev = Some(v.text.clone());
            }
            "onlink" => r.onlink = true,
            "table" => {
                let v = val!(kw, "a table");
                match named_or_num(ctx, "table", v, TABLES, u64::from(u32::MAX)) {
                    Some(t) => r.table = t,
                    None => ok = false,
                }
            }
            "metric" | "priority" | "preference" => {
                let v = val!(kw, "a number");
                set!(
                    r.metric,
                    num_in(ctx, &kw.text, v, 0, u64::from(u32::MAX), false).map(|n| n as u32)
                );
            }
            "scope" => {
                let v = val!(kw, "a scope");
                set!(r.scope, named_or_num(ctx, "scope", v, SCOPES, 255));
            }
            "tos" | "dsfield" => {
                let v = val!(kw, "a number");
                set!(
                    r.tos,
                    num_in(ctx, &kw.text, v, 0, 255, true).map(|n| n as u8)
                );
            }
            "protocol" => {
                let v = val!(kw, "a protocol");
                set!(r.protocol, named_or_num(ctx, "protocol", v, PROTOCOLS, 255));
            }
            "mtu" => set!(r.mtu, metric(ctx, &mut line, kw, false)),
            "advmss" => set!(r.advmss, metric(ctx, &mut line, kw, false)),
            "reordering" => set!(r.reordering, metric(ctx, &mut line, kw, false)),
            "cwnd" => set!(r.cwnd, metric(ctx, &mut line, kw, false)),
            "ssthresh" => set!(r.ssthresh, metric(ctx, &mut line, kw, false)),
            "rtt" => set!(r.rtt, metric(ctx, &mut line, kw, true)),
            "rttvar" => set!(r.rttvar, metric(ctx, &mut line, kw, true)),
            "rto_min" => set!(r.rto_min, metric(ctx, &mut line, kw, true)),
            "hoplimit" => {
                let v = val!(kw, "a number");
                set!(
                    r.hoplimit,
                    num_in(ctx, "hoplimit", v, 0, 255, false).map(|n| n as u8)
                );
            }
            "window" | "initcwnd" | "initrwnd" | "expires" => {
                let v = val!(kw, "a number");
                let n = num_in(ctx, &kw.text, v, 0, u64::from(u32::MAX), false).map(|n| n as u32);
                match kw.text.as_str() {
                    "window" => set!(r.window, n),
                    "initcwnd" => set!(r.initcwnd, n),
                    "initrwnd" => set!(r.initrwnd, n),
                    _ => {
                        v6_only.push((kw, "`expires`"));
                        set!(r.expires, n)
                    }
                }
            }
            "realms" => {
                let v = val!(kw, "realms");
                v4_only.push((kw, "`realms`"));
                set!(r.realms, realms(ctx, v));
            }
            "features" => {
                let v = val!(kw, "a feature");
                if v.text == "ecn" {
                    r.features_ecn = true;
                } else {
                    err(
                        ctx,
                        v,
                        format!("`features` supports only `ecn`, not `{}`", v.text),
                    );
                    ok = false;
                }
            }
            "quickack" | "fastopen_no_cookie" => {
                let v = val!(kw, "0 or 1");
                let b = bool01(ctx, &kw.text, v);
                if kw.text == "quickack" {
                    set!(r.quickack, b);
                } else {
                    set!(r.fastopen_no_cookie, b);
                }
            }
            "congctl" => {
                let mut v = val!(kw, "a congestion control algorithm");
                let mut lock = false;
                if v.text == "lock" {
                    lock = true;
                    v = val!(kw, "a congestion control algorithm after `lock`");
                }
                r.congctl = Some((v.text.clone(), lock));
            }
            "pref" => {
                let v = val!(kw, "low, medium or high");
                v6_only.push((kw, "`pref`"));
                set!(r.pref, named_or_num(ctx, "pref", v, ROUTE_PREFS, 255));
            }
            "ttl-propagate" => {
                let v = val!(kw, "enabled or disabled");
                let b = match v.text.as_str() {
                    "enabled" => Some(true),
                    "disabled" => Some(false),
                    _ => {
                        err(
                            ctx,
                            v,
                            format!(
                                "`ttl-propagate` must be one of enabled, disabled, not `{}`",
                                v.text
                            ),
                        );
                        None
                    }
                };
                set!(r.ttl_propagate, b);
            }
            "encap" => set!(r.encap, encap(ctx, &mut line, kw)),
            "vrf" => {
                let v = val!(kw, "a VRF name");
                r.vrf = Some(v.text.clone());
            }
            "append" => r.append = true,
            "no_track" => r.no_track = true,
            "track_group" => set!(r.track_group, track_group(ctx, &mut line, kw, place)),
            "nexthop" => {
                let mut first = Some(kw);
                while let Some(nkw) = first.take().or_else(|| line.next()) {
                    if nkw.text != "nexthop" {
                        ctx.diags
                            .error(nkw.span, format!("unknown nexthop option `{}`", nkw.text))
                            .help("nexthops must come last on a route line; options after them belong to the last nexthop (via, dev, weight, onlink, realms, encap)");
                        ok = false;
                        break;
                    }
                    let mut nh = Nexthop {
                        via: None,
                        dev: None,
                        weight: None,
                        onlink: false,
                        realms: None,
                        encap: None,
                    };
                    while let Some(o) = line.peek() {
                        if o == "nexthop" {
                            break;
                        }
                        let Some(okw) = line.next() else { break };
                        match o {
                            "via" => match gateway(ctx, &mut line, okw) {
                                Some((a, _)) => {
                                    nh.via = Some(a);
                                    addrs.push((a, okw));
                                }
                                None => ok = false,
                            },
                            "dev" => match line.value(ctx, okw, "an interface name") {
                                Some(v) => nh.dev = Some(v.text.clone()),
                                None => ok = false,
                            },
                            "weight" => match line.value(ctx, okw, "a number") {
                                Some(v) => match num_in(ctx, "weight", v, 1, 256, false) {
                                    Some(n) => nh.weight = Some(n as u16),
                                    None => ok = false,
                                },
                                None => ok = false,
                            },
                            "onlink" => nh.onlink = true,
                            "realms" => match line.value(ctx, okw, "realms") {
                                Some(v) => {
                                    v4_only.push((okw, "`realms`"));
                                    match realms(ctx, v) {
                                        Some(x) => nh.realms = Some(x),
                                        None => ok = false,
                                    }
                                }
                                None => ok = false,
                            },
                            "encap" => match encap(ctx, &mut line, okw) {
                                Some(e) => nh.encap = Some(e),
                                None => ok = false,
                            },
                            other => {
                                ctx.diags
                                    .error(okw.span, format!("unknown nexthop option `{other}`"))
                                    .help("nexthops must come last on a route line; options after them belong to the last nexthop (via, dev, weight, onlink, realms, encap)");
                                ok = false;
                                // skip the rest of the line
                                while line.next().is_some() {}
                            }
                        }
                    }
                    r.nexthops.push(nh);
                }
            }
            "default6" => {
                ctx.diags
                    .warning(kw.span, "`default6` is deprecated; use `inet6 default`");
                dst = Some((
                    Prefix {
                        addr: IpAddr::V6(std::net::Ipv6Addr::UNSPECIFIED),
                        len: 0,
                    },
                    kw,
                ));
            }
            "default" => default_dst = Some(kw),
            _ => {
                if kw.text.parse::<IpAddr>().is_ok() || kw.text.contains('/') {
                    if let Some(p) = prefix(ctx, kw) {
                        if dst.is_some() || default_dst.is_some() {
                            err(ctx, kw, "a route has only one destination".into());
                            ok = false;
                        }
                        dst = Some((p, kw));
                    } else {
                        ok = false;
                    }
                } else {
                    let d = ctx
                        .diags
                        .error(kw.span, format!("unknown option `{}` for a route", kw.text));
                    if let Some(s) =
                        crate::lower::ctx::suggest(&kw.text, ROUTE_OPTIONS.iter().copied())
                    {
                        d.help(format!("did you mean `{s}`?"));
                    } else if kw.text == "proto" {
                        d.help("keepalived spells it `protocol`");
                    }
                    ok = false;
                    // The words after an unknown option cannot be read reliably.
                    break;
                }
            }
        }
    }

    // The destination and the family.
    if let Some(w) = default_dst {
        if dst.is_some() {
            err(ctx, w, "a route has only one destination".into());
            ok = false;
        }
        let v6 = fam
            .map(|(f, _)| f)
            .unwrap_or_else(|| addrs.first().is_some_and(|(a, _)| a.is_ipv6()));
        let addr = if v6 {
            IpAddr::V6(std::net::Ipv6Addr::UNSPECIFIED)
        } else {
            IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED)
        };
        dst = Some((Prefix { addr, len: 0 }, w));
    }
    let Some((d, dw)) = dst else {
        if ok {
            ctx.diags.error(node.span(), "a route needs a destination");
        }
        return None;
    };
    r.dst = d;
    let v6 = d.is_ipv6();
    if let Some((f, w)) = fam {
        if f != v6 {
            err(
                ctx,
                w,
                format!(
                    "`{}` given for the {} route to {}",
                    w.text,
                    family(v6),
                    dw.text
                ),
            );
            ok = false;
        }
    }
    for (a, w) in &addrs {
        if a.is_ipv6() != v6 {
            err(
                ctx,
                w,
                format!(
                    "`{}` is {} but the route's destination {} is {}; a route cannot mix families",
                    w.text,
                    family(a.is_ipv6()),
                    d,
                    family(v6)
                ),
            );
            ok = false;
        }
    }
    for (w, what) in v4_only.iter().filter(|_| v6) {
        err(ctx, w, format!("{what} is only valid for IPv4 routes"));
        ok = false;
    }
    for (w, what) in v6_only.iter().filter(|_| !v6) {
        err(ctx, w, format!("{what} is only valid for IPv6 routes"));
        ok = false;
    }
    r.src = src;
    r.from = from;
    r.via = via.map(|(a, _)| a);
    if let Some((o, ow)) = or {
        if !r.nexthops.is_empty() {
            err(ctx, ow, "`or` cannot be combined with `nexthop`".into());
            ok = false;
        }
        let Some(g) = r.via.take() else {
            err(ctx, ow, "`or` needs a `via` gateway before it".into());
            return None;
        };
        for a in [g, o] {
            r.nexthops.push(Nexthop {
                via: Some(a),
                dev: None,
                weight: None,
                onlink: false,
                realms: None,
                encap: None,
            });
        }
    }
    if !r.nexthops.is_empty() && r.via.is_some() {
        if let Some((_, w)) = via {
            err(
                ctx,
                w,
                "a route with `nexthop`s cannot also have `via`".into(),
            );
            ok = false;
        }
    }
    // keepalived tracks routes unless `no_track`: a tracked route needs an interface
    // and keepalived's protocol (it logs both and changes the route otherwise).
    if ok && !r.no_track {
        if r.dev.is_none() {
            ctx.diags
                .error(node.name.span, format!("route to {d} cannot be tracked: it has no `dev`"))
                .help("add `dev INTERFACE`, or `no_track` if the route should not be tracked (keepalived logs this and stops tracking the route)");
            ok = false;
        } else if let Some(p) = r.protocol.filter(|p| *p != RTPROT_KEEPALIVED) {
            ctx.diags
                .error(
                    node.name.span,
                    format!(
                        "route to {d} cannot be tracked with `protocol {}`",
                        protocol_name(p)
                    ),
                )
                .help("a tracked route must have protocol keepalived (18); add `no_track` to keep this protocol (keepalived logs this and resets the protocol)");
            ok = false;
        }
    }
    ok.then_some(r)
}

// ----- rules -----

/// Options of a rule line.
pub const RULE_OPTIONS: &[&str] = &[
    "not",
    "from",
    "to",
    "inet",
    "inet6",
    "preference",
    "priority",
    "order",
    "tos",
    "dsfield",
    "fwmark",
    "realms",
    "iif",
    "dev",
    "oif",
    "uidrange",
    "protocol",
    "ipproto",
    "sport",
    "dport",
    "tunnel-id",
    "suppress_prefixlength",
    "sup_pl",
    "suppress_ifgroup",
    "sup_group",
    "table",
    "lookup",
    "goto",
    "nop",
    "blackhole",
    "unreachable",
    "prohibit",
    "type",
    "l3mdev",
    "no_track",
    "track_group",
];

fn parse_rule(node: &Node, ctx: &mut Ctx, place: Place) -> Option<Rule> {
    ctx.no_block(node);
    let mut line = Line::new(node);
    let mut ok = true;
    let mut fam: Option<(bool, &Word)> = None;
    let mut addrs: Vec<(Prefix, &Word)> = Vec::new();
    let mut priority: Option<u32> = None;
    let mut actions: Vec<(RuleAction, &Word)> = Vec::new();
    let mut realms_w: Option<&Word> = None;
    let mut suppress_w: Option<&Word> = None;
    let mut r = Rule {
        ipv6: false,
        invert: false,
        from: None,
        to: None,
        priority: 0,
        tos: None,
        fwmark: None,
        realms: None,
        iif: None,
        oif: None,
        uidrange: None,
        protocol: None,
        ipproto: None,
        sport: None,
        dport: None,
        tunnel_id: None,
        suppress_prefixlength: None,
        suppress_ifgroup: None,
        action: RuleAction::Nop,
        no_track: false,
        track_group: None,
    };
    macro_rules! val {
        ($kw:expr, $what:expr) => {
            match line.value(ctx, $kw, $what) {
                Some(v) => v,
                None => {
                    ok = false;
                    continue;
                }
            }
        };
    }
    macro_rules! set {
        ($field:expr, $e:expr) => {
            match $e {
                Some(v) => $field = Some(v),
                None => ok = false,
            }
        };
    }
    while let Some(kw) = line.next() {
        match kw.text.as_str() {
            "not" => r.invert = true,
            "from" | "to" => {
                let v = val!(kw, "a prefix or `all`");
                if v.text == "all" {
                    continue;
                }
                match prefix(ctx, v) {
                    Some(p) => {
                        addrs.push((p, v));
                        if kw.text == "from" {
                            r.from = Some(p);
                        } else {
                            r.to = Some(p);
                        }
                    }
                    None => ok = false,
                }
            }
            "inet" | "inet6" => fam = Some((kw.text == "inet6", kw)),
            "preference" | "priority" | "order" => {
                let v = val!(kw, "a number");
                set!(
                    priority,
                    num_in(ctx, &kw.text, v, 0, u64::from(u32::MAX), false).map(|n| n as u32)
                );
            }
            "tos" | "dsfield" => {
                let v = val!(kw, "a number");
                set!(
                    r.tos,
                    num_in(ctx, &kw.text, v, 0, 255, true).map(|n| n as u8)
                );
            }
            "fwmark" => {
                let v = val!(kw, "MARK[/MASK]");
                let (m, mask) = match v.text.split_once('/') {
                    // keepalived takes an empty mask (`0x10/`) as no mask.
                    Some((m, "")) => (m, None),
                    Some((m, k)) => (m, Some(k)),
                    None => (v.text.as_str(), None),
                };
                let max = u64::from(u32::MAX);
                let m = parse_base0(m).filter(|n| *n <= max);
                let mask = mask.map(|k| parse_base0(k).filter(|n| *n <= max));
                match (m, mask) {
                    (Some(m), None) => r.fwmark = Some((m as u32, None)),
                    (Some(m), Some(Some(k))) => r.fwmark = Some((m as u32, Some(k as u32))),
                    _ => {
                        err(
                            ctx,
                            v,
                            format!("`fwmark` must be MARK[/MASK] with numbers from 0 to {max}, not `{}`", v.text),
                        );
                        ok = false;
                    }
                }
            }
            "realms" => {
                let v = val!(kw, "realms");
                realms_w = Some(kw);
                set!(r.realms, realms(ctx, v));
            }
            "iif" | "dev" => {
                let v = val!(kw, "an interface name");
                r.iif = Some(v.text.clone());
            }
            "oif" => {
                let v = val!(kw, "an interface name");
                r.oif = Some(v.text.clone());
            }
            "uidrange" => {
                let v = val!(kw, "START-END");
                set!(r.uidrange, range(ctx, "uidrange", v, u64::from(u32::MAX)));
            }
            "sport" | "dport" => {
                let v = val!(kw, "START-END");
                let x = range(ctx, &kw.text, v, 65535);
                if kw.text == "sport" {
                    set!(r.sport, x);
                } else {
                    set!(r.dport, x);
                }
            }
            "protocol" => {
                let v = val!(kw, "a number");
                set!(
                    r.protocol,
                    num_in(ctx, "protocol", v, 0, 255, false).map(|n| n as u8)
                );
            }
            "ipproto" => {
                let v = val!(kw, "a protocol");
                let lower = v.text.to_ascii_lowercase();
                let p = by_name(IP_PROTOCOLS, &lower)
                    .or_else(|| parse_dec(&v.text).filter(|n| *n <= 255).map(|n| n as u8));
                if p.is_none() {
                    err(
                        ctx,
                        v,
                        format!("`ipproto` must be a protocol name (tcp, udp, ...) or a number from 0 to 255, not `{}`", v.text),
                    );
                }
                set!(r.ipproto, p);
            }
            "tunnel-id" => {
                let v = val!(kw, "a number");
                set!(r.tunnel_id, num_in(ctx, "tunnel-id", v, 0, u64::MAX, false));
            }
            "suppress_prefixlength" | "sup_pl" => {
                let v = val!(kw, "a number");
                suppress_w = Some(kw);
                set!(
                    r.suppress_prefixlength,
                    num_in(ctx, &kw.text, v, 0, u64::from(u32::MAX), false).map(|n| n as u32)
                );
            }
            "suppress_ifgroup" | "sup_group" => {
                let v = val!(kw, "a number");
                suppress_w = Some(kw);
                set!(
                    r.suppress_ifgroup,
                    num_in(ctx, &kw.text, v, 0, u64::from(u32::MAX), false).map(|n| n as u32)
                );
            }
            "table" | "lookup" => {
                let v = val!(kw, "a table");
                match named_or_num(ctx, &kw.text, v, TABLES, u64::from(u32::MAX)) {
                    Some(0) => {
                        err(ctx, v, format!("`{}` 0 is not a valid table", kw.text));
                        ok = false;
                    }
                    Some(t) => actions.push((RuleAction::Table(t), kw)),
                    None => ok = false,
                }
            }
            "goto" => {
                let v = val!(kw, "a preference");
                match num_in(ctx, "goto", v, 0, u64::from(u32::MAX), false) {
                    Some(n) => actions.push((RuleAction::Goto(n as u32), kw)),
                    None => ok = false,
                }
            }
            "nop" => actions.push((RuleAction::Nop, kw)),
            "blackhole" => actions.push((RuleAction::Blackhole, kw)),
            "unreachable" => actions.push((RuleAction::Unreachable, kw)),
            "prohibit" => actions.push((RuleAction::Prohibit, kw)),
            "l3mdev" => actions.push((RuleAction::L3mdev, kw)),
            "type" => {
                let v = val!(kw, "a rule type");
                match v.text.as_str() {
                    "blackhole" => actions.push((RuleAction::Blackhole, kw)),
                    "unreachable" => actions.push((RuleAction::Unreachable, kw)),
                    "prohibit" => actions.push((RuleAction::Prohibit, kw)),
                    "nop" => actions.push((RuleAction::Nop, kw)),
                    _ => {
                        err(
                            ctx,
                            v,
                            format!("`type` must be one of blackhole, unreachable, prohibit, nop, not `{}`", v.text),
                        );
                        ok = false;
                    }
                }
            }
            "no_track" => r.no_track = true,
            "track_group" => set!(r.track_group, track_group(ctx, &mut line, kw, place)),
            other => {
                let d = ctx
                    .diags
                    .error(kw.span, format!("unknown option `{other}` for a rule"));
                if other == "pref" {
                    d.help("keepalived spells it `preference`");
                } else if other == "ip_proto" {
                    d.help("keepalived spells it `ipproto`");
                } else if let Some(s) =
                    crate::lower::ctx::suggest(other, RULE_OPTIONS.iter().copied())
                {
                    d.help(format!("did you mean `{s}`?"));
                }
                ok = false;
                // The words after an unknown option cannot be read reliably.
                break;
            }
        }
    }
    if !ok {
        return None;
    }
    // Family.
    let v6 = match (fam, addrs.first()) {
        (_, Some((p, _))) => p.is_ipv6(),
        (Some((f, _)), None) => f,
        (None, None) => false,
    };
    r.ipv6 = v6;
    if let Some((f, w)) = fam {
        if f != v6 {
            err(
                ctx,
                w,
                format!("`{}` given for an {} rule", w.text, family(v6)),
            );
            ok = false;
        }
    }
    for (p, w) in &addrs {
        if p.is_ipv6() != v6 {
            err(
                ctx,
                w,
                format!("`{}`: a rule cannot mix IPv4 and IPv6", w.text),
            );
            ok = false;
        }
    }
    if let (true, Some(w)) = (v6, realms_w) {
        err(ctx, w, "`realms` is only valid for IPv4 rules".into());
        ok = false;
    }
    // Action.
    match actions.as_slice() {
        [] => {
            ctx.diags
                .error(node.span(), "a rule needs an action")
                .help("add one of table, goto, nop, blackhole, unreachable, prohibit, l3mdev");
            ok = false;
        }
        [(a, _)] => r.action = *a,
        [_, (_, w), ..] => {
            ctx.diags.error(
                w.span,
                "a rule can have only one of table, goto, nop, blackhole, unreachable, prohibit, l3mdev",
            );
            ok = false;
        }
    }
    // l3mdev is a table lookup too (FR_ACT_TO_TBL).
    if !matches!(r.action, RuleAction::Table(_) | RuleAction::L3mdev) {
        if let Some(w) = suppress_w.or(realms_w) {
            err(ctx, w, format!("`{}` needs a `table` action", w.text));
            ok = false;
        }
    }
    match priority {
        Some(p) => r.priority = p,
        None => {
            ctx.diags
                .error(node.span(), "a rule needs a `preference`")
                .help("rules are added and removed in changing order as instances change state; keepalived would pick 16384 and warn");
            ok = false;
        }
    }
    if let (RuleAction::Goto(t), Some(p)) = (r.action, priority) {
        if t <= p {
            if let Some((_, w)) = actions.first() {
                err(
                    ctx,
                    w,
                    format!("`goto {t}` must jump forward, past the rule's preference {p}"),
                );
            }
            ok = false;
        }
    }
    if r.track_group.is_some() && r.iif.is_none() {
        ctx.diags
            .error(
                node.name.span,
                "a static rule with `track_group` needs `iif`",
            )
            .help("keepalived tracks a static rule through its input interface");
        ok = false;
    }
    if ok && !r.no_track {
        if let Some(p) = r.protocol.filter(|p| *p != RTPROT_KEEPALIVED) {
            ctx.diags
                .error(node.name.span, format!("a rule with `protocol {p}` cannot be tracked"))
                .help("a tracked rule must have protocol 18 (keepalived); add `no_track` to keep this protocol (keepalived logs this and resets the protocol)");
            ok = false;
        }
    }
    ok.then_some(r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::{Diagnostics, Severity};
    use crate::preprocess::{preprocess_str, Options};
    use crate::source::SourceMap;
    use std::path::Path;

    /// Parses `LINE` as the only line of a block and runs `f` on it; returns the result
    /// and the diagnostics as `severity line:col message`.
    fn run<T>(line: &str, f: fn(&Node, &mut Ctx) -> Option<T>) -> (Option<T>, Vec<String>) {
        let mut sm = SourceMap::new();
        let mut d = Diagnostics::new();
        let text = format!("b {{\n{line}\n}}\n");
        let lines = preprocess_str(
            Path::new("t.conf"),
            &text,
            &Options {
                config_id: "x".into(),
            },
            &mut sm,
            &mut d,
        );
        let nodes = crate::tree::build(lines, &mut d);
        let mut ctx = Ctx::new(d);
        let r = nodes
            .first()
            .and_then(|n| n.children().first())
            .and_then(|c| f(c, &mut ctx));
        let msgs = ctx
            .diags
            .iter()
            .map(|d| {
                let sev = if d.severity == Severity::Error {
                    "error"
                } else {
                    "warning"
                };
                let (l, c) = d.span.map(|s| (s.line, s.col)).unwrap_or((0, 0));
                format!("{sev} {l}:{c} {}", d.message)
            })
            .collect();
        (r, msgs)
    }

    fn ok<T: std::fmt::Debug>(line: &str, f: fn(&Node, &mut Ctx) -> Option<T>) -> T {
        let (r, d) = run(line, f);
        assert!(d.iter().all(|m| !m.starts_with("error")), "{line}: {d:?}");
        r.unwrap_or_else(|| panic!("{line}: no value"))
    }

    fn errs<T>(line: &str, f: fn(&Node, &mut Ctx) -> Option<T>) -> Vec<String> {
        let (r, d) = run(line, f);
        let e: Vec<String> = d.into_iter().filter(|m| m.starts_with("error")).collect();
        assert!(
            r.is_none() || e.is_empty(),
            "{line}: a value despite errors"
        );
        e
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap_or_else(|_| panic!("{s}"))
    }

    // ----- addresses (vrrp_ipaddress.c) -----

    #[test]
    fn address_without_prefix_is_host_route() {
        // keepalived: an IPv4 address without a mask is /32, IPv6 /128.
        assert_eq!(ok("192.0.2.1", static_address).addr.len, 32);
        assert_eq!(ok("2001:db8::1", static_address).addr.len, 128);
        // keepalived accepts an empty length after '/'.
        assert_eq!(ok("192.0.2.1/", static_address).addr.len, 32);
        assert_eq!(
            errs("192.0.2.1/33", static_address),
            ["error 2:1 the prefix length of `192.0.2.1/33` must be a number from 0 to 32"]
        );
    }

    #[test]
    fn address_all_options() {
        // keepalived.conf(5), static_ipaddress syntax.
        let a = ok(
            "192.0.2.1 dev eth0 scope link label eth0:1 peer 192.0.2.9 home -nodad mngtmpaddr noprefixroute autojoin no_track preferred_lft 30",
            static_address,
        );
        assert_eq!(
            ok("192.0.2.1/24 brd +", static_address).broadcast,
            Some(Broadcast::SetHostBits)
        );
        assert_eq!(
            (a.dev.as_deref(), a.scope, a.label.as_deref()),
            (Some("eth0"), 253, Some("eth0:1"))
        );
        assert_eq!(a.peer, Some(ip("192.0.2.9")));
        assert!(a.home && a.nodad && a.mngtmpaddr && a.noprefixroute && a.autojoin && a.no_track);
        assert_eq!(a.preferred_lft, Lifetime::Secs(30));
    }

    #[test]
    fn address_preferred_lft_default() {
        // keepalived.conf(5): preferred_lft 0 is the default for an IPv6 /128.
        assert_eq!(ok("2001:db8::1", address).preferred_lft, Lifetime::Secs(0));
        assert_eq!(
            ok("2001:db8::1/64", address).preferred_lft,
            Lifetime::Forever
        );
        assert_eq!(
            ok("2001:db8::1 preferred_lft forever", address).preferred_lft,
            Lifetime::Forever
        );
        assert_eq!(errs("2001:db8::1 preferred_lft x", address).len(), 1);
    }

    #[test]
    fn address_family_consistency() {
        // vrrp_ipaddress.c: "Peer address ... does not match address family",
        // broadcast and label only for IPv4.
        assert_eq!(
            errs("192.0.2.1 peer 2001:db8::2", address),
            ["error 2:16 `peer` 2001:db8::2 must be IPv4 like the address"]
        );
        assert_eq!(
            errs("2001:db8::1 brd 2001:db8::ff", address),
            ["error 2:13 `brd`: an IPv6 address has no broadcast address"]
        );
        assert_eq!(errs("192.0.2.1 brd 2001:db8::1", address).len(), 1);
        assert_eq!(
            errs("2001:db8::1 label eth0:1", address),
            ["error 2:13 `label`: IPv6 addresses cannot have a label"]
        );
        assert_eq!(errs("192.0.2.1 peer 192.0.2.9/24", address).len(), 1);
        // "Cannot specify broadcast and peer addresses"; "Cannot specify scope for IPv6 addresses".
        assert_eq!(
            errs("192.0.2.1/24 peer 192.0.2.9", address),
            ["error 2:1 address 192.0.2.1/24 has a `peer`, so it cannot have a prefix length"]
        );
        assert_eq!(
            errs("192.0.2.1 peer 192.0.2.9 brd 192.0.2.255", address),
            ["error 2:1 address 192.0.2.1/32 has both `peer` and `brd`"]
        );
        assert_eq!(
            errs("2001:db8::1 scope host", address),
            ["error 2:13 `scope`: IPv6 addresses cannot have a scope"]
        );
    }

    #[test]
    fn address_broadcast_host_bits_need_short_prefix() {
        // keepalived 2.2.7: "Address prefix length 32 too long for broadcast".
        assert_eq!(
            errs("192.0.2.1/31 brd -", address),
            ["error 2:18 `brd -` needs a prefix length below 31, not /31"]
        );
        assert_eq!(
            ok("192.0.2.1/24 broadcast 192.0.2.255", address).broadcast,
            Some(Broadcast::Addr(
                "192.0.2.255".parse().unwrap_or_else(|_| panic!())
            ))
        );
    }

    #[test]
    fn address_scope_names_and_numbers() {
        // keepalived.conf(5) <SCOPE>: site|link|host|nowhere|global, or 0..255.
        assert_eq!(ok("192.0.2.1 scope host", address).scope, 254);
        assert_eq!(ok("192.0.2.1 scope 10", address).scope, 10);
        assert_eq!(errs("192.0.2.1 scope 256", address).len(), 1);
        assert_eq!(errs("192.0.2.1 scope HOST", address).len(), 1);
    }

    #[test]
    fn address_label_length_and_dev_once() {
        // "Address label ... is longer than maximum length 15"; "Cannot specify ipaddress device
        // more than once".
        assert_eq!(
            errs("192.0.2.1 label averyveryverylonglabel", address).len(),
            1
        );
        assert_eq!(
            errs("192.0.2.1 dev eth0 dev eth1", address),
            ["error 2:20 an address can have only one `dev`"]
        );
        assert_eq!(
            errs("192.0.2.1 dev", address),
            ["error 2:11 `dev` needs an interface name"]
        );
    }

    #[test]
    fn address_context_options() {
        // use_vmac only in virtual_ipaddress; track_group only in static_ipaddress.
        assert!(ok("192.0.2.1 use_vmac", address).use_vmac);
        assert_eq!(
            errs("192.0.2.1 use_vmac", static_address),
            ["error 2:11 unknown option `use_vmac` for an address"]
        );
        assert_eq!(
            errs("192.0.2.1 track_group G", address),
            ["error 2:11 `track_group` is only allowed in static addresses, routes and rules"]
        );
    }

    #[test]
    fn address_unknown_option_spelling_help() {
        // keepalived spells the DAD flag `-nodad`.
        let (_, d) = run("192.0.2.1 nodad", address);
        assert_eq!(d, ["error 2:11 unknown option `nodad` for an address"]);
    }

    // ----- routes (vrrp_iproute.c) -----

    #[test]
    fn route_types_and_destination() {
        // keepalived.conf(5): blackhole/unreachable/prohibit/throw and the other ip route types.
        let r = ok("blackhole 203.0.113.0/24 no_track", route);
        assert_eq!(
            (r.kind, r.dst.to_string()),
            (RouteType::Blackhole, "203.0.113.0/24".to_string())
        );
        assert_eq!(
            ok("throw 203.0.113.0/24 no_track", route).kind,
            RouteType::Throw
        );
        assert_eq!(ok("to 198.51.100.1 dev eth0", route).dst.len, 32);
        assert_eq!(
            ok("default via 192.0.2.1 dev eth0", route).dst.to_string(),
            "0.0.0.0/0"
        );
        assert_eq!(
            ok("inet6 default via 2001:db8::1 dev eth0", route)
                .dst
                .to_string(),
            "::/0"
        );
        assert_eq!(
            errs("via 192.0.2.1 dev eth0", route),
            ["error 2:1 a route needs a destination"]
        );
        assert_eq!(
            errs("198.51.100.0/24 198.51.100.0/25 dev eth0", route).len(),
            1
        );
    }

    #[test]
    fn route_tracking_needs_dev_and_keepalived_protocol() {
        // keepalived 2.2.7: "Warning - cannot track route ... with no interface specified" and
        // "Route cannot be tracked if protocol is not RTPROT_KEEPALIVED(18)".
        assert_eq!(
            errs("198.51.100.0/24 via 192.0.2.1", route),
            ["error 2:1 route to 198.51.100.0/24 cannot be tracked: it has no `dev`"]
        );
        assert_eq!(
            errs("198.51.100.0/24 dev eth0 protocol bird", route),
            ["error 2:1 route to 198.51.100.0/24 cannot be tracked with `protocol bird`"]
        );
        assert_eq!(
            ok("198.51.100.0/24 dev eth0 protocol bird no_track", route).protocol,
            Some(12)
        );
        assert_eq!(
            ok("198.51.100.0/24 dev eth0 protocol keepalived", route).protocol,
            Some(18)
        );
    }

    #[test]
    fn route_family_must_not_mix() {
        // keepalived: "Cannot mix IPv4 and IPv6 addresses for route"; "inet6 specified for IPv4 route".
        assert_eq!(
            errs("192.0.2.0/24 via 2001:db8::1 dev eth0", route).len(),
            1
        );
        assert_eq!(
            errs("192.0.2.0/24 src 2001:db8::1 dev eth0", route).len(),
            1
        );
        assert_eq!(
            errs("198.51.100.0/24 dev eth0 inet6", route),
            ["error 2:26 `inet6` given for the IPv4 route to 198.51.100.0/24"]
        );
        assert_eq!(
            errs("198.51.100.0/24 dev eth0 nexthop via 2001:db8::1", route).len(),
            1
        );
    }

    #[test]
    fn route_family_specific_options() {
        // "route from address only supported with IPv6", "pref is only valid for IPv6",
        // "expires is only valid for IPv6", "realms are only valid for IPv4".
        assert_eq!(
            errs("192.0.2.0/24 from 198.51.100.0/24 dev eth0", route),
            ["error 2:14 `from` (source routing) is only valid for IPv6 routes"]
        );
        assert_eq!(errs("198.51.100.0/24 dev eth0 pref high", route).len(), 1);
        assert_eq!(errs("198.51.100.0/24 dev eth0 expires 5", route).len(), 1);
        assert_eq!(errs("2001:db8::/64 dev eth0 realms 3", route).len(), 1);
        let r = ok(
            "2001:db8::/64 from 2001:db8:1::/64 dev eth0 pref low expires 9",
            route,
        );
        assert_eq!((r.pref, r.expires), (Some(3), Some(9)));
    }

    #[test]
    fn route_metrics_and_locks() {
        // keepalived.conf(5) static_routes example; lock only where ip route allows it.
        let r = ok("198.51.100.0/24 dev eth0 mtu lock 1400 rtt 1.5s rttvar 20ms rto_min 5 ssthresh lock 107 realms 0x10/0x20 features ecn congctl lock cubic", route);
        assert_eq!(
            r.mtu,
            Some(Metric {
                value: 1400,
                lock: true
            })
        );
        assert_eq!(r.rtt.map(|m| m.value), Some(1500));
        assert_eq!(r.rttvar.map(|m| m.value), Some(20));
        assert_eq!(r.realms, Some(Realms { from: 16, to: 32 }));
        assert!(r.features_ecn);
        assert_eq!(r.congctl, Some(("cubic".into(), true)));
        assert_eq!(
            errs("198.51.100.0/24 dev eth0 window lock", route),
            ["error 2:33 `window` must be a number from 0 to 4294967295, not `lock`"]
        );
        assert_eq!(errs("198.51.100.0/24 dev eth0 rtt 1.5", route).len(), 1);
        assert_eq!(
            errs("198.51.100.0/24 dev eth0 hoplimit 256", route).len(),
            1
        );
        assert_eq!(
            errs("198.51.100.0/24 dev eth0 quickack 2", route),
            ["error 2:35 `quickack` must be 0 or 1, not `2`"]
        );
        assert_eq!(
            errs("198.51.100.0/24 dev eth0 features sack", route).len(),
            1
        );
        assert_eq!(errs("198.51.100.0/24 dev eth0 tos 256", route).len(), 1);
    }

    #[test]
    fn route_tables_and_protocols_by_name() {
        // iproute2 rt_tables / rt_protos names; unknown names are errors.
        assert_eq!(ok("198.51.100.0/24 dev eth0 table local", route).table, 255);
        assert_eq!(ok("198.51.100.0/24 dev eth0", route).table, 254);
        assert_eq!(errs("198.51.100.0/24 dev eth0 table small", route).len(), 1);
        assert_eq!(
            errs("198.51.100.0/24 dev eth0 protocol 256", route).len(),
            1
        );
        let (_, d) = run("198.51.100.0/24 dev eth0 proto 18", route);
        assert_eq!(d, ["error 2:26 unknown option `proto` for a route"]);
    }

    #[test]
    fn route_nexthops_come_last() {
        // keepalived 2.2.7: "Route has trailing nonsense after nexthops".
        let r = ok("198.51.100.0/24 dev eth0 table 6909 nexthop via 192.0.2.1 dev eth0 onlink weight 1 nexthop via 192.0.2.2 dev eth1 weight 256", route);
        assert_eq!(r.nexthops.len(), 2);
        assert_eq!(r.nexthops[1].weight, Some(256));
        assert_eq!(
            errs(
                "198.51.100.0/24 dev eth0 nexthop via 192.0.2.1 protocol keepalived",
                route
            ),
            ["error 2:48 unknown nexthop option `protocol`"]
        );
        assert_eq!(
            errs(
                "198.51.100.0/24 dev eth0 nexthop via 192.0.2.1 weight 0",
                route
            )
            .len(),
            1
        );
    }

    #[test]
    fn route_deprecated_or_and_gw() {
        // keepalived 2.2.7: '"or" for routes is deprecated. Please use "nexthop"'; same for gw.
        let (r, d) = run("198.51.100.0/24 gw 192.0.2.1 or 192.0.2.2 dev eth0", route);
        assert_eq!(
            d,
            [
                "warning 2:17 `gw` is deprecated; use `via`",
                "warning 2:30 `or` is deprecated; use `nexthop`"
            ]
        );
        let r = r.unwrap_or_else(|| panic!("no route"));
        assert_eq!(r.via, None);
        assert_eq!(
            r.nexthops.iter().map(|n| n.via).collect::<Vec<_>>(),
            [Some(ip("192.0.2.1")), Some(ip("192.0.2.2"))]
        );
    }

    #[test]
    fn route_encapsulations() {
        // keepalived 2.2.7 encap: mpls (at most two labels), ip/ip6 need id or dst, ila.
        assert_eq!(
            ok("198.51.100.0/24 dev eth0 encap mpls 100/200", route).encap,
            Some(Encap::Mpls(vec![100, 200]))
        );
        assert_eq!(
            errs("198.51.100.0/24 dev eth0 encap mpls 1/2/3", route).len(),
            1
        );
        assert_eq!(
            errs("198.51.100.0/24 dev eth0 encap ip tos 3", route),
            ["error 2:32 `encap ip` needs an `id` or a `dst`"]
        );
        assert_eq!(
            ok("198.51.100.0/24 dev eth0 encap ila 2001:0:0:1", route).encap,
            Some(Encap::Ila(0x2001_0000_0000_0001))
        );
        assert_eq!(errs("198.51.100.0/24 dev eth0 encap foo", route).len(), 1);
    }

    #[test]
    fn route_track_group_only_static() {
        assert_eq!(
            ok("198.51.100.0/24 dev eth0 track_group G", static_route)
                .track_group
                .as_deref(),
            Some("G")
        );
        assert_eq!(
            errs("198.51.100.0/24 dev eth0 track_group G", route).len(),
            1
        );
    }

    // ----- rules (vrrp_iprule.c) -----

    #[test]
    fn rule_needs_preference_and_action() {
        // keepalived 2.2.7: "Rule has no preference specified - setting to 16384. This is
        // probably not what you want." and "No action specified for rule".
        assert_eq!(
            errs("from 192.0.2.0/24 table 1", rule),
            ["error 2:1 a rule needs a `preference`"]
        );
        assert_eq!(
            errs("from 192.0.2.0/24 preference 3", rule),
            ["error 2:1 a rule needs an action"]
        );
        let r = ok("from 192.0.2.0/24 table 1 order 3", rule);
        assert_eq!((r.priority, r.action), (3, RuleAction::Table(1)));
        let (_, d) = run("from 192.0.2.0/24 pref 3 table 1", rule);
        assert_eq!(d, ["error 2:19 unknown option `pref` for a rule"]);
    }

    #[test]
    fn rule_actions_are_exclusive() {
        // "Cannot specify more than one of table/nop/goto/blackhole/prohibit/unreachable/l3mdev".
        assert_eq!(
            errs("from 192.0.2.0/24 preference 3 table 1 goto 5", rule).len(),
            1
        );
        assert_eq!(
            errs("from 192.0.2.0/24 preference 3 table 0", rule),
            ["error 2:38 `table` 0 is not a valid table"]
        );
        assert_eq!(
            ok("preference 3 type blackhole", rule).action,
            RuleAction::Blackhole
        );
        assert_eq!(ok("l3mdev preference 3", rule).action, RuleAction::L3mdev);
        // "Invalid rule - preference 3 >= goto target 2".
        assert_eq!(
            errs("preference 3 goto 3", rule),
            ["error 2:14 `goto 3` must jump forward, past the rule's preference 3"]
        );
    }

    #[test]
    fn rule_selectors() {
        // keepalived.conf(5) static_rules examples.
        let r = ok("not from 198.51.100.0/24 to 203.0.113.0/26 iif eth0 oif eth1 tos 22 fwmark 24/12 preference 39 realms 30/20 table 40 sup_pl 8 sup_group 3", rule);
        assert!(r.invert);
        assert_eq!(r.fwmark, Some((24, Some(12))));
        assert_eq!(r.realms, Some(Realms { from: 30, to: 20 }));
        assert_eq!(
            (r.suppress_prefixlength, r.suppress_ifgroup),
            (Some(8), Some(3))
        );
        let r = ok("to 2001:db8:1::/112 from 2001:db8:2::/96 table 6908 uidrange 10000-19999 preference 5 ipproto UDP sport 10-20 dport 20-30 protocol 18", rule);
        assert!(r.ipv6);
        assert_eq!(r.ipproto, Some(17));
        assert_eq!(
            r.uidrange,
            Some(Range {
                start: 10000,
                end: 19999
            })
        );
        assert_eq!(
            ok("from all dev eth0 preference 4 table 1", rule)
                .iif
                .as_deref(),
            Some("eth0")
        );
    }

    #[test]
    fn rule_value_checks() {
        // "invalid sport range 5", "Invalid ipproto 300", rule protocol is numeric only,
        // "realms is only valid for IPv4", "suppressor/realm specified for non table action".
        assert_eq!(errs("preference 3 table 1 sport 5", rule).len(), 1);
        assert_eq!(errs("preference 3 table 1 ipproto 300", rule).len(), 1);
        assert_eq!(errs("preference 3 table 1 protocol kernel", rule).len(), 1);
        assert_eq!(
            errs("from 2001:db8::/64 preference 3 table 1 realms 5", rule),
            ["error 2:41 `realms` is only valid for IPv4 rules"]
        );
        assert_eq!(
            errs("preference 3 realms 5 goto 40", rule),
            ["error 2:14 `realms` needs a `table` action"]
        );
        assert_eq!(
            ok("preference 3 realms 5 l3mdev", rule).realms,
            Some(Realms { from: 0, to: 5 })
        );
        assert_eq!(
            errs(
                "from 192.0.2.0/24 to 2001:db8::/64 preference 3 table 1",
                rule
            )
            .len(),
            1
        );
        // vigil is stricter: a reversed port range is refused (the kernel refuses it too).
        assert_eq!(
            errs("preference 3 table 1 sport 20-10", rule),
            ["error 2:28 `sport` range `20-10` ends before it starts"]
        );
    }

    #[test]
    fn rule_tracking() {
        // "Rule cannot be tracked if protocol is not RTPROT_KEEPALIVED(18)";
        // "Static rule cannot have track_group if dev/iif not specified".
        assert_eq!(
            errs("preference 3 table 1 protocol 12", rule),
            ["error 2:1 a rule with `protocol 12` cannot be tracked"]
        );
        assert_eq!(
            ok("preference 3 table 1 protocol 12 no_track", rule).protocol,
            Some(12)
        );
        assert_eq!(
            errs("preference 3 table 1 track_group G", static_rule),
            ["error 2:1 a static rule with `track_group` needs `iif`"]
        );
        assert_eq!(
            ok("preference 3 table 1 iif eth0 track_group G", static_rule)
                .track_group
                .as_deref(),
            Some("G")
        );
    }

    // ----- printing -----

    #[test]
    fn lines_print_back_to_the_same_value() {
        use crate::print::ipaddr::{address_words, route_words, rule_words};
        let lines = [
            "192.0.2.1/24 brd - dev eth0 scope 7 label eth0:9 no_track preferred_lft 5",
            "2001:db8::1 use_vmac preferred_lft forever",
        ];
        for l in lines {
            let a = ok(l, address);
            assert_eq!(ok(&address_words(&a).join(" "), address), a);
        }
        for l in [
            "198.51.100.0/24 dev eth0 table 6909 tos 0x04 scope link metric 12 mtu 1000 rtt lock 5 realms 7",
            "2001:db8::/64 dev eth0 pref 2 encap ip6 dst 2001:db8::1 flags 1 nexthop via 2001:db8::9 encap mpls 5",
        ] {
            let r = ok(l, route);
            assert_eq!(ok(&route_words(&r).join(" "), route), r, "{l}");
        }
        let r = ok("inet6 preference 6 fwmark 0x10/0xff nop", rule);
        assert_eq!(ok(&rule_words(&r).join(" "), rule), r);
    }
}
