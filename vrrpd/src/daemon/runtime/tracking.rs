//! Tracking: `vrrp_script` results and interface up/down turned into the state
//! machine's TrackWeight / Fault / Interface events.

use std::collections::BTreeSet;

use vigil_ipc::msg::ScriptOutcome;

use super::{Runtime, WatchEvent};
use crate::daemon::track::{self, Contribution};
use crate::fsm::Event;
use crate::iface;
use crate::time::Time;

impl Runtime {
    pub(super) fn on_script_result(&mut self, script: u32, outcome: ScriptOutcome) {
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

    pub(super) fn apply_tracking(&mut self, id: u64, now: Time) {
        let Some(r) = self.instances.get(&id) else {
            return;
        };
        let mut weight = 0i32;
        let mut faults = BTreeSet::new();
        let mut add = |c: Contribution, what: String| match c {
            Contribution::None => {}
            Contribution::Weight(w) => weight = weight.saturating_add(w),
            Contribution::Fault => {
                faults.insert(what);
            }
        };
        for t in &r.spec.scripts {
            let ok = self
                .scripts
                .get(&t.script)
                .map(|s| s.state.ok())
                .unwrap_or(true);
            add(track::contribution(t, ok), format!("script {}", t.name));
        }
        for t in &r.spec.track_interfaces {
            let up = match self.link_by_name.get(&t.name) {
                Some(up) => *up,
                None => iface::is_up(&t.name),
            };
            add(
                track::weighted(t.weight, t.reverse, up),
                format!("interface {}", t.name),
            );
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

    pub(super) fn on_links(&mut self) {
        let events = match self.links.as_mut() {
            Some(l) => l.read(),
            None => return,
        };
        let now = self.clock.now();
        for ev in events {
            match ev {
                WatchEvent::Link { ifindex, name, up } => {
                    self.kernel.link_changed(ifindex);
                    self.on_link(now, ifindex, &name, up)
                }
                WatchEvent::Address { ifindex } => self.on_address(now, ifindex),
                WatchEvent::LinkLocal { ifindex } => self.kernel.link_changed(ifindex),
            }
        }
    }

    fn on_link(&mut self, now: Time, ifindex: u32, name: &str, up: bool) {
        let before_named = self.link_by_name.insert(name.to_string(), up);
        if before_named != Some(up) {
            // track_interface by name (keepalived.conf(5)).
            let ids: Vec<u64> = self
                .instances
                .iter()
                .filter(|(_, r)| r.spec.track_interfaces.iter().any(|t| t.name == name))
                .map(|(id, _)| *id)
                .collect();
            for id in ids {
                self.apply_tracking(id, now);
            }
        }
        let before = self.link_state.insert(ifindex, up);
        if before == Some(up) {
            return;
        }
        let ids: Vec<u64> = self
            .instances
            .iter()
            .filter(|(_, r)| r.ifindex == ifindex && !r.spec.dont_track_primary)
            .map(|(id, _)| *id)
            .collect();
        for id in ids {
            if let Some(r) = self.instances.get(&id) {
                let state = if up { "UP" } else { "DOWN" };
                log::info!("({}) Interface {} is {state}", r.name(), r.spec.interface);
            }
            let e = if up {
                Event::InterfaceUp
            } else {
                Event::InterfaceDown
            };
            self.feed(id, now, e);
        }
    }

    /// An instance that started without a source address gets one when the
    /// interface does (RFC 5798 §5.1.1.1: the primary address is the source).
    fn on_address(&mut self, now: Time, ifindex: u32) {
        let waiting: Vec<u64> = self
            .instances
            .iter()
            .filter(|(_, r)| {
                (r.ifindex == ifindex || r.io_ifindex == ifindex) && r.primary.is_unspecified()
            })
            .map(|(id, _)| *id)
            .collect();
        if waiting.is_empty() {
            return;
        }
        let snapshot = iface::Snapshot::take();
        for id in waiting {
            let Some(r) = self.instances.get_mut(&id) else {
                continue;
            };
            let Some(primary) = super::configure::primary_address(&r.spec, &r.io_ifname, &snapshot)
            else {
                continue;
            };
            log::info!("({}) source address {primary}", r.name());
            r.primary = primary;
            let mut cfg = r.spec.fsm.clone();
            cfg.primary_addr = primary;
            r.spec.fsm.primary_addr = primary;
            let actions = r.fsm.reconfigure(cfg);
            self.execute(id, now, actions);
            self.feed(id, now, Event::FaultCleared("source address".into()));
        }
    }
}
