//! Pacing of gratuitous ARPs and unsolicited neighbour advertisements: keepalived's
//! `vrrp_garp_interval` / `vrrp_gna_interval` (global_defs) and `garp_group`
//! (keepalived.conf(5), "VRRP gratuitous ARP and unsolicited neighbour advert delay").
//! Pure: the caller passes `now` and sends what it is told to.
//!
//! keepalived 2.2.7 (vrrp_arp.c `send_gratuitous_arp`, `queue_garp`,
//! `vrrp_arp_thread`; vrrp_ndisc.c the same for NAs), as observed on the wire in network
//! namespaces:
//!
//! - The delay is per physical interface and per kind (ARP and NA separately), shared
//!   by every instance on it; a `garp_group` with `interfaces { ... }` shares one delay
//!   across all of them. A `garp_group` replaces the global intervals for its
//!   interfaces entirely: a group that sets only `garp_interval` leaves NAs unpaced.
//! - An announcement goes at once when the interface sent none within the interval
//!   (the first of a burst does not wait); otherwise the address is marked pending.
//!   The mark is one flag per address of an instance, so a `garp_master_repeat` of 3
//!   with the delay on sends the first address twice (once now, once queued) and each
//!   other address once, not three times each.
//! - A timer sends, per interface whose interval has passed, the first pending address
//!   in configuration order (instances, then their addresses), one per interval. The
//!   timer sends nothing for an instance that is no longer MASTER (the caller drops
//!   its queue, [`Pacer::drop_owner`]).

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use vigil_config::model::global::GlobalDefs;
use vigil_config::model::vrrp::GarpGroup;

use crate::time::{Span, Time};

/// Gratuitous ARP (IPv4) or unsolicited neighbour advertisement (IPv6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// RFC 5227 §3 announcement.
    Arp,
    /// RFC 4861 §7.2.6 unsolicited NA.
    Na,
}

impl Kind {
    /// The kind that announces `addr`.
    pub fn of(addr: &IpAddr) -> Kind {
        match addr {
            IpAddr::V4(_) => Kind::Arp,
            IpAddr::V6(_) => Kind::Na,
        }
    }
}

/// The delays of one lane; zero: that kind is not paced.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Intervals {
    /// Between two gratuitous ARPs.
    pub arp: Span,
    /// Between two unsolicited NAs.
    pub na: Span,
}

impl Intervals {
    /// The delay for `kind`.
    pub fn of(&self, kind: Kind) -> Span {
        match kind {
            Kind::Arp => self.arp,
            Kind::Na => self.na,
        }
    }

    /// Neither kind is paced.
    pub fn is_zero(&self) -> bool {
        self.arp.is_zero() && self.na.is_zero()
    }
}

/// Where an interface's announcements wait their turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LaneId {
    /// `garp_group` #index (all its interfaces share it).
    Group(usize),
    /// An interface of no group (by ifindex), with the global intervals.
    Link(u32),
}

/// Which lane and delays each interface gets, from the configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    global: Intervals,
    groups: Vec<(Intervals, Vec<String>)>,
}

impl Plan {
    /// The plan of `global` intervals and `groups` (interfaces by name).
    pub fn new(global: Intervals, groups: Vec<(Intervals, Vec<String>)>) -> Plan {
        Plan { global, groups }
    }

    /// `vrrp_garp_interval`, `vrrp_gna_interval` and the `garp_group`s.
    pub fn from_config(global: &GlobalDefs, groups: &[GarpGroup]) -> Plan {
        let span = |t: Option<vigil_config::model::common::Timer>| {
            Span::from_micros(t.map(|t| t.micros()).unwrap_or(0))
        };
        Plan::new(
            Intervals {
                arp: span(Some(global.vrrp_garp_interval)),
                na: span(Some(global.vrrp_gna_interval)),
            },
            groups
                .iter()
                .map(|g| {
                    let mut names = g.interfaces.clone();
                    names.extend(g.interface.clone());
                    (
                        Intervals {
                            arp: span(g.garp_interval),
                            na: span(g.gna_interval),
                        },
                        names,
                    )
                })
                .collect(),
        )
    }

    /// The lane and delays of interface `ifname` (index `ifindex`): its `garp_group`'s
    /// (only those; keepalived does not fill a group's unset interval from global_defs),
    /// else its own lane with the global ones.
    pub fn lane(&self, ifname: &str, ifindex: u32) -> (LaneId, Intervals) {
        for (i, (iv, names)) in self.groups.iter().enumerate() {
            if names.iter().any(|n| n == ifname) {
                return (LaneId::Group(i), *iv);
            }
        }
        (LaneId::Link(ifindex), self.global)
    }
}

/// What [`Pacer::offer`] says to send now.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Offer {
    /// Addresses of an unpaced kind: `count` frames each, at once, as without pacing.
    pub unpaced: Vec<IpAddr>,
    /// Paced addresses whose lane was free: one frame each, now, in this order.
    pub now: Vec<IpAddr>,
}

/// One paced frame whose turn has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame {
    /// Its lane (for [`Pacer::sent`]).
    pub lane: LaneId,
    /// The instance that asked (its runtime id).
    pub owner: u64,
    /// The interface to send on.
    pub ifindex: u32,
    /// The address to announce.
    pub addr: IpAddr,
}

#[derive(Debug)]
struct Lane {
    interval: Span,
    /// When the next frame may go (`None`: never sent one).
    next: Option<Time>,
    /// (owner, position of the address in the owner's list) → (ifindex, address):
    /// configuration order, one entry per address (keepalived's `garp_gna_pending`).
    pending: BTreeMap<(u64, usize), (u32, IpAddr)>,
}

