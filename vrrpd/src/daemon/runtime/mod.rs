//! The I/O shell around the state machines: one mio event loop over the IPC channel,
//! the raw VRRP sockets, the signal descriptor and (when present) the link monitor; a
//! timer heap; the running instances. Everything the state machines decide is carried
//! out here, in order.
//!
//! `configure` applies configurations; `tracking` turns script results and link
//! events into state-machine events; `sync` moves `vrrp_sync_group` members together;
//! `announce` sends GARPs / NAs, paced when configured.

mod announce;
mod configure;
mod sync;
mod tracking;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io;
use std::net::IpAddr;
use std::os::fd::AsRawFd;
use std::time::Duration;

use mio::unix::SourceFd;
use mio::{Events, Interest, Poll, Token};
use nix::sys::signal::{SigSet, Signal};
use nix::sys::signalfd::{SfdFlags, SignalFd};
use vigil_ipc::msg::config::VrrpItem;
use vigil_ipc::msg::vrrp::{FromVrrp, InstanceStatus, NotifyEvent, ToVrrp};
use vigil_ipc::stream::Assembler;
use vigil_ipc::{Channel, ChannelError, Event as IpcEvent};

use super::build::FamilyKey;
use super::clock::{Alarm, Clock};
use super::firewall::{self, Firewall};
use super::instance::Running;
use super::ipc;
use super::kernel::Kernel;
use super::timers::{Due, Timers};
use super::track::ScriptState;
use super::{receive, send};
use crate::fsm::{Action, Event, State};
use crate::packet;
use crate::socket::VrrpSocket;
use crate::time::{Span, Time};

const TOKEN_IPC: Token = Token(0);
const TOKEN_SIGNAL: Token = Token(1);
const TOKEN_MONITOR: Token = Token(2);
const TOKEN_ALARM: Token = Token(3);
const FIRST_SOCKET_TOKEN: usize = 16;

/// keepalived's exit status for a configuration that cannot work (sysexits EX_CONFIG).
pub const EXIT_CONFIG: u8 = 78;

/// Why the loop ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Orderly stop (Shutdown, signal, or the supervisor went away).
    Done,
    /// The first configuration can never work here.
    Config,
    /// Anything else.
    Failure,
}

impl Exit {
    /// The process exit status.
    pub fn code(self) -> u8 {
        match self {
            Exit::Done => 0,
            Exit::Config => EXIT_CONFIG,
            Exit::Failure => 1,
        }
    }
}

/// A socket per interface, family and IP protocol (VRRP, or AH for `auth_type AH`).
type SockKey = (u32, FamilyKey, u8);

struct Sock {
    socket: VrrpSocket,
    token: Token,
    ifname: String,
    vrids: HashMap<u8, u64>,
    groups: BTreeSet<IpAddr>,
    /// Rejections that name no instance (unknown VRID, unparsable packets).
    unattributed: packet::Counters,
}

struct ScriptSlot {
    name: String,
    interval: Span,
    state: ScriptState,
}

/// Work that waits until the adverts due now have been sent.
enum Deferred {
    /// An address, announcement or notify action of an instance.
    Action(u64, Action),
    /// A status report of an instance (forced or only when changed).
    Report(u64, bool),
    /// The paced GARPs / NAs whose turn has come.
    Paced,
    /// A message for the supervisor that follows its members' work (a sync group's
    /// notify after the members' own notifies and addresses).
    Message(FromVrrp),
}

/// What the link monitor (or a test) reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WatchEvent {
    /// A link appeared or changed.
    Link {
        /// Its index.
        ifindex: u32,
        /// Its name.
        name: String,
        /// Up and running (carrier).
        up: bool,
    },
    /// An address was added on interface `ifindex`.
    Address {
        /// The interface.
        ifindex: u32,
    },
    /// An IPv6 link-local address was added to or removed from `ifindex` (the source
    /// of its unsolicited NAs, RFC 4861 §7.2.6).
    LinkLocal {
        /// The interface.
        ifindex: u32,
    },
}

/// A source of link events: vigil-net's monitor, when built in.
pub trait LinkWatch {
    /// The descriptor to poll.
    fn fd(&self) -> std::os::fd::RawFd;
    /// The events waiting (non-blocking).
    fn read(&mut self) -> Vec<WatchEvent>;
}

