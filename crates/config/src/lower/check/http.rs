//! `HTTP_GET` and `SSL_GET` (keepalived.conf(5); keepalived/check/check_http.c).

use super::{check_connection, common, known_with};
use crate::lower::ctx::Ctx;
use crate::model::check::{
    HttpCheck, HttpProtocol, Regex, StatusRange, Url, DEFAULT_STATUS_CODES, REGEX_OPTIONS,
};
use crate::source::Span;
use crate::tree::Node;

const HTTP_KEYWORDS: &[&str] = &[
    "nb_get_retry",
    "virtualhost",
    "http_protocol",
    "enable_sni",
    "fast_recovery",
    "url",
];

const URL_KEYWORDS: &[&str] = &[
    "path",
    "digest",
    "status_code",
    "virtualhost",
    "regex",
    "regex_no_match",
    "regex_options",
    "regex_min_offset",
    "regex_max_offset",
    "regex_stack",
];

/// HTTP status codes keepalived accepts (check_http.h HTTP_STATUS_CODE_MIN/MAX).
const STATUS_MIN: u16 = 100;
const STATUS_MAX: u16 = 599;

pub(super) fn lower(node: &Node, children: &[Node], ctx: &mut Ctx) -> Option<HttpCheck> {
    let section = node.keyword().to_string();
    let mut c = HttpCheck::default();
    for child in children {
        if common(child, ctx, &mut c.options) {
            continue;
        }
        match child.keyword() {
            "nb_get_retry" => {
                ctx.diags
                    .warning(child.name.span, "`nb_get_retry` is deprecated")
                    .help("use `retry`");
                if let Some(v) = ctx.number_arg::<u32>(child, 0, u32::MAX) {
                    c.options.timing.retry = Some(v);
                }
            }
            "virtualhost" => {
                if let Some(v) = super::joined(child, ctx) {
                    c.virtualhost = Some(v);
                }
            }
            "http_protocol" => {
                ctx.no_block(child);
                if let Some(w) = ctx.arg(child, 0, "a protocol version") {
                    // check_http.c http_protocol_handler also accepts `1.0c`.
                    match w.text.as_str() {
                        "1.0" => c.http_protocol = HttpProtocol::V1_0,
                        "1.1" => c.http_protocol = HttpProtocol::V1_1,
                        "1.0C" | "1.0c" => c.http_protocol = HttpProtocol::V1_0C,
                        _ => {
                            ctx.choice("http_protocol", w, &["1.0", "1.0C", "1.1"]);
                        }
                    }
                }
                ctx.at_most(child, 1);
            }
            "enable_sni" => {
                if let Some(v) = ctx.flag(child) {
                    c.enable_sni = v;
                }
            }
            "fast_recovery" => {
                if let Some(v) = ctx.flag(child) {
                    c.fast_recovery = v;
                }
            }
            "url" => {
                ctx.no_args(child);
                if let Some(kids) = ctx.need_block(child) {
                    if let Some(u) = url(child, kids, ctx) {
                        c.urls.push(u);
                    }
                }
            }
            _ => ctx.unknown(child, &section, &known_with(HTTP_KEYWORDS)),
        }
    }
    if c.urls.is_empty() {
        // keepalived drops such a checker ("has no urls specified"), and 2.2.7 crashes
        // on it under `-t`.
        ctx.diags.error(
            node.name.span,
            format!("`{section}` needs at least one `url` block with a `path`"),
        );
        return None;
    }
    check_connection(&c.options.connection, children, ctx);
    Some(c)
}

/// Regex settings seen in a url block, checked once the block ends.
#[derive(Default)]
struct RegexParts {
    pattern: Option<String>,
    no_match: bool,
    options: Vec<String>,
    min_offset: Option<(u64, Span)>,
    max_offset: Option<(u64, Span)>,
    stack: Option<(u64, u64)>,
    first_param: Option<Span>,
}

