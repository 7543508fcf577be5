//! Splitting one logical line into words, as keepalived's tokenizer does.
//!
//! What keepalived 2.2.7 does (observed with `keepalived -d`, `-t` and gdb on
//! `alloc_strvec_quoted_escaped` / `set_script_params_array`; see the tests):
//!
//! - Comments (`decomment()`): `#` or `!` outside double quotes starts one, also inside
//!   single quotes and glued to a word (`'a#b'` is `'a`); `\#` and `\!` outside double
//!   quotes are a literal `#`/`!`; a backslash also keeps the next character from
//!   toggling the double-quote state.
//! - The line is cut at `{` and `}` outside double quotes (single quotes do not protect
//!   them); here they are words of their own (`global_defs{`).
//! - Words of ordinary keywords (`alloc_strvec()`): `"` delimits a word that runs to the
//!   next `"` with no escapes at all (`"a\x41"` is `a\x41`, `"a\"b"` is `a\` then `b`),
//!   and a quote both ends the word before it and starts a new one (`abc"def ghi"jkl`
//!   is `abc`, `def ghi`, `jkl`). Single quotes and backslashes (other than `\#`, `\!`)
//!   are ordinary characters.
//! - Script keywords (`notify*`, `vrrp_script`'s `script`, `misc_path`, `quorum_up`,
//!   `notify_up`, the FIFO scripts, ...) ignore those words: keepalived splits the whole
//!   line again with `alloc_strvec_quoted_escaped()`, where `'...'` and `"..."` both
//!   group and join with the text next to them, and backslash escapes are resolved
//!   everywhere. Its second word is the command (then user and group), which is split
//!   once more, the same way, into argv when run. [`Word::script_words`] is that first
//!   pass; the lexer keeps each word's raw line segment for it.

use crate::source::{FileId, Span};
use std::fmt;
use std::sync::Arc;

/// One word of a configuration line, quotes removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// The text with quotes removed (and `\#`, `\!` outside quotes resolved).
    pub text: String,
    /// True when any part of the word was quoted.
    pub quoted: bool,
    /// Where the word stands.
    pub span: Span,
    /// The raw text of the line between braces that holds the word (what keepalived's
    /// script keywords split again).
    raw: Arc<str>,
    /// Byte offset of the word in `raw`.
    raw_at: u32,
    /// True when the span's columns are exact (not a whole substituted line).
    exact: bool,
}

impl Word {
    /// True for an unquoted `{`.
    pub fn is_open(&self) -> bool {
        !self.quoted && self.text == "{"
    }

    /// True for an unquoted `}`.
    pub fn is_close(&self) -> bool {
        !self.quoted && self.text == "}"
    }

    /// The raw text from this word to the end of its line or the next `{`/`}` outside
    /// double quotes: the line keepalived hands to a script keyword.
    pub fn raw_rest(&self) -> &str {
        &self.raw[self.raw_at as usize..]
    }

    /// keepalived's first pass over a script statement starting at this word (its
    /// keyword): `alloc_strvec_quoted_escaped()` on the raw line. The first word is the
    /// keyword, the second the command string, then user and group.
    pub fn script_words(&self) -> Result<Vec<ScriptWord>, ScriptLineError> {
        let rest = self.raw_rest();
        split_quoted_escaped(rest)
            .map(|v| {
                v.into_iter()
                    .map(|(text, a, b)| ScriptWord {
                        text,
                        span: self.sub_span(rest, a, b),
                    })
                    .collect()
            })
            .map_err(|(kind, at)| ScriptLineError {
                kind,
                span: self.sub_span(rest, at, rest.len()),
            })
    }

    /// The span of bytes `a..b` of `rest` (this word's raw rest).
    fn sub_span(&self, rest: &str, a: usize, b: usize) -> Span {
        if !self.exact {
            return self.span;
        }
        let col = self.span.col + rest[..a].chars().count() as u32;
        let len = rest[a..b.max(a)].chars().count().max(1) as u32;
        Span::new(self.span.file, self.span.line, col, len)
    }
}

