//! The canonical printer: a model back to keepalived.conf text that parses to the
//! same model (`vigild --print-config`).

pub mod check;
mod global;
pub mod ipaddr;
mod lvs;
mod vrrp;

use crate::model::Config;
use std::fmt::Display;

/// Builds indented configuration text.
#[derive(Debug, Default)]
pub struct Printer {
    out: String,
    depth: usize,
}

impl Printer {
    /// An empty printer.
    pub fn new() -> Self {
        Self::default()
    }

    /// `keyword arg arg` on one line; arguments are quoted where needed.
    pub fn line<I, S>(&mut self, keyword: &str, args: I)
    where
        I: IntoIterator<Item = S>,
        S: Display,
    {
        self.head(keyword, args);
        self.out.push('\n');
    }

    /// Indentation, `keyword` and its quoted arguments, without the line end.
    fn head<I, S>(&mut self, keyword: &str, args: I)
    where
        I: IntoIterator<Item = S>,
        S: Display,
    {
        self.indent();
        self.out.push_str(keyword);
        for a in args {
            self.out.push(' ');
            self.out.push_str(&quote(&a.to_string()));
        }
    }

    /// A script keyword's line: `keyword COMMAND [USER [GROUP]]`, quoted for keepalived's
    /// script re-split.
    pub fn script_line<I, S>(&mut self, keyword: &str, args: I)
    where
        I: IntoIterator<Item = S>,
        S: Display,
    {
        self.indent();
        self.out.push_str(keyword);
        for a in args {
            self.out.push(' ');
            self.out.push_str(&quote_script(&a.to_string()));
        }
        self.out.push('\n');
    }

    /// `keyword` alone.
    pub fn word(&mut self, keyword: &str) {
        self.line(keyword, std::iter::empty::<&str>());
    }

    /// `keyword value`.
    pub fn value(&mut self, keyword: &str, value: impl Display) {
        self.line(keyword, [value]);
    }

    /// `keyword value` when `value` is set.
    pub fn opt<T: Display>(&mut self, keyword: &str, value: &Option<T>) {
        if let Some(v) = value {
            self.value(keyword, v);
        }
    }

    /// `keyword` alone when `on`.
    pub fn flag(&mut self, keyword: &str, on: bool) {
        if on {
            self.word(keyword);
        }
    }

    /// `keyword value` when it differs from `default`.
    pub fn non_default<T: Display + PartialEq>(&mut self, keyword: &str, value: &T, default: &T) {
        if value != default {
            self.value(keyword, value);
        }
    }

    /// `keyword arg... {` and one level deeper.
    pub fn open<I, S>(&mut self, keyword: &str, args: I)
    where
        I: IntoIterator<Item = S>,
        S: Display,
    {
        self.head(keyword, args);
        self.out.push_str(" {\n");
        self.depth += 1;
    }

    /// `keyword {` with no arguments.
    pub fn open_block(&mut self, keyword: &str) {
        self.open(keyword, std::iter::empty::<&str>());
    }

    /// `}` and one level up.
    pub fn close(&mut self) {
        self.depth = self.depth.saturating_sub(1);
        self.indent();
        self.out.push_str("}\n");
    }

    /// A blank line between top-level blocks.
    pub fn blank(&mut self) {
        self.out.push('\n');
    }

    /// Raw words (already quoted as needed) on one line: block contents such as
    /// `192.0.2.1/24 dev eth0`.
    pub fn words<I, S>(&mut self, words: I)
    where
        I: IntoIterator<Item = S>,
        S: Display,
    {
        self.indent();
        let mut first = true;
        for w in words {
            if !first {
                self.out.push(' ');
            }
            first = false;
            self.out.push_str(&quote(&w.to_string()));
        }
        self.out.push('\n');
    }

    fn indent(&mut self) {
        for _ in 0..self.depth {
            self.out.push_str("    ");
        }
    }

    /// The text printed so far.
    pub fn finish(self) -> String {
        self.out
    }
}

/// Writes an ordinary word so that keepalived's first tokenizer reads it back unchanged:
/// plain when it can be, else in double quotes, inside which keepalived resolves no
/// escapes (lexer.rs). A parsed ordinary word never contains `"`.
pub fn quote(s: &str) -> String {
    let needs = s.is_empty()
        || s.starts_with(['@', '~'])
        || s.chars().any(|c| {
            c.is_whitespace() || c.is_control() || matches!(c, '"' | '#' | '!' | '{' | '}' | '$')
        });
    if needs {
        format!("\"{s}\"")
    } else {
        s.to_string()
    }
}

/// Writes a word of a script keyword (notify*, script, misc_path, regex, ...), which
/// keepalived splits again from the raw line resolving escapes (lexer.rs
/// `script_words`): double quotes with `\\`, `\"` and `\$` escaped.
pub fn quote_script(s: &str) -> String {
    let needs = s.is_empty()
        || s.chars().any(|c| {
            c.is_whitespace()
                || c.is_control()
                || matches!(
                    c,
                    '"' | '\'' | '#' | '!' | '{' | '}' | '\\' | '$' | '@' | '~'
                )
        });
    if !needs {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            // The preprocessor leaves `\$` alone, so no definition is substituted.
            '$' => out.push_str("\\$"),
            c if c.is_control() => out.push_str(&format!("\\{:03o}", c as u32 & 0xff)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The whole configuration, canonically laid out.
pub fn print_config(cfg: &Config) -> String {
    let mut p = Printer::new();
    global::print(cfg, &mut p);
    // bfd_instance before VRRP: keepalived resolves `track_bfd` as it reads.
    check::print(cfg, &mut p);
    vrrp::print(cfg, &mut p);
    lvs::print(cfg, &mut p);
    p.finish()
}

#[cfg(test)]
mod tests {
    use crate::{load_str, Options};
    use std::path::Path;

    fn round_trip(text: &str) {
        let opts = Options {
            config_id: "x".into(),
        };
        let a = load_str(Path::new("a.conf"), text, &opts);
        assert!(a.is_valid(), "{}", a.diags.render_short(&a.sources));
        let printed = super::print_config(&a.config);
        let b = load_str(Path::new("b.conf"), &printed, &opts);
        assert!(b.is_valid(), "{printed}");
        assert_eq!(a.config, b.config, "{printed}");
    }

    #[test]
    fn ordinary_words_keep_backslashes_and_comment_characters() {
        // keepalived resolves no escapes in ordinary words (lexer.rs); `\#` is a `#`.
        round_trip("global_defs {\n  router_id a\\b\\#c\n  notification_email_from \"x y!\"\n}\n");
    }

    #[test]
    fn script_words_keep_quotes_backslashes_and_dollars() {
        round_trip(
            "global_defs {\n  script_user root\n  enable_script_security\n}\n\
             vrrp_script s {\n  script \"/bin/echo a\\\\b \\\"q\\\" $x 'y z'\"\n}\n",
        );
    }
}
