//! A running script: its pid and output pipes for an event loop, its timeout, and its end.
//!
//! For a `mio` loop: register [`ScriptChild::fd`] of both streams for readability and
//! call [`ScriptChild::on_readable`]; arm a timer at [`ScriptChild::next_wake`] and call
//! [`ScriptChild::on_timer`]; on SIGCHLD (or the timer) call [`ScriptChild::try_reap`].
//! [`ScriptChild::run_to_completion`] does all of it blocking, for tests and one-shot use.

use crate::lines::LineSplitter;
use crate::timeout::{Action, Outcome, Termination};
use nix::poll::{PollFd, PollFlags, PollTimeout};
use nix::sys::signal::{killpg, Signal};
use nix::unistd::Pid;
use std::fs::File;
use std::io::{self, Read};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::process::ExitStatusExt;
use std::process::Child;
use std::time::{Duration, Instant};

/// One of the script's output streams.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stream {
    /// Standard output.
    Stdout,
    /// Standard error.
    Stderr,
}

/// Receives each output line (lossy UTF-8, without the newline).
pub type LineSink<'a> = &'a mut dyn FnMut(Stream, &str);

#[derive(Debug)]
struct Pipe {
    file: File,
    lines: LineSplitter,
}

/// A started script.
#[derive(Debug)]
pub struct ScriptChild {
    child: Child,
    out: Option<Pipe>,
    err: Option<Pipe>,
    term: Termination,
    outcome: Option<Outcome>,
}

fn pipe_of(fd: Option<OwnedFd>) -> io::Result<Option<Pipe>> {
    let Some(fd) = fd else { return Ok(None) };
    let flags = nix::fcntl::fcntl(&fd, nix::fcntl::FcntlArg::F_GETFL)?;
    let flags = nix::fcntl::OFlag::from_bits_truncate(flags) | nix::fcntl::OFlag::O_NONBLOCK;
    nix::fcntl::fcntl(&fd, nix::fcntl::FcntlArg::F_SETFL(flags))?;
    Ok(Some(Pipe {
        file: File::from(fd),
        lines: LineSplitter::new(),
    }))
}

