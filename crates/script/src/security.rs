//! Whether and how a script may run: keepalived's `check_script_secure()`,
//! `check_security()`, `find_path()` and `is_executable()` (lib/notify.c, 2.2), as pure
//! logic over a small view of file metadata ([`FsView`]).
//!
//! In order:
//! 1. A program starting with `<` and then `/` (after blanks) is a redirection-only file
//!    test (`"</dev/tcp/host/port"`): run by the shell, no checks (`SC_SYSTEM`).
//! 2. A program without a `/` is searched in PATH; the first regular file executable by
//!    the script's user wins (keepalived warns: "Please specify full path").
//! 3. The path is resolved (`realpath()`); when a symlink points to a file of another
//!    name, the symlink's name is kept in the target's directory (programs that look at
//!    argv[0]), and the real file is checked too.
//! 4. The file must exist and be executable by the script's uid/gid.
//! 5. If the script runs as root (uid or gid 0), or is setuid/setgid root: every
//!    component of the path, from `/`, and of the real file's path, must be owned by
//!    root and not writable by group (unless the group is root) or others; a directory
//!    with the sticky bit (like /tmp) is not counted as writable; a component that is
//!    not a directory (or, last, not a file or symlink) is refused always. An unsafe path
//!    is refused when `enable_script_security` is set, and only warned about otherwise.
//! 6. A file that starts neither with `#!` nor with an ELF header runs through `/bin/sh`
//!    (keepalived built with libmagic; without it, as Debian's 2.2.7, execve() fails and
//!    keepalived's child exits 0, which counts as success — vigil runs it instead).

use crate::argv::Argv;
use crate::creds::Credentials;
use std::ffi::OsStr;
use std::fmt;
use std::io::{self, Read};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// The kind of a file system object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// A directory.
    Dir,
    /// A regular file.
    File,
    /// A symbolic link (only from `lstat`).
    Symlink,
    /// Anything else (device, FIFO, socket).
    Other,
}

/// The metadata the checks need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Meta {
    /// Kind.
    pub kind: FileKind,
    /// Permission bits, with setuid (0o4000), setgid (0o2000) and sticky (0o1000).
    pub mode: u32,
    /// Owner.
    pub uid: u32,
    /// Group.
    pub gid: u32,
    /// Device, to compare files.
    pub dev: u64,
    /// Inode, to compare files.
    pub ino: u64,
}

/// Read-only access to the file system, as the checks need it.
pub trait FsView {
    /// Metadata of `p` itself (not following a final symlink).
    fn lstat(&self, p: &Path) -> io::Result<Meta>;
    /// Metadata of what `p` points to.
    fn stat(&self, p: &Path) -> io::Result<Meta>;
    /// The absolute path without `.`, `..`, repeated `/` or symlinks.
    fn canonicalize(&self, p: &Path) -> io::Result<PathBuf>;
    /// Up to `n` first bytes of the file.
    fn head(&self, p: &Path, n: usize) -> io::Result<Vec<u8>>;
}

/// The real file system.
#[derive(Debug, Clone, Copy, Default)]
pub struct RealFs;

fn meta_of(m: &std::fs::Metadata) -> Meta {
    let t = m.file_type();
    let kind = if t.is_dir() {
        FileKind::Dir
    } else if t.is_file() {
        FileKind::File
    } else if t.is_symlink() {
        FileKind::Symlink
    } else {
        FileKind::Other
    };
    Meta {
        kind,
        mode: m.mode() & 0o7777,
        uid: m.uid(),
        gid: m.gid(),
        dev: m.dev(),
        ino: m.ino(),
    }
}

impl FsView for RealFs {
    fn lstat(&self, p: &Path) -> io::Result<Meta> {
        std::fs::symlink_metadata(p).map(|m| meta_of(&m))
    }
    fn stat(&self, p: &Path) -> io::Result<Meta> {
        std::fs::metadata(p).map(|m| meta_of(&m))
    }
    fn canonicalize(&self, p: &Path) -> io::Result<PathBuf> {
        std::fs::canonicalize(p)
    }
    fn head(&self, p: &Path, n: usize) -> io::Result<Vec<u8>> {
        let mut buf = Vec::with_capacity(n);
        std::fs::File::open(p)?
            .take(n as u64)
            .read_to_end(&mut buf)?;
        Ok(buf)
    }
}

