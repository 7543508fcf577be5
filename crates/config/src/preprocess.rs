//! keepalived's preprocessing: `include`, `@id` conditional lines, `$NAME=value`
//! definitions and their expansion, and `~SEQ` / `~LST` repetition
//! (keepalived.conf(5), DESCRIPTION and ADVANCED CONFIGURATION).
//!
//! The output is the flat list of logical lines, each split into words, that the block
//! parser in `tree.rs` consumes.

use crate::diag::Diagnostics;
use crate::lexer::{self, Origin, Word};
use crate::source::{FileId, SourceMap, Span};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Nesting limit for includes, expansions and repetitions: deeper means a loop.
const MAX_DEPTH: usize = 64;
/// Upper bound on the lines one `~SEQ`/`~LST` line may produce, against typos.
const MAX_REPEAT: u64 = 1_000_000;
/// Budget of characters that expansion and repetition may produce in one load, against
/// definitions that double themselves (`$A=${A} ${A}`) and nested `~SEQ`s. Each line
/// produced costs at least [`MIN_LINE_COST`], so this also caps the lines at 1.5 million:
/// enough for keepalived's own 65,024-instance `~SEQ` example.
const MAX_EXPANDED: u64 = 96 * 1024 * 1024;
/// The longest line expansion may produce: a definition that doubles itself hits this
/// long before the overall budget.
const MAX_LINE: usize = 1024 * 1024;
/// The least a produced line costs against [`MAX_EXPANDED`].
const MIN_LINE_COST: u64 = 64;

/// One logical line after preprocessing.
#[derive(Debug, Clone)]
pub struct Line {
    /// Its words; `{` and `}` are words of their own.
    pub words: Vec<Word>,
}

/// Where preprocessed lines go: a list, or straight into the block parser.
pub trait LineSink {
    /// Takes one logical line.
    fn line(&mut self, line: Line);
}

impl LineSink for Vec<Line> {
    fn line(&mut self, line: Line) {
        self.push(line);
    }
}

/// Settings that change what the preprocessor produces.
#[derive(Debug, Clone)]
pub struct Options {
    /// The config-id that `@id` lines are compared against (`-i`).
    pub config_id: String,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            config_id: default_config_id(),
        }
    }
}

/// The first label of the host name, keepalived's default config-id.
pub fn default_config_id() -> String {
    let name = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
    name.trim().split('.').next().unwrap_or("").to_string()
}

/// Reads `path` and everything it includes; returns the logical lines.
pub fn preprocess(
    path: &Path,
    opts: &Options,
    sources: &mut SourceMap,
    diags: &mut Diagnostics,
) -> Vec<Line> {
    let mut out = Vec::new();
    preprocess_into(path, opts, sources, diags, &mut out);
    out
}

/// Like [`preprocess`], handing each line to `sink` as soon as it is complete.
pub fn preprocess_into(
    path: &Path,
    opts: &Options,
    sources: &mut SourceMap,
    diags: &mut Diagnostics,
    sink: &mut dyn LineSink,
) {
    let mut pp = Preprocessor::new(opts, sources, diags, sink, seed());
    match std::fs::read_to_string(path) {
        Ok(text) => pp.file(path.to_path_buf(), text),
        Err(e) => {
            pp.diags
                .error_global(format!("cannot read {}: {e}", path.display()));
        }
    }
    pp.finish_pending();
}

/// Preprocesses text held in memory as if it were the file `path` (for tests and fuzzing).
pub fn preprocess_str(
    path: &Path,
    text: &str,
    opts: &Options,
    sources: &mut SourceMap,
    diags: &mut Diagnostics,
) -> Vec<Line> {
    let mut out = Vec::new();
    preprocess_str_into(path, text, opts, sources, diags, &mut out);
    out
}

/// Like [`preprocess_str`], handing each line to `sink`.
pub fn preprocess_str_into(
    path: &Path,
    text: &str,
    opts: &Options,
    sources: &mut SourceMap,
    diags: &mut Diagnostics,
    sink: &mut dyn LineSink,
) {
    // A fixed seed: `${_RANDOM}` in text from memory gives repeatable results.
    let mut pp = Preprocessor::new(opts, sources, diags, sink, 0x2545_f491_4f6c_dd1d);
    pp.file(path.to_path_buf(), text.to_string());
    pp.finish_pending();
}

#[derive(Debug, Clone)]
struct Definition {
    lines: Vec<String>,
}

impl Definition {
    fn single(v: String) -> Self {
        Definition { lines: vec![v] }
    }
}

