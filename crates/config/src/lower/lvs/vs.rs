//! `virtual_server` and `real_server` blocks (check_parser.c `init_check_keywords`).

use super::{extra_ignored, family_word, port_word, rs_key, vs_key};
use crate::lower::check::{checker, CHECKER_KEYWORDS};
use crate::lower::ctx::{Ctx, Kind};
use crate::model::common::Timer;
use crate::model::lvs::{
    Family, Forwarding, Granularity, Protocol, RealServer, Scheduler, Service, SorryServer, Tunnel,
    TunnelChecksum, TunnelKind, VirtualServer, DEFAULT_PERSISTENCE_TIMEOUT,
    MAX_PERSISTENCE_TIMEOUT, MAX_WEIGHT,
};
use crate::source::Span;
use crate::tree::Node;
use std::collections::HashMap;

/// Keywords of a `virtual_server` block.
pub const VS_KEYWORDS: &[&str] = &[
    "ip_family",
    "retry",
    "delay_before_retry",
    "warmup",
    "connect_timeout",
    "delay_loop",
    "inhibit_on_failure",
    "lvs_sched",
    "lb_algo",
    "hashed",
    "ops",
    "flag-1",
    "flag-2",
    "flag-3",
    "sh-port",
    "sh-fallback",
    "mh-port",
    "mh-fallback",
    "lvs_method",
    "lb_kind",
    "persistence_engine",
    "persistence_timeout",
    "persistence_granularity",
    "protocol",
    "ha_suspend",
    "smtp_alert",
    "virtualhost",
    "snmp_name",
    "alpha",
    "omega",
    "quorum_up",
    "quorum_down",
    "quorum",
    "hysteresis",
    "weight",
    "sorry_server",
    "sorry_server_inhibit",
    "sorry_server_lvs_method",
    "real_server",
];

/// Keywords of a `real_server` block, besides the checkers.
pub const RS_KEYWORDS: &[&str] = &[
    "weight",
    "lvs_method",
    "uthreshold",
    "lthreshold",
    "inhibit_on_failure",
    "notify_up",
    "notify_down",
    "alpha",
    "retry",
    "delay_before_retry",
    "warmup",
    "connect_timeout",
    "delay_loop",
    "smtp_alert",
    "virtualhost",
    "snmp_name",
];

/// Timer ranges of check_parser.c (`read_timer` limits, microseconds).
const TIMER_MIN: Timer = Timer(1);
const TIMER_MAX: Timer = Timer(u64::MAX - 1);
const CONNECT_TIMEOUT_MAX: Timer = Timer(u32::MAX as u64);

