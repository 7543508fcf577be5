//! vigild's event loop: one `mio` poll over the signal pipe, both child channels, the
//! control socket and script output, with every timer (restarts, pings, stop
//! deadlines, script timeouts, the systemd watchdog) folded into the poll timeout.
//!
//! The lifecycle rules live here; what a request does lives in [`crate::broker`], the
//! restart delay in [`crate::backoff`], the two-phase reload in [`crate::reload`].

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

    // ---- timers ----------------------------------------------------------------

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

    // ---- starting, stopping and restarting children ------------------------------

    fn start_vrrp(&mut self) {
        let user = self.config.global.vrrp_user.clone();
        match start_slot(
            &mut self.vrrp,
            &self.settings.spec,
            user.as_deref(),
            &self.poll,
            VRRP,
        ) {
            Ok(()) => {}
            Err(StartError::User(e)) => self.fatal(format!("vrrp child: {e}"), 78),
            Err(StartError::Spawn(e)) => {
                log::error!("vrrp child: {e}");
                self.schedule_restart(Who::Vrrp, Duration::ZERO);
            }
        }
    }

    fn start_checker(&mut self) {
        let user = self.config.global.checker_user.clone();
        match start_slot(
            &mut self.checker,
            &self.settings.spec,
            user.as_deref(),
            &self.poll,
            CHECKER,
        ) {
            Ok(()) => {}
            Err(StartError::User(e)) => self.fatal(format!("checker child: {e}"), 78),
            Err(StartError::Spawn(e)) => {
                log::error!("checker child: {e}");
                self.schedule_restart(Who::Checker, Duration::ZERO);
            }
        }
    }

    fn schedule_restart(&mut self, who: Who, ran: Duration) {
        let (name, backoff, restart_at, restarts) = match who {
            Who::Vrrp => (
                "vrrp",
                &mut self.vrrp.backoff,
                &mut self.vrrp.restart_at,
                &mut self.vrrp.restarts,
            ),
            Who::Checker => (
                "checker",
                &mut self.checker.backoff,
                &mut self.checker.restart_at,
                &mut self.checker.restarts,
            ),
        };
        let delay = backoff.on_death(ran);
        *restarts = restarts.saturating_add(1);
        *restart_at = Some(Instant::now() + delay);
        if delay.is_zero() {
            log::warn!("{name} child: restarting now (restart #{restarts})");
        } else {
            log::warn!(
                "{name} child: restarting in {:.1} s (restart #{restarts}, {} quick exits in a row)",
                delay.as_secs_f64(),
                backoff.quick_deaths()
            );
        }
    }

    fn kill_child(&mut self, who: Who, why: &str) {
        let ended = match who {
            Who::Vrrp => {
                if let Some(pid) = self.vrrp.pid() {
                    log::error!("vrrp child (pid {pid}): {why}; killing it");
                }
                self.vrrp.kill(self.poll.registry())
            }
            Who::Checker => {
                if let Some(pid) = self.checker.pid() {
                    log::error!("checker child (pid {pid}): {why}; killing it");
                }
                self.checker.kill(self.poll.registry())
            }
        };
        if let Some(e) = ended {
            self.after_exit(who, e, Some(why));
        }
    }

    /// Everything that follows a child's end: the VIP rule, reports, the reload in
    /// progress, and the restart or the stop of the suite.
    fn after_exit(&mut self, who: Who, e: Ended, killed_for: Option<&str>) {
        let name = match who {
            Who::Vrrp => "vrrp",
            Who::Checker => "checker",
        };
        let meaning = children::meaning_of(e.status);
        let how = match &meaning {
            ExitMeaning::Fatal(s) | ExitMeaning::Restart(s) => s.clone(),
        };
        let clean = e.asked_to_stop && e.status.success();
        if clean {
            log::info!("{name} child (pid {}) stopped", e.pid);
        } else {
            log::warn!(
                "{name} child (pid {}) {how} after {:.1} s",
                e.pid,
                e.ran.as_secs_f64()
            );
        }
        if who == Who::Vrrp {
            self.reports.forget_vrrp();
            // The VIP rule (see vip_cleanup): a vrrpd that did not stop cleanly may
            // have left virtual addresses behind; a node whose vrrpd is dead must not
            // hold them while the peer takes over, so they go before anything else.
            if !clean {
                vip_cleanup::remove_all(&self.config);
            }
        } else {
            self.reports.forget_checker();
        }
        if let Some(p) = self.pending.as_mut() {
            let v = p.forget(who);
            self.on_verdict(v);
        }
        if self.stopping.is_some() {
            return;
        }
        let requested = match who {
            Who::Vrrp => std::mem::take(&mut self.vrrp.restart_requested),
            Who::Checker => std::mem::take(&mut self.checker.restart_requested),
        };
        match meaning {
            ExitMeaning::Fatal(reason) if killed_for.is_none() && !requested => {
                let code = e
                    .status
                    .code()
                    .and_then(|c| u8::try_from(c).ok())
                    .unwrap_or(1);
                self.fatal(
                    format!("{name} child {reason}; stopping the suite (not restarting it)"),
                    code,
                );
            }
            _ if requested => {
                let (slot_restarts, restart_at) = match who {
                    Who::Vrrp => (&mut self.vrrp.restarts, &mut self.vrrp.restart_at),
                    Who::Checker => (&mut self.checker.restarts, &mut self.checker.restart_at),
                };
                *slot_restarts = slot_restarts.saturating_add(1);
                *restart_at = Some(Instant::now());
                log::info!("{name} child: restarting as asked (restart #{slot_restarts})");
            }
            _ => self.schedule_restart(who, e.ran),
        }
    }

    fn fatal(&mut self, message: String, code: u8) {
        log::error!("{message}");
        if self.exit_code == 0 {
            self.exit_code = code;
        }
        self.begin_stop(message);
    }

    fn begin_stop(&mut self, reason: String) {
        if self.stopping.is_some() {
            return;
        }
        self.notifier.stopping();
        self.vrrp.restart_at = None;
        self.checker.restart_at = None;
        let deadline = Instant::now() + STOP_GRACE;
        self.stopping = Some(Stopping { reason });
        ask_to_stop(&mut self.vrrp, deadline);
        ask_to_stop(&mut self.checker, deadline);
        // The channels are flushed by ask_to_stop; a child that cannot even take the
        // message is killed at the deadline.
    }

    fn finish(&mut self) {
        self.runner.kill_all(self.poll.registry());
        let answer = Response::Error {
            message: "vigild stopped".into(),
        };
        for t in std::mem::take(&mut self.reload_waiters) {
            self.control.answer(self.poll.registry(), t, &answer);
        }
        self.control.remove();
        if let Some(s) = &self.stopping {
            log::info!("stopped ({})", s.reason);
        }
    }

    // ---- the channels ----------------------------------------------------------------

    fn send_vrrp(&mut self, m: &ToVrrp) {
        if let Some(r) = self.vrrp.running.as_mut().filter(|r| !r.closed) {
            if let Err(e) = r.channel.send(m) {
                self.channel_failed(Who::Vrrp, m.kind(), e);
            }
        }
    }

    fn send_checker(&mut self, m: ToChecker, fds: Vec<std::os::fd::OwnedFd>) {
        if let Some(r) = self.checker.running.as_mut().filter(|r| !r.closed) {
            if let Err(e) = r.channel.send_with_fds(&m, fds) {
                self.channel_failed(Who::Checker, m.kind(), e);
            }
        }
    }

    fn channel_failed(&mut self, who: Who, doing: &str, e: ChannelError) {
        match e {
            ChannelError::Closed => self.on_failure(who, e),
            e => self.kill_child(who, &format!("{doing}: {e}")),
        }
    }

    fn on_vrrp(&mut self) {
        let (events, failure) = drain(&mut self.vrrp);
        let mut more = failure.is_none() && events.len() >= BURST;
        for ev in events {
            if self.vrrp.running.is_none() {
                more = false;
                break;
            }
            match ev {
                Event::Established(hello) => self.on_hello(Who::Vrrp, hello.pid),
                Event::Message(m) => self.on_vrrp_message(m),
            }
        }
        if let Some(f) = failure {
            self.on_failure(Who::Vrrp, f);
        } else if more {
            self.again.push(VRRP);
        }
    }

    fn on_checker(&mut self) {
        let (events, failure) = drain(&mut self.checker);
        let mut more = failure.is_none() && events.len() >= BURST;
        for ev in events {
            if self.checker.running.is_none() {
                more = false;
                break;
            }
            match ev {
                Event::Established(hello) => self.on_hello(Who::Checker, hello.pid),
                Event::Message(m) => self.on_checker_message(m),
            }
        }
        if let Some(f) = failure {
            self.on_failure(Who::Checker, f);
        } else if more {
            self.again.push(CHECKER);
        }
    }

    fn on_failure(&mut self, who: Who, e: ChannelError) {
        match e {
            // It closed its end: it is exiting, maybe still cleaning up (a vrrpd
            // removing its addresses). Let it finish, within the stop bound.
            ChannelError::Closed => {
                let deadline = Instant::now() + STOP_GRACE;
                match who {
                    Who::Vrrp => self.vrrp.closed(self.poll.registry(), deadline),
                    Who::Checker => self.checker.closed(self.poll.registry(), deadline),
                }
                // It may have exited already (its SIGCHLD may have come first).
                self.reap_all();
            }
            other => self.kill_child(who, &other.to_string()),
        }
    }

    fn on_hello(&mut self, who: Who, claimed: u32) {
        let result = match who {
            Who::Vrrp => hello_checks(&self.vrrp),
            Who::Checker => hello_checks(&self.checker),
        };
        let pid = result.as_ref().map_or(0, |(p, _)| *p);
        if claimed != pid {
            self.kill_child(who, &format!("its Hello names pid {claimed}"));
            return;
        }
        if let Some(Err(e)) = result.map(|(_, r)| r) {
            self.kill_child(who, &format!("privilege check failed: {e}"));
            return;
        }
        log::info!(
            "{} child (pid {pid}): privileges verified; sending its configuration",
            match who {
                Who::Vrrp => "vrrp",
                Who::Checker => "checker",
            }
        );
        self.send_config(who);
    }

    /// Sends a child the configuration it should run: a pending reload's (so that a
    /// child started during a reload answers it like the other one), else the one in
    /// force.
    fn send_config(&mut self, who: Who) {
        let (config, generation) = match &self.pending {
            Some(p) => (&p.config, p.generation),
            None => (&self.config, self.generation),
        };
        let result = match who {
            Who::Vrrp => send_stream(&mut self.vrrp, config, generation),
            Who::Checker => send_stream(&mut self.checker, config, generation),
        };
        if let Err(e) = result {
            self.kill_child(who, &format!("sending the configuration: {e}"));
        }
    }

    fn awaiting(&self, who: Who) -> Option<u64> {
        let phase = match who {
            Who::Vrrp => self.vrrp.running.as_ref().map(|r| r.phase),
            Who::Checker => self.checker.running.as_ref().map(|r| r.phase),
        };
        match phase {
            Some(Phase::Configuring(g)) => Some(g),
            _ => None,
        }
    }

    fn on_vrrp_message(&mut self, m: FromVrrp) {
        let ctx = Context {
            config: &self.config,
            awaiting: self.awaiting(Who::Vrrp),
        };
        if let Err(refusal) = validate::from_vrrp(&m, &ctx) {
            log_refusal("vrrp", m.kind(), &refusal);
            return;
        }
        match m {
            FromVrrp::ConfigApplied { generation } => self.applied(Who::Vrrp, generation, None),
            FromVrrp::ConfigRejected { generation, reason } => {
                self.applied(Who::Vrrp, generation, Some(reason))
            }
            FromVrrp::Pong(n) => pong(&mut self.vrrp, n),
            other => {
                let replies = self.broker().vrrp(other);
                for r in replies {
                    self.send_vrrp(&r);
                }
            }
        }
    }

    fn on_checker_message(&mut self, m: FromChecker) {
        let ctx = Context {
            config: &self.config,
            awaiting: self.awaiting(Who::Checker),
        };
        if let Err(refusal) = validate::from_checker(&m, &ctx) {
            log_refusal("checker", m.kind(), &refusal);
            return;
        }
        match m {
            FromChecker::ConfigApplied { generation } => {
                self.applied(Who::Checker, generation, None)
            }
            FromChecker::ConfigRejected { generation, reason } => {
                self.applied(Who::Checker, generation, Some(reason))
            }
            FromChecker::Pong(n) => pong(&mut self.checker, n),
            other => {
                let replies = self.broker().checker(other);
                for (r, fds) in replies {
                    self.send_checker(r, fds);
                }
            }
        }
    }

    fn broker(&mut self) -> Broker<'_> {
        Broker {
            config: &self.config,
            scripts: &self.scripts,
            runner: &mut self.runner,
            registry: self.poll.registry(),
            reports: &mut self.reports,
        }
    }

    fn applied(&mut self, who: Who, generation: u64, rejected: Option<String>) {
        let name = match who {
            Who::Vrrp => "vrrp",
            Who::Checker => "checker",
        };
        let ok = rejected.is_none();
        match who {
            Who::Vrrp => mark_applied(&mut self.vrrp, generation, ok),
            Who::Checker => mark_applied(&mut self.checker, generation, ok),
        }
        match &rejected {
            None => log::info!("{name} child applied configuration generation {generation}"),
            Some(why) => {
                log::error!("{name} child rejected configuration generation {generation}: {why}")
            }
        }
        if let Some(p) = self.pending.as_mut() {
            let v = p.answer(who, generation, rejected.map(|r| format!("{name}: {r}")));
            self.on_verdict(v);
        }
        self.maybe_ready();
    }

    fn maybe_ready(&mut self) {
        if self.notifier.is_ready() || self.pending.is_some() {
            return;
        }
        let g = self.generation;
        let ok = |applied: Option<u64>, enabled: bool| !enabled || applied == Some(g);
        let vrrp = ok(
            self.vrrp.running.as_ref().and_then(|r| r.applied),
            self.vrrp.enabled,
        );
        let checker = ok(
            self.checker.running.as_ref().and_then(|r| r.applied),
            self.checker.enabled,
        );
        if vrrp && checker {
            log::info!("every child applied configuration generation {g}: ready");
            self.notifier
                .ready(&format!("configuration generation {g} in force"));
        }
    }

    // ---- reload --------------------------------------------------------------------

    fn reload(&mut self, requester: Option<Token>) {
        if self.stopping.is_some() {
            if let Some(t) = requester {
                let r = Response::Error {
                    message: "vigild is stopping".into(),
                };
                self.control.answer(self.poll.registry(), t, &r);
            }
            return;
        }
        if self.pending.is_some() {
            // Answered together with the reload in progress.
            log::warn!("a reload is already in progress; this request waits for it");
            self.reload_waiters.extend(requester);
            return;
        }
        self.notifier.reloading();
        let path = self.settings.config_path.clone();
        match reload::load(&path, &self.settings.config_id) {
            Err(errors) => {
                log::error!(
                    "{}: configuration not valid; keeping generation {}",
                    path.display(),
                    self.generation
                );
                for e in &errors {
                    log::error!("{e}");
                }
                self.notifier
                    .reloaded("reload refused: configuration not valid");
                if let Some(t) = requester {
                    let r = Response::Reload(ReloadOutcome {
                        applied: false,
                        generation: self.generation,
                        errors,
                    });
                    self.control.answer(self.poll.registry(), t, &r);
                }
            }
            Ok((config, notes)) => {
                log_notes(&notes);
                let generation = self.next_generation;
                self.next_generation += 1;
                let vrrp = self.vrrp.running.is_some();
                let checker = self.checker.running.is_some();
                log::info!("sending configuration generation {generation} to the children");
                self.pending = Some(Pending::new(generation, config, vrrp, checker));
                self.reload_waiters.extend(requester);
                let sent_vrrp = vrrp
                    && matches!(self.vrrp.running.as_ref().map(|r| r.phase), Some(p) if p != Phase::Handshake);
                let sent_checker = checker
                    && matches!(self.checker.running.as_ref().map(|r| r.phase), Some(p) if p != Phase::Handshake);
                // A child still in its handshake gets the pending configuration right
                // after its Hello (send_config).
                if sent_vrrp {
                    self.send_config(Who::Vrrp);
                }
                if sent_checker {
                    self.send_config(Who::Checker);
                }
                if let Some(p) = self.pending.as_mut() {
                    let v = p.verdict();
                    self.on_verdict(v);
                }
            }
        }
    }

    fn on_verdict(&mut self, v: Verdict) {
        let outcome = match v {
            Verdict::Waiting => return,
            Verdict::Commit => {
                let Some(p) = self.pending.take() else { return };
                self.config = p.config;
                self.generation = p.generation;
                let (scripts, notes) = ScriptTable::prepare(&self.config);
                log_notes(&notes);
                self.scripts = scripts;
                log::info!("configuration generation {} in force", self.generation);
                self.notifier.reloaded(&format!(
                    "configuration generation {} in force",
                    self.generation
                ));
                ReloadOutcome {
                    applied: true,
                    generation: self.generation,
                    errors: Vec::new(),
                }
            }
            Verdict::Keep(errors) => {
                let Some(p) = self.pending.take() else { return };
                log::error!(
                    "configuration generation {} refused; generation {} stays in force",
                    p.generation,
                    self.generation
                );
                // A child that applied the refused generation goes back to the one in
                // force, so both run the same configuration.
                if self.vrrp.running.as_ref().and_then(|r| r.applied) == Some(p.generation) {
                    self.send_config(Who::Vrrp);
                }
                if self.checker.running.as_ref().and_then(|r| r.applied) == Some(p.generation) {
                    self.send_config(Who::Checker);
                }
                self.notifier.reloaded("reload refused by a child");
                ReloadOutcome {
                    applied: false,
                    generation: self.generation,
                    errors,
                }
            }
        };
        let r = Response::Reload(outcome);
        for t in std::mem::take(&mut self.reload_waiters) {
            self.control.answer(self.poll.registry(), t, &r);
        }
    }

    // ---- control requests ------------------------------------------------------------

    fn on_request(&mut self, incoming: Incoming) {
        let t = incoming.token;
        let request = match incoming.request {
            Ok(r) => r,
            Err(message) => {
                self.control
                    .answer(self.poll.registry(), t, &Response::Error { message });
                return;
            }
        };
        log::debug!("control request: {request:?}");
        match request {
            Request::Status => {
                let r = Response::Status(self.status_view());
                self.control.answer(self.poll.registry(), t, &r);
            }
            Request::Reload => {
                log::info!("reload asked on the control socket");
                self.reload(Some(t));
            }
            Request::Restart { child } => {
                let message = self.restart(child);
                self.control
                    .answer(self.poll.registry(), t, &Response::Ok { message });
            }
            Request::Stop => {
                self.control.answer(
                    self.poll.registry(),
                    t,
                    &Response::Ok {
                        message: "stopping".into(),
                    },
                );
                log::info!("stop asked on the control socket");
                self.begin_stop("asked on the control socket".into());
            }
        }
    }

    fn restart(&mut self, child: ChildName) -> String {
        let now = Instant::now();
        let (slot_running, name, enabled) = match child {
            ChildName::Vrrp => (self.vrrp.running.is_some(), "vrrp", self.vrrp.enabled),
            ChildName::Checker => (
                self.checker.running.is_some(),
                "checker",
                self.checker.enabled,
            ),
        };
        if !enabled {
            return format!("the {name} child is not run (-P/-C)");
        }
        if self.stopping.is_some() {
            return "vigild is stopping".into();
        }
        log::info!("restart of the {name} child asked on the control socket");
        if slot_running {
            match child {
                ChildName::Vrrp => {
                    self.vrrp.restart_requested = true;
                    ask_to_stop(&mut self.vrrp, now + STOP_GRACE);
                }
                ChildName::Checker => {
                    self.checker.restart_requested = true;
                    ask_to_stop(&mut self.checker, now + STOP_GRACE);
                }
            }
            format!("restarting the {name} child")
        } else {
            match child {
                ChildName::Vrrp => self.vrrp.restart_at = Some(now),
                ChildName::Checker => self.checker.restart_at = Some(now),
            }
            format!("starting the {name} child")
        }
    }

    fn status_view(&self) -> StatusView {
        let now = Instant::now();
        let mut processes = vec![ProcessView {
            name: "vigild".into(),
            pid: Some(std::process::id()),
            uptime_secs: Some(now.duration_since(self.started).as_secs()),
            restarts: 0,
            state: if self.stopping.is_some() {
                "stopping".into()
            } else if self.pending.is_some() {
                "reloading".into()
            } else {
                "running".into()
            },
        }];
        processes.push(process_view(&self.vrrp, now));
        processes.push(process_view(&self.checker, now));
        StatusView {
            generation: self.generation,
            config_file: self.settings.config_path.display().to_string(),
            processes,
            instances: self.reports.instance_views(&self.config),
            real_servers: self.reports.server_views(&self.config),
            ipvs: self.reports.ipvs_view(&self.config),
        }
    }
}

