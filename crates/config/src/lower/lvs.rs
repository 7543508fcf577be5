//! LVS CONFIGURATION of keepalived.conf(5): `virtual_server_group`, `virtual_server`
//! (in [`vs`]) and the `SSL` block of SSL_GET checkers.
//!
//! keepalived's parser is keepalived/check/check_parser.c (keywords and value ranges)
//! and check_data.c (`alloc_vsg_entry`, `alloc_vs`, `alloc_rs`, `validate_check_config`);
//! behaviour notes below were checked against keepalived 2.2.7 `-t`.

mod vs;

use crate::lexer::Word;
use crate::lower::ctx::{Ctx, Kind};
use crate::model::lvs::{Family, Ssl, VirtualServerGroup, VsgEntry};
use crate::model::Config;
use crate::tree::Node;
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Top-level keywords this module handles.
pub const TOP_KEYWORDS: &[&str] = &["virtual_server_group", "virtual_server", "SSL"];

const SSL_KEYWORDS: &[&str] = &["password", "ca", "certificate", "key"];

/// Lowers one top-level statement; false when the keyword is not this module's.
pub fn lower_top(node: &Node, ctx: &mut Ctx, cfg: &mut Config) -> bool {
    match node.keyword() {
        "virtual_server_group" => {
            if let Some(g) = group(node, ctx) {
                cfg.lvs.virtual_server_groups.push(g);
            }
        }
        "virtual_server" => {
            let index = cfg.lvs.virtual_servers.len();
            if let Some(v) = vs::virtual_server(node, ctx, index) {
                cfg.lvs.virtual_servers.push(v);
            }
        }
        "SSL" => ssl(node, ctx, &mut cfg.lvs.ssl),
        _ => return false,
    }
    true
}

/// Key under which the place of a virtual server (or a part of it) is remembered.
pub fn vs_key(index: usize, part: &str) -> String {
    if part.is_empty() {
        format!("lvs:vs:{index}")
    } else {
        format!("lvs:vs:{index}:{part}")
    }
}

/// Key of a real server's place.
pub fn rs_key(vs: usize, rs: usize) -> String {
    format!("lvs:vs:{vs}:rs:{rs}")
}

/// Key of a virtual server group's place (`entry` None) or of one of its entries.
pub fn vsg_key(name: &str, entry: Option<usize>) -> String {
    match entry {
        None => format!("lvs:vsg:{name}"),
        Some(i) => format!("lvs:vsg:{name}:{i}"),
    }
}

/// keepalived.conf(5), SSL block; check_parser.c `ssl_handler`: a second `SSL` block,
/// or a repeated keyword inside one, is a configuration error in keepalived
/// ("already specified - replacing").
fn ssl(node: &Node, ctx: &mut Ctx, slot: &mut Option<Ssl>) {
    ctx.no_args(node);
    if slot.is_some() {
        let first = ctx.place("lvs:ssl");
        let d = ctx.diags.error(
            node.name.span,
            "`SSL` is given twice; keepalived replaces the first",
        );
        if let Some(first) = first {
            d.related(first, "first given here");
        }
    }
    ctx.remember("lvs:ssl", node.name.span);
    let mut ssl = Ssl::default();
    for child in node.children() {
        let field = match child.keyword() {
            "password" => &mut ssl.password,
            "ca" => &mut ssl.ca,
            "certificate" => &mut ssl.certificate,
            "key" => &mut ssl.key,
            _ => {
                ctx.unknown(child, "SSL", SSL_KEYWORDS);
                continue;
            }
        };
        if field.is_some() {
            ctx.diags.error(
                child.name.span,
                format!("SSL `{}` is given twice", child.keyword()),
            );
        }
        if let Some(v) = ctx.string(child) {
            *field = Some(v);
        }
    }
    *slot = Some(ssl);
}

/// `virtual_server_group NAME { entries }` (check_data.c `alloc_vsg_entry`).
fn group(node: &Node, ctx: &mut Ctx) -> Option<VirtualServerGroup> {
    let name = ctx.arg(node, 0, "a group name")?.clone();
    ctx.at_most(node, 1);
    ctx.declare(Kind::VirtualServerGroup, &name);
    ctx.remember(vsg_key(&name.text, None), node.span());
    let mut g = VirtualServerGroup {
        name: name.text.clone(),
        entries: Vec::new(),
    };
    let Some(children) = ctx.need_block(node) else {
        return Some(g);
    };
    let mut fwmark_no_family = None;
    let mut families: HashMap<Family, ()> = HashMap::new();
    for child in children {
        ctx.no_block(child);
        let entry = if child.keyword() == "fwmark" {
            fwmark_entry(child, ctx)
        } else {
            range_entry(child, ctx)
        };
        let Some(entry) = entry else { continue };
        match &entry {
            VsgEntry::Range { first, .. } => {
                families.insert(Family::of(first), ());
            }
            VsgEntry::Fwmark {
                family: Some(f), ..
            } => {
                families.insert(*f, ());
            }
            VsgEntry::Fwmark { family: None, .. } => {
                fwmark_no_family.get_or_insert(child.span());
            }
        }
        ctx.remember(vsg_key(&g.name, Some(g.entries.len())), child.span());
        g.entries.push(entry);
    }
    if g.entries.is_empty() {
        ctx.diags.error(
            name.span,
            format!("virtual_server_group `{}` has no entries", g.name),
        );
    } else if families.len() == 2 {
        if let Some(span) = fwmark_no_family {
            ctx.diags
                .error(
                    span,
                    format!(
                        "virtual_server_group `{}` has IPv4 and IPv6 entries, so its fwmarks need a family",
                        g.name
                    ),
                )
                .help("write `fwmark N inet` or `fwmark N inet6`");
        }
    }
    Some(g)
}

