//! The engine every vigild scenario runs on: a network namespace of its own (netlab),
//! a temporary directory with the configuration, pid files, control socket and a
//! libexec directory (links to the real children, or wrapper scripts for fakes), the
//! real vigild started with `-n -l`, its log (all three processes' stderr) and cleanup
//! of every process and file, by pid, even when the test fails.
//!
//! The real children must be built: `cargo test --workspace` builds every binary; for
//! this package alone run `cargo build -p vigil-vrrpd -p vigil-checkerd` first.
#![allow(dead_code, clippy::unwrap_used)]

use std::cell::RefCell;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output};
use std::time::{Duration, Instant};
use vigil_netlab::{Host, Lab};

/// A configuration with one instance on eth0 and no scripts.
pub const BASIC: &str = "global_defs {\n    router_id test\n}\n\
vrrp_instance VI_1 {\n    state BACKUP\n    interface eth0\n    virtual_router_id 51\n    \
priority 100\n    advert_int 1\n    virtual_ipaddress {\n        192.0.2.100/24\n    }\n}\n";

/// One vigild under test.
pub struct Suite {
    pub dir: PathBuf,
    pub conf: PathBuf,
    pub pid: PathBuf,
    pub vrrp_pid: PathBuf,
    pub checker_pid: PathBuf,
    pub ctl: PathBuf,
    pub libexec: PathBuf,
    pub host: Host,
    vigild: Option<Child>,
    seen: RefCell<Vec<u32>>,
    // Last: the namespace goes after every process in it.
    _lab: Lab,
}

fn bin_dir() -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_vigild"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// The real child binary `name`, which must have been built.
pub fn real_child(name: &str) -> PathBuf {
    let p = bin_dir().join(name);
    assert!(
        p.exists(),
        "{} is not built: run `cargo build -p vigil-vrrpd -p vigil-checkerd` (or `cargo test --workspace`)",
        p.display()
    );
    p
}

fn is_ours(pid: u32) -> bool {
    std::fs::read(format!("/proc/{pid}/cmdline"))
        .map(|c| String::from_utf8_lossy(&c).contains("vigil"))
        .unwrap_or(false)
}

/// SIGKILLs `pid` if it is still one of vigil's processes.
pub fn kill9(pid: u32) {
    if is_ours(pid) {
        let _ = nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(pid as i32),
            nix::sys::signal::Signal::SIGKILL,
        );
    }
}

/// Sends `sig` to `pid`.
pub fn signal(pid: u32, sig: nix::sys::signal::Signal) {
    let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid as i32), sig);
}

/// Whether `pid` exists (and is not a zombie).
pub fn alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(s) => !s
            .rsplit(')')
            .next()
            .is_some_and(|rest| rest.trim_start().starts_with('Z')),
        Err(_) => false,
    }
}