/// A multi-line definition being collected.
struct Pending {
    name: String,
    lines: Vec<String>,
    span: Span,
}

struct Preprocessor<'a> {
    opts: &'a Options,
    sources: &'a mut SourceMap,
    diags: &'a mut Diagnostics,
    defs: HashMap<String, Definition>,
    pending: Option<Pending>,
    /// Canonical paths of the files being read, outermost first (cycle detection).
    stack: Vec<PathBuf>,
    out: &'a mut dyn LineSink,
    rng: u64,
    /// Characters produced by expansion and repetition so far (see [`MAX_EXPANDED`]).
    expanded: u64,
    /// Set once the budget is spent, so that the error is reported once.
    over_budget: bool,
}

impl<'a> Preprocessor<'a> {
    /// A preprocessor with keepalived's pre-defined definitions (keepalived.conf(5),
    /// "Pre-defined definitions"; `_PWD` is set per file).
    fn new(
        opts: &'a Options,
        sources: &'a mut SourceMap,
        diags: &'a mut Diagnostics,
        out: &'a mut dyn LineSink,
        rng: u64,
    ) -> Self {
        let mut defs = HashMap::new();
        defs.insert(
            "_INSTANCE".into(),
            Definition::single(opts.config_id.clone()),
        );
        defs.insert("_HASH".into(), Definition::single("#".into()));
        defs.insert("_BANG".into(), Definition::single("!".into()));
        Preprocessor {
            opts,
            sources,
            diags,
            defs,
            pending: None,
            stack: Vec::new(),
            out,
            rng,
            expanded: 0,
            over_budget: false,
        }
    }

    fn file(&mut self, path: PathBuf, text: String) {
        let canon = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
        let dir = path
            .parent()
            .map(|p| {
                if p.as_os_str().is_empty() {
                    PathBuf::from(".")
                } else {
                    p.to_path_buf()
                }
            })
            .unwrap_or_else(|| PathBuf::from("."));
        let dir = std::fs::canonicalize(&dir).unwrap_or(dir);
        let saved_pwd = self.defs.get("_PWD").cloned();
        self.defs
            .insert("_PWD".into(), Definition::single(dir.display().to_string()));
        self.stack.push(canon);
        let file = self.sources.add(path, text);
        // The source map keeps the text for diagnostics; lines are processed from a
        // shared handle so that the text is not copied.
        let text = self.sources.shared_text(file);
        for (idx, physical) in text.lines().enumerate() {
            let line_no = idx as u32 + 1;
            self.physical_line(file, line_no, physical, &dir);
        }
        self.stack.pop();
        match saved_pwd {
            Some(d) => self.defs.insert("_PWD".into(), d),
            None => self.defs.remove("_PWD"),
        };
    }

    fn physical_line(&mut self, file: FileId, line_no: u32, physical: &str, dir: &Path) {
        let physical = physical.strip_suffix('\r').unwrap_or(physical);
        let content = lexer::strip_comment(physical);
        let trimmed = content.trim_start();
        let lead = (content.len() - trimmed.len()) as u32;
        let text = trimmed.trim_end();
        let width = text.chars().count() as u32;
        let col = physical[..lead as usize].chars().count() as u32 + 1;
        let origin = Origin {
            file,
            line: line_no,
            col: Some(col),
            width,
        };
        if text.is_empty() {
            return;
        }
        // keepalived.conf(5): include lines are recognised before conditionals and
        // substitution, so they cannot use either.
        if self.pending.is_none() && self.include_line(text, origin, dir) {
            return;
        }
        self.logical(text.to_string(), origin, 0);
    }

    /// Handles `include` and its variants; returns false for any other line.
    fn include_line(&mut self, text: &str, origin: Origin, dir: &Path) -> bool {
        if !text.starts_with("include") {
            return false;
        }
        let words = lexer::split_words(text, origin);
        let Some(first) = words.first() else {
            return false;
        };
        let kind = match first.text.as_str() {
            "include" => IncludeCheck::NONE,
            "includer" => IncludeCheck::READABLE,
            "includem" => IncludeCheck::MATCH,
            "includew" => IncludeCheck::WILDCARD,
            "includeb" => IncludeCheck::BRACE,
            "includea" => IncludeCheck::ALL,
            _ => return false,
        };
        if first.quoted {
            return false;
        }
        let Some(pattern) = words.get(1) else {
            self.diags
                .error(first.span, format!("`{}` needs a file name", first.text));
            return true;
        };
        if let Some(extra) = words.get(2) {
            self.diags.warning(
                extra.span,
                format!("extra text after `{}` file name ignored", first.text),
            );
        }
        if self.stack.len() >= MAX_DEPTH {
            self.diags.error(
                pattern.span,
                "includes nested too deeply (an include loop?)",
            );
            return true;
        }
        self.include(&pattern.text, pattern.span, dir, kind);
        true
    }

