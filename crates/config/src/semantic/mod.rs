//! Checks over the whole configuration: names resolved across the file, conflicts.

mod lvs;
mod vrrp;

use crate::lower::ctx::{suggest, Ctx};
use crate::model::Config;

/// Runs every whole-file check.
pub fn check(cfg: &Config, ctx: &mut Ctx) {
    resolve_references(ctx);
    vrrp::check(cfg, ctx);
    lvs::check(cfg, ctx);
}

/// Every name used must be declared, with its kind (keepalived only warns about a
/// dangling `track_script` and runs without it; vigil refuses the file, since the
/// instance would otherwise run with a priority its operator did not intend).
fn resolve_references(ctx: &mut Ctx) {
    let refs = std::mem::take(&mut ctx.references);
    for r in &refs {
        if ctx.declared.contains_key(&(r.kind, r.name.clone())) {
            continue;
        }
        let candidates: Vec<&str> = ctx
            .declared
            .keys()
            .filter(|(k, _)| *k == r.kind)
            .map(|(_, n)| n.as_str())
            .collect();
        let hint = suggest(&r.name, candidates.iter().copied()).map(str::to_string);
        let d = ctx.diags.error(
            r.span,
            format!(
                "`{}` names `{}`, but no {} of that name is defined",
                r.context,
                r.name,
                r.kind.keyword()
            ),
        );
        if let Some(h) = hint {
            d.help(format!("did you mean `{h}`?"));
        }
    }
    ctx.references = refs;
}
