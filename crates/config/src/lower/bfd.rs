//! `bfd_instance` blocks (keepalived.conf(5), BFD CONFIGURATION;
//! keepalived/bfd/bfd_parser.c).

use crate::lower::ctx::{Ctx, Kind};
use crate::model::bfd::BfdInstance;
use crate::model::common::Timer;
use crate::model::Config;
use crate::tree::Node;

/// Top-level keywords this module handles.
pub const TOP_KEYWORDS: &[&str] = &["bfd_instance"];

const BFD_KEYWORDS: &[&str] = &[
    "neighbor_ip",
    "neighbour_ip",
    "source_ip",
    "min_rx",
    "min_tx",
    "idle_tx",
    "multiplier",
    "passive",
    "ttl",
    "hoplimit",
    "max_hops",
    "weight",
    "vrrp",
    "checker",
];

/// BFD_INAME_MAX - 1 (bfd.h).
const NAME_MAX: usize = 31;
/// Interval bounds in milliseconds (bfd.h BFD_MINRX_MIN ... BFD_IDLETX_MAX).
const INTERVAL_MAX_MS: u64 = 4_294_967;

/// Lowers one top-level statement; false when the keyword is not this module's.
pub fn lower_top(node: &Node, ctx: &mut Ctx, cfg: &mut Config) -> bool {
    if node.keyword() != "bfd_instance" {
        return false;
    }
    if let Some(b) = instance(node, ctx, cfg) {
        cfg.bfd_instances.push(b);
    }
    true
}

fn instance(node: &Node, ctx: &mut Ctx, cfg: &Config) -> Option<BfdInstance> {
    let name_w = ctx.arg(node, 0, "a name")?.clone();
    ctx.at_most(node, 1);
    let children = ctx.need_block(node)?;
    let mut ok = true;
    if name_w.text.chars().count() > NAME_MAX {
        ctx.diags.error(
            name_w.span,
            format!(
                "a bfd_instance name has at most {NAME_MAX} characters; `{}` is too long",
                name_w.text
            ),
        );
        ok = false;
    }
    if !ctx.declare(Kind::BfdInstance, &name_w) {
        ok = false;
    }
    let mut b = BfdInstance {
        name: name_w.text.clone(),
        ..BfdInstance::default()
    };
    let mut neighbor = None;
    let mut ttl: Option<(u8, crate::source::Span)> = None;
    let mut max_hops_span = None;
    let mut to_vrrp = false;
    let mut to_checker = false;
    for child in children {
        match child.keyword() {
            "neighbor_ip" | "neighbour_ip" => {
                if let Some(ip) = ctx.ip_arg(child) {
                    let span = child
                        .args
                        .first()
                        .map(|w| w.span)
                        .unwrap_or(child.name.span);
                    if let Some(other) = cfg.bfd_instances.iter().find(|o| o.neighbor_ip == ip) {
                        // bfd_parser.c: "has duplicate neighbor address".
                        ctx.diags.error(
                            span,
                            format!(
                                "bfd_instance `{}` has the same neighbor address {ip} as bfd_instance `{}`",
                                b.name, other.name
                            ),
                        );
                        ok = false;
                    }
                    neighbor = Some((ip, span));
                } else {
                    ok = false;
                }
            }
            "source_ip" => {
                if let Some(ip) = ctx.ip_arg(child) {
                    b.source_ip = Some(ip);
                }
            }
            "min_rx" => {
                if let Some(t) = interval(child, ctx, 1) {
                    b.min_rx = t;
                }
            }
            "min_tx" => {
                if let Some(t) = interval(child, ctx, 1) {
                    b.min_tx = t;
                }
            }
            "idle_tx" => {
                if let Some(t) = interval(child, ctx, 1000) {
                    b.idle_tx = t;
                }
            }
            "multiplier" => {
                if let Some(v) = ctx.number_arg::<u8>(child, 1, 255) {
                    b.multiplier = v;
                }
            }
            // bfd_parser.c bfd_passive_handler ignores any argument.
            "passive" => b.passive = crate::lower::check::bare_flag(child, ctx),
            "ttl" | "hoplimit" => {
                if let Some(v) = ctx.number_arg::<u8>(child, 1, 255) {
                    ttl = Some((v, child.name.span));
                }
            }
            "max_hops" => {
                // -1 is stored as 255: hop count checking disabled.
                if let Some(v) = ctx.number_arg::<i16>(child, -1, 255) {
                    b.max_hops = if v < 0 { 255 } else { v as u8 };
                    max_hops_span = Some(child.name.span);
                }
            }
            "weight" => {
                ctx.no_block(child);
                let Some(w) = ctx.arg(child, 0, "a weight") else {
                    continue;
                };
                let Some(v) = ctx.number::<i32>("weight", w, -253, 253) else {
                    continue;
                };
                let mut rev = false;
                if let Some(o) = child.args.get(1) {
                    match ctx.choice("weight", o, &["reverse"]) {
                        Some(_) => rev = true,
                        None => continue,
                    }
                }
                ctx.at_most(child, 2);
                b.weight = v;
                b.reverse = rev;
            }
            "vrrp" => to_vrrp = crate::lower::check::bare_flag(child, ctx),
            "checker" => to_checker = crate::lower::check::bare_flag(child, ctx),
            _ => ctx.unknown(child, "bfd_instance", BFD_KEYWORDS),
        }
    }
    let Some((nbr, nbr_span)) = neighbor else {
        if ok {
            ctx.diags.error(
                name_w.span,
                format!("bfd_instance `{}` needs a `neighbor_ip`", b.name),
            );
        }
        return None;
    };
    b.neighbor_ip = nbr;
    if let Some(src) = b.source_ip {
        if src.is_ipv4() != nbr.is_ipv4() {
            ctx.diags.error(
                nbr_span,
                format!(
                    "bfd_instance `{}`: `source_ip` {src} and `neighbor_ip` {nbr} are not of the same family",
                    b.name
                ),
            );
            ok = false;
        }
    }
    b.ttl = ttl
        .map(|(v, _)| v)
        .unwrap_or_else(|| BfdInstance::default_ttl(&nbr));
    if b.max_hops > b.ttl {
        // bfd_parser.c bfd_end_handler complains and lowers max_hops to the ttl.
        let span = max_hops_span.or(ttl.map(|(_, s)| s)).unwrap_or(name_w.span);
        ctx.diags
            .error(
                span,
                format!(
                    "bfd_instance `{}`: `max_hops` {} exceeds the ttl/hoplimit {}",
                    b.name, b.max_hops, b.ttl
                ),
            )
            .help("`max_hops -1` (255) disables hop checking only with a ttl/hoplimit of 255");
        ok = false;
    }
    if to_vrrp || to_checker {
        b.to_vrrp = to_vrrp;
        b.to_checker = to_checker;
    }
    ok.then_some(b)
}

