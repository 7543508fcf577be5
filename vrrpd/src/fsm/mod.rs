//! The VRRP instance state machine, without I/O: events and a time in, actions out.
//!
//! One [`Instance`] per `vrrp_instance`. It follows RFC 5798 §6.4 (with RFC 9568's
//! clarifications) for v3 and RFC 3768 §6.4 for v2, and keepalived 2.2 where the RFCs
//! leave room or keepalived adds behaviour (FAULT, `preempt_delay`, `state MASTER`,
//! answers to lower-priority adverts, GARP bursts and refreshes). Each rule cites its
//! source at the place it is implemented; the unit tests in `tests.rs` are named after
//! the same sections.
//!
//! Timers: the machine emits [`Action::ArmTimer`] / [`Action::CancelTimer`] and keeps its
//! own copy of every deadline, so a [`Event::TimerFired`] for a timer that was cancelled
//! or re-armed in the meantime (a race in the shell) is ignored rather than acted on.

mod config;
mod io;
#[cfg(test)]
mod tests;

pub use config::{Config, InitialState, Version};
pub use io::{Action, Advert, Cause, Event, Note, NotifyState, State, Timer};

use crate::time::{Span, Time};
use std::cmp::Ordering;
use std::collections::BTreeSet;
use std::net::IpAddr;

/// The priority of the address owner (RFC 5798 §5.2.4).
pub const PRIORITY_OWNER: u8 = 255;
/// The priority a stopping master advertises (RFC 5798 §5.2.4).
pub const PRIORITY_STOP: u8 = 0;

/// Skew_Time.
///
/// v3 (RFC 5798 §6.1): `((256 - Priority) * Master_Adver_Interval) / 256`.
/// v2 (RFC 3768 §6.1): `(256 - Priority) / 256` seconds, whatever the interval.
pub fn skew_time(version: Version, priority: u8, master_adver_int: Span) -> Span {
    let weight = 256 - u64::from(priority);
    match version {
        Version::V3 => Span(weight * master_adver_int.as_micros() / 256),
        Version::V2 => Span(weight * 1_000_000 / 256),
    }
}

/// Master_Down_Interval: `3 * Master_Adver_Interval + Skew_Time` (RFC 5798 §6.1;
/// RFC 3768 §6.1 with Advertisement_Interval). keepalived's `down_timer_adverts`
/// replaces the 3.
pub fn master_down_interval(
    version: Version,
    down_timer_adverts: u8,
    priority: u8,
    master_adver_int: Span,
) -> Span {
    master_adver_int * u64::from(down_timer_adverts)
        + skew_time(version, priority, master_adver_int)
}

/// keepalived's preempt delay (vrrp.c `vrrp_state_backup`, `preempt_time`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Preempt {
    /// Not running: the next lower-priority advert starts it.
    Idle,
    /// Running: lower-priority adverts are accepted as if `nopreempt`.
    Running,
    /// Ran out: lower-priority adverts are discarded, so this instance takes over.
    Expired,
}

/// One VRRP instance's protocol state.
#[derive(Debug, Clone)]
pub struct Instance {
    cfg: Config,
    state: State,
    started: bool,
    /// The configured priority; keepalived lowers an owner to 254 on an owner conflict.
    base_priority: u8,
    track_weight: i32,
    /// The effective priority: what is advertised and compared.
    priority: u8,
    /// Master_Adver_Interval (v3 learns it; v2 keeps Advertisement_Interval).
    master_adver_int: Span,
    link_up: bool,
    faults: BTreeSet<String>,
    preempt: Preempt,
    timers: [Option<Time>; Timer::ALL.len()],
    /// The last master heard from (address, priority), for status reporting.
    master: Option<(IpAddr, u8)>,
    out: Vec<Action>,
}

impl Instance {
    /// A stopped instance (state INIT) with its interface up and no faults.
    pub fn new(cfg: Config) -> Instance {
        let cfg = cfg.normalised();
        Instance {
            state: State::Init,
            started: false,
            base_priority: cfg.priority,
            track_weight: 0,
            priority: cfg.priority,
            master_adver_int: cfg.advert_int,
            link_up: true,
            faults: BTreeSet::new(),
            preempt: Preempt::Idle,
            timers: [None; Timer::ALL.len()],
            master: None,
            out: Vec::new(),
            cfg,
        }
    }

