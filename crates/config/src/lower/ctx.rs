//! The lowering context: diagnostics, places of named objects, and the value parsers
//! every section uses, so that one kind of mistake always reads the same.

use crate::diag::Diagnostics;
use crate::lexer::{ScriptWord, Word};
use crate::model::common::{Script, Timer};
use crate::source::Span;
use crate::tree::Node;
use std::collections::HashMap;
use std::net::IpAddr;
use std::str::FromStr;

/// Kinds of named objects, for cross references and duplicate detection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// `vrrp_script NAME`
    VrrpScript,
    /// `vrrp_track_file NAME`
    TrackFile,
    /// `vrrp_track_process NAME`
    TrackProcess,
    /// `vrrp_instance NAME`
    Instance,
    /// `vrrp_sync_group NAME`
    SyncGroup,
    /// `bfd_instance NAME`
    BfdInstance,
    /// `virtual_server_group NAME`
    VirtualServerGroup,
    /// `static_track_group NAME`
    StaticTrackGroup,
}

impl Kind {
    /// The configuration keyword that declares this kind.
    pub fn keyword(self) -> &'static str {
        match self {
            Kind::VrrpScript => "vrrp_script",
            Kind::TrackFile => "vrrp_track_file",
            Kind::TrackProcess => "vrrp_track_process",
            Kind::Instance => "vrrp_instance",
            Kind::SyncGroup => "vrrp_sync_group",
            Kind::BfdInstance => "bfd_instance",
            Kind::VirtualServerGroup => "virtual_server_group",
            Kind::StaticTrackGroup => "static_track_group",
        }
    }
}

/// A use of a named object, checked once the whole file has been read.
#[derive(Debug, Clone)]
pub struct Reference {
    /// What kind of object is named.
    pub kind: Kind,
    /// The name used.
    pub name: String,
    /// Where it is used.
    pub span: Span,
    /// The keyword that uses it (`track_script`), for the message.
    pub context: String,
}

/// State carried through lowering.
#[derive(Debug, Default)]
pub struct Ctx {
    /// Everything found so far.
    pub diags: Diagnostics,
    /// Where each named object is declared.
    pub declared: HashMap<(Kind, String), Span>,
    /// Every use of a name, to be resolved at the end.
    pub references: Vec<Reference>,
    /// Uses of a name before its declaration, where keepalived resolves names while
    /// reading (checked at the end: a later declaration is still an error).
    pub forward_references: Vec<Reference>,
    /// Where the first external program (script) is configured, for the script
    /// security check.
    pub first_script: Option<Span>,
    /// Places of things that semantic checks point at later, by a free-form key
    /// (for example `instance:VI_1:virtual_router_id`).
    pub places: HashMap<String, Span>,
}

impl Ctx {
    /// A fresh context around existing diagnostics.
    pub fn new(diags: Diagnostics) -> Self {
        Ctx {
            diags,
            ..Default::default()
        }
    }

    /// Records a declaration; an earlier one of the same kind and name is an error.
    /// Returns false for a duplicate.
    pub fn declare(&mut self, kind: Kind, name: &Word) -> bool {
        let key = (kind, name.text.clone());
        if let Some(first) = self.declared.get(&key).copied() {
            self.diags
                .error(
                    name.span,
                    format!("{} `{}` is defined twice", kind.keyword(), name.text),
                )
                .related(first, "first defined here");
            return false;
        }
        self.declared.insert(key, name.span);
        true
    }

    /// Records that `name` (a `kind`) is used at `word`.
    pub fn reference(&mut self, kind: Kind, word: &Word, context: &str) {
        self.references.push(Reference {
            kind,
            name: word.text.clone(),
            span: word.span,
            context: context.to_string(),
        });
    }

    /// Records a use of `word` as a name of `kind` that keepalived looks up while it
    /// reads (vrrp_track.c `find_script_by_name` and friends): a name declared further
    /// down the file is "not found" there, so such a use is remembered for the
    /// whole-file check.
    pub fn reference_ordered(&mut self, kind: Kind, word: &Word, context: &str) {
        self.reference(kind, word, context);
        if !self.declared.contains_key(&(kind, word.text.clone())) {
            self.forward_references.push(Reference {
                kind,
                name: word.text.clone(),
                span: word.span,
                context: context.to_string(),
            });
        }
    }