/// How the program is started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExecMode {
    /// `execve()` of the program with the argv.
    Direct,
    /// `/bin/sh -c` with keepalived's quoted command line (`cmd_str()`).
    Shell,
}

/// What makes a path unsafe for a root script.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnsafeWhy {
    /// Owned by this non-root uid.
    OwnerNotRoot(u32),
    /// Writable by this non-root group.
    GroupWritable(u32),
    /// Writable by everyone.
    WorldWritable,
}

impl fmt::Display for UnsafeWhy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UnsafeWhy::OwnerNotRoot(u) => write!(f, "is owned by uid {u}, not root"),
            UnsafeWhy::GroupWritable(g) => write!(f, "is writable by group {g}"),
            UnsafeWhy::WorldWritable => write!(f, "is writable by everyone"),
        }
    }
}

/// An unsafe path component of a script run as root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsafe {
    /// The script.
    pub script: PathBuf,
    /// The component at fault (the script itself, a parent directory, a link target).
    pub offending: PathBuf,
    /// Why.
    pub why: UnsafeWhy,
}

impl fmt::Display for Unsafe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unsafe permissions for script '{}' run as root: '{}' {}",
            self.script.display(),
            self.offending.display(),
            self.why
        )
    }
}

/// Something worth a log line that does not stop the script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Warning {
    /// A bare name was found by a PATH search (keepalived: "Please specify full path").
    PathSearch {
        /// The configured name.
        name: String,
        /// What it resolved to.
        found: PathBuf,
    },
    /// Unsafe, but `enable_script_security` is off.
    Unsafe(Unsafe),
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::PathSearch { name, found } => write!(
                f,
                "script '{name}' resolved by path search to '{}'; please specify the full path",
                found.display()
            ),
            Warning::Unsafe(u) => write!(f, "{u} (enable_script_security is off: running it)"),
        }
    }
}

/// Why a script will not be run.
#[derive(Debug)]
pub enum Refusal {
    /// The script, or a component of its path, does not exist or cannot be reached.
    NotFound {
        /// The path.
        path: PathBuf,
        /// The error.
        source: io::Error,
    },
    /// A bare name not found in PATH (`permission_denied`: found, but not executable).
    NotInPath {
        /// The name.
        name: String,
        /// Something was found but was not an executable file.
        permission_denied: bool,
    },
    /// The user cannot search a directory on the way to the script.
    NotSearchable {
        /// The directory.
        dir: PathBuf,
        /// The user.
        creds: Credentials,
    },
    /// Not executable by the script's user.
    NotExecutable {
        /// The script.
        path: PathBuf,
        /// The user.
        creds: Credentials,
    },
    /// A path component that should be a directory (or, last, a file) is not.
    WrongFileType {
        /// The script.
        script: PathBuf,
        /// The component.
        component: PathBuf,
    },
    /// Unsafe under `enable_script_security`.
    Unsafe(Unsafe),
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::NotFound { path, source } => {
                write!(
                    f,
                    "script '{}' cannot be accessed: {source}",
                    path.display()
                )
            }
            Refusal::NotInPath {
                name,
                permission_denied: true,
            } => write!(f, "permissions failure for script '{name}' in path"),
            Refusal::NotInPath { name, .. } => write!(f, "cannot find script '{name}' in path"),
            Refusal::NotSearchable { dir, creds } => write!(
                f,
                "directory '{}' cannot be searched by script user {creds}",
                dir.display()
            ),
            Refusal::NotExecutable { path, creds } => write!(
                f,
                "script '{}' is not executable by {creds}",
                path.display()
            ),
            Refusal::WrongFileType { script, component } => write!(
                f,
                "wrong file type in script path '{}': '{}'",
                script.display(),
                component.display()
            ),
            Refusal::Unsafe(u) => write!(f, "{u}; refused under enable_script_security"),
        }
    }
}

