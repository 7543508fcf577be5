//! The block structure of a configuration: statements, each with a keyword, arguments
//! and an optional `{ ... }` block of further statements.

use crate::diag::Diagnostics;
use crate::lexer::Word;
use crate::preprocess::Line;
use crate::source::Span;

/// One statement: `keyword arg arg { children }`.
#[derive(Debug, Clone)]
pub struct Node {
    /// The first word.
    pub name: Word,
    /// The other words before the block, if any.
    pub args: Vec<Word>,
    /// The `{ ... }` block that follows, if any.
    pub block: Option<Block>,
}

/// The contents of a `{ ... }` block.
#[derive(Debug, Clone)]
pub struct Block {
    /// Where `{` stands.
    pub open: Span,
    /// The statements inside.
    pub children: Vec<Node>,
}

impl Node {
    /// The keyword's text.
    pub fn keyword(&self) -> &str {
        &self.name.text
    }

    /// Children of the block, or nothing.
    pub fn children(&self) -> &[Node] {
        self.block
            .as_ref()
            .map(|b| b.children.as_slice())
            .unwrap_or(&[])
    }

    /// A span from the keyword to the last argument.
    pub fn span(&self) -> Span {
        let mut s = self.name.span;
        if let Some(last) = self.args.last() {
            if last.span.line == s.line && last.span.file == s.file && last.span.col > s.col {
                s.len = last.span.col + last.span.len - s.col;
            }
        }
        s
    }

    /// All words of the statement (keyword and arguments) as one list, for block
    /// contents such as `virtual_ipaddress` where the first word is a value.
    pub fn words(&self) -> impl Iterator<Item = &Word> {
        std::iter::once(&self.name).chain(self.args.iter())
    }
}

/// Builds the statement tree from preprocessed lines.
pub fn build(lines: Vec<Line>, diags: &mut Diagnostics) -> Vec<Node> {
    let mut b = Builder::default();
    for line in lines {
        b.push_line(line, diags);
    }
    b.finish(diags)
}

/// An open block: the statement that owns it, where `{` stands, the statements so far.
type Open = (Option<Node>, Span, Vec<Node>);

/// Builds the tree one line at a time, so that lines need not all be held at once.
#[derive(Debug, Default)]
pub struct Builder {
    stack: Vec<Open>,
    top: Vec<Node>,
    /// True when the last statement of the current level ended its line without a
    /// block, so a `{` alone on the next line belongs to it (Allman-style bracing).
    last_can_take_block: bool,
}

impl Builder {
    /// Adds one logical line.
    pub fn push_line(&mut self, line: Line, diags: &mut Diagnostics) {
        let mut current: Vec<Word> = Vec::new();
        for w in line.words {
            if w.is_open() {
                let owner = if current.is_empty() {
                    let level = match self.stack.last_mut() {
                        Some((_, _, c)) => c,
                        None => &mut self.top,
                    };
                    if self.last_can_take_block {
                        level.pop()
                    } else {
                        diags.error(w.span, "`{` without a keyword before it");
                        None
                    }
                } else {
                    Some(make_node(std::mem::take(&mut current)))
                };
                self.stack.push((owner, w.span, Vec::new()));
                self.last_can_take_block = false;
            } else if w.is_close() {
                if !current.is_empty() {
                    self.push_node(make_node(std::mem::take(&mut current)));
                }
                match self.stack.pop() {
                    Some((owner, open, children)) => {
                        if let Some(mut node) = owner {
                            node.block = Some(Block { open, children });
                            self.push_node(node);
                        }
                    }
                    None => {
                        diags.error(w.span, "`}` without a matching `{`");
                    }
                }
                self.last_can_take_block = false;
            } else {
                current.push(w);
            }
        }
        if !current.is_empty() {
            self.push_node(make_node(current));
            self.last_can_take_block = true;
        } else {
            self.last_can_take_block = false;
        }
    }

    /// Closes what is still open (an error each) and returns the top-level statements.
    pub fn finish(mut self, diags: &mut Diagnostics) -> Vec<Node> {
        while let Some((owner, open, children)) = self.stack.pop() {
            let what = owner
                .as_ref()
                .map(|n| format!("block of `{}` is not closed", n.keyword()))
                .unwrap_or_else(|| "block is not closed".to_string());
            diags.error(open, what).help("add the missing `}`");
            if let Some(mut node) = owner {
                node.block = Some(Block { open, children });
                self.push_node(node);
            }
        }
        self.top
    }

    /// Takes the top-level statements completed so far, so that they can be lowered
    /// and dropped while the rest is still being read.
    pub fn take_completed(&mut self) -> Vec<Node> {
        // A statement that ended its line at the top level may still receive a `{`
        // standing alone on the next line: keep it until then.
        let keep = if self.stack.is_empty() && self.last_can_take_block {
            self.top.pop()
        } else {
            None
        };
        let done = std::mem::take(&mut self.top);
        self.top.extend(keep);
        done
    }

    fn push_node(&mut self, node: Node) {
        match self.stack.last_mut() {
            Some((_, _, c)) => c.push(node),
            None => self.top.push(node),
        }
    }
}

fn make_node(mut words: Vec<Word>) -> Node {
    let name = words.remove(0);
    Node {
        name,
        args: words,
        block: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::preprocess::{preprocess_str, Options};
    use crate::source::SourceMap;
    use std::path::Path;

    fn parse(t: &str) -> (Vec<Node>, Diagnostics) {
        let mut sm = SourceMap::new();
        let mut d = Diagnostics::new();
        let opts = Options {
            config_id: "x".into(),
        };
        let lines = preprocess_str(Path::new("t.conf"), t, &opts, &mut sm, &mut d);
        (build(lines, &mut d), d)
    }

    fn shape(nodes: &[Node]) -> String {
        nodes
            .iter()
            .map(|n| {
                let mut s = n
                    .words()
                    .map(|w| w.text.as_str())
                    .collect::<Vec<_>>()
                    .join(" ");
                if let Some(b) = &n.block {
                    s.push_str(&format!("{{{}}}", shape(&b.children)));
                }
                s
            })
            .collect::<Vec<_>>()
            .join(";")
    }

    #[test]
    fn blocks_on_one_line_and_many() {
        let (n, d) = parse("a x { b 1 }\nc{\n d {\n e\n }\n}\n");
        assert!(!d.has_errors());
        assert_eq!(shape(&n), "a x{b 1};c{d{e}}");
    }

    #[test]
    fn brace_on_its_own_line() {
        let (n, d) = parse("vrrp_instance VI\n{\n state MASTER\n}\n");
        assert!(!d.has_errors());
        assert_eq!(shape(&n), "vrrp_instance VI{state MASTER}");
    }

    #[test]
    fn unbalanced_braces_are_errors() {
        let (_, d) = parse("a {\n b\n");
        assert_eq!(d.error_count(), 1);
        let (_, d) = parse("a\n}\n");
        assert_eq!(d.error_count(), 1);
    }
}
