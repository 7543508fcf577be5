//! Whole-file checks of the LVS part: what keepalived's `validate_check_config`
//! (check_data.c) and its end-of-block handlers (check_parser.c `vs_end_handler`,
//! `rs_end_handler`) complain about, plus conflicts that IPVS itself would refuse.
//!
//! `virtual_server group NAME` naming a missing group is a reference, resolved centrally.

use crate::lower::ctx::Ctx;
use crate::lower::lvs::{rs_key, vs_key, vsg_key};
use crate::model::lvs::{
    Family, Forwarding, Protocol, Service, VirtualServer, VirtualServerGroup, VsgEntry,
};
use crate::model::Config;
use crate::source::Span;
use std::collections::HashMap;
use std::net::IpAddr;

/// Checks that span this area of the configuration.
pub fn check(cfg: &Config, ctx: &mut Ctx) {
    let groups: HashMap<&str, &VirtualServerGroup> = cfg
        .lvs
        .virtual_server_groups
        .iter()
        .map(|g| (g.name.as_str(), g))
        .collect();
    let mut services: HashMap<String, usize> = HashMap::new();
    for (i, vs) in cfg.lvs.virtual_servers.iter().enumerate() {
        let Some(here) = ctx.place(&vs_key(i, "")) else {
            continue;
        };
        let group = match &vs.service {
            Service::Group(n) => groups.get(n.as_str()).copied(),
            _ => None,
        };
        if matches!(vs.service, Service::Group(_)) && group.is_none() {
            // Reported as a dangling reference.
            continue;
        }
        duplicate_service(ctx, vs, i, here, &mut services);
        service_checks(ctx, vs, group, i, here);
        real_server_checks(ctx, vs, i, here);
        family_checks(ctx, vs, group, i, here);
        port_checks(ctx, vs, group, i);
    }
}

/// The addresses and marks a service stands for.
struct Shape {
    has_addresses: bool,
    has_fwmarks: bool,
}

fn shape(vs: &VirtualServer, group: Option<&VirtualServerGroup>) -> Shape {
    match (&vs.service, group) {
        (Service::Address { .. }, _) => Shape {
            has_addresses: true,
            has_fwmarks: false,
        },
        (Service::Fwmark(_), _) => Shape {
            has_addresses: false,
            has_fwmarks: true,
        },
        (Service::Group(_), Some(g)) => Shape {
            has_addresses: g
                .entries
                .iter()
                .any(|e| matches!(e, VsgEntry::Range { .. })),
            has_fwmarks: g
                .entries
                .iter()
                .any(|e| matches!(e, VsgEntry::Fwmark { .. })),
        },
        (Service::Group(_), None) => Shape {
            has_addresses: false,
            has_fwmarks: false,
        },
    }
}

/// Two virtual servers for the same IPVS service: keepalived accepts the file, but the
/// kernel refuses the second service, so vigil refuses it up front.
fn duplicate_service(
    ctx: &mut Ctx,
    vs: &VirtualServer,
    i: usize,
    here: Span,
    seen: &mut HashMap<String, usize>,
) {
    let (key, what) = match &vs.service {
        Service::Address { address, port } => (
            format!("a:{address}:{}:{:?}", port.unwrap_or(0), vs.protocol),
            format!(
                "{} port {} {}",
                address,
                port.unwrap_or(0),
                vs.protocol.map(|p| p.to_string()).unwrap_or_default()
            ),
        ),
        Service::Fwmark(m) => (format!("f:{m}:{:?}", vs.ip_family), format!("fwmark {m}")),
        Service::Group(g) => (
            format!("g:{g}:{:?}:{:?}", vs.protocol, vs.ip_family),
            format!(
                "group {g}{}",
                vs.protocol
                    .map(|p| format!(" with protocol {p}"))
                    .unwrap_or_default()
            ),
        ),
    };
    match seen.get(&key) {
        Some(first) => {
            let first = ctx.place(&vs_key(*first, ""));
            let d = ctx.diags.error(
                here,
                format!(
                    "a virtual_server for {} is already defined",
                    what.trim_end()
                ),
            );
            if let Some(f) = first {
                d.related(f, "first defined here");
            }
            d.help("keepalived accepts this file, but IPVS refuses the second service; merge the two blocks");
        }
        None => {
            seen.insert(key, i);
        }
    }
}

