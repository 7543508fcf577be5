//! Splitting one logical line into words, as keepalived's tokenizer does.
//!
//! As keepalived 2.2.7 does it (observed with `keepalived -t`; the man page's "Quoted
//! strings" section describes more than the tokenizer does): `"` delimits a quoted word,
//! and a quote both ends the word before it and starts a new one (`abc"def ghi"jkl` is
//! `abc`, `def ghi`, `jkl`); escapes are resolved inside quotes. Single quotes are
//! ordinary characters here: script strings are split again, shell-style, when run.
//! `{` and `}` outside quotes are words of their own, with or without spaces around
//! them (`global_defs{`).

use crate::source::{FileId, Span};

/// One word of a configuration line, quotes removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// The text with quotes removed and escapes resolved.
    pub text: String,
    /// True when any part of the word was quoted.
    pub quoted: bool,
    /// Where the word stands.
    pub span: Span,
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

/// Removes a `#` or `!` comment that starts outside double quotes (keepalived.conf(5),
/// DESCRIPTION: comments "can start anywhere in a line"); `\#` and `\!` outside quotes
/// are literal characters.
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
    let mut words = Vec::with_capacity(4);
    let bytes = text.as_bytes();
    let ascii = text.is_ascii();
    // Column of byte offset `i`, counted in characters.
    let col_of = |i: usize| -> usize {
        if ascii {
            i
        } else {
            text[..i].chars().count()
        }
    };
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
            words.push(make_word(t.to_string(), false, col_of(start), 1, origin));
            i += 1;
            continue;
        }
        if c == b'"' {
            // A quoted word runs to the closing quote (or the end of the line).
            let mut out = String::new();
            let mut chars = text[i + 1..].char_indices().peekable();
            let mut end = text.len();
            while let Some((off, c)) = chars.next() {
                match c {
                    '"' => {
                        end = i + 1 + off + 1;
                        break;
                    }
                    '\\' => match chars.next() {
                        Some((_, e)) => unescape(e, &mut chars, &mut out),
                        None => out.push('\\'),
                    },
                    c => out.push(c),
                }
            }
            let len = text[start..end].chars().count() as u32;
            words.push(make_word(out, true, col_of(start), len, origin));
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
        let len = if ascii { w.len() } else { w.chars().count() };
        let t = if has_escape {
            w.replace("\\#", "#").replace("\\!", "!")
        } else {
            w.to_string()
        };
        words.push(make_word(t, false, col_of(start), len as u32, origin));
        i = j;
    }
    words
}

/// True when a double quote in `text` is never closed.
pub fn has_unterminated_quote(text: &str) -> bool {
    let mut in_quote = false;
    let mut escaped = false;
    for c in text.chars() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' if in_quote => escaped = true,
            '"' => in_quote = !in_quote,
            _ => {}
        }
    }
    in_quote
}

fn make_word(text: String, quoted: bool, start: usize, len: u32, o: Origin) -> Word {
    let span = match o.col {
        Some(col) => Span::new(o.file, o.line, col + start as u32, len),
        None => Span::new(o.file, o.line, 1, o.width.max(1)),
    };
    Word { text, quoted, span }
}

type CharIter<'a> = std::iter::Peekable<std::str::CharIndices<'a>>;

/// Resolves the escape introduced by `\c` (keepalived.conf(5), "Quoted strings").
fn unescape(c: char, rest: &mut CharIter<'_>, out: &mut String) {
    let simple = match c {
        'a' => Some('\x07'),
        'b' => Some('\x08'),
        'E' => Some('\x1b'),
        'f' => Some('\x0c'),
        'n' => Some('\n'),
        'r' => Some('\r'),
        't' => Some('\t'),
        'v' => Some('\x0b'),
        _ => None,
    };
    if let Some(s) = simple {
        out.push(s);
        return;
    }
    match c {
        '0'..='7' => {
            let mut v = c as u32 - '0' as u32;
            for _ in 0..2 {
                match rest.peek() {
                    Some((_, d @ '0'..='7')) => {
                        v = v * 8 + (*d as u32 - '0' as u32);
                        rest.next();
                    }
                    _ => break,
                }
            }
            out.push(char::from_u32(v & 0xff).unwrap_or('?'));
        }
        'x' => {
            let mut v = 0u32;
            while let Some((_, d)) = rest.peek() {
                let Some(n) = d.to_digit(16) else { break };
                v = (v * 16 + n) & 0xff;
                rest.next();
            }
            out.push(char::from_u32(v).unwrap_or('?'));
        }
        'c' => match rest.next() {
            Some((_, k)) => {
                let ctl = (k.to_ascii_uppercase() as u32) ^ 0x40;
                out.push(char::from_u32(ctl).unwrap_or('?'));
            }
            None => out.push('c'),
        },
        other => out.push(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        let o = Origin {
            file: FileId(0),
            line: 1,
            col: Some(1),
            width: s.len() as u32,
        };
        split_words(s, o).into_iter().map(|w| w.text).collect()
    }

    #[test]
    fn braces_are_words_without_spaces() {
        assert_eq!(words("global_defs{"), ["global_defs", "{"]);
        assert_eq!(words("a{b}c"), ["a", "{", "b", "}", "c"]);
    }

    #[test]
    fn quotes_delimit_words_and_keep_spaces() {
        // keepalived 2.2.7 observed: `router_id abc"def ghi"jkl` sets router_id `abc`.
        assert_eq!(words(r#"abc"def ghi"jkl"#), ["abc", "def ghi", "jkl"]);
        assert_eq!(
            words(r#"abcd "efg h jkl" mnop"#),
            ["abcd", "efg h jkl", "mnop"]
        );
        assert_eq!(words(r#""a{b}""#), ["a{b}"]);
        assert_eq!(words("'a b'"), ["'a", "b'"]);
    }

    #[test]
    fn escapes_in_quotes() {
        assert_eq!(words(r#""a\tb\x41\101\"c""#), ["a\tbAA\"c"]);
    }

    #[test]
    fn comments_start_anywhere_outside_quotes() {
        assert_eq!(strip_comment("a b # c"), "a b ");
        assert_eq!(strip_comment("a!b"), "a");
        assert_eq!(strip_comment(r#"x "a#b" ! c"#), r#"x "a#b" "#);
        // Single quotes do not protect (keepalived 2.2.7 observed); `\#` does.
        assert_eq!(strip_comment("'a#b'"), "'a");
        assert_eq!(strip_comment(r"a\#b"), r"a\#b");
        assert_eq!(words(r"a\#b"), ["a#b"]);
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
    }
}