/// A notification for a declared object that has no script for it is normal (vrrpd
/// reports every transition): debug. Anything naming what is not declared, or out of
/// range, is a warning.
fn log_refusal(child: &str, kind: &str, refusal: &vigil_ipc::Refusal) {
    use vigil_ipc::Refusal;
    match refusal {
        Refusal::NoScript { .. } | Refusal::EventNotApplicable { .. } => {
            log::debug!("{kind} from the {child} child: nothing to run: {refusal}")
        }
        _ => log::warn!("refused {kind} from the {child} child: {refusal}; nothing done"),
    }
}

// ---- generic helpers over a child slot ------------------------------------------------

enum StartError {
    User(String),
    Spawn(String),
}

fn start_slot<P: ChildProto>(
    slot: &mut Slot<P>,
    spec: &SpawnSpec,
    user: Option<&str>,
    poll: &Poll,
    token: Token,
) -> Result<(), StartError> {
    let account = vigil_privsep::user::resolve_configured(user)
        .map_err(|e| StartError::User(format!("cannot choose its user: {e}")))?;
    let pid = slot
        .start(spec, &account, poll.registry(), token)
        .map_err(StartError::Spawn)?;
    log::info!(
        "{} child started as pid {pid} (user {})",
        P::NAME,
        account.name
    );
    Ok(())
}

