//! Starting a child (fork+exec with its end of a socketpair), the state of each child
//! slot, and the meaning of a child's exit status.
//!
//! The restart delay itself is pure logic in [`crate::backoff`].

use crate::backoff::Backoff;
use crate::proto::ChildProto;
use nix::fcntl::{fcntl, FcntlArg, FdFlag};
use std::fmt;
use std::io;
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::Instant;
use vigil_ipc::msg::Nonce;
use vigil_ipc::{seqpacket_pair, Channel, ChannelError};

/// keepalived's exit status of a child whose privileges could not be dropped.
pub const EXIT_PRIVILEGES: i32 = 77;
/// Exit status of a child whose configuration can never work on this host.
pub const EXIT_CONFIG: i32 = 78;

/// What a child's exit means for the suite.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExitMeaning {
    /// Stop everything: restarting would only repeat the failure.
    Fatal(String),
    /// Restart it (after the backoff delay).
    Restart(String),
}

/// Classifies a child's exit status (pure).
pub fn meaning(code: Option<i32>, signal: Option<i32>) -> ExitMeaning {
    match (code, signal) {
        (Some(EXIT_PRIVILEGES), _) => ExitMeaning::Fatal(
            "exited with status 77: it could not drop its privileges".to_string(),
        ),
        (Some(EXIT_CONFIG), _) => ExitMeaning::Fatal(
            "exited with status 78: its configuration cannot work on this host".to_string(),
        ),
        (Some(c), _) => ExitMeaning::Restart(format!("exited with status {c}")),
        (None, Some(s)) => {
            let name = nix::sys::signal::Signal::try_from(s)
                .map(|s| s.as_str().to_string())
                .unwrap_or_else(|_| s.to_string());
            ExitMeaning::Restart(format!("killed by signal {name}"))
        }
        (None, None) => ExitMeaning::Restart("ended".to_string()),
    }
}

/// [`meaning`] of an [`ExitStatus`].
pub fn meaning_of(status: ExitStatus) -> ExitMeaning {
    meaning(status.code(), status.signal())
}

/// How to start the children.
#[derive(Debug, Clone)]
pub struct SpawnSpec {
    /// The directory holding vigil-vrrpd and vigil-checkerd.
    pub libexec: PathBuf,
    /// vigild's pid, for the children's parent-death check.
    pub supervisor_pid: u32,
    /// `-l`: children log to the inherited stderr.
    pub log_console: bool,
    /// `-D`.
    pub log_detail: bool,
    /// `-S N`.
    pub log_facility: Option<u8>,
    /// `*_rlimit_rttime` for a child with a real-time priority: it sets the limit
    /// itself (`--rlimit-rttime`).
    pub rlimit_rttime: Option<u32>,
}

/// Why a child could not be started.
#[derive(Debug)]
pub enum SpawnError {
    /// The socketpair or its flags.
    Channel(ChannelError),
    /// Making the child's end inheritable.
    Fcntl(nix::errno::Errno),
    /// fork/exec failed.
    Exec {
        /// The program.
        program: PathBuf,
        /// The error.
        source: io::Error,
    },
}

impl fmt::Display for SpawnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SpawnError::Channel(e) => write!(f, "cannot create the IPC socketpair: {e}"),
            SpawnError::Fcntl(e) => write!(f, "cannot pass the IPC socket: {}", e.desc()),
            SpawnError::Exec { program, source } => {
                write!(f, "cannot execute {}: {source}", program.display())
            }
        }
    }
}

impl std::error::Error for SpawnError {}

/// The directory of the child binaries: `$VIGIL_LIBEXEC`, else vigild's own directory.
pub fn libexec_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("VIGIL_LIBEXEC") {
        return PathBuf::from(d);
    }
    std::fs::read_link("/proc/self/exe")
        .ok()
        .and_then(|p| p.parent().map(Path::to_path_buf))
        .unwrap_or_else(|| PathBuf::from("/usr/libexec/vigil"))
}

/// The command line of a child (pure, for tests and log lines).
pub fn child_args(spec: &SpawnSpec, ipc_fd: i32, user: &str) -> Vec<String> {
    let mut args = vec![
        "--ipc-fd".to_string(),
        ipc_fd.to_string(),
        "--user".to_string(),
        user.to_string(),
        "--supervisor-pid".to_string(),
        spec.supervisor_pid.to_string(),
    ];
    if spec.log_console {
        args.push("--log-console".into());
    }
    if spec.log_detail {
        args.push("--log-detail".into());
    }
    if let Some(n) = spec.log_facility {
        args.push("--log-facility".into());
        args.push(n.to_string());
    }
    if let Some(us) = spec.rlimit_rttime {
        args.push("--rlimit-rttime".into());
        args.push(us.to_string());
    }
    args
}

