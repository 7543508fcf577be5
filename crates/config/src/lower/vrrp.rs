//! (being written)
use crate::lower::ctx::Ctx;
use crate::model::Config;
use crate::tree::Node;

/// Top-level keywords this module handles.
pub const TOP_KEYWORDS: &[&str] = &[];

/// Lowers one top-level statement; false when the keyword is not this module's.
pub fn lower_top(_node: &Node, _ctx: &mut Ctx, _cfg: &mut Config) -> bool {
    false
}
