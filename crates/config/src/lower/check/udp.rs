//! `UDP_CHECK` (keepalived.conf(5); keepalived/check/check_udp.c).

use super::{check_connection, common, known_with};
use crate::lower::ctx::Ctx;
use crate::model::check::{ReplyPattern, UdpCheck};
use crate::tree::Node;

const UDP_KEYWORDS: &[&str] = &[
    "payload",
    "require_reply",
    "min_reply_length",
    "max_reply_length",
];

pub(super) fn lower(children: &[Node], ctx: &mut Ctx) -> Option<UdpCheck> {
    let mut c = UdpCheck::default();
    let mut max_node = None;
    for child in children {
        if common(child, ctx, &mut c.options) {
            continue;
        }
        match child.keyword() {
            "payload" => {
                ctx.no_block(child);
                if child.args.is_empty() {
                    ctx.diags
                        .error(child.span(), "`payload` needs a hexadecimal string");
                    continue;
                }
                match hex(child, false) {
                    Some(p) => c.payload = Some(p.data),
                    None => bad_hex(child, ctx),
                }
            }
            "require_reply" => {
                ctx.no_block(child);
                c.require_reply = true;
                if child.args.is_empty() {
                    continue;
                }
                match hex(child, true) {
                    Some(p) => c.reply = Some(p),
                    None => bad_hex(child, ctx),
                }
            }
            "min_reply_length" => {
                if let Some(v) = ctx.number_arg::<u16>(child, 0, u16::MAX) {
                    c.min_reply_length = v;
                }
            }
            "max_reply_length" => {
                if let Some(v) = ctx.number_arg::<u16>(child, 0, u16::MAX) {
                    c.max_reply_length = v;
                    max_node = Some(child.name.span);
                }
            }
            _ => ctx.unknown(child, "UDP_CHECK", &known_with(UDP_KEYWORDS)),
        }
    }
    if c.min_reply_length > c.max_reply_length {
        // check_udp.c udp_check_end_handler: "will always fail".
        let span = max_node.or_else(|| {
            children
                .iter()
                .find(|n| n.keyword() == "min_reply_length")
                .map(|n| n.name.span)
        });
        if let Some(span) = span {
            ctx.diags.error(
                span,
                format!(
                    "`min_reply_length` {} exceeds `max_reply_length` {}; the check would always fail",
                    c.min_reply_length, c.max_reply_length
                ),
            );
        }
    }
    check_connection(&c.options.connection, children, ctx);
    Some(c)
}

fn bad_hex(node: &Node, ctx: &mut Ctx) {
    let what = if node.keyword() == "require_reply" {
        "hexadecimal digits (or x for an ignored digit)"
    } else {
        "hexadecimal digits"
    };
    ctx.diags.error(
        node.args.first().map(|w| w.span).unwrap_or(node.name.span),
        format!("`{}` must be {what}", node.keyword()),
    );
}

/// keepalived's free-form hex string (keepalived.conf(5), UDP_CHECK): each
/// space-separated group is read two digits to a byte, a last odd digit is a byte of
/// its own; with `masks`, `x` or `X` is a digit whose bits are ignored.
fn hex(node: &Node, masks: bool) -> Option<ReplyPattern> {
    let mut data = Vec::new();
    let mut mask = Vec::new();
    for w in &node.args {
        for group in w.text.split_whitespace() {
            let chars: Vec<char> = group.chars().collect();
            for pair in chars.chunks(2) {
                let mut d = 0u8;
                let mut m = 0u8;
                for c in pair {
                    let (v, mk) = match c {
                        'x' | 'X' if masks => (0, 0xf),
                        c => (c.to_digit(16)? as u8, 0),
                    };
                    d = (d << 4) | v;
                    m = (m << 4) | mk;
                }
                data.push(d);
                mask.push(m);
            }
        }
    }
    if data.is_empty() {
        return None;
    }
    Some(ReplyPattern { data, mask })
}