    /// Notes that a script is configured at `span`.
    pub fn script_seen(&mut self, span: Span) {
        self.first_script.get_or_insert(span);
    }

    /// Remembers a place under `key` for a later semantic check.
    pub fn remember(&mut self, key: impl Into<String>, span: Span) {
        self.places.insert(key.into(), span);
    }

    /// A remembered place.
    pub fn place(&self, key: &str) -> Option<Span> {
        self.places.get(key).copied()
    }

    // ----- shape of a statement -----

    /// The statement must have no arguments; extra ones are an error.
    pub fn no_args(&mut self, node: &Node) {
        if let Some(w) = node.args.first() {
            self.diags
                .error(w.span, format!("`{}` takes no argument", node.keyword()));
        }
    }

    /// The `i`th argument, or an error naming what is missing.
    pub fn arg<'n>(&mut self, node: &'n Node, i: usize, what: &str) -> Option<&'n Word> {
        match node.args.get(i) {
            Some(w) => Some(w),
            None => {
                self.diags
                    .error(node.span(), format!("`{}` needs {what}", node.keyword()));
                None
            }
        }
    }

    /// Warns about arguments past the `n`th.
    pub fn at_most(&mut self, node: &Node, n: usize) {
        if let Some(w) = node.args.get(n) {
            self.diags.error(
                w.span,
                format!(
                    "`{}` takes at most {n} argument(s); `{}` is one too many",
                    node.keyword(),
                    w.text
                ),
            );
        }
    }

    /// The statement must have a block (`virtual_ipaddress { ... }`).
    pub fn need_block<'n>(&mut self, node: &'n Node) -> Option<&'n [Node]> {
        match &node.block {
            Some(b) => Some(&b.children),
            None => {
                self.diags.error(
                    node.span(),
                    format!("`{}` needs a `{{ ... }}` block", node.keyword()),
                );
                None
            }
        }
    }

    /// The statement must not have a block.
    pub fn no_block(&mut self, node: &Node) {
        if let Some(b) = &node.block {
            self.diags.error(
                b.open,
                format!("`{}` does not take a block", node.keyword()),
            );
        }
    }

    // ----- values -----

    /// The single string argument of `node` (`router_id NAME`).
    pub fn string(&mut self, node: &Node) -> Option<String> {
        self.no_block(node);
        let w = self.arg(node, 0, "a value")?;
        let s = w.text.clone();
        self.at_most(node, 1);
        Some(s)
    }

    /// An unsigned number in `[min, max]` from `word`, for keyword `kw`.
    pub fn number<T>(&mut self, kw: &str, word: &Word, min: T, max: T) -> Option<T>
    where
        T: FromStr + PartialOrd + Copy + std::fmt::Display,
    {
        match word.text.parse::<T>() {
            Ok(v) if v >= min && v <= max => Some(v),
            _ => {
                self.diags.error(
                    word.span,
                    format!(
                        "`{kw}` must be a number from {min} to {max}, not `{}`",
                        word.text
                    ),
                );
                None
            }
        }
    }

    /// `keyword NUMBER` with the number in `[min, max]`.
    pub fn number_arg<T>(&mut self, node: &Node, min: T, max: T) -> Option<T>
    where
        T: FromStr + PartialOrd + Copy + std::fmt::Display,
    {
        self.no_block(node);
        let w = self.arg(node, 0, "a number")?;
        let v = self.number(node.keyword(), w, min, max);
        self.at_most(node, 1);
        v
    }

    /// A `<TIMER>` (seconds, fraction allowed, microsecond resolution) from `word`,
    /// within `[min, max]`.
    pub fn timer(&mut self, kw: &str, word: &Word, min: Timer, max: Timer) -> Option<Timer> {
        // keepalived: "has too many decimal places" — its timers count microseconds.
        if word.text.split_once('.').is_some_and(|(_, f)| f.len() > 6) {
            self.diags.error(
                word.span,
                format!(
                    "`{kw}`: `{}` has more than six decimals (microseconds)",
                    word.text
                ),
            );
            return None;
        }
        match parse_timer(&word.text) {
            Some(t) if t >= min && t <= max => Some(t),
            Some(_) => {
                self.diags.error(
                    word.span,
                    format!(
                        "`{kw}` must be from {min} to {max} seconds, not `{}`",
                        word.text
                    ),
                );
                None
            }
            None => {
                self.diags.error(
                    word.span,
                    format!("`{kw}` must be a time in seconds, not `{}`", word.text),
                );
                None
            }
        }
    }

    /// `keyword TIMER` within `[min, max]`.
    pub fn timer_arg(&mut self, node: &Node, min: Timer, max: Timer) -> Option<Timer> {
        self.no_block(node);
        let w = self.arg(node, 0, "a time in seconds")?;
        let v = self.timer(node.keyword(), w, min, max);
        self.at_most(node, 1);
        v
    }

    /// A flag keyword with an optional `<BOOL>`: `nopreempt` or `nopreempt off`.
    pub fn flag(&mut self, node: &Node) -> Option<bool> {
        self.no_block(node);
        let v = match node.args.first() {
            None => Some(true),
            Some(w) => match parse_bool(&w.text) {
                Some(b) => Some(b),
                None => {
                    self.diags.error(
                        w.span,
                        format!(
                            "`{}` takes on/off, true/false or yes/no, not `{}`",
                            node.keyword(),
                            w.text
                        ),
                    );
                    None
                }
            },
        };
        self.at_most(node, 1);
        v
    }

    /// A keyword that takes no argument and turns an option on. keepalived ignores an
    /// argument here, so `nopreempt off` turns nopreempt ON; vigil refuses the argument
    /// rather than silently doing the opposite of what it says.
    pub fn bare_flag(&mut self, node: &Node) {
        self.no_block(node);
        if let Some(w) = node.args.first() {
            self.diags
                .error(
                    w.span,
                    format!(
                        "`{}` takes no argument; keepalived would ignore `{}` and turn it on",
                        node.keyword(),
                        w.text
                    ),
                )
                .help(format!(
                    "write `{}` alone to turn it on, or leave the line out to keep it off",
                    node.keyword()
                ));
        }
    }

    /// An IPv4 or IPv6 address from `word`.
    pub fn ip(&mut self, kw: &str, word: &Word) -> Option<IpAddr> {
        match word.text.parse::<IpAddr>() {
            Ok(a) => Some(a),
            Err(_) => {
                self.diags.error(
                    word.span,
                    format!("`{kw}`: `{}` is not an IP address", word.text),
                );
                None
            }
        }
    }

    /// `keyword ADDRESS`.
    pub fn ip_arg(&mut self, node: &Node) -> Option<IpAddr> {
        self.no_block(node);
        let w = self.arg(node, 0, "an IP address")?;
        let v = self.ip(node.keyword(), w);
        self.at_most(node, 1);
        v
    }

    /// One of `choices` (case-sensitive, as keepalived), for keyword `kw`.
    pub fn choice<'c>(&mut self, kw: &str, word: &Word, choices: &[&'c str]) -> Option<&'c str> {
        if let Some(c) = choices.iter().find(|c| **c == word.text) {
            return Some(c);
        }
        let d = self.diags.error(
            word.span,
            format!(
                "`{kw}` must be one of {}, not `{}`",
                choices.join(", "),
                word.text
            ),
        );
        if let Some(s) = suggest(&word.text, choices.iter().copied()) {
            d.help(format!("did you mean `{s}`?"));
        }
        None
    }

    /// A script statement: `keyword "COMMAND args" [USER [GROUP]]`
    /// (keepalived.conf(5), SCRIPTS; the command is one word, quoted when it has
    /// arguments). The words are keepalived's first pass over the line (see
    /// [`Ctx::script_words`]), so single quotes group too.
    pub fn script(&mut self, node: &Node) -> Option<Script> {
        self.no_block(node);
        self.arg(node, 0, "a script")?;
        let words = self.script_words(node)?;
        let cmd = words.first()?;
        let command = cmd.text.clone();
        if command.trim().is_empty() {
            self.diags.error(
                cmd.span,
                format!("`{}`: the script is empty", node.keyword()),
            );
            return None;
        }
        let user = words.get(1).map(|w| w.text.clone());
        let group = words.get(2).map(|w| w.text.clone());
        if let Some(w) = words.get(3) {
            self.diags.error(
                w.span,
                format!(
                    "`{}` takes at most 3 argument(s); `{}` is one too many",
                    node.keyword(),
                    w.text
                ),
            );
        }
        self.script_seen(cmd.span);
        Some(Script {
            command,
            user,
            group,
        })
    }

    /// The words after a script keyword as keepalived 2.2.7 reads them: every script
    /// keyword (and `regex`) splits its raw line again with `alloc_strvec_quoted_escaped()`
    /// (`notify_script_init()`, `misc_path_handler()`, `vrrp_script`'s `script`), where
    /// single quotes group like double quotes and escapes are resolved; the first word is
    /// then the command string, split into argv once more when run. An unterminated
    /// quote (often from a `#` or `{` inside single quotes) makes keepalived drop the
    /// value (or, for `vrrp_script`, crash): an error here.
    pub fn script_words(&mut self, node: &Node) -> Option<Vec<ScriptWord>> {
        match node.name.script_words() {
            Ok(mut words) => {
                if !words.is_empty() {
                    words.remove(0);
                }
                Some(words)
            }
            Err(e) => {
                self.diags
                    .error(
                        e.span,
                        format!(
                            "`{}`: {}; keepalived cannot split this line and ignores the value",
                            node.keyword(),
                            e.kind
                        ),
                    )
                    .help("`#`, `!`, `{` and `}` end the line unless inside double quotes, also inside single quotes: put the command in double quotes");
                None
            }
        }
    }

    // ----- keywords -----

    /// An unknown keyword in `section`: a warning (keepalived warns and goes on), with
    /// "did you mean" among `known`.
    pub fn unknown(&mut self, node: &Node, section: &str, known: &[&str]) {
        let d = self.diags.warning(
            node.name.span,
            format!("unknown keyword `{}` in {section}; ignored", node.keyword()),
        );
        if let Some(s) = suggest(node.keyword(), known.iter().copied()) {
            d.help(format!("did you mean `{s}`?"));
        }
    }

    /// A keyword that keepalived knows but vigil does not act on: a warning saying so.
    pub fn not_acted_on(&mut self, node: &Node, why: &str) {
        self.diags.warning(
            node.name.span,
            format!(
                "`{}` is understood but vigil does not act on it ({why}); ignored",
                node.keyword()
            ),
        );
    }

    /// A keyword given twice where only one makes sense: a warning, the last one wins
    /// (keepalived's behaviour).
    pub fn repeated(&mut self, node: &Node, first: Span) {
        self.diags
            .warning(
                node.name.span,
                format!("`{}` given again; this one wins", node.keyword()),
            )
            .related(first, "first given here");
    }
}