    fn include(&mut self, pattern: &str, span: Span, dir: &Path, check: IncludeCheck) {
        let mut files: Vec<PathBuf> = Vec::new();
        for alt in expand_braces(pattern) {
            let full = if Path::new(&alt).is_absolute() {
                PathBuf::from(&alt)
            } else {
                dir.join(&alt)
            };
            let full_s = full.display().to_string();
            let wild = alt.contains(['*', '?', '[']);
            let mut matched: Vec<PathBuf> = match glob::glob(&full_s) {
                Ok(paths) => paths.filter_map(Result::ok).collect(),
                Err(e) => {
                    self.diags
                        .error(span, format!("invalid include pattern `{alt}`: {e}"));
                    continue;
                }
            };
            matched.sort();
            if matched.is_empty() {
                let required = if wild {
                    check.contains(IncludeCheck::WILDCARD)
                } else if pattern.contains('{') {
                    check.contains(IncludeCheck::BRACE)
                } else {
                    check.contains(IncludeCheck::MATCH)
                };
                let msg = format!("include `{alt}` matches no file");
                if required {
                    self.diags.error(span, msg);
                } else {
                    self.diags
                        .warning(span, msg)
                        .help("keepalived ignores this for plain `include`; use `includea` to make it an error");
                }
            }
            files.extend(matched);
        }
        for f in files {
            if f.is_dir() {
                continue;
            }
            let canon = std::fs::canonicalize(&f).unwrap_or_else(|_| f.clone());
            if let Some(pos) = self.stack.iter().position(|p| *p == canon) {
                // Name the files of the cycle by their names only: diagnostics must not
                // depend on where the configuration tree happens to live.
                let chain: Vec<String> = self.stack[pos..]
                    .iter()
                    .chain(std::iter::once(&canon))
                    .map(|p| {
                        p.file_name()
                            .map(|n| n.to_string_lossy().into_owned())
                            .unwrap_or_default()
                    })
                    .collect();
                self.diags
                    .error(span, format!("include cycle: {}", chain.join(" -> ")));
                continue;
            }
            match std::fs::read_to_string(&f) {
                Ok(text) => self.file(f, text),
                Err(e) => {
                    let msg = format!("cannot read included file {}: {e}", f.display());
                    if check.contains(IncludeCheck::READABLE) {
                        self.diags.error(span, msg);
                    } else {
                        self.diags.warning(span, msg);
                    }
                }
            }
        }
    }

