//! Namespaces, the bridge, hosts and their processes.

use std::fmt;
use std::fs::{self, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Labs made by this process, so that two labs of one test binary get distinct names.
static SERIAL: AtomicU32 = AtomicU32::new(0);

/// A lab command that failed.
#[derive(Debug)]
pub enum LabError {
    /// The command could not be started at all.
    Spawn {
        /// What was run.
        what: String,
        /// Why.
        error: io::Error,
    },
    /// It ran and exited non-zero.
    Failed {
        /// What was run.
        what: String,
        /// Its exit status.
        status: std::process::ExitStatus,
        /// Its standard error.
        stderr: String,
    },
    /// A file of the lab could not be written or read.
    Io {
        /// Which file.
        path: PathBuf,
        /// Why.
        error: io::Error,
    },
    /// Waiting for a condition ran out of time.
    Timeout(String),
}

impl fmt::Display for LabError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LabError::Spawn { what, error } => write!(f, "cannot run `{what}`: {error}"),
            LabError::Failed {
                what,
                status,
                stderr,
            } => write!(f, "`{what}` failed ({status}): {}", stderr.trim()),
            LabError::Io { path, error } => write!(f, "{}: {error}", path.display()),
            LabError::Timeout(what) => write!(f, "timed out waiting for {what}"),
        }
    }
}

impl std::error::Error for LabError {}

impl From<LabError> for io::Error {
    fn from(e: LabError) -> io::Error {
        io::Error::other(e.to_string())
    }
}

/// Runs a command to completion; a non-zero exit is an error carrying its stderr.
fn checked(cmd: &mut Command) -> Result<Output, LabError> {
    let what = describe(cmd);
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .map_err(|error| LabError::Spawn {
            what: what.clone(),
            error,
        })?;
    if out.status.success() {
        Ok(out)
    } else {
        Err(LabError::Failed {
            what,
            status: out.status,
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        })
    }
}

fn describe(cmd: &Command) -> String {
    let mut s = cmd.get_program().to_string_lossy().into_owned();
    for a in cmd.get_args() {
        s.push(' ');
        s.push_str(&a.to_string_lossy());
    }
    s
}

fn ip(args: &[&str]) -> Result<Output, LabError> {
    checked(Command::new("ip").args(args))
}

struct Inner {
    prefix: String,
    switch: String,
    dir: PathBuf,
    namespaces: Mutex<Vec<String>>,
    /// Bridge ports and the host behind each.
    ports: Arc<Mutex<Vec<(String, String)>>>,
}

/// A set of namespaces on one bridge; everything it made goes away on drop.
pub struct Lab {
    inner: Arc<Inner>,
}

/// One host of a lab: a network namespace with `eth0` on the lab's bridge.
#[derive(Clone)]
pub struct Host {
    inner: Arc<Inner>,
    name: String,
    ns: String,
}

impl Lab {
    /// A new lab; `tag` (a few letters) goes into the namespace names with the pid.
    pub fn new(tag: &str) -> Result<Lab, LabError> {
        let serial = SERIAL.fetch_add(1, Ordering::Relaxed);
        let prefix = format!("vg{tag}{}x{serial}", std::process::id());
        let dir = std::env::temp_dir().join(format!("{prefix}.lab"));
        fs::create_dir_all(&dir).map_err(|error| LabError::Io {
            path: dir.clone(),
            error,
        })?;
        let switch = format!("{prefix}-sw");
        let lab = Lab {
            inner: Arc::new(Inner {
                prefix,
                switch: switch.clone(),
                dir,
                namespaces: Mutex::new(Vec::new()),
                ports: Arc::new(Mutex::new(Vec::new())),
            }),
        };
        lab.add_namespace(&switch)?;
        ip(&["-n", &switch, "link", "add", "br0", "type", "bridge"])?;
        // Multicast snooping would hold back VRRP multicast until a querier shows up;
        // a forward delay of 0 makes ports forward at once.
        ip(&[
            "-n",
            &switch,
            "link",
            "set",
            "br0",
            "type",
            "bridge",
            "mcast_snooping",
            "0",
            "forward_delay",
            "0",
        ])?;
        ip(&["-n", &switch, "link", "set", "br0", "up"])?;
        Ok(lab)
    }

