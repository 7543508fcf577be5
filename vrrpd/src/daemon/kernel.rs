//! What the runtime asks of the kernel besides VRRP packets: adding and removing the
//! virtual addresses and announcing them (GARP / unsolicited NA). A trait, so that the
//! runtime is written against it, not against vigil-net (see `crate::vip::NetKernel`).

use std::net::IpAddr;

use vigil_config::model::ipaddr::{IpAddress, Route, Rule};

use super::build::VmacSpec;

/// The addresses of one starting instance, to be removed if a killed daemon left them.
#[derive(Debug, Clone)]
pub struct StaleAddrs {
    /// The instance's name (for log lines).
    pub name: String,
    /// Its default interface.
    pub ifname: String,
    /// Its addresses.
    pub addrs: Vec<IpAddress>,
}

/// Address and announcement operations. Failures are logged by the implementation:
/// an address that cannot be added must not stop the protocol.
pub trait Kernel {
    /// Adds `addrs` for instance `name` (default interface `ifname`).
    fn add_addresses(&mut self, name: &str, ifname: &str, addrs: &[IpAddress]);
    /// Removes `addrs` for instance `name` (absent addresses are fine).
    fn remove_addresses(&mut self, name: &str, ifname: &str, addrs: &[IpAddress]);
    /// Adds `virtual_routes` and `virtual_rules` of instance `name` (after its addresses).
    fn add_routes(&mut self, name: &str, routes: &[Route], rules: &[Rule]) {
        if !routes.is_empty() || !rules.is_empty() {
            log::info!(
                "({name}) would add {} routes and {} rules",
                routes.len(),
                rules.len()
            );
        }
    }
    /// Removes `virtual_routes` and `virtual_rules` of instance `name` (before its
    /// addresses; absent ones are fine).
    fn remove_routes(&mut self, name: &str, routes: &[Route], rules: &[Rule]) {
        if !routes.is_empty() || !rules.is_empty() {
            log::info!(
                "({name}) would remove {} routes and {} rules",
                routes.len(),
                rules.len()
            );
        }
    }
    /// Removes those addresses of `instances` that are present: addresses a killed
    /// daemon left behind, removed at start before the instances join their groups.
    fn remove_stale(&mut self, instances: &[StaleAddrs]) {
        for i in instances {
            self.remove_addresses(&i.name, &i.ifname, &i.addrs);
        }
    }
    /// Sends `count` gratuitous ARPs / unsolicited NAs for each of `addrs` on `ifindex`.
    fn announce(&mut self, name: &str, ifindex: u32, addrs: &[IpAddr], count: u32);
    /// Instance `name` will announce on `ifindex`: get ready (open sockets, read the
    /// interface) so that becoming MASTER does not wait for it.
    fn prepare_announce(&mut self, name: &str, ifindex: u32) {
        let _ = (name, ifindex);
    }
    /// Interface `ifindex` changed (link, MAC, name or link-local address): forget what
    /// was cached about it.
    fn link_changed(&mut self, ifindex: u32) {
        let _ = ifindex;
    }
    /// Creates (or takes over) the VMAC interface of instance `name` on `parent`, up,
    /// with keepalived's sysctls; returns its ifindex.
    fn create_vmac(
        &mut self,
        name: &str,
        vmac: &VmacSpec,
        parent: &str,
        v6: bool,
    ) -> Result<u32, String> {
        let _ = (vmac, parent, v6);
        Err(format!("({name}) use_vmac needs rtnetlink"))
    }
    /// Removes the VMAC interface `ifindex` of instance `name` from `parent`.
    fn delete_vmac(&mut self, name: &str, ifindex: u32, parent: &str) {
        let _ = (name, ifindex, parent);
    }
}