    /// One logical line: conditionals, definitions, repetition, substitution, words.
    fn logical(&mut self, text: String, origin: Origin, depth: usize) {
        if depth > MAX_DEPTH {
            let span = Span::new(origin.file, origin.line, 1, origin.width.max(1));
            self.diags.error(
                span,
                "definitions expand into themselves (too deeply nested)",
            );
            return;
        }
        let text = text.trim();
        if text.is_empty() {
            return;
        }
        // Inside a multi-line definition every line is part of its value.
        if let Some(p) = self.pending.as_mut() {
            match text.strip_suffix('\\') {
                Some(part) => p.lines.push(part.trim_end().to_string()),
                None => {
                    p.lines.push(text.to_string());
                    self.finish_pending();
                }
            }
            return;
        }
        let mut text = text.to_string();
        let mut origin = origin;
        // Conditional lines: `@id rest` and `@^id rest`.
        if let Some(rest) = text.strip_prefix('@') {
            let (neg, rest) = match rest.strip_prefix('^') {
                Some(r) => (true, r),
                None => (false, rest),
            };
            let id_len = rest.find(char::is_whitespace).unwrap_or(rest.len());
            let id = &rest[..id_len];
            let matches = id == self.opts.config_id;
            if matches == neg {
                return;
            }
            let body = rest[id_len..].trim_start();
            let skipped = text.len() - body.len();
            origin = shift(origin, &text[..skipped]);
            text = body.to_string();
            if text.is_empty() {
                return;
            }
        }
        if let Some((name, value)) = definition(&text) {
            let span = Span::new(
                origin.file,
                origin.line,
                origin.col.unwrap_or(1),
                1 + name.len() as u32,
            );
            let value = value.trim();
            if value == "\\" {
                self.pending = Some(Pending {
                    name: name.to_string(),
                    lines: Vec::new(),
                    span,
                });
            } else {
                let value = value.strip_suffix('\\').map(str::trim_end).unwrap_or(value);
                self.defs
                    .insert(name.to_string(), Definition::single(value.to_string()));
            }
            return;
        }
        if text.starts_with("~SEQ") || text.starts_with("~LST") {
            self.repeat(&text, origin, depth);
            return;
        }
        if self.over_budget {
            return;
        }
        match self.substitute(&text) {
            Some(lines) => {
                let o = Origin {
                    col: None,
                    ..origin
                };
                let size: u64 = lines.iter().map(|l| l.len() as u64 + 1).sum();
                if lines.iter().any(|l| l.len() > MAX_LINE) {
                    let span = Span::new(origin.file, origin.line, 1, origin.width.max(1));
                    self.diags.error(
                        span,
                        "a definition expands to a line of more than 1 MiB (does it contain itself?)",
                    );
                    return;
                }
                if !self.spend(size, origin) {
                    return;
                }
                for l in lines {
                    // keepalived strips comments again after expansion, so an unquoted
                    // `${_HASH}` starts one (observed with keepalived 2.2.7).
                    let l = lexer::strip_comment(&l).to_string();
                    self.logical(l, o, depth + 1);
                }
            }
            None => {
                if lexer::has_unterminated_quote(&text) {
                    let span = Span::new(
                        origin.file,
                        origin.line,
                        origin.col.unwrap_or(1),
                        origin.width.max(1),
                    );
                    // keepalived 2.2.7: "Unmatched quote", and the line is refused.
                    self.diags
                        .error(span, "unterminated quote")
                        .help("close the `\"`");
                }
                let words = lexer::split_words(&text, origin);
                // keepalived.conf(5): `random_seed` makes `${_RANDOM}` repeatable; it
                // takes effect for the lines after it.
                if let [kw, seed, ..] = words.as_slice() {
                    if kw.text == "random_seed" {
                        if let Ok(v) = seed.text.parse::<u64>() {
                            self.rng = v.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
                        }
                    }
                }
                if !words.is_empty() {
                    self.out.line(Line { words });
                }
            }
        }
    }

    /// Charges `size` characters of expansion; false (with one error) once the budget
    /// is spent.
    fn spend(&mut self, size: u64, origin: Origin) -> bool {
        if self.over_budget {
            return false;
        }
        self.expanded = self.expanded.saturating_add(size.max(MIN_LINE_COST));
        if self.expanded > MAX_EXPANDED {
            self.over_budget = true;
            let span = Span::new(origin.file, origin.line, 1, origin.width.max(1));
            self.diags.error(
                span,
                format!(
                    "definitions and repetitions expand to more than {} MiB; stopped (a definition that contains itself?)",
                    MAX_EXPANDED / (1024 * 1024)
                ),
            );
            return false;
        }
        true
    }

    fn finish_pending(&mut self) {
        if let Some(p) = self.pending.take() {
            if p.lines.is_empty() {
                self.diags.warning(
                    p.span,
                    format!("multi-line definition `${}` is empty", p.name),
                );
            }
            self.defs.insert(p.name, Definition { lines: p.lines });
        }
    }

    /// `~SEQ(var, start, step, end)`, `~SEQx(...)` and `~LST(var, v1, v2, ...)`.
    fn repeat(&mut self, text: &str, origin: Origin, depth: usize) {
        let span = Span::new(origin.file, origin.line, origin.col.unwrap_or(1), 4);
        let (kind, after) = if let Some(r) = text.strip_prefix("~SEQx(") {
            (Repeat::SeqHex, r)
        } else if let Some(r) = text.strip_prefix("~SEQ(") {
            (Repeat::Seq, r)
        } else if let Some(r) = text.strip_prefix("~LST(") {
            (Repeat::List, r)
        } else {
            self.diags
                .error(span, "expected `~SEQ(`, `~SEQx(` or `~LST(`");
            return;
        };
        let Some(close) = matching_paren(after) else {
            self.diags.error(span, "missing `)` in repetition");
            return;
        };
        let args = &after[..close];
        let rest = after[close + 1..].trim_start();
        let consumed = text.len() - rest.len();
        let rest_origin = shift(origin, &text[..consumed]);
        let sets = match kind {
            Repeat::Seq | Repeat::SeqHex => seq_values(args, kind == Repeat::SeqHex),
            Repeat::List => list_values(args),
        };
        let sets = match sets {
            Ok(s) => s,
            Err(msg) => {
                self.diags.error(span, msg);
                return;
            }
        };
        let saved: Vec<(String, Option<Definition>)> = sets
            .first()
            .map(|s| {
                s.iter()
                    .map(|(k, _)| (k.clone(), self.defs.get(k).cloned()))
                    .collect()
            })
            .unwrap_or_default();
        for set in sets {
            if !self.spend(rest.len() as u64 + 1, origin) {
                break;
            }
            for (name, value) in set {
                self.defs.insert(name, Definition::single(value));
            }
            self.logical(rest.to_string(), rest_origin, depth + 1);
        }
        for (name, old) in saved {
            match old {
                Some(d) => self.defs.insert(name, d),
                None => self.defs.remove(&name),
            };
        }
    }

