//! `BFD_CHECK` (keepalived.conf(5); keepalived/check/check_bfd.c).

use crate::lower::ctx::{Ctx, Kind};
use crate::model::check::BfdCheck;
use crate::tree::Node;

pub(super) fn lower(node: &Node, children: &[Node], ctx: &mut Ctx) -> Option<BfdCheck> {
    let mut name = None;
    let mut alpha = None;
    for child in children {
        match child.keyword() {
            "name" => {
                ctx.no_block(child);
                if let Some(w) = ctx.arg(child, 0, "the name of a bfd_instance") {
                    if name.is_some() {
                        // check_bfd.c bfd_name_handler: "BFD %s already specified".
                        ctx.diags.error(w.span, "BFD_CHECK `name` is given twice");
                    } else {
                        ctx.reference(Kind::BfdInstance, w, "BFD_CHECK name");
                        name = Some(w.text.clone());
                    }
                }
                ctx.at_most(child, 1);
            }
            "alpha" => {
                if let Some(v) = ctx.flag(child) {
                    alpha = Some(v);
                }
            }
            _ => ctx.unknown(child, "BFD_CHECK", &["name", "alpha"]),
        }
    }
    let Some(name) = name else {
        ctx.diags
            .error(node.name.span, "`BFD_CHECK` needs a `name`");
        return None;
    };
    Some(BfdCheck { name, alpha })
}