fn process_view<P: ChildProto>(slot: &Slot<P>, now: Instant) -> ProcessView {
    let state = match (&slot.running, slot.restart_at) {
        _ if !slot.enabled => "disabled".to_string(),
        (Some(r), _) => match r.phase {
            Phase::Handshake => "starting".into(),
            Phase::Configuring(g) => format!("applying generation {g}"),
            Phase::Running => match r.applied {
                Some(g) => format!("running generation {g}"),
                None => "running (no configuration applied)".into(),
            },
            Phase::Stopping => "stopping".into(),
        },
        (None, Some(at)) => format!(
            "waiting to restart in {} s",
            at.saturating_duration_since(now).as_secs_f64().ceil()
        ),
        (None, None) => "not running".into(),
    };
    ProcessView {
        name: P::NAME.to_string(),
        pid: slot.pid(),
        uptime_secs: slot
            .running
            .as_ref()
            .map(|r| now.duration_since(r.started).as_secs()),
        restarts: slot.restarts,
        state,
    }
}

/// The next moment the lifecycle of a running child needs attention.
fn child_deadline(
    phase: Phase,
    started: Instant,
    last_ping: Instant,
    ping: Option<(Nonce, Instant)>,
    kill_at: Option<Instant>,
) -> Option<Instant> {
    match phase {
        Phase::Handshake => Some(started + PONG_TIMEOUT),
        Phase::Stopping => kill_at,
        Phase::Configuring(_) | Phase::Running => Some(match ping {
            Some((_, sent)) => sent + PONG_TIMEOUT,
            None => last_ping + PING_INTERVAL,
        }),
    }
}

