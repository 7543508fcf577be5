//! The privilege drop done for real (run as root): a probe child drops to
//! `nobody` with each role and the test reads its /proc status from outside.

#![allow(clippy::unwrap_used)] // tests may unwrap

use nix::sys::prctl;
use nix::sys::signal::{kill, Signal};
use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use nix::unistd::Pid;
use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};
use vigil_privsep::verify::{self, Difference, Expected, VerifyError};
use vigil_privsep::{status, user, CapMask, Role, SeccompMode};

const PROBE: &str = env!("CARGO_BIN_EXE_vigil-privsep-probe");

/// A probe child that has dropped; killed and reaped when the test ends.
struct Probe {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    pid: Pid,
}

impl Probe {
    fn drop_to(role: Role, user: &str) -> Probe {
        let mut child = Command::new(PROBE)
            .args(["drop", role.name(), user])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        let pid = line
            .strip_prefix("dropped ")
            .unwrap_or_else(|| panic!("probe did not drop: {line:?}"))
            .trim()
            .parse()
            .unwrap();
        assert_eq!(pid, child.id() as i32);
        Probe {
            child,
            stdin,
            stdout,
            pid: Pid::from_raw(pid),
        }
    }

    fn ask(&mut self, question: &str) -> String {
        writeln!(self.stdin, "{question}").unwrap();
        let mut line = String::new();
        self.stdout.read_line(&mut line).unwrap();
        line.trim().to_string()
    }
}

impl Drop for Probe {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn nobody() -> user::Account {
    user::resolve("nobody").unwrap()
}

#[test]
fn vrrpd_role_keeps_exactly_net_raw_and_net_admin() {
    let mut probe = Probe::drop_to(Role::Vrrpd, "nobody");
    let s = status::read(probe.pid).unwrap();
    let n = nobody();
    assert_eq!(s.uid, [n.uid.as_raw(); 4]);
    assert_eq!(s.gid, [n.gid.as_raw(); 4]);
    assert_eq!(s.groups, Vec::<u32>::new());
    assert_eq!(s.threads, 1);
    let net = CapMask(1 << 12 | 1 << 13); // CAP_NET_ADMIN, CAP_NET_RAW
    assert_eq!(s.cap_prm, net);
    assert_eq!(s.cap_eff, net);
    assert_eq!(s.cap_bnd, net);
    assert_eq!(s.cap_inh, CapMask::EMPTY);
    assert_eq!(s.cap_amb, CapMask::EMPTY);
    assert!(s.no_new_privs);
    assert_eq!(s.seccomp, SeccompMode::Disabled);
    verify::verify_pid(probe.pid, &Expected::for_role(&n, Role::Vrrpd)).unwrap();
    // The capabilities are really usable, not just listed.
    assert_eq!(probe.ask("raw"), "raw ok");
}

#[test]
fn checkerd_role_ends_with_all_five_capability_sets_empty() {
    let mut probe = Probe::drop_to(Role::Checkerd, "nobody");
    let s = status::read(probe.pid).unwrap();
    let n = nobody();
    assert_eq!(s.uid, [n.uid.as_raw(); 4]);
    assert_eq!(s.gid, [n.gid.as_raw(); 4]);
    assert_eq!(s.groups, Vec::<u32>::new());
    for set in [s.cap_inh, s.cap_prm, s.cap_eff, s.cap_bnd, s.cap_amb] {
        assert_eq!(set, CapMask::EMPTY);
    }
    assert!(s.no_new_privs);
    verify::verify_pid(probe.pid, &Expected::for_role(&n, Role::Checkerd)).unwrap();
    assert_eq!(probe.ask("raw"), "raw error EPERM");
}

#[test]
fn checkerd_verified_against_vrrpd_expectation_shows_the_missing_caps() {
    // And the other way round the supervisor would see too much: the check is
    // exact, not a subset test.
    let probe = Probe::drop_to(Role::Checkerd, "nobody");
    let err =
        verify::verify_pid(probe.pid, &Expected::for_role(&nobody(), Role::Vrrpd)).unwrap_err();
    match err {
        VerifyError::Mismatch(d) => assert_eq!(d.len(), 3, "{d:?}"),
        other => panic!("{other}"),
    }
}

/// A directory anyone may enter, with a root-only file and a public one.
struct Files {
    dir: PathBuf,
}

impl Files {
    fn new(tag: &str) -> Files {
        let dir = std::env::temp_dir().join(format!("vigil-privsep-{}-{tag}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir(&dir).unwrap();
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).unwrap();
        for (name, mode) in [("secret", 0o600), ("public", 0o644)] {
            let path = dir.join(name);
            fs::write(&path, "x").unwrap();
            fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
        }
        Files { dir }
    }
}

impl Drop for Files {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.dir);
    }
}

#[test]
fn a_dropped_child_cannot_open_a_root_only_file() {
    let files = Files::new("files");
    for role in Role::ALL {
        let mut probe = Probe::drop_to(role, "nobody");
        let secret = files.dir.join("secret");
        let public = files.dir.join("public");
        assert_eq!(
            probe.ask(&format!("open {}", secret.display())),
            "open error EACCES",
            "{role}"
        );
        // The control: the directory is reachable, only the mode stops it.
        assert_eq!(
            probe.ask(&format!("open {}", public.display())),
            "open ok",
            "{role}"
        );
    }
}

