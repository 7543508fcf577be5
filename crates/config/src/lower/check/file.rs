//! `FILE_CHECK` (keepalived.conf(5); keepalived/check/check_file.c).

use crate::lower::ctx::{Ctx, Kind};
use crate::model::check::FileCheck;
use crate::tree::Node;

const FILE_KEYWORDS: &[&str] = &["track_file", "weight", "dynamic"];

pub(super) fn lower(node: &Node, children: &[Node], ctx: &mut Ctx) -> Option<FileCheck> {
    let mut track_file = None;
    let mut weight = None;
    let mut reverse = false;
    for child in children {
        match child.keyword() {
            "track_file" => {
                ctx.no_block(child);
                if let Some(w) = ctx.arg(child, 0, "the name of a vrrp_track_file") {
                    // keepalived resolves it while reading: "track_file %s not found".
                    ctx.reference_ordered(Kind::TrackFile, w, "track_file");
                    track_file = Some(w.text.clone());
                }
                ctx.at_most(child, 1);
            }
            // check_file.c track_file_weight_handler: -IPVS_WEIGHT_LIMIT..IPVS_WEIGHT_LIMIT,
            // then `reverse` or `noreverse`.
            "weight" => {
                ctx.no_block(child);
                let Some(w) = ctx.arg(child, 0, "a weight") else {
                    continue;
                };
                let Some(v) = ctx.number::<i32>("weight", w, -i32::MAX, i32::MAX) else {
                    continue;
                };
                let mut rev = false;
                if let Some(o) = child.args.get(1) {
                    match ctx.choice("weight", o, &["reverse", "noreverse"]) {
                        Some(c) => rev = c == "reverse",
                        None => continue,
                    }
                }
                ctx.at_most(child, 2);
                weight = Some(v);
                reverse = rev;
            }
            // Documented in keepalived.conf(5), but keepalived 2.2.7 does not know it.
            "dynamic" => ctx.not_acted_on(
                child,
                "documented for FILE_CHECK, but keepalived 2.2.7 does not know it",
            ),
            _ => ctx.unknown(child, "FILE_CHECK", FILE_KEYWORDS),
        }
    }
    let Some(track_file) = track_file else {
        ctx.diags
            .error(node.name.span, "`FILE_CHECK` needs a `track_file`");
        return None;
    };
    Some(FileCheck {
        track_file,
        weight,
        reverse,
    })
}
