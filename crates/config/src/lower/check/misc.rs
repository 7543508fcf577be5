//! `MISC_CHECK` (keepalived.conf(5); keepalived/check/check_misc.c).

use super::{timing, TIMING_KEYWORDS};
use crate::lower::ctx::Ctx;
use crate::model::check::{MiscCheck, Timing};
use crate::model::common::Script;
use crate::tree::Node;

const MISC_KEYWORDS: &[&str] = &["misc_path", "misc_timeout", "misc_dynamic", "user"];

pub(super) fn lower(node: &Node, children: &[Node], ctx: &mut Ctx) -> Option<MiscCheck> {
    let mut t = Timing::default();
    let mut script = None;
    let mut user: Option<(String, Option<String>)> = None;
    let mut timeout = None;
    let mut dynamic = false;
    for child in children {
        if timing(child, ctx, &mut t) {
            continue;
        }
        match child.keyword() {
            // check_misc.c misc_path_handler: keepalived splits the raw line again
            // (`Ctx::script_words`: single and double quotes group, escapes resolved)
            // and takes the word after the keyword as the command, split into argv
            // when run; further words are ignored (keepalived 2.2.7 observed:
            // `misc_path /bin/x a` runs `/bin/x` alone). No user or group here; see
            // `user`.
            "misc_path" => {
                ctx.no_block(child);
                if ctx.arg(child, 0, "a program").is_none() {
                    continue;
                }
                let Some(words) = ctx.script_words(child) else {
                    continue;
                };
                let Some(cmd) = words.first() else {
                    continue;
                };
                if cmd.text.trim().is_empty() {
                    ctx.diags
                        .error(cmd.span, "`misc_path`: the program is empty");
                    continue;
                }
                if let Some(w) = words.get(1) {
                    ctx.diags
                        .warning(
                            w.span,
                            format!(
                                "`misc_path` uses only its first word; `{}` and what follows are ignored",
                                w.text
                            ),
                        )
                        .help("quote the whole command to pass arguments: `misc_path \"/path/check arg\"`");
                }
                ctx.script_seen(child.name.span);
                script = Some(Script {
                    command: cmd.text.clone(),
                    user: None,
                    group: None,
                });
            }
            // check_misc.c misc_timeout_handler: 0 to UINT_MAX / TIMER_HZ seconds.
            "misc_timeout" => {
                if let Some(v) = ctx.number_arg::<u32>(child, 0, 4294) {
                    timeout = Some(v);
                }
            }
            "misc_dynamic" => dynamic = super::bare_flag(child, ctx),
            "user" => {
                ctx.no_block(child);
                if let Some(u) = ctx.arg(child, 0, "a user name") {
                    let g = child.args.get(1).map(|w| w.text.clone());
                    user = Some((u.text.clone(), g));
                }
                ctx.at_most(child, 2);
            }
            _ => {
                let known: Vec<&str> = TIMING_KEYWORDS
                    .iter()
                    .chain(MISC_KEYWORDS)
                    .copied()
                    .collect();
                ctx.unknown(child, "MISC_CHECK", &known);
            }
        }
    }
    let Some(mut script) = script else {
        ctx.diags
            .error(node.name.span, "`MISC_CHECK` needs a `misc_path`");
        return None;
    };
    if let Some((u, g)) = user {
        script.user = Some(u);
        script.group = g;
    }
    Some(MiscCheck {
        timing: t,
        script,
        timeout,
        dynamic,
    })
}
