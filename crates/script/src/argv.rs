//! Splitting a configured script string into argv, as keepalived 2.2 does.
//!
//! keepalived never hands the configured string to a shell when the script is an
//! executable: `set_script_params_array()` (lib/notify.c) splits it with
//! `alloc_strvec_quoted_escaped()` (lib/parser.c) and `system_call_script()` passes the
//! words to `execve()`. The rules of that splitter:
//!
//! - words are separated by unquoted white space (`" \t\f\n\r\v"`);
//! - `'...'` and `"..."` group, and join with the text next to them (`a"b c"d` is `ab cd`);
//!   `''` is an empty word;
//! - a backslash escapes everywhere, also inside single quotes: `\a \b \E \f \n \r \t \v`,
//!   `\xHH...` (any number of hex digits, kept to the low 8 bits), `\NNN` (up to three
//!   octal digits), `\cC` (C & 0x1f); any other `\C` is C itself (`\\`, `\'`, `\"`, `\ `);
//! - an unterminated quote or a backslash at the very end is an error, and so is a string
//!   with no words: keepalived then drops the script;
//! - a word is cut at an escaped NUL (`\0`, `\x00`), since keepalived copies it with
//!   `strndup()`.
//!
//! `Script::command` in the configuration model is the string keepalived has after its
//! first pass over the configuration line (outer quotes gone, escapes in them resolved);
//! this is the second pass.

use std::ffi::{OsStr, OsString};
use std::fmt;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use vigil_config::lexer::unescape;

/// keepalived's white space (WHITE_SPACE_STR in lib/parser.h).
const WHITE_SPACE: &[u8] = b" \t\x0c\n\r\x0b";

/// Why a script string cannot be split; keepalived drops such a script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SplitError {
    /// Nothing but white space.
    Empty,
    /// A quote (`'` or `"`) that is never closed.
    UnmatchedQuote(char),
    /// A backslash as the last character.
    TrailingBackslash,
}

impl fmt::Display for SplitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SplitError::Empty => write!(f, "the script is empty"),
            SplitError::UnmatchedQuote(q) => write!(f, "missing terminating {q}"),
            SplitError::TrailingBackslash => write!(f, "missing escape character at the end"),
        }
    }
}

impl std::error::Error for SplitError {}

/// A program and its arguments: never empty, no word contains a NUL byte.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Argv {
    words: Vec<Vec<u8>>,
}

impl Argv {
    /// An argv from words; `None` when there are none or a word holds a NUL byte.
    pub fn from_words<W: Into<Vec<u8>>>(words: impl IntoIterator<Item = W>) -> Option<Self> {
        let words: Vec<Vec<u8>> = words.into_iter().map(Into::into).collect();
        if words.is_empty() || words.iter().any(|w| w.contains(&0)) {
            return None;
        }
        Some(Argv { words })
    }

    /// The program: the first word.
    pub fn program(&self) -> &OsStr {
        OsStr::from_bytes(&self.words[0])
    }

    /// All words, the program first.
    pub fn words(&self) -> impl Iterator<Item = &OsStr> {
        self.words.iter().map(|w| OsStr::from_bytes(w))
    }

    /// All words as bytes.
    pub fn bytes(&self) -> &[Vec<u8>] {
        &self.words
    }

    /// The number of words.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// Always false: an argv has a program.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Appends an argument; a NUL byte cuts it, as `strndup()` would.
    pub fn push(&mut self, arg: impl Into<Vec<u8>>) {
        let mut a = arg.into();
        if let Some(n) = a.iter().position(|&b| b == 0) {
            a.truncate(n);
        }
        self.words.push(a);
    }

    /// Replaces the program (keepalived's `replace_cmd_name()` after a PATH search or
    /// `realpath()`).
    pub fn set_program(&mut self, program: &OsStr) {
        let mut p = program.as_bytes().to_vec();
        if let Some(n) = p.iter().position(|&b| b == 0) {
            p.truncate(n);
        }
        self.words[0] = p;
    }

    /// The words as owned OS strings.
    pub fn to_os_strings(&self) -> Vec<OsString> {
        self.words
            .iter()
            .map(|w| OsString::from_vec(w.clone()))
            .collect()
    }
}

impl fmt::Display for Argv {
    /// Words joined by spaces, each in single quotes as keepalived logs them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, w) in self.words.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "'{}'", String::from_utf8_lossy(w))?;
        }
        Ok(())
    }
}

/// Splits a script string into argv by keepalived's rules (see the module comment).
pub fn split_command(command: &str) -> Result<Argv, SplitError> {
    let s = command.as_bytes();
    let mut i = 0;
    let mut quote: Option<u8> = None;
    let mut words = Vec::new();
    loop {
        while i < s.len() && WHITE_SPACE.contains(&s[i]) {
            i += 1;
        }
        if i >= s.len() {
            break;
        }
        let mut word = Vec::new();
        loop {
            let special = |b: u8| match quote {
                Some(q) => b == q || b == b'\\',
                None => WHITE_SPACE.contains(&b) || matches!(b, b'\'' | b'"' | b'\\'),
            };
            let Some(off) = s[i..].iter().position(|&b| special(b)) else {
                if let Some(q) = quote {
                    return Err(SplitError::UnmatchedQuote(q as char));
                }
                word.extend_from_slice(&s[i..]);
                i = s.len();
                break;
            };
            word.extend_from_slice(&s[i..i + off]);
            i += off;
            if s[i] == b'\\' {
                i += 1;
                if i >= s.len() {
                    return Err(SplitError::TrailingBackslash);
                }
                let (b, used) = unescape(&s[i..]);
                word.push(b);
                i += used;
                continue;
            }
            if quote.is_some() {
                // The closing quote.
                quote = None;
                i += 1;
                continue;
            }
            if s[i] == b'\'' || s[i] == b'"' {
                quote = Some(s[i]);
                i += 1;
                continue;
            }
            break; // unquoted white space ends the word
        }
        if let Some(n) = word.iter().position(|&b| b == 0) {
            word.truncate(n);
        }
        words.push(word);
    }
    if words.is_empty() {
        return Err(SplitError::Empty);
    }
    Ok(Argv { words })
}

#[cfg(test)]
mod tests;