#[test]
fn the_default_user_rule_picks_vigil_or_nobody_for_real() {
    let expected = user::resolve_default().unwrap();
    assert!(expected.name == "vigil" || expected.name == "nobody");
    let probe = Probe::drop_to(Role::Checkerd, "-");
    verify::verify_pid(probe.pid, &Expected::for_role(&expected, Role::Checkerd)).unwrap();
}

#[test]
fn the_test_process_itself_as_root_fails_verification_on_every_count() {
    let me = Pid::this();
    let s = status::read(me).unwrap();
    let diffs = verify::differences(&s, &Expected::for_role(&nobody(), Role::Checkerd));
    assert!(
        diffs.iter().any(|d| matches!(d, Difference::Uid { .. })),
        "{diffs:?}"
    );
    assert!(
        diffs.iter().any(|d| matches!(d, Difference::Gid { .. })),
        "{diffs:?}"
    );
    assert!(diffs.contains(&Difference::NoNewPrivs), "{diffs:?}");
    assert!(
        diffs
            .iter()
            .filter(|d| matches!(d, Difference::Caps { .. }))
            .count()
            >= 3,
        "{diffs:?}"
    );
}

#[test]
fn dropping_to_root_is_refused() {
    let out = Command::new(PROBE)
        .args(["drop", "checkerd", "root"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("must not run as root"), "{err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn a_child_whose_parent_is_not_the_expected_one_exits_before_working() {
    // The race check: the expected supervisor (pid 1 here, which is not our
    // parent) is "gone", so the child must not proceed.
    let out = Command::new(PROBE)
        .args(["drop", "checkerd", "nobody", "1"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("parent 1 is gone"), "{err}");
    assert!(out.stdout.is_empty());
}

/// Kills a process with SIGKILL unless disarmed (once reaped, its pid may be
/// reused), so a failing test leaves none behind.
struct KillOnDrop(Option<Pid>);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        if let Some(pid) = self.0 {
            let _ = kill(pid, Signal::SIGKILL);
            let _ = waitpid(pid, None);
        }
    }
}

#[test]
fn killing_the_parent_of_a_dropped_child_ends_the_child_with_sigterm_within_1s() {
    // As a subreaper, this process inherits the orphaned child and can reap it,
    // whatever pid 1 does with orphans on this host.
    prctl::set_child_subreaper(true).unwrap();
    let mut parent = Command::new(PROBE)
        .args(["parent", "vrrpd", "nobody"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    // Held open until the end: the child's stdin never reaches EOF, so only
    // the parent-death signal can stop it.
    let _stdin = parent.stdin.take().unwrap();
    let mut out = BufReader::new(parent.stdout.take().unwrap());
    // Parent and child share the pipe: "child PID" and "dropped PID" may come
    // in either order.
    let mut lines = [String::new(), String::new()];
    for line in &mut lines {
        out.read_line(line).unwrap();
    }
    let child_line = lines.iter().find(|l| l.starts_with("child ")).unwrap();
    let child: i32 = child_line["child ".len()..].trim().parse().unwrap();
    let child = Pid::from_raw(child);
    let mut guard = KillOnDrop(Some(child));
    assert!(
        lines.iter().any(|l| l.trim() == format!("dropped {child}")),
        "{lines:?}"
    );

    parent.kill().unwrap();
    parent.wait().unwrap();
    let killed = Instant::now();
    let status = loop {
        match waitpid(child, Some(WaitPidFlag::WNOHANG)).unwrap() {
            WaitStatus::StillAlive if killed.elapsed() < Duration::from_secs(5) => {
                std::thread::sleep(Duration::from_millis(10))
            }
            other => break other,
        }
    };
    let elapsed = killed.elapsed();
    if status != WaitStatus::StillAlive {
        guard.0 = None;
    }
    assert_eq!(status, WaitStatus::Signaled(child, Signal::SIGTERM, false));
    assert!(
        elapsed < Duration::from_secs(1),
        "child lived {elapsed:?} after its parent"
    );
}

#[test]
fn dropping_in_a_multi_threaded_process_is_refused_before_any_change() {
    // A thread that is surely alive during the call: the drop must refuse,
    // since it would change the calling thread only. It checks before it
    // touches anything, so this test process keeps its privileges.
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    let helper = std::thread::spawn(move || {
        let _ = rx.recv();
    });
    let plan = vigil_privsep::DropPlan {
        account: nobody(),
        role: Role::Checkerd,
        parent: None,
    };
    let err = vigil_privsep::drop_privileges(&plan).unwrap_err();
    drop(tx);
    helper.join().unwrap();
    assert!(
        matches!(err, vigil_privsep::DropError::NotSingleThreaded(n) if n >= 2),
        "{err}"
    );
    assert_eq!(nix::unistd::geteuid().as_raw(), 0);
}