    /// Replaces defined `$NAME` (followed by white space or the end) and `${NAME}`;
    /// returns the resulting lines, or `None` when nothing was replaced.
    fn substitute(&mut self, text: &str) -> Option<Vec<String>> {
        let mut out = String::new();
        let mut extra: Vec<String> = Vec::new();
        let mut changed = false;
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < text.len() {
            // `\$` is an escaped dollar (the printer writes it so): never substituted.
            if bytes[i] != b'$' || (i > 0 && bytes[i - 1] == b'\\') {
                let ch = text[i..].chars().next().unwrap_or(' ');
                push_text(&mut out, &mut extra, ch);
                i += ch.len_utf8();
                continue;
            }
            // `${NAME}` or `${_RANDOM MIN MAX}`
            if bytes.get(i + 1) == Some(&b'{') {
                if let Some(end) = text[i + 2..].find('}') {
                    let inner = &text[i + 2..i + 2 + end];
                    if let Some(v) = self.lookup(inner) {
                        append_value(&mut out, &mut extra, &v);
                        changed = true;
                        i += end + 3;
                        continue;
                    }
                }
                push_text(&mut out, &mut extra, '$');
                i += 1;
                continue;
            }
            let name_len = text[i + 1..]
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(text.len() - i - 1);
            let name = &text[i + 1..i + 1 + name_len];
            let after = text[i + 1 + name_len..].chars().next();
            // keepalived 2.2.7 observed: an unbraced name ends at a blank, `,`, `)` or
            // the end of the line.
            let at_boundary = after.is_none_or(|c| c.is_whitespace() || c == ',' || c == ')');
            if !name.is_empty() && at_boundary {
                if let Some(d) = self.defs.get(name) {
                    let v = d.lines.clone();
                    append_value(&mut out, &mut extra, &v);
                    changed = true;
                    i += 1 + name_len;
                    continue;
                }
            }
            push_text(&mut out, &mut extra, '$');
            i += 1;
        }
        if !changed {
            return None;
        }
        let mut lines = vec![out];
        lines.extend(extra);
        Some(lines)
    }

    fn lookup(&mut self, inner: &str) -> Option<Vec<String>> {
        let mut parts = inner.split_whitespace();
        let name = parts.next()?;
        if name == "_RANDOM" {
            let nums: Vec<u64> = parts.filter_map(|p| p.parse().ok()).collect();
            let min = nums.first().copied().unwrap_or(0);
            let max = nums.get(1).copied().unwrap_or(32767).max(min);
            let v = min + self.next_random() % (max - min + 1);
            return Some(vec![v.to_string()]);
        }
        if inner.trim() != name {
            return None;
        }
        self.defs.get(name).map(|d| d.lines.clone())
    }

    fn next_random(&mut self) -> u64 {
        // xorshift64: the values only need to differ, not to be unpredictable.
        let mut x = self.rng;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.rng = x;
        x
    }
}

fn push_text(out: &mut String, extra: &mut [String], ch: char) {
    match extra.last_mut() {
        Some(last) => last.push(ch),
        None => out.push(ch),
    }
}

fn append_value(out: &mut String, extra: &mut Vec<String>, value: &[String]) {
    for (n, v) in value.iter().enumerate() {
        if n == 0 {
            match extra.last_mut() {
                Some(last) => last.push_str(v),
                None => out.push_str(v),
            }
        } else {
            extra.push(v.clone());
        }
    }
}

fn seed() -> u64 {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(1);
    (t ^ u64::from(std::process::id())) | 1
}

/// Moves an exact origin past `skipped` characters.
fn shift(origin: Origin, skipped: &str) -> Origin {
    let n = skipped.chars().count() as u32;
    Origin {
        col: origin.col.map(|c| c + n),
        width: origin.width.saturating_sub(n),
        ..origin
    }
}