fn url(node: &Node, children: &[Node], ctx: &mut Ctx) -> Option<Url> {
    let mut path = None;
    let mut digest: Option<String> = None;
    let mut codes = vec![false; usize::from(STATUS_MAX - STATUS_MIN) + 1];
    let mut any_code = false;
    let mut virtualhost = None;
    let mut rx = RegexParts::default();
    for child in children {
        match child.keyword() {
            "path" => path = super::joined(child, ctx).or(path),
            "digest" => {
                let Some(v) = ctx.string(child) else { continue };
                let Some(w) = child.args.first() else {
                    continue;
                };
                if digest.is_some() {
                    ctx.diags
                        .error(w.span, "`digest` is given twice in this url");
                } else if v.len() != 32 || !v.chars().all(|c| c.is_ascii_hexdigit()) {
                    ctx.diags.error(
                        w.span,
                        format!("`digest` must be 32 hexadecimal digits (an MD5 sum), not `{v}`"),
                    );
                } else {
                    digest = Some(v.to_ascii_lowercase());
                }
            }
            "status_code" => {
                ctx.no_block(child);
                for w in &child.args {
                    match parse_status(&w.text) {
                        Some((a, b)) => {
                            any_code = true;
                            for code in a..=b {
                                codes[usize::from(code - STATUS_MIN)] = true;
                            }
                        }
                        None => {
                            ctx.diags.error(
                                w.span,
                                format!(
                                    "`status_code` must be a code or a range CODE-CODE from {STATUS_MIN} to {STATUS_MAX}, not `{}`",
                                    w.text
                                ),
                            );
                        }
                    }
                }
            }
            "virtualhost" => virtualhost = super::joined(child, ctx).or(virtualhost),
            "regex" => rx.pattern = regex_pattern(child, ctx).or(rx.pattern.take()),
            "regex_no_match" => {
                rx.first_param.get_or_insert(child.name.span);
                rx.no_match = super::bare_flag(child, ctx);
            }
            "regex_options" => {
                rx.first_param.get_or_insert(child.name.span);
                ctx.no_block(child);
                for w in &child.args {
                    if REGEX_OPTIONS.contains(&w.text.as_str()) {
                        if !rx.options.contains(&w.text) {
                            rx.options.push(w.text.clone());
                        }
                    } else {
                        // keepalived ignores unknown options without a word.
                        let d = ctx.diags.warning(
                            w.span,
                            format!("unknown `regex_options` option `{}`; ignored", w.text),
                        );
                        if let Some(s) =
                            crate::lower::ctx::suggest(&w.text, REGEX_OPTIONS.iter().copied())
                        {
                            d.help(format!("did you mean `{s}`?"));
                        }
                    }
                }
            }
            "regex_min_offset" | "regex_max_offset" => {
                rx.first_param.get_or_insert(child.name.span);
                if let Some(v) = ctx.number_arg::<u64>(child, 0, u64::MAX - 1) {
                    let span = child.name.span;
                    if child.keyword() == "regex_min_offset" {
                        rx.min_offset = Some((v, span));
                    } else {
                        rx.max_offset = Some((v, span));
                    }
                }
            }
            "regex_stack" => {
                rx.first_param.get_or_insert(child.name.span);
                ctx.no_block(child);
                let a = ctx.arg(child, 0, "a start and a maximum size").cloned();
                let b = ctx.arg(child, 1, "a start and a maximum size").cloned();
                ctx.at_most(child, 2);
                if let (Some(a), Some(b)) = (a, b) {
                    let start = ctx.number::<u64>("regex_stack", &a, 0, u64::MAX);
                    let max = ctx.number::<u64>("regex_stack", &b, 0, u64::MAX);
                    if let (Some(s), Some(m)) = (start, max) {
                        if s > m {
                            ctx.diags.error(
                                a.span,
                                "`regex_stack`: the start size cannot exceed the maximum",
                            );
                        } else {
                            rx.stack = Some((s, m));
                        }
                    }
                }
            }
            _ => ctx.unknown(child, "url", URL_KEYWORDS),
        }
    }
    let Some(path) = path else {
        ctx.diags.error(node.name.span, "`url` needs a `path`");
        return None;
    };
    let regex = finish_regex(rx, ctx);
    let mut status_codes = ranges(&codes);
    if !any_code {
        status_codes = DEFAULT_STATUS_CODES.to_vec();
    }
    Some(Url {
        path,
        digest,
        status_codes,
        virtualhost,
        regex,
    })
}

/// `regex PATTERN`: keepalived 2.2.7 splits the raw line again, as for script keywords
/// (`alloc_strvec_quoted_escaped()`, observed with gdb): single and double quotes
/// group and escapes are resolved, so `regex "^OK \"q\" $"` is `^OK "q" $`.
fn regex_pattern(node: &Node, ctx: &mut Ctx) -> Option<String> {
    ctx.no_block(node);
    ctx.arg(node, 0, "a value")?;
    let words = ctx.script_words(node)?;
    let pattern = words.first()?.text.clone();
    if let Some(w) = words.get(1) {
        ctx.diags.error(
            w.span,
            format!(
                "`regex` takes at most 1 argument(s); `{}` is one too many",
                w.text
            ),
        );
    }
    Some(pattern)
}

fn finish_regex(rx: RegexParts, ctx: &mut Ctx) -> Option<Regex> {
    let Some(pattern) = rx.pattern else {
        if let Some(span) = rx.first_param {
            ctx.diags
                .error(span, "regex parameters are given without a `regex`");
        }
        return None;
    };
    if let (Some((min, _)), Some((max, span))) = (rx.min_offset, rx.max_offset) {
        if min > max {
            ctx.diags.error(
                span,
                format!("`regex_max_offset` {max} is below `regex_min_offset` {min}"),
            );
        }
    }
    let mut options: Vec<String> = Vec::new();
    for o in REGEX_OPTIONS {
        if rx.options.iter().any(|x| x == o) {
            options.push((*o).to_string());
        }
    }
    Some(Regex {
        pattern,
        no_match: rx.no_match,
        options,
        min_offset: rx.min_offset.map(|(v, _)| v).unwrap_or(0),
        max_offset: rx.max_offset.map(|(v, _)| v),
        stack: rx.stack,
    })
}

/// `200` or `200-299`, within the accepted codes.
fn parse_status(s: &str) -> Option<(u16, u16)> {
    let (a, b) = match s.split_once('-') {
        Some((a, b)) => (a, b),
        None => (s, s),
    };
    let digits = |t: &str| !t.is_empty() && t.chars().all(|c| c.is_ascii_digit());
    if !digits(a) || !digits(b) {
        return None;
    }
    let a: u16 = a.parse().ok()?;
    let b: u16 = b.parse().ok()?;
    let ok = |v: u16| (STATUS_MIN..=STATUS_MAX).contains(&v);
    (ok(a) && ok(b) && a <= b).then_some((a, b))
}

/// The set codes as sorted, merged ranges.
fn ranges(codes: &[bool]) -> Vec<StatusRange> {
    let mut out: Vec<StatusRange> = Vec::new();
    for (i, on) in codes.iter().enumerate() {
        if !on {
            continue;
        }
        let code = STATUS_MIN + i as u16;
        match out.last_mut() {
            Some(r) if r.to + 1 == code => r.to = code,
            _ => out.push(StatusRange {
                from: code,
                to: code,
            }),
        }
    }
    out
}