/// `fwmark <INTEGER> [inet|inet6]` inside a group.
fn fwmark_entry(node: &Node, ctx: &mut Ctx) -> Option<VsgEntry> {
    let w = ctx.arg(node, 0, "a firewall mark")?;
    let mark = ctx.number("fwmark", w, 0u32, u32::MAX);
    let family = match node.args.get(1) {
        None => None,
        Some(w) => Some(family_word(ctx, "fwmark", w)?),
    };
    extra_ignored(ctx, node, 2);
    Some(VsgEntry::Fwmark {
        mark: mark?,
        family,
    })
}

/// `inet` or `inet6`.
pub(crate) fn family_word(ctx: &mut Ctx, kw: &str, w: &Word) -> Option<Family> {
    match ctx.choice(kw, w, &["inet", "inet6"])? {
        "inet" => Some(Family::Inet),
        _ => Some(Family::Inet6),
    }
}

/// `<IPADDR>[-END|/LEN] [<PORT>]` inside a group.
fn range_entry(node: &Node, ctx: &mut Ctx) -> Option<VsgEntry> {
    let w = &node.name;
    let range = parse_range(&w.text);
    let port = match node.args.first() {
        Some(p) => port_word(ctx, "virtual_server_group", p),
        None => Some(None),
    };
    extra_ignored(ctx, node, 1);
    match range {
        Ok((first, last)) => Some(VsgEntry::Range {
            first,
            last,
            port: port?,
        }),
        Err(why) => {
            ctx.diags
                .error(
                    w.span,
                    format!("virtual_server_group: `{}` {why}", w.text),
                )
                .help("entries are `ADDRESS [PORT]`, `A.B.C.D-E [PORT]`, `FIRST-LAST [PORT]`, `ADDRESS/LEN [PORT]` or `fwmark N [inet|inet6]`");
            None
        }
    }
}

/// An address range as keepalived's `alloc_vsg_entry` reads it.
pub(crate) fn parse_range(text: &str) -> Result<(IpAddr, IpAddr), String> {
    if let Some((addr, len)) = text.split_once('/') {
        let a: IpAddr = addr
            .parse()
            .map_err(|_| "is not an IP address".to_string())?;
        let bits = if a.is_ipv4() { 32 } else { 128 };
        let len: u32 = match len.parse() {
            Ok(l) if (1..=bits).contains(&l) => l,
            _ => return Err(format!("has an invalid prefix length (1 to {bits})")),
        };
        let host = if len == bits {
            0
        } else {
            u128::MAX >> (128 - bits + len)
        };
        let v = to_u128(&a);
        if v & host != 0 {
            return Err("has host bits set beyond the prefix length".into());
        }
        return Ok((a, from_u128(&a, v | host)));
    }
    let Some((start, end)) = text.split_once('-') else {
        let a: IpAddr = text
            .parse()
            .map_err(|_| "is not an IP address".to_string())?;
        return Ok((a, a));
    };
    let a: IpAddr = start
        .parse()
        .map_err(|_| "does not start with an IP address".to_string())?;
    let full = match a {
        IpAddr::V4(_) => end.contains('.'),
        IpAddr::V6(_) => end.contains(':'),
    };
    if full {
        let b: IpAddr = end
            .parse()
            .map_err(|_| "has an invalid range end".to_string())?;
        if a.is_ipv4() != b.is_ipv4() {
            return Err("mixes address families".into());
        }
        if to_u128(&b) < to_u128(&a) {
            return Err("ends before it starts".into());
        }
        return Ok((a, b));
    }
    // A short range end: the last octet (decimal) of an IPv4 address, the last 16-bit
    // group (hexadecimal) of an IPv6 one (utils.c `inet_stor`).
    let (radix, max, limit) = match a {
        IpAddr::V4(_) => (10, 255u128, "a decimal number up to 255"),
        IpAddr::V6(_) => (16, 0xffffu128, "a hexadecimal number up to ffff"),
    };
    let e = u128::from_str_radix(end, radix)
        .ok()
        .filter(|e| *e <= max && !end.starts_with('+'))
        .ok_or_else(|| format!("has an invalid range end `{end}` (must be {limit})"))?;
    let v = to_u128(&a);
    let start_part = v & max;
    if start_part >= e {
        return Err("has a range end that is not greater than its start".into());
    }
    Ok((a, from_u128(&a, (v & !max) | e)))
}

fn to_u128(a: &IpAddr) -> u128 {
    match a {
        IpAddr::V4(v) => u32::from(*v) as u128,
        IpAddr::V6(v) => u128::from(*v),
    }
}

fn from_u128(like: &IpAddr, v: u128) -> IpAddr {
    match like {
        IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::from(v as u32)),
        IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::from(v)),
    }
}

/// A port word: 1 to 65535, or all zeros for "no port" (keepalived accepts `0` for
/// persistent services since 2.0.7).
pub(crate) fn port_word(ctx: &mut Ctx, kw: &str, w: &Word) -> Option<Option<u16>> {
    if !w.text.is_empty() && w.text.chars().all(|c| c == '0') {
        return Some(None);
    }
    ctx.number(kw, w, 1u16, u16::MAX).map(Some)
}

/// Words past the `n`th argument, which keepalived ignores: a warning.
pub(crate) fn extra_ignored(ctx: &mut Ctx, node: &Node, n: usize) {
    if let Some(w) = node.args.get(n) {
        ctx.diags.warning(
            w.span,
            format!(
                "`{}`: `{}` and what follows is ignored (keepalived ignores it too)",
                node.keyword(),
                w.text
            ),
        );
    }
}

#[cfg(test)]
mod tests;
