//! keepalived `check_script_secure()` rules on a fake file system.

use super::*;
use crate::argv::split_command;
use std::collections::HashMap;

/// (kind, mode, uid, gid, symlink target, content head)
type Entry = (FileKind, u32, u32, u32, Option<PathBuf>, Vec<u8>);

#[derive(Default)]
struct Fake {
    /// path → (kind, mode, uid, gid, symlink target, content head)
    entries: HashMap<PathBuf, Entry>,
}

impl Fake {
    /// `/`, `/usr`, `/usr/bin`, `/bin`, `/tmp` (sticky, world-writable), root-owned.
    fn base() -> Self {
        let mut f = Fake::default();
        for d in ["/", "/usr", "/usr/bin", "/bin", "/etc", "/etc/k"] {
            f.dir(d, 0o755, 0, 0);
        }
        f.dir("/tmp", 0o1777, 0, 0);
        f
    }
    fn dir(&mut self, p: &str, mode: u32, uid: u32, gid: u32) -> &mut Self {
        self.entries
            .insert(p.into(), (FileKind::Dir, mode, uid, gid, None, vec![]));
        self
    }
    fn file(&mut self, p: &str, mode: u32, uid: u32, gid: u32) -> &mut Self {
        self.entries.insert(
            p.into(),
            (
                FileKind::File,
                mode,
                uid,
                gid,
                None,
                b"#!/bin/sh\n".to_vec(),
            ),
        );
        self
    }
    fn text(&mut self, p: &str, mode: u32) -> &mut Self {
        self.entries.insert(
            p.into(),
            (FileKind::File, mode, 0, 0, None, b"echo hi\n".to_vec()),
        );
        self
    }
    fn link(&mut self, p: &str, to: &str, uid: u32) -> &mut Self {
        self.entries.insert(
            p.into(),
            (FileKind::Symlink, 0o777, uid, 0, Some(to.into()), vec![]),
        );
        self
    }
    fn get(&self, p: &Path) -> io::Result<&Entry> {
        self.entries
            .get(p)
            .ok_or_else(|| io::Error::from(io::ErrorKind::NotFound))
    }
    fn meta(&self, p: &Path) -> io::Result<Meta> {
        let e = self.get(p)?;
        let ino = self.entries.keys().position(|k| k == p).unwrap_or(0) as u64;
        Ok(Meta {
            kind: e.0,
            mode: e.1,
            uid: e.2,
            gid: e.3,
            dev: 1,
            ino,
        })
    }
    fn resolve(&self, p: &Path) -> io::Result<PathBuf> {
        let mut cur = PathBuf::from("/");
        let mut rest: Vec<PathBuf> = p
            .components()
            .skip(1)
            .map(|c| c.as_os_str().into())
            .collect();
        rest.reverse();
        let mut hops = 0;
        while let Some(c) = rest.pop() {
            let next = cur.join(&c);
            let e = self.get(&next)?;
            if let Some(t) = &e.4 {
                hops += 1;
                if hops > 40 {
                    return Err(io::Error::other("loop"));
                }
                let mut more: Vec<PathBuf> = t
                    .components()
                    .skip(1)
                    .map(|c| c.as_os_str().into())
                    .collect();
                more.reverse();
                rest.extend(more);
                cur = PathBuf::from("/");
            } else {
                cur = next;
            }
        }
        Ok(cur)
    }
}

impl FsView for Fake {
    fn lstat(&self, p: &Path) -> io::Result<Meta> {
        self.meta(p)
    }
    fn stat(&self, p: &Path) -> io::Result<Meta> {
        self.meta(&self.resolve(p)?)
    }
    fn canonicalize(&self, p: &Path) -> io::Result<PathBuf> {
        self.resolve(p)
    }
    fn head(&self, p: &Path, n: usize) -> io::Result<Vec<u8>> {
        let e = self.get(&self.resolve(p)?)?;
        Ok(e.5.iter().take(n).copied().collect())
    }
}

fn root() -> Credentials {
    Credentials {
        user: "root".into(),
        uid: 0,
        gid: 0,
    }
}

fn nobody() -> Credentials {
    Credentials {
        user: "nobody".into(),
        uid: 65534,
        gid: 65534,
    }
}

const PATH: &str = "/usr/sbin:/usr/bin:/sbin:/bin";

fn check(fs: &Fake, cmd: &str, c: &Credentials, enforce: bool) -> Result<Checked, Refusal> {
    check_script(fs, &split_command(cmd).unwrap(), c, enforce, PATH)
}

#[test]
fn safe_root_script_runs_directly() {
    let mut fs = Fake::base();
    fs.file("/etc/k/chk.sh", 0o755, 0, 0);
    let c = check(&fs, "/etc/k/chk.sh a", &root(), true).unwrap();
    assert_eq!(c.argv.to_string(), "'/etc/k/chk.sh' 'a'");
    assert_eq!(c.mode, ExecMode::Direct);
    assert!(c.warnings.is_empty());
}

