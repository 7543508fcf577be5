//! The script runner: starts prepared scripts, feeds their output to the log, enforces
//! their timeouts, reaps them, and reports each end with what it was run for.
//!
//! Driven by the event loop: output pipes are registered with mio under tokens from
//! [`token_of`]; the loop calls [`Runner::on_readable`], and [`Runner::poll`] on
//! SIGCHLD and at [`Runner::next_wake`].

use crate::script_table::{Call, Entry};
use mio::unix::SourceFd;
use mio::{Interest, Registry, Token};
use std::collections::HashMap;
use std::os::fd::AsRawFd;
use std::time::Instant;
use vigil_ipc::msg::checker::CheckerRef;
use vigil_ipc::msg::{Index, ScriptOutcome};
use vigil_script::{Outcome, ScriptChild, Stream};

/// The first mio token used for script pipes; two per run.
pub const TOKEN_BASE: usize = 1 << 20;

/// Why a script runs: decides where its result goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// `vrrp_script` #i for vrrpd: the result goes back as `ScriptResult`.
    VrrpScript(Index),
    /// A MISC_CHECK for checkerd: the result goes back as `MiscCheckResult`.
    Misc(CheckerRef),
    /// A notification: the result is only logged.
    Notify,
}

struct Run {
    child: ScriptChild,
    purpose: Purpose,
    label: String,
}

/// The scripts currently running.
#[derive(Default)]
pub struct Runner {
    next: usize,
    runs: HashMap<usize, Run>,
}

/// The mio token of run `id`'s `stream`.
pub fn token_of(id: usize, stream: Stream) -> Token {
    Token(TOKEN_BASE + id * 2 + usize::from(stream == Stream::Stderr))
}

/// The run and stream a token names, if it is a script token.
pub fn from_token(t: Token) -> Option<(usize, Stream)> {
    let n = t.0.checked_sub(TOKEN_BASE)?;
    let stream = if n % 2 == 0 {
        Stream::Stdout
    } else {
        Stream::Stderr
    };
    Some((n / 2, stream))
}

fn outcome(o: Outcome) -> ScriptOutcome {
    match o {
        Outcome::Exited(c) => ScriptOutcome::Exited(c),
        Outcome::Signaled(s) => ScriptOutcome::Signalled(s),
        Outcome::TimedOut { .. } => ScriptOutcome::TimedOut,
    }
}

fn log_line(label: &str, stream: Stream, line: &str) {
    match stream {
        Stream::Stdout => log::info!("{label}: {line}"),
        Stream::Stderr => log::warn!("{label} (stderr): {line}"),
    }
}

impl Runner {
    /// An empty runner.
    pub fn new() -> Self {
        Runner::default()
    }

    /// Whether a script for `purpose` is running (vrrp_script and MISC_CHECK run one
    /// at a time, as in keepalived).
    pub fn is_running(&self, purpose: Purpose) -> bool {
        purpose != Purpose::Notify && self.runs.values().any(|r| r.purpose == purpose)
    }

    /// How many scripts run.
    pub fn len(&self) -> usize {
        self.runs.len()
    }

    /// True when no script runs.
    pub fn is_empty(&self) -> bool {
        self.runs.is_empty()
    }

    /// Starts `entry` for `purpose`; `Err` carries the outcome to report at once (the
    /// script was refused at load or could not be started).
    pub fn start(
        &mut self,
        registry: &Registry,
        entry: &Entry,
        call: &Call,
        purpose: Purpose,
    ) -> Result<(), ScriptOutcome> {
        let prepared = match &entry.prepared {
            Ok(p) => p,
            Err(why) => {
                log::warn!("{}: not run: {why}", entry.label);
                return Err(ScriptOutcome::NotRun);
            }
        };
        let child = match prepared.spawn(call.as_script_call(), entry.timeout, None) {
            Ok(c) => c,
            Err(e) => {
                log::error!("{}: cannot start: {e}", entry.label);
                return Err(ScriptOutcome::NotRun);
            }
        };
        let id = self.next;
        self.next = self.next.wrapping_add(1);
        log::debug!(
            "{}: started as pid {} (user {})",
            entry.label,
            child.pid(),
            prepared.creds
        );
        for stream in [Stream::Stdout, Stream::Stderr] {
            if let Some(fd) = child.fd(stream) {
                let raw = fd.as_raw_fd();
                if let Err(e) = registry.register(
                    &mut SourceFd(&raw),
                    token_of(id, stream),
                    Interest::READABLE,
                ) {
                    log::warn!("{}: output not captured: {e}", entry.label);
                }
            }
        }
        self.runs.insert(
            id,
            Run {
                child,
                purpose,
                label: entry.label.clone(),
            },
        );
        Ok(())
    }