    /// The (normalised) configuration.
    pub fn config(&self) -> &Config {
        &self.cfg
    }

    /// The current state.
    pub fn state(&self) -> State {
        self.state
    }

    /// The effective priority.
    pub fn priority(&self) -> u8 {
        self.priority
    }

    /// Master_Adver_Interval.
    pub fn master_adver_int(&self) -> Span {
        self.master_adver_int
    }

    /// Skew_Time for the current priority and Master_Adver_Interval.
    pub fn skew_time(&self) -> Span {
        skew_time(self.cfg.version, self.priority, self.master_adver_int)
    }

    /// Master_Down_Interval for the current priority and Master_Adver_Interval.
    pub fn master_down_interval(&self) -> Span {
        master_down_interval(
            self.cfg.version,
            self.cfg.down_timer_adverts,
            self.priority,
            self.master_adver_int,
        )
    }

    /// The last master heard from (address, priority), if any.
    pub fn master(&self) -> Option<(IpAddr, u8)> {
        self.master
    }

    /// The deadline of `timer`, if armed.
    pub fn timer(&self, timer: Timer) -> Option<Time> {
        self.timers[timer.index()]
    }

    /// The earliest armed timer (ties in [`Timer::ALL`] order), for a driver's poll timeout.
    pub fn next_timer(&self) -> Option<(Timer, Time)> {
        Timer::ALL
            .iter()
            .filter_map(|&t| self.timer(t).map(|at| (t, at)))
            .min_by_key(|&(t, at)| (at, t.index()))
    }

    /// True while the interface is down or an unweighted tracker has failed.
    pub fn is_faulty(&self) -> bool {
        !self.link_up || !self.faults.is_empty()
    }

    /// Takes new settings across a reload (the instance is the same one on the wire),
    /// keeping the state, the timers and the master heard; the effective priority is
    /// recomputed from the new base priority and the current tracking weight. A
    /// MASTER's new interval applies from its next advert.
    pub fn reconfigure(&mut self, cfg: Config) -> Vec<Action> {
        let cfg = cfg.normalised();
        self.base_priority = cfg.priority;
        if self.state != State::Backup {
            self.master_adver_int = cfg.advert_int;
        }
        self.cfg = cfg;
        self.update_priority();
        std::mem::take(&mut self.out)
    }

    /// Feeds one event at time `now`; returns the actions to carry out, in order.
    pub fn handle(&mut self, now: Time, event: Event) -> Vec<Action> {
        match event {
            Event::Startup => self.on_startup(now),
            Event::Shutdown => self.on_shutdown(),
            Event::Advert(advert) => match self.state {
                State::Backup => self.backup_rx(now, advert),
                State::Master => self.master_rx(now, advert),
                // keepalived's dispatcher drops adverts in FAULT and INIT
                // (vrrp_scheduler.c `vrrp_dispatcher_read`).
                State::Init | State::Fault => {}
            },
            Event::TimerFired(timer) => {
                // Only a timer that is armed and due fires: a stale expiry from the
                // shell must never cause a transition.
                match self.timer(timer) {
                    Some(at) if at <= now => {
                        self.timers[timer.index()] = None;
                        self.on_timer(now, timer);
                    }
                    _ => {}
                }
            }
            Event::TrackWeight(weight) => {
                self.track_weight = weight;
                self.update_priority();
            }
            Event::InterfaceDown => {
                self.link_up = false;
                self.update_fault(now);
            }
            Event::InterfaceUp => {
                self.link_up = true;
                self.update_fault(now);
            }
            Event::FaultEntered(name) => {
                self.faults.insert(name);
                self.update_fault(now);
            }
            Event::FaultCleared(name) => {
                self.faults.remove(&name);
                self.update_fault(now);
            }
            Event::SyncMaster => {
                if self.state == State::Backup && !self.is_faulty() {
                    self.become_master(now, Cause::SyncGroup);
                }
            }
            Event::SyncBackup => {
                if self.state == State::Master {
                    let down = self.master_down_interval();
                    self.enter_backup(now, Cause::SyncGroup, down);
                }
            }
        }
        std::mem::take(&mut self.out)
    }

