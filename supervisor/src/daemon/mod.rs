//! vigild's event loop: one `mio` poll over the signal pipe, both child channels, the
//! control socket and script output, with every timer (restarts, pings, stop
//! deadlines, script timeouts, the systemd watchdog) folded into the poll timeout.
//!
//! This file holds the loop, its dispatch and its timers; the methods of [`Daemon`] are
//! grouped by job in the submodules: `lifecycle` (starting, restarting, stopping the
//! children, the VIP rule), `channels` (handshake, configuration stream, validation),
//! `reloading` (the two-phase reload), `requests` (vigilctl), and `slot_ops` (steps
//! generic over the child's protocol). What a request does lives in [`crate::broker`],
//! the restart delay in [`crate::backoff`], the reload's pure rules in [`crate::reload`].

mod channels;
mod lifecycle;
mod reloading;
mod requests;
mod slot_ops;

use crate::broker::Broker;
use crate::children::{self, Ended, ExitMeaning, Phase, Slot, SpawnSpec};
use crate::control::{ChildName, ControlServer, Incoming, ReloadOutcome, Request, Response};
use crate::proto::{self, ChildProto};
use crate::reload::{self, Pending, Verdict, Who};
use crate::reports::Reports;
use crate::script_table::ScriptTable;
use crate::scripts::{self, Purpose, Runner};
use crate::sdnotify::Notifier;
use crate::signals::{SignalEvent, Signals};
use crate::status::{ProcessView, StatusView};
use crate::vip_cleanup;
use mio::{Events, Poll, Token};
use slot_ops::*;
use std::io;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use vigil_config::Config;
use vigil_ipc::frame::Event;
use vigil_ipc::msg::checker::{FromChecker, ToChecker};
use vigil_ipc::msg::vrrp::{FromVrrp, ToVrrp};
use vigil_ipc::msg::{Direction, Nonce};
use vigil_ipc::validate::{self, Context};
use vigil_ipc::ChannelError;

const SIGNALS: Token = Token(0);
const CONTROL: Token = Token(1);
const VRRP: Token = Token(2);
const CHECKER: Token = Token(3);

/// How often a child is pinged.
pub const PING_INTERVAL: Duration = Duration::from_secs(2);
/// How long a child may take to answer a ping (or to say Hello after exec).
pub const PONG_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a child may take to exit after `Shutdown` before it is killed: the whole
/// suite must be gone within 2 s of SIGTERM.
pub const STOP_GRACE: Duration = Duration::from_millis(1500);
/// Messages handled from one child per wakeup, so that a flooding child cannot starve
/// the other one.
const BURST: usize = 256;

/// What vigild was started with.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The configuration file.
    pub config_path: PathBuf,
    /// `-i`.
    pub config_id: String,
    /// How to start the children.
    pub spec: SpawnSpec,
    /// The control socket.
    pub control: PathBuf,
    /// `-C` not given alone.
    pub run_vrrp: bool,
    /// `-P` not given alone.
    pub run_checker: bool,
    /// `-r`.
    pub vrrp_pid_file: PathBuf,
    /// `-c`.
    pub checker_pid_file: PathBuf,
}

struct Stopping {
    /// Why, for the last log line.
    reason: String,
}

/// The supervisor.
pub struct Daemon {
    poll: Poll,
    signals: Signals,
    control: ControlServer,
    settings: Settings,
    vrrp: Slot<proto::Vrrp>,
    checker: Slot<proto::Checker>,
    config: Box<Config>,
    generation: u64,
    next_generation: u64,
    scripts: ScriptTable,
    runner: Runner,
    reports: Reports,
    pending: Option<Pending>,
    reload_waiters: Vec<Token>,
    /// vigilctl status requests waiting for vrrpd's fresh report: (client, request, deadline).
    status_waiters: Vec<(Token, u32, Instant)>,
    stopping: Option<Stopping>,
    exit_code: u8,
    notifier: Notifier,
    nonce: u64,
    started: Instant,
    again: Vec<Token>,
}

/// Why the daemon could not be set up.
#[derive(Debug)]
pub struct SetupError(pub String);

impl std::fmt::Display for SetupError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SetupError {}

fn setup<E: std::fmt::Display>(what: &str) -> impl FnOnce(E) -> SetupError + '_ {
    move |e| SetupError(format!("{what}: {e}"))
}

fn log_notes(notes: &[String]) {
    for n in notes {
        log::warn!("{n}");
    }
}

impl Daemon {
    /// Sets up the loop, the signals and the control socket for `config`.
    pub fn new(settings: Settings, config: Box<Config>) -> Result<Daemon, SetupError> {
        let poll = Poll::new().map_err(setup("creating the event loop"))?;
        let signals =
            Signals::open(poll.registry(), SIGNALS).map_err(setup("setting up signals"))?;
        if let Some(dir) = settings.control.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let control =
            ControlServer::bind(&settings.control, poll.registry(), CONTROL).map_err(|e| {
                SetupError(format!(
                    "control socket {}: {e}",
                    settings.control.display()
                ))
            })?;
        let (scripts, notes) = ScriptTable::prepare(&config);
        log_notes(&notes);
        let now = Instant::now();
        Ok(Daemon {
            poll,
            signals,
            control,
            vrrp: Slot::new(settings.run_vrrp, settings.vrrp_pid_file.clone()),
            checker: Slot::new(settings.run_checker, settings.checker_pid_file.clone()),
            settings,
            config,
            generation: 1,
            next_generation: 2,
            scripts,
            runner: Runner::new(),
            reports: Reports::default(),
            pending: None,
            reload_waiters: Vec::new(),
            status_waiters: Vec::new(),
            stopping: None,
            exit_code: 0,
            notifier: Notifier::new(now),
            nonce: 0,
            started: now,
            again: Vec::new(),
        })
    }

