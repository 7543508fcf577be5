//! `vrrp_sync_group` (keepalived.conf(5); keepalived vrrp_sync.c): the members of a
//! group change state together. A member becoming MASTER takes the BACKUP members to
//! MASTER; a member leaving MASTER for BACKUP takes the others to BACKUP; a member in
//! FAULT puts the others in FAULT until it recovers. The group's own notify scripts
//! run when all members agree on a state.

use vigil_ipc::msg::vrrp::{FromVrrp, NotifyEvent};

use super::{Deferred, Runtime};
use crate::daemon::instance::Running;
use crate::fsm::{Event, State};
use crate::time::Time;

impl Runtime {
    /// Works through the consequences of member transitions until nothing changes.
    pub(super) fn settle_groups(&mut self, now: Time) {
        if self.groups.is_empty() {
            self.pending_sync.clear();
            return;
        }
        // Bounded: each round either follows a transition or changes a fault flag.
        for _ in 0..64 {
            let mut work = false;
            while let Some((id, g, from, to)) = self.pending_sync.pop_front() {
                work = true;
                self.follow(id, g, from, to, now);
            }
            if self.sync_faults(now) {
                work = true;
            }
            if !work {
                break;
            }
        }
        self.group_notifies();
    }

    fn members(&self, g: u32) -> Vec<u64> {
        let Some(group) = self.groups.iter().find(|x| x.index == g) else {
            return Vec::new();
        };
        self.instances
            .iter()
            .filter(|(_, r)| group.members.contains(&r.spec.index) && !r.stopped)
            .map(|(id, _)| *id)
            .collect()
    }

    fn group_name(&self, g: u32) -> String {
        self.groups
            .iter()
            .find(|x| x.index == g)
            .map(|x| x.name.clone())
            .unwrap_or_default()
    }

    fn follow(&mut self, id: u64, g: u32, from: State, to: State, now: Time) {
        let event = match (from, to) {
            (_, State::Master) => Event::SyncMaster,
            (State::Master, State::Backup) => Event::SyncBackup,
            _ => return,
        };
        let others: Vec<u64> = self.members(g).into_iter().filter(|o| *o != id).collect();
        if others.is_empty() {
            return;
        }
        log::info!("({}) Syncing instances to {to} state", self.group_name(g));
        for o in others {
            self.feed_one(o, now, event.clone());
        }
    }

    /// A member's own fault: its interface, an unweighted tracker, no source address.
    fn own_fault(&self, r: &Running) -> bool {
        (!r.spec.dont_track_primary && self.link_state.get(&r.ifindex) == Some(&false))
            || !r.track_faults.is_empty()
            || r.primary.is_unspecified()
    }

    /// Puts members in FAULT while another member has a fault of its own, and takes
    /// them out when none has; returns true if anything changed.
    fn sync_faults(&mut self, now: Time) -> bool {
        let mut changes: Vec<(u64, bool, String)> = Vec::new();
        for g in &self.groups {
            let ids: Vec<u64> = self
                .instances
                .iter()
                .filter(|(_, r)| g.members.contains(&r.spec.index) && !r.stopped)
                .map(|(id, _)| *id)
                .collect();
            let faulty: Vec<u64> = ids
                .iter()
                .copied()
                .filter(|id| self.instances.get(id).is_some_and(|r| self.own_fault(r)))
                .collect();
            for id in &ids {
                let want = faulty.iter().any(|f| f != id);
                if self.instances.get(id).is_some_and(|r| r.sync_fault != want) {
                    changes.push((*id, want, g.name.clone()));
                }
            }
        }
        let changed = !changes.is_empty();
        for (id, want, name) in changes {
            if let Some(r) = self.instances.get_mut(&id) {
                r.sync_fault = want;
            }
            let fault = format!("sync group {name}");
            if want {
                log::info!("({name}) Syncing instances to FAULT state");
                self.feed_one(id, now, Event::FaultEntered(fault));
            } else {
                self.feed_one(id, now, Event::FaultCleared(fault));
            }
        }
        changed
    }

    /// Sends RunGroupNotify when all members of a group agree on a new state.
    fn group_notifies(&mut self) {
        let mut notes: Vec<(u32, NotifyEvent)> = Vec::new();
        for g in &self.groups {
            let states: Vec<(State, bool)> = self
                .instances
                .values()
                .filter(|r| g.members.contains(&r.spec.index))
                .map(|r| (r.fsm.state(), r.stopped))
                .collect();
            if states.is_empty() {
                continue;
            }
            let all = |s: State| states.iter().all(|(x, stopped)| *x == s && !stopped);
            let event = if states.iter().all(|(_, stopped)| *stopped) {
                Some(NotifyEvent::Stop)
            } else if states.iter().any(|(x, _)| *x == State::Fault) {
                Some(NotifyEvent::Fault)
            } else if all(State::Master) {
                Some(NotifyEvent::Master)
            } else if all(State::Backup) {
                Some(NotifyEvent::Backup)
            } else {
                None
            };
            if let Some(e) = event {
                if self.group_state.get(&g.index) != Some(&e) {
                    notes.push((g.index, e));
                }
            }
        }
        for (group, event) in notes {
            self.group_state.insert(group, event);
            self.defer(Deferred::Message(FromVrrp::RunGroupNotify { group, event }));
        }
    }
}