/// Remembers the first place of each keyword, to warn about repeats.
#[derive(Default)]
struct Seen(HashMap<&'static str, Span>);

impl Seen {
    /// Notes `node` under `key`; a repeat is the usual "given again" warning.
    fn note(&mut self, ctx: &mut Ctx, key: &'static str, node: &Node) {
        if let Some(first) = self.0.get(key).copied() {
            ctx.repeated(node, first);
        } else {
            self.0.insert(key, node.name.span);
        }
    }

    /// Notes `node`; a repeat is an error (keepalived reports "already specified" and
    /// keeps the first).
    fn once(&mut self, ctx: &mut Ctx, key: &'static str, node: &Node) -> bool {
        if let Some(first) = self.0.get(key).copied() {
            ctx.diags
                .error(
                    node.name.span,
                    format!(
                        "`{}` is given twice; keepalived keeps the first",
                        node.keyword()
                    ),
                )
                .related(first, "first given here");
            return false;
        }
        self.0.insert(key, node.name.span);
        true
    }
}

/// A keyword that keepalived treats as a bare flag at virtual server level: it ignores
/// any argument and turns the option on (check_parser.c `vs_alpha_handler`,
/// `omega_handler`, `hasuspend_handler`, `vs_inhibit_handler`, `lbflags_handler`).
fn bare_flag(ctx: &mut Ctx, node: &Node) -> bool {
    ctx.bare_flag(node);
    true
}

/// `virtual_server <IP> [<PORT>] | fwmark <N> | group <NAME> { ... }`.
pub fn virtual_server(node: &Node, ctx: &mut Ctx, index: usize) -> Option<VirtualServer> {
    let service = service(node, ctx)?;
    ctx.remember(vs_key(index, ""), node.span());
    let children = ctx.need_block(node)?;
    let mut vs = VirtualServer::new(service);
    let mut seen = Seen::default();
    let mut have_sched = false;
    let mut sched_given = false;
    let mut method_given = false;
    let mut sorry_method_given = false;
    // Settings of the virtual server first: real servers inherit them wherever they
    // stand in the block (keepalived applies the defaults after parsing).
    for child in children {
        let kw = child.keyword();
        match kw {
            "real_server" => {}
            "ip_family" => {
                seen.note(ctx, "ip_family", child);
                ctx.no_block(child);
                if let Some(w) = ctx.arg(child, 0, "`inet` or `inet6`") {
                    let w = w.clone();
                    if let Some(f) = family_word(ctx, kw, &w) {
                        vs.ip_family = Some(f);
                        ctx.remember(vs_key(index, "ip_family"), w.span);
                    }
                }
                ctx.at_most(child, 1);
            }
            "retry" => {
                seen.note(ctx, "retry", child);
                if let Some(v) = ctx.number_arg(child, 1u32, u32::MAX) {
                    vs.retry = Some(v);
                }
            }
            "delay_before_retry" => {
                seen.note(ctx, "delay_before_retry", child);
                if let Some(v) = ctx.timer_arg(child, Timer(0), TIMER_MAX) {
                    vs.delay_before_retry = Some(v);
                }
            }
            "warmup" => {
                seen.note(ctx, "warmup", child);
                if let Some(v) = ctx.timer_arg(child, Timer(0), TIMER_MAX) {
                    vs.warmup = Some(v);
                }
            }
            "connect_timeout" => {
                seen.note(ctx, "connect_timeout", child);
                if let Some(v) = ctx.timer_arg(child, TIMER_MIN, CONNECT_TIMEOUT_MAX) {
                    vs.connect_timeout = v;
                }
            }
            "delay_loop" => {
                seen.note(ctx, "delay_loop", child);
                if let Some(v) = ctx.timer_arg(child, TIMER_MIN, TIMER_MAX) {
                    vs.delay_loop = v;
                }
            }
            "inhibit_on_failure" => vs.inhibit_on_failure = bare_flag(ctx, child),
            "alpha" => vs.alpha = bare_flag(ctx, child),
            "omega" => vs.omega = bare_flag(ctx, child),
            "ha_suspend" => {
                vs.ha_suspend = bare_flag(ctx, child);
                ctx.remember(vs_key(index, "ha_suspend"), child.name.span);
            }
            "ops" => {
                vs.ops = bare_flag(ctx, child);
                ctx.remember(vs_key(index, "ops"), child.name.span);
            }
            "lvs_sched" | "lb_algo" => {
                seen.note(ctx, "lvs_sched", child);
                // Given, even if invalid: no second "has no `lvs_sched`" error.
                sched_given = true;
                // `lb_algo` is the older name; keepalived accepts both silently and its
                // own samples use it, so vigil does too.
                ctx.no_block(child);
                if let Some(w) = ctx.arg(child, 0, "a scheduler") {
                    let names: Vec<&str> = Scheduler::ALL.iter().map(|(n, _)| *n).collect();
                    if let Some(n) = ctx.choice(kw, w, &names) {
                        if let Some((_, s)) = Scheduler::ALL.iter().find(|(m, _)| *m == n) {
                            vs.scheduler = *s;
                            have_sched = true;
                        }
                    }
                }
                ctx.at_most(child, 1);
            }
            "flag-1" | "flag-2" | "flag-3" => {
                bare_flag(ctx, child);
                match kw {
                    "flag-1" => vs.sched_flags.flag_1 = true,
                    "flag-2" => vs.sched_flags.flag_2 = true,
                    _ => vs.sched_flags.flag_3 = true,
                }
            }
            "sh-port" | "sh-fallback" | "mh-port" | "mh-fallback" | "hashed" => {
                bare_flag(ctx, child);
                sched_specific_flag(ctx, child, &mut vs, have_sched);
            }
            "lvs_method" | "lb_kind" => {
                seen.note(ctx, "lvs_method", child);
                method_given = true;
                // `lb_kind`: the older name, accepted silently as keepalived does.
                if let Some(f) = forwarding(ctx, child) {
                    vs.lvs_method = Some(f);
                }
            }
            "persistence_engine" => {
                seen.note(ctx, kw_static(kw), child);
                if let Some(s) = ctx.string(child) {
                    // IP_VS_PENAME_MAXLEN is 16 with the terminating NUL; keepalived
                    // truncates and complains.
                    if s.is_empty() || s.len() > 15 {
                        ctx.diags.error(
                            child.span(),
                            "`persistence_engine` must be a name of 1 to 15 characters (the kernel knows `sip`)",
                        );
                    } else {
                        vs.persistence_engine = Some(s);
                    }
                }
            }
            "persistence_timeout" => {
                seen.note(ctx, kw_static(kw), child);
                ctx.no_block(child);
                match child.args.first() {
                    None => vs.persistence_timeout = Some(DEFAULT_PERSISTENCE_TIMEOUT),
                    Some(w) => {
                        if let Some(v) = ctx.number(kw, w, 1u32, MAX_PERSISTENCE_TIMEOUT) {
                            vs.persistence_timeout = Some(v);
                        }
                    }
                }
                ctx.at_most(child, 1);
            }
            "persistence_granularity" => {
                seen.note(ctx, kw_static(kw), child);
                if let Some(g) = granularity(ctx, child, &vs) {
                    vs.persistence_granularity = Some(g);
                }
            }
            "protocol" => {
                seen.note(ctx, kw_static(kw), child);
                ctx.remember(vs_key(index, "protocol_given"), child.name.span);
                ctx.no_block(child);
                if let Some(w) = ctx.arg(child, 0, "TCP, UDP or SCTP") {
                    let p = match w.text.to_ascii_uppercase().as_str() {
                        "TCP" => Some(Protocol::Tcp),
                        "UDP" => Some(Protocol::Udp),
                        "SCTP" => Some(Protocol::Sctp),
                        _ => {
                            let w = w.clone();
                            ctx.choice(kw, &w, &["TCP", "UDP", "SCTP"]);
                            None
                        }
                    };
                    if let Some(p) = p {
                        vs.protocol = Some(p);
                        ctx.remember(vs_key(index, "protocol"), child.span());
                    }
                }
                ctx.at_most(child, 1);
            }
            "smtp_alert" => {
                seen.note(ctx, kw_static(kw), child);
                if let Some(b) = ctx.flag(child) {
                    vs.smtp_alert = Some(b);
                }
            }
            "virtualhost" => {
                seen.note(ctx, kw_static(kw), child);
                if let Some(s) = ctx.string(child) {
                    vs.virtualhost = Some(s);
                }
            }
            "snmp_name" => {
                ctx.string(child);
                ctx.not_acted_on(child, "vigil has no SNMP agent");
            }
            "quorum_up" | "quorum_down" => {
                if seen.once(ctx, kw_static(kw), child) {
                    let s = ctx.script(child);
                    if kw == "quorum_up" {
                        vs.quorum_up = s;
                    } else {
                        vs.quorum_down = s;
                    }
                }
            }
            "quorum" => {
                seen.note(ctx, kw_static(kw), child);
                if let Some(v) = ctx.number_arg(child, 1u32, u32::MAX) {
                    vs.quorum = v;
                    ctx.remember(vs_key(index, "quorum"), child.span());
                }
            }
            "hysteresis" => {
                seen.note(ctx, kw_static(kw), child);
                if let Some(v) = ctx.number_arg(child, 0u32, u32::MAX) {
                    vs.hysteresis = v;
                    ctx.remember(vs_key(index, "hysteresis"), child.span());
                }
            }
            "weight" => {
                seen.note(ctx, "vs_weight", child);
                if let Some(v) = ctx.number_arg(child, 1u32, MAX_WEIGHT) {
                    vs.weight = v;
                }
            }
            "sorry_server" => {
                seen.note(ctx, kw_static(kw), child);
                ctx.no_block(child);
                if let Some((address, port)) = server_address(ctx, child) {
                    vs.sorry_server = Some(SorryServer {
                        address,
                        port,
                        inhibit: false,
                        // Placeholder until the end of the block: the virtual server's
                        // method applies unless sorry_server_lvs_method says otherwise.
                        lvs_method: Forwarding::Nat,
                    });
                    sorry_method_given = false;
                    ctx.remember(vs_key(index, "sorry_server"), child.span());
                }
            }
            "sorry_server_inhibit" => {
                bare_flag(ctx, child);
                match vs.sorry_server.as_mut() {
                    Some(s) => s.inhibit = true,
                    None => sorry_missing(ctx, child),
                }
            }
            "sorry_server_lvs_method" => {
                let f = forwarding(ctx, child);
                match vs.sorry_server.as_mut() {
                    Some(s) => {
                        if let Some(f) = f {
                            s.lvs_method = f;
                            sorry_method_given = true;
                        }
                    }
                    None => sorry_missing(ctx, child),
                }
            }
            _ => {
                if CHECKER_KEYWORDS.contains(&kw) {
                    ctx.diags
                        .error(
                            child.name.span,
                            format!("`{kw}` belongs inside a `real_server` block"),
                        )
                        .help("checkers watch one real server; move it into the real_server it checks");
                } else {
                    ctx.unknown(child, "virtual_server", VS_KEYWORDS);
                }
            }
        }
    }
    if let Some(g) = vs.persistence_granularity {
        let _ = g;
        // check_parser.c `pgr_handler`: a granularity makes the service persistent.
        vs.persistence_timeout
            .get_or_insert(DEFAULT_PERSISTENCE_TIMEOUT);
    }
    if !sched_given {
        ctx.diags
            .error(node.span(), "virtual_server has no `lvs_sched`")
            .help("keepalived falls back to `wlc` but reports it as a configuration error; write e.g. `lvs_sched wlc`");
    }
    let mut all_have_method = true;
    if let Some(s) = vs.sorry_server.as_mut() {
        if !sorry_method_given {
            match vs.lvs_method {
                Some(m) => s.lvs_method = m,
                None => all_have_method = false,
            }
        }
    }
    // Real servers, now that the virtual server's defaults are known.
    for child in children.iter().filter(|c| c.keyword() == "real_server") {
        let j = vs.real_servers.len();
        if let Some((rs, own_method)) = real_server(child, ctx, &vs, (index, j)) {
            all_have_method &= own_method;
            vs.real_servers.push(rs);
        }
    }
    if vs.lvs_method.is_none() && !all_have_method && !method_given {
        ctx.diags
            .error(node.span(), "virtual_server has no `lvs_method`")
            .help("keepalived falls back to NAT but reports it as a configuration error; write `lvs_method NAT`, `DR` or `TUN`");
    }
    Some(vs)
}

fn kw_static(kw: &str) -> &'static str {
    VS_KEYWORDS
        .iter()
        .chain(RS_KEYWORDS)
        .find(|k| **k == kw)
        .copied()
        .unwrap_or("?")
}