/// The daemon after the privilege drop and the channel set-up.
pub struct Runtime {
    clock: Clock,
    /// The timer heap's earliest deadline as a timerfd (see `Alarm`); `None` when it
    /// could not be created, and the poll timeout is used instead.
    alarm: Option<Alarm>,
    poll: Poll,
    chan: Channel<FromVrrp, ToVrrp>,
    assembler: Assembler<VrrpItem>,
    generation: Option<u64>,
    // Boxed: a B-tree node holds eleven values and is often half full; 1.1 KB
    // instances inline would waste about as much again.
    instances: BTreeMap<u64, Box<Running>>,
    next_id: u64,
    sockets: BTreeMap<SockKey, Sock>,
    tokens: HashMap<Token, SockKey>,
    next_token: usize,
    timers: Timers,
    scripts: BTreeMap<u32, ScriptSlot>,
    kernel: Box<dyn Kernel>,
    /// Non-accept mode's nftables drop sets.
    firewall: Firewall,
    links: Option<Box<dyn LinkWatch>>,
    link_state: HashMap<u32, bool>,
    /// Up/down of interfaces by name, for `track_interface`.
    link_by_name: HashMap<String, bool>,
    /// `vrrp_sync_group`s.
    groups: Vec<super::build::GroupSpec>,
    /// Transitions of group members still to be followed by the other members.
    pending_sync: std::collections::VecDeque<(u64, u32, State, State)>,
    /// The state last notified per group.
    group_state: HashMap<u32, NotifyEvent>,
    /// True while group consequences are being worked through (no recursion).
    draining: bool,
    /// Work that waits for the adverts of this turn of the loop (see `execute`).
    deferred: std::collections::VecDeque<Deferred>,
    /// Nesting of `batch`: deferred work runs when it returns to zero.
    batch_depth: u32,
    /// GARP / NA pacing (`vrrp_garp_interval`, `garp_group`).
    garp: announce::Announcements,
    signals: SignalFd,
    buf: Vec<u8>,
    out: Vec<u8>,
    exit: Option<Exit>,
}

/// A failure setting up the loop.
#[derive(Debug)]
pub struct SetupError(pub String);

impl std::fmt::Display for SetupError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SetupError {}

impl Runtime {
    /// Sets up the loop on channel `chan` with `kernel` for addresses and, when given,
    /// `links` for interface up/down events. SIGTERM and SIGINT become an orderly stop.
    pub fn new(
        chan: Channel<FromVrrp, ToVrrp>,
        kernel: Box<dyn Kernel>,
        links: Option<Box<dyn LinkWatch>>,
    ) -> Result<Runtime, SetupError> {
        let poll = Poll::new().map_err(|e| SetupError(format!("epoll: {e}")))?;
        let mut mask = SigSet::empty();
        mask.add(Signal::SIGTERM);
        mask.add(Signal::SIGINT);
        mask.add(Signal::SIGHUP);
        // `vrrp_rt_priority` with `vrrp_rlimit_rttime`: the soft limit (half) sends
        // SIGXCPU as a warning before the hard limit kills (keepalived does the same).
        mask.add(Signal::SIGXCPU);
        mask.thread_block()
            .map_err(|e| SetupError(format!("blocking signals: {e}")))?;
        let signals = SignalFd::with_flags(&mask, SfdFlags::SFD_NONBLOCK | SfdFlags::SFD_CLOEXEC)
            .map_err(|e| SetupError(format!("signalfd: {e}")))?;
        let reg = poll.registry();
        reg.register(
            &mut SourceFd(&chan.as_raw_fd()),
            TOKEN_IPC,
            Interest::READABLE | Interest::WRITABLE,
        )
        .map_err(|e| SetupError(format!("registering the IPC channel: {e}")))?;
        reg.register(
            &mut SourceFd(&signals.as_raw_fd()),
            TOKEN_SIGNAL,
            Interest::READABLE,
        )
        .map_err(|e| SetupError(format!("registering the signal descriptor: {e}")))?;
        // Without a timerfd the loop still works, on epoll's coarser timeout.
        let alarm = match Alarm::new() {
            Ok(a) => {
                match reg.register(&mut SourceFd(&a.raw_fd()), TOKEN_ALARM, Interest::READABLE) {
                    Ok(()) => Some(a),
                    Err(e) => {
                        log::warn!("registering the timerfd: {e}; timers use the poll timeout");
                        None
                    }
                }
            }
            Err(e) => {
                log::warn!("timerfd: {e}; timers use the poll timeout");
                None
            }
        };
        if let Some(l) = &links {
            reg.register(&mut SourceFd(&l.fd()), TOKEN_MONITOR, Interest::READABLE)
                .map_err(|e| SetupError(format!("registering the link monitor: {e}")))?;
        }
        Ok(Runtime {
            clock: Clock::start(),
            alarm,
            poll,
            chan,
            assembler: Assembler::new(),
            generation: None,
            instances: BTreeMap::new(),
            next_id: 1,
            sockets: BTreeMap::new(),
            tokens: HashMap::new(),
            next_token: FIRST_SOCKET_TOKEN,
            timers: Timers::new(),
            scripts: BTreeMap::new(),
            kernel,
            firewall: Firewall::new(Box::new(firewall::open_nft)),
            links,
            link_state: HashMap::new(),
            link_by_name: HashMap::new(),
            groups: Vec::new(),
            pending_sync: std::collections::VecDeque::new(),
            group_state: HashMap::new(),
            draining: false,
            deferred: std::collections::VecDeque::new(),
            batch_depth: 0,
            garp: announce::Announcements::default(),
            signals,
            buf: vec![0; 65536],
            out: Vec::with_capacity(1500),
            exit: None,
        })
    }

