//! Between the supervisor and vigil-vrrpd.
//!
//! vrrpd holds CAP_NET_RAW itself, so it asks the broker for no sockets; what it asks
//! for is programs to run (notify scripts, `vrrp_script`), named by index only.

use super::config::{ConfigMsg, VrrpItem};
use super::{Direction, Index, Nonce, Role, ScriptOutcome};
use serde::{Deserialize, Serialize};
use std::net::IpAddr;

/// Supervisor → vrrpd.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ToVrrp {
    /// A piece of a configuration stream (see [`ConfigMsg`]).
    Config(ConfigMsg<VrrpItem>),
    /// The result of `vrrp_script` #script, which vrrpd asked for with `RunScript`;
    /// vrrpd applies rise/fall and the weight (keepalived.conf(5), vrrp_script).
    ScriptResult {
        /// The script's index among the `vrrp_script` blocks.
        script: Index,
        /// How it ended.
        outcome: ScriptOutcome,
    },
    /// Liveness probe: answer `Pong` with the same nonce.
    Ping(Nonce),
    /// Report the state of every instance (`InstanceStatus` each, then `StatusEnd`).
    StatusRequest {
        /// Echoed in `StatusEnd`.
        request: u32,
    },
    /// Stop: as a MASTER, send priority-0 adverts, remove addresses and routes, exit.
    Shutdown,
}

impl Direction for ToVrrp {
    const FROM: Role = Role::Supervisor;
    const TO: Role = Role::Vrrp;

    fn kind(&self) -> &'static str {
        match self {
            ToVrrp::Config(ConfigMsg::Begin { .. }) => "ConfigBegin",
            ToVrrp::Config(ConfigMsg::Item(_)) => "ConfigItem",
            ToVrrp::Config(ConfigMsg::Fragment { .. }) => "ConfigFragment",
            ToVrrp::Config(ConfigMsg::End { .. }) => "ConfigEnd",
            ToVrrp::ScriptResult { .. } => "ScriptResult",
            ToVrrp::Ping(_) => "Ping",
            ToVrrp::StatusRequest { .. } => "StatusRequest",
            ToVrrp::Shutdown => "Shutdown",
        }
    }
}

/// A VRRP instance's state (RFC 5798 §6.4 plus keepalived's FAULT and STOP).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum VrrpState {
    /// RFC 5798 §6.4.1 Initialize.
    Init,
    /// RFC 5798 §6.4.2 Backup.
    Backup,
    /// RFC 5798 §6.4.3 Master.
    Master,
    /// keepalived's FAULT: an interface or tracked object is down.
    Fault,
    /// keepalived's STOP: the instance is being shut down.
    Stop,
}

/// Which notify event vrrpd asks the supervisor to run the scripts for
/// (keepalived.conf(5), `notify_master`, `notify_backup`, `notify_fault`, `notify_stop`,
/// `notify`, `notify_deleted`, `notify_master_rx_lower_pri`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum NotifyEvent {
    /// Entering MASTER: `notify_master` and `notify`.
    Master,
    /// Entering BACKUP: `notify_backup` and `notify`.
    Backup,
    /// Entering FAULT: `notify_fault` and `notify`.
    Fault,
    /// Stopping: `notify_stop` and `notify`.
    Stop,
    /// The instance was removed by a reload: `notify_deleted` (instances only).
    Deleted,
    /// A MASTER received an advert of lower priority: `notify_master_rx_lower_pri`
    /// (instances only).
    MasterRxLowerPri,
}

/// vrrpd → supervisor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum FromVrrp {
    /// Configuration generation `generation` is in force.
    ConfigApplied {
        /// The generation from `ConfigBegin`/`ConfigEnd`.
        generation: u64,
    },
    /// Configuration generation `generation` cannot work here; the previous one stays.
    ConfigRejected {
        /// The generation from `ConfigBegin`/`ConfigEnd`.
        generation: u64,
        /// Why, for the log.
        reason: String,
    },
    /// Answer to `Ping`.
    Pong(Nonce),
    /// Run the notify scripts of `vrrp_instance` #instance for `event`.
    RunNotify {
        /// The instance's index.
        instance: Index,
        /// The event.
        event: NotifyEvent,
        /// The priority passed to `notify` as its fourth argument (keepalived).
        priority: u8,
    },
    /// Run the notify scripts of `vrrp_sync_group` #group for `event`
    /// (`Master`, `Backup`, `Fault` or `Stop`).
    RunGroupNotify {
        /// The sync group's index.
        group: Index,
        /// The event.
        event: NotifyEvent,
    },
    /// Run `vrrp_script` #script now; the result comes back as `ScriptResult`.
    RunScript {
        /// The script's index among the `vrrp_script` blocks.
        script: Index,
    },
    /// The current state of one instance (on every change, and in answer to
    /// `StatusRequest`).
    InstanceStatus(InstanceStatus),
    /// All `InstanceStatus` answering `StatusRequest` #request were sent.
    StatusEnd {
        /// The request's number.
        request: u32,
    },
}

impl Direction for FromVrrp {
    const FROM: Role = Role::Vrrp;
    const TO: Role = Role::Supervisor;

    fn kind(&self) -> &'static str {
        match self {
            FromVrrp::ConfigApplied { .. } => "ConfigApplied",
            FromVrrp::ConfigRejected { .. } => "ConfigRejected",
            FromVrrp::Pong(_) => "Pong",
            FromVrrp::RunNotify { .. } => "RunNotify",
            FromVrrp::RunGroupNotify { .. } => "RunGroupNotify",
            FromVrrp::RunScript { .. } => "RunScript",
            FromVrrp::InstanceStatus(_) => "InstanceStatus",
            FromVrrp::StatusEnd { .. } => "StatusEnd",
        }
    }
}

/// One instance's state, priority, master and counters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstanceStatus {
    /// The instance's index.
    pub instance: Index,
    /// Its state.
    pub state: VrrpState,
    /// Its effective priority (configured priority plus tracking weights).
    pub priority: u8,
    /// The current master's address, when known (itself when MASTER).
    pub master: Option<IpAddr>,
    /// Its counters.
    pub counters: InstanceCounters,
}

/// Per-instance counters, the ones keepalived prints in keepalived.stats (vrrp_print_stats).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct InstanceCounters {
    /// Advertisements received.
    pub adverts_received: u64,
    /// Advertisements sent.
    pub adverts_sent: u64,
    /// Transitions to MASTER.
    pub became_master: u64,
    /// Transitions out of MASTER.
    pub released_master: u64,
    /// Packets dropped: bad length.
    pub packet_length_errors: u64,
    /// Packets dropped: advert interval differs from ours.
    pub advert_interval_errors: u64,
    /// Packets dropped: IP TTL / hop limit not 255 (RFC 5798 §7.1).
    pub ttl_errors: u64,
    /// Packets dropped: type not ADVERTISEMENT.
    pub invalid_type_received: u64,
    /// Packets dropped: address list differs from ours.
    pub address_list_errors: u64,
    /// Packets dropped: unknown authentication type.
    pub invalid_auth_type: u64,
    /// Packets dropped: authentication type differs from ours.
    pub auth_type_mismatch: u64,
    /// Packets dropped: authentication failed.
    pub auth_failures: u64,
    /// Packets dropped: bad checksum.
    pub checksum_errors: u64,
    /// Packets dropped: VRRP version differs from ours.
    pub version_errors: u64,
    /// Adverts with priority 0 received.
    pub priority_zero_received: u64,
    /// Adverts with priority 0 sent.
    pub priority_zero_sent: u64,
}
