//! `DNS_CHECK` (keepalived.conf(5); keepalived/check/check_dns.c).

use super::{check_connection, common, known_with};
use crate::lower::ctx::Ctx;
use crate::model::check::{DnsCheck, DnsType};
use crate::tree::Node;

pub(super) fn lower(children: &[Node], ctx: &mut Ctx) -> Option<DnsCheck> {
    let mut c = DnsCheck::default();
    let mut name_given = false;
    for child in children {
        if common(child, ctx, &mut c.options) {
            continue;
        }
        match child.keyword() {
            "type" => {
                ctx.no_block(child);
                if let Some(w) = ctx.arg(child, 0, "a query type") {
                    // dns_type_lookup() compares without case.
                    match DnsType::ALL
                        .iter()
                        .find(|(_, n)| n.eq_ignore_ascii_case(&w.text))
                    {
                        Some((t, _)) => c.query_type = *t,
                        None => {
                            let names: Vec<&str> = DnsType::ALL.iter().map(|(_, n)| *n).collect();
                            ctx.choice("type", w, &names);
                        }
                    }
                }
                ctx.at_most(child, 1);
            }
            "name" => {
                let Some(v) = ctx.string(child) else { continue };
                let Some(w) = child.args.first() else {
                    continue;
                };
                if name_given {
                    ctx.diags.error(w.span, "DNS_CHECK `name` is given twice");
                } else if has_empty_label(&v) {
                    ctx.diags
                        .error(w.span, format!("DNS_CHECK `name` `{v}` has an empty label"));
                } else {
                    c.name = v;
                    name_given = true;
                }
            }
            _ => ctx.unknown(child, "DNS_CHECK", &known_with(&["type", "name"])),
        }
    }
    check_connection(&c.options.connection, children, ctx);
    Some(c)
}

/// check_dns.c dns_name_handler: `.` alone is the root; otherwise no label may be empty
/// (a leading dot or two dots in a row). A trailing dot is allowed.
fn has_empty_label(name: &str) -> bool {
    if name == "." {
        return false;
    }
    name.is_empty() || name.starts_with('.') || name.contains("..")
}
