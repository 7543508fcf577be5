//! The I/O shell around the state machines: one mio event loop over the IPC channel,
//! the raw VRRP sockets, the signal descriptor and (when present) the link monitor; a
//! timer heap; the running instances. Everything the state machines decide is carried
//! out here, in order.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io;
use std::net::IpAddr;
use std::os::fd::AsRawFd;
use std::time::Duration;

use mio::unix::SourceFd;
use mio::{Events, Interest, Poll, Token};
use nix::sys::signal::{SigSet, Signal};
use nix::sys::signalfd::{SfdFlags, SignalFd};
use vigil_config::Config;
use vigil_ipc::msg::config::VrrpItem;
use vigil_ipc::msg::vrrp::{FromVrrp, InstanceCounters, InstanceStatus, NotifyEvent, ToVrrp};
use vigil_ipc::msg::ScriptOutcome;
use vigil_ipc::stream::Assembler;
use vigil_ipc::{Channel, ChannelError, Event as IpcEvent};

use super::build::{self, FamilyKey, Spec};
use super::clock::Clock;
use super::instance::Running;
use super::ipc;
use super::kernel::Kernel;
use super::timers::{Due, Timers};
use super::track::{self, Contribution, ScriptState};
use super::{receive, send};
use crate::fsm::{self, Action, Event, State};
use crate::iface;
use crate::packet::{self, Family};
use crate::socket::VrrpSocket;
use crate::time::{Span, Time};

const TOKEN_IPC: Token = Token(0);
const TOKEN_SIGNAL: Token = Token(1);
const TOKEN_MONITOR: Token = Token(2);
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

type SockKey = (u32, FamilyKey);

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

/// A link event from the monitor (or a test).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkEvent {
    /// The interface.
    pub ifindex: u32,
    /// Up (running) or not.
    pub up: bool,
}

/// A source of link events: vigil-net's monitor, when built in.
pub trait LinkWatch {
    /// The descriptor to poll.
    fn fd(&self) -> std::os::fd::RawFd;
    /// The events waiting (non-blocking).
    fn read(&mut self) -> Vec<LinkEvent>;
}