/// `$NAME=value` with NAME of `[A-Za-z_][A-Za-z0-9_]*` and no space before `=`.
fn definition(text: &str) -> Option<(&str, &str)> {
    let rest = text.strip_prefix('$')?;
    let eq = rest.find('=')?;
    let name = &rest[..eq];
    let mut chars = name.chars();
    let first = chars.next()?;
    if !(first.is_ascii_alphabetic() || first == '_') {
        return None;
    }
    if !chars.all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return None;
    }
    Some((name, &rest[eq + 1..]))
}

fn matching_paren(s: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' if depth == 0 => return Some(i),
            ')' => depth -= 1,
            _ => {}
        }
    }
    None
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Repeat {
    Seq,
    SeqHex,
    List,
}

type ValueSet = Vec<(String, String)>;

fn parse_int(s: &str) -> Result<i64, String> {
    let t = s.trim();
    let (neg, body) = match t.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, t),
    };
    let v = if let Some(h) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
        i64::from_str_radix(h, 16)
    } else {
        body.parse::<i64>()
    }
    .map_err(|_| format!("`{t}` is not a number"))?;
    Ok(if neg { -v } else { v })
}

/// keepalived.conf(5), "Sequence blocks": `(var, [[start,] step,] end)` with defaults.
fn seq_values(args: &str, hex: bool) -> Result<Vec<ValueSet>, String> {
    let parts: Vec<&str> = args.split(',').map(str::trim).collect();
    let var = parts.first().copied().unwrap_or("");
    if var.is_empty() || definition(&format!("${var}=")).is_none() {
        return Err(format!("`{var}` is not a valid variable name for ~SEQ"));
    }
    let nums: Vec<i64> = parts[1..]
        .iter()
        .map(|p| parse_int(p))
        .collect::<Result<_, _>>()?;
    let (start, step, end) = match nums.as_slice() {
        [end] => {
            let start = if *end >= 0 { 1 } else { -1 };
            (start, if *end >= start { 1 } else { -1 }, *end)
        }
        [start, end] => (*start, if end >= start { 1 } else { -1 }, *end),
        [start, step, end] => (*start, *step, *end),
        _ => {
            return Err(
                "~SEQ takes (var, end), (var, start, end) or (var, start, step, end)".into(),
            )
        }
    };
    if step == 0 {
        return Err("~SEQ step must not be 0".into());
    }
    if (step > 0 && start > end) || (step < 0 && start < end) {
        return Ok(Vec::new());
    }
    let count = ((end - start) / step) as u64 + 1;
    if count > MAX_REPEAT {
        return Err(format!(
            "~SEQ would repeat {count} times (limit {MAX_REPEAT})"
        ));
    }
    let mut out = Vec::with_capacity(count as usize);
    let mut v = start;
    for _ in 0..count {
        let s = if hex {
            if v < 0 {
                format!("-{:x}", -v)
            } else {
                format!("{v:x}")
            }
        } else {
            v.to_string()
        };
        out.push(vec![(var.to_string(), s)]);
        v += step;
    }
    Ok(out)
}

/// keepalived.conf(5), "List blocks": `(var, v1, v2)` or `({a, b}, {1, 2}, {3, 4})`.
fn list_values(args: &str) -> Result<Vec<ValueSet>, String> {
    let items = split_list(args)?;
    let (head, values) = items.split_first().ok_or("~LST needs a variable")?;
    let names: Vec<String> = head.clone();
    if names
        .iter()
        .any(|n| definition(&format!("${n}=")).is_none())
    {
        return Err(format!("invalid ~LST variable list `{}`", names.join(", ")));
    }
    if values.is_empty() {
        return Err("~LST needs at least one value".into());
    }
    let mut out = Vec::new();
    for v in values {
        if v.len() != names.len() {
            return Err(format!(
                "~LST value {{{}}} has {} part(s), expected {}",
                v.join(","),
                v.len(),
                names.len()
            ));
        }
        out.push(names.iter().cloned().zip(v.iter().cloned()).collect());
    }
    if out.len() as u64 > MAX_REPEAT {
        return Err("~LST too long".into());
    }
    Ok(out)
}

/// Splits `a, {b, c}, d` into `[[a], [b, c], [d]]`.
fn split_list(args: &str) -> Result<Vec<Vec<String>>, String> {
    let mut out = Vec::new();
    let mut rest = args.trim();
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('{') {
            let end = r.find('}').ok_or("missing `}` in ~LST")?;
            out.push(r[..end].split(',').map(|s| s.trim().to_string()).collect());
            rest = r[end + 1..].trim_start();
            rest = rest.strip_prefix(',').unwrap_or(rest).trim_start();
        } else {
            let end = rest.find(',').unwrap_or(rest.len());
            out.push(vec![rest[..end].trim().to_string()]);
            rest = rest.get(end + 1..).unwrap_or("").trim_start();
        }
    }
    Ok(out)
}

