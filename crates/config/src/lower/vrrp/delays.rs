//! `interface_up_down_delays { IFNAME DOWN [UP] ... }` (keepalived.conf(5), "Interface
//! up/down status change debouncing"; vrrp_parser.c `alloc_if_up_down_delay`).

use crate::lower::ctx::Ctx;
use crate::model::common::Timer;
use crate::model::vrrp::InterfaceDelay;
use crate::model::Config;
use crate::source::Span;
use crate::tree::Node;
use std::collections::HashMap;

/// Lowers an `interface_up_down_delays` block.
pub(super) fn lower(node: &Node, ctx: &mut Ctx, cfg: &mut Config) {
    ctx.no_args(node);
    let Some(children) = ctx.need_block(node) else {
        return;
    };
    let mut seen: HashMap<String, Span> = HashMap::new();
    let max = Timer::secs(255);
    for line in children {
        if let Some(b) = &line.block {
            ctx.diags.error(b.open, "a block is not expected here");
        }
        let ifname = &line.name;
        let Some(down) = line.args.first() else {
            // keepalived only logs "No timeouts specified for %s up/down delays".
            ctx.diags.warning(
                ifname.span,
                format!("no delays given for `{}`; line ignored", ifname.text),
            );
            continue;
        };
        if let Some(extra) = line.args.get(2) {
            // keepalived only logs "Too many parameters for %s up/down delays".
            ctx.diags.warning(
                extra.span,
                format!("`{}` and what follows are ignored", extra.text),
            );
        }
        let Some(down) = ctx.timer("interface_up_down_delays", down, Timer(0), max) else {
            continue;
        };
        let up = match line.args.get(1) {
            Some(w) => match ctx.timer("interface_up_down_delays", w, Timer(0), max) {
                Some(t) => Some(t),
                None => continue,
            },
            None => None,
        };
        if let Some(first) = seen.get(&ifname.text) {
            ctx.diags
                .warning(
                    ifname.span,
                    format!("delays for `{}` given again; these win", ifname.text),
                )
                .related(*first, "first given here");
            cfg.vrrp
                .interface_up_down_delays
                .retain(|d| d.interface != ifname.text);
        }
        seen.insert(ifname.text.clone(), ifname.span);
        ctx.remember(place_key(&ifname.text), ifname.span);
        cfg.vrrp.interface_up_down_delays.push(InterfaceDelay {
            interface: ifname.text.clone(),
            down,
            up,
        });
    }
}

/// The place key of the delay line for `interface`.
pub(crate) fn place_key(interface: &str) -> String {
    format!("interface_up_down_delays\u{0}{interface}")
}