    /// Runs until Shutdown, a signal, the supervisor's end closing, or a fatal error.
    pub fn run(mut self) -> Exit {
        let mut events = Events::with_capacity(64);
        // The Hello queued by Channel::new.
        if let Err(e) = self.chan.flush() {
            log::error!("IPC: {e}");
            return Exit::Failure;
        }
        while self.exit.is_none() {
            let next = self.timers.next_deadline();
            let timeout = match &mut self.alarm {
                Some(alarm) => match alarm.arm(&self.clock, next) {
                    Ok(()) => None,
                    Err(e) => {
                        log::warn!("timerfd: {e}; timers use the poll timeout");
                        self.alarm = None;
                        next.map(|t| self.clock.until(t))
                    }
                },
                None => next.map(|t| self.clock.until(t)),
            };
            if let Err(e) = self.poll.poll(&mut events, timeout) {
                if e.kind() == io::ErrorKind::Interrupted {
                    continue;
                }
                log::error!("epoll_wait: {e}");
                return Exit::Failure;
            }
            for ev in events.iter() {
                match ev.token() {
                    TOKEN_IPC => self.on_ipc(),
                    TOKEN_SIGNAL => self.on_signal(),
                    TOKEN_MONITOR => self.on_links(),
                    TOKEN_ALARM => {
                        if let Some(a) = &mut self.alarm {
                            a.fired();
                        }
                    }
                    t => {
                        if let Some(key) = self.tokens.get(&t).copied() {
                            self.batch(|rt| rt.on_socket(key));
                        }
                    }
                }
                if self.exit.is_some() {
                    break;
                }
            }
            self.batch(Runtime::fire_timers);
            if self.exit.is_none() {
                if let Err(e) = self.chan.flush() {
                    self.ipc_failed(e);
                }
            }
        }
        let exit = self.exit.unwrap_or(Exit::Failure);
        // The instances have stopped: keepalived's nft_end deletes the tables.
        self.firewall.teardown();
        self.drain_ipc(Duration::from_millis(500));
        exit
    }

    // ----- IPC -----

    fn send(&mut self, msg: FromVrrp) {
        if let Err(e) = self.chan.send(&msg) {
            self.ipc_failed(e);
        }
    }

    fn ipc_failed(&mut self, e: ChannelError) {
        if self.exit.is_some() {
            // Already stopping: what could not be sent is lost with the channel.
            return;
        }
        self.exit = Some(match e {
            ChannelError::Closed => {
                log::info!("Supervisor went away; stopping");
                Exit::Done
            }
            e => {
                log::error!("IPC: {e}; stopping");
                Exit::Failure
            }
        });
        self.stop_all();
    }