/// Pings a child when due; says why it must be killed when it failed to answer.
fn liveness<P: ChildProto>(slot: &mut Slot<P>, nonce: &mut u64, now: Instant) -> Option<String> {
    let r = slot.running.as_mut()?;
    if r.closed && r.phase != Phase::Stopping {
        r.phase = Phase::Stopping;
    }
    match r.phase {
        Phase::Handshake => (now >= r.started + PONG_TIMEOUT)
            .then(|| format!("no Hello within {} s of its start", PONG_TIMEOUT.as_secs())),
        Phase::Stopping => r.kill_at.is_some_and(|t| now >= t).then(|| {
            format!(
                "still running {} ms after Shutdown or closing its channel",
                STOP_GRACE.as_millis()
            )
        }),
        Phase::Configuring(_) | Phase::Running => match r.ping {
            Some((_, sent)) if now >= sent + PONG_TIMEOUT => {
                Some(format!("no Pong within {} s", PONG_TIMEOUT.as_secs()))
            }
            Some(_) => None,
            None if now >= r.last_ping + PING_INTERVAL => {
                *nonce = nonce.wrapping_add(1);
                let n = Nonce(*nonce);
                r.ping = Some((n, now));
                r.last_ping = now;
                r.channel
                    .send(&P::ping(n))
                    .err()
                    .map(|e| format!("sending Ping: {e}"))
            }
            None => None,
        },
    }
}

