//! A lab node running vigild or keepalived on a configuration, and the faults a
//! failover test inflicts on it.

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::Duration;
use vigil_netlab::{Host, LabError};

/// Which implementation a node runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Daemon {
    /// vigild with its children.
    Vigil,
    /// Debian's keepalived (VRRP only, `-P`).
    Keepalived,
}

impl Daemon {
    /// The name for tables.
    pub fn name(self) -> &'static str {
        match self {
            Daemon::Vigil => "vigil",
            Daemon::Keepalived => "keepalived",
        }
    }
}

/// The directory of vigil's binaries: the running executable's (a test's `deps/`
/// parent), or `VIGIL_BIN_DIR`.
pub fn bin_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("VIGIL_BIN_DIR") {
        return PathBuf::from(dir);
    }
    let exe = std::env::current_exe().unwrap_or_default();
    let dir = exe.parent().map(Path::to_path_buf).unwrap_or_default();
    if dir.ends_with("deps") {
        dir.parent().map(Path::to_path_buf).unwrap_or(dir)
    } else {
        dir
    }
}

/// One node: a lab host, its configuration and its daemon process.
pub struct Node {
    /// The lab host.
    pub host: Host,
    /// The implementation.
    pub daemon: Daemon,
    /// Where its configuration and pid files live.
    pub dir: PathBuf,
    child: Option<Child>,
}

impl Node {
    /// Writes `conf` for the node on `host` (whose address is set by the caller).
    pub fn new(host: Host, daemon: Daemon, dir: &Path, conf: &str) -> Result<Node, LabError> {
        let dir = dir.join(host.name());
        std::fs::create_dir_all(&dir).map_err(|error| LabError::Io {
            path: dir.clone(),
            error,
        })?;
        let path = dir.join("keepalived.conf");
        std::fs::write(&path, conf).map_err(|error| LabError::Io {
            path: path.clone(),
            error,
        })?;
        Ok(Node {
            host,
            daemon,
            dir,
            child: None,
        })
    }

    /// The configuration file.
    pub fn conf_path(&self) -> PathBuf {
        self.dir.join("keepalived.conf")
    }

    /// Replaces the configuration file (for reloads).
    pub fn write_conf(&self, conf: &str) -> Result<(), LabError> {
        std::fs::write(self.conf_path(), conf).map_err(|error| LabError::Io {
            path: self.conf_path(),
            error,
        })
    }

    /// The control socket of a vigil node.
    pub fn control(&self) -> PathBuf {
        self.dir.join("vigil.ctl")
    }

    /// The command line that starts the node's daemon in the foreground, logging to
    /// the console.
    pub fn command(&self) -> Command {
        let d = &self.dir;
        match self.daemon {
            Daemon::Vigil => {
                let mut c = Command::new(bin_dir().join("vigild"));
                c.args(["-n", "-l", "-D", "-f"])
                    .arg(self.conf_path())
                    .arg("-p")
                    .arg(d.join("vigild.pid"))
                    .arg("-r")
                    .arg(d.join("vrrp.pid"))
                    .arg("-c")
                    .arg(d.join("checker.pid"))
                    .arg("--control")
                    .arg(self.control())
                    .env("VIGIL_LIBEXEC", bin_dir());
                c
            }
            Daemon::Keepalived => {
                let mut c = Command::new("keepalived");
                c.args(["-n", "-l", "-D", "-P", "-f"])
                    .arg(self.conf_path())
                    .arg("-p")
                    .arg(d.join("keepalived.pid"))
                    .arg("-r")
                    .arg(d.join("vrrp.pid"));
                c
            }
        }
    }

    /// Starts the daemon.
    pub fn start(&mut self) -> Result<(), LabError> {
        let child = self.host.spawn(&mut self.command())?;
        self.child = Some(child);
        Ok(())
    }

    /// The main process's pid (vigild, or keepalived's parent).
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Every process of the node (its namespace holds nothing else).
    pub fn pids(&self) -> Vec<i32> {
        let out = Command::new("ip")
            .args(["netns", "pids", self.host.namespace()])
            .output();
        out.map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .split_whitespace()
                .filter_map(|p| p.parse().ok())
                .collect()
        })
        .unwrap_or_default()
    }

    /// Sends `sig` to the main process.
    pub fn signal(&self, sig: Signal) {
        if let Some(pid) = self.pid() {
            if let Ok(pid) = i32::try_from(pid) {
                let _ = kill(Pid::from_raw(pid), sig);
            }
        }
    }

    /// A crash: every process of the node dies at once. They are stopped first, then
    /// killed: killed one by one, a child could see its parent die (PR_SET_PDEATHSIG)
    /// and shut down gracefully with a priority-0 advert before its own SIGKILL lands.
    pub fn crash(&mut self) {
        let pids = self.pids();
        for &pid in &pids {
            let _ = kill(Pid::from_raw(pid), Signal::SIGSTOP);
        }
        for &pid in &pids {
            let _ = kill(Pid::from_raw(pid), Signal::SIGKILL);
        }
        self.reap();
    }

    /// A graceful stop: SIGTERM to the main process; waits up to `limit` for it to exit.
    pub fn stop(&mut self, limit: Duration) -> bool {
        self.signal(Signal::SIGTERM);
        let start = std::time::Instant::now();
        while start.elapsed() < limit {
            if let Some(c) = self.child.as_mut() {
                if let Ok(Some(_)) = c.try_wait() {
                    self.child = None;
                    return true;
                }
            } else {
                return true;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        false
    }

    fn reap(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.wait();
        }
    }

    /// The VRRP process: vigil-vrrpd, or keepalived's VRRP child (from `-r`).
    pub fn vrrp_pid(&self) -> Option<i32> {
        crate::procstat::pid_file(&self.dir.join("vrrp.pid"))
    }

    /// True while the virtual address is on `eth0`.
    pub fn holds(&self, vip: &str) -> bool {
        self.host.has_address("eth0", vip)
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        if self.child.is_some() {
            self.crash();
        }
    }
}
