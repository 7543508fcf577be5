//! `track_file` / `vrrp_track_file` and `vrrp_track_process` blocks (keepalived.conf(5),
//! "Track files", "VRRP track processes"; core/track_file.c, vrrp/vrrp_parser.c), and
//! the `track_*` blocks inside instances and sync groups (vrrp/vrrp_track.c).

use super::{block_name, Seen};
use crate::lexer::Word;
use crate::lower::ctx::{Ctx, Kind};
use crate::model::common::Timer;
use crate::model::vrrp::{
    ParamMatch, TrackFile, TrackFileInit, TrackInterface, TrackProcess, TrackRef,
};
use crate::model::Config;
use crate::source::Span;
use crate::tree::Node;
use std::collections::HashMap;

const TRACK_FILE_KEYWORDS: &[&str] = &["file", "weight", "init_file"];

/// `track_file NAME { file PATH; weight W [reverse]; init_file [VALUE] [overwrite] }`.
pub(super) fn lower_track_file(node: &Node, ctx: &mut Ctx, cfg: &mut Config) {
    let Some(name) = block_name(node, ctx) else {
        return;
    };
    let declared = ctx.declare(Kind::TrackFile, name);
    let Some(children) = ctx.need_block(node) else {
        return;
    };
    let mut tf = TrackFile {
        name: name.text.clone(),
        file: String::new(),
        weight: 1,
        weight_reverse: false,
        init: None,
    };
    let mut file_seen: Option<Span> = None;
    let mut weight_seen: Option<Span> = None;
    let mut seen = Seen::default();
    for child in children {
        match child.keyword() {
            "file" => {
                // track_file.c: "File already set for track file %s - ignoring %s".
                if !first_time(ctx, child, &mut file_seen) {
                    continue;
                }
                if let Some(f) = ctx.string(child) {
                    tf.file = f;
                }
            }
            "weight" => {
                // track_file.c: "Weight already set for track file %s - ignoring %s".
                if !first_time(ctx, child, &mut weight_seen) {
                    continue;
                }
                if let Some((w, r)) = weight_stmt(ctx, child, -254, 254) {
                    tf.weight = w;
                    tf.weight_reverse = r;
                }
            }
            "init_file" => {
                seen.check(ctx, child);
                ctx.no_block(child);
                let mut init = TrackFileInit {
                    value: 0,
                    overwrite: false,
                };
                for w in &child.args {
                    if w.text == "overwrite" {
                        init.overwrite = true;
                    } else if let Some(v) = ctx.number::<i32>("init_file", w, -254, 254) {
                        init.value = v;
                    }
                }
                tf.init = Some(init);
            }
            _ => ctx.unknown(child, "track_file", TRACK_FILE_KEYWORDS),
        }
    }
    if file_seen.is_none() {
        // track_file.c: "No file set for track_file %s - ignoring".
        ctx.diags.error(
            name.span,
            format!("track_file `{}` has no `file`", name.text),
        );
        return;
    }
    if declared {
        cfg.vrrp.track_files.push(tf);
    }
}

/// A keyword keepalived takes only once in a tracked object's block ("... already set
/// ... - ignoring"): true the first time; an error pointing at both places after.
fn first_time(ctx: &mut Ctx, node: &Node, seen: &mut Option<Span>) -> bool {
    if let Some(first) = *seen {
        ctx.diags
            .error(
                node.name.span,
                format!("`{}` is given twice", node.keyword()),
            )
            .related(first, "first given here");
        return false;
    }
    *seen = Some(node.name.span);
    true
}

/// `weight W [reverse]` of a tracked object's own block.
fn weight_stmt(ctx: &mut Ctx, node: &Node, min: i32, max: i32) -> Option<(i32, bool)> {
    ctx.no_block(node);
    let w = ctx.arg(node, 0, "a weight")?;
    let weight = ctx.number::<i32>("weight", w, min, max)?;
    let mut reverse = false;
    if let Some(opt) = node.args.get(1) {
        if opt.text == "reverse" {
            reverse = true;
        } else {
            ctx.diags.error(
                opt.span,
                format!(
                    "`weight` takes only `reverse` after the number, not `{}`",
                    opt.text
                ),
            );
        }
    }
    ctx.at_most(node, 2);
    Some((weight, reverse))
}

const TRACK_PROCESS_KEYWORDS: &[&str] = &[
    "process",
    "param_match",
    "weight",
    "quorum",
    "quorum_max",
    "delay",
    "terminate_delay",
    "fork_delay",
    "full_command",
];

