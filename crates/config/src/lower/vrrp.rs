//! keepalived.conf(5), VRRPD CONFIGURATION (with "Track files", "VRRP track processes"
//! and "Interface up/down status change debouncing"): `vrrp_script`, `track_file`,
//! `vrrp_track_process`, `vrrp_sync_group`, `garp_group`, `vrrp_instance` and
//! `interface_up_down_delays`.
//!
//! keepalived's parser for this part is keepalived/vrrp/vrrp_parser.c, with the track
//! entries in vrrp_track.c, track files in core/track_file.c and unicast peers in
//! vrrp_data.c. Every `report_config_error` there (which makes `keepalived -t` exit 5)
//! is an error here, except where a comment says why not.

mod delays;
mod garp;
mod instance;
mod script;
mod sync_group;
#[cfg(test)]
mod tests;
mod track;

use crate::lexer::Word;
use crate::lower::ctx::Ctx;
use crate::model::common::Script;
use crate::model::Config;
use crate::source::Span;
use crate::tree::Node;
use std::collections::HashMap;

pub(crate) use delays::place_key as delay_place_key;
pub(crate) use instance::place_key as instance_place_key;
pub(crate) use sync_group::{member_key as sync_group_member_key, name_key as sync_group_name_key};
pub(crate) use track::entry_key as instance_entry_key;

/// Top-level keywords this module handles.
pub const TOP_KEYWORDS: &[&str] = &[
    "vrrp_script",
    "track_file",
    "vrrp_track_file",
    "vrrp_track_process",
    "vrrp_sync_group",
    "garp_group",
    "vrrp_instance",
    "interface_up_down_delays",
];

/// Lowers one top-level statement; false when the keyword is not this module's.
pub fn lower_top(node: &Node, ctx: &mut Ctx, cfg: &mut Config) -> bool {
    match node.keyword() {
        "vrrp_script" => script::lower(node, ctx, cfg),
        "track_file" => track::lower_track_file(node, ctx, cfg),
        "vrrp_track_file" => {
            // track_file.c: "vrrp_track_file" is deprecated, please use "track_file".
            ctx.diags
                .warning(node.name.span, "`vrrp_track_file` is deprecated")
                .help("write `track_file`, its current name");
            track::lower_track_file(node, ctx, cfg);
        }
        "vrrp_track_process" => track::lower_track_process(node, ctx, cfg),
        "vrrp_sync_group" => sync_group::lower(node, ctx, cfg),
        "garp_group" => garp::lower(node, ctx, cfg),
        "vrrp_instance" => instance::lower(node, ctx, cfg),
        "interface_up_down_delays" => delays::lower(node, ctx, cfg),
        _ => return false,
    }
    true
}

/// The name of a named block (`vrrp_instance NAME {`): exactly one argument.
fn block_name<'n>(node: &'n Node, ctx: &mut Ctx) -> Option<&'n Word> {
    let Some(name) = node.args.first() else {
        ctx.diags
            .error(node.span(), format!("`{}` needs a name", node.keyword()));
        return None;
    };
    ctx.at_most(node, 1);
    Some(name)
}

/// Keywords already seen in one block, to warn about repeats.
#[derive(Debug, Default)]
struct Seen(HashMap<String, Span>);

impl Seen {
    /// Warns (last one wins, as in keepalived) when `node`'s keyword was seen before.
    fn check(&mut self, ctx: &mut Ctx, node: &Node) {
        match self.0.get(node.keyword()) {
            Some(first) => ctx.repeated(node, *first),
            None => {
                self.0.insert(node.keyword().to_string(), node.name.span);
            }
        }
    }

    /// Where `keyword` was first seen.
    fn first(&self, keyword: &str) -> Option<Span> {
        self.0.get(keyword).copied()
    }
}

/// A notify script: `KEYWORD COMMAND [USER [GROUP]]` (keepalived.conf(5), SCRIPTS;
/// notify.c `notify_script_init`). The words are keepalived's first pass over the raw
/// line (`Ctx::script_words`: single and double quotes group, escapes resolved), so
/// `notify_master '/bin/x a'` has the command `/bin/x a`; the command is split into
/// argv once more when run, so `"/bin/x a 'b c'"` runs `/bin/x` with `a` and `b c`.
/// The next two words are the user and group; keepalived ignores any more words, so
/// they only draw a warning.
fn notify_script(ctx: &mut Ctx, node: &Node) -> Option<Script> {
    ctx.no_block(node);
    ctx.arg(node, 0, "a script")?;
    let words = ctx.script_words(node)?;
    let cmd = words.first()?;
    if cmd.text.trim().is_empty() {
        // keepalived accepts an empty notify script (and runs nothing).
        ctx.diags.warning(
            cmd.span,
            format!("`{}`: the script is empty; ignored", node.keyword()),
        );
        return None;
    }
    if let Some(w) = words.get(3) {
        ctx.diags
            .warning(
                w.span,
                format!(
                    "`{}`: `{}` and what follows are ignored (the words after the script are its user and group)",
                    node.keyword(),
                    w.text
                ),
            )
            .help("quote the whole command to pass arguments: `notify \"/path/script arg\"`");
    }
    ctx.script_seen(cmd.span);
    Some(Script {
        command: cmd.text.clone(),
        user: words.get(1).map(|w| w.text.clone()),
        group: words.get(2).map(|w| w.text.clone()),
    })
}

/// Sets a notify script slot; keepalived keeps the first and complains about the
/// second (vrrp_parser.c: "notify_master script already specified - ignoring").
fn set_notify(
    ctx: &mut Ctx,
    node: &Node,
    slot: &mut Option<Script>,
    first: &mut HashMap<String, Span>,
) {
    if let Some(f) = first.get(node.keyword()) {
        ctx.diags
            .error(
                node.name.span,
                format!("`{}` is given twice", node.keyword()),
            )
            .related(*f, "first given here")
            .help("keepalived keeps the first script and complains; remove one");
        return;
    }
    first.insert(node.keyword().to_string(), node.name.span);
    *slot = notify_script(ctx, node);
}

/// A block of words (`group { A B }`, `interfaces { ... }`): every word of every line.
fn block_words<'n>(ctx: &mut Ctx, node: &'n Node) -> Vec<&'n Word> {
    let mut out = Vec::new();
    let Some(children) = ctx.need_block(node) else {
        return out;
    };
    ctx.no_args(node);
    for child in children {
        if let Some(b) = &child.block {
            ctx.diags.error(b.open, "a block is not expected here");
        }
        out.extend(child.words());
    }
    out
}
