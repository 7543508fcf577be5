//! Pid files held with flock(2): a second daemon with the same pid file refuses
//! to start and names the pid that holds it; a stale file left by a crash does
//! not block anything, because a dead process holds no lock.

use nix::errno::Errno;
use nix::fcntl::{Flock, FlockArg};
use nix::unistd::{getpid, Pid};
use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io;
use std::os::unix::fs::{FileExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

/// How often to retry when the file was replaced between open and lock.
const ATTEMPTS: u32 = 5;

/// A locked pid file; removed when dropped by the process that wrote it.
#[derive(Debug)]
pub struct PidFile {
    path: PathBuf,
    file: Flock<File>,
    owner: Pid,
}

/// Why a pid file could not be taken or written.
#[derive(Debug)]
pub enum PidFileError {
    /// Another process holds the lock.
    Locked {
        /// The pid file.
        path: PathBuf,
        /// The pid it names, if it names one.
        holder: Option<Pid>,
    },
    /// The file could not be opened or created.
    Open {
        /// The pid file.
        path: PathBuf,
        /// The I/O error.
        source: io::Error,
    },
    /// flock failed for another reason than contention.
    Lock {
        /// The pid file.
        path: PathBuf,
        /// The error of flock.
        errno: Errno,
    },
    /// The file kept being replaced under us.
    Unstable(PathBuf),
    /// Writing the pid failed.
    Write {
        /// The pid file.
        path: PathBuf,
        /// The I/O error.
        source: io::Error,
    },
}

impl fmt::Display for PidFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PidFileError::Locked {
                path,
                holder: Some(pid),
            } => write!(
                f,
                "pid file {} is held by pid {pid}: already running",
                path.display()
            ),
            PidFileError::Locked { path, holder: None } => write!(
                f,
                "pid file {} is locked by another process: already running",
                path.display()
            ),
            PidFileError::Open { path, source } => {
                write!(f, "cannot open pid file {}: {source}", path.display())
            }
            PidFileError::Lock { path, errno } => {
                write!(
                    f,
                    "cannot lock pid file {}: {}",
                    path.display(),
                    errno.desc()
                )
            }
            PidFileError::Unstable(path) => {
                write!(f, "pid file {} keeps being replaced", path.display())
            }
            PidFileError::Write { path, source } => {
                write!(f, "cannot write pid file {}: {source}", path.display())
            }
        }
    }
}

impl std::error::Error for PidFileError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            PidFileError::Open { source, .. } | PidFileError::Write { source, .. } => Some(source),
            PidFileError::Lock { errno, .. } => Some(errno),
            PidFileError::Locked { .. } | PidFileError::Unstable(_) => None,
        }
    }
}

impl PidFile {
    /// Creates or opens `path`, locks it without waiting and writes our pid.
    pub fn acquire(path: impl AsRef<Path>) -> Result<PidFile, PidFileError> {
        let path = path.as_ref().to_path_buf();
        for _ in 0..ATTEMPTS {
            let file = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .mode(0o644)
                // A pid file is never a symlink; refusing one avoids writing
                // through a link planted in a shared directory.
                .custom_flags(libc::O_NOFOLLOW)
                .open(&path)
                .map_err(|source| PidFileError::Open {
                    path: path.clone(),
                    source,
                })?;
            let file = match Flock::lock(file, FlockArg::LockExclusiveNonblock) {
                Ok(locked) => locked,
                Err((file, Errno::EWOULDBLOCK)) => {
                    return Err(PidFileError::Locked {
                        holder: read_holder(&file),
                        path,
                    })
                }
                Err((_, errno)) => return Err(PidFileError::Lock { path, errno }),
            };
            // The holder may have unlinked the file between our open and our
            // lock (it removes it on exit); a lock on an unlinked file guards
            // nothing, so start again on the new one.
            if !same_file(&file, &path) {
                continue;
            }
            let mut pidfile = PidFile {
                path,
                file,
                owner: getpid(),
            };
            pidfile.rewrite_pid()?;
            return Ok(pidfile);
        }
        Err(PidFileError::Unstable(path))
    }

    /// Writes the current pid, and makes the current process the one that
    /// removes the file. Call it after [`crate::daemon::daemonize`].
    pub fn rewrite_pid(&mut self) -> Result<(), PidFileError> {
        self.owner = getpid();
        let text = format!("{}\n", self.owner);
        let write = |f: &File| -> io::Result<()> {
            f.set_len(0)?;
            f.write_all_at(text.as_bytes(), 0)
        };
        write(&self.file).map_err(|source| PidFileError::Write {
            path: self.path.clone(),
            source,
        })
    }

    /// The pid file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for PidFile {
    fn drop(&mut self) {
        // A forked child that did not exec shares the lock but must not remove
        // its parent's file. Unlink before the lock goes (when the file closes
        // after this body), so no one can lock a file about to vanish.
        if getpid() == self.owner {
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// The pid written in a locked file, if it holds a plausible one.
fn read_holder(file: &File) -> Option<Pid> {
    let mut buf = [0u8; 32];
    let n = file.read_at(&mut buf, 0).ok()?;
    let text = std::str::from_utf8(&buf[..n]).ok()?;
    let pid: i32 = text.trim().parse().ok()?;
    (pid > 0).then(|| Pid::from_raw(pid))
}

fn same_file(file: &File, path: &Path) -> bool {
    match (file.metadata(), fs::symlink_metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_path(name: &str) -> PathBuf {
        std::env::temp_dir().join(format!("vigil-privsep-{}-{name}.pid", std::process::id()))
    }

    #[test]
    fn writes_our_pid_and_removes_the_file_on_drop() {
        let path = temp_path("own");
        let pf = PidFile::acquire(&path).unwrap();
        assert_eq!(
            fs::read_to_string(&path).unwrap(),
            format!("{}\n", std::process::id())
        );
        assert_eq!(pf.path(), path);
        drop(pf);
        assert!(!path.exists());
    }

    #[test]
    fn second_lock_fails_and_names_the_holder() {
        // flock locks belong to open file descriptions, so a second open in the
        // same process contends like another process would.
        let path = temp_path("twice");
        let first = PidFile::acquire(&path).unwrap();
        let err = PidFile::acquire(&path).unwrap_err();
        match &err {
            PidFileError::Locked { holder, .. } => assert_eq!(*holder, Some(getpid())),
            other => panic!("{other:?}"),
        }
        assert!(
            err.to_string()
                .contains(&format!("held by pid {}", getpid())),
            "{err}"
        );
        drop(first);
        // Released: a third attempt succeeds.
        drop(PidFile::acquire(&path).unwrap());
        assert!(!path.exists());
    }

    #[test]
    fn a_stale_file_without_a_lock_is_taken_over() {
        let path = temp_path("stale");
        fs::write(&path, "999999\n").unwrap();
        let pf = PidFile::acquire(&path).unwrap();
        assert_eq!(
            fs::read_to_string(&path).unwrap(),
            format!("{}\n", std::process::id())
        );
        drop(pf);
    }

    #[test]
    fn a_symlink_is_refused() {
        let path = temp_path("link");
        let _ = fs::remove_file(&path);
        std::os::unix::fs::symlink("/nonexistent-target", &path).unwrap();
        let err = PidFile::acquire(&path).unwrap_err();
        fs::remove_file(&path).unwrap();
        assert!(matches!(err, PidFileError::Open { .. }), "{err}");
    }

    #[test]
    fn a_missing_directory_is_an_open_error() {
        let err = PidFile::acquire("/nonexistent-dir-vigil/x.pid").unwrap_err();
        assert!(err.to_string().contains("cannot open pid file"), "{err}");
    }
}
