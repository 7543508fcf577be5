//! `use_vmac`: a macvlan interface carrying the virtual router MAC (RFC 5798 §7.3), on
//! which the instance sends and receives and puts its VIPs, with the sysctls keepalived
//! sets (vrrp_if_config.c); removed when the instance stops.

use std::collections::HashMap;

use vigil_config::model::ipaddr::{IpAddress, Lifetime, Prefix};
use vigil_net::vmac::{
    apply_parent, apply_vmac, disable_ipv6, link_local_of, restore_parent, SavedParent,
};
use vigil_net::{MacvlanMode, Rtnl};

use crate::daemon::build::VmacSpec;

/// The parents whose sysctls were changed, with the VMACs on each.
#[derive(Default)]
pub struct Vmacs {
    parents: HashMap<String, (SavedParent, usize)>,
}

impl Vmacs {
    /// Creates (or takes over) `vmac` on `parent` for instance `name`, sets it up, and
    /// returns its ifindex.
    pub fn create(
        &mut self,
        rtnl: &mut Rtnl,
        name: &str,
        vmac: &VmacSpec,
        parent: &str,
        v6: bool,
    ) -> Result<u32, String> {
        let fail = |e: vigil_net::NetError| format!("({name}) VMAC {}: {e}", vmac.name);
        let pidx = rtnl.ifindex(parent).map_err(fail)?;
        let idx = rtnl
            .add_macvlan(&vmac.name, pidx, vmac.mac, MacvlanMode::Private)
            .map_err(fail)?;
        if v6 {
            // keepalived gives an IPv6 VMAC the link-local address of its parent's MAC:
            // every router of the VRID shares the VMAC, so one derived from it would
            // collide (RFC 5798 §5.1.2.1 wants the sender's own link-local source).
            if let Some(mac) = rtnl.link_by_index(pidx).map_err(fail)?.and_then(|l| l.mac) {
                let ll = IpAddress {
                    addr: Prefix {
                        addr: link_local_of(mac).into(),
                        len: 64,
                    },
                    broadcast: None,
                    dev: None,
                    scope: 253,
                    label: None,
                    peer: None,
                    home: false,
                    nodad: true,
                    mngtmpaddr: false,
                    noprefixroute: false,
                    autojoin: false,
                    use_vmac: false,
                    no_track: false,
                    track_group: None,
                    preferred_lft: Lifetime::Forever,
                };
                rtnl.add_address(&vigil_net::vip::spec_on(&ll, idx))
                    .map_err(fail)?;
            }
        } else {
            if let Err(e) = apply_vmac(rtnl, idx) {
                log::warn!("({name}) VMAC {} settings: {e}", vmac.name);
            }
            // Without this the kernel gives the VMAC a link-local address derived from
            // the shared MAC, the same on every router of the VRID.
            if let Err(e) = disable_ipv6(&vmac.name) {
                log::warn!("({name}) VMAC {}: disabling IPv6: {e}", vmac.name);
            }
            match self.parents.get_mut(parent) {
                Some((_, n)) => *n += 1,
                None => match apply_parent(rtnl, pidx) {
                    Ok(saved) => {
                        self.parents.insert(parent.to_string(), (saved, 1));
                    }
                    Err(e) => log::warn!("({name}) sysctls of {parent}: {e}"),
                },
            }
        }
        rtnl.set_link_up(idx, true).map_err(fail)?;
        log::info!("({name}) Success creating VMAC interface {}", vmac.name);
        Ok(idx)
    }

    /// Removes VMAC `ifindex` of instance `name`; the last VMAC on `parent` restores
    /// the parent's sysctls.
    pub fn delete(&mut self, rtnl: &mut Rtnl, name: &str, ifindex: u32, parent: &str) {
        match rtnl.del_link(ifindex) {
            Ok(()) => log::info!("({name}) VMAC interface {ifindex} removed"),
            Err(e) => log::warn!("({name}) removing VMAC interface {ifindex}: {e}"),
        }
        let last = match self.parents.get_mut(parent) {
            Some((_, n)) => {
                *n = n.saturating_sub(1);
                *n == 0
            }
            None => false,
        };
        if last {
            if let Some((saved, _)) = self.parents.remove(parent) {
                if let Err(e) = restore_parent(rtnl, &saved) {
                    log::warn!("({name}) restoring sysctls of {parent}: {e}");
                }
            }
        }
    }
}