fn sorry_missing(ctx: &mut Ctx, node: &Node) {
    ctx.diags
        .error(
            node.name.span,
            format!("`{}` needs a `sorry_server` before it", node.keyword()),
        )
        .help("keepalived ignores it here and reports a configuration error; put it after `sorry_server`");
}

/// `sh-port`, `sh-fallback`, `mh-port`, `mh-fallback`, `hashed` (check_parser.c
/// `lbflags_handler`): keepalived acts on them only after `lvs_sched sh` (resp. `mh`),
/// ignores them silently after the other of the two, and complains otherwise.
fn sched_specific_flag(ctx: &mut Ctx, node: &Node, vs: &mut VirtualServer, have_sched: bool) {
    let kw = node.keyword();
    let sched = if have_sched { Some(vs.scheduler) } else { None };
    match (kw, sched) {
        ("sh-fallback", Some(Scheduler::Sh)) | ("mh-fallback", Some(Scheduler::Mh)) => {
            vs.sched_flags.flag_1 = true
        }
        ("sh-port", Some(Scheduler::Sh)) | ("mh-port", Some(Scheduler::Mh)) => {
            vs.sched_flags.flag_2 = true
        }
        (_, Some(Scheduler::Sh | Scheduler::Mh)) => {
            ctx.diags.warning(
                node.name.span,
                format!(
                    "`{kw}` does not apply to the `{}` scheduler; ignored (as keepalived does)",
                    vs.scheduler
                ),
            );
        }
        _ => {
            let help = if kw == "hashed" {
                "keepalived 2.2.7 does not accept `hashed` (a kernel-internal flag); remove it"
                    .to_string()
            } else {
                format!(
                    "keepalived ignores it and reports a configuration error; it must follow `lvs_sched {}`",
                    &kw[..2]
                )
            };
            ctx.diags
                .error(
                    node.name.span,
                    format!(
                        "`{kw}` applies only to the sh and mh schedulers, and only after `lvs_sched`"
                    ),
                )
                .help(help);
        }
    }
}

