//! The event loop: one `mio` poll for the supervisor's channel and every probe's
//! socket, one timer heap for check starts and probe deadlines. Everything that
//! decides lives in `engine` (pure); this file moves bytes and time.

use crate::check::{connect, misc, ping, Probe, Progress, StartError};
use crate::engine::Engine;
use crate::health::{Next, Outcome};
use crate::ipc::{Incoming, Ipc, IpcError};
use crate::logs;
use crate::plan::{CheckPlan, Kind, Plan};
use crate::timers::Timers;
use mio::unix::SourceFd;
use mio::{Events, Interest, Poll, Token};
use nix::sys::socket::{getsockopt, sockopt, SockType};
use std::collections::HashMap;
use std::fmt;
use std::os::fd::{AsRawFd, OwnedFd};
use std::time::{Duration, Instant};
use vigil_ipc::msg::checker::{CheckerRef, RealServerRef, SocketKind};
use vigil_ipc::msg::config::{CheckerItem, ConfigMsg};
use vigil_ipc::stream::Assembler;
use vigil_ipc::{FromChecker, ToChecker};

/// Why the loop ended normally.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// The supervisor sent `Shutdown`.
    Shutdown,
    /// The supervisor closed its end.
    SupervisorGone,
    /// The first configuration was rejected: nothing to run.
    FirstConfigRejected,
}

