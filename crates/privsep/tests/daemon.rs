//! Daemonising and pid-file locking for real, with the probe binary. One test
//! in this file: it reaps every child of the process (see the end).

#![allow(clippy::unwrap_used)] // tests may unwrap

use nix::sys::prctl;
use nix::sys::signal::{kill, Signal};
use nix::sys::wait::{waitpid, WaitStatus};
use nix::unistd::{getsid, Pid};
use std::fs;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};
use vigil_privsep::{status, PidFile, PidFileError};

const PROBE: &str = env!("CARGO_BIN_EXE_vigil-privsep-probe");

/// Kills the daemon and removes the pid file if the test fails half-way.
struct Cleanup {
    daemon: Option<Pid>,
    path: PathBuf,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        if let Some(pid) = self.daemon {
            let _ = kill(pid, Signal::SIGKILL);
            let _ = waitpid(pid, None);
        }
        let _ = fs::remove_file(&self.path);
    }
}

fn wait_for_pid_in(path: &PathBuf, not: u32) -> Pid {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(10) {
        if let Ok(text) = fs::read_to_string(path) {
            if let Ok(pid) = text.trim().parse::<u32>() {
                if pid != not {
                    return Pid::from_raw(pid as i32);
                }
            }
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("no daemon pid in {}", path.display());
}

#[test]
fn a_daemon_is_detached_holds_its_pid_file_and_removes_it_on_exit() {
    // The daemon is an orphan by design; as a subreaper this test inherits it
    // and can wait for it.
    prctl::set_child_subreaper(true).unwrap();
    let path =
        std::env::temp_dir().join(format!("vigil-privsep-{}-daemon.pid", std::process::id()));
    let mut cleanup = Cleanup {
        daemon: None,
        path: path.clone(),
    };
    let mut starter = Command::new(PROBE)
        .args(["daemon"])
        .arg(&path)
        .spawn()
        .unwrap();
    let starter_pid = starter.id();
    assert!(starter.wait().unwrap().success());
    let daemon = wait_for_pid_in(&path, starter_pid);
    cleanup.daemon = Some(daemon);

    // Detached: own session that it does not lead, cwd /, stdio on /dev/null.
    let sid = getsid(Some(daemon)).unwrap();
    assert_ne!(sid, daemon, "the daemon must not be a session leader");
    assert_ne!(
        sid,
        getsid(None).unwrap(),
        "the daemon must have left our session"
    );
    assert_eq!(
        fs::read_link(format!("/proc/{daemon}/cwd")).unwrap(),
        PathBuf::from("/")
    );
    for fd in 0..3 {
        assert_eq!(
            fs::read_link(format!("/proc/{daemon}/fd/{fd}")).unwrap(),
            PathBuf::from("/dev/null"),
            "fd {fd}"
        );
    }
    assert_eq!(status::read(daemon).unwrap().threads, 1);

    // A second daemon with the same pid file refuses and names the holder.
    let second = Command::new(PROBE)
        .args(["daemon"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(second.status.code(), Some(5));
    let err = String::from_utf8_lossy(&second.stderr);
    assert!(err.contains(&format!("held by pid {daemon}")), "{err}");
    match PidFile::acquire(&path) {
        Err(PidFileError::Locked { holder, .. }) => assert_eq!(holder, Some(daemon)),
        other => panic!("{other:?}"),
    }

    // SIGTERM: the daemon exits cleanly and its pid file goes with it.
    kill(daemon, Signal::SIGTERM).unwrap();
    assert_eq!(
        waitpid(daemon, None).unwrap(),
        WaitStatus::Exited(daemon, 0)
    );
    cleanup.daemon = None;
    assert!(!path.exists(), "pid file left behind");

    // Reap the first fork's child, orphaned to us as well.
    while waitpid(Pid::from_raw(-1), None).is_ok() {}
}
