//! `garp_group { ... }` (keepalived.conf(5), "VRRP gratuitous ARP and unsolicited
//! neighbour advert delay group(s)"; vrrp_parser.c).

use super::{block_words, Seen};
use crate::lower::ctx::Ctx;
use crate::model::common::Timer;
use crate::model::vrrp::GarpGroup;
use crate::model::Config;
use crate::tree::Node;

const KEYWORDS: &[&str] = &["garp_interval", "gna_interval", "interface", "interfaces"];

/// The largest interval keepalived reads: `INT_MAX` microseconds.
const MAX_INTERVAL: Timer = Timer(i32::MAX as u64);

/// Lowers a `garp_group` block.
pub(super) fn lower(node: &Node, ctx: &mut Ctx, cfg: &mut Config) {
    ctx.no_args(node);
    let Some(children) = ctx.need_block(node) else {
        return;
    };
    let mut g = GarpGroup::default();
    let mut seen = Seen::default();
    for child in children {
        match child.keyword() {
            "garp_interval" | "gna_interval" => {
                seen.check(ctx, child);
                if let Some(t) = ctx.timer_arg(child, Timer(0), MAX_INTERVAL) {
                    if t >= Timer::secs(1) {
                        // keepalived logs "The garp_interval is very large".
                        ctx.diags.warning(
                            child.args[0].span,
                            format!("`{}` of {t} seconds is very large", child.keyword()),
                        );
                    }
                    if child.keyword() == "garp_interval" {
                        g.garp_interval = Some(t);
                    } else {
                        g.gna_interval = Some(t);
                    }
                }
            }
            "interface" => {
                seen.check(ctx, child);
                if let Some(i) = ctx.string(child) {
                    claim(ctx, &i, child.args[0].span);
                    g.interface = Some(i);
                }
            }
            "interfaces" => {
                seen.check(ctx, child);
                let words = block_words(ctx, child);
                if words.is_empty() && child.block.is_some() {
                    // vrrp_parser.c: "Warning - empty garp_group interfaces block".
                    ctx.diags
                        .error(child.name.span, "the `interfaces` block is empty");
                }
                g.interfaces.clear();
                for w in words {
                    claim(ctx, &w.text, w.span);
                    g.interfaces.push(w.text.clone());
                }
            }
            _ => ctx.unknown(child, "garp_group", KEYWORDS),
        }
    }
    if g.interface.is_some() && !g.interfaces.is_empty() {
        if let (Some(a), Some(b)) = (seen.first("interface"), seen.first("interfaces")) {
            ctx.diags
                .warning(
                    b,
                    "use only one of `interface` and `interfaces` in a garp_group",
                )
                .related(a, "`interface` is here");
        }
    }
    if g.garp_interval.is_none() && g.gna_interval.is_none() {
        // vrrp_parser.c: "garp group %d does not have any delay set - removing".
        ctx.diags.error(
            node.name.span,
            "garp_group sets neither `garp_interval` nor `gna_interval`",
        );
        return;
    }
    cfg.vrrp.garp_groups.push(g);
}

/// An interface may belong to one garp_group only (vrrp_parser.c: "garp_group already
/// specified for %s - ignoring").
fn claim(ctx: &mut Ctx, interface: &str, span: crate::source::Span) {
    let key = format!("garp_group\u{0}{interface}");
    if let Some(first) = ctx.place(&key) {
        ctx.diags
            .error(
                span,
                format!("interface `{interface}` is already in a garp_group"),
            )
            .related(first, "first placed here");
        return;
    }
    ctx.remember(key, span);
}
