//! `vrrp_script NAME { ... }` (keepalived.conf(5), "VRRP script(s)"; vrrp_parser.c).

use super::{block_name, Seen};
use crate::lower::ctx::{Ctx, Kind};
use crate::model::common::{Script, Timer};
use crate::model::vrrp::VrrpScript;
use crate::model::Config;
use crate::tree::Node;

const KEYWORDS: &[&str] = &[
    "script",
    "interval",
    "timeout",
    "weight",
    "rise",
    "fall",
    "user",
    "init_fail",
];

/// The largest interval/timeout keepalived accepts: `UINT_MAX / TIMER_HZ` seconds.
const MAX_SECS: u64 = u32::MAX as u64 / 1_000_000;

/// Lowers a `vrrp_script` block.
pub(super) fn lower(node: &Node, ctx: &mut Ctx, cfg: &mut Config) {
    let Some(name) = block_name(node, ctx) else {
        return;
    };
    let declared = ctx.declare(Kind::VrrpScript, name);
    let Some(children) = ctx.need_block(node) else {
        return;
    };
    let mut vs = VrrpScript::new(
        name.text.clone(),
        Script {
            command: String::new(),
            user: None,
            group: None,
        },
    );
    let mut seen = Seen::default();
    for child in children {
        match child.keyword() {
            "script" => {
                seen.check(ctx, child);
                ctx.script_seen(child.name.span);
                script_command(ctx, child, &mut vs.script);
            }
            "interval" => {
                seen.check(ctx, child);
                // vrrp_parser.c: "vrrp script interval must be greater than 0".
                if let Some(s) = ctx.number_arg::<u64>(child, 1, MAX_SECS) {
                    vs.interval = Timer::secs(s);
                }
            }
            "timeout" => {
                seen.check(ctx, child);
                if let Some(s) = ctx.number_arg::<u64>(child, 1, MAX_SECS) {
                    vs.timeout = Some(Timer::secs(s));
                }
            }
            "weight" => {
                seen.check(ctx, child);
                ctx.no_block(child);
                let Some(w) = ctx.arg(child, 0, "a weight") else {
                    continue;
                };
                if let Some(v) = ctx.number::<i32>("weight", w, -253, 253) {
                    vs.weight = v;
                }
                vs.weight_reverse = false;
                if let Some(opt) = child.args.get(1) {
                    if opt.text == "reverse" {
                        vs.weight_reverse = true;
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
                ctx.at_most(child, 2);
            }
            "rise" => {
                seen.check(ctx, child);
                if let Some(v) = ctx.number_arg::<u32>(child, 1, i32::MAX as u32) {
                    vs.rise = v;
                }
            }
            "fall" => {
                seen.check(ctx, child);
                if let Some(v) = ctx.number_arg::<u32>(child, 1, i32::MAX as u32) {
                    vs.fall = v;
                }
            }
            "user" => {
                seen.check(ctx, child);
                ctx.no_block(child);
                if let Some(u) = ctx.arg(child, 0, "a user name") {
                    vs.script.user = Some(u.text.clone());
                    vs.script.group = child.args.get(1).map(|w| w.text.clone());
                }
                ctx.at_most(child, 2);
            }
            "init_fail" => {
                ctx.bare_flag(child);
                vs.init_fail = true;
            }
            _ => ctx.unknown(child, "vrrp_script", KEYWORDS),
        }
    }
    if vs.script.command.is_empty() {
        // vrrp_parser.c: "No script set for vrrp_script %s - removing".
        ctx.diags.error(
            name.span,
            format!("vrrp_script `{}` has no `script`", name.text),
        );
        return;
    }
    if declared {
        cfg.vrrp.scripts.push(vs);
    }
}

/// `script COMMAND`: keepalived splits the raw line again (`Ctx::script_words`: single
/// and double quotes group, escapes resolved; `script '/bin/check a'` has the command
/// `/bin/check a`), uses the first word after the keyword only (split into argv at run
/// time) and silently drops the rest (`script /bin/check a b` runs `/bin/check` alone;
/// keepalived 2.2.7 observed), so further words draw a warning here.
fn script_command(ctx: &mut Ctx, node: &Node, script: &mut Script) {
    ctx.no_block(node);
    if ctx.arg(node, 0, "a script").is_none() {
        return;
    }
    let Some(words) = ctx.script_words(node) else {
        return;
    };
    let Some(cmd) = words.first() else {
        return;
    };
    if cmd.text.trim().is_empty() {
        ctx.diags.error(cmd.span, "`script`: the script is empty");
        return;
    }
    script.command = cmd.text.clone();
    if let Some(w) = words.get(1) {
        ctx.diags
            .warning(
                w.span,
                format!("`script` uses only its first word; `{}` and what follows are ignored", w.text),
            )
            .help("quote the whole command to pass arguments: `script \"/path/check arg\"`; set the user with `user`");
    }
}