/// Protocol, ports, ops and ha_suspend against the kind of service
/// (check_data.c `validate_check_config`).
fn service_checks(
    ctx: &mut Ctx,
    vs: &VirtualServer,
    group: Option<&VirtualServerGroup>,
    i: usize,
    here: Span,
) {
    let s = shape(vs, group);
    if vs.real_servers.is_empty() {
        ctx.diags
            .error(here, "virtual_server has no real servers")
            .help("keepalived drops such a virtual server and reports a configuration error");
    }
    if vs.ha_suspend && s.has_fwmarks {
        let at = ctx.place(&vs_key(i, "ha_suspend")).unwrap_or(here);
        ctx.diags
            .error(at, "`ha_suspend` cannot be used with fwmark services")
            .help("there is no virtual address whose presence could be watched");
    }
    if s.has_addresses {
        if vs.protocol.is_none() && ctx.place(&vs_key(i, "protocol_given")).is_none() {
            ctx.diags
                .error(here, "virtual_server has no `protocol`")
                .help("keepalived falls back to UDP but reports it as a configuration error; write `protocol TCP`, `UDP` or `SCTP`");
        }
        if vs.ops && vs.protocol.is_some_and(|p| p != Protocol::Udp) {
            let at = ctx.place(&vs_key(i, "ops")).unwrap_or(here);
            ctx.diags
                .error(at, "`ops` (one-packet scheduling) requires `protocol UDP`");
        }
        if vs.persistence_timeout.is_none() {
            let portless = match (&vs.service, group) {
                (Service::Address { port, .. }, _) => port.is_none(),
                (_, Some(g)) => g
                    .entries
                    .iter()
                    .any(|e| matches!(e, VsgEntry::Range { port: None, .. })),
                _ => false,
            };
            if portless {
                ctx.diags
                    .error(here, "a virtual_server without a port must be persistent")
                    .help("add a port, or `persistence_timeout`");
            }
        }
    } else if s.has_fwmarks && vs.protocol.is_some() {
        let at = ctx.place(&vs_key(i, "protocol")).unwrap_or(here);
        ctx.diags
            .error(at, "`protocol` does not apply to a fwmark service")
            .help("keepalived ignores it and reports a configuration error; remove the line");
    }
}

/// Duplicate real servers, the sorry server's inhibit setting, quorum and hysteresis.
fn real_server_checks(ctx: &mut Ctx, vs: &VirtualServer, i: usize, here: Span) {
    let vs_port = match &vs.service {
        Service::Address { port, .. } => *port,
        _ => None,
    };
    let mut seen: HashMap<(IpAddr, Option<u16>), usize> = HashMap::new();
    for (j, rs) in vs.real_servers.iter().enumerate() {
        // Compared with the port a real server without one takes from the service.
        let key = (rs.address, rs.port.or(vs_port));
        if let Some(first) = seen.get(&key).copied() {
            let at = ctx.place(&rs_key(i, j)).unwrap_or(here);
            let first = ctx.place(&rs_key(i, first));
            let d = ctx.diags.error(
                at,
                format!(
                    "real_server {} is listed twice in this virtual_server",
                    rs.address
                ),
            );
            if let Some(f) = first {
                d.related(f, "first listed here");
            }
        } else {
            seen.insert(key, j);
        }
        if let Some(s) = &vs.sorry_server {
            if s.address == rs.address
                && s.port.or(vs_port) == key.1
                && s.inhibit != rs.inhibit_on_failure
            {
                let at = ctx.place(&vs_key(i, "sorry_server")).unwrap_or(here);
                let first = ctx.place(&rs_key(i, j));
                let d = ctx.diags.error(
                    at,
                    "the sorry_server is also a real_server, but their inhibit_on_failure settings differ",
                );
                if let Some(f) = first {
                    d.related(f, "the real server");
                }
                d.help("make `sorry_server_inhibit` match the real server's `inhibit_on_failure`");
            }
        }
    }
    if vs.real_servers.is_empty() {
        return;
    }
    let total: u64 = vs.real_servers.iter().map(|r| u64::from(r.weight)).sum();
    let quorum_at = ctx.place(&vs_key(i, "quorum")).unwrap_or(here);
    if u64::from(vs.quorum) > total {
        ctx.diags
            .error(
                quorum_at,
                format!(
                    "quorum {} exceeds the total weight {} of the real servers",
                    vs.quorum, total
                ),
            )
            .help("the quorum could never be reached; keepalived lowers it and reports a configuration error");
    }
    if vs.hysteresis >= vs.quorum {
        let at = ctx.place(&vs_key(i, "hysteresis")).unwrap_or(here);
        let quorum_given = ctx.place(&vs_key(i, "quorum")).is_some();
        let d = ctx.diags.error(
            at,
            format!(
                "hysteresis {} must be less than quorum {}",
                vs.hysteresis, vs.quorum
            ),
        );
        if quorum_given {
            d.related(quorum_at, "quorum set here");
        }
    }
}

