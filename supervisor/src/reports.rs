//! What the children reported last, kept for `vigilctl status`: instance states from
//! vrrpd, real-server health and the desired IPVS state from checkerd.

use crate::status::{InstanceView, IpvsView, RealServerView};
use std::collections::BTreeMap;
use vigil_config::model::lvs::Service;
use vigil_config::Config;
use vigil_ipc::msg::checker::{IpvsChange, RealServerRef, RealServerStatus};
use vigil_ipc::msg::vrrp::{InstanceStatus, VrrpState};
use vigil_ipc::msg::Index;

/// The latest reports of both children.
#[derive(Debug, Default)]
pub struct Reports {
    /// Per instance, vrrpd's last `InstanceStatus`.
    pub instances: BTreeMap<Index, InstanceStatus>,
    /// Per real server, checkerd's last `RealServerStatus`.
    pub servers: BTreeMap<(Index, Index), RealServerStatus>,
    /// Virtual services the checker wants present or absent.
    pub virtual_servers: BTreeMap<Index, bool>,
    /// Real servers: the weight wanted, `None` for removed.
    pub real_servers: BTreeMap<(Index, Index), Option<u32>>,
    /// Sorry servers wanted in use or not.
    pub sorry_servers: BTreeMap<Index, bool>,
}

/// keepalived's name of a state.
pub fn state_name(s: VrrpState) -> &'static str {
    match s {
        VrrpState::Init => "INIT",
        VrrpState::Backup => "BACKUP",
        VrrpState::Master => "MASTER",
        VrrpState::Fault => "FAULT",
        VrrpState::Stop => "STOP",
    }
}

/// `192.0.2.1:80`, `fwmark 3`, `group NAME`: how a virtual server is named.
pub fn vs_name(c: &Config, vs: Index) -> String {
    let Some(v) = usize::try_from(vs)
        .ok()
        .and_then(|i| c.lvs.virtual_servers.get(i))
    else {
        return format!("virtual server #{vs}");
    };
    match &v.service {
        Service::Address { address, port } => match port {
            Some(p) if address.is_ipv6() => format!("[{address}]:{p}"),
            Some(p) => format!("{address}:{p}"),
            None => address.to_string(),
        },
        Service::Fwmark(m) => format!("fwmark {m}"),
        Service::Group(g) => format!("group {g}"),
    }
}

/// `192.0.2.1:80 -> 198.51.100.5:80`.
pub fn rs_name(c: &Config, r: RealServerRef) -> String {
    let rs = usize::try_from(r.vs)
        .ok()
        .and_then(|i| c.lvs.virtual_servers.get(i))
        .and_then(|v| {
            usize::try_from(r.rs)
                .ok()
                .and_then(|i| v.real_servers.get(i))
        });
    let target = match rs {
        Some(s) => match s.port {
            Some(p) if s.address.is_ipv6() => format!("[{}]:{p}", s.address),
            Some(p) => format!("{}:{p}", s.address),
            None => s.address.to_string(),
        },
        None => format!("real server #{}", r.rs),
    };
    format!("{} -> {target}", vs_name(c, r.vs))
}

/// The map key of a real server (its reference has no order).
pub fn key(r: RealServerRef) -> (Index, Index) {
    (r.vs, r.rs)
}

impl Reports {
    /// Records a desired real-server change (already validated).
    pub fn set_real_server(&mut self, r: RealServerRef, change: IpvsChange) {
        let w = match change {
            IpvsChange::Add { weight } | IpvsChange::SetWeight { weight } => Some(weight),
            IpvsChange::Remove => None,
        };
        self.real_servers.insert(key(r), w);
    }

    /// Forgets what vrrpd said (it died: its states are unknown now).
    pub fn forget_vrrp(&mut self) {
        self.instances.clear();
    }

    /// Forgets checkerd's health reports (the desired IPVS state stays, as the kernel
    /// table would).
    pub fn forget_checker(&mut self) {
        self.servers.clear();
    }

    /// Instance views, named from `c`.
    pub fn instance_views(&self, c: &Config) -> Vec<InstanceView> {
        self.instances
            .values()
            .map(|s| InstanceView {
                name: usize::try_from(s.instance)
                    .ok()
                    .and_then(|i| c.vrrp.instances.get(i))
                    .map_or_else(|| format!("#{}", s.instance), |i| i.name.clone()),
                state: state_name(s.state).to_string(),
                priority: s.priority,
                master: s.master.map(|m| m.to_string()),
                adverts_sent: s.counters.adverts_sent,
                adverts_received: s.counters.adverts_received,
                counters: s.counters,
            })
            .collect()
    }

    /// Real-server views.
    pub fn server_views(&self, c: &Config) -> Vec<RealServerView> {
        self.servers
            .values()
            .map(|s| RealServerView {
                name: rs_name(c, s.server),
                healthy: s.healthy,
                weight: s.weight,
                failed_checkers: s.failed_checkers,
            })
            .collect()
    }

    /// The desired IPVS state.
    pub fn ipvs_view(&self, c: &Config) -> IpvsView {
        IpvsView {
            virtual_servers: self
                .virtual_servers
                .iter()
                .map(|(vs, p)| (vs_name(c, *vs), *p))
                .collect(),
            real_servers: self
                .real_servers
                .iter()
                .map(|((vs, rs), w)| (rs_name(c, RealServerRef { vs: *vs, rs: *rs }), *w))
                .collect(),
            sorry_servers: self
                .sorry_servers
                .iter()
                .map(|(vs, p)| (vs_name(c, *vs), *p))
                .collect(),
            kernel_not_programmed: true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removed_real_servers_are_kept_as_removed() {
        let mut r = Reports::default();
        let rs = RealServerRef { vs: 0, rs: 1 };
        r.set_real_server(rs, IpvsChange::Add { weight: 3 });
        assert_eq!(r.real_servers[&key(rs)], Some(3));
        r.set_real_server(rs, IpvsChange::Remove);
        assert_eq!(r.real_servers[&key(rs)], None);
    }

    #[test]
    fn undeclared_objects_are_named_by_index() {
        let c = Config::default();
        assert_eq!(vs_name(&c, 4), "virtual server #4");
    }
}