/// Starts child `P` as `user`; returns the process and the supervisor's end.
pub fn spawn<P: ChildProto>(spec: &SpawnSpec, user: &str) -> Result<(Child, OwnedFd), SpawnError> {
    let (ours, theirs) = seqpacket_pair().map_err(SpawnError::Channel)?;
    // The child's end must survive exec: clear close-on-exec on it alone. The loop is
    // single-threaded, so no other fork can inherit it before it is closed below.
    fcntl(&theirs, FcntlArg::F_SETFD(FdFlag::empty())).map_err(SpawnError::Fcntl)?;
    let program = spec.libexec.join(P::BINARY);
    let mut cmd = Command::new(&program);
    cmd.args(child_args(spec, theirs.as_raw_fd(), user))
        .env_clear()
        .env("PATH", vigil_script::SCRIPT_PATH)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(if spec.log_console {
            Stdio::inherit()
        } else {
            Stdio::null()
        })
        // Its own process group: a terminal's ^C reaches vigild alone, which then
        // stops the children in order.
        .process_group(0);
    let child = cmd.spawn().map_err(|source| SpawnError::Exec {
        program: program.clone(),
        source,
    })?;
    drop(theirs);
    Ok((child, ours))
}

/// Where a running child is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Started; its Hello has not arrived.
    Handshake,
    /// Configuration generation sent, not yet acknowledged.
    Configuring(u64),
    /// Working.
    Running,
    /// Told to stop.
    Stopping,
}

/// A child process that is running.
pub struct Running<P: ChildProto> {
    /// The process.
    pub child: Child,
    /// Its channel.
    pub channel: Channel<P::Tx, P::Rx>,
    /// When it was started.
    pub started: Instant,
    /// Its phase.
    pub phase: Phase,
    /// The ping awaiting its pong, and when it was sent.
    pub ping: Option<(Nonce, Instant)>,
    /// When the last ping was sent (or the child started).
    pub last_ping: Instant,
    /// The generation it applied last.
    pub applied: Option<u64>,
    /// The privileges /proc must show once it said Hello.
    pub expected: vigil_privsep::Expected,
    /// When to SIGKILL it if it has not exited after `Shutdown`.
    pub kill_at: Option<Instant>,
    /// Whether it exited because it was asked to (`Shutdown`).
    pub asked_to_stop: bool,
    /// Its end of the channel is closed: it is exiting; the channel left the poll set.
    pub closed: bool,
}

impl<P: ChildProto> Running<P> {
    /// The child's pid.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

/// One child role's slot: the running process if any, and its restart bookkeeping.
pub struct Slot<P: ChildProto> {
    /// Whether this child runs at all (`-P`/`-C`).
    pub enabled: bool,
    /// The process, while there is one.
    pub running: Option<Running<P>>,
    /// The restart delay.
    pub backoff: Backoff,
    /// When to start it again.
    pub restart_at: Option<Instant>,
    /// How many times it was restarted.
    pub restarts: u32,
    /// Its pid file (`-r`/`-c`).
    pub pid_file: PathBuf,
    /// `vigilctl restart`: start it again at once when it has exited.
    pub restart_requested: bool,
}

impl<P: ChildProto> Slot<P> {
    /// An empty slot.
    pub fn new(enabled: bool, pid_file: PathBuf) -> Self {
        Slot {
            enabled,
            running: None,
            backoff: Backoff::new(),
            restart_at: None,
            restarts: 0,
            pid_file,
            restart_requested: false,
        }
    }

    /// The running child's pid.
    pub fn pid(&self) -> Option<u32> {
        self.running.as_ref().map(Running::pid)
    }
}

/// Writes a child's pid file (the supervisor holds no lock on it: the child's life is
/// tied to vigild's, whose own pid file is locked).
pub fn write_pid_file(path: &Path, pid: u32) -> io::Result<()> {
    let tmp = path.with_extension("pid.tmp");
    std::fs::write(&tmp, format!("{pid}\n"))?;
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn privilege_and_configuration_failures_stop_the_suite() {
        assert!(matches!(meaning(Some(77), None), ExitMeaning::Fatal(_)));
        assert!(matches!(meaning(Some(78), None), ExitMeaning::Fatal(_)));
    }

    #[test]
    fn other_exits_and_signals_restart() {
        assert_eq!(
            meaning(Some(1), None),
            ExitMeaning::Restart("exited with status 1".into())
        );
        assert_eq!(
            meaning(None, Some(9)),
            ExitMeaning::Restart("killed by signal SIGKILL".into())
        );
        assert!(matches!(meaning(Some(0), None), ExitMeaning::Restart(_)));
    }

    #[test]
    fn child_command_line_follows_the_contract() {
        let spec = SpawnSpec {
            libexec: "/x".into(),
            supervisor_pid: 42,
            log_console: true,
            log_detail: false,
            log_facility: Some(3),
            rlimit_rttime: None,
        };
        assert_eq!(
            child_args(&spec, 7, "vigil").join(" "),
            "--ipc-fd 7 --user vigil --supervisor-pid 42 --log-console --log-facility 3"
        );
        let rt = SpawnSpec {
            rlimit_rttime: Some(10_000),
            ..spec
        };
        assert!(child_args(&rt, 7, "vigil")
            .join(" ")
            .ends_with("--log-facility 3 --rlimit-rttime 10000"));
    }
}

/// A child that has ended and been reaped.
#[derive(Debug)]
pub struct Ended {
    /// Its pid.
    pub pid: u32,
    /// How it ended.
    pub status: ExitStatus,
    /// How long it ran.
    pub ran: std::time::Duration,
    /// It ended after being asked to stop.
    pub asked_to_stop: bool,
}

impl<P: ChildProto> Slot<P> {
    /// Reaps the child if it has exited (non-blocking).
    pub fn reap(&mut self, registry: &mio::Registry) -> Option<Ended> {
        let r = self.running.as_mut()?;
        match r.child.try_wait() {
            Ok(Some(status)) => Some(self.take(registry, status)),
            Ok(None) => None,
            Err(e) => {
                log::error!("{} child: waitpid: {e}", P::NAME);
                None
            }
        }
    }