    /// Reads the output of run `id` on `stream`.
    pub fn on_readable(&mut self, registry: &Registry, id: usize, stream: Stream) {
        let Some(run) = self.runs.get_mut(&id) else {
            return;
        };
        let raw = run.child.fd(stream).map(|f| f.as_raw_fd());
        let label = run.label.clone();
        let r = run
            .child
            .on_readable(stream, &mut |s, line| log_line(&label, s, line));
        if run.child.fd(stream).is_none() {
            // The pipe was closed at end of file: it leaves the poll set.
            if let Some(raw) = raw {
                let _ = registry.deregister(&mut SourceFd(&raw));
            }
        }
        if let Err(e) = r {
            log::warn!("{label}: reading output: {e}");
        }
    }

    /// Sends due timeout signals and reaps finished scripts; returns what ended.
    pub fn poll(&mut self, registry: &Registry, now: Instant) -> Vec<(Purpose, ScriptOutcome)> {
        let mut ended = Vec::new();
        let mut done = Vec::new();
        for (id, run) in self.runs.iter_mut() {
            if let Err(e) = run.child.on_timer(now) {
                log::warn!("{}: signalling: {e}", run.label);
            }
            match run.child.try_reap() {
                Ok(Some(o)) => done.push((*id, o)),
                Ok(None) => {}
                Err(e) => {
                    log::error!("{}: cannot reap: {e}", run.label);
                    done.push((*id, Outcome::Signaled(0)));
                }
            }
        }
        for (id, o) in done {
            let Some(mut run) = self.runs.remove(&id) else {
                continue;
            };
            for stream in [Stream::Stdout, Stream::Stderr] {
                if let Some(raw) = run.child.fd(stream).map(|f| f.as_raw_fd()) {
                    let label = run.label.clone();
                    let _ = run
                        .child
                        .on_readable(stream, &mut |s, line| log_line(&label, s, line));
                    let _ = registry.deregister(&mut SourceFd(&raw));
                }
            }
            match o {
                Outcome::Exited(0) => log::debug!("{}: succeeded", run.label),
                Outcome::Exited(c) => log::info!("{}: exited with status {c}", run.label),
                Outcome::Signaled(s) => log::warn!("{}: killed by signal {s}", run.label),
                Outcome::TimedOut { signal } => {
                    log::warn!("{}: timed out, ended by signal {signal}", run.label)
                }
            }
            ended.push((run.purpose, outcome(o)));
        }
        ended
    }

    /// When a timeout signal is next due.
    pub fn next_wake(&self) -> Option<Instant> {
        self.runs.values().filter_map(|r| r.child.next_wake()).min()
    }

    /// Kills every running script (dropping a `ScriptChild` kills its process group
    /// and reaps it).
    pub fn kill_all(&mut self, registry: &Registry) {
        for (_, run) in self.runs.drain() {
            for stream in [Stream::Stdout, Stream::Stderr] {
                if let Some(raw) = run.child.fd(stream).map(|f| f.as_raw_fd()) {
                    let _ = registry.deregister(&mut SourceFd(&raw));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip() {
        for id in [0, 1, 77] {
            for s in [Stream::Stdout, Stream::Stderr] {
                assert_eq!(from_token(token_of(id, s)), Some((id, s)));
            }
        }
        assert_eq!(from_token(Token(3)), None);
    }
}