impl std::error::Error for Refusal {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Refusal::NotFound { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// A script that may run: its final argv, how to start it, and warnings to log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// The argv, the program replaced by the path found or resolved.
    pub argv: Argv,
    /// How to start it.
    pub mode: ExecMode,
    /// Warnings to log once.
    pub warnings: Vec<Warning>,
}

const S_ISUID: u32 = 0o4000;
const S_ISGID: u32 = 0o2000;
const S_ISVTX: u32 = 0o1000;
const S_IXUSR: u32 = 0o100;
const S_IXGRP: u32 = 0o010;
const S_IXOTH: u32 = 0o001;
const S_IWGRP: u32 = 0o020;
const S_IWOTH: u32 = 0o002;

/// keepalived `is_executable()`: root needs any x bit; else the owner, group or other
/// bit that applies (the primary gid only).
pub fn is_executable(m: &Meta, uid: u32, gid: u32) -> bool {
    (uid == 0 && m.mode & (S_IXUSR | S_IXGRP | S_IXOTH) != 0)
        || (uid == m.uid && m.mode & S_IXUSR != 0)
        || (uid != m.uid
            && ((gid == m.gid && m.mode & S_IXGRP != 0) || (gid != m.gid && m.mode & S_IXOTH != 0)))
}

/// Whether a directory can be searched by the user (root always can).
fn is_searchable(m: &Meta, uid: u32, gid: u32) -> bool {
    uid == 0 || is_executable(m, uid, gid)
}

/// Runs keepalived's checks for `argv` run as `creds`; `enforce` is
/// `enable_script_security`, `search_path` the PATH for bare names.
pub fn check_script(
    fs: &dyn FsView,
    argv: &Argv,
    creds: &Credentials,
    enforce: bool,
    search_path: &str,
) -> Result<Checked, Refusal> {
    let prog = argv.program().as_bytes().to_vec();
    let mut warnings = Vec::new();
    if is_redirection_test(&prog) {
        return Ok(Checked {
            argv: argv.clone(),
            mode: ExecMode::Shell,
            warnings,
        });
    }
    let mut argv = argv.clone();
    if !prog.contains(&b'/') {
        let found = find_path(fs, &prog, creds, search_path)?;
        warnings.push(Warning::PathSearch {
            name: String::from_utf8_lossy(&prog).into_owned(),
            found: found.clone(),
        });
        argv.set_program(found.as_os_str());
    }
    let given = PathBuf::from(argv.program());
    let canon = fs
        .canonicalize(&given)
        .map_err(|source| Refusal::NotFound {
            path: given.clone(),
            source,
        })?;
    check_searchable(fs, &canon, creds)?;

    // keepalived check_script_secure(): keep the name the script was called by.
    let mut real_file: Option<PathBuf> = None;
    if canon != given {
        let mut new_path = canon.clone();
        if given.file_name() != canon.file_name() {
            if let (Some(dir), Some(name)) = (canon.parent(), given.file_name()) {
                let candidate = dir.join(name);
                let same = match (fs.stat(&canon), fs.stat(&candidate)) {
                    (Ok(r), Ok(n)) => r.dev == n.dev && r.ino == n.ino,
                    (Err(_), _) => true,
                    (Ok(_), Err(_)) => false,
                };
                if same {
                    new_path = candidate;
                    real_file = Some(canon.clone());
                }
            }
        }
        argv.set_program(new_path.as_os_str());
    }
    let script = PathBuf::from(argv.program());
    let target = real_file.clone().unwrap_or_else(|| script.clone());
    let meta = fs.stat(&target).map_err(|source| Refusal::NotFound {
        path: target.clone(),
        source,
    })?;
    if meta.kind != FileKind::File || !is_executable(&meta, creds.uid, creds.gid) {
        return Err(Refusal::NotExecutable {
            path: script,
            creds: creds.clone(),
        });
    }
    let needs_protection = creds.uid == 0
        || creds.gid == 0
        || (meta.uid == 0 && meta.mode & S_IXUSR != 0 && meta.mode & S_ISUID != 0)
        || (meta.gid == 0 && meta.mode & S_IXGRP != 0 && meta.mode & S_ISGID != 0);
    if needs_protection {
        let mut paths = vec![script.clone()];
        paths.extend(real_file.iter().cloned());
        for p in &paths {
            if let Some(u) = check_security(fs, &script, p)? {
                if enforce {
                    return Err(Refusal::Unsafe(u));
                }
                warnings.push(Warning::Unsafe(u));
            }
        }
    }
    let head = fs.head(&target, 4).unwrap_or_default();
    let mode = if head.starts_with(b"#!") || head.starts_with(b"\x7fELF") {
        ExecMode::Direct
    } else {
        ExecMode::Shell
    };
    Ok(Checked {
        argv,
        mode,
        warnings,
    })
}

/// `<` then, after blanks, `/`: a redirection-only file test (keepalived `SC_SYSTEM`).
fn is_redirection_test(prog: &[u8]) -> bool {
    prog.first() == Some(&b'<')
        && prog[1..]
            .iter()
            .find(|&&b| b != b' ' && b != b'\t')
            .is_some_and(|&b| b == b'/')
}

/// keepalived `find_path()`: the first regular file in PATH executable by the user.
fn find_path(
    fs: &dyn FsView,
    name: &[u8],
    creds: &Credentials,
    search_path: &str,
) -> Result<PathBuf, Refusal> {
    let name_s = String::from_utf8_lossy(name).into_owned();
    let mut denied = false;
    if !name.is_empty() {
        for dir in search_path.split(':') {
            let cand = if dir.is_empty() {
                PathBuf::from(OsStr::from_bytes(name))
            } else {
                Path::new(dir).join(OsStr::from_bytes(name))
            };
            // Only a file that exists but is not executable counts as "permission
            // denied" (find_path() sets got_eacces only when stat() succeeded).
            if let Ok(m) = fs.stat(&cand) {
                if m.kind == FileKind::File && is_executable(&m, creds.uid, creds.gid) {
                    return Ok(cand);
                }
                denied = true;
            }
        }
    }
    Err(Refusal::NotInPath {
        name: name_s,
        permission_denied: denied,
    })
}

/// keepalived resolves the path as the script's user: every directory on the way must
/// be searchable by it.
fn check_searchable(fs: &dyn FsView, canon: &Path, creds: &Credentials) -> Result<(), Refusal> {
    for dir in canon.ancestors().skip(1) {
        let m = fs.stat(dir).map_err(|source| Refusal::NotFound {
            path: dir.to_path_buf(),
            source,
        })?;
        if !is_searchable(&m, creds.uid, creds.gid) {
            return Err(Refusal::NotSearchable {
                dir: dir.to_path_buf(),
                creds: creds.clone(),
            });
        }
    }
    Ok(())
}

/// keepalived `check_security()`: each component of `path`, from `/`, by `lstat`.
fn check_security(fs: &dyn FsView, script: &Path, path: &Path) -> Result<Option<Unsafe>, Refusal> {
    let bytes = path.as_os_str().as_bytes();
    let mut prefixes: Vec<(&[u8], bool)> = Vec::new();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'/' {
            let end = if i == 0 { 1 } else { i };
            prefixes.push((&bytes[..end], false));
        }
    }
    prefixes.push((bytes, true));
    for (prefix, last) in prefixes {
        let comp = Path::new(OsStr::from_bytes(prefix));
        let m = fs.lstat(comp).map_err(|source| Refusal::NotFound {
            path: comp.to_path_buf(),
            source,
        })?;
        let right_kind = if last {
            matches!(m.kind, FileKind::File | FileKind::Symlink)
        } else {
            m.kind == FileKind::Dir
        };
        if !right_kind {
            return Err(Refusal::WrongFileType {
                script: script.to_path_buf(),
                component: comp.to_path_buf(),
            });
        }
        let why = if m.uid != 0 {
            Some(UnsafeWhy::OwnerNotRoot(m.uid))
        } else if (m.kind == FileKind::Dir && m.mode & S_ISVTX == 0) || m.kind == FileKind::File {
            if m.gid != 0 && m.mode & S_IWGRP != 0 {
                Some(UnsafeWhy::GroupWritable(m.gid))
            } else if m.mode & S_IWOTH != 0 {
                Some(UnsafeWhy::WorldWritable)
            } else {
                None
            }
        } else {
            None
        };
        if let Some(why) = why {
            return Ok(Some(Unsafe {
                script: script.to_path_buf(),
                offending: comp.to_path_buf(),
                why,
            }));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests;