fn mark_applied<P: ChildProto>(slot: &mut Slot<P>, generation: u64, ok: bool) {
    if let Some(r) = slot.running.as_mut() {
        if r.phase != Phase::Stopping {
            r.phase = Phase::Running;
        }
        if ok {
            r.applied = Some(generation);
        }
    }
}

fn pong<P: ChildProto>(slot: &mut Slot<P>, n: Nonce) {
    if let Some(r) = slot.running.as_mut() {
        match r.ping {
            Some((sent, _)) if sent == n => r.ping = None,
            _ => log::warn!("{} child: Pong {} that answers no Ping", P::NAME, n.0),
        }
    }
}

fn ask_to_stop<P: ChildProto>(slot: &mut Slot<P>, deadline: Instant) {
    if let Some(r) = slot.running.as_mut() {
        r.phase = Phase::Stopping;
        r.kill_at = Some(r.kill_at.map_or(deadline, |t| t.min(deadline)));
        r.asked_to_stop = true;
        if r.closed {
            // Already on its way out.
            return;
        }
        if let Err(e) = r.channel.send(&P::shutdown()) {
            log::warn!("{} child: cannot send Shutdown: {e}", P::NAME);
            r.kill_at = Some(Instant::now());
        }
    }
}

/// Reads what the child sent, up to [`BURST`] messages; also flushes the queue.
fn drain<P: ChildProto>(slot: &mut Slot<P>) -> (Vec<Event<P::Rx>>, Option<ChannelError>) {
    let mut out = Vec::new();
    let Some(r) = slot.running.as_mut().filter(|r| !r.closed) else {
        return (out, None);
    };
    if let Err(e) = r.channel.flush() {
        return (out, Some(e));
    }
    while out.len() < BURST {
        match r.channel.recv() {
            Ok(Some(rx)) => out.push(rx.event),
            Ok(None) => break,
            Err(e) => return (out, Some(e)),
        }
    }
    (out, None)
}

fn hello_checks<P: ChildProto>(slot: &Slot<P>) -> Option<(u32, Result<(), String>)> {
    let r = slot.running.as_ref()?;
    let pid = r.pid();
    Some((pid, children::verify(pid, &r.expected)))
}

fn send_stream<P: ChildProto>(
    slot: &mut Slot<P>,
    config: &Config,
    generation: u64,
) -> Result<(), String> {
    let Some(r) = slot.running.as_mut() else {
        return Ok(());
    };
    let msgs = P::stream(config, generation).map_err(|e| e.to_string())?;
    for m in &msgs {
        r.channel.send(m).map_err(|e| e.to_string())?;
    }
    r.phase = Phase::Configuring(generation);
    Ok(())
}