/// Flags of keepalived's `include_check` levels (keepalived.conf(5), DESCRIPTION).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct IncludeCheck(u8);

impl IncludeCheck {
    const NONE: Self = IncludeCheck(0);
    const READABLE: Self = IncludeCheck(1);
    const MATCH: Self = IncludeCheck(2);
    const WILDCARD: Self = IncludeCheck(4);
    const BRACE: Self = IncludeCheck(8);
    const ALL: Self = IncludeCheck(15);

    fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }
}

/// csh-style brace expansion: `a{b,c}d` gives `abd` and `acd`, nested braces too.
fn expand_braces(pattern: &str) -> Vec<String> {
    let Some(open) = pattern.find('{') else {
        return vec![pattern.to_string()];
    };
    let mut depth = 0;
    let mut close = None;
    let mut commas = Vec::new();
    for (i, c) in pattern[open..].char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    close = Some(open + i);
                    break;
                }
            }
            ',' if depth == 1 => commas.push(open + i),
            _ => {}
        }
    }
    let Some(close) = close else {
        return vec![pattern.to_string()];
    };
    let prefix = &pattern[..open];
    let suffix = &pattern[close + 1..];
    let mut bounds = vec![open];
    bounds.extend(commas);
    bounds.push(close);
    let mut out = Vec::new();
    for w in bounds.windows(2) {
        let alt = &pattern[w[0] + 1..w[1]];
        for tail in expand_braces(&format!("{alt}{suffix}")) {
            out.push(format!("{prefix}{tail}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str, id: &str) -> Vec<String> {
        let mut sm = SourceMap::new();
        let mut d = Diagnostics::new();
        let opts = Options {
            config_id: id.into(),
        };
        let lines = preprocess_str(
            Path::new("/nonexistent/t.conf"),
            text,
            &opts,
            &mut sm,
            &mut d,
        );
        lines
            .iter()
            .map(|l| {
                l.words
                    .iter()
                    .map(|w| w.text.as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    }

    #[test]
    fn conditional_lines_follow_config_id() {
        // keepalived.conf(5), "Conditional configuration and configuration id".
        let t = "@main router_id a\n@backup router_id b\n@^main x 1\n";
        assert_eq!(run(t, "main"), ["router_id a"]);
        assert_eq!(run(t, "backup"), ["router_id b", "x 1"]);
        assert_eq!(run(t, "other"), ["x 1"]);
    }

    #[test]
    fn substitution_is_recursive_at_use_time() {
        // keepalived.conf(5), "Parameter substitution", first example.
        let t = "$ADDRESS_BASE=10.2.${ADDRESS_BASE_SUB}\n$ADDRESS_BASE_SUB=0\n${ADDRESS_BASE}.100/32\n$ADDRESS_BASE_SUB=10\n${ADDRESS_BASE}.100/32\n";
        assert_eq!(run(t, "x"), ["10.2.0.100/32", "10.2.10.100/32"]);
    }

    #[test]
    fn undefined_parameters_stay() {
        assert_eq!(
            run("a \"${UNDEF}\" $UNDEF2 b$X\n", "x"),
            ["a ${UNDEF} $UNDEF2 b$X"]
        );
    }

    #[test]
    fn parameter_needs_whitespace_after_unless_braced() {
        assert_eq!(run("$A=1\nx $A $Ab ${A}b\n", "x"), ["x 1 $Ab 1b"]);
    }

    #[test]
    fn substitution_then_conditional() {
        let t = "$IF_MAIN=@main\n$IF_MAIN priority 240\n";
        assert_eq!(run(t, "main"), ["priority 240"]);
        assert!(run(t, "backup").is_empty());
        assert_eq!(
            run("@main $P=240\n@backup $P=200\np $P\n", "backup"),
            ["p 200"]
        );
    }

    #[test]
    fn multi_line_definitions_expand_to_lines() {
        let t = "$I= \\\nvrrp_instance VI_${N} { \\\n  @high priority 130 \\\n  @low priority 120 \\\n}\n$N=0\n$I\n$N=1\n$I\n";
        assert_eq!(
            run(t, "low"),
            [
                "vrrp_instance VI_0 {",
                "priority 120",
                "}",
                "vrrp_instance VI_1 {",
                "priority 120",
                "}"
            ]
        );
    }

    #[test]
    fn nested_multi_line_definitions() {
        let t =
            "$RS= \\\nreal ${R}\n\n$VS= \\\nvs { \\\n$R=1 \\\n$RS \\\n$R=2 \\\n$RS \\\n}\n$VS\n";
        assert_eq!(run(t, "x"), ["vs {", "real 1", "real 2", "}"]);
    }

    #[test]
    fn seq_blocks() {
        // keepalived.conf(5), "Sequence blocks".
        assert_eq!(
            run("~SEQ(SUBNET, 0, 3) ip 10.0.${SUBNET}.1\n", "x"),
            ["ip 10.0.0.1", "ip 10.0.1.1", "ip 10.0.2.1", "ip 10.0.3.1"]
        );
        assert_eq!(
            run("~SEQx(S, 0x90, 0x10, 0xc0) fe80::${S}:1\n", "x"),
            ["fe80::90:1", "fe80::a0:1", "fe80::b0:1", "fe80::c0:1"]
        );
        assert_eq!(run("~SEQ(A, 3) v${A}\n", "x"), ["v1", "v2", "v3"]);
        assert_eq!(run("~SEQ(A, 3, 1) v${A}\n", "x"), ["v3", "v2", "v1"]);
        assert_eq!(
            run("~SEQ(A,1,2) ~SEQ(B,5,6) ${A}.${B}\n", "x"),
            ["1.5", "1.6", "2.5", "2.6"]
        );
    }

    #[test]
    fn lst_blocks() {
        // keepalived.conf(5), "List blocks".
        assert_eq!(
            run("~LST({IP, IP1}, {10,1},{20,4}) 192.${IP}.${IP1}\n", "x"),
            ["192.10.1", "192.20.4"]
        );
        assert_eq!(
            run("~LST(A, 1, 2) ~SEQ(B,1,2) ${A}${B}\n", "x"),
            ["11", "12", "21", "22"]
        );
    }

    #[test]
    fn predefined_hash_and_bang() {
        assert_eq!(run("a \"${_HASH} ${_BANG}\" # c\n", "x"), ["a # !"]);
        assert_eq!(run("a${_HASH}b\n", "x"), ["a"]);
        assert_eq!(run("i ${_INSTANCE}\n", "node1"), ["i node1"]);
    }

    #[test]
    fn self_reference_is_an_error_not_a_hang() {
        let mut sm = SourceMap::new();
        let mut d = Diagnostics::new();
        let opts = Options {
            config_id: "x".into(),
        };
        preprocess_str(Path::new("t"), "$A=${A}x\n${A}\n", &opts, &mut sm, &mut d);
        assert!(d.has_errors());
    }

    #[test]
    fn doubling_definitions_stop_with_an_error_not_a_hang() {
        let mut sm = SourceMap::new();
        let mut d = Diagnostics::new();
        let opts = Options {
            config_id: "x".into(),
        };
        preprocess_str(
            Path::new("t"),
            "$A=${A} ${A}\n${A}\n",
            &opts,
            &mut sm,
            &mut d,
        );
        assert_eq!(d.error_count(), 1);
        let mut d = Diagnostics::new();
        let t = "$X=\n~SEQ(I,1,1000000) ~SEQ(J,1,1000000) $X\n";
        preprocess_str(Path::new("t"), t, &opts, &mut sm, &mut d);
        assert_eq!(d.error_count(), 1);
    }

    #[test]
    fn random_seed_makes_random_repeatable_keepalived_conf5() {
        let t = "random_seed 42\nv ${_RANDOM 1 1000000}\n";
        let mut sm = SourceMap::new();
        let mut d = Diagnostics::new();
        let opts = Options {
            config_id: "x".into(),
        };
        let a = preprocess(Path::new("/nonexistent"), &opts, &mut sm, &mut d);
        assert!(a.is_empty());
        let first = run(t, "x");
        let mut f = std::env::temp_dir();
        f.push(format!("vigil-seed-{}.conf", std::process::id()));
        std::fs::write(&f, t).expect("write");
        let from_file = |sm: &mut SourceMap, d: &mut Diagnostics| {
            preprocess(&f, &opts, sm, d)
                .iter()
                .map(|l| {
                    l.words
                        .iter()
                        .map(|w| w.text.clone())
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .collect::<Vec<_>>()
        };
        let x = from_file(&mut sm, &mut d);
        let y = from_file(&mut sm, &mut d);
        let _ = std::fs::remove_file(&f);
        assert_eq!(x, y);
        assert_eq!(x, first);
    }

    #[test]
    fn brace_expansion() {
        assert_eq!(
            expand_braces("{foo/{,cat,dog},bar}"),
            ["foo/", "foo/cat", "foo/dog", "bar"]
        );
    }
}