/// The words after `virtual_server`.
fn service(node: &Node, ctx: &mut Ctx) -> Option<Service> {
    let first = ctx
        .arg(node, 0, "an address, `fwmark N` or `group NAME`")?
        .clone();
    match first.text.as_str() {
        "group" => {
            let name = ctx.arg(node, 1, "a group name after `group`")?.clone();
            extra_ignored(ctx, node, 2);
            ctx.reference(Kind::VirtualServerGroup, &name, "virtual_server group");
            Some(Service::Group(name.text))
        }
        "fwmark" => {
            let w = ctx.arg(node, 1, "a mark after `fwmark`")?.clone();
            extra_ignored(ctx, node, 2);
            // keepalived reads 0 but then treats the service as an address service
            // with no address; vigil refuses it.
            let m = ctx.number("virtual_server fwmark", &w, 1u32, u32::MAX)?;
            Some(Service::Fwmark(m))
        }
        _ => {
            let (address, port) = server_address(ctx, node)?;
            Some(Service::Address { address, port })
        }
    }
}

/// `<IPADDR> [<PORT>]` as the arguments of `node`.
fn server_address(ctx: &mut Ctx, node: &Node) -> Option<(std::net::IpAddr, Option<u16>)> {
    let w = ctx.arg(node, 0, "an IP address")?.clone();
    let address = ctx.ip(node.keyword(), &w);
    let port = match node.args.get(1) {
        Some(p) => port_word(ctx, node.keyword(), p)?,
        None => None,
    };
    extra_ignored(ctx, node, 2);
    Some((address?, port))
}