impl ScriptChild {
    /// Wraps a just-spawned child; `timeout` counts from now.
    pub(crate) fn new(
        mut child: Child,
        timeout: Option<Duration>,
        grace: Duration,
    ) -> io::Result<Self> {
        let out = pipe_of(child.stdout.take().map(OwnedFd::from));
        let err = pipe_of(child.stderr.take().map(OwnedFd::from));
        let (out, err) = match (out, err) {
            (Ok(o), Ok(e)) => (o, e),
            (Err(e), _) | (_, Err(e)) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(e);
            }
        };
        Ok(ScriptChild {
            child,
            out,
            err,
            term: Termination::new(Instant::now(), timeout, grace),
            outcome: None,
        })
    }

    /// The script's pid (also its process group id).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The pipe of `stream` while it is open, to register with an event loop.
    pub fn fd(&self, stream: Stream) -> Option<BorrowedFd<'_>> {
        self.pipe(stream).map(|p| p.file.as_fd())
    }

    /// Whether either output pipe is still open.
    pub fn output_open(&self) -> bool {
        self.out.is_some() || self.err.is_some()
    }

    fn pipe(&self, stream: Stream) -> Option<&Pipe> {
        match stream {
            Stream::Stdout => self.out.as_ref(),
            Stream::Stderr => self.err.as_ref(),
        }
    }

    fn pipe_mut(&mut self, stream: Stream) -> &mut Option<Pipe> {
        match stream {
            Stream::Stdout => &mut self.out,
            Stream::Stderr => &mut self.err,
        }
    }

    /// Reads what `stream` has, passing complete lines to `sink`; at end of file the
    /// pipe is closed (deregister it first) and a last partial line passed on.
    pub fn on_readable(&mut self, stream: Stream, sink: LineSink<'_>) -> io::Result<()> {
        let slot = self.pipe_mut(stream);
        let Some(pipe) = slot.as_mut() else {
            return Ok(());
        };
        let mut buf = [0u8; 4096];
        let mut emit = |l: &[u8]| sink(stream, &String::from_utf8_lossy(l));
        loop {
            match pipe.file.read(&mut buf) {
                Ok(0) => {
                    pipe.lines.finish(&mut emit);
                    *slot = None;
                    return Ok(());
                }
                Ok(n) => pipe.lines.push(&buf[..n], &mut emit),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(()),
                Err(e) => {
                    pipe.lines.finish(&mut emit);
                    *slot = None;
                    return Err(e);
                }
            }
        }
    }

    /// When [`on_timer`](Self::on_timer) next has work (a signal to send).
    pub fn next_wake(&self) -> Option<Instant> {
        if self.outcome.is_some() {
            return None;
        }
        self.term.next_wake()
    }

    /// Sends SIGTERM, then SIGKILL, to the script's process group when due.
    pub fn on_timer(&mut self, now: Instant) -> io::Result<()> {
        if self.outcome.is_some() {
            return Ok(());
        }
        let sig = match self.term.on_tick(now) {
            Action::None => return Ok(()),
            Action::Term => Signal::SIGTERM,
            Action::Kill => Signal::SIGKILL,
        };
        match killpg(self.pgid(), sig) {
            Ok(()) | Err(nix::errno::Errno::ESRCH) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    fn pgid(&self) -> Pid {
        Pid::from_raw(self.child.id() as i32)
    }

    /// Reaps the script if it has ended (non-blocking), once.
    pub fn try_reap(&mut self) -> io::Result<Option<Outcome>> {
        if let Some(o) = self.outcome {
            return Ok(Some(o));
        }
        let Some(status) = self.child.try_wait()? else {
            return Ok(None);
        };
        let o = self.term.classify(status.code(), status.signal());
        if self.term.signalled() {
            // keepalived: after a timeout kill, make sure the script's children die too.
            let _ = killpg(self.pgid(), Signal::SIGKILL);
        }
        self.outcome = Some(o);
        Ok(Some(o))
    }

    /// Runs the script to its end (honouring the timeout), passing output lines to
    /// `sink`.
    pub fn run_to_completion(mut self, sink: LineSink<'_>) -> io::Result<Outcome> {
        loop {
            let now = Instant::now();
            self.on_timer(now)?;
            if let Some(o) = self.try_reap()? {
                // Take what the script wrote before it ended; do not wait for children
                // that may still hold the pipes.
                for s in [Stream::Stdout, Stream::Stderr] {
                    self.on_readable(s, sink)?;
                    if let Some(mut p) = self.pipe_mut(s).take() {
                        p.lines
                            .finish(&mut |l| sink(s, &String::from_utf8_lossy(l)));
                    }
                }
                return Ok(o);
            }
            // Wake at least every 50 ms to notice the exit without SIGCHLD handling.
            let mut wait = Duration::from_millis(50);
            if let Some(w) = self.next_wake() {
                wait = wait.min(w.saturating_duration_since(now));
            }
            let ms = u16::try_from(wait.as_millis()).unwrap_or(50);
            let ready = {
                let mut fds = Vec::new();
                let mut which = Vec::new();
                for s in [Stream::Stdout, Stream::Stderr] {
                    if let Some(fd) = self.fd(s) {
                        fds.push(PollFd::new(fd, PollFlags::POLLIN));
                        which.push(s);
                    }
                }
                if fds.is_empty() {
                    std::thread::sleep(wait);
                    Vec::new()
                } else {
                    match nix::poll::poll(&mut fds, PollTimeout::from(ms)) {
                        Ok(_) | Err(nix::errno::Errno::EINTR) => {}
                        Err(e) => return Err(e.into()),
                    }
                    which
                        .into_iter()
                        .zip(fds.iter())
                        .filter(|(_, f)| f.revents().is_some_and(|r| !r.is_empty()))
                        .map(|(s, _)| s)
                        .collect()
                }
            };
            for s in ready {
                self.on_readable(s, sink)?;
            }
        }
    }
}

impl Drop for ScriptChild {
    /// A script handle dropped before its end: kill its process group and reap it, so
    /// that nothing is left behind.
    fn drop(&mut self) {
        if self.outcome.is_none() {
            let _ = killpg(self.pgid(), Signal::SIGKILL);
            let _ = self.child.wait();
        }
    }
}