    fn add_namespace(&self, ns: &str) -> Result<(), LabError> {
        ip(&["netns", "add", ns])?;
        if let Ok(mut list) = self.inner.namespaces.lock() {
            list.push(ns.to_string());
        }
        ip(&["-n", ns, "link", "set", "lo", "up"])?;
        // No duplicate address detection on lab links: an IPv6 link-local address would
        // stay tentative for a second after the link comes up, and VRRPv3 over IPv6
        // sends from it (RFC 5798 §5.1.2.1).
        checked(Command::new("ip").args([
            "netns",
            "exec",
            ns,
            "sysctl",
            "-qw",
            "net.ipv6.conf.all.accept_dad=0",
            "net.ipv6.conf.default.accept_dad=0",
        ]))?;
        Ok(())
    }

    /// Adds a host named `name` (a short word: it names the bridge port too).
    pub fn host(&mut self, name: &str) -> Result<Host, LabError> {
        let ns = format!("{}-{name}", self.inner.prefix);
        self.add_namespace(&ns)?;
        let port = format!("p-{name}");
        let sw = &self.inner.switch;
        ip(&[
            "-n", sw, "link", "add", &port, "type", "veth", "peer", "name", "eth0", "netns", &ns,
        ])?;
        ip(&["-n", sw, "link", "set", &port, "master", "br0", "up"])?;
        ip(&["-n", &ns, "link", "set", "eth0", "up"])?;
        if let Ok(mut ports) = self.inner.ports.lock() {
            ports.push((port.clone(), name.to_string()));
        }
        Ok(Host {
            inner: Arc::clone(&self.inner),
            name: name.to_string(),
            ns,
        })
    }

    /// Gives `host` another interface `ifname` (up), plugged into bridge `bridge` of
    /// the switch (made on first use; `br0` is the one every host's `eth0` is on), so
    /// that one host can sit on several separate links.
    pub fn link(&mut self, host: &Host, ifname: &str, bridge: &str) -> Result<(), LabError> {
        let sw = &self.inner.switch;
        if bridge != "br0" && ip(&["-n", sw, "link", "show", bridge]).is_err() {
            ip(&["-n", sw, "link", "add", bridge, "type", "bridge"])?;
            ip(&[
                "-n",
                sw,
                "link",
                "set",
                bridge,
                "type",
                "bridge",
                "mcast_snooping",
                "0",
                "forward_delay",
                "0",
            ])?;
            ip(&["-n", sw, "link", "set", bridge, "up"])?;
        }
        let port = format!("p-{}-{ifname}", host.name);
        ip(&[
            "-n", sw, "link", "add", &port, "type", "veth", "peer", "name", ifname, "netns",
            &host.ns,
        ])?;
        ip(&["-n", sw, "link", "set", &port, "master", bridge, "up"])?;
        ip(&["-n", &host.ns, "link", "set", ifname, "up"])?;
        if let Ok(mut ports) = self.inner.ports.lock() {
            ports.push((port, host.name.clone()));
        }
        Ok(())
    }

    /// The switch namespace (where `br0` lives), e.g. for captures.
    pub fn switch_namespace(&self) -> &str {
        &self.inner.switch
    }

    /// The lab's directory for logs and generated files (removed on drop).
    pub fn dir(&self) -> &Path {
        &self.inner.dir
    }

    /// Starts capturing every frame crossing the bridge, with kernel timestamps.
    pub fn capture(&self) -> Result<crate::Capture, LabError> {
        crate::Capture::start(&self.inner.switch, Arc::clone(&self.inner.ports))
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        self.cleaner().clean();
    }
}

/// A handle that removes a lab from another thread (a signal handler thread of a demo
/// interrupted with Ctrl-C), since destructors do not run when a process is killed.
#[derive(Clone)]
pub struct Cleaner {
    inner: Arc<Inner>,
}