/// `lvs_method NAT|DR|TUN [type ipip|gue port N|gre] [nocsum|csum|remcsum]`
/// (check_parser.c `svr_forwarding_handler`).
fn forwarding(ctx: &mut Ctx, node: &Node) -> Option<Forwarding> {
    ctx.no_block(node);
    let kw = node.keyword();
    let w = ctx.arg(node, 0, "NAT, DR or TUN")?;
    let method = ctx.choice(kw, w, &["NAT", "DR", "TUN"])?;
    let mut kind: Option<(&str, Span)> = None;
    let mut port: Option<u16> = None;
    let mut checksum = TunnelChecksum::NoCsum;
    let mut ok = true;
    let mut i = 1;
    while let Some(w) = node.args.get(i) {
        match w.text.as_str() {
            "type" => match node.args.get(i + 1) {
                Some(t) => {
                    match ctx.choice(&format!("{kw} type"), t, &["ipip", "gue", "gre"]) {
                        Some(k) => kind = Some((k, t.span)),
                        None => ok = false,
                    }
                    i += 1;
                }
                None => {
                    ctx.diags
                        .error(w.span, format!("`{kw}`: `type` needs ipip, gue or gre"));
                    return None;
                }
            },
            "port" => match node.args.get(i + 1) {
                Some(p) => {
                    match ctx.number(&format!("{kw} port"), p, 1u16, u16::MAX) {
                        Some(v) => port = Some(v),
                        None => ok = false,
                    }
                    i += 1;
                }
                None => {
                    ctx.diags
                        .error(w.span, format!("`{kw}`: `port` needs a port number"));
                    return None;
                }
            },
            "nocsum" => checksum = TunnelChecksum::NoCsum,
            "csum" => checksum = TunnelChecksum::Csum,
            "remcsum" => checksum = TunnelChecksum::RemCsum,
            _ => {
                ctx.diags
                    .error(w.span, format!("`{kw}`: unknown tunnel option `{}`", w.text))
                    .help("tunnel options are `type ipip|gue|gre`, `port N` and `nocsum|csum|remcsum`");
                ok = false;
            }
        }
        i += 1;
    }
    if !ok {
        return None;
    }
    let tunnel_kind = match kind.map(|(k, _)| k) {
        Some("gue") => match port {
            Some(port) => TunnelKind::Gue { port },
            None => {
                ctx.diags
                    .error(node.span(), format!("`{kw}`: a gue tunnel needs `port N`"));
                return None;
            }
        },
        other => {
            if port.is_some() {
                ctx.diags.error(
                    node.span(),
                    format!("`{kw}`: `port` applies only to `type gue`"),
                );
                return None;
            }
            if other == Some("gre") {
                TunnelKind::Gre
            } else {
                TunnelKind::Ipip
            }
        }
    };
    match (tunnel_kind, checksum) {
        (TunnelKind::Ipip, TunnelChecksum::Csum | TunnelChecksum::RemCsum) => {
            ctx.diags.error(
                node.span(),
                format!("`{kw}`: ipip tunnels have no checksum option"),
            );
            return None;
        }
        (TunnelKind::Gre, TunnelChecksum::RemCsum) => {
            ctx.diags.error(
                node.span(),
                format!("`{kw}`: gre tunnels do not support `remcsum`"),
            );
            return None;
        }
        _ => {}
    }
    match method {
        "TUN" => Some(Forwarding::Tun(Tunnel {
            kind: tunnel_kind,
            checksum,
        })),
        m => {
            if node.args.len() > 1 {
                ctx.diags.warning(
                    node.args[1].span,
                    format!("`{kw}`: tunnel options apply only to TUN; ignored"),
                );
            }
            Some(if m == "NAT" {
                Forwarding::Nat
            } else {
                Forwarding::Dr
            })
        }
    }
}

