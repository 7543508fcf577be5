//! Splitting one logical line into words, as keepalived's tokenizer does.
//!
//! keepalived.conf(5), "Quoted strings": `"` and `'` delimit quoted parts, which may sit
//! inside a word (`abcd" efg "h` is the one word `abcd efg h`); escapes are recognised in
//! quoted parts. `{` and `}` outside quotes are words of their own, with or without
//! spaces around them (`global_defs{`).

use crate::source::{FileId, Span};

/// One word of a configuration line, quotes removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// The text with quotes removed and escapes resolved.
    pub text: String,
    /// The text as written, quotes included.
    pub raw: String,
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

/// Removes a `#` or `!` comment that starts outside quotes (keepalived.conf(5),
/// DESCRIPTION: comments "can start anywhere in a line").
pub fn strip_comment(line: &str) -> &str {
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match quote {
            Some(q) => {
                if c == '\\' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
            }
            None => match c {
                '"' | '\'' => quote = Some(c),
                '#' | '!' => return &line[..i],
                _ => {}
            },
        }
    }
    line
}

/// Splits `text` into words; see the module documentation for the rules.
pub fn split_words(text: &str, origin: Origin) -> Vec<Word> {
    let mut words = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        if c == '{' || c == '}' {
            words.push(make_word(c.to_string(), c.to_string(), false, start, 1, origin));
            i += 1;
            continue;
        }
        let mut text_out = String::new();
        let mut quoted = false;
        while i < chars.len() {
            let c = chars[i];
            if c.is_whitespace() || c == '{' || c == '}' {
                break;
            }
            if c == '"' || c == '\'' {
                quoted = true;
                let q = c;
                i += 1;
                while i < chars.len() && chars[i] != q {
                    if chars[i] == '\\' && i + 1 < chars.len() {
                        i += 1;
                        i = unescape(&chars, i, &mut text_out);
                    } else {
                        text_out.push(chars[i]);
                        i += 1;
                    }
                }
                i += 1; // closing quote (or end of line for an unterminated one)
                continue;
            }
            text_out.push(c);
            i += 1;
        }
        let end = i.min(chars.len());
        let raw: String = chars[start..end].iter().collect();
        words.push(make_word(
            text_out,
            raw,
            quoted,
            start,
            (end - start) as u32,
            origin,
        ));
    }
    words
}

/// True when a quote in `text` is never closed.
pub fn has_unterminated_quote(text: &str) -> bool {
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for c in text.chars() {
        if escaped {
            escaped = false;
            continue;
        }
        match quote {
            Some(q) if c == '\\' => {
                let _ = q;
                escaped = true;
            }
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None => {}
        }
    }
    quote.is_some()
}

fn make_word(text: String, raw: String, quoted: bool, start: usize, len: u32, o: Origin) -> Word {
    let span = match o.col {
        Some(col) => Span::new(o.file, o.line, col + start as u32, len),
        None => Span::new(o.file, o.line, 1, o.width.max(1)),
    };
    Word {
        text,
        raw,
        quoted,
        span,
    }
}

/// Resolves the escape whose character is at `chars[i]`; returns the index after it.
fn unescape(chars: &[char], i: usize, out: &mut String) -> usize {
    let c = chars[i];
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
        return i + 1;
    }
    match c {
        '0'..='7' => {
            let mut v = 0u32;
            let mut j = i;
            while j < chars.len() && j < i + 3 && ('0'..='7').contains(&chars[j]) {
                v = v * 8 + chars[j] as u32 - '0' as u32;
                j += 1;
            }
            out.push(char::from_u32(v & 0xff).unwrap_or('?'));
            j
        }
        'x' => {
            let mut v = 0u32;
            let mut j = i + 1;
            while j < chars.len() && chars[j].is_ascii_hexdigit() {
                v = (v * 16 + chars[j].to_digit(16).unwrap_or(0)) & 0xff;
                j += 1;
            }
            out.push(char::from_u32(v).unwrap_or('?'));
            j
        }
        'c' if i + 1 < chars.len() => {
            let ctl = (chars[i + 1].to_ascii_uppercase() as u32) ^ 0x40;
            out.push(char::from_u32(ctl).unwrap_or('?'));
            i + 2
        }
        other => {
            out.push(other);
            i + 1
        }
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
    fn quotes_join_and_keep_spaces() {
        // keepalived.conf(5), "Quoted strings".
        assert_eq!(words(r#"abcd" efg h jkl "mnop"#), ["abcd efg h jkl mnop"]);
        assert_eq!(
            words(r#"abcd "efg h jkl" mnop"#),
            ["abcd", "efg h jkl", "mnop"]
        );
        assert_eq!(words(r#""a{b}""#), ["a{b}"]);
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