    /// Runs until the suite stops; returns vigild's exit status.
    pub fn run(mut self) -> u8 {
        let now = Instant::now();
        if self.vrrp.enabled {
            self.vrrp.restart_at = Some(now);
        }
        if self.checker.enabled {
            self.checker.restart_at = Some(now);
        }
        if !self.vrrp.enabled && !self.checker.enabled {
            log::warn!("no child to run");
        }
        let mut events = Events::with_capacity(64);
        loop {
            self.tick(Instant::now());
            if self.stopping.is_some()
                && self.vrrp.running.is_none()
                && self.checker.running.is_none()
            {
                break;
            }
            let timeout = if self.again.is_empty() {
                self.next_deadline()
                    .map(|d| d.saturating_duration_since(Instant::now()))
            } else {
                Some(Duration::ZERO)
            };
            if let Err(e) = self.poll.poll(&mut events, timeout) {
                if e.kind() != io::ErrorKind::Interrupted {
                    log::error!("event loop: {e}");
                    self.begin_stop("the event loop failed".into());
                }
                continue;
            }
            let mut tokens: Vec<Token> = std::mem::take(&mut self.again);
            tokens.extend(events.iter().map(|e| e.token()));
            tokens.dedup();
            for t in tokens {
                self.dispatch(t);
            }
        }
        self.finish();
        self.exit_code
    }

    fn dispatch(&mut self, t: Token) {
        match t {
            SIGNALS => {
                for s in self.signals.drain() {
                    self.on_signal(s);
                }
            }
            CONTROL => self.control.accept(self.poll.registry()),
            VRRP => self.on_vrrp(),
            CHECKER => self.on_checker(),
            t if self.control.owns(t) => {
                if let Some(incoming) = self.control.on_event(self.poll.registry(), t) {
                    self.on_request(incoming);
                }
            }
            t => {
                if let Some((id, stream)) = scripts::from_token(t) {
                    self.runner.on_readable(self.poll.registry(), id, stream);
                }
            }
        }
    }

    fn on_signal(&mut self, s: SignalEvent) {
        match s {
            SignalEvent::Child => self.reap_all(),
            SignalEvent::Reload => {
                log::info!("SIGHUP: reloading {}", self.settings.config_path.display());
                self.reload(None);
            }
            SignalEvent::Stop => {
                log::info!("stop signal received: stopping");
                self.begin_stop("signal".into());
            }
        }
    }

    fn reap_all(&mut self) {
        if let Some(e) = self.vrrp.reap(self.poll.registry()) {
            self.after_exit(Who::Vrrp, e, None);
        }
        if let Some(e) = self.checker.reap(self.poll.registry()) {
            self.after_exit(Who::Checker, e, None);
        }
        self.script_results(Instant::now());
    }

    fn next_deadline(&self) -> Option<Instant> {
        let mut d: Vec<Instant> = Vec::new();
        d.extend(self.vrrp.restart_at);
        d.extend(self.checker.restart_at);
        if let Some(r) = &self.vrrp.running {
            d.extend(child_deadline(
                r.phase,
                r.started,
                r.last_ping,
                r.ping,
                r.kill_at,
            ));
        }
        if let Some(r) = &self.checker.running {
            d.extend(child_deadline(
                r.phase,
                r.started,
                r.last_ping,
                r.ping,
                r.kill_at,
            ));
        }
        d.extend(self.status_waiters.iter().map(|w| w.2));
        d.extend(self.runner.next_wake());
        d.extend(self.notifier.next_wake());
        if !self.runner.is_empty() {
            // Scripts are reaped on SIGCHLD; this is a safety net only.
            d.push(Instant::now() + Duration::from_millis(500));
        }
        d.into_iter().min()
    }

    fn tick(&mut self, now: Instant) {
        self.notifier.tick(now);
        self.answer_status(|_, deadline| deadline <= now);
        self.script_results(now);
        if self.stopping.is_none() {
            if self.vrrp.restart_at.is_some_and(|t| t <= now) {
                self.vrrp.restart_at = None;
                self.start_vrrp();
            }
            if self.checker.restart_at.is_some_and(|t| t <= now) {
                self.checker.restart_at = None;
                self.start_checker();
            }
        }
        if let Some(why) = liveness(&mut self.vrrp, &mut self.nonce, now) {
            self.kill_child(Who::Vrrp, &why);
        }
        if let Some(why) = liveness(&mut self.checker, &mut self.nonce, now) {
            self.kill_child(Who::Checker, &why);
        }
    }

    fn script_results(&mut self, now: Instant) {
        for (purpose, outcome) in self.runner.poll(self.poll.registry(), now) {
            match purpose {
                Purpose::VrrpScript(script) => {
                    self.send_vrrp(&ToVrrp::ScriptResult { script, outcome });
                }
                Purpose::Misc(target) => {
                    self.send_checker(ToChecker::MiscCheckResult { target, outcome }, Vec::new());
                }
                Purpose::Notify => {}
            }
        }
    }
}
