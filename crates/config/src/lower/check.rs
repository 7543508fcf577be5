//! Checker blocks inside `real_server` (keepalived.conf(5), the `CHECKER_TYPE` blocks;
//! keepalived/check/check_api.c for the options every checker shares). One file per
//! checker kind under `check/`.

mod bfd;
mod dns;
mod file;
mod http;
mod misc;
mod smtp;
mod udp;

#[cfg(test)]
mod tests;

use crate::lower::ctx::Ctx;
use crate::model::check::{CheckOptions, Checker, Connection, PingCheck, TcpCheck, Timing};
use crate::model::common::Timer;
use crate::tree::Node;
use std::net::IpAddr;

/// Checker block keywords.
pub const CHECKER_KEYWORDS: &[&str] = &[
    "TCP_CHECK",
    "HTTP_GET",
    "SSL_GET",
    "SMTP_CHECK",
    "MISC_CHECK",
    "DNS_CHECK",
    "UDP_CHECK",
    "PING_CHECK",
    "FILE_CHECK",
    "BFD_CHECK",
];

/// Connection keywords (check_api.c, install_checker_common_keywords(true)).
pub(crate) const CONNECTION_KEYWORDS: &[&str] = &[
    "connect_ip",
    "connect_port",
    "bindto",
    "bind_port",
    "bind_if",
    "connect_timeout",
    "fwmark",
];

/// Scheduling keywords every checker but FILE_CHECK and BFD_CHECK has.
pub(crate) const TIMING_KEYWORDS: &[&str] = &[
    "retry",
    "delay_before_retry",
    "warmup",
    "delay_loop",
    "alpha",
    "log_all_failures",
];

/// The largest timer keepalived accepts where it sets no bound.
const TIMER_MAX: Timer = Timer(u64::MAX);

/// Lowers a checker block (`node.keyword()` is one of [`CHECKER_KEYWORDS`]).
pub fn checker(node: &Node, ctx: &mut Ctx) -> Option<Checker> {
    ctx.no_args(node);
    let children = ctx.need_block(node)?;
    match node.keyword() {
        "TCP_CHECK" => {
            let options = plain(children, ctx, "TCP_CHECK")?;
            Some(Checker::Tcp(TcpCheck { options }))
        }
        "PING_CHECK" => {
            let options = plain(children, ctx, "PING_CHECK")?;
            Some(Checker::Ping(PingCheck { options }))
        }
        "HTTP_GET" => http::lower(node, children, ctx).map(Checker::Http),
        "SSL_GET" => http::lower(node, children, ctx).map(Checker::Ssl),
        "SMTP_CHECK" => smtp::lower(children, ctx).map(Checker::Smtp),
        "MISC_CHECK" => misc::lower(node, children, ctx).map(Checker::Misc),
        "DNS_CHECK" => dns::lower(children, ctx).map(Checker::Dns),
        "UDP_CHECK" => udp::lower(children, ctx).map(Checker::Udp),
        "FILE_CHECK" => file::lower(node, children, ctx).map(Checker::File),
        "BFD_CHECK" => bfd::lower(node, children, ctx).map(Checker::Bfd),
        _ => {
            ctx.unknown(node, "real_server", CHECKER_KEYWORDS);
            None
        }
    }
}

/// TCP_CHECK and PING_CHECK: common options only.
fn plain(children: &[Node], ctx: &mut Ctx, section: &str) -> Option<CheckOptions> {
    let mut opts = CheckOptions::default();
    for child in children {
        if !common(child, ctx, &mut opts) {
            let known: Vec<&str> = CONNECTION_KEYWORDS
                .iter()
                .chain(TIMING_KEYWORDS)
                .copied()
                .collect();
            ctx.unknown(child, section, &known);
        }
    }
    check_connection(&opts.connection, children, ctx);
    Some(opts)
}

/// A connection or scheduling keyword; false when `node` is neither.
pub(crate) fn common(node: &Node, ctx: &mut Ctx, opts: &mut CheckOptions) -> bool {
    connection(node, ctx, &mut opts.connection) || timing(node, ctx, &mut opts.timing)
}

