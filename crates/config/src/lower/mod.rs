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

/// Lowers every top-level statement into `cfg`.
pub fn lower(nodes: &[Node], ctx: &mut Ctx) -> Config {
    let mut cfg = Config::default();
    for node in nodes {
        let handled = global::lower_top(node, ctx, &mut cfg)
            || vrrp::lower_top(node, ctx, &mut cfg)
            || bfd::lower_top(node, ctx, &mut cfg)
            || lvs::lower_top(node, ctx, &mut cfg);
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
    cfg
}