    // ----- RFC 5798 §6.4.1 Initialize -----

    fn on_startup(&mut self, now: Time) {
        if self.started {
            return;
        }
        self.started = true;
        self.master_adver_int = self.cfg.advert_int;
        self.master = None;
        if self.is_faulty() {
            // keepalived: "Entering FAULT STATE (init)" when the interface is down or
            // a tracker has already failed (vrrp_scheduler.c `vrrp_init_state`).
            self.transition(State::Fault, Cause::Fault);
            self.out.push(Action::Notify {
                state: NotifyState::Fault,
            });
            return;
        }
        if self.cfg.is_owner() {
            // §6.4.1: "If the Priority = 255 ... Send an ADVERTISEMENT ... Transition to
            // the Master state". keepalived does this only with `state MASTER`; vigil
            // follows the RFC for every owner.
            self.become_master(now, Cause::StartupOwner);
            return;
        }
        // keepalived: `preempt_delay` counts from startup as well as from the first
        // lower-priority advert ("Seconds after startup ... until preemption").
        if !self.cfg.preempt_delay.is_zero() {
            self.start_preempt_delay(now, false);
        }
        let down = match self.cfg.initial_state {
            // keepalived `state MASTER` without priority 255: BACKUP, but take over after
            // Advertisement_Interval + the minimum skew if no master is heard
            // (vrrp_scheduler.c `vrrp_init_state`, VRRP_TIMER_SKEW_MIN).
            InitialState::Master => {
                self.cfg.advert_int + skew_time(self.cfg.version, 255, self.master_adver_int)
            }
            // §6.4.1: "Set Master_Adver_Interval to Advertisement_Interval; Set the
            // Master_Down_Timer to Master_Down_Interval; Transition to the Backup state".
            InitialState::Backup => self.master_down_interval(),
        };
        self.enter_backup(now, Cause::Startup, down);
    }

    fn on_shutdown(&mut self) {
        if !self.started {
            return;
        }
        self.started = false;
        match self.state {
            State::Master => {
                // §6.4.3 Shutdown: "Cancel the Adver_Timer; Send an ADVERTISEMENT with
                // Priority = 0; Transition to the Initialize state". keepalived then
                // removes the VIPs (vrrp.c `vrrp_restore_interface`).
                self.cancel_master_timers();
                self.transition(State::Init, Cause::Shutdown);
                self.out.push(Action::SendAdvert {
                    priority: PRIORITY_STOP,
                });
                self.out.push(Action::RemoveVips);
            }
            State::Backup => {
                // §6.4.2 Shutdown: "Cancel the Master_Down_Timer; Transition to the
                // Initialize state".
                self.cancel(Timer::MasterDown);
                self.transition(State::Init, Cause::Shutdown);
            }
            State::Fault => self.transition(State::Init, Cause::Shutdown),
            State::Init => return,
        }
        self.stop_preempt_delay();
        self.master = None;
        // keepalived runs `notify_stop` for every instance it stops.
        self.out.push(Action::Notify {
            state: NotifyState::Stop,
        });
    }

    // ----- timers -----

    fn on_timer(&mut self, now: Time, timer: Timer) {
        match (timer, self.state) {
            // §6.4.2: "If the Master_Down_Timer fires ... Transition to the Master state".
            (Timer::MasterDown, State::Backup) => self.become_master(now, Cause::MasterDown),
            // §6.4.3: "If the Adver_Timer fires: Send an ADVERTISEMENT; Reset the
            // Adver_Timer to Advertisement_Interval".
            (Timer::Adver, State::Master) => self.send_advert(now),
            (Timer::PreemptDelay, _) if self.preempt == Preempt::Running => {
                self.preempt = Preempt::Expired;
            }
            // keepalived `vrrp_gratuitous_arp_thread`: the second burst.
            (Timer::GarpMasterDelay, State::Master) => self.send_garp(self.cfg.garp_master_repeat),
            // keepalived `garp_master_refresh`: periodic bursts while MASTER.
            (Timer::GarpRefresh, State::Master) => {
                self.send_garp(self.cfg.garp_master_refresh_repeat);
                self.arm(Timer::GarpRefresh, now + self.cfg.garp_master_refresh);
            }
            // keepalived `vrrp_lower_prio_gratuitous_arp_thread`.
            (Timer::GarpLowerPrio, State::Master) => {
                self.send_garp(self.cfg.garp_lower_prio_repeat)
            }
            // A MASTER-only timer outside MASTER (cannot be armed there) or a
            // Master_Down_Timer outside BACKUP: nothing to do.
            _ => {}
        }
    }