/// keepalived's `<BOOL>`: on|off|true|false|yes|no.
pub fn parse_bool(s: &str) -> Option<bool> {
    match s {
        "on" | "true" | "yes" => Some(true),
        "off" | "false" | "no" => Some(false),
        _ => None,
    }
}

/// Seconds with an optional fraction of up to six digits, into microseconds.
pub fn parse_timer(s: &str) -> Option<Timer> {
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, f),
        None => (s, ""),
    };
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    if !int.chars().all(|c| c.is_ascii_digit()) || !frac.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let secs: u64 = if int.is_empty() { 0 } else { int.parse().ok()? };
    // Digits past microseconds are beyond keepalived's resolution: truncated here;
    // `Ctx::timer` refuses them before this is reached.
    let mut micros = 0u64;
    for c in frac.chars().chain(std::iter::repeat('0')).take(6) {
        micros = micros * 10 + c.to_digit(10)? as u64;
    }
    secs.checked_mul(1_000_000)?.checked_add(micros).map(Timer)
}

/// The closest of `candidates` to `word`, if close enough to be a likely typo.
pub fn suggest<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).clamp(1, 3);
    candidates
        .map(|c| (edit_distance(word, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timers() {
        assert_eq!(parse_timer("1"), Some(Timer(1_000_000)));
        assert_eq!(parse_timer("0.01"), Some(Timer(10_000)));
        assert_eq!(parse_timer("2.71828"), Some(Timer(2_718_280)));
        assert_eq!(parse_timer(".5"), Some(Timer(500_000)));
        assert_eq!(parse_timer("1.0000009"), Some(Timer(1_000_000)));
        assert_eq!(parse_timer("-1"), None);
        assert_eq!(parse_timer("1s"), None);
        assert_eq!(Timer(10_000).to_string(), "0.01");
        assert_eq!(Timer(3_000_000).to_string(), "3");
    }

    #[test]
    fn suggestions() {
        let kw = ["priority", "preempt_delay", "nopreempt"];
        assert_eq!(suggest("prority", kw.iter().copied()), Some("priority"));
        assert_eq!(suggest("xyz", kw.iter().copied()), None);
    }
}
