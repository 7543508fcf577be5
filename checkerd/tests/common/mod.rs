//! The test engine: starts the real vigil-checkerd as root with `--user nobody`, plays
//! the supervisor on the other end of the socketpair, and waits for messages.
#![allow(dead_code)]

use nix::fcntl::{fcntl, FcntlArg, FdFlag};
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use std::fs::File;
use std::io::Read;
use std::os::fd::{AsFd, AsRawFd};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use vigil_config::Options;
use vigil_ipc::{Channel, Event, FromChecker, ToChecker};

/// Spawning clears close-on-exec on the child's end for a moment: one at a time, so
/// that no other child started meanwhile inherits it.
static SPAWN: Mutex<()> = Mutex::new(());

/// A running vigil-checkerd and the supervisor's end of its channel.
pub struct Checkerd {
    /// The process.
    pub child: Child,
    /// The supervisor's end.
    pub chan: Option<Channel<ToChecker, FromChecker>>,
    /// Everything received so far (for failure messages).
    pub seen: Vec<FromChecker>,
    log: std::path::PathBuf,
}

/// Parses keepalived.conf text; panics on errors.
pub fn parse(text: &str) -> vigil_config::Config {
    let loaded = vigil_config::load_str(Path::new("test.conf"), text, &Options::default());
    assert!(
        loaded.is_valid(),
        "configuration invalid:\n{}",
        loaded.diags.render(&loaded.sources)
    );
    loaded.config
}

impl Checkerd {
    /// Starts the checker and completes the handshake.
    pub fn spawn() -> Checkerd {
        let (ours, theirs) = vigil_ipc::seqpacket_pair().expect("socketpair");
        let log = std::env::temp_dir().join(format!(
            "vigil-checkerd-test-{}-{:?}.log",
            std::process::id(),
            std::thread::current().id()
        ));
        let child = {
            let _guard = SPAWN.lock().unwrap_or_else(|p| p.into_inner());
            fcntl(theirs.as_fd(), FcntlArg::F_SETFD(FdFlag::empty())).expect("clear FD_CLOEXEC");
            let stderr = File::create(&log).expect("log file");
            let child = Command::new(env!("CARGO_BIN_EXE_vigil-checkerd"))
                .args([
                    "--ipc-fd",
                    &theirs.as_raw_fd().to_string(),
                    "--user",
                    "nobody",
                    "--supervisor-pid",
                    &std::process::id().to_string(),
                    "--log-console",
                    "--log-detail",
                ])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(stderr)
                .spawn()
                .expect("start vigil-checkerd");
            drop(theirs);
            child
        };
        let chan = Channel::new(ours, std::process::id()).expect("channel");
        let mut c = Checkerd {
            child,
            chan: Some(chan),
            seen: Vec::new(),
            log,
        };
        c.handshake();
        c
    }

    fn chan(&mut self) -> &mut Channel<ToChecker, FromChecker> {
        self.chan.as_mut().expect("channel open")
    }

    fn handshake(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            self.chan().flush().expect("send hello");
            if let Some(r) = self.chan().recv().expect("receive hello") {
                assert!(matches!(r.event, Event::Established(_)), "{:?}", r.event);
                return;
            }
            self.wait_readable(deadline);
            assert!(
                Instant::now() < deadline,
                "no handshake; log:\n{}",
                self.log_text()
            );
        }
    }

    fn wait_readable(&self, deadline: Instant) {
        let Some(chan) = self.chan.as_ref() else {
            return;
        };
        let left = deadline.saturating_duration_since(Instant::now());
        let ms = u16::try_from(left.as_millis().min(1000)).unwrap_or(1000);
        let mut fds = [PollFd::new(chan.as_fd(), PollFlags::POLLIN)];
        let _ = poll(&mut fds, PollTimeout::from(ms));
    }

    /// Sends a message.
    pub fn send(&mut self, msg: ToChecker) {
        self.chan().send(&msg).expect("send");
        while !self.chan().flush().expect("flush") {
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    /// Sends a message with the descriptor it carries.
    pub fn send_fd(&mut self, msg: ToChecker, fd: std::os::fd::OwnedFd) {
        self.chan().send_with_fds(&msg, vec![fd]).expect("send");
        while !self.chan().flush().expect("flush") {
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    /// Sends the configuration `text` as generation `generation`.
    pub fn send_config(&mut self, text: &str, generation: u64) {
        let config = parse(text);
        for m in vigil_ipc::stream::checker_stream(&config, generation) {
            self.send(ToChecker::Config(m.expect("stream message")));
        }
    }

    /// The next message within `timeout`.
    pub fn recv(&mut self, timeout: Duration) -> Option<FromChecker> {
        let deadline = Instant::now() + timeout;
        loop {
            match self.chan().recv() {
                Ok(Some(r)) => match r.event {
                    Event::Message(m) => {
                        self.seen.push(m.clone());
                        return Some(m);
                    }
                    Event::Established(_) => panic!("second hello"),
                },
                Ok(None) => {}
                Err(vigil_ipc::ChannelError::Closed) => return None,
                Err(e) => panic!("receive: {e}"),
            }
            if Instant::now() >= deadline {
                return None;
            }
            self.wait_readable(deadline);
        }
    }

    /// Waits for a message matching `pred`, answering nothing; panics after `timeout`.
    pub fn wait_for(
        &mut self,
        timeout: Duration,
        what: &str,
        mut pred: impl FnMut(&FromChecker) -> bool,
    ) -> FromChecker {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.recv(left) {
                Some(m) if pred(&m) => return m,
                Some(_) => {}
                None => panic!(
                    "no {what} within {timeout:?}; received {:#?}\nlog:\n{}",
                    self.seen,
                    self.log_text()
                ),
            }
        }
    }

    /// Reads and keeps whatever arrives within `quiet`.
    pub fn drain(&mut self, quiet: Duration) {
        while self.recv(quiet).is_some() {}
    }

    /// Closes the supervisor's end (EOF for the child).
    pub fn close(&mut self) {
        self.chan = None;
    }

    /// Waits up to `timeout` for the process to exit.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(s) = self.child.try_wait().expect("wait") {
                return Some(s);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    /// The child's log so far.
    pub fn log_text(&self) -> String {
        let mut s = String::new();
        if let Ok(mut f) = File::open(&self.log) {
            let _ = f.read_to_string(&mut s);
        }
        s
    }

    /// /proc/PID/status of the child.
    pub fn proc_status(&self) -> String {
        std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).expect("status")
    }
}

impl Drop for Checkerd {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("--- vigil-checkerd log ---\n{}", self.log_text());
        }
        // Only the process this test started, by its pid.
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        let _ = std::fs::remove_file(&self.log);
    }
}

/// A generation-1 configuration applied: waits for ConfigApplied.
pub fn start_with(text: &str) -> Checkerd {
    let mut c = Checkerd::spawn();
    c.send_config(text, 1);
    c.wait_for(Duration::from_secs(5), "ConfigApplied", |m| {
        matches!(m, FromChecker::ConfigApplied { generation: 1 })
    });
    c
}
