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
    let mut diags = Diagnostics::new();
    let lines = preprocess::preprocess(path, opts, &mut sources, &mut diags);
    finish(lines, diags, sources)
}

/// Loads configuration text held in memory, named `name` in diagnostics.
pub fn load_str(name: &Path, text: &str, opts: &Options) -> Loaded {
    let mut sources = SourceMap::new();
    let mut diags = Diagnostics::new();
    let lines = preprocess::preprocess_str(name, text, opts, &mut sources, &mut diags);
    finish(lines, diags, sources)
}

fn finish(lines: Vec<preprocess::Line>, mut diags: Diagnostics, sources: SourceMap) -> Loaded {
    let nodes = tree::build(lines, &mut diags);
    let mut ctx = lower::ctx::Ctx::new(diags);
    let config = lower::lower(&nodes, &mut ctx);
    semantic::check(&config, &mut ctx);
    Loaded {
        config,
        diags: ctx.diags,
        sources,
    }
}