/// An interval in milliseconds with up to three decimals (keepalived's read_decimal),
/// within `[min_ms, 4294967]` ms, as a Timer.
fn interval(node: &Node, ctx: &mut Ctx, min_ms: u64) -> Option<Timer> {
    ctx.no_block(node);
    let w = ctx.arg(node, 0, "a time in milliseconds")?;
    let v = parse_ms(&w.text).filter(|us| *us >= min_ms * 1000 && *us <= INTERVAL_MAX_MS * 1000);
    if v.is_none() {
        ctx.diags.error(
            w.span,
            format!(
                "`{}` must be from {min_ms} to {INTERVAL_MAX_MS} milliseconds (at most 3 decimals), not `{}`",
                node.keyword(),
                w.text
            ),
        );
    }
    ctx.at_most(node, 1);
    v.map(Timer)
}

/// `12.345` milliseconds to microseconds; None for anything else.
fn parse_ms(s: &str) -> Option<u64> {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    if int.is_empty()
        || frac.len() > 3
        || !int.chars().chain(frac.chars()).all(|c| c.is_ascii_digit())
    {
        return None;
    }
    if s.ends_with('.') {
        return None;
    }
    let ms: u64 = int.parse().ok()?;
    let mut us = 0u64;
    for c in frac.chars().chain(std::iter::repeat('0')).take(3) {
        us = us * 10 + u64::from(c.to_digit(10)?);
    }
    ms.checked_mul(1000)?.checked_add(us)
}