/// One word of keepalived's first pass over a script statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptWord {
    /// Quotes removed, escapes resolved (a NUL cuts the word, as `strndup()` does).
    pub text: String,
    /// Where it stands (the whole line after substitution).
    pub span: Span,
}

/// Why keepalived cannot split a script statement; it then drops the script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptLineError {
    /// What went wrong.
    pub kind: ScriptLineErrorKind,
    /// From where it went wrong to the end of the statement.
    pub span: Span,
}

/// The two ways `alloc_strvec_quoted_escaped()` fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScriptLineErrorKind {
    /// A `'` or `"` never closed.
    UnmatchedQuote(char),
    /// A backslash as the last character.
    TrailingBackslash,
}

impl fmt::Display for ScriptLineErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScriptLineErrorKind::UnmatchedQuote(q) => write!(f, "missing terminating {q}"),
            ScriptLineErrorKind::TrailingBackslash => {
                write!(f, "missing escape character at the end")
            }
        }
    }
}

/// Where the words of a line come from: exact columns, or a whole line after substitution.
#[derive(Debug, Clone, Copy)]
pub struct Origin {
    /// File of the physical line.
    pub file: FileId,
    /// 1-based physical line number.
    pub line: u32,
    /// Column (1-based, characters) of the text's first character when the text is an
    /// unmodified part of the physical line; `None` after substitution.
    pub col: Option<u32>,
    /// Length of the physical line's content, for spans of substituted text.
    pub width: u32,
}

/// Removes a `#` or `!` comment that starts outside double quotes, as keepalived's
/// `decomment()` does: single quotes do not protect; `\#` and `\!` outside quotes are
/// literal characters, and a backslash keeps the next character (also `"`) from
/// counting.
pub fn strip_comment(line: &str) -> &str {
    let mut in_quote = false;
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' => escaped = true,
            '"' => in_quote = !in_quote,
            '#' | '!' if !in_quote => return &line[..i],
            _ => {}
        }
    }
    line
}

/// Splits `text` into words; see the module documentation for the rules.
pub fn split_words(text: &str, origin: Origin) -> Vec<Word> {
    // (text, quoted, start, end) in bytes of `text`.
    let mut toks: Vec<(String, bool, usize, usize)> = Vec::with_capacity(4);
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        if c == b'{' || c == b'}' {
            let t = if c == b'{' { "{" } else { "}" };
            toks.push((t.to_string(), false, start, start + 1));
            i += 1;
            continue;
        }
        if c == b'"' {
            // A quoted word runs to the next quote (or the end of the line); keepalived
            // resolves no escapes in it.
            let end = match text[i + 1..].find('"') {
                Some(off) => i + 1 + off + 1,
                None => text.len(),
            };
            let inner_end = if end > i + 1 && bytes[end - 1] == b'"' {
                end - 1
            } else {
                end
            };
            toks.push((text[i + 1..inner_end].to_string(), true, start, end));
            i = end;
            continue;
        }
        // A plain word: up to white space, a brace or a quote.
        let mut j = i;
        let mut has_escape = false;
        while j < bytes.len()
            && !matches!(bytes[j], b'{' | b'}' | b'"')
            && !bytes[j].is_ascii_whitespace()
        {
            if bytes[j] == b'\\' && matches!(bytes.get(j + 1), Some(b'#' | b'!')) {
                has_escape = true;
                j += 1;
            }
            j += 1;
        }
        let w = &text[i..j];
        let t = if has_escape {
            w.replace("\\#", "#").replace("\\!", "!")
        } else {
            w.to_string()
        };
        toks.push((t, false, start, j));
        i = j;
    }
    make_words(text, toks, origin)
}

