//! Gratuitous ARP (RFC 5227 §3 announcements) and unsolicited neighbour advertisements
//! (RFC 4861 §7.2.6) for the virtual addresses of a new MASTER (RFC 5798 §6.4.2:
//! "broadcast a gratuitous ARP request" / "send an Unsolicited Neighbor
//! Advertisement"), through vigil-net's AF_PACKET announcer, one socket per interface.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr};

use vigil_net::announce::{gratuitous_arp, unsolicited_na, Announcer};
use vigil_net::Rtnl;

use crate::iface;

/// What an announcement needs of its interface, read once and kept until the link
/// monitor reports a change ([`Announcers::forget`]): a thousand instances becoming
/// MASTER at once would otherwise read the link and every address a thousand times.
#[derive(Debug, Clone)]
struct LinkFacts {
    name: String,
    mac: Option<[u8; 6]>,
    link_local: Option<Ipv6Addr>,
}

/// The announcers, opened on first use per interface.
#[derive(Default)]
pub struct Announcers {
    open: HashMap<u32, Announcer>,
    links: HashMap<u32, LinkFacts>,
    /// Without the link monitor nothing would ever invalidate cached facts: then
    /// they are read for every announcement.
    uncached: bool,
}

impl Announcers {
    /// Interface facts are read for every announcement (no link monitor to say when
    /// they change).
    pub fn without_cache(&mut self) {
        self.uncached = true;
        self.links.clear();
    }

    /// Opens the announcer of `ifindex` and reads its facts ahead of the first
    /// announcement, so that a failover does not pay for them (about a millisecond
    /// between a new MASTER's advert and its first GARP otherwise).
    pub fn prepare(&mut self, rtnl: &mut Rtnl, name: &str, ifindex: u32) {
        if self.open.contains_key(&ifindex) {
            return;
        }
        // Uncached, the facts would be read again at the announcement anyway.
        if !self.uncached && self.facts(rtnl, name, ifindex).is_none() {
            return;
        }
        match Announcer::open(ifindex) {
            Ok(a) => {
                self.open.insert(ifindex, a);
            }
            Err(e) => log::warn!("({name}) cannot open an announcer on interface {ifindex}: {e}"),
        }
    }

    /// Forgets what is known of interface `ifindex` (it changed or went away).
    pub fn forget(&mut self, ifindex: u32) {
        self.links.remove(&ifindex);
    }

    fn facts(&mut self, rtnl: &mut Rtnl, name: &str, ifindex: u32) -> Option<LinkFacts> {
        if let Some(f) = self.links.get(&ifindex) {
            return Some(f.clone());
        }
        let link = match rtnl.link_by_index(ifindex) {
            Ok(Some(l)) => l,
            Ok(None) => return None,
            Err(e) => {
                log::warn!("({name}) cannot read interface {ifindex}: {e}");
                return None;
            }
        };
        let facts = LinkFacts {
            link_local: iface::link_local_v6(&link.name),
            name: link.name,
            mac: link.mac,
        };
        if !self.uncached {
            self.links.insert(ifindex, facts.clone());
        }
        Some(facts)
    }

    /// Sends `count` GARPs / NAs for each of `addrs` on `ifindex`, from the interface's
    /// MAC address.
    pub fn announce(
        &mut self,
        rtnl: &mut Rtnl,
        name: &str,
        ifindex: u32,
        addrs: &[IpAddr],
        count: u32,
    ) {
        let Some(link) = self.facts(rtnl, name, ifindex) else {
            return;
        };
        let Some(mac) = link.mac else {
            return;
        };
        let ann = match self.open.entry(ifindex) {
            std::collections::hash_map::Entry::Occupied(o) => o.into_mut(),
            std::collections::hash_map::Entry::Vacant(v) => match Announcer::open(ifindex) {
                Ok(a) => v.insert(a),
                Err(e) => {
                    log::warn!("({name}) cannot open an announcer on {}: {e}", link.name);
                    return;
                }
            },
        };
        let link_local = link.link_local;
        for addr in addrs {
            let frame = match addr {
                IpAddr::V4(a) => {
                    log::info!(
                        "({name}) Sending/queueing gratuitous ARPs on {} for {a}",
                        link.name
                    );
                    gratuitous_arp(mac, *a)
                }
                IpAddr::V6(a) => {
                    log::info!(
                        "({name}) Sending/queueing Unsolicited Neighbour Adverts on {} for {a}",
                        link.name
                    );
                    // RFC 4861 §7.2.6: from the link-local address when there is one.
                    unsolicited_na(mac, link_local.unwrap_or(*a), *a, true)
                }
            };
            for _ in 0..count {
                if let Err(e) = ann.send(&frame) {
                    log::warn!("({name}) announcing {addr}: {e}");
                    break;
                }
            }
        }
    }
}