/// Milliseconds with up to three decimals, as the configuration writes them.
pub(crate) fn format_ms(t: Timer) -> String {
    let us = t.micros();
    let (ms, frac) = (us / 1000, us % 1000);
    if frac == 0 {
        ms.to_string()
    } else {
        let f = format!("{frac:03}");
        format!("{ms}.{}", f.trim_end_matches('0'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::print::print_config;
    use crate::Options;
    use std::path::Path;

    fn load(text: &str) -> crate::Loaded {
        crate::load_str(
            Path::new("t.conf"),
            text,
            &Options {
                config_id: "x".into(),
            },
        )
    }

    fn errors(text: &str) -> Vec<String> {
        let l = load(text);
        l.diags
            .iter()
            .filter(|d| d.severity == crate::Severity::Error)
            .map(|d| d.short(&l.sources))
            .collect()
    }

    #[test]
    fn parse_ms_decimals() {
        assert_eq!(parse_ms("10"), Some(10_000));
        assert_eq!(parse_ms("3.312"), Some(3_312));
        assert_eq!(parse_ms("3.3125"), None);
        assert_eq!(parse_ms("x"), None);
        assert_eq!(parse_ms("1."), None);
        assert_eq!(format_ms(Timer(3_312)), "3.312");
        assert_eq!(format_ms(Timer(10_000)), "10");
        assert_eq!(format_ms(Timer(1_500)), "1.5");
    }

    /// keepalived.conf(5) BFD CONFIGURATION: defaults 10 ms / 10 ms / 1000 ms, 5, ttl 255.
    #[test]
    fn bfd_defaults() {
        let l = load("bfd_instance B1 {\n neighbor_ip 192.0.2.9\n}\n");
        assert!(l.is_valid(), "{:?}", l.diags);
        let b = &l.config.bfd_instances[0];
        assert_eq!(b.min_rx, Timer::millis(10));
        assert_eq!(b.min_tx, Timer::millis(10));
        assert_eq!(b.idle_tx, Timer::millis(1000));
        assert_eq!(b.multiplier, 5);
        assert_eq!(b.ttl, 255);
        assert_eq!(b.max_hops, 0);
        assert!(b.to_vrrp && b.to_checker);
        assert!(l.diags.iter().next().is_none());
    }

    /// BFD CONFIGURATION: IPv6 default hoplimit is 64.
    #[test]
    fn bfd_ipv6_default_hoplimit() {
        let l = load("bfd_instance B1 {\n neighbour_ip 2001:db8::9\n}\n");
        assert!(l.is_valid());
        assert_eq!(l.config.bfd_instances[0].ttl, 64);
    }

    /// bfd_parser.c: every value range, as keepalived 2.2.7 reports them.
    #[test]
    fn bfd_ranges() {
        let e = errors(
            "bfd_instance B1 {\n neighbor_ip 192.0.2.9\n min_rx 0\n min_tx 4294968\n idle_tx 999\n multiplier 0\n ttl 0\n max_hops 300\n weight 254\n min_rx 3.3125\n}\n",
        );
        assert_eq!(
            e,
            vec![
                "t.conf:3:9: error: `min_rx` must be from 1 to 4294967 milliseconds (at most 3 decimals), not `0`",
                "t.conf:4:9: error: `min_tx` must be from 1 to 4294967 milliseconds (at most 3 decimals), not `4294968`",
                "t.conf:5:10: error: `idle_tx` must be from 1000 to 4294967 milliseconds (at most 3 decimals), not `999`",
                "t.conf:6:13: error: `multiplier` must be a number from 1 to 255, not `0`",
                "t.conf:7:6: error: `ttl` must be a number from 1 to 255, not `0`",
                "t.conf:8:11: error: `max_hops` must be a number from -1 to 255, not `300`",
                "t.conf:9:9: error: `weight` must be a number from -253 to 253, not `254`",
                "t.conf:10:9: error: `min_rx` must be from 1 to 4294967 milliseconds (at most 3 decimals), not `3.3125`",
            ]
        );
    }

    /// bfd_parser.c bfd_end_handler: a neighbor is required.
    #[test]
    fn bfd_needs_neighbor() {
        assert_eq!(
            errors("bfd_instance B1 {\n source_ip 192.0.2.8\n}\n"),
            vec!["t.conf:1:14: error: bfd_instance `B1` needs a `neighbor_ip`"]
        );
    }

    /// bfd_parser.c bfd_end_handler: source and neighbor of one family.
    #[test]
    fn bfd_family_mismatch() {
        assert_eq!(
            errors("bfd_instance B1 {\n neighbor_ip 2001:db8::1\n source_ip 192.0.2.8\n}\n"),
            vec!["t.conf:2:14: error: bfd_instance `B1`: `source_ip` 192.0.2.8 and `neighbor_ip` 2001:db8::1 are not of the same family"]
        );
    }

    /// bfd_parser.c: max_hops may not exceed the ttl; -1 means 255.
    #[test]
    fn bfd_max_hops_vs_ttl() {
        assert_eq!(
            errors("bfd_instance B1 {\n neighbor_ip 2001:db8::1\n max_hops 100\n}\n"),
            vec![
                "t.conf:3:2: error: bfd_instance `B1`: `max_hops` 100 exceeds the ttl/hoplimit 64"
            ]
        );
        let l = load("bfd_instance B1 {\n neighbor_ip 192.0.2.1\n max_hops -1\n}\n");
        assert!(l.is_valid());
        assert_eq!(l.config.bfd_instances[0].max_hops, 255);
        assert!(!load(
            "bfd_instance B1 {\n neighbor_ip 192.0.2.1\n hoplimit 10\n max_hops -1\n}\n"
        )
        .is_valid());
    }

    /// bfd_parser.c check_new_bfd / bfd_nbrip_handler: names and neighbors are unique,
    /// names have at most 31 characters.
    #[test]
    fn bfd_duplicates_and_long_names() {
        let e = errors("bfd_instance B1 {\n neighbor_ip 192.0.2.1\n}\nbfd_instance B2 {\n neighbor_ip 192.0.2.1\n}\nbfd_instance B1 {\n neighbor_ip 192.0.2.2\n}\n");
        assert_eq!(
            e,
            vec![
                "t.conf:5:14: error: bfd_instance `B2` has the same neighbor address 192.0.2.1 as bfd_instance `B1`",
                "t.conf:7:14: error: bfd_instance `B1` is defined twice",
            ]
        );
        let e = errors(
            "bfd_instance B123456789012345678901234567890123 {\n neighbor_ip 192.0.2.1\n}\n",
        );
        assert_eq!(e.len(), 1);
        assert!(
            e[0].starts_with("t.conf:1:14: error: a bfd_instance name has at most 31 characters")
        );
    }

    /// BFD CONFIGURATION: `vrrp` / `checker` restrict where events go.
    #[test]
    fn bfd_event_targets() {
        let l = load("bfd_instance B1 {\n neighbor_ip 192.0.2.1\n checker\n}\n");
        let b = &l.config.bfd_instances[0];
        assert!(!b.to_vrrp && b.to_checker);
    }

    #[test]
    fn bfd_unknown_keyword_warns() {
        let l = load("bfd_instance B1 {\n neighbor_ip 192.0.2.1\n multiplyer 3\n}\n");
        assert!(l.is_valid());
        let w: Vec<_> = l.diags.iter().collect();
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].help.as_deref(), Some("did you mean `multiplier`?"));
    }

    /// Every keyword of BFD CONFIGURATION: load → print → load gives the same model.
    #[test]
    fn bfd_round_trip() {
        let text = "bfd_instance B1 {\n neighbor_ip 192.0.2.9\n source_ip 192.0.2.8\n min_rx 3.312\n min_tx 20\n idle_tx 1500.5\n multiplier 7\n passive\n ttl 200\n max_hops 3\n weight -20 reverse\n vrrp\n}\nbfd_instance B2 {\n neighbour_ip 2001:db8::2\n hoplimit 30\n checker\n}\nbfd_instance B3 {\n neighbor_ip 192.0.2.10\n vrrp\n checker\n max_hops -1\n}\n";
        let a = load(text);
        assert!(a.is_valid(), "{}", a.diags.render_short(&a.sources));
        assert_eq!(a.config.bfd_instances.len(), 3);
        let printed = print_config(&a.config);
        let b = load(&printed);
        assert!(
            b.is_valid(),
            "{printed}\n{}",
            b.diags.render_short(&b.sources)
        );
        assert_eq!(a.config.bfd_instances, b.config.bfd_instances, "{printed}");
        assert_eq!(print_config(&b.config), printed);
    }
}