/// `vrrp_track_process NAME { ... }`.
pub(super) fn lower_track_process(node: &Node, ctx: &mut Ctx, cfg: &mut Config) {
    let Some(name) = block_name(node, ctx) else {
        return;
    };
    let declared = ctx.declare(Kind::TrackProcess, name);
    let Some(children) = ctx.need_block(node) else {
        return;
    };
    let mut tp = TrackProcess::new(name.text.clone(), String::new());
    let mut process_seen: Option<Span> = None;
    let mut weight_seen: Option<Span> = None;
    let mut quorum_seen: Option<(usize, Span)> = None;
    let mut quorum_max_seen: Option<(usize, Span)> = None;
    let mut seen = Seen::default();
    let (min_delay, max_delay) = (Timer(1), Timer::secs(3600));
    for (idx, child) in children.iter().enumerate() {
        match child.keyword() {
            "process" => {
                if let Some(first) = process_seen {
                    ctx.diags
                        .error(child.name.span, "`process` is given twice")
                        .related(first, "first given here");
                    continue;
                }
                process_seen = Some(child.name.span);
                ctx.no_block(child);
                let Some(p) = ctx.arg(child, 0, "a process name") else {
                    continue;
                };
                tp.process = p.text.clone();
                tp.params = child.args[1..].iter().map(|w| w.text.clone()).collect();
                if !tp.params.is_empty() {
                    if tp.param_match == ParamMatch::None {
                        tp.param_match = ParamMatch::Exact;
                    }
                    tp.full_command = true;
                }
            }
            "param_match" => {
                seen.check(ctx, child);
                ctx.no_block(child);
                ctx.at_most(child, 1);
                let m = match child.args.first() {
                    None => Some(ParamMatch::Exact),
                    Some(w) => match ctx.choice("param_match", w, &["initial", "partial"]) {
                        Some("initial") => Some(ParamMatch::Initial),
                        Some(_) => Some(ParamMatch::Partial),
                        None => None,
                    },
                };
                if let Some(m) = m {
                    tp.param_match = m;
                    tp.full_command = true;
                }
            }
            "weight" => {
                // vrrp_parser.c: "Weight already set for track process %s - ignoring".
                if !first_time(ctx, child, &mut weight_seen) {
                    continue;
                }
                if let Some((w, r)) = weight_stmt(ctx, child, -254, 254) {
                    tp.weight = w;
                    tp.weight_reverse = r;
                }
            }
            "quorum" => {
                seen.check(ctx, child);
                if let Some(q) = ctx.number_arg::<u32>(child, 1, 65535) {
                    tp.quorum = q;
                    quorum_seen = Some((idx, child.name.span));
                }
            }
            "quorum_max" => {
                seen.check(ctx, child);
                if let Some(q) = ctx.number_arg::<u32>(child, 0, 65535) {
                    tp.quorum_max = Some(q);
                    quorum_max_seen = Some((idx, child.name.span));
                }
            }
            "delay" | "terminate_delay" | "fork_delay" => {
                seen.check(ctx, child);
                if let Some(t) = ctx.timer_arg(child, min_delay, max_delay) {
                    if child.keyword() != "fork_delay" {
                        tp.terminate_delay = t;
                    }
                    if child.keyword() != "terminate_delay" {
                        tp.fork_delay = t;
                    }
                }
            }
            "full_command" => {
                ctx.bare_flag(child);
                tp.full_command = true;
            }
            _ => ctx.unknown(child, "vrrp_track_process", TRACK_PROCESS_KEYWORDS),
        }
    }
    // vrrp_parser.c: "Quorum is greater than quorum_max" / "quorum_max is less than
    // quorum" (whichever comes second is refused).
    if let (Some(max), Some((max_idx, max_span))) = (tp.quorum_max, quorum_max_seen) {
        if max == 0 {
            // quorum_max 0: the process must not run at all; keepalived sets quorum 0
            // and refuses a quorum above 1 given before it, or any quorum after it.
            if let Some((q_idx, q_span)) = quorum_seen {
                if tp.quorum > 1 || q_idx > max_idx {
                    ctx.diags
                        .error(q_span, "`quorum` cannot be used with `quorum_max 0`")
                        .related(max_span, "quorum_max 0 means the process must not run");
                }
            }
            tp.quorum = 0;
        } else if tp.quorum > max {
            let (later, earlier) = match quorum_seen {
                Some((q_idx, q_span)) if q_idx > max_idx => (q_span, max_span),
                Some((_, q_span)) => (max_span, q_span),
                None => (max_span, max_span),
            };
            ctx.diags
                .error(
                    later,
                    format!(
                        "`quorum` ({}) is greater than `quorum_max` ({max})",
                        tp.quorum
                    ),
                )
                .related(earlier, "the other limit is here");
        }
    }
    if process_seen.is_none() || tp.process.is_empty() {
        ctx.diags.error(
            name.span,
            format!("vrrp_track_process `{}` has no `process`", name.text),
        );
        return;
    }
    if declared {
        cfg.vrrp.track_processes.push(tp);
    }
}

