//! The virtual addresses in the kernel, through vigil-net's rtnetlink (no `ip` shell-out,
//! DESIGN.md): `virtual_ipaddress` and `virtual_ipaddress_excluded` lines become
//! [`AddrSpec`]s with their `dev`, `brd`, `scope`, `label` and flags; IPv6 addresses get
//! IFA_F_NODAD so that they are usable at once (keepalived does the same).

use std::collections::HashMap;
use std::net::IpAddr;

use vigil_config::model::ipaddr::{IpAddress, Route, Rule};
use vigil_net::{AddrSpec, Monitor, NetError, NetEvent, Rtnl};

use crate::daemon::build::VmacSpec;
use crate::daemon::kernel::{Kernel, StaleAddrs};
use crate::daemon::runtime::{LinkWatch, WatchEvent};
use crate::garp::Announcers;
use crate::vmac::Vmacs;

/// The kernel spec of one configured address on interface `ifindex`: vigil-net's
/// mapping with keepalived's defaults (`brd +`/`-` computed, IPv6 with IFA_F_NODAD).
pub fn spec_for(ifindex: u32, a: &IpAddress) -> AddrSpec {
    vigil_net::vip::spec_on(a, ifindex)
}

/// Addresses through rtnetlink, announcements through AF_PACKET.
pub struct NetKernel {
    rtnl: Rtnl,
    announcers: Announcers,
    vmacs: Vmacs,
    ifindex_cache: HashMap<String, u32>,
}

impl NetKernel {
    /// Opens the rtnetlink socket.
    pub fn open() -> Result<NetKernel, NetError> {
        Ok(NetKernel {
            rtnl: Rtnl::open()?,
            announcers: Announcers::default(),
            vmacs: Vmacs::default(),
            ifindex_cache: HashMap::new(),
        })
    }

    /// No link monitor runs: interface facts must not be cached.
    pub fn without_link_events(&mut self) {
        self.announcers.without_cache();
    }

    fn spec(&mut self, a: &IpAddress, default_if: &str) -> Result<AddrSpec, NetError> {
        let dev = a.dev.as_deref().unwrap_or(default_if).to_string();
        let ifindex = match self.ifindex_cache.get(&dev) {
            Some(i) => *i,
            None => {
                let i = self.rtnl.ifindex(&dev)?;
                self.ifindex_cache.insert(dev, i);
                i
            }
        };
        Ok(spec_for(ifindex, a))
    }
}

impl Kernel for NetKernel {
    fn add_addresses(&mut self, name: &str, ifname: &str, addrs: &[IpAddress]) {
        for a in addrs {
            let res = self.spec(a, ifname).and_then(|s| self.rtnl.add_address(&s));
            match res {
                Ok(()) => log::debug!("({name}) added {}", a.addr),
                Err(e) => log::error!("({name}) cannot add {}: {e}", a.addr),
            }
        }
    }

    fn remove_addresses(&mut self, name: &str, ifname: &str, addrs: &[IpAddress]) {
        for a in addrs {
            let res = self.spec(a, ifname).and_then(|s| self.rtnl.del_address(&s));
            match res {
                Ok(()) => log::debug!("({name}) removed {}", a.addr),
                // The interface is gone: so is the address.
                Err(NetError::NoSuchInterface { .. }) => {}
                Err(e) => log::error!("({name}) cannot remove {}: {e}", a.addr),
            }
        }
    }

    fn add_routes(&mut self, name: &str, routes: &[Route], rules: &[Rule]) {
        for r in routes {
            let res = vigil_net::vip::route_spec(&mut self.rtnl, r)
                .and_then(|spec| self.rtnl.add_route(&spec));
            if let Err(e) = res {
                log::error!("({name}) cannot add route {}: {e}", r.dst);
            }
        }
        for r in rules {
            let res = vigil_net::vip::rule_spec(r).and_then(|spec| self.rtnl.add_rule(&spec));
            if let Err(e) = res {
                log::error!("({name}) cannot add rule: {e}");
            }
        }
    }

    fn remove_routes(&mut self, name: &str, routes: &[Route], rules: &[Rule]) {
        for r in rules {
            let res = vigil_net::vip::rule_spec(r).and_then(|spec| self.rtnl.del_rule(&spec));
            if let Err(e) = res {
                log::error!("({name}) cannot remove rule: {e}");
            }
        }
        for r in routes {
            let res = vigil_net::vip::route_spec(&mut self.rtnl, r)
                .and_then(|spec| self.rtnl.del_route(&spec));
            match res {
                Ok(()) | Err(NetError::NoSuchInterface { .. }) => {}
                Err(e) => log::error!("({name}) cannot remove route {}: {e}", r.dst),
            }
        }
    }

    fn remove_stale(&mut self, instances: &[StaleAddrs]) {
        let present = match self.rtnl.addresses(None) {
            Ok(p) => p,
            Err(e) => {
                log::warn!("cannot list addresses to remove stale ones: {e}");
                return;
            }
        };
        // Two starting instances may share a VIP: it goes once.
        let mut removed: Vec<AddrSpec> = Vec::new();
        for StaleAddrs {
            name,
            ifname,
            addrs,
        } in instances
        {
            for a in addrs {
                let Ok(spec) = self.spec(a, ifname) else {
                    continue;
                };
                if removed.iter().any(|r| r.same_address(&spec)) {
                    continue;
                }
                if present.iter().any(|p| p.same_address(&spec)) {
                    removed.push(spec.clone());
                    log::info!(
                        "({name}) removing stale address {} left on {}",
                        a.addr,
                        a.dev.as_deref().unwrap_or(ifname)
                    );
                    if let Err(e) = self.rtnl.del_address(&spec) {
                        log::error!("({name}) cannot remove {}: {e}", a.addr);
                    }
                }
            }
        }
    }