/// The daemon after the privilege drop and the channel set-up.
pub struct Runtime {
    clock: Clock,
    poll: Poll,
    chan: Channel<FromVrrp, ToVrrp>,
    assembler: Assembler<VrrpItem>,
    generation: Option<u64>,
    instances: BTreeMap<u64, Running>,
    next_id: u64,
    sockets: BTreeMap<SockKey, Sock>,
    tokens: HashMap<Token, SockKey>,
    next_token: usize,
    timers: Timers,
    scripts: BTreeMap<u32, ScriptSlot>,
    kernel: Box<dyn Kernel>,
    links: Option<Box<dyn LinkWatch>>,
    link_state: HashMap<u32, bool>,
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
        if let Some(l) = &links {
            reg.register(&mut SourceFd(&l.fd()), TOKEN_MONITOR, Interest::READABLE)
                .map_err(|e| SetupError(format!("registering the link monitor: {e}")))?;
        }
        Ok(Runtime {
            clock: Clock::start(),
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
            links,
            link_state: HashMap::new(),
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
            let timeout = self.timers.next_deadline().map(|t| self.clock.until(t));
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
                    t => {
                        if let Some(key) = self.tokens.get(&t).copied() {
                            self.on_socket(key);
                        }
                    }
                }
                if self.exit.is_some() {
                    break;
                }
            }
            self.fire_timers();
            if self.exit.is_none() {
                if let Err(e) = self.chan.flush() {
                    self.ipc_failed(e);
                }
            }
        }
        let exit = self.exit.unwrap_or(Exit::Failure);
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
        match e {
            ChannelError::Closed => {
                log::info!("Supervisor went away; stopping");
                self.stop_all();
                self.exit.get_or_insert(Exit::Done);
            }
            e => {
                log::error!("IPC: {e}; stopping");
                self.stop_all();
                self.exit.get_or_insert(Exit::Failure);
            }
        }
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
                Ok(Some((generation, config))) => self.apply(generation, &config),
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
                    self.instances.values().map(Running::status).collect();
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

    // ----- configuration -----

    fn reject(&mut self, generation: u64, reason: String) {
        log::error!("{reason}");
        self.send(FromVrrp::ConfigRejected { generation, reason });
        if self.generation.is_none() {
            self.exit = Some(Exit::Config);
        }
    }

    /// Applies configuration `generation`: the first one starts everything; a later
    /// one matches instances by their wire identity and applies the difference.
    fn apply(&mut self, generation: u64, config: &Config) {
        if let Some(current) = self.generation {
            if generation <= current {
                self.reject(
                    generation,
                    format!("configuration generation {generation} is not newer than {current}"),
                );
                return;
            }
        }
        let specs = match build::build(config) {
            Ok(s) => s,
            Err(e) => return self.reject(generation, e.to_string()),
        };
        // Every interface must exist (keepalived: "interface ... doesn't exist").
        let mut ifindex = HashMap::new();
        for s in &specs {
            match iface::index(&s.interface) {
                Some(i) => {
                    ifindex.insert(s.interface.clone(), i);
                }
                None => {
                    return self.reject(
                        generation,
                        format!("({}) interface {} doesn't exist", s.name(), s.interface),
                    )
                }
            }
        }
        // Match instances across the reload by what identifies them on the wire.
        let mut old: HashMap<build::WireKey, u64> = self
            .instances
            .iter()
            .map(|(id, r)| (r.spec.wire_key(), *id))
            .collect();
        // Where each instance does its I/O: kept instances keep theirs; new ones with
        // `use_vmac` get their VMAC created now.
        let mut io: Vec<(String, u32)> = Vec::with_capacity(specs.len());
        let mut created: Vec<(String, u32, String)> = Vec::new();
        for s in &specs {
            let kept = old.get(&s.wire_key()).and_then(|id| self.instances.get(id));
            let place = match (kept, &s.vmac) {
                (Some(r), _) => (r.io_ifname.clone(), r.io_ifindex),
                (None, Some(v)) => {
                    match self.kernel.create_vmac(
                        s.name(),
                        v,
                        &s.interface,
                        s.family == Family::Ipv6,
                    ) {
                        Ok(idx) => {
                            created.push((s.name().to_string(), idx, s.interface.clone()));
                            (v.name.clone(), idx)
                        }
                        Err(e) => {
                            self.undo_vmacs(&created);
                            return self.reject(generation, e);
                        }
                    }
                }
                (None, None) => (s.interface.clone(), ifindex[&s.interface]),
            };
            io.push(place);
        }
        // Sockets next: a configuration whose sockets cannot be opened changes nothing.
        let wanted: BTreeMap<SockKey, (String, Family, Option<usize>)> = specs
            .iter()
            .zip(&io)
            .map(|(s, (ifname, idx))| {
                (
                    (*idx, s.wire_key().family),
                    (ifname.clone(), s.family, None),
                )
            })
            .collect();
        for (key, (ifname, family, rcvbuf)) in &wanted {
            if self.sockets.contains_key(key) {
                continue;
            }
            if let Err(e) = self.open_socket(*key, ifname, *family, *rcvbuf) {
                self.undo_vmacs(&created);
                return self.reject(generation, e);
            }
        }

        let now = self.clock.now();
        let mut started = Vec::new();
        let mut kept = BTreeSet::new();
        for (spec, (io_ifname, io_ifindex)) in specs.into_iter().zip(io) {
            match old.remove(&spec.wire_key()) {
                Some(id) => {
                    kept.insert(id);
                    self.reconfigure(id, spec);
                }
                None => {
                    let idx = ifindex[&spec.interface];
                    let id = self.create(spec, idx, io_ifname, io_ifindex);
                    kept.insert(id);
                    started.push(id);
                }
            }
        }
        // Removed instances stop: priority 0 if MASTER, addresses removed.
        for id in old.into_values() {
            self.stop_instance(id);
            self.timers.cancel_instance(id);
            if let Some(r) = self.instances.remove(&id) {
                log::info!("({}) removed", r.name());
                self.send(FromVrrp::RunNotify {
                    instance: r.spec.index,
                    event: NotifyEvent::Deleted,
                    priority: r.fsm.priority(),
                });
            }
        }
        self.rebuild_demux();
        self.close_unused_sockets(&wanted);
        self.rebuild_scripts(config, now);
        for id in started {
            self.start_instance(id);
        }
        self.generation = Some(generation);
        self.send(FromVrrp::ConfigApplied { generation });
        for id in kept {
            self.report(id, true);
        }
    }

    fn open_socket(
        &mut self,
        key: SockKey,
        ifname: &str,
        family: Family,
        rcvbuf: Option<usize>,
    ) -> Result<(), String> {
        let socket = VrrpSocket::open(family, ifname, key.0, rcvbuf).map_err(|e| e.to_string())?;
        let token = Token(self.next_token);
        self.next_token += 1;
        self.poll
            .registry()
            .register(
                &mut SourceFd(&socket.as_raw_fd()),
                token,
                Interest::READABLE,
            )
            .map_err(|e| format!("registering the VRRP socket on {ifname}: {e}"))?;
        self.tokens.insert(token, key);
        self.sockets.insert(
            key,
            Sock {
                socket,
                token,
                ifname: ifname.to_string(),
                vrids: HashMap::new(),
                groups: BTreeSet::new(),
                unattributed: packet::Counters::default(),
            },
        );
        Ok(())
    }

    fn undo_vmacs(&mut self, created: &[(String, u32, String)]) {
        for (name, idx, parent) in created {
            self.kernel.delete_vmac(name, *idx, parent);
        }
    }

    fn create(&mut self, mut spec: Spec, ifindex: u32, io_ifname: String, io_ifindex: u32) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        let all_vips: Vec<IpAddr> = spec.all_addresses().map(|a| a.addr.addr).collect();
        let primary = match (spec.src_ip, spec.family) {
            (Some(a), _) => Some(a),
            (None, Family::Ipv4) => iface::primary_v4(&spec.interface, &all_vips).map(IpAddr::V4),
            (None, Family::Ipv6) => iface::link_local_v6(&io_ifname).map(IpAddr::V6),
        };
        let primary = primary.unwrap_or_else(|| crate::socket::sys::unspecified(spec.family));
        spec.fsm.primary_addr = primary;
        let r = Running {
            old_checksum: spec.old_unicast_checksum,
            fsm: fsm::Instance::new(spec.fsm.clone()),
            spec,
            ifindex,
            io_ifname,
            io_ifindex,
            primary,
            counters: InstanceCounters::default(),
            rejects: packet::Counters::default(),
            ah_rx_seq: 0,
            ah_tx_seq: 0,
            ip_id: 0,
            track_weight: 0,
            track_faults: BTreeSet::new(),
            reported: None,
            stopped: false,
        };
        self.instances.insert(id, r);
        id
    }

    fn start_instance(&mut self, id: u64) {
        let Some(r) = self.instances.get(&id) else {
            return;
        };
        let name = r.name().to_string();
        let ifname = r.spec.interface.clone();
        let io_ifname = r.io_ifname.clone();
        // A previous vrrpd that was killed may have left the addresses behind.
        let addrs: Vec<_> = r.spec.all_addresses().cloned().collect();
        self.kernel.remove_stale(&name, &io_ifname, &addrs);
        let up = iface::is_up(&ifname);
        let no_src = r.primary.is_unspecified();
        let track_primary = !r.spec.dont_track_primary;
        self.link_state.insert(r.ifindex, up);
        let now = self.clock.now();
        if !up && track_primary {
            log::info!("({name}) interface {ifname} is down");
            self.feed(id, now, Event::InterfaceDown);
        }
        if no_src {
            log::warn!("({name}) no source address on {ifname}");
            self.feed(id, now, Event::FaultEntered("source address".into()));
        }
        self.apply_tracking(id, now);
        self.feed(id, now, Event::Startup);
    }

    fn reconfigure(&mut self, id: u64, mut spec: Spec) {
        let now = self.clock.now();
        let Some(r) = self.instances.get_mut(&id) else {
            return;
        };
        spec.fsm.primary_addr = r.primary;
        let master = r.fsm.state() == State::Master;
        let old_addrs: Vec<_> = r.spec.all_addresses().cloned().collect();
        let new_addrs: Vec<_> = spec.all_addresses().cloned().collect();
        let name = spec.name().to_string();
        let ifname = r.io_ifname.clone();
        let index_changed = r.spec.index != spec.index;
        let actions = r.fsm.reconfigure(spec.fsm.clone());
        r.spec = spec;
        if index_changed {
            r.reported = None;
        }
        self.execute(id, now, actions);
        if master {
            // Add the new ones first, then remove the dropped ones; an address in both
            // configurations is never touched (DESIGN.md, Lifecycle).
            let added: Vec<_> = new_addrs
                .iter()
                .filter(|a| !old_addrs.iter().any(|o| o.addr == a.addr))
                .cloned()
                .collect();
            let dropped: Vec<_> = old_addrs
                .iter()
                .filter(|o| !new_addrs.iter().any(|a| a.addr == o.addr))
                .cloned()
                .collect();
            if !added.is_empty() {
                self.kernel.add_addresses(&name, &ifname, &added);
            }
            if !dropped.is_empty() {
                self.kernel.remove_addresses(&name, &ifname, &dropped);
            }
        }
    }

    fn rebuild_demux(&mut self) {
        let mut groups: BTreeMap<SockKey, BTreeSet<IpAddr>> = BTreeMap::new();
        for s in self.sockets.values_mut() {
            s.vrids.clear();
        }
        for (id, r) in &self.instances {
            let key = (r.io_ifindex, r.spec.wire_key().family);
            if let Some(s) = self.sockets.get_mut(&key) {
                s.vrids.insert(r.spec.fsm.vrid, *id);
            }
            if !r.spec.is_unicast() {
                groups.entry(key).or_default().insert(r.spec.group);
            }
        }
        for (key, s) in self.sockets.iter_mut() {
            let want = groups.remove(key).unwrap_or_default();
            for g in want.difference(&s.groups) {
                if let Err(e) = s.socket.join(*g) {
                    log::error!("{e}");
                }
            }
            for g in s.groups.difference(&want) {
                if let Err(e) = s.socket.leave(*g) {
                    log::warn!("{e}");
                }
            }
            s.groups = want;
        }
    }

    fn close_unused_sockets(
        &mut self,
        wanted: &BTreeMap<SockKey, (String, Family, Option<usize>)>,
    ) {
        let unused: Vec<SockKey> = self
            .sockets
            .keys()
            .filter(|k| !wanted.contains_key(k))
            .copied()
            .collect();
        for key in unused {
            if let Some(s) = self.sockets.remove(&key) {
                let _ = self
                    .poll
                    .registry()
                    .deregister(&mut SourceFd(&s.socket.as_raw_fd()));
                self.tokens.remove(&s.token);
                log::debug!("closed the VRRP socket on {}", s.ifname);
            }
        }
    }

    fn rebuild_scripts(&mut self, config: &Config, now: Time) {
        let used: BTreeSet<u32> = self
            .instances
            .values()
            .flat_map(|r| r.spec.scripts.iter().map(|t| t.script))
            .collect();
        let old = std::mem::take(&mut self.scripts);
        for (i, s) in config.vrrp.scripts.iter().enumerate() {
            let Ok(idx) = u32::try_from(i) else { continue };
            if !used.contains(&idx) {
                self.timers.cancel(Due::Script(idx));
                continue;
            }
            let state = match old.get(&idx) {
                Some(o) if o.name == s.name => o.state.clone(),
                _ => {
                    // keepalived runs every tracked script at startup.
                    self.timers.arm(Due::Script(idx), now);
                    ScriptState::new(s.rise, s.fall, s.init_fail)
                }
            };
            let interval = Span::from_micros(s.interval.micros().max(10_000));
            self.scripts.insert(
                idx,
                ScriptSlot {
                    name: s.name.clone(),
                    interval,
                    state,
                },
            );
        }
        for idx in old.keys() {
            if !self.scripts.contains_key(idx) {
                self.timers.cancel(Due::Script(*idx));
            }
        }
    }

    // ----- tracking -----

    fn on_script_result(&mut self, script: u32, outcome: ScriptOutcome) {
        let Some(slot) = self.scripts.get_mut(&script) else {
            log::warn!("Result for unknown vrrp_script #{script} ignored");
            return;
        };
        if !slot.state.record(outcome.succeeded()) {
            return;
        }
        if slot.state.ok() {
            log::info!("VRRP_Script({}) succeeded", slot.name);
        } else {
            log::info!("VRRP_Script({}) failed ({outcome:?})", slot.name);
        }
        let now = self.clock.now();
        let ids: Vec<u64> = self
            .instances
            .iter()
            .filter(|(_, r)| r.spec.scripts.iter().any(|t| t.script == script))
            .map(|(id, _)| *id)
            .collect();
        for id in ids {
            self.apply_tracking(id, now);
        }
    }

    fn apply_tracking(&mut self, id: u64, now: Time) {
        let Some(r) = self.instances.get(&id) else {
            return;
        };
        let mut weight = 0i32;
        let mut faults = BTreeSet::new();
        for t in &r.spec.scripts {
            let ok = self
                .scripts
                .get(&t.script)
                .map(|s| s.state.ok())
                .unwrap_or(true);
            match track::contribution(t, ok) {
                Contribution::None => {}
                Contribution::Weight(w) => weight = weight.saturating_add(w),
                Contribution::Fault => {
                    faults.insert(format!("script {}", t.name));
                }
            }
        }
        let old_weight = r.track_weight;
        let entered: Vec<String> = faults.difference(&r.track_faults).cloned().collect();
        let cleared: Vec<String> = r.track_faults.difference(&faults).cloned().collect();
        if let Some(r) = self.instances.get_mut(&id) {
            r.track_weight = weight;
            r.track_faults = faults;
        }
        if weight != old_weight {
            self.feed(id, now, Event::TrackWeight(weight));
        }
        for f in entered {
            self.feed(id, now, Event::FaultEntered(f));
        }
        for f in cleared {
            self.feed(id, now, Event::FaultCleared(f));
        }
    }

    fn on_links(&mut self) {
        let events = match self.links.as_mut() {
            Some(l) => l.read(),
            None => return,
        };
        let now = self.clock.now();
        for ev in events {
            let before = self.link_state.insert(ev.ifindex, ev.up);
            if before == Some(ev.up) {
                continue;
            }
            let ids: Vec<u64> = self
                .instances
                .iter()
                .filter(|(_, r)| r.ifindex == ev.ifindex && !r.spec.dont_track_primary)
                .map(|(id, _)| *id)
                .collect();
            for id in ids {
                if let Some(r) = self.instances.get(&id) {
                    let state = if ev.up { "UP" } else { "DOWN" };
                    log::info!("({}) Interface {} is {state}", r.name(), r.spec.interface);
                }
                let e = if ev.up {
                    Event::InterfaceUp
                } else {
                    Event::InterfaceDown
                };
                self.feed(id, now, e);
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
        let now = self.clock.now();
        while let Some(due) = self.timers.pop_due(now) {
            match due {
                Due::Instance(id, timer) => self.feed(id, now, Event::TimerFired(timer)),
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

    fn feed(&mut self, id: u64, now: Time, event: Event) {
        let Some(r) = self.instances.get_mut(&id) else {
            return;
        };
        let actions = r.fsm.handle(now, event);
        self.execute(id, now, actions);
        self.report(id, false);
    }

    fn report(&mut self, id: u64, force: bool) {
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
                    let key = (r.io_ifindex, r.spec.wire_key().family);
                    match self.sockets.get(&key) {
                        Some(s) => send::send_advert(&s.socket, r, priority, &mut self.out),
                        None => log::warn!("({}) no socket to send on", r.name()),
                    }
                }
                Action::ArmTimer { timer, at } => self.timers.arm(Due::Instance(id, timer), at),
                Action::CancelTimer { timer } => self.timers.cancel(Due::Instance(id, timer)),
                Action::AddVips => {
                    let addrs: Vec<_> = r.spec.all_addresses().cloned().collect();
                    let (name, ifname) = (r.name().to_string(), r.io_ifname.clone());
                    self.kernel.add_addresses(&name, &ifname, &addrs);
                }
                Action::RemoveVips => {
                    let addrs: Vec<_> = r.spec.all_addresses().cloned().collect();
                    let (name, ifname) = (r.name().to_string(), r.io_ifname.clone());
                    self.kernel.remove_addresses(&name, &ifname, &addrs);
                }
                Action::SendGarp { count } => {
                    let addrs: Vec<IpAddr> = r.spec.all_addresses().map(|a| a.addr.addr).collect();
                    let (name, ifindex) = (r.name().to_string(), r.io_ifindex);
                    self.kernel.announce(&name, ifindex, &addrs, count);
                }
                Action::Transition { from, to, .. } => {
                    if to == State::Master {
                        r.counters.became_master += 1;
                    }
                    if from == State::Master {
                        r.counters.released_master += 1;
                    }
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
                Action::Log(_) => {}
            }
        }
    }

    fn stop_instance(&mut self, id: u64) {
        let now = self.clock.now();
        if let Some(r) = self.instances.get_mut(&id) {
            r.stopped = true;
        }
        self.feed(id, now, Event::Shutdown);
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