/// The family of the service, the family of every non-tunnelled real and sorry server
/// (only tunnelled servers may differ), and `ip_family`.
fn family_checks(
    ctx: &mut Ctx,
    vs: &VirtualServer,
    group: Option<&VirtualServerGroup>,
    i: usize,
    here: Span,
) {
    // (family, where it comes from)
    let mut fixed: Option<(Family, Span)> = None;
    let mut mixed_group = false;
    match (&vs.service, group) {
        (Service::Address { address, .. }, _) => {
            let f = Family::of(address);
            fixed = Some((f, here));
            if let Some(want) = vs.ip_family.filter(|w| *w != f) {
                let at = ctx.place(&vs_key(i, "ip_family")).unwrap_or(here);
                ctx.diags
                    .error(
                        at,
                        format!("`ip_family {want}` conflicts with the virtual server's address"),
                    )
                    .related(here, "the virtual server");
            }
        }
        (Service::Group(_), Some(g)) => {
            let fams: Vec<(Family, usize)> = g
                .entries
                .iter()
                .enumerate()
                .filter_map(|(k, e)| match e {
                    VsgEntry::Range { first, .. } => Some((Family::of(first), k)),
                    VsgEntry::Fwmark { family, .. } => family.map(|f| (f, k)),
                })
                .collect();
            if let Some((f, k)) = fams.first() {
                if fams.iter().all(|(x, _)| x == f) {
                    let at = ctx.place(&vsg_key(&g.name, Some(*k))).unwrap_or(here);
                    fixed = Some((*f, at));
                } else {
                    mixed_group = true;
                }
            } else if let Some(f) = vs.ip_family {
                fixed = Some((f, ctx.place(&vs_key(i, "ip_family")).unwrap_or(here)));
            }
        }
        _ => {
            if let Some(f) = vs.ip_family {
                fixed = Some((f, ctx.place(&vs_key(i, "ip_family")).unwrap_or(here)));
            }
        }
    }
    let mut servers: Vec<(IpAddr, Forwarding, Span, &str)> = Vec::new();
    for (j, rs) in vs.real_servers.iter().enumerate() {
        let at = ctx.place(&rs_key(i, j)).unwrap_or(here);
        servers.push((rs.address, rs.lvs_method, at, "real_server"));
    }
    if let Some(s) = &vs.sorry_server {
        let at = ctx.place(&vs_key(i, "sorry_server")).unwrap_or(here);
        servers.push((s.address, s.lvs_method, at, "sorry_server"));
    }
    for (address, method, at, what) in servers {
        if method.is_tunnel() {
            continue;
        }
        let f = Family::of(&address);
        if mixed_group {
            ctx.diags
                .error(
                    at,
                    format!("{what} {address} is not tunnelled, but the virtual_server_group has IPv4 and IPv6 entries"),
                )
                .help("only tunnelled (lvs_method TUN) servers may serve both families");
            continue;
        }
        match fixed {
            None => fixed = Some((f, at)),
            Some((want, from)) if want != f => {
                ctx.diags
                    .error(
                        at,
                        format!(
                            "{what} {address} is {} but the virtual server is {}",
                            family_name(f),
                            family_name(want)
                        ),
                    )
                    .related(from, "the family is set here")
                    .help("only tunnelled (lvs_method TUN) servers may differ in family; keepalived skips this server");
            }
            _ => {}
        }
    }
}

fn family_name(f: Family) -> &'static str {
    match f {
        Family::Inet => "IPv4",
        Family::Inet6 => "IPv6",
    }
}

/// Ports of DR and TUN servers: IPVS cannot change the port without NAT, so a real or
/// sorry server port must equal the service's, and fwmark services take none.
fn port_checks(ctx: &mut Ctx, vs: &VirtualServer, group: Option<&VirtualServerGroup>, i: usize) {
    let mut servers: Vec<(Option<u16>, Forwarding, Option<Span>, &str)> = Vec::new();
    for (j, rs) in vs.real_servers.iter().enumerate() {
        servers.push((
            rs.port,
            rs.lvs_method,
            ctx.place(&rs_key(i, j)),
            "real_server",
        ));
    }
    if let Some(s) = &vs.sorry_server {
        servers.push((
            s.port,
            s.lvs_method,
            ctx.place(&vs_key(i, "sorry_server")),
            "sorry_server",
        ));
    }
    let here = ctx.place(&vs_key(i, ""));
    for (port, method, at, what) in servers {
        let (Some(port), Some(at)) = (port, at) else {
            continue;
        };
        if method == Forwarding::Nat {
            continue;
        }
        let clash: Option<String> = match (&vs.service, group) {
            (Service::Address { port: vp, .. }, _) => (Some(port) != *vp).then(|| {
                format!(
                    "{what} port {port} differs from the virtual server's port {}",
                    vp.unwrap_or(0)
                )
            }),
            (Service::Fwmark(_), _) => Some(format!(
                "{what} of a fwmark service cannot have a port with {}",
                method_name(&method)
            )),
            (Service::Group(_), Some(g)) => g.entries.iter().find_map(|e| match e {
                VsgEntry::Fwmark { .. } => Some(format!(
                    "{what} cannot have a port with {}: virtual_server_group `{}` has fwmarks",
                    method_name(&method),
                    g.name
                )),
                VsgEntry::Range { port: p, .. } if *p != Some(port) => Some(format!(
                    "{what} port {port} differs from a port of virtual_server_group `{}` ({})",
                    g.name,
                    p.unwrap_or(0)
                )),
                _ => None,
            }),
            _ => None,
        };
        if let Some(msg) = clash {
            let d = ctx.diags.error(at, msg);
            if let Some(h) = here {
                d.related(h, "the virtual server");
            }
            d.help(format!(
                "{} cannot change the port; drop the port or use lvs_method NAT",
                method_name(&method)
            ));
        }
    }
}

fn method_name(m: &Forwarding) -> &'static str {
    match m {
        Forwarding::Nat => "NAT",
        Forwarding::Dr => "DR",
        Forwarding::Tun(_) => "TUN",
    }
}