    /// Sends what is queued for up to `limit`, so that the last status messages and
    /// notifications reach the supervisor before exit.
    fn drain_ipc(&mut self, limit: Duration) {
        let deadline = std::time::Instant::now() + limit;
        let mut events = Events::with_capacity(4);
        while self.chan.wants_write() {
            match self.chan.flush() {
                Ok(true) => return,
                Ok(false) => {}
                Err(_) => return,
            }
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                return;
            }
            let _ = self
                .poll
                .poll(&mut events, Some(left.min(Duration::from_millis(20))));
        }
    }

    fn on_ipc(&mut self) {
        loop {
            match self.chan.recv() {
                Ok(None) => return,
                Ok(Some(rx)) => {
                    match rx.event {
                        IpcEvent::Established(h) => {
                            log::debug!(
                                "IPC: supervisor pid {} speaks protocol {}",
                                h.pid,
                                h.version
                            )
                        }
                        IpcEvent::Message(m) => self.on_message(m),
                    }
                    if self.exit.is_some() {
                        return;
                    }
                }
                Err(e) => {
                    self.ipc_failed(e);
                    return;
                }
            }
        }
    }

    fn on_message(&mut self, m: ToVrrp) {
        match m {
            ToVrrp::Config(msg) => match self.assembler.push(msg) {
                Ok(None) => {}
                Ok(Some((generation, config))) => {
                    self.apply(generation, &config);
                    drop(config);
                    crate::memory::trim();
                }
                Err(e) => {
                    log::error!("Configuration stream: {e}");
                    let generation = self.generation.map(|g| g + 1).unwrap_or(0);
                    self.send(FromVrrp::ConfigRejected {
                        generation,
                        reason: e.to_string(),
                    });
                }
            },
            ToVrrp::ScriptResult { script, outcome } => self.on_script_result(script, outcome),
            ToVrrp::Ping(n) => self.send(FromVrrp::Pong(n)),
            ToVrrp::StatusRequest { request } => {
                let all: Vec<InstanceStatus> =
                    self.instances.values().map(|r| r.status()).collect();
                for s in all {
                    self.send(FromVrrp::InstanceStatus(s));
                }
                self.send(FromVrrp::StatusEnd { request });
            }
            ToVrrp::Shutdown => {
                log::info!("Stopping");
                self.stop_all();
                self.exit = Some(Exit::Done);
            }
        }
    }

    fn on_signal(&mut self) {
        while let Ok(Some(info)) = self.signals.read_signal() {
            let signo = i32::try_from(info.ssi_signo).unwrap_or(0);
            match Signal::try_from(signo) {
                Ok(Signal::SIGHUP) => log::info!("SIGHUP ignored: the supervisor reloads"),
                Ok(Signal::SIGXCPU) => log::warn!(
                    "Real-time CPU time used without sleeping passed half of \
                     vrrp_rlimit_rttime; at the limit the kernel kills the process"
                ),
                Ok(s) => {
                    log::info!("Received {s}; stopping");
                    self.stop_all();
                    self.exit = Some(Exit::Done);
                    return;
                }
                Err(_) => {}
            }
        }
    }

    // ----- packets -----

    fn on_socket(&mut self, key: SockKey) {
        loop {
            let Some(sock) = self.sockets.get_mut(&key) else {
                return;
            };
            let d = match sock.socket.recv(&mut self.buf) {
                Ok(Some(d)) => d,
                Ok(None) => return,
                Err(e) => {
                    log::warn!("{e}");
                    return;
                }
            };
            if let Some((id, event)) = receive::dispatch(
                d,
                &sock.ifname,
                &sock.vrids,
                &mut sock.unattributed,
                &mut self.instances,
            ) {
                let now = self.clock.now();
                self.feed(id, now, event);
            }
        }
    }

    // ----- timers -----

    fn fire_timers(&mut self) {
        if self
            .timers
            .next_deadline()
            .is_some_and(|t| t <= self.clock.now())
        {
            // Adverts already in a socket are heard before any timer decides that a
            // master is gone: a backup that was not scheduled for a while, or whose
            // poll returned on its timeout a moment before the advert arrived, must
            // not take over from a master whose advert is waiting to be read
            // (RFC 5798 §6.4.2: an advert received resets the Master_Down_Timer).
            let keys: Vec<SockKey> = self.sockets.keys().copied().collect();
            for key in keys {
                self.on_socket(key);
            }
        }
        let now = self.clock.now();
        // Delayed starts (`vrrp_startup_delay`) due together share one look at the
        // interfaces.
        let mut snapshot: Option<crate::iface::Snapshot> = None;
        while let Some(due) = self.timers.pop_due(now) {
            match due {
                Due::Instance(id, timer) => self.feed(id, now, Event::TimerFired(timer)),
                Due::Startup(id) => {
                    let snap = snapshot.take().unwrap_or_else(crate::iface::Snapshot::take);
                    self.start_instance(id, now, &snap);
                    snapshot = Some(snap);
                }
                Due::Garp => self.pacer_due(),
                Due::Script(idx) => {
                    if let Some(slot) = self.scripts.get(&idx) {
                        let next = now + slot.interval;
                        self.timers.arm(Due::Script(idx), next);
                        self.send(FromVrrp::RunScript { script: idx });
                    }
                }
            }
            if self.exit.is_some() {
                return;
            }
        }
    }

    // ----- the state machines -----

    /// Feeds `event` to instance `id`, then whatever that causes in its sync group.
    fn feed(&mut self, id: u64, now: Time, event: Event) {
        self.feed_one(id, now, event);
        if self.draining {
            return;
        }
        self.draining = true;
        self.settle_groups(now);
        self.draining = false;
    }

    fn feed_one(&mut self, id: u64, now: Time, event: Event) {
        let Some(r) = self.instances.get_mut(&id) else {
            return;
        };
        let actions = r.fsm.handle(now, event);
        self.execute(id, now, actions);
        self.report(id, false);
    }

    /// Reports the state and priority of instance `id` to the supervisor (when they
    /// changed, or always with `force`), after the work deferred before it.
    fn report(&mut self, id: u64, force: bool) {
        self.defer(Deferred::Report(id, force));
    }

    /// Queues `work` behind what is deferred already; outside a batch the queue runs
    /// at once.
    fn defer(&mut self, work: Deferred) {
        self.deferred.push_back(work);
        if self.batch_depth == 0 {
            self.run_deferred();
        }
    }

    fn report_now(&mut self, id: u64, force: bool) {
        let Some(r) = self.instances.get_mut(&id) else {
            return;
        };
        let now = (r.fsm.state(), r.fsm.priority());
        if !force && r.reported == Some(now) {
            return;
        }
        r.reported = Some(now);
        let status = r.status();
        self.send(FromVrrp::InstanceStatus(status));
    }

    /// Carries out the actions of instance `id` in order. Adverts and timers take
    /// effect at once; the slower work (addresses, announcements) and what is said to
    /// the supervisor wait in `deferred` until every advert due in this turn of the
    /// loop has been sent (see [`Runtime::run_deferred`]).
    fn execute(&mut self, id: u64, _now: Time, actions: Vec<Action>) {
        for action in actions {
            let Some(r) = self.instances.get_mut(&id) else {
                return;
            };
            if let Some(line) = action.log_line(r.name()) {
                log::info!("{line}");
            }
            match action {
                Action::SendAdvert { priority } => {
                    let key = (r.advert_ifindex(), r.spec.family_key(), r.spec.protocol());
                    match self.sockets.get(&key) {
                        Some(s) => send::send_advert(&s.socket, r, priority, &mut self.out),
                        None => log::warn!("({}) no socket to send on", r.name()),
                    }
                }
                Action::ArmTimer { timer, at } => self.timers.arm(Due::Instance(id, timer), at),
                Action::CancelTimer { timer } => self.timers.cancel(Due::Instance(id, timer)),
                Action::Transition { from, to, cause } => {
                    if cause != crate::fsm::Cause::SyncGroup {
                        if let Some(g) = r.spec.sync_group {
                            self.pending_sync.push_back((id, g, from, to));
                        }
                    }
                    if to == State::Master {
                        r.counters.became_master += 1;
                        // keepalived's AH counter: a new MASTER counts on from the
                        // highest sequence number heard, so that backups which heard
                        // the old master accept it; what it hears next starts afresh
                        // (a restarted peer counts from 1 again).
                        r.ah_tx_seq = r.ah_tx_seq.max(r.ah_rx_seq);
                        r.ah_rx_seq = 0;
                    }
                    if from == State::Master {
                        r.counters.released_master += 1;
                        // Queued GARPs / NAs are MASTER-only (keepalived vrrp_arp_thread).
                        self.drop_announcements(id);
                    }
                }
                Action::Log(_) => {}
                slow @ (Action::AddVips
                | Action::RemoveVips
                | Action::SendGarp { .. }
                | Action::Notify { .. }
                | Action::NotifyMasterRxLowerPri) => {
                    self.deferred.push_back(Deferred::Action(id, slow));
                }
            }
        }
    }

    /// Does the deferred work, in the order it was asked for. When a thousand
    /// instances become MASTER in the same millisecond, each one's advert is then on
    /// the wire before any instance's addresses and GARPs (RFC 5798 §6.4.1 sends the
    /// advert first; keepalived's order within one instance is kept).
    pub(super) fn run_deferred(&mut self) {
        while let Some(work) = self.deferred.pop_front() {
            match work {
                Deferred::Action(id, action) => self.slow_action(id, action),
                Deferred::Report(id, force) => self.report_now(id, force),
                Deferred::Paced => self.send_paced(),
                Deferred::Message(m) => self.send(m),
            }
        }
    }

    /// Runs `f` as one batch: deferred work waits until its end.
    pub(super) fn batch<T>(&mut self, f: impl FnOnce(&mut Runtime) -> T) -> T {
        self.batch_depth += 1;
        let out = f(self);
        self.batch_depth -= 1;
        if self.batch_depth == 0 {
            self.run_deferred();
        }
        out
    }

    fn slow_action(&mut self, id: u64, action: Action) {
        let Some(r) = self.instances.get_mut(&id) else {
            return;
        };
        match action {
            Action::AddVips => {
                let addrs: Vec<_> = r.spec.all_addresses().cloned().collect();
                let (name, ifname) = (r.name().to_string(), r.io_ifname.clone());
                let (routes, rules) = (r.spec.routes.clone(), r.spec.rules.clone());
                // The drop rule first, so the host never answers for the VIPs.
                firewall::before_add(&mut self.firewall, id, r);
                self.kernel.add_addresses(&name, &ifname, &addrs);
                self.kernel.add_routes(&name, &routes, &rules);
            }
            Action::RemoveVips => {
                let addrs: Vec<_> = r.spec.all_addresses().cloned().collect();
                let (name, ifname) = (r.name().to_string(), r.io_ifname.clone());
                let (routes, rules) = (r.spec.routes.clone(), r.spec.rules.clone());
                self.kernel.remove_routes(&name, &routes, &rules);
                self.kernel.remove_addresses(&name, &ifname, &addrs);
                // The drop rule last, once the addresses are gone.
                firewall::after_remove(&mut self.firewall, id, r);
            }
            Action::SendGarp { count } => {
                // Deferred: an instance that left MASTER later in the same turn has
                // removed its addresses and announces nothing.
                if r.fsm.state() != State::Master || r.stopped {
                    return;
                }
                let addrs: Vec<IpAddr> = r.spec.all_addresses().map(|a| a.addr.addr).collect();
                self.announce(id, &addrs, count);
            }
            Action::Notify { state } => {
                let msg = FromVrrp::RunNotify {
                    instance: r.spec.index,
                    event: ipc::notify(state),
                    priority: r.fsm.priority(),
                };
                self.send(msg);
            }
            Action::NotifyMasterRxLowerPri => {
                let msg = FromVrrp::RunNotify {
                    instance: r.spec.index,
                    event: NotifyEvent::MasterRxLowerPri,
                    priority: r.fsm.priority(),
                };
                self.send(msg);
            }
            // Never deferred (see execute).
            Action::SendAdvert { .. }
            | Action::ArmTimer { .. }
            | Action::CancelTimer { .. }
            | Action::Transition { .. }
            | Action::Log(_) => {}
        }
    }

    fn stop_instance(&mut self, id: u64) {
        let now = self.clock.now();
        match self.instances.get_mut(&id) {
            // Once: a failure while stopping (the channel closing) stops everything
            // again.
            Some(r) if !r.stopped => r.stopped = true,
            _ => return,
        }
        self.feed(id, now, Event::Shutdown);
        // Its addresses go now, also inside a batch: the instance may be removed next.
        self.run_deferred();
        // keepalived removes the VMAC interface of a stopped instance.
        if let Some(r) = self.instances.get(&id) {
            if r.spec.vmac.is_some() && r.io_ifindex != r.ifindex {
                let (name, idx, parent) =
                    (r.name().to_string(), r.io_ifindex, r.spec.interface.clone());
                self.kernel.delete_vmac(&name, idx, &parent);
            }
        }
    }

    /// RFC 5798 §6.4.3 Shutdown for every instance: a MASTER sends priority 0 and
    /// removes its addresses.
    fn stop_all(&mut self) {
        let ids: Vec<u64> = self.instances.keys().copied().collect();
        for id in ids {
            self.stop_instance(id);
        }
    }
}
