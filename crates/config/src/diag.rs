//! Diagnostics: errors and warnings with a place, rendered like a compiler's.

use crate::source::{SourceMap, Span};
use std::fmt::Write as _;

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The configuration cannot be used.
    Error,
    /// The configuration can be used, but something deserves attention.
    Warning,
}

impl Severity {
    fn label(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// One problem found in a configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// What is wrong, in one sentence.
    pub message: String,
    /// Where, when the problem has a place.
    pub span: Option<Span>,
    /// A suggestion ("did you mean ...") or an explanation.
    pub help: Option<String>,
    /// Another place related to the problem (the first definition of a duplicate).
    pub related: Option<(Span, String)>,
}

/// Every diagnostic found while loading a configuration, in order of discovery.
#[derive(Debug, Clone, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records an error at `span`.
    pub fn error(&mut self, span: Span, message: impl Into<String>) -> &mut Diagnostic {
        self.push(Severity::Error, Some(span), message.into())
    }

    /// Records a warning at `span`.
    pub fn warning(&mut self, span: Span, message: impl Into<String>) -> &mut Diagnostic {
        self.push(Severity::Warning, Some(span), message.into())
    }

    /// Records an error that has no place in a file (a missing file, say).
    pub fn error_global(&mut self, message: impl Into<String>) -> &mut Diagnostic {
        self.push(Severity::Error, None, message.into())
    }

    fn push(&mut self, severity: Severity, span: Option<Span>, message: String) -> &mut Diagnostic {
        self.items.push(Diagnostic {
            severity,
            message,
            span,
            help: None,
            related: None,
        });
        let last = self.items.len() - 1;
        &mut self.items[last]
    }

    /// True when at least one error was recorded.
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }

    /// Number of errors.
    pub fn error_count(&self) -> usize {
        self.items
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    }

    /// Number of warnings.
    pub fn warning_count(&self) -> usize {
        self.items
            .iter()
            .filter(|d| d.severity == Severity::Warning)
            .count()
    }

    /// All diagnostics, errors first, each group in file order.
    pub fn sorted(&self) -> Vec<&Diagnostic> {
        let mut v: Vec<&Diagnostic> = self.items.iter().collect();
        v.sort_by_key(|d| (d.severity, d.span.map(|s| (s.file, s.line, s.col))));
        v
    }

    /// All diagnostics in order of discovery.
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }

    /// Appends every diagnostic of `other`.
    pub fn extend(&mut self, other: Diagnostics) {
        self.items.extend(other.items);
    }

    /// One line per diagnostic: `file:line:col: severity: message (help)`.
    pub fn render_short(&self, sources: &SourceMap) -> String {
        let mut out = String::new();
        for d in self.sorted() {
            out.push_str(&d.short_with_help(sources));
            out.push('\n');
        }
        out
    }

    /// Compiler-style rendering with the source line and a marker under the problem.
    pub fn render(&self, sources: &SourceMap) -> String {
        let mut out = String::new();
        for d in self.sorted() {
            d.render_into(sources, &mut out);
        }
        let (e, w) = (self.error_count(), self.warning_count());
        if e + w > 0 {
            let _ = writeln!(out, "{e} error(s), {w} warning(s)");
        }
        out
    }
}

impl Diagnostic {
    /// Adds a suggestion or explanation.
    pub fn help(&mut self, help: impl Into<String>) -> &mut Self {
        self.help = Some(help.into());
        self
    }

    /// Points at a second, related place.
    pub fn related(&mut self, span: Span, what: impl Into<String>) -> &mut Self {
        self.related = Some((span, what.into()));
        self
    }

    /// `file:line:col: severity: message`, and `(help)` when there is one.
    pub fn short_with_help(&self, sources: &SourceMap) -> String {
        let line = self.short(sources);
        match &self.help {
            Some(h) => format!("{line} ({h})"),
            None => line,
        }
    }

    /// `file:line:col: severity: message`
    pub fn short(&self, sources: &SourceMap) -> String {
        match self.span {
            Some(s) => format!(
                "{}:{}:{}: {}: {}",
                sources.path(s.file).display(),
                s.line,
                s.col,
                self.severity.label(),
                self.message
            ),
            None => format!("{}: {}", self.severity.label(), self.message),
        }
    }

    fn render_into(&self, sources: &SourceMap, out: &mut String) {
        let _ = writeln!(out, "{}: {}", self.severity.label(), self.message);
        if let Some(span) = self.span {
            snippet(sources, span, out);
        }
        if let Some((span, what)) = &self.related {
            let _ = writeln!(out, "   = note: {what}");
            snippet(sources, *span, out);
        }
        if let Some(h) = &self.help {
            let _ = writeln!(out, "   = help: {h}");
        }
        out.push('\n');
    }
}

fn snippet(sources: &SourceMap, span: Span, out: &mut String) {
    let path = sources.path(span.file).display();
    let _ = writeln!(out, "  --> {}:{}:{}", path, span.line, span.col);
    let Some(text) = sources.file(span.file).and_then(|f| f.line(span.line)) else {
        return;
    };
    let num = span.line.to_string();
    let pad = " ".repeat(num.len());
    let text = text.replace('\t', " ");
    let _ = writeln!(out, " {pad} |");
    let _ = writeln!(out, " {num} | {text}");
    let col = span.col.max(1) as usize - 1;
    let len = span.len.max(1) as usize;
    let _ = writeln!(out, " {pad} | {}{}", " ".repeat(col), "^".repeat(len));
}