impl Lab {
    /// A handle that can remove everything this lab made, from any thread.
    pub fn cleaner(&self) -> Cleaner {
        Cleaner {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl Cleaner {
    /// Kills every process left in the lab's namespaces, deletes them and the lab's
    /// directory. Safe to call more than once.
    pub fn clean(&self) {
        let list = match self.inner.namespaces.lock() {
            Ok(mut l) => std::mem::take(&mut *l),
            Err(_) => return,
        };
        // Hosts first, the switch last; every process still in a namespace is ours.
        for ns in list.iter().rev() {
            kill_all_in(ns);
            let _ = Command::new("ip")
                .args(["netns", "del", ns])
                .stderr(Stdio::null())
                .status();
        }
        let _ = fs::remove_dir_all(&self.inner.dir);
    }
}

/// SIGKILLs every process in namespace `ns` (processes the lab started there).
fn kill_all_in(ns: &str) {
    for _ in 0..3 {
        let Ok(out) = Command::new("ip").args(["netns", "pids", ns]).output() else {
            return;
        };
        let pids: Vec<i32> = String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .filter_map(|p| p.parse().ok())
            .collect();
        if pids.is_empty() {
            return;
        }
        for pid in pids {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(pid),
                nix::sys::signal::Signal::SIGKILL,
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

impl Host {
    /// The host's name in the lab.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The network namespace's name (for `ip netns exec`).
    pub fn namespace(&self) -> &str {
        &self.ns
    }

    /// Runs `script` with `sh -c` inside the namespace; returns its stdout.
    pub fn run(&self, script: &str) -> Result<String, LabError> {
        let out = checked(
            Command::new("ip")
                .args(["netns", "exec", &self.ns, "sh", "-c"])
                .arg(script),
        )?;
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// The host's log file: what processes started with [`Host::spawn`] print.
    pub fn log_path(&self) -> PathBuf {
        self.inner.dir.join(format!("{}.log", self.name))
    }

    /// What processes on this host have printed so far.
    pub fn log(&self) -> String {
        fs::read_to_string(self.log_path()).unwrap_or_default()
    }

    /// Starts `cmd` inside the namespace (program, arguments, environment and working
    /// directory are taken from it; stdin is /dev/null; stdout and stderr go to
    /// [`Host::log_path`]). Descriptors without close-on-exec stay open in the program.
    pub fn spawn(&self, cmd: &mut Command) -> Result<Child, LabError> {
        self.spawn_logging_to(cmd, &self.log_path())
    }

    /// As [`Host::spawn`], with stdout and stderr appended to `path` instead.
    pub fn spawn_logging_to(&self, cmd: &mut Command, path: &Path) -> Result<Child, LabError> {
        let mut wrapped = self.wrap(cmd);
        let log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|error| LabError::Io {
                path: path.to_path_buf(),
                error,
            })?;
        let log2 = log.try_clone().map_err(|error| LabError::Io {
            path: path.to_path_buf(),
            error,
        })?;
        let what = describe(&wrapped);
        wrapped
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log2)
            .spawn()
            .map_err(|error| LabError::Spawn { what, error })
    }

    /// `cmd` rewritten to run inside the namespace, stdio left for the caller to set.
    pub fn wrap(&self, cmd: &Command) -> Command {
        let mut wrapped = Command::new("ip");
        wrapped
            .args(["netns", "exec", &self.ns])
            .arg(cmd.get_program())
            .args(cmd.get_args());
        for (k, v) in cmd.get_envs() {
            match v {
                Some(v) => wrapped.env(k, v),
                None => wrapped.env_remove(k),
            };
        }
        if let Some(dir) = cmd.get_current_dir() {
            wrapped.current_dir(dir);
        }
        wrapped
    }

    /// Takes `eth0` down (`false`) or up; the bridge side stays up, so the peer sees the
    /// carrier of its own port only.
    pub fn set_link(&self, up: bool) -> Result<(), LabError> {
        ip(&[
            "-n",
            &self.ns,
            "link",
            "set",
            "eth0",
            if up { "up" } else { "down" },
        ])?;
        Ok(())
    }

    /// The addresses on `dev` in this namespace, as `addr/len` strings.
    pub fn addresses(&self, dev: &str) -> Result<Vec<String>, LabError> {
        let out = ip(&["-n", &self.ns, "-o", "addr", "show", "dev", dev])?;
        Ok(String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| {
                let mut words = l.split_whitespace();
                words.find(|w| *w == "inet" || *w == "inet6")?;
                words.next().map(str::to_string)
            })
            .collect())
    }

    /// True when `addr` (without a prefix length) is on `dev`.
    pub fn has_address(&self, dev: &str, addr: &str) -> bool {
        self.addresses(dev)
            .map(|l| l.iter().any(|a| a.split('/').next() == Some(addr)))
            .unwrap_or(false)
    }

    /// Polls `cond` every 10 ms until it holds or `timeout` passes.
    pub fn wait_for(
        &self,
        what: &str,
        timeout: Duration,
        mut cond: impl FnMut() -> bool,
    ) -> Result<Duration, LabError> {
        let start = Instant::now();
        loop {
            if cond() {
                return Ok(start.elapsed());
            }
            if start.elapsed() > timeout {
                return Err(LabError::Timeout(format!("{what} on {}", self.name)));
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}