/// Words from tokens, with their raw segments (the text between braces).
fn make_words(text: &str, toks: Vec<(String, bool, usize, usize)>, o: Origin) -> Vec<Word> {
    let ascii = text.is_ascii();
    // Column of byte offset `i`, counted in characters.
    let col_of = |i: usize| -> u32 {
        if ascii {
            i as u32
        } else {
            text[..i].chars().count() as u32
        }
    };
    let is_brace = |t: &(String, bool, usize, usize)| !t.1 && (t.0 == "{" || t.0 == "}");
    let mut words = Vec::with_capacity(toks.len());
    let mut seg: Option<(Arc<str>, usize, usize)> = None; // (raw, start, end)
    for (k, tok) in toks.iter().enumerate() {
        let (raw, raw_at) = if is_brace(tok) {
            (Arc::from(&text[tok.2..tok.3]), 0)
        } else {
            let fresh = !matches!(&seg, Some((_, s, e)) if *s <= tok.2 && tok.2 < *e);
            if fresh {
                let s = if k > 0 && is_brace(&toks[k - 1]) {
                    toks[k - 1].3
                } else {
                    tok.2
                };
                let e = toks[k..]
                    .iter()
                    .find(|t| is_brace(t))
                    .map_or(text.len(), |t| t.2);
                seg = Some((Arc::from(&text[s..e]), s, e));
            }
            let (r, s, _) = seg.as_ref().expect("segment set above");
            (Arc::clone(r), (tok.2 - s) as u32)
        };
        let len = col_of(tok.3) - col_of(tok.2);
        let span = match o.col {
            Some(col) => Span::new(o.file, o.line, col + col_of(tok.2), len),
            None => Span::new(o.file, o.line, 1, o.width.max(1)),
        };
        words.push(Word {
            text: tok.0.clone(),
            quoted: tok.1,
            span,
            raw,
            raw_at,
            exact: o.col.is_some(),
        });
    }
    words
}

/// True when a double quote in `text` is never closed (keepalived looks for the next
/// `"`; a backslash does not escape it).
pub fn has_unterminated_quote(text: &str) -> bool {
    text.chars().filter(|&c| c == '"').count() % 2 == 1
}

/// keepalived's white space (WHITE_SPACE_STR in lib/parser.c).
const WHITE_SPACE: &[u8] = b" \t\x0c\n\r\x0b";

/// Words with their byte ranges, or the error and the byte offset where it starts.
type SplitResult = Result<Vec<(String, usize, usize)>, (ScriptLineErrorKind, usize)>;

/// `alloc_strvec_quoted_escaped()` (lib/parser.c): words separated by white space
/// outside quotes; `'...'` and `"..."` group and join with the text next to them; a
/// backslash escapes everywhere, also in single quotes.
fn split_quoted_escaped(s: &str) -> SplitResult {
    let b = s.as_bytes();
    let mut i = 0;
    let mut words = Vec::new();
    loop {
        while i < b.len() && WHITE_SPACE.contains(&b[i]) {
            i += 1;
        }
        if i >= b.len() {
            break;
        }
        let start = i;
        let mut word: Vec<u8> = Vec::new();
        let mut quote: Option<(u8, usize)> = None;
        loop {
            let special = |c: u8| match quote {
                Some((q, _)) => c == q || c == b'\\',
                None => WHITE_SPACE.contains(&c) || matches!(c, b'\'' | b'"' | b'\\'),
            };
            let Some(off) = b[i..].iter().position(|&c| special(c)) else {
                if let Some((q, at)) = quote {
                    return Err((ScriptLineErrorKind::UnmatchedQuote(q as char), at));
                }
                word.extend_from_slice(&b[i..]);
                i = b.len();
                break;
            };
            word.extend_from_slice(&b[i..i + off]);
            i += off;
            if b[i] == b'\\' {
                if i + 1 >= b.len() {
                    return Err((ScriptLineErrorKind::TrailingBackslash, i));
                }
                let (c, used) = unescape(&b[i + 1..]);
                word.push(c);
                i += 1 + used;
                continue;
            }
            if quote.is_some() {
                quote = None; // the closing quote
                i += 1;
                continue;
            }
            if b[i] == b'\'' || b[i] == b'"' {
                quote = Some((b[i], i));
                i += 1;
                continue;
            }
            break; // white space outside quotes ends the word
        }
        if let Some(n) = word.iter().position(|&c| c == 0) {
            word.truncate(n);
        }
        words.push((String::from_utf8_lossy(&word).into_owned(), start, i));
    }
    Ok(words)
}