/// A connection keyword (check_api.c); false when `node` is not one.
pub(crate) fn connection(node: &Node, ctx: &mut Ctx, c: &mut Connection) -> bool {
    match node.keyword() {
        "connect_ip" => {
            if let Some(ip) = ctx.ip_arg(node) {
                // check_api.c co_ip_handler: the family must match `bindto`.
                if let Some(b) = c.bindto {
                    if b.is_ipv4() != ip.is_ipv4() {
                        family_mismatch(node, ctx, "connect_ip", "bindto");
                        return true;
                    }
                }
                c.connect_ip = Some(ip);
            }
        }
        "connect_port" => {
            if let Some(p) = ctx.number_arg::<u16>(node, 1, 65535) {
                c.connect_port = Some(p);
            }
        }
        "bindto" => {
            if let Some(ip) = ctx.ip_arg(node) {
                if let Some(d) = c.connect_ip {
                    if d.is_ipv4() != ip.is_ipv4() {
                        family_mismatch(node, ctx, "bindto", "connect_ip");
                        return true;
                    }
                }
                c.bindto = Some(ip);
            }
        }
        "bind_port" => {
            if let Some(p) = ctx.number_arg::<u16>(node, 1, 65535) {
                c.bind_port = Some(p);
            }
        }
        "bind_if" => {
            if let Some(name) = ctx.string(node) {
                // IFNAMSIZ - 1 (check_api.c co_srcif_handler).
                if name.chars().count() > 15 || name.is_empty() {
                    if let Some(w) = node.args.first() {
                        ctx.diags.error(
                            w.span,
                            format!("`bind_if`: `{name}` is not a valid interface name (1 to 15 characters)"),
                        );
                    }
                } else {
                    c.bind_if = Some(name);
                }
            }
        }
        "connect_timeout" => {
            // read_timer(.., 1, UINT_MAX): 1 µs to 4294.967295 s.
            if let Some(t) = ctx.timer_arg(node, Timer(1), Timer(u64::from(u32::MAX))) {
                c.connect_timeout = Some(t);
            }
        }
        "fwmark" => {
            if let Some(m) = ctx.number_arg::<u32>(node, 0, u32::MAX) {
                c.fwmark = Some(m);
            }
        }
        _ => return false,
    }
    true
}

fn family_mismatch(node: &Node, ctx: &mut Ctx, kw: &str, other: &str) {
    let span = node.args.first().map(|w| w.span).unwrap_or(node.name.span);
    ctx.diags.error(
        span,
        format!("`{kw}` is not of the same address family as `{other}`"),
    );
}

/// A scheduling keyword (check_api.c); false when `node` is not one.
pub(crate) fn timing(node: &Node, ctx: &mut Ctx, t: &mut Timing) -> bool {
    match node.keyword() {
        "retry" => {
            if let Some(v) = ctx.number_arg::<u32>(node, 0, u32::MAX) {
                t.retry = Some(v);
            }
        }
        "delay_before_retry" => {
            if let Some(v) = ctx.timer_arg(node, Timer(0), TIMER_MAX) {
                t.delay_before_retry = Some(v);
            }
        }
        "warmup" => {
            if let Some(v) = ctx.timer_arg(node, Timer(0), TIMER_MAX) {
                t.warmup = Some(v);
            }
        }
        "delay_loop" => {
            if let Some(v) = ctx.timer_arg(node, Timer(1), TIMER_MAX) {
                t.delay_loop = Some(v);
            }
        }
        "alpha" => {
            if let Some(v) = ctx.flag(node) {
                t.alpha = Some(v);
            }
        }
        "log_all_failures" => {
            if let Some(v) = ctx.flag(node) {
                t.log_all_failures = v;
            }
        }
        _ => return false,
    }
    true
}

/// check_api.c check_conn_opts: an IPv6 link-local `connect_ip` needs `bind_if`.
pub(crate) fn check_connection(c: &Connection, children: &[Node], ctx: &mut Ctx) {
    if let Some(IpAddr::V6(v6)) = c.connect_ip {
        if (v6.segments()[0] & 0xffc0) == 0xfe80 && c.bind_if.is_none() {
            let span = children
                .iter()
                .rev()
                .find(|n| n.keyword() == "connect_ip")
                .and_then(|n| n.args.first())
                .map(|w| w.span);
            if let Some(span) = span {
                ctx.diags
                    .error(
                        span,
                        format!("link-local `connect_ip` {v6} needs `bind_if`"),
                    )
                    .help("a link-local address is only meaningful with an interface");
            }
        }
    }
}

/// A keyword whose handler in keepalived ignores its arguments (`regex_no_match`,
/// `misc_dynamic`, `passive`, `vrrp`, `checker`): always on. An argument is an error,
/// since `passive off` would still turn the option on in keepalived.
pub(crate) fn bare_flag(node: &Node, ctx: &mut Ctx) -> bool {
    ctx.bare_flag(node);
    true
}

/// A string value that keepalived reads with `set_value()`: all the words after the
/// keyword, joined by single spaces (`path`, `virtualhost`, `helo_name`).
pub(crate) fn joined(node: &Node, ctx: &mut Ctx) -> Option<String> {
    ctx.no_block(node);
    ctx.arg(node, 0, "a value")?;
    let words: Vec<&str> = node.args.iter().map(|w| w.text.as_str()).collect();
    Some(words.join(" "))
}

/// All keywords a connection-based checker shares, for "did you mean".
pub(crate) fn known_with(extra: &[&'static str]) -> Vec<&'static str> {
    CONNECTION_KEYWORDS
        .iter()
        .chain(TIMING_KEYWORDS)
        .chain(extra)
        .copied()
        .collect()
}
