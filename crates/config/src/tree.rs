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
        self.block.as_ref().map(|b| b.children.as_slice()).unwrap_or(&[])
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
    // A stack of open blocks: (the statement that owns it, its open span, children).
    let mut stack: Vec<(Option<Node>, Span, Vec<Node>)> = Vec::new();
    let mut top: Vec<Node> = Vec::new();
    // True when the last statement of the current level ended its line without a block,
    // so a `{` alone on the next line belongs to it (Allman-style bracing).
    let mut last_can_take_block = false;

    for line in lines {
        let mut current: Vec<Word> = Vec::new();
        let mut words = line.words.into_iter().peekable();
        while let Some(w) = words.next() {
            if w.is_open() {
                let owner = if current.is_empty() {
                    let level = match stack.last_mut() {
                        Some((_, _, c)) => c,
                        None => &mut top,
                    };
                    if last_can_take_block {
                        level.pop()
                    } else {
                        diags.error(w.span, "`{` without a keyword before it");
                        None
                    }
                } else {
                    Some(make_node(std::mem::take(&mut current)))
                };
                stack.push((owner, w.span, Vec::new()));
                last_can_take_block = false;
            } else if w.is_close() {
                if !current.is_empty() {
                    push_node(&mut stack, &mut top, make_node(std::mem::take(&mut current)));
                }
                match stack.pop() {
                    Some((owner, open, children)) => {
                        if let Some(mut node) = owner {
                            node.block = Some(Block { open, children });
                            push_node(&mut stack, &mut top, node);
                        }
                    }
                    None => {
                        diags.error(w.span, "`}` without a matching `{`");
                    }
                }
                last_can_take_block = false;
            } else {
                current.push(w);
            }
            let _ = words.peek();
        }
        if !current.is_empty() {
            push_node(&mut stack, &mut top, make_node(current));
            last_can_take_block = true;
        } else {
            last_can_take_block = false;
        }
    }
    while let Some((owner, open, children)) = stack.pop() {
        let what = owner
            .as_ref()
            .map(|n| format!("block of `{}` is not closed", n.keyword()))
            .unwrap_or_else(|| "block is not closed".to_string());
        diags.error(open, what).help("add the missing `}`");
        if let Some(mut node) = owner {
            node.block = Some(Block { open, children });
            push_node(&mut stack, &mut top, node);
        }
    }
    top
}

fn make_node(mut words: Vec<Word>) -> Node {
    let name = words.remove(0);
    Node {
        name,
        args: words,
        block: None,
    }
}

fn push_node(stack: &mut [(Option<Node>, Span, Vec<Node>)], top: &mut Vec<Node>, node: Node) {
    match stack.last_mut() {
        Some((_, _, c)) => c.push(node),
        None => top.push(node),
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
        let opts = Options { config_id: "x".into() };
        let lines = preprocess_str(Path::new("t.conf"), t, &opts, &mut sm, &mut d);
        (build(lines, &mut d), d)
    }

    fn shape(nodes: &[Node]) -> String {
        nodes
            .iter()
            .map(|n| {
                let mut s = n.words().map(|w| w.text.as_str()).collect::<Vec<_>>().join(" ");
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