/// `persistence_granularity`: a netmask for IPv4, a prefix length for IPv6; the family
/// is the service's, else guessed from the value (check_parser.c `pgr_handler`).
fn granularity(ctx: &mut Ctx, node: &Node, vs: &VirtualServer) -> Option<Granularity> {
    ctx.no_block(node);
    let w = ctx.arg(node, 0, "a netmask or prefix length")?.clone();
    ctx.at_most(node, 1);
    let family = match &vs.service {
        Service::Address { address, .. } => Family::of(address),
        _ => vs.ip_family.unwrap_or(if w.text.contains('.') {
            Family::Inet
        } else {
            Family::Inet6
        }),
    };
    match family {
        Family::Inet6 => ctx
            .number("persistence_granularity", &w, 1u8, 128)
            .map(Granularity::Prefix),
        Family::Inet => match w.text.parse() {
            Ok(m) => Some(Granularity::Netmask(m)),
            Err(_) => {
                ctx.diags
                    .error(
                        w.span,
                        format!(
                            "`persistence_granularity` of an IPv4 service must be a netmask such as 255.255.255.0, not `{}`",
                            w.text
                        ),
                    )
                    .help("keepalived also reads odd forms such as a bare number; vigil wants a dotted netmask");
                None
            }
        },
    }
}

