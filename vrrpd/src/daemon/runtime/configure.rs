//! Applying a configuration: the first one starts everything; a reload matches
//! instances by their wire identity (VRID, family, interface, source, peers, group),
//! keeps their state, and applies the difference (DESIGN.md, Lifecycle).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::net::IpAddr;
use std::os::fd::AsRawFd;

use mio::unix::SourceFd;
use mio::{Interest, Token};
use vigil_config::Config;
use vigil_ipc::msg::vrrp::{FromVrrp, InstanceCounters, NotifyEvent};

use super::{Exit, Runtime, ScriptSlot, Sock, SockKey};
use crate::daemon::build::{self, Spec};
use crate::daemon::firewall;
use crate::daemon::instance::Running;
use crate::daemon::kernel::StaleAddrs;
use crate::daemon::timers::Due;
use crate::daemon::track::ScriptState;
use crate::fsm::{self, Event, State};
use crate::iface;
use crate::packet::{self, Family};
use crate::socket::VrrpSocket;
use crate::time::{Span, Time};

impl Runtime {
    /// Answers ConfigRejected. For the first configuration the daemon then exits:
    /// with EX_CONFIG when the configuration can never work here (`config_fault`),
    /// else with 1 so that the supervisor restarts it.
    pub(super) fn reject(&mut self, generation: u64, reason: String, config_fault: bool) {
        log::error!("{reason}");
        self.send(FromVrrp::ConfigRejected { generation, reason });
        if self.generation.is_none() {
            self.exit = Some(if config_fault {
                Exit::Config
            } else {
                Exit::Failure
            });
        }
    }