    fn announce(&mut self, name: &str, ifindex: u32, addrs: &[IpAddr], count: u32) {
        self.announcers
            .announce(&mut self.rtnl, name, ifindex, addrs, count);
    }

    fn prepare_announce(&mut self, name: &str, ifindex: u32) {
        self.announcers.prepare(&mut self.rtnl, name, ifindex);
    }

    fn link_changed(&mut self, ifindex: u32) {
        self.announcers.forget(ifindex);
    }

    fn create_vmac(
        &mut self,
        name: &str,
        vmac: &VmacSpec,
        parent: &str,
        v6: bool,
    ) -> Result<u32, String> {
        // The interface is new, or recreated: its index may have changed.
        self.ifindex_cache.remove(&vmac.name);
        self.vmacs.create(&mut self.rtnl, name, vmac, parent, v6)
    }

    fn delete_vmac(&mut self, name: &str, ifindex: u32, parent: &str) {
        self.ifindex_cache.retain(|_, i| *i != ifindex);
        self.vmacs.delete(&mut self.rtnl, name, ifindex, parent);
    }
}

fn is_link_local(a: &IpAddr) -> bool {
    matches!(a, IpAddr::V6(v6) if crate::iface::is_link_local(v6))
}

/// Link up/down and new addresses from vigil-net's rtnetlink monitor.
pub struct NetLinks {
    monitor: Monitor,
    rtnl: Rtnl,
    names: HashMap<u32, String>,
}

impl NetLinks {
    /// Opens the monitor (and an rtnetlink socket to re-read links after an overflow).
    pub fn open() -> Result<NetLinks, NetError> {
        Ok(NetLinks {
            monitor: Monitor::open()?,
            rtnl: Rtnl::open()?,
            names: HashMap::new(),
        })
    }

    fn link(&mut self, l: &vigil_net::Link) -> WatchEvent {
        self.names.insert(l.index, l.name.clone());
        WatchEvent::Link {
            ifindex: l.index,
            name: l.name.clone(),
            up: l.admin_up && l.oper_up,
        }
    }
}

impl LinkWatch for NetLinks {
    fn fd(&self) -> std::os::fd::RawFd {
        use std::os::fd::AsRawFd;
        self.monitor.as_raw_fd()
    }

    fn read(&mut self) -> Vec<WatchEvent> {
        match self.monitor.read() {
            Ok(events) => {
                let mut out = Vec::with_capacity(events.len());
                for e in events {
                    match e {
                        NetEvent::LinkChanged(l) => out.push(self.link(&l)),
                        NetEvent::LinkRemoved(i) => {
                            let name = self.names.remove(&i).unwrap_or_default();
                            out.push(WatchEvent::Link {
                                ifindex: i,
                                name,
                                up: false,
                            });
                        }
                        NetEvent::AddrAdded(a) => {
                            if is_link_local(&a.addr) {
                                out.push(WatchEvent::LinkLocal { ifindex: a.ifindex });
                            }
                            out.push(WatchEvent::Address { ifindex: a.ifindex })
                        }
                        NetEvent::AddrRemoved(a) => {
                            if is_link_local(&a.addr) {
                                out.push(WatchEvent::LinkLocal { ifindex: a.ifindex });
                            }
                        }
                    }
                }
                out
            }
            Err(NetError::EventsLost) => {
                // The kernel dropped notifications: read every link again.
                log::warn!("link monitor overflowed; re-reading links");
                match self.rtnl.links() {
                    Ok(links) => links.iter().map(|l| self.link(l)).collect(),
                    Err(e) => {
                        log::error!("re-reading links: {e}");
                        Vec::new()
                    }
                }
            }
            Err(e) => {
                log::warn!("link monitor: {e}");
                Vec::new()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;
    use vigil_config::model::ipaddr::{Broadcast, Lifetime, Prefix};

    fn ip(text: &str, len: u8) -> IpAddress {
        IpAddress {
            addr: Prefix {
                addr: text.parse().unwrap(),
                len,
            },
            broadcast: None,
            dev: None,
            scope: 0,
            label: None,
            peer: None,
            home: false,
            nodad: false,
            mngtmpaddr: false,
            noprefixroute: false,
            autojoin: false,
            use_vmac: false,
            no_track: false,
            track_group: None,
            preferred_lft: Lifetime::Forever,
        }
    }

    #[test]
    fn brd_plus_and_minus_and_label() {
        let mut a = ip("192.0.2.10", 24);
        a.broadcast = Some(Broadcast::SetHostBits);
        a.label = Some("eth0:vip".into());
        let s = spec_for(3, &a);
        assert_eq!(s.broadcast, Some(Ipv4Addr::new(192, 0, 2, 255)));
        assert_eq!(s.label.as_deref(), Some("eth0:vip"));
        a.broadcast = Some(Broadcast::ClearHostBits);
        assert_eq!(spec_for(3, &a).broadcast, Some(Ipv4Addr::new(192, 0, 2, 0)));
    }

    #[test]
    fn ipv6_vips_skip_dad() {
        let s = spec_for(3, &ip("2001:db8::10", 64));
        assert!(s.nodad);
    }
}
