//! The typed configuration: what vigil understood from keepalived.conf.
//!
//! Serializable with serde: the supervisor sends it (or sections of it) to the children,
//! and `vigild --dump-config` prints it as JSON. Timers are in microseconds.

pub mod bfd;
pub mod check;
pub mod common;
pub mod global;
pub mod ipaddr;
pub mod lvs;
pub mod vrrp;

use serde::{Deserialize, Serialize};

/// A whole configuration.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Config {
    /// `global_defs` and the top-level global keywords.
    pub global: global::GlobalDefs,
    /// `static_ipaddress`, `static_routes`, `static_rules`, linkbeat and track groups.
    pub statics: global::Statics,
    /// The VRRP part: scripts, tracked files and processes, sync groups, instances.
    pub vrrp: vrrp::Vrrp,
    /// `bfd_instance` blocks.
    pub bfd_instances: Vec<bfd::BfdInstance>,
    /// The LVS part: virtual server groups and virtual servers.
    pub lvs: lvs::Lvs,
}
