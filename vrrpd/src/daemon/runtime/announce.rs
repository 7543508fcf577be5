//! Announcing virtual addresses (GARP / unsolicited NA). Without `vrrp_garp_interval`,
//! `vrrp_gna_interval` or a `garp_group` for the interface, a request goes straight to
//! the kernel as a burst, as it always did. With one, it goes through the pacer
//! ([`crate::pace`]): what cannot go now waits for the `Due::Garp` timer.

use std::net::IpAddr;

use vigil_config::Config;

use super::{Deferred, Runtime};
use crate::daemon::timers::Due;
use crate::fsm::State;
use crate::pace::{Kind, Pacer, Plan};
use crate::time::Time;

/// The pacing plan, the queued frames and the deadline armed for them.
#[derive(Default)]
pub(super) struct Announcements {
    plan: Plan,
    pacer: Pacer,
    armed: Option<Time>,
}

impl Runtime {
    /// Takes the pacing of configuration `config` (what is queued stays queued).
    pub(super) fn set_pacing(&mut self, config: &Config) {
        self.garp.plan = Plan::from_config(&config.global, &config.vrrp.garp_groups);
    }

    /// Announces `addrs` of instance `id`, `count` times each, on its I/O interface.
    pub(super) fn announce(&mut self, id: u64, addrs: &[IpAddr], count: u32) {
        let Some(r) = self.instances.get(&id) else {
            return;
        };
        let (name, ifindex) = (r.name().to_string(), r.io_ifindex);
        // keepalived paces on the base interface (IF_BASE_IFP): a VMAC shares its
        // parent's delay.
        let lane = self.garp.plan.lane(&r.spec.interface, r.ifindex);
        if lane.1.is_zero() {
            self.kernel.announce(&name, ifindex, addrs, count);
            return;
        }
        let ranked: Vec<(usize, IpAddr)> = addrs
            .iter()
            .map(|a| {
                let pos = r.spec.all_addresses().position(|x| x.addr.addr == *a);
                (pos.unwrap_or(usize::MAX), *a)
            })
            .collect();
        let master = r.fsm.state() == State::Master;
        let now = self.clock.now();
        let offer = self
            .garp
            .pacer
            .offer(now, lane, id, ifindex, &ranked, count);
        if !offer.unpaced.is_empty() {
            self.kernel.announce(&name, ifindex, &offer.unpaced, count);
        }
        for a in &offer.now {
            self.kernel.announce(&name, ifindex, &[*a], 1);
        }
        if !offer.now.is_empty() {
            let at = self.clock.now();
            for a in &offer.now {
                self.garp.pacer.sent(lane.0, Kind::of(a), at);
            }
        }
        if !master {
            // Asked for before it left MASTER in the same turn: nothing may wait.
            self.garp.pacer.drop_owner(id);
        }
        self.arm_pacer();
    }

    /// The pacer's timer fired: its frames wait for this turn's adverts.
    pub(super) fn pacer_due(&mut self) {
        self.garp.armed = None;
        self.deferred.push_back(Deferred::Paced);
    }

    /// Sends the frames whose turn has come; each lane's next turn counts from when
    /// its frame has gone.
    pub(super) fn send_paced(&mut self) {
        let now = self.clock.now();
        for f in self.garp.pacer.due(now) {
            // keepalived vrrp_arp_thread: only for an instance that is MASTER, and only
            // for an address it still has (a reload may have removed it meanwhile).
            match self.instances.get(&f.owner) {
                Some(r)
                    if r.fsm.state() == State::Master
                        && !r.stopped
                        && r.spec.all_addresses().any(|a| a.addr.addr == f.addr) =>
                {
                    let name = r.name().to_string();
                    self.kernel.announce(&name, f.ifindex, &[f.addr], 1);
                    let at = self.clock.now();
                    self.garp.pacer.sent(f.lane, Kind::of(&f.addr), at);
                }
                _ => {}
            }
        }
        self.arm_pacer();
    }

    /// Drops what instance `id` has queued: it left MASTER, stopped or was removed.
    pub(super) fn drop_announcements(&mut self, id: u64) {
        let n = self.garp.pacer.drop_owner(id);
        if n > 0 {
            if let Some(r) = self.instances.get(&id) {
                log::debug!("({}) {n} queued GARP/NA dropped", r.name());
            }
            self.arm_pacer();
        }
    }

    fn arm_pacer(&mut self) {
        let next = self.garp.pacer.next_due();
        if next == self.garp.armed {
            return;
        }
        self.garp.armed = next;
        match next {
            Some(t) => self.timers.arm(Due::Garp, t),
            None => self.timers.cancel(Due::Garp),
        }
    }
}