    // ----- RFC 5798 §6.4.2 Backup -----

    fn backup_rx(&mut self, now: Time, advert: Advert) {
        if advert.priority == PRIORITY_STOP {
            // §6.4.2: "If the Priority in the ADVERTISEMENT is zero, then: Set the
            // Master_Down_Timer to Skew_Time".
            self.out.push(Action::Log(Note::BackupReceivedPriorityZero));
            let skew = self.skew_time();
            self.arm(Timer::MasterDown, now + skew);
            return;
        }
        // §6.4.2: "If Preempt_Mode is False, or if the Priority in the ADVERTISEMENT is
        // greater than or equal to the local Priority, then: ... Reset the
        // Master_Down_Timer; else: Discard the ADVERTISEMENT". keepalived adds: while
        // its preempt delay has not run out, a lower-priority master is accepted too.
        let accept = self.cfg.nopreempt
            || advert.priority >= self.priority
            || (!self.cfg.preempt_delay.is_zero() && self.preempt != Preempt::Expired);
        if !accept {
            self.out.push(Action::Log(Note::LowerPriorityDiscarded {
                src: advert.src,
                priority: advert.priority,
            }));
            self.master = Some((advert.src, advert.priority));
            return;
        }
        // §6.4.2 (v3 only): "Set Master_Adver_Interval to Adver Interval contained in
        // the ADVERTISEMENT; Recompute the Master_Down_Interval". RFC 3768 has no such
        // step: v2 intervals must match (the codec drops a mismatch).
        self.learn_adver_int(advert.interval_cs);
        let down = self.master_down_interval();
        self.arm(Timer::MasterDown, now + down);
        self.master = Some((advert.src, advert.priority));
        if !self.cfg.preempt_delay.is_zero() {
            if advert.priority >= self.priority {
                // keepalived: a master we would not preempt stops the delay.
                if self.preempt != Preempt::Idle {
                    self.stop_preempt_delay();
                    self.out.push(Action::Log(Note::PreemptDelayStopped));
                }
            } else if self.preempt == Preempt::Idle {
                // keepalived: the first lower-priority advert starts the delay.
                self.start_preempt_delay(now, true);
            }
        }
    }

    // ----- RFC 5798 §6.4.3 Master -----