#[test]
fn world_writable_parent_refused_check_security() {
    let mut fs = Fake::base();
    fs.dir("/srv", 0o777, 0, 0).file("/srv/chk.sh", 0o755, 0, 0);
    let e = check(&fs, "/srv/chk.sh", &root(), true).unwrap_err();
    match &e {
        Refusal::Unsafe(u) => {
            assert_eq!(u.offending, Path::new("/srv"));
            assert_eq!(u.why, UnsafeWhy::WorldWritable);
        }
        other => panic!("{other:?}"),
    }
    assert!(
        e.to_string().contains("'/srv' is writable by everyone"),
        "{e}"
    );
}

#[test]
fn sticky_directory_is_not_counted_as_writable_check_security() {
    // /tmp is 1777 root: allowed; the file in it is checked on its own.
    let mut fs = Fake::base();
    fs.file("/tmp/chk.sh", 0o755, 0, 0);
    assert!(check(&fs, "/tmp/chk.sh", &root(), true).is_ok());
}

#[test]
fn script_owned_or_writable_by_non_root_refused() {
    let mut fs = Fake::base();
    fs.file("/etc/k/own.sh", 0o755, 65534, 0)
        .file("/etc/k/grp.sh", 0o775, 0, 100)
        .file("/etc/k/rootgrp.sh", 0o775, 0, 0)
        .file("/etc/k/oth.sh", 0o757, 0, 0);
    let why = |p: &str| match check(&fs, p, &root(), true) {
        Err(Refusal::Unsafe(u)) => Some(u.why),
        Ok(_) => None,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(why("/etc/k/own.sh"), Some(UnsafeWhy::OwnerNotRoot(65534)));
    assert_eq!(why("/etc/k/grp.sh"), Some(UnsafeWhy::GroupWritable(100)));
    // Group write for group root is fine (buf.st_gid && S_IWGRP).
    assert_eq!(why("/etc/k/rootgrp.sh"), None);
    assert_eq!(why("/etc/k/oth.sh"), Some(UnsafeWhy::WorldWritable));
}

#[test]
fn unsafe_only_warns_without_script_security() {
    let mut fs = Fake::base();
    fs.dir("/srv", 0o777, 0, 0).file("/srv/chk.sh", 0o755, 0, 0);
    let c = check(&fs, "/srv/chk.sh", &root(), false).unwrap();
    assert!(matches!(&c.warnings[..], [Warning::Unsafe(u)] if u.offending == Path::new("/srv")));
}

#[test]
fn non_root_script_is_not_path_checked_need_script_protection() {
    let mut fs = Fake::base();
    fs.dir("/srv", 0o777, 0, 0).file("/srv/chk.sh", 0o755, 0, 0);
    assert!(check(&fs, "/srv/chk.sh", &nobody(), true).is_ok());
}

#[test]
fn setuid_root_script_is_checked_even_for_nobody() {
    let mut fs = Fake::base();
    fs.dir("/srv", 0o777, 0, 0).file("/srv/su.sh", 0o4755, 0, 0);
    assert!(matches!(
        check(&fs, "/srv/su.sh", &nobody(), true),
        Err(Refusal::Unsafe(_))
    ));
}

#[test]
fn symlink_target_is_checked_too() {
    // /etc/k/chk -> /srv/real.sh, /srv world-writable: the target is unsafe.
    let mut fs = Fake::base();
    fs.dir("/srv", 0o777, 0, 0)
        .file("/srv/real.sh", 0o755, 0, 0)
        .link("/etc/k/chk", "/srv/real.sh", 0);
    let e = check(&fs, "/etc/k/chk", &root(), true).unwrap_err();
    assert!(
        matches!(&e, Refusal::Unsafe(u) if u.offending == Path::new("/srv")),
        "{e:?}"
    );
}

#[test]
fn symlink_owned_by_non_root_is_unsafe_when_it_names_the_script() {
    // /usr/bin/chk -> chk-1.2 is kept as argv[0] (same file), so the link itself is
    // checked, and its owner is not root.
    let mut fs = Fake::base();
    fs.file("/usr/bin/chk-1.2", 0o755, 0, 0)
        .link("/usr/bin/chk", "/usr/bin/chk-1.2", 1000);
    let e = check(&fs, "/usr/bin/chk", &root(), true).unwrap_err();
    assert!(
        matches!(&e, Refusal::Unsafe(u) if u.offending == Path::new("/usr/bin/chk") && u.why == UnsafeWhy::OwnerNotRoot(1000)),
        "{e:?}"
    );
    // A link elsewhere to a file of another name is replaced by its target (keepalived
    // check_script_secure()): the link is not checked, the target is.
    fs.link("/etc/k/alias", "/usr/bin/chk-1.2", 1000);
    let c = check(&fs, "/etc/k/alias", &root(), true).unwrap();
    assert_eq!(c.argv.program(), OsStr::new("/usr/bin/chk-1.2"));
}

#[test]
fn symlink_name_kept_in_target_dir_when_same_file_replace_cmd_name() {
    // /usr/bin/chk -> /usr/bin/chk-1.2: argv[0] stays /usr/bin/chk (same file);
    // /etc/k/alias -> /usr/bin/chk-1.2 with no /usr/bin/alias: the real path is used.
    let mut fs = Fake::base();
    fs.file("/usr/bin/chk-1.2", 0o755, 0, 0)
        .link("/usr/bin/chk", "/usr/bin/chk-1.2", 0)
        .link("/etc/k/alias", "/usr/bin/chk-1.2", 0);
    let c = check(&fs, "/usr/bin/chk x", &root(), true).unwrap();
    assert_eq!(c.argv.program(), OsStr::new("/usr/bin/chk"));
    let c = check(&fs, "/etc/k/alias", &root(), true).unwrap();
    assert_eq!(c.argv.program(), OsStr::new("/usr/bin/chk-1.2"));
}

#[test]
fn dot_dot_is_resolved_realpath() {
    let mut fs = Fake::base();
    fs.file("/etc/k/chk.sh", 0o755, 0, 0);
    // The fake resolver has no "..", so use a symlinked directory instead.
    fs.link("/etc/kk", "/etc/k", 0);
    let c = check(&fs, "/etc/kk/chk.sh", &root(), true).unwrap();
    assert_eq!(c.argv.program(), OsStr::new("/etc/k/chk.sh"));
}

#[test]
fn missing_script_not_found() {
    let fs = Fake::base();
    let e = check(&fs, "/etc/k/none.sh", &root(), true).unwrap_err();
    assert!(matches!(e, Refusal::NotFound { .. }));
}

#[test]
fn not_executable_by_the_user_is_executable() {
    let mut fs = Fake::base();
    fs.file("/etc/k/ro.sh", 0o644, 0, 0)
        .file("/etc/k/owner.sh", 0o744, 0, 0)
        .file("/etc/k/grp.sh", 0o754, 0, 65534);
    assert!(matches!(
        check(&fs, "/etc/k/ro.sh", &root(), true),
        Err(Refusal::NotExecutable { .. })
    ));
    // Root needs any x bit.
    assert!(check(&fs, "/etc/k/owner.sh", &root(), false).is_ok());
    assert!(matches!(
        check(&fs, "/etc/k/owner.sh", &nobody(), true),
        Err(Refusal::NotExecutable { .. })
    ));
    assert!(check(&fs, "/etc/k/grp.sh", &nobody(), true).is_ok());
}

#[test]
fn unsearchable_directory_for_the_user() {
    let mut fs = Fake::base();
    fs.dir("/etc/priv", 0o700, 0, 0)
        .file("/etc/priv/chk.sh", 0o755, 0, 0);
    assert!(matches!(
        check(&fs, "/etc/priv/chk.sh", &nobody(), true),
        Err(Refusal::NotSearchable { .. })
    ));
    assert!(check(&fs, "/etc/priv/chk.sh", &root(), true).is_ok());
}

#[test]
fn bare_name_is_searched_in_path_find_path() {
    let mut fs = Fake::base();
    fs.file("/usr/bin/chk", 0o644, 0, 0) // found first but not executable: skipped
        .file("/bin/chk", 0o755, 0, 0);
    let c = check(&fs, "chk -q", &root(), true).unwrap();
    assert_eq!(c.argv.to_string(), "'/bin/chk' '-q'");
    assert!(
        matches!(&c.warnings[..], [Warning::PathSearch { found, .. }] if found == Path::new("/bin/chk"))
    );
    let e = check(&fs, "nothere", &root(), true).unwrap_err();
    assert!(matches!(
        e,
        Refusal::NotInPath {
            permission_denied: false,
            ..
        }
    ));
    let mut fs = Fake::base();
    fs.file("/usr/bin/ro", 0o644, 0, 0);
    let e = check(&fs, "ro", &root(), true).unwrap_err();
    assert!(matches!(
        e,
        Refusal::NotInPath {
            permission_denied: true,
            ..
        }
    ));
}

#[test]
fn wrong_file_type_is_refused_even_without_security() {
    let mut fs = Fake::base();
    fs.file("/etc/k/chk.sh", 0o755, 0, 0);
    // A directory as the script: not an executable file.
    assert!(check(&fs, "/etc/k", &root(), false).is_err());
}

#[test]
fn file_without_shebang_runs_through_the_shell() {
    let mut fs = Fake::base();
    fs.text("/etc/k/plain", 0o755);
    let c = check(&fs, "/etc/k/plain a", &root(), true).unwrap();
    assert_eq!(c.mode, ExecMode::Shell);
}

#[test]
fn redirection_test_skips_checks_sc_system() {
    let fs = Fake::base();
    for cmd in ["</dev/tcp/192.0.2.1/80", "'< \t/etc/nothing'"] {
        let c = check(&fs, cmd, &root(), true).unwrap();
        assert_eq!(c.mode, ExecMode::Shell);
    }
    // "<" not followed by "/": a normal (bare) name, searched in PATH.
    assert!(check(&fs, "<x", &root(), true).is_err());
}
