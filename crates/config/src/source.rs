//! Source files and positions inside them.

use std::path::{Path, PathBuf};

/// Index of a file in a [`SourceMap`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

/// A place in a source file: 1-based line and column (in characters), and a length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Span {
    /// The file.
    pub file: FileId,
    /// 1-based line number.
    pub line: u32,
    /// 1-based column, counted in characters.
    pub col: u32,
    /// Length in characters (at least 1 when rendered).
    pub len: u32,
}

impl Span {
    /// A span covering a whole token at `col` with `len` characters.
    pub fn new(file: FileId, line: u32, col: u32, len: u32) -> Self {
        Span {
            file,
            line,
            col,
            len,
        }
    }
}

/// One file read while loading a configuration.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as it was opened (after include resolution).
    pub path: PathBuf,
    /// The whole text.
    pub text: std::sync::Arc<str>,
    line_starts: Vec<usize>,
}

impl SourceFile {
    fn new(path: PathBuf, text: String) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        SourceFile {
            path,
            text: text.into(),
            line_starts,
        }
    }

    /// The text of 1-based line `line`, without its newline.
    pub fn line(&self, line: u32) -> Option<&str> {
        let idx = (line as usize).checked_sub(1)?;
        let start = *self.line_starts.get(idx)?;
        let end = self
            .line_starts
            .get(idx + 1)
            .map(|e| e - 1)
            .unwrap_or(self.text.len());
        let s = self.text.get(start..end)?;
        Some(s.strip_suffix('\r').unwrap_or(s))
    }
}

/// All files read for one configuration, so that diagnostics can show source lines.
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a file's text and returns its id.
    pub fn add(&mut self, path: PathBuf, text: String) -> FileId {
        self.files.push(SourceFile::new(path, text));
        FileId((self.files.len() - 1) as u32)
    }

    /// The file behind `id`.
    pub fn file(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id.0 as usize)
    }

    /// A cheap shared handle on file `id`'s text.
    pub fn shared_text(&self, id: FileId) -> std::sync::Arc<str> {
        self.file(id)
            .map(|f| f.text.clone())
            .unwrap_or_else(|| std::sync::Arc::from(""))
    }

    /// The path of file `id`, or `?` when unknown.
    pub fn path(&self, id: FileId) -> &Path {
        self.file(id)
            .map(|f| f.path.as_path())
            .unwrap_or(Path::new("?"))
    }

    /// Every file read, in the order they were read.
    pub fn files(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(i as u32), f))
    }
}