    fn master_rx(&mut self, now: Time, advert: Advert) {
        let addr_cmp = advert.src.cmp(&self.cfg.primary_addr);
        let higher = |ours: u8| {
            advert.priority > ours || (advert.priority == ours && addr_cmp == Ordering::Greater)
        };
        // §6.4.3: "If the Priority in the ADVERTISEMENT is zero, then: Send an
        // ADVERTISEMENT; Reset the Adver_Timer to Advertisement_Interval".
        // keepalived `higher_prio_send_advert`: also answer a higher-priority advert
        // before stepping down, so that the other side hears us once more.
        if advert.priority == PRIORITY_STOP
            || (self.cfg.higher_prio_send_advert && higher(self.priority))
        {
            self.send_advert(now);
            if advert.priority == PRIORITY_STOP {
                self.out.push(Action::Log(Note::MasterReceivedPriorityZero));
                return;
            }
        }
        if advert.priority == self.priority {
            if addr_cmp == Ordering::Equal {
                // keepalived: our own address at our priority: warn, change nothing.
                self.out.push(Action::Log(Note::OwnAddressAdvert));
                return;
            }
            if self.priority == PRIORITY_OWNER {
                // keepalived: two address owners; reduce ours to 254 as a workaround.
                // Exactly 254, as keepalived sets it; tracker weights apply again from the
                // next change (they were ignored while this was the owner).
                self.out.push(Action::Log(Note::OwnerConflict));
                self.base_priority = PRIORITY_OWNER - 1;
                self.out.push(Action::Log(Note::PriorityChanged {
                    from: self.priority,
                    to: self.base_priority,
                }));
                self.priority = self.base_priority;
            }
        }
        if !higher(self.priority) {
            // Lower priority, or equal from a lower address. The RFC discards it;
            // keepalived answers at once with an advert ("forcing new election") unless
            // `lower_prio_no_advert`, sends `garp_lower_prio_repeat` GARPs, and runs
            // `notify_master_rx_lower_pri` (vrrp.c `vrrp_state_master_rx`).
            self.out
                .push(Action::Log(Note::MasterReceivedLowerPriority {
                    src: advert.src,
                    priority: advert.priority,
                }));
            if !self.cfg.lower_prio_no_advert {
                self.send_advert(now);
            }
            if self.cfg.garp_lower_prio_repeat > 0 {
                self.send_garp(self.cfg.garp_lower_prio_repeat);
                if !self.cfg.garp_lower_prio_delay.is_zero() {
                    self.arm(Timer::GarpLowerPrio, now + self.cfg.garp_lower_prio_delay);
                }
            }
            self.out.push(Action::NotifyMasterRxLowerPri);
            return;
        }
        // §6.4.3: "If the Priority in the ADVERTISEMENT is greater than the local
        // Priority, or ... equal ... and the primary IPvX Address of the sender is
        // greater than the local primary IPvX Address, then: Cancel Adver_Timer; Set
        // Master_Adver_Interval to Adver Interval contained in the ADVERTISEMENT;
        // Recompute the Skew_Time; Recompute the Master_Down_Interval; Set
        // Master_Down_Timer to Master_Down_Interval; Transition to the Backup state".
        self.learn_adver_int(advert.interval_cs);
        self.master = Some((advert.src, advert.priority));
        let down = self.master_down_interval();
        self.enter_backup(now, Cause::PreemptedBy(advert.src), down);
    }

    // ----- keepalived's FAULT -----

    fn update_fault(&mut self, now: Time) {
        let faulty = self.is_faulty();
        match self.state {
            State::Backup | State::Master if faulty => self.enter_fault(),
            State::Fault if !faulty => self.leave_fault(now),
            _ => {}
        }
    }

    fn enter_fault(&mut self) {
        let from = self.state;
        self.transition(State::Fault, Cause::Fault);
        if from == State::Master {
            // keepalived `vrrp_state_leave_master` to FAULT: a priority 0 advert so that
            // a backup takes over within Skew_Time, then the VIPs go.
            self.out.push(Action::SendAdvert {
                priority: PRIORITY_STOP,
            });
            self.cancel_master_timers();
            self.out.push(Action::RemoveVips);
        } else {
            self.cancel(Timer::MasterDown);
        }
        self.stop_preempt_delay();
        self.out.push(Action::Notify {
            state: NotifyState::Fault,
        });
    }

    fn leave_fault(&mut self, now: Time) {
        // keepalived `try_up_instance` / `vrrp_state_leave_fault`: back to BACKUP with a
        // fresh Master_Down_Interval from the local interval; the owner goes MASTER.
        self.master_adver_int = self.cfg.advert_int;
        self.master = None;
        if self.cfg.is_owner() {
            self.become_master(now, Cause::FaultCleared);
        } else {
            let down = self.master_down_interval();
            self.enter_backup(now, Cause::FaultCleared, down);
        }
    }

    // ----- priority -----

    fn update_priority(&mut self) {
        // keepalived `vrrp_set_effective_priority`: base + weights, kept within 1..=254;
        // weights do not apply to the address owner.
        let new = if self.base_priority == PRIORITY_OWNER {
            PRIORITY_OWNER
        } else {
            let total = i64::from(self.base_priority) + i64::from(self.track_weight);
            // The clamp makes the conversion lossless.
            u8::try_from(total.clamp(1, 254)).unwrap_or(254)
        };
        if new != self.priority {
            self.out.push(Action::Log(Note::PriorityChanged {
                from: self.priority,
                to: new,
            }));
            self.priority = new;
        }
    }