/// One escape after a backslash (keepalived.conf(5), "Quoted strings"): the byte it
/// stands for and how many bytes of `s` (which starts right after the backslash) it
/// used. Shared with the script runner's argv splitting, which follows the same rules.
/// An empty `s` gives a backslash and 0.
pub fn unescape(s: &[u8]) -> (u8, usize) {
    let Some(&c) = s.first() else {
        return (b'\\', 0);
    };
    let next = s.get(1).copied();
    match c {
        b'x' if next.is_some_and(|n| n.is_ascii_hexdigit()) => {
            let mut v: u8 = 0;
            let mut n = 1;
            while let Some(d) = s.get(n).and_then(|&b| (b as char).to_digit(16)) {
                v = (v << 4) | d as u8;
                n += 1;
            }
            (v, n)
        }
        b'c' if next.is_some() => (next.unwrap_or(0) & 0x1f, 2),
        b'0'..=b'7' => {
            let mut v = c - b'0';
            let mut n = 1;
            while n < 3 {
                match s.get(n) {
                    Some(&d @ b'0'..=b'7') => {
                        v = (v << 3).wrapping_add(d - b'0');
                        n += 1;
                    }
                    _ => break,
                }
            }
            (v, n)
        }
        b'a' => (0x07, 1),
        b'b' => (0x08, 1),
        b'E' => (0x1b, 1),
        b'f' => (0x0c, 1),
        b'n' => (b'\n', 1),
        b'r' => (b'\r', 1),
        b't' => (b'\t', 1),
        b'v' => (0x0b, 1),
        other => (other, 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin(s: &str) -> Origin {
        Origin {
            file: FileId(0),
            line: 1,
            col: Some(1),
            width: s.len() as u32,
        }
    }

    fn words(s: &str) -> Vec<String> {
        split_words(s, origin(s))
            .into_iter()
            .map(|w| w.text)
            .collect()
    }

    /// keepalived's first pass over a script statement starting at the first word.
    fn script(s: &str) -> Result<Vec<String>, ScriptLineErrorKind> {
        let w = split_words(s, origin(s));
        w[0].script_words()
            .map(|v| v.into_iter().map(|w| w.text).collect())
            .map_err(|e| e.kind)
    }

    #[test]
    fn braces_are_words_without_spaces() {
        assert_eq!(words("global_defs{"), ["global_defs", "{"]);
        assert_eq!(words("a{b}c"), ["a", "{", "b", "}", "c"]);
    }

    #[test]
    fn quotes_delimit_words_and_keep_spaces() {
        // keepalived 2.2.7 observed: `router_id abc"def ghi"jkl` sets router_id `abc`;
        // `router_id ab"cd ef"gh` sets `ab`; `router_id "a b"c` sets `a b`.
        assert_eq!(words(r#"abc"def ghi"jkl"#), ["abc", "def ghi", "jkl"]);
        assert_eq!(
            words(r#"abcd "efg h jkl" mnop"#),
            ["abcd", "efg h jkl", "mnop"]
        );
        assert_eq!(words(r#""a b"c"#), ["a b", "c"]);
        assert_eq!(words(r#""a{b}""#), ["a{b}"]);
    }

    #[test]
    fn single_quotes_are_ordinary_in_other_keywords() {
        // keepalived 2.2.7 observed (-d dump): `router_id 'a b'` sets `'a`,
        // `router_id a'b'c` sets `a'b'c`.
        assert_eq!(words("'a b'"), ["'a", "b'"]);
        assert_eq!(words("a'b'c"), ["a'b'c"]);
    }

    #[test]
    fn no_escapes_in_double_quotes() {
        // keepalived 2.2.7 observed: `router_id "a\x41b"` sets `a\x41b`,
        // `router_id "a\#b"` sets `a\#b`, `router_id "a\\"b` sets `a\\`, and
        // `router_id "a\"b" c` sets `a\` (then "Unmatched quote" for the rest).
        assert_eq!(words(r#""a\x41b""#), [r"a\x41b"]);
        assert_eq!(words(r#""a\#b""#), [r"a\#b"]);
        assert_eq!(words(r#""a\\"b"#), [r"a\\", "b"]);
        assert_eq!(words(r#""a\"b" c"#)[0], r"a\");
        assert!(!has_unterminated_quote(r#""a\\"b"#));
        assert!(has_unterminated_quote(r#""a\"b" c"#));
    }

    #[test]
    fn backslashes_outside_quotes() {
        // keepalived 2.2.7 observed: `router_id a\x41b` sets `a\x41b`, `a\\b` sets
        // `a\\b`; only `\#` and `\!` lose the backslash (`a\#b` is `a#b`, `\!b` is `!b`).
        assert_eq!(words(r"a\x41b"), [r"a\x41b"]);
        assert_eq!(words(r"a\\b"), [r"a\\b"]);
        assert_eq!(words(r"a\#b"), ["a#b"]);
        assert_eq!(words(r"\!b"), ["!b"]);
    }

    #[test]
    fn comments_start_anywhere_outside_double_quotes() {
        assert_eq!(strip_comment("a b # c"), "a b ");
        assert_eq!(strip_comment("a!b"), "a");
        // keepalived 2.2.7 observed: `router_id "a#b"` and `"a!b"` keep the `#`/`!`;
        // `router_id a"b#c"d` sets `a`.
        assert_eq!(strip_comment(r#"x "a#b" ! c"#), r#"x "a#b" "#);
        // Single quotes do not protect (observed: `router_id 'a#b'` sets `'a`, and
        // `notify_master '/bin/echo a#b'` fails with "missing terminating '"); `\#` does.
        assert_eq!(strip_comment("'a#b'"), "'a");
        assert_eq!(strip_comment(r"a\#b"), r"a\#b");
        // A comment glued to a closing quote (observed: `script "/x a"# c` is `/x a`).
        assert_eq!(strip_comment(r##""/x a"# c"##), r#""/x a""#);
        // decomment(): a backslash keeps `"` from opening a quote.
        assert_eq!(strip_comment(r#"a\"b # c""#), r#"a\"b "#);
    }

    #[test]
    fn script_lines_group_single_and_double_quotes() {
        // keepalived 2.2.7 observed (-d dump and gdb on set_script_params_array):
        // `notify_master '/bin/echo a'` runs '/usr/bin/echo' 'a': the command is
        // `/bin/echo a`.
        assert_eq!(
            script("notify_master '/bin/echo a'").expect("split"),
            ["notify_master", "/bin/echo a"]
        );
        // `notify_backup "/bin/echo 'b c'" root`: command `/bin/echo 'b c'`, user root.
        assert_eq!(
            script(r#"notify_backup "/bin/echo 'b c'" root"#).expect("split"),
            ["notify_backup", "/bin/echo 'b c'", "root"]
        );
        // `notify_master '/bin/echo "b c"'` runs echo with `b c`.
        assert_eq!(
            script(r#"x '/bin/echo "b c"'"#).expect("split")[1],
            r#"/bin/echo "b c""#
        );
        // Quotes in the middle of a word join: `/bin/ec'ho a'` is `/bin/echo a`;
        // `"/bin/ec"ho` is `/bin/echo`; `"/x a"x'b c'` is `/x axb c`.
        assert_eq!(script("x /bin/ec'ho a'").expect("split")[1], "/bin/echo a");
        assert_eq!(script(r#"x "/bin/ec"ho"#).expect("split")[1], "/bin/echo");
        assert_eq!(script(r#"x "/x a"x'b c'"#).expect("split")[1], "/x axb c");
        // `script /bin/echo a`: `a` is a further word (keepalived ignores it or takes it
        // as the user).
        assert_eq!(
            script("script /bin/echo a").expect("split"),
            ["script", "/bin/echo", "a"]
        );
    }

    #[test]
    fn script_lines_resolve_escapes_everywhere() {
        // keepalived 2.2.7 observed: `"/bin/echo \x41"` and `'/bin/echo \x41'` run echo
        // with `A`; `/bin/echo\ a` is `/bin/echo a`; `"/bin/echo \#b"` gives `#b`;
        // `"/x \"a\" b"` is `/x "a" b`; `/x\x41 b` is `/xA` then `b`; in
        // `"/bin/echo a\\\\ b"` the first pass leaves `a\\ b` (argv `a\` and `b`).
        assert_eq!(
            script(r#"x "/bin/echo \x41""#).expect("split")[1],
            "/bin/echo A"
        );
        assert_eq!(
            script(r"x '/bin/echo \x41'").expect("split")[1],
            "/bin/echo A"
        );
        assert_eq!(script(r"x /bin/echo\ a").expect("split")[1], "/bin/echo a");
        assert_eq!(
            script(r#"x "/bin/echo \#b""#).expect("split")[1],
            "/bin/echo #b"
        );
        assert_eq!(
            script(r#"x "/x \"a\" b""#).expect("split")[1],
            r#"/x "a" b"#
        );
        assert_eq!(script(r"x /x\x41 b").expect("split"), ["x", "/xA", "b"]);
        assert_eq!(
            script(r#"x "/bin/echo a\\\\ b""#).expect("split")[1],
            r"/bin/echo a\\ b"
        );
        // A NUL cuts the word (strndup()).
        assert_eq!(script(r"x a\0b").expect("split")[1], "a");
    }

    #[test]
    fn script_lines_end_at_comments_and_braces() {
        // keepalived 2.2.7 observed: `notify_master '/bin/echo a#b'` and
        // `notify_master '/bin/echo {a}'` fail with "String '...': missing terminating '"
        // (the comment, and the line cut at `{`, end the statement inside the quotes);
        // inside double quotes both are kept (`"/bin/echo a#b"`, `"/bin/echo {a}"`).
        let cut = strip_comment("notify_master '/bin/echo a#b'");
        assert_eq!(script(cut), Err(ScriptLineErrorKind::UnmatchedQuote('\'')));
        assert_eq!(
            script("notify_master '/bin/echo {a}'"),
            Err(ScriptLineErrorKind::UnmatchedQuote('\''))
        );
        assert_eq!(
            script(r#"x "/bin/echo {a}""#).expect("split")[1],
            "/bin/echo {a}"
        );
        assert_eq!(
            script(r#"x "/bin/echo a#b""#).expect("split")[1],
            "/bin/echo a#b"
        );
        // keepalived 2.2.7 (gdb): in `vrrp_script chk { script '/x a' }` the script
        // line is `script '/x a'`.
        let w = split_words("chk { script '/x a' }", origin("chk { script '/x a' }"));
        assert_eq!(w[2].raw_rest().trim_end(), "script '/x a'");
        let sw = w[2].script_words().expect("split");
        assert_eq!(sw[1].text, "/x a");
        assert_eq!((sw[1].span.col, sw[1].span.len), (14, 6));
        assert_eq!(
            script(r"x /bin/echo\"),
            Err(ScriptLineErrorKind::TrailingBackslash)
        );
    }

    #[test]
    fn columns_are_exact() {
        let o = Origin {
            file: FileId(0),
            line: 3,
            col: Some(5),
            width: 10,
        };
        let w = split_words("ab  cd", o);
        assert_eq!((w[0].span.col, w[1].span.col, w[1].span.len), (5, 9, 2));
        let w = split_words("é \"ü b\" c", o);
        assert_eq!((w[1].span.col, w[1].span.len, w[2].span.col), (7, 5, 13));
    }

    // ----- end to end: the `Script.command` keepalived hands to its script splitter -----

    fn load(text: &str) -> crate::Loaded {
        let opts = crate::Options {
            config_id: "n".into(),
        };
        crate::load_str(std::path::Path::new("t.conf"), text, &opts)
    }

    const HEAD: &str = "global_defs {\n script_user root\n enable_script_security\n}\n";

    fn instance(lines: &str) -> String {
        format!(
            "{HEAD}vrrp_instance VI_1 {{\n interface eth0\n virtual_router_id 51\n priority 100\n virtual_ipaddress {{\n  192.0.2.10/24\n }}\n{lines}\n}}\n"
        )
    }

    #[test]
    fn end_to_end_notify_scripts() {
        // keepalived 2.2.7 observed (-d dump): `notify_master '/bin/echo a'` runs
        // '/usr/bin/echo' 'a'; `notify_backup "/bin/echo 'b c'" root` runs
        // '/usr/bin/echo' 'b c' as uid 0; `notify_fault /bin/ec'ho a'` runs echo with `a`.
        let l = load(&instance(
            " notify_master '/bin/echo a'\n notify_backup \"/bin/echo 'b c'\" root\n notify_fault /bin/ec'ho a' 'root'\n notify_stop \"/bin/echo \\x41 \\#b\"",
        ));
        assert!(l.is_valid(), "{}", l.diags.render(&l.sources));
        let n = &l.config.vrrp.instances[0].notify;
        let m = n.master.as_ref().expect("split");
        assert_eq!(
            (m.command.as_str(), m.user.as_deref()),
            ("/bin/echo a", None)
        );
        let b = n.backup.as_ref().expect("split");
        assert_eq!(b.command, "/bin/echo 'b c'");
        assert_eq!(b.user.as_deref(), Some("root"));
        let f = n.fault.as_ref().expect("split");
        assert_eq!(
            (f.command.as_str(), f.user.as_deref()),
            ("/bin/echo a", Some("root"))
        );
        assert_eq!(n.stop.as_ref().expect("split").command, "/bin/echo A #b");
    }

    #[test]
    fn end_to_end_comment_or_brace_in_single_quotes_is_an_error() {
        // keepalived 2.2.7 observed: "String 'notify_master '/bin/echo a': missing
        // terminating '" and "Unable to parse notify script"; the script is dropped.
        let l = load(&instance(" notify_master '/bin/echo a#b'"));
        assert!(!l.is_valid());
        assert!(l.config.vrrp.instances[0].notify.master.is_none());
        let msg = &l.diags.iter().next().expect("split").message;
        assert!(msg.contains("missing terminating '"), "{msg}");
        // Inside double quotes both are kept.
        let l = load(&instance(" notify_master \"/bin/echo a#b {c}\""));
        assert!(l.is_valid(), "{}", l.diags.render(&l.sources));
        let m = l.config.vrrp.instances[0]
            .notify
            .master
            .as_ref()
            .expect("split");
        assert_eq!(m.command, "/bin/echo a#b {c}");
    }

    #[test]
    fn end_to_end_vrrp_script_and_misc_path() {
        // keepalived 2.2.7 observed: `script '/bin/echo a'` runs '/usr/bin/echo' 'a';
        // `script /bin/echo a` runs '/usr/bin/echo' alone (gdb: `misc_path /x a` hands
        // `/x` to set_script_params_array too).
        let text = format!(
            "{HEAD}vrrp_script chk {{ script '/bin/echo \"b c\"' }}\nvrrp_script chk2 {{\n script /bin/echo a\n}}\n\
             virtual_server 192.0.2.100 80 {{\n lvs_sched rr\n lvs_method NAT\n protocol TCP\n real_server 192.0.2.2 80 {{\n  MISC_CHECK {{\n   misc_path '/bin/check -x' ignored\n  }}\n }}\n}}\n"
        );
        let l = load(&text);
        assert_eq!(l.diags.error_count(), 0, "{}", l.diags.render(&l.sources));
        let s = &l.config.vrrp.scripts;
        assert_eq!(s[0].script.command, r#"/bin/echo "b c""#);
        assert_eq!(s[1].script.command, "/bin/echo");
        let rs = &l.config.lvs.virtual_servers[0].real_servers[0];
        let crate::model::check::Checker::Misc(m) = &rs.checkers[0] else {
            panic!("not a MISC_CHECK")
        };
        assert_eq!(m.script.command, "/bin/check -x");
        // Both ignored words are warned about.
        assert_eq!(l.diags.warning_count(), 2, "{}", l.diags.render(&l.sources));
    }

    #[test]
    fn end_to_end_ordinary_keywords_keep_quotes_and_backslashes() {
        // keepalived 2.2.7 observed (-d dump): `router_id 'a#b'` is `'a`,
        // `router_id "a\x41b"` is `a\x41b`.
        let l = load("global_defs {\n router_id 'a#b'\n}\n");
        assert_eq!(l.config.global.router_id.as_deref(), Some("'a"));
        let l = load("global_defs {\n router_id \"a\\x41b\"\n}\n");
        assert_eq!(l.config.global.router_id.as_deref(), Some(r"a\x41b"));
    }
}
