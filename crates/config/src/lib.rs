//! keepalived.conf for vigil: lexer, preprocessor, block tree, typed model, diagnostics.
//!
//! [`load_file`] runs the whole pipeline: preprocess (includes, conditionals,
//! definitions), build the block tree, lower it to the typed [`model::Config`], and run
//! the whole-file checks. Every problem found is in the returned diagnostics.

pub mod diag;
pub mod lexer;
pub mod lower;
pub mod model;
pub mod preprocess;
pub mod print;
pub mod semantic;
pub mod source;
pub mod tree;

pub use diag::{Diagnostic, Diagnostics, Severity};
pub use model::Config;
pub use preprocess::Options;
pub use source::SourceMap;

use std::path::Path;

/// The result of loading a configuration: the model, what was found, and the files read.
#[derive(Debug)]
pub struct Loaded {
    /// The model; meaningful only when `diags` has no errors.
    pub config: Config,
    /// Errors and warnings.
    pub diags: Diagnostics,
    /// Every file read, for rendering diagnostics.
    pub sources: SourceMap,
}

impl Loaded {
    /// True when the configuration can be used.
    pub fn is_valid(&self) -> bool {
        !self.diags.has_errors()
    }
}

/// Loads the configuration at `path` and everything it includes.
pub fn load_file(path: &Path, opts: &Options) -> Loaded {
    let mut sources = SourceMap::new();
    let mut sink = TreeSink::default();
    let mut diags = Diagnostics::new();
    preprocess::preprocess_into(path, opts, &mut sources, &mut diags, &mut sink);
    finish(sink, diags, sources)
}

/// Loads configuration text held in memory, named `name` in diagnostics.
pub fn load_str(name: &Path, text: &str, opts: &Options) -> Loaded {
    let mut sources = SourceMap::new();
    let mut sink = TreeSink::default();
    let mut diags = Diagnostics::new();
    preprocess::preprocess_str_into(name, text, opts, &mut sources, &mut diags, &mut sink);
    finish(sink, diags, sources)
}

/// Feeds preprocessed lines straight into the block parser, and each completed
/// top-level statement straight into lowering: the whole tree is never held at once.
#[derive(Default)]
struct TreeSink {
    builder: tree::Builder,
    ctx: lower::ctx::Ctx,
    config: Config,
}

impl TreeSink {
    fn lower_completed(&mut self) {
        for node in self.builder.take_completed() {
            lower::lower_node(&node, &mut self.ctx, &mut self.config);
        }
    }
}

impl preprocess::LineSink for TreeSink {
    fn line(&mut self, line: preprocess::Line) {
        self.builder.push_line(line, &mut self.ctx.diags);
        self.lower_completed();
    }
}

fn finish(mut sink: TreeSink, diags: Diagnostics, sources: SourceMap) -> Loaded {
    let rest = std::mem::take(&mut sink.builder).finish(&mut sink.ctx.diags);
    for node in rest {
        lower::lower_node(&node, &mut sink.ctx, &mut sink.config);
    }
    let TreeSink {
        mut ctx, config, ..
    } = sink;
    ctx.diags.extend(diags);
    semantic::check(&config, &mut ctx);
    Loaded {
        config,
        diags: ctx.diags,
        sources,
    }
}