    // ----- common steps -----

    fn become_master(&mut self, now: Time, cause: Cause) {
        self.cancel(Timer::MasterDown);
        self.stop_preempt_delay();
        self.transition(State::Master, cause);
        // §6.4.1 / §6.4.2: "Send an ADVERTISEMENT ... Set the Adver_Timer to
        // Advertisement_Interval". keepalived sends the advert before the GARPs so the
        // old master drops the VIPs first, and goes back to its own interval.
        self.master_adver_int = self.cfg.advert_int;
        self.master = Some((self.cfg.primary_addr, self.priority));
        self.send_advert(now);
        self.out.push(Action::AddVips);
        // §6.4.2: "broadcast a gratuitous ARP request" / "send an Unsolicited Neighbor
        // Advertisement"; keepalived sends `garp_master_repeat` of each, again after
        // `garp_master_delay`, and every `garp_master_refresh`.
        self.send_garp(self.cfg.garp_master_repeat);
        if !self.cfg.garp_master_delay.is_zero() {
            self.arm(Timer::GarpMasterDelay, now + self.cfg.garp_master_delay);
        }
        if !self.cfg.garp_master_refresh.is_zero() {
            self.arm(Timer::GarpRefresh, now + self.cfg.garp_master_refresh);
        }
        self.out.push(Action::Notify {
            state: NotifyState::Master,
        });
    }

    fn enter_backup(&mut self, now: Time, cause: Cause, down: Span) {
        let from = self.state;
        self.transition(State::Backup, cause);
        if from == State::Master {
            self.cancel_master_timers();
            self.out.push(Action::RemoveVips);
            // keepalived `vrrp_state_leave_master`: the preempt delay starts afresh.
            self.stop_preempt_delay();
        }
        self.out.push(Action::Notify {
            state: NotifyState::Backup,
        });
        self.arm(Timer::MasterDown, now + down);
    }

    fn send_advert(&mut self, now: Time) {
        self.out.push(Action::SendAdvert {
            priority: self.priority,
        });
        self.arm(Timer::Adver, now + self.cfg.advert_int);
    }

    fn send_garp(&mut self, count: u32) {
        if count > 0 {
            self.out.push(Action::SendGarp { count });
        }
    }

    fn learn_adver_int(&mut self, interval_cs: u16) {
        if self.cfg.version != Version::V3 {
            return;
        }
        // A zero interval would make Master_Down_Interval zero and every backup take
        // over at once; the codec should drop it, and one centisecond is the floor.
        let learnt = Span::from_centis(u64::from(interval_cs.max(1)));
        if learnt != self.master_adver_int {
            self.master_adver_int = learnt;
            self.out.push(Action::Log(Note::AdverIntervalLearnt {
                centis: interval_cs.max(1),
            }));
        }
    }

    fn start_preempt_delay(&mut self, now: Time, log: bool) {
        self.preempt = Preempt::Running;
        self.arm(Timer::PreemptDelay, now + self.cfg.preempt_delay);
        if log {
            self.out.push(Action::Log(Note::PreemptDelayStarted));
        }
    }

    fn stop_preempt_delay(&mut self) {
        self.preempt = Preempt::Idle;
        self.cancel(Timer::PreemptDelay);
    }

    fn transition(&mut self, to: State, cause: Cause) {
        let from = self.state;
        self.state = to;
        self.out.push(Action::Transition { from, to, cause });
    }

    fn cancel_master_timers(&mut self) {
        for timer in Timer::ALL {
            if timer.is_master_only() {
                self.cancel(timer);
            }
        }
    }

    fn arm(&mut self, timer: Timer, at: Time) {
        self.timers[timer.index()] = Some(at);
        self.out.push(Action::ArmTimer { timer, at });
    }

    fn cancel(&mut self, timer: Timer) {
        if self.timers[timer.index()].take().is_some() {
            self.out.push(Action::CancelTimer { timer });
        }
    }
}