/// `track_interface { IFNAME [weight W [reverse]] ... }` (vrrp_track.c `alloc_track_if`).
pub(super) fn track_interfaces(
    ctx: &mut Ctx,
    node: &Node,
    instance: Option<&str>,
    out: &mut Vec<TrackInterface>,
) {
    let Some(children) = ctx.need_block(node) else {
        return;
    };
    ctx.no_args(node);
    let mut seen: HashMap<String, Span> = HashMap::new();
    for line in children {
        let name = &line.name;
        // Also across several track_interface blocks (vrrp_track.c checks the list).
        if out.iter().any(|t| t.interface == name.text) {
            let d = ctx.diags.error(
                name.span,
                format!("interface `{}` is tracked twice", name.text),
            );
            if let Some(first) = seen.get(&name.text) {
                d.related(*first, "first tracked here");
            }
            continue;
        }
        seen.insert(name.text.clone(), name.span);
        remember_entry(ctx, instance, node, name);
        if let Some((weight, reverse)) = entry_weight(ctx, line, -253, 253, false) {
            out.push(TrackInterface {
                interface: name.text.clone(),
                weight: weight.unwrap_or(0),
                reverse: reverse.unwrap_or(false),
            });
        }
    }
}

/// `track_script` / `track_file` / `track_process` / `track_bfd` blocks:
/// `NAME [weight W [reverse|noreverse]]` lines naming objects of `kind`.
pub(super) fn track_refs(
    ctx: &mut Ctx,
    node: &Node,
    kind: Kind,
    (min, max): (i32, i32),
    instance: Option<&str>,
    out: &mut Vec<TrackRef>,
) {
    let Some(children) = ctx.need_block(node) else {
        return;
    };
    ctx.no_args(node);
    let mut seen: HashMap<String, Span> = HashMap::new();
    for line in children {
        let name = &line.name;
        if out.iter().any(|t| t.name == name.text) {
            // vrrp_track.c: "duplicate track_script %s - ignoring" (also across blocks).
            let d = ctx.diags.error(
                name.span,
                format!("`{}` names `{}` twice", node.keyword(), name.text),
            );
            if let Some(first) = seen.get(&name.text) {
                d.related(*first, "first named here");
            }
            continue;
        }
        seen.insert(name.text.clone(), name.span);
        ctx.reference_ordered(kind, name, node.keyword());
        remember_entry(ctx, instance, node, name);
        if let Some((weight, reverse)) = entry_weight(ctx, line, min, max, true) {
            out.push(TrackRef {
                name: name.text.clone(),
                weight,
                reverse,
            });
        }
    }
}

/// The `weight W [reverse|noreverse]` part of a track line. `noreverse` is accepted
/// only where keepalived accepts it (not in `track_interface`; and keepalived.conf(5)'s
/// `no_reverse` is not a keyword keepalived knows).
fn entry_weight(
    ctx: &mut Ctx,
    line: &Node,
    min: i32,
    max: i32,
    noreverse: bool,
) -> Option<(Option<i32>, Option<bool>)> {
    if let Some(b) = &line.block {
        ctx.diags.error(b.open, "a block is not expected here");
    }
    let args: &[Word] = &line.args;
    let Some(kw) = args.first() else {
        return Some((None, None));
    };
    if kw.text != "weight" {
        ctx.diags.error(
            kw.span,
            format!("`{}`: expected `weight`, not `{}`", line.name.text, kw.text),
        );
        return None;
    }
    let Some(value) = args.get(1) else {
        ctx.diags.error(
            kw.span,
            format!("`{}`: `weight` needs a value", line.name.text),
        );
        return None;
    };
    let weight = ctx.number::<i32>("weight", value, min, max)?;
    let mut reverse = None;
    if let Some(opt) = args.get(2) {
        match opt.text.as_str() {
            "reverse" => reverse = Some(true),
            "noreverse" if noreverse => reverse = Some(false),
            _ => {
                let choices = if noreverse {
                    "`reverse` or `noreverse`"
                } else {
                    "`reverse`"
                };
                let d = ctx.diags.error(
                    opt.span,
                    format!(
                        "after the weight only {choices} may follow, not `{}`",
                        opt.text
                    ),
                );
                if opt.text == "no_reverse" && noreverse {
                    d.help("keepalived.conf(5) writes `no_reverse`, but keepalived only knows `noreverse`");
                }
                return None;
            }
        }
    }
    if let Some(extra) = args.get(3) {
        ctx.diags
            .error(extra.span, format!("`{}` is one word too many", extra.text));
    }
    Some((Some(weight), reverse))
}

/// Remembers where an instance's track entry stands, for the weight checks of
/// crate::semantic::vrrp.
fn remember_entry(ctx: &mut Ctx, instance: Option<&str>, block: &Node, name: &Word) {
    if let Some(i) = instance {
        ctx.remember(entry_key(i, block.keyword(), &name.text), name.span);
    }
}

/// The place key of instance `instance`'s entry `name` in its `block` (`track_script`).
pub(crate) fn entry_key(instance: &str, block: &str, name: &str) -> String {
    super::instance::place_key(instance, &format!("{block}\u{0}{name}"))
}
