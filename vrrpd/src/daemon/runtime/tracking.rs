//! Tracking: `vrrp_script` results and interface up/down turned into the state
//! machine's TrackWeight / Fault / Interface events.

use std::collections::BTreeSet;

use vigil_ipc::msg::ScriptOutcome;

use super::Runtime;
use crate::daemon::track::{self, Contribution};
use crate::fsm::Event;
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

    pub(super) fn on_links(&mut self) {
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
}