/// Polls `cond` every 10 ms; the time it took, or a panic naming `what`.
pub fn wait_for(what: &str, timeout: Duration, mut cond: impl FnMut() -> bool) -> Duration {
    let start = Instant::now();
    loop {
        if cond() {
            return start.elapsed();
        }
        assert!(start.elapsed() < timeout, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

impl Suite {
    /// A lab host and a directory holding `config` (mode 0600, root's).
    pub fn new(tag: &str, config: &str) -> Suite {
        let mut lab = Lab::new(tag).expect("lab");
        let host = lab.host("n1").expect("host");
        let dir = std::env::temp_dir().join(format!("vigil-sup-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        // Children exec wrapper scripts from here as root before dropping privileges;
        // scripts run as nobody may need to write marker files here.
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        let libexec = dir.join("libexec");
        std::fs::create_dir_all(&libexec).unwrap();
        for name in ["vigil-vrrpd", "vigil-checkerd"] {
            std::os::unix::fs::symlink(real_child(name), libexec.join(name)).unwrap();
        }
        let s = Suite {
            conf: dir.join("keepalived.conf"),
            pid: dir.join("vigild.pid"),
            vrrp_pid: dir.join("vrrpd.pid"),
            checker_pid: dir.join("checkerd.pid"),
            ctl: dir.join("vigil.ctl"),
            libexec,
            dir,
            host,
            vigild: None,
            seen: RefCell::new(Vec::new()),
            _lab: lab,
        };
        s.write_config(config);
        s
    }

    /// Replaces the configuration file (0600: the children must not be able to read it).
    pub fn write_config(&self, text: &str) {
        std::fs::write(&self.conf, text).unwrap();
        std::fs::set_permissions(&self.conf, std::fs::Permissions::from_mode(0o600)).unwrap();
    }

    /// Makes child `binary` (`vigil-vrrpd` / `vigil-checkerd`) the shell script `body`.
    pub fn child_script(&self, binary: &str, body: &str) {
        let p = self.libexec.join(binary);
        let _ = std::fs::remove_file(&p);
        std::fs::write(&p, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }

    /// Makes child `role` (`vrrp` / `checker`) the fake child in `mode`.
    pub fn fake(&self, role: &str, mode: &str) {
        let binary = if role == "vrrp" {
            "vigil-vrrpd"
        } else {
            "vigil-checkerd"
        };
        self.child_script(
            binary,
            &format!(
                "VIGIL_FAKE_ROLE={role} VIGIL_FAKE_MODE={mode} exec {} \"$@\"",
                env!("CARGO_BIN_EXE_vigil-fake-child")
            ),
        );
    }

    /// Starts vigild in the foreground with console logs and `extra` arguments.
    pub fn start_with(&mut self, extra: &[&str]) {
        self.start_env(extra, &[]);
    }

    /// As [`Suite::start_with`], with environment variables for vigild.
    pub fn start_env(&mut self, extra: &[&str], env: &[(&str, &str)]) {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_vigild"));
        cmd.args(["-n", "-l", "-f"])
            .arg(&self.conf)
            .arg("-p")
            .arg(&self.pid)
            .arg("-r")
            .arg(&self.vrrp_pid)
            .arg("-c")
            .arg(&self.checker_pid)
            .arg("--control")
            .arg(&self.ctl)
            .args(extra)
            .env("VIGIL_LIBEXEC", &self.libexec)
            .envs(env.iter().copied());
        let child = self.host.spawn(&mut cmd).expect("start vigild");
        self.seen.borrow_mut().push(child.id());
        self.vigild = Some(child);
    }

    /// Starts vigild with the defaults.
    pub fn start(&mut self) {
        self.start_with(&[]);
    }

    /// Starts vigild and waits until both children applied their configuration.
    pub fn start_ready(&mut self) {
        self.start();
        self.wait_log("ready", Duration::from_secs(10));
    }

    /// vigild's pid.
    pub fn vigild_pid(&self) -> u32 {
        self.vigild.as_ref().map(Child::id).unwrap()
    }

    /// The pid in a pid file, remembered for cleanup.
    pub fn read_pid(&self, file: &Path) -> Option<u32> {
        let pid: u32 = std::fs::read_to_string(file).ok()?.trim().parse().ok()?;
        self.seen.borrow_mut().push(pid);
        Some(pid)
    }

    /// The VRRP child's pid, from its pid file.
    pub fn vrrp(&self) -> Option<u32> {
        self.read_pid(&self.vrrp_pid)
    }

    /// The checker child's pid, from its pid file.
    pub fn checker(&self) -> Option<u32> {
        self.read_pid(&self.checker_pid)
    }

    /// Everything the suite printed so far.
    pub fn log(&self) -> String {
        self.host.log()
    }

    /// How many log lines contain `needle`.
    pub fn count(&self, needle: &str) -> usize {
        self.log().lines().filter(|l| l.contains(needle)).count()
    }

    /// Waits until the log contains `needle`.
    pub fn wait_log(&self, needle: &str, timeout: Duration) -> Duration {
        let start = Instant::now();
        loop {
            let log = self.log();
            if log.contains(needle) {
                return start.elapsed();
            }
            assert!(
                start.elapsed() < timeout,
                "timed out waiting for {needle:?} in the log:\n{log}"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Runs vigilctl against this suite's socket.
    pub fn ctl(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_vigilctl"))
            .arg("--socket")
            .arg(&self.ctl)
            .args(args)
            .output()
            .expect("run vigilctl")
    }

    /// Waits for vigild to exit (reaping it); its status code.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<i32> {
        let child = self.vigild.as_mut().unwrap();
        let start = Instant::now();
        loop {
            if let Some(s) = child.try_wait().unwrap() {
                return s.code();
            }
            assert!(
                start.elapsed() < timeout,
                "vigild did not exit; log:\n{}",
                self.host.log()
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Whether vigild is still running.
    pub fn vigild_running(&mut self) -> bool {
        self.vigild
            .as_mut()
            .is_some_and(|c| c.try_wait().ok().flatten().is_none())
    }
}

impl Drop for Suite {
    fn drop(&mut self) {
        if let Some(mut c) = self.vigild.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
        let _ = self.vrrp();
        let _ = self.checker();
        for pid in self.seen.borrow().iter() {
            kill9(*pid);
        }
        if std::thread::panicking() {
            eprintln!("---- suite log ----\n{}", self.host.log());
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