    /// Applies configuration `generation`: the first one starts everything; a later
    /// one matches instances by their wire identity and applies the difference.
    pub(super) fn apply(&mut self, generation: u64, config: &Config) {
        if let Some(current) = self.generation {
            if generation <= current {
                self.reject(
                    generation,
                    format!("configuration generation {generation} is not newer than {current}"),
                    false,
                );
                return;
            }
        }
        let specs = match build::build(config) {
            Ok(s) => s,
            Err(e) => return self.reject(generation, e.to_string(), true),
        };
        // Every interface must exist; keepalived 2.2.7 stops with a permanent CONFIG
        // error, worded as here.
        let mut ifindex = HashMap::new();
        for s in &specs {
            match iface::index(&s.interface) {
                Some(i) => {
                    ifindex.insert(s.interface.clone(), i);
                }
                None => {
                    log::error!(
                        "WARNING - interface {} for vrrp_instance {} doesn't exist",
                        s.interface,
                        s.name()
                    );
                    return self.reject(
                        generation,
                        format!(
                            "Non-existent interface specified in configuration: interface {} for vrrp_instance {} doesn't exist",
                            s.interface,
                            s.name()
                        ),
                        true,
                    );
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
                            return self.reject(generation, e, false);
                        }
                    }
                }
                (None, None) => (s.interface.clone(), ifindex[&s.interface]),
            };
            io.push(place);
        }
        // Sockets next: a configuration whose sockets cannot be opened changes nothing.
        // With `vmac_xmit_base` the socket is the base interface's (Running::advert_ifindex).
        let wanted: BTreeMap<SockKey, (String, Family, Option<usize>)> = specs
            .iter()
            .zip(&io)
            .map(|(s, (ifname, idx))| {
                let (ifname, idx) = match &s.vmac {
                    Some(v) if v.xmit_base => (&s.interface, ifindex[&s.interface]),
                    _ => (ifname, *idx),
                };
                (
                    (idx, s.family_key(), s.protocol()),
                    (ifname.clone(), s.family, s.rcvbuf),
                )
            })
            .collect();
        for (key, (ifname, family, rcvbuf)) in &wanted {
            if self.sockets.contains_key(key) {
                continue;
            }
            if let Err(e) = self.open_socket(*key, ifname, *family, *rcvbuf) {
                self.undo_vmacs(&created);
                return self.reject(generation, e, false);
            }
        }

        // Removed instances stop first: priority 0 if MASTER, addresses removed (and
        // with them their drop rules, before the table below may change), and an
        // address that moves to a kept instance is added back by its `reconfigure`.
        let wanted_keys: HashSet<build::WireKey> = specs.iter().map(Spec::wire_key).collect();
        let mut removed = Vec::new();
        old.retain(|key, id| {
            let keep = wanted_keys.contains(key);
            if !keep {
                removed.push(*id);
            }
            keep
        });
        for id in removed {
            self.stop_instance(id);
            self.timers.cancel_instance(id);
            self.drop_announcements(id);
            if let Some(r) = self.instances.remove(&id) {
                log::info!("({}) removed", r.name());
                self.send(FromVrrp::RunNotify {
                    instance: r.spec.index,
                    event: NotifyEvent::Deleted,
                    priority: r.fsm.priority(),
                });
            }
        }
        // Non-accept mode's table before any instance changes (a new table starts empty:
        // kept MASTERs add theirs again in `reconfigure`).
        self.firewall
            .configure(firewall::table_config(&config.global, &specs));
        // The GARP / NA pacing before any instance announces (reloaded ones included).
        self.set_pacing(config);
        let now = self.clock.now();
        // One look at the interfaces for every new instance (after the VMACs exist).
        let snapshot = iface::Snapshot::take();
        let mut started = Vec::new();
        let mut reconfigured = Vec::new();
        let mut kept = BTreeSet::new();
        for (spec, (io_ifname, io_ifindex)) in specs.into_iter().zip(io) {
            match old.remove(&spec.wire_key()) {
                Some(id) => {
                    kept.insert(id);
                    reconfigured.push(id);
                    self.reconfigure(id, spec);
                }
                None => {
                    let idx = ifindex[&spec.interface];
                    let id = self.create(spec, idx, io_ifname, io_ifindex, &snapshot);
                    kept.insert(id);
                    started.push(id);
                }
            }
        }
        // A previous vrrpd that was killed may have left addresses behind: they go
        // before the new instances join their groups (one address dump for all).
        let stale: Vec<StaleAddrs> = started
            .iter()
            .filter_map(|id| self.instances.get(id))
            .map(|r| StaleAddrs {
                name: r.name().to_string(),
                ifname: r.io_ifname.clone(),
                addrs: r.spec.all_addresses().cloned().collect(),
            })
            .collect();
        if !stale.is_empty() {
            self.kernel.remove_stale(&stale);
        }
        self.close_unused_sockets(&wanted);
        self.rebuild_demux();
        self.rebuild_scripts(config, now);
        self.groups = build::sync_groups(config).unwrap_or_default();
        self.group_state
            .retain(|g, _| (*g as usize) < config.vrrp.sync_groups.len());
        // keepalived `vrrp_startup_delay`: instances of the first configuration start
        // that long after the daemon (for hosts whose network comes up late).
        let delay = match (self.generation, config.global.vrrp_startup_delay) {
            (None, Some(d)) if d.micros() > 0 => Some(Span::from_micros(d.micros())),
            _ => None,
        };
        if let Some(d) = delay {
            log::info!("Delaying startup for {d}");
        }
        // The instances of one configuration start together: one time, and what they
        // say to the supervisor waits until all have started, so that the last one's
        // Master_Down_Interval does not begin later than the first one's. The time
        // is read after the sockets joined their groups: an advert heard from now on
        // counts.
        let start = self.clock.now();
        self.batch(|rt| {
            for id in started {
                match delay {
                    Some(d) => rt.timers.arm(Due::Startup(id), start + d),
                    None => rt.start_instance(id, start, &snapshot),
                }
            }
        });
        // A kept instance whose trackers changed (a script or interface added or
        // removed, a weight changed) gets its weight and faults recomputed now, not
        // at the next tracking event.
        for id in reconfigured {
            self.apply_tracking(id, now);
        }
        self.generation = Some(generation);
        self.send(FromVrrp::ConfigApplied { generation });
        for id in kept {
            self.report(id, true);
        }
    }

    pub(super) fn open_socket(
        &mut self,
        key: SockKey,
        ifname: &str,
        family: Family,
        rcvbuf: Option<usize>,
    ) -> Result<(), String> {
        let socket =
            VrrpSocket::open(family, ifname, key.0, key.2, rcvbuf).map_err(|e| e.to_string())?;
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

    pub(super) fn undo_vmacs(&mut self, created: &[(String, u32, String)]) {
        for (name, idx, parent) in created {
            self.kernel.delete_vmac(name, *idx, parent);
        }
    }

    pub(super) fn create(
        &mut self,
        mut spec: Spec,
        ifindex: u32,
        io_ifname: String,
        io_ifindex: u32,
        snapshot: &iface::Snapshot,
    ) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        let primary = primary_address(&spec, &io_ifname, snapshot)
            .unwrap_or_else(|| crate::socket::sys::unspecified(spec.family));
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
            sync_fault: false,
        };
        self.instances.insert(id, Box::new(r));
        id
    }

    /// Starts instance `id` at `now` (RFC 5798 §6.4.1 Startup), with the interfaces as
    /// `snapshot` saw them.
    pub(super) fn start_instance(&mut self, id: u64, now: Time, snapshot: &iface::Snapshot) {
        let Some(r) = self.instances.get(&id) else {
            return;
        };
        let name = r.name().to_string();
        let ifname = r.spec.interface.clone();
        let up = snapshot.is_up(&ifname);
        let io_ifindex = r.io_ifindex;
        self.kernel.prepare_announce(&name, io_ifindex);
        let no_src = r.primary.is_unspecified();
        let track_primary = !r.spec.dont_track_primary;
        self.link_state.insert(r.ifindex, up);
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

    pub(super) fn reconfigure(&mut self, id: u64, mut spec: Spec) {
        let now = self.clock.now();
        let Some(r) = self.instances.get_mut(&id) else {
            return;
        };
        spec.fsm.primary_addr = r.primary;
        let master = r.fsm.state() == State::Master;
        let old_addrs: Vec<_> = r.spec.all_addresses().cloned().collect();
        let new_addrs: Vec<_> = spec.all_addresses().cloned().collect();
        let old_routes = (r.spec.routes.clone(), r.spec.rules.clone());
        let new_routes = (spec.routes.clone(), spec.rules.clone());
        let repeat = spec.fsm.garp_master_repeat;
        let name = spec.name().to_string();
        let ifname = r.io_ifname.clone();
        let index_changed = r.spec.index != spec.index;
        let actions = r.fsm.reconfigure(spec.fsm.clone());
        r.spec = spec;
        if index_changed {
            r.reported = None;
        }
        self.execute(id, now, actions);
        // What the state machine asked for happens before the address changes below.
        self.run_deferred();
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
            let gone_routes: Vec<_> = old_routes
                .0
                .iter()
                .filter(|o| !new_routes.0.contains(o))
                .cloned()
                .collect();
            let gone_rules: Vec<_> = old_routes
                .1
                .iter()
                .filter(|o| !new_routes.1.contains(o))
                .cloned()
                .collect();
            let new_only_routes: Vec<_> = new_routes
                .0
                .iter()
                .filter(|n| !old_routes.0.contains(n))
                .cloned()
                .collect();
            let new_only_rules: Vec<_> = new_routes
                .1
                .iter()
                .filter(|n| !old_routes.1.contains(n))
                .cloned()
                .collect();
            if let Some(r) = self.instances.get(&id) {
                firewall::before_add(&mut self.firewall, id, r);
            }
            if !added.is_empty() {
                self.kernel.add_addresses(&name, &ifname, &added);
                // A new VIP is announced like the ones taken over at MASTER.
                let ips: Vec<IpAddr> = added.iter().map(|a| a.addr.addr).collect();
                self.announce(id, &ips, repeat);
            }
            self.kernel
                .add_routes(&name, &new_only_routes, &new_only_rules);
            self.kernel.remove_routes(&name, &gone_routes, &gone_rules);
            if !dropped.is_empty() {
                self.kernel.remove_addresses(&name, &ifname, &dropped);
            }
            if let Some(r) = self.instances.get(&id) {
                firewall::after_reload_remove(&mut self.firewall, id, r);
            }
        }
    }

    pub(super) fn rebuild_demux(&mut self) {
        let mut groups: BTreeMap<SockKey, BTreeSet<IpAddr>> = BTreeMap::new();
        for s in self.sockets.values_mut() {
            s.vrids.clear();
        }
        for (id, r) in &self.instances {
            let key = (r.advert_ifindex(), r.spec.family_key(), r.spec.protocol());
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

    pub(super) fn close_unused_sockets(
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

    pub(super) fn rebuild_scripts(&mut self, config: &Config, now: Time) {
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
}

/// The source address of an instance's adverts: `unicast_src_ip` / `mcast_src_ip`, else
/// the interface's primary IPv4 address (RFC 5798 §5.1.1.1; never one of the VIPs) or
/// the link-local address of the interface it sends on (RFC 5798 §5.1.2.1).
pub(super) fn primary_address(
    spec: &Spec,
    io_ifname: &str,
    snapshot: &iface::Snapshot,
) -> Option<IpAddr> {
    match (spec.src_ip, spec.family) {
        (Some(a), _) => Some(a),
        (None, Family::Ipv4) => {
            let vips: Vec<IpAddr> = spec.all_addresses().map(|a| a.addr.addr).collect();
            snapshot.primary_v4(&spec.interface, &vips).map(IpAddr::V4)
        }
        (None, Family::Ipv6) => snapshot.link_local_v6(io_ifname).map(IpAddr::V6),
    }
}
