//! `SMTP_CHECK` (keepalived.conf(5); keepalived/check/check_smtp.c).

use super::{check_connection, common, connection, known_with, timing};
use crate::lower::ctx::Ctx;
use crate::model::check::SmtpCheck;
use crate::tree::Node;

pub(super) fn lower(children: &[Node], ctx: &mut Ctx) -> Option<SmtpCheck> {
    let mut c = SmtpCheck::default();
    for child in children {
        if common(child, ctx, &mut c.options) {
            continue;
        }
        match child.keyword() {
            "helo_name" => {
                if let Some(v) = super::joined(child, ctx) {
                    c.helo_name = v;
                }
            }
            "host" => {
                ctx.no_args(child);
                ctx.diags
                    .warning(
                        child.name.span,
                        "the `host` block of SMTP_CHECK is deprecated",
                    )
                    .help("define one SMTP_CHECK per host instead");
                let Some(kids) = ctx.need_block(child) else {
                    continue;
                };
                // check_smtp.c smtp_host_handler: a host starts as a copy of the
                // connection options given so far; the scheduling options inside it
                // belong to the whole checker.
                let mut conn = c.options.connection.clone();
                for k in kids {
                    if !connection(k, ctx, &mut conn) && !timing(k, ctx, &mut c.options.timing) {
                        ctx.unknown(k, "host", &known_with(&[]));
                    }
                }
                check_connection(&conn, kids, ctx);
                c.hosts.push(conn);
            }
            _ => ctx.unknown(child, "SMTP_CHECK", &known_with(&["helo_name", "host"])),
        }
    }
    check_connection(&c.options.connection, children, ctx);
    Some(c)
}