    /// SIGKILLs the child and reaps it.
    pub fn kill(&mut self, registry: &mio::Registry) -> Option<Ended> {
        let r = self.running.as_mut()?;
        // Already dead is fine: wait() still collects its status.
        let _ = r.child.kill();
        let status = match r.child.wait() {
            Ok(s) => s,
            Err(e) => {
                log::error!("{} child: wait after SIGKILL: {e}", P::NAME);
                ExitStatus::from_raw(9)
            }
        };
        Some(self.take(registry, status))
    }

    /// The child closed its channel: it is on its way out (a clean exit may still be
    /// removing addresses). Stop polling the channel and give it until `deadline` to
    /// exit before it is killed; SIGCHLD reaps it.
    pub fn closed(&mut self, registry: &mio::Registry, deadline: Instant) {
        if let Some(r) = self.running.as_mut() {
            if !r.closed {
                r.closed = true;
                let raw = r.channel.as_raw_fd();
                let _ = registry.deregister(&mut mio::unix::SourceFd(&raw));
            }
            r.phase = Phase::Stopping;
            r.kill_at = Some(r.kill_at.map_or(deadline, |t| t.min(deadline)));
        }
    }

    fn take(&mut self, registry: &mio::Registry, status: ExitStatus) -> Ended {
        let mut ended = Ended {
            pid: 0,
            status,
            ran: std::time::Duration::ZERO,
            asked_to_stop: false,
        };
        if let Some(r) = self.running.take() {
            if !r.closed {
                let raw = r.channel.as_raw_fd();
                let _ = registry.deregister(&mut mio::unix::SourceFd(&raw));
            }
            ended.pid = r.pid();
            ended.ran = r.started.elapsed();
            ended.asked_to_stop = r.asked_to_stop;
        }
        let _ = std::fs::remove_file(&self.pid_file);
        ended
    }

    /// Starts the child and registers its channel under `token`.
    pub fn start(
        &mut self,
        spec: &SpawnSpec,
        account: &vigil_privsep::Account,
        registry: &mio::Registry,
        token: mio::Token,
    ) -> Result<u32, String> {
        let (child, fd) = spawn::<P>(spec, &account.name).map_err(|e| e.to_string())?;
        let pid = child.id();
        let mut child = child;
        let channel = match Channel::new(fd, std::process::id()) {
            Ok(c) => c,
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("cannot set up the channel: {e}"));
            }
        };
        let raw = channel.as_raw_fd();
        if let Err(e) = registry.register(
            &mut mio::unix::SourceFd(&raw),
            token,
            mio::Interest::READABLE | mio::Interest::WRITABLE,
        ) {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("cannot poll the channel: {e}"));
        }
        let now = Instant::now();
        self.running = Some(Running {
            child,
            channel,
            started: now,
            phase: Phase::Handshake,
            ping: None,
            last_ping: now,
            applied: None,
            expected: vigil_privsep::Expected::for_role(account, P::ROLE),
            kill_at: None,
            asked_to_stop: false,
            closed: false,
        });
        if let Err(e) = write_pid_file(&self.pid_file, pid) {
            log::warn!(
                "{} child: cannot write pid file {}: {e}",
                P::NAME,
                self.pid_file.display()
            );
        }
        Ok(pid)
    }
}

/// Checks a child's privileges from /proc/PID/status against what its role allows.
pub fn verify(pid: u32, expected: &vigil_privsep::Expected) -> Result<(), String> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .map_err(|e| format!("cannot read /proc/{pid}/status: {e}"))?;
    let status = vigil_privsep::status::parse(&text).map_err(|e| e.to_string())?;
    vigil_privsep::verify::check(&status, expected).map_err(|e| e.to_string())
}