/// `real_server <IPADDR> [<PORT>] { ... }`; the flag tells whether it set its own
/// `lvs_method`.
fn real_server(
    node: &Node,
    ctx: &mut Ctx,
    vs: &VirtualServer,
    (i, j): (usize, usize),
) -> Option<(RealServer, bool)> {
    let (address, port) = server_address(ctx, node)?;
    ctx.remember(rs_key(i, j), node.span());
    let mut rs = RealServer::inheriting(vs, address, port);
    let mut own_method = false;
    let mut seen = Seen::default();
    let children = match &node.block {
        Some(b) => b.children.as_slice(),
        None => &[],
    };
    for child in children {
        let kw = child.keyword();
        match kw {
            "weight" => {
                seen.note(ctx, "weight", child);
                if let Some(v) = ctx.number_arg(child, 0u32, MAX_WEIGHT) {
                    rs.weight = v;
                }
            }
            "lvs_method" => {
                seen.note(ctx, "lvs_method", child);
                if let Some(f) = forwarding(ctx, child) {
                    rs.lvs_method = f;
                    own_method = true;
                }
            }
            "lb_kind" => {
                ctx.diags
                    .warning(
                        child.name.span,
                        "`lb_kind` is not a real_server keyword (keepalived ignores it here); ignored",
                    )
                    .help("use `lvs_method`");
            }
            "uthreshold" => {
                seen.note(ctx, "uthreshold", child);
                if let Some(v) = ctx.number_arg(child, 0u32, u32::MAX) {
                    rs.uthreshold = v;
                }
            }
            "lthreshold" => {
                seen.note(ctx, "lthreshold", child);
                if let Some(v) = ctx.number_arg(child, 0u32, u32::MAX) {
                    rs.lthreshold = v;
                }
            }
            "inhibit_on_failure" => {
                seen.note(ctx, "inhibit_on_failure", child);
                if let Some(b) = ctx.flag(child) {
                    rs.inhibit_on_failure = b;
                }
            }
            "alpha" => {
                seen.note(ctx, "alpha", child);
                if let Some(b) = ctx.flag(child) {
                    rs.alpha = b;
                }
            }
            "smtp_alert" => {
                seen.note(ctx, "smtp_alert", child);
                if let Some(b) = ctx.flag(child) {
                    rs.smtp_alert = Some(b);
                }
            }
            "notify_up" | "notify_down" => {
                if seen.once(ctx, kw_static(kw), child) {
                    let s = ctx.script(child);
                    if kw == "notify_up" {
                        rs.notify_up = s;
                    } else {
                        rs.notify_down = s;
                    }
                }
            }
            "retry" => {
                seen.note(ctx, "retry", child);
                if let Some(v) = ctx.number_arg(child, 1u32, u32::MAX) {
                    rs.retry = Some(v);
                }
            }
            "delay_before_retry" => {
                seen.note(ctx, "delay_before_retry", child);
                if let Some(v) = ctx.timer_arg(child, Timer(0), TIMER_MAX) {
                    rs.delay_before_retry = Some(v);
                }
            }
            "warmup" => {
                seen.note(ctx, "warmup", child);
                if let Some(v) = ctx.timer_arg(child, Timer(0), TIMER_MAX) {
                    rs.warmup = Some(v);
                }
            }
            "connect_timeout" => {
                seen.note(ctx, "connect_timeout", child);
                if let Some(v) = ctx.timer_arg(child, TIMER_MIN, CONNECT_TIMEOUT_MAX) {
                    rs.connect_timeout = v;
                }
            }
            "delay_loop" => {
                seen.note(ctx, "delay_loop", child);
                if let Some(v) = ctx.timer_arg(child, TIMER_MIN, TIMER_MAX) {
                    rs.delay_loop = v;
                }
            }
            "virtualhost" => {
                seen.note(ctx, "virtualhost", child);
                if let Some(s) = ctx.string(child) {
                    rs.virtualhost = Some(s);
                }
            }
            "snmp_name" => {
                ctx.string(child);
                ctx.not_acted_on(child, "vigil has no SNMP agent");
            }
            _ if CHECKER_KEYWORDS.contains(&kw) => {
                if let Some(c) = checker(child, ctx) {
                    rs.checkers.push(c);
                }
            }
            _ => {
                let known: Vec<&str> = RS_KEYWORDS
                    .iter()
                    .chain(CHECKER_KEYWORDS)
                    .copied()
                    .collect();
                ctx.unknown(child, "real_server", &known);
            }
        }
    }
    Some((rs, own_method))
}