impl Lane {
    fn free(&self, now: Time) -> bool {
        match self.next {
            Some(n) => now >= n,
            None => true,
        }
    }

    fn holds(&self, owner: u64) -> bool {
        self.pending
            .range((owner, 0)..=(owner, usize::MAX))
            .next()
            .is_some()
    }
}

/// The lanes and what waits in them.
#[derive(Debug, Default)]
pub struct Pacer {
    lanes: BTreeMap<(LaneId, Kind), Lane>,
    /// The lanes each owner has something queued in.
    owners: BTreeMap<u64, BTreeSet<(LaneId, Kind)>>,
}

impl Pacer {
    /// No lanes.
    pub fn new() -> Pacer {
        Pacer::default()
    }

    /// Owner `owner` asks for `count` announcements of each of `addrs` on `ifindex`,
    /// whose lane and delays are `lane` ([`Plan::lane`]); each address comes with its
    /// position in the owner's address list, the order in which queued ones go
    /// (keepalived vrrp.c `vrrp_send_link_update`: `count` rounds over the addresses,
    /// each through `send_gratuitous_arp` / `ndisc_send_unsolicited_na`).
    pub fn offer(
        &mut self,
        now: Time,
        lane: (LaneId, Intervals),
        owner: u64,
        ifindex: u32,
        addrs: &[(usize, IpAddr)],
        count: u32,
    ) -> Offer {
        let (lane, iv) = lane;
        let mut out = Offer::default();
        for (_, addr) in addrs {
            let kind = Kind::of(addr);
            let interval = iv.of(kind);
            if let Some(l) = self.lanes.get_mut(&(lane, kind)) {
                // A reload may have changed the delay: what waits follows the new one.
                l.interval = interval;
            }
            if interval.is_zero() && count > 0 {
                out.unpaced.push(*addr);
            }
        }
        for _ in 0..count {
            for &(pos, ref addr) in addrs {
                let kind = Kind::of(addr);
                let interval = iv.of(kind);
                if interval.is_zero() {
                    continue;
                }
                let l = self.lanes.entry((lane, kind)).or_insert_with(|| Lane {
                    interval,
                    next: None,
                    pending: BTreeMap::new(),
                });
                if l.free(now) {
                    // vrrp_arp.c send_gratuitous_arp_immediate: the next may go one
                    // interval after this one.
                    l.next = Some(now + interval);
                    out.now.push(*addr);
                } else {
                    l.pending.insert((owner, pos), (ifindex, *addr));
                    self.owners.entry(owner).or_default().insert((lane, kind));
                }
            }
        }
        out
    }

    /// The frames whose turn has come at `now`: the first pending one of each lane
    /// whose interval has passed (keepalived vrrp_arp.c `vrrp_arp_thread`); a lane
    /// whose delay a reload set to zero sends all it holds.
    pub fn due(&mut self, now: Time) -> Vec<Frame> {
        let mut out = Vec::new();
        for (key, l) in self.lanes.iter_mut() {
            if l.pending.is_empty() || !l.free(now) {
                continue;
            }
            let take = if l.interval.is_zero() {
                l.pending.len()
            } else {
                1
            };
            for _ in 0..take {
                let Some(((owner, _), (ifindex, addr))) = l.pending.pop_first() else {
                    break;
                };
                out.push(Frame {
                    lane: key.0,
                    owner,
                    ifindex,
                    addr,
                });
                if !l.holds(owner) {
                    if let Some(keys) = self.owners.get_mut(&owner) {
                        keys.remove(key);
                        if keys.is_empty() {
                            self.owners.remove(&owner);
                        }
                    }
                }
            }
            l.next = Some(now + l.interval);
        }
        out
    }

    /// A frame of `lane` and `kind` that [`Pacer::offer`] or [`Pacer::due`] gave out
    /// left at `at`: the next one may go one interval after that. Stamping after the
    /// send keeps the wire gap at least the interval however late the send was.
    pub fn sent(&mut self, lane: LaneId, kind: Kind, at: Time) {
        if let Some(l) = self.lanes.get_mut(&(lane, kind)) {
            let next = at + l.interval;
            l.next = Some(l.next.map_or(next, |n| n.max(next)));
        }
    }

    /// When [`Pacer::due`] next has a frame to give (`None`: nothing waits).
    pub fn next_due(&self) -> Option<Time> {
        self.lanes
            .values()
            .filter(|l| !l.pending.is_empty())
            .map(|l| l.next.unwrap_or(Time::ZERO))
            .min()
    }

    /// Drops everything `owner` has queued (it left MASTER or was removed); returns how
    /// many frames that was.
    pub fn drop_owner(&mut self, owner: u64) -> usize {
        let Some(lanes) = self.owners.remove(&owner) else {
            return 0;
        };
        let mut dropped = 0;
        for key in lanes {
            if let Some(l) = self.lanes.get_mut(&key) {
                let mine: Vec<(u64, usize)> = l
                    .pending
                    .range((owner, 0)..=(owner, usize::MAX))
                    .map(|(k, _)| *k)
                    .collect();
                dropped += mine.len();
                for k in mine {
                    l.pending.remove(&k);
                }
            }
        }
        dropped
    }

    /// The number of frames waiting.
    pub fn queued(&self) -> usize {
        self.lanes.values().map(|l| l.pending.len()).sum()
    }
}

#[cfg(test)]
mod tests;
