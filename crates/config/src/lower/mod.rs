//! From the statement tree to the typed model, section by section.

pub mod bfd;
pub mod check;
pub mod ctx;
pub mod global;
pub mod ipaddr;
pub mod lvs;
pub mod vrrp;

use crate::model::Config;
use crate::tree::Node;
use ctx::Ctx;

/// Lowers every top-level statement into a new configuration.
pub fn lower(nodes: &[Node], ctx: &mut Ctx) -> Config {
    let mut cfg = Config::default();
    for node in nodes {
        lower_node(node, ctx, &mut cfg);
    }
    cfg
}

/// Lowers one top-level statement into `cfg`.
pub fn lower_node(node: &Node, ctx: &mut Ctx, cfg: &mut Config) {
    {
        let handled = global::lower_top(node, ctx, cfg)
            || vrrp::lower_top(node, ctx, cfg)
            || bfd::lower_top(node, ctx, cfg)
            || lvs::lower_top(node, ctx, cfg);
        if !handled {
            let known: Vec<&str> = global::TOP_KEYWORDS
                .iter()
                .chain(vrrp::TOP_KEYWORDS)
                .chain(bfd::TOP_KEYWORDS)
                .chain(lvs::TOP_KEYWORDS)
                .copied()
                .collect();
            ctx.unknown(node, "the top level", &known);
        }
    }
}