/// A fatal error of the loop.
#[derive(Debug)]
pub enum DaemonError {
    /// The poll failed.
    Poll(&'static str, std::io::Error),
    /// The channel failed.
    Ipc(IpcError),
}

impl fmt::Display for DaemonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DaemonError::Poll(op, e) => write!(f, "{op}: {e}"),
            DaemonError::Ipc(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for DaemonError {}

impl From<IpcError> for DaemonError {
    fn from(e: IpcError) -> Self {
        DaemonError::Ipc(e)
    }
}

const IPC: Token = Token(0);

/// How long Shutdown waits for queued messages to leave.
const FLUSH_ON_EXIT: Duration = Duration::from_millis(200);

/// How long a run waits for its bound socket beyond its connect_timeout.
const SOCKET_WAIT: Duration = Duration::from_secs(2);

type Target = (u32, u32, u32);

fn key(t: CheckerRef) -> Target {
    (t.server.vs, t.server.rs, t.checker)
}

fn target(k: Target) -> CheckerRef {
    CheckerRef {
        server: RealServerRef { vs: k.0, rs: k.1 },
        checker: k.2,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Timer {
    /// Start checker `target` (epoch `epoch`).
    Start(Target, u64),
    /// The probe of checker `target` (epoch `epoch`) ran out of time.
    Deadline(Target, u64),
}

#[derive(Debug)]
enum Active {
    Idle,
    Probe(Box<Probe>, Token),
    Misc {
        dynamic: bool,
    },
    /// Waiting for the bound socket of a privileged source.
    AwaitSocket,
}

/// What a socket asked of the supervisor is for.
#[derive(Debug, Clone, Copy)]
enum Pending {
    /// The ICMP socket of a PING_CHECK, kept for all its runs.
    Icmp(Target),
    /// The bound socket of one run (epoch) of a checker with a privileged source.
    Source(Target, u64),
}

#[derive(Debug)]
struct Run {
    epoch: u64,
    active: Active,
}

struct Daemon {
    poll: Poll,
    ipc: Ipc,
    ipc_writable: bool,
    assembler: Assembler<CheckerItem>,
    engine: Engine,
    generation: Option<u64>,
    timers: Timers<Timer>,
    runs: HashMap<Target, Run>,
    tokens: HashMap<Token, Target>,
    next_token: usize,
    next_epoch: u64,
    ping_sockets: HashMap<Target, (OwnedFd, ping::SocketStyle)>,
    socket_requests: HashMap<u32, Pending>,
    next_request: u32,
    ping_id: u16,
    ping_seq: u16,
}

/// Runs the checker on the inherited channel until Shutdown or EOF.
pub fn run(fd: OwnedFd, supervisor_pid: u32) -> Result<Exit, DaemonError> {
    let poll = Poll::new().map_err(|e| DaemonError::Poll("creating the poll", e))?;
    let ipc = Ipc::new(fd)?;
    poll.registry()
        .register(&mut SourceFd(&ipc.as_raw_fd()), IPC, Interest::READABLE)
        .map_err(|e| DaemonError::Poll("polling the channel", e))?;
    let mut d = Daemon {
        poll,
        ipc,
        ipc_writable: false,
        assembler: Assembler::new(),
        engine: Engine::new(),
        generation: None,
        timers: Timers::new(),
        runs: HashMap::new(),
        tokens: HashMap::new(),
        next_token: 1,
        next_epoch: 1,
        ping_sockets: HashMap::new(),
        socket_requests: HashMap::new(),
        next_request: 1,
        ping_id: fastrand::u16(..),
        ping_seq: 0,
    };
    log::info!("Starting health checker (supervisor {supervisor_pid})");
    match d.run(supervisor_pid) {
        // The supervisor closing its end while a message goes out is the same EOF.
        Err(DaemonError::Ipc(e)) if e.is_closed() => Ok(Exit::SupervisorGone),
        other => other,
    }
}

impl Daemon {
    fn run(&mut self, supervisor_pid: u32) -> Result<Exit, DaemonError> {
        let mut events = Events::with_capacity(256);
        loop {
            let now = Instant::now();
            while let Some(t) = self.timers.pop_due(now) {
                self.timer(t, now)?;
            }
            self.want_write()?;
            let timeout = self.timers.timeout(Instant::now());
            match self.poll.poll(&mut events, timeout) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(DaemonError::Poll("poll", e)),
            }
            for ev in events.iter() {
                if ev.token() == IPC {
                    if ev.is_writable() {
                        self.ipc.flush()?;
                    }
                    if let Some(exit) = self.drain_ipc(supervisor_pid)? {
                        return Ok(exit);
                    }
                } else {
                    self.probe_ready(ev.token())?;
                }
            }
        }
    }

    /// Asks for writability only while messages are queued (else the loop would spin).
    fn want_write(&mut self) -> Result<(), DaemonError> {
        let want = self.ipc.wants_write();
        if want != self.ipc_writable {
            let interest = if want {
                Interest::READABLE | Interest::WRITABLE
            } else {
                Interest::READABLE
            };
            self.poll
                .registry()
                .reregister(&mut SourceFd(&self.ipc.as_raw_fd()), IPC, interest)
                .map_err(|e| DaemonError::Poll("polling the channel", e))?;
            self.ipc_writable = want;
        }
        Ok(())
    }

    fn send(&mut self, msg: &FromChecker) -> Result<(), DaemonError> {
        logs::request(&self.engine, msg);
        Ok(self.ipc.send(msg)?)
    }

    fn send_all(&mut self, msgs: Vec<FromChecker>) -> Result<(), DaemonError> {
        for m in &msgs {
            self.send(m)?;
        }
        Ok(())
    }

    /// Best effort to get queued messages out before exiting.
    fn flush_before_exit(&mut self) {
        let until = Instant::now() + FLUSH_ON_EXIT;
        while self.ipc.wants_write() && Instant::now() < until {
            if self.ipc.flush().is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    fn drain_ipc(&mut self, supervisor_pid: u32) -> Result<Option<Exit>, DaemonError> {
        loop {
            let incoming = match self.ipc.recv() {
                Ok(Some(i)) => i,
                Ok(None) => return Ok(None),
                Err(e) if e.is_closed() => return Ok(Some(Exit::SupervisorGone)),
                Err(e) => return Err(e.into()),
            };
            match incoming {
                Incoming::Established { pid } => {
                    if pid != supervisor_pid {
                        log::warn!(
                            "IPC: the peer says it is process {pid}, started by {supervisor_pid}"
                        );
                    }
                    log::debug!("IPC: handshake with the supervisor done");
                }
                Incoming::Message(msg, fds) => {
                    if let Some(exit) = self.message(msg, fds)? {
                        return Ok(Some(exit));
                    }
                }
            }
        }
    }

    fn message(&mut self, msg: ToChecker, fds: Vec<OwnedFd>) -> Result<Option<Exit>, DaemonError> {
        match msg {
            ToChecker::Config(c) => return self.config(c),
            ToChecker::Ping(n) => self.send(&FromChecker::Pong(n))?,
            ToChecker::StatusRequest { request } => {
                for s in self.engine.statuses() {
                    self.send(&FromChecker::RealServerStatus(s))?;
                }
                self.send(&FromChecker::StatusEnd { request })?;
            }
            ToChecker::Shutdown => {
                log::info!("Shutdown requested by the supervisor");
                self.stop_all();
                let notifies = self.engine.shutdown();
                self.send_all(notifies)?;
                self.flush_before_exit();
                return Ok(Some(Exit::Shutdown));
            }
            ToChecker::MiscCheckResult { target: t, outcome } => self.misc_result(t, outcome)?,
            ToChecker::Socket { request } => self.socket(request, fds)?,
            ToChecker::SocketRefused { request, reason } => self.socket_refused(request, &reason),
        }
        Ok(None)
    }

    fn config(&mut self, msg: ConfigMsg<CheckerItem>) -> Result<Option<Exit>, DaemonError> {
        let generation_of_msg = match &msg {
            ConfigMsg::Begin { generation } | ConfigMsg::End { generation, .. } => {
                Some(*generation)
            }
            _ => self.assembler.in_progress(),
        };
        match self.assembler.push(msg) {
            Ok(None) => Ok(None),
            Ok(Some((generation, config))) => {
                self.apply(generation, &config)?;
                Ok(None)
            }
            Err(e) => {
                let generation = generation_of_msg.unwrap_or(0);
                log::error!("Configuration generation {generation} rejected: {e}");
                self.send(&FromChecker::ConfigRejected {
                    generation,
                    reason: e.to_string(),
                })?;
                if self.generation.is_none() {
                    self.flush_before_exit();
                    return Ok(Some(Exit::FirstConfigRejected));
                }
                Ok(None)
            }
        }
    }

    fn apply(&mut self, generation: u64, config: &vigil_config::Config) -> Result<(), DaemonError> {
        let plan = Plan::new(config);
        for line in &plan.warnings {
            log::warn!("{line}");
        }
        for line in plan.not_run() {
            log::warn!("{line}; its state stays at the initial one (up, or down with alpha)");
        }
        self.stop_all();
        let applied = self.engine.apply(plan);
        self.send_all(applied.before_ack)?;
        self.send(&FromChecker::ConfigApplied { generation })?;
        log::info!(
            "Configuration generation {generation} applied: {} virtual server(s), {} real server(s) kept",
            self.engine.plan().services.len(),
            applied.kept
        );
        self.generation = Some(generation);
        self.send_all(applied.after_ack)?;
        // The starting health of every real server, so that the supervisor's view is
        // complete without asking.
        for s in self.engine.statuses() {
            self.send(&FromChecker::RealServerStatus(s))?;
        }
        self.schedule_all(Instant::now());
        self.request_sockets()
    }

    fn stop_all(&mut self) {
        let registry = self.poll.registry();
        for (_, mut run) in self.runs.drain() {
            if let Active::Probe(p, _) = &mut run.active {
                p.stop(registry);
            }
        }
        self.tokens.clear();
        // Sockets are asked for again for the new configuration.
        self.ping_sockets.clear();
        self.socket_requests.clear();
    }

    fn schedule_all(&mut self, now: Instant) {
        let starts: Vec<(Target, Duration, bool)> = self
            .engine
            .checks()
            .filter(|(_, c)| !matches!(c.kind, Kind::NotRun { .. }))
            .map(|(t, c)| {
                (
                    key(t),
                    random_upto(c.warmup),
                    matches!(c.kind, Kind::Ping { .. }),
                )
            })
            .collect();
        for (t, delay, needs_socket) in starts {
            let epoch = self.next_epoch;
            self.next_epoch += 1;
            self.runs.insert(
                t,
                Run {
                    epoch,
                    active: Active::Idle,
                },
            );
            // A PING_CHECK starts when its socket arrives.
            if !needs_socket {
                self.timers.arm(now + delay, Timer::Start(t, epoch));
            }
        }
    }

    fn timer(&mut self, t: Timer, now: Instant) -> Result<(), DaemonError> {
        match t {
            Timer::Start(t, epoch) => {
                if self.runs.get(&t).is_some_and(|r| r.epoch == epoch) {
                    self.start(t, epoch, now)?;
                }
            }
            Timer::Deadline(t, epoch) => {
                let busy = self
                    .runs
                    .get(&t)
                    .is_some_and(|r| r.epoch == epoch && !matches!(r.active, Active::Idle));
                if busy {
                    let verdict = match self.runs.get(&t).map(|r| &r.active) {
                        Some(Active::Probe(p, _)) => p.expired(),
                        Some(Active::AwaitSocket) => {
                            self.not_run_now(t, "no socket from the supervisor in time", now);
                            return Ok(());
                        }
                        _ => Err("no result from the supervisor in time".to_string()),
                    };
                    match verdict {
                        Ok(()) => self.finish(t, Outcome::Success, None, now)?,
                        Err(reason) => self.finish(t, Outcome::Failure, Some(reason), now)?,
                    }
                }
            }
        }
        Ok(())
    }

    fn start(&mut self, t: Target, epoch: u64, now: Instant) -> Result<(), DaemonError> {
        let Some(plan) = self.engine.check(target(t)).cloned() else {
            return Ok(());
        };
        match &plan.kind {
            Kind::NotRun { .. } => {}
            Kind::Misc {
                dynamic,
                answer_within,
            } => {
                self.set_active(t, Active::Misc { dynamic: *dynamic });
                self.timers
                    .arm(now + *answer_within, Timer::Deadline(t, epoch));
                self.send(&FromChecker::RunMiscCheck { target: target(t) })?;
            }
            kind if kind.needs_source_socket() => {
                let request = self.next_request;
                self.next_request = self.next_request.wrapping_add(1);
                self.socket_requests
                    .insert(request, Pending::Source(t, epoch));
                self.set_active(t, Active::AwaitSocket);
                self.timers.arm(
                    now + plan.connect_timeout + SOCKET_WAIT,
                    Timer::Deadline(t, epoch),
                );
                self.send(&FromChecker::SocketRequest {
                    request,
                    kind: SocketKind::BoundSource { target: target(t) },
                })?;
            }
            _ => self.start_probe(t, epoch, &plan, None, now)?,
        }
        Ok(())
    }

    /// Starts the network probe of checker `t`, on the supervisor's socket if `given`.
    fn start_probe(
        &mut self,
        t: Target,
        epoch: u64,
        plan: &CheckPlan,
        given: Option<OwnedFd>,
        now: Instant,
    ) -> Result<(), DaemonError> {
        let token = Token(self.next_token);
        self.next_token = self.next_token.wrapping_add(1).max(1);
        let started = match &plan.kind {
            Kind::Ping { target: ip } => self.start_ping(t, *ip, token),
            kind => Probe::start(kind, given, self.poll.registry(), token),
        };
        match started {
            Some(Ok(probe)) => {
                self.tokens.insert(token, t);
                self.set_active(t, Active::Probe(Box::new(probe), token));
                self.timers
                    .arm(now + probe_deadline(plan), Timer::Deadline(t, epoch));
            }
            Some(Err(StartError::Failed(reason))) => {
                self.finish(t, Outcome::Failure, Some(reason), now)?
            }
            Some(Err(StartError::Local(reason))) => self.not_run_now(t, &reason, now),
            None => {}
        }
        Ok(())
    }

    /// The run could not happen for a local reason: log, try again after delay_loop,
    /// leave the state alone (check_tcp.c: "TCP socket bind failed. Rescheduling.").
    fn not_run_now(&mut self, t: Target, reason: &str, now: Instant) {
        let Some(plan) = self.engine.check(target(t)) else {
            return;
        };
        let delay = plan.delay_loop;
        let kw = plan.keyword;
        let (rs, vs) = logs::names(&self.engine, target(t).server);
        log::warn!("{kw} of service {rs} of VS {vs} not run: {reason}. Rescheduling.");
        let epoch = self.next_epoch;
        self.next_epoch += 1;
        if let Some(run) = self.runs.get_mut(&t) {
            if let Active::Probe(p, token) = &mut run.active {
                p.stop(self.poll.registry());
                self.tokens.remove(token);
            }
            run.active = Active::Idle;
            run.epoch = epoch;
            self.timers.arm(now + delay, Timer::Start(t, epoch));
        }
    }

    /// A ping on the socket the supervisor gave for checker `t` (none yet: not run).
    fn start_ping(
        &mut self,
        t: Target,
        ip: std::net::IpAddr,
        token: Token,
    ) -> Option<Result<Probe, StartError>> {
        let (fd, style) = self.ping_sockets.get(&t)?;
        self.ping_seq = self.ping_seq.wrapping_add(1);
        Some(
            ping::PingProbe::start(
                fd,
                *style,
                ip,
                self.ping_id,
                self.ping_seq,
                self.poll.registry(),
                token,
            )
            .map(Probe::Ping),
        )
    }

    /// Asks the supervisor for the raw ICMP socket of every PING_CHECK.
    fn request_sockets(&mut self) -> Result<(), DaemonError> {
        let pings: Vec<CheckerRef> = self
            .engine
            .checks()
            .filter(|(_, c)| matches!(c.kind, Kind::Ping { .. }))
            .map(|(t, _)| t)
            .collect();
        for t in pings {
            let request = self.next_request;
            self.next_request = self.next_request.wrapping_add(1);
            self.socket_requests.insert(request, Pending::Icmp(key(t)));
            self.send(&FromChecker::SocketRequest {
                request,
                kind: SocketKind::IcmpEcho { target: t },
            })?;
        }
        Ok(())
    }

    /// The socket asked for with request #request arrived.
    fn socket(&mut self, request: u32, fds: Vec<OwnedFd>) -> Result<(), DaemonError> {
        let Some(pending) = self.socket_requests.remove(&request) else {
            log::warn!("IPC: socket #{request} received but not (or no longer) asked for; closed");
            return Ok(());
        };
        let Some(fd) = fds.into_iter().next() else {
            return Ok(());
        };
        let t = match pending {
            Pending::Icmp(t) => t,
            Pending::Source(t, epoch) => {
                let waiting = self
                    .runs
                    .get(&t)
                    .is_some_and(|r| r.epoch == epoch && matches!(r.active, Active::AwaitSocket));
                if let (true, Some(plan)) = (waiting, self.engine.check(target(t)).cloned()) {
                    self.start_probe(t, epoch, &plan, Some(fd), Instant::now())?;
                }
                return Ok(());
            }
        };
        let style = match getsockopt(&fd, sockopt::SockType) {
            Ok(SockType::Raw) => ping::SocketStyle::Raw,
            Ok(SockType::Datagram) => ping::SocketStyle::Dgram,
            other => {
                log::error!("IPC: socket #{request} is not an ICMP socket ({other:?}); closed");
                return Ok(());
            }
        };
        // The probe reads until EAGAIN: a blocking socket would stall the loop.
        if let Err(e) = connect::set_nonblocking(&fd) {
            log::error!("IPC: socket #{request}: {}; closed", e.desc());
            return Ok(());
        }
        let (rs, vs) = logs::names(&self.engine, target(t).server);
        log::info!("PING_CHECK of service {rs} of VS {vs}: socket received, starting");
        self.ping_sockets.insert(t, (fd, style));
        if let Some(run) = self.runs.get(&t) {
            let delay = self
                .engine
                .check(target(t))
                .map(|c| random_upto(c.warmup))
                .unwrap_or_default();
            self.timers
                .arm(Instant::now() + delay, Timer::Start(t, run.epoch));
        }
        Ok(())
    }

    fn socket_refused(&mut self, request: u32, reason: &str) {
        let t = match self.socket_requests.remove(&request) {
            Some(Pending::Icmp(t)) => t,
            Some(Pending::Source(t, epoch)) => {
                if self.runs.get(&t).is_some_and(|r| r.epoch == epoch) {
                    let why = format!("the supervisor refused its source socket ({reason})");
                    self.not_run_now(t, &why, Instant::now());
                }
                return;
            }
            None => {
                log::warn!("IPC: socket #{request} refused ({reason}) but not asked for");
                return;
            }
        };
        let (rs, vs) = logs::names(&self.engine, target(t).server);
        log::error!(
            "PING_CHECK of service {rs} of VS {vs} cannot run: the supervisor refused its socket ({reason}); its state stays at the initial one"
        );
    }

    fn set_active(&mut self, t: Target, active: Active) {
        if let Some(r) = self.runs.get_mut(&t) {
            r.active = active;
        }
    }

    fn probe_ready(&mut self, token: Token) -> Result<(), DaemonError> {
        let Some(&t) = self.tokens.get(&token) else {
            return Ok(());
        };
        let registry = self.poll.registry();
        let (progress, per_io) = match self.runs.get_mut(&t).map(|r| &mut r.active) {
            Some(Active::Probe(p, tok)) if *tok == token => {
                (p.ready(registry, token), p.timeout_per_io())
            }
            _ => return Ok(()),
        };
        let now = Instant::now();
        match progress {
            Progress::Done(Ok(())) => self.finish(t, Outcome::Success, None, now)?,
            Progress::Done(Err(reason)) => self.finish(t, Outcome::Failure, Some(reason), now)?,
            Progress::Pending if per_io => self.extend_deadline(t, now),
            Progress::Pending => {}
        }
        Ok(())
    }

    /// Something happened on a connection whose timeout counts per operation: the
    /// deadline starts again (a new epoch makes the armed one stale).
    fn extend_deadline(&mut self, t: Target, now: Instant) {
        let Some(timeout) = self.engine.check(target(t)).map(|c| c.connect_timeout) else {
            return;
        };
        let epoch = self.next_epoch;
        self.next_epoch += 1;
        if let Some(run) = self.runs.get_mut(&t) {
            run.epoch = epoch;
            self.timers.arm(now + timeout, Timer::Deadline(t, epoch));
        }
    }

    fn misc_result(
        &mut self,
        t: CheckerRef,
        result: vigil_ipc::msg::ScriptOutcome,
    ) -> Result<(), DaemonError> {
        let k = key(t);
        let Some(Active::Misc { dynamic }) = self.runs.get(&k).map(|r| &r.active) else {
            log::warn!("IPC: MISC_CHECK result for {t:?}, which is not running; ignored");
            return Ok(());
        };
        let outcome = misc::outcome(*dynamic, result);
        let reason = (outcome == Outcome::Failure).then(|| misc::describe(result));
        self.finish(k, outcome, reason, Instant::now())
    }

    /// A probe ended: record it, send what changed, schedule the next run.
    fn finish(
        &mut self,
        t: Target,
        outcome: Outcome,
        reason: Option<String>,
        now: Instant,
    ) -> Result<(), DaemonError> {
        let Some(run) = self.runs.get_mut(&t) else {
            return Ok(());
        };
        if let Active::Probe(p, token) = &mut run.active {
            p.stop(self.poll.registry());
            self.tokens.remove(token);
        }
        run.active = Active::Idle;
        let epoch = self.next_epoch;
        self.next_epoch += 1;
        run.epoch = epoch;
        let Some(plan) = self.engine.check(target(t)).cloned() else {
            return Ok(());
        };
        let mut out = Vec::new();
        let quorum_before = self.engine.quorum_up(t.0);
        let Some(report) = self.engine.record(target(t), outcome, &mut out) else {
            return Ok(());
        };
        let quorum_after = self.engine.quorum_up(t.0);
        if quorum_after != quorum_before {
            let name = logs::service_name(&self.engine, t.0);
            if quorum_after == Some(true) {
                log::info!("Gained quorum for VS {name}");
            } else {
                log::info!("Lost quorum for VS {name}");
            }
        }
        logs::result(
            &self.engine,
            target(t),
            &plan,
            outcome,
            reason.as_deref(),
            report,
        );
        let delay = match report.next {
            Next::Retry => plan.delay_before_retry,
            Next::Loop => plan.delay_loop,
        };
        self.timers.arm(now + delay, Timer::Start(t, epoch));
        self.send_all(out)
    }
}

/// How long a probe may take before its first progress: connect_timeout.
fn probe_deadline(plan: &CheckPlan) -> Duration {
    plan.connect_timeout
}

fn random_upto(max: Duration) -> Duration {
    let micros = u64::try_from(max.as_micros()).unwrap_or(u64::MAX);
    if micros == 0 {
        Duration::ZERO
    } else {
        Duration::from_micros(fastrand::u64(0..=micros))
    }
}
