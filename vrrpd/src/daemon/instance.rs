//! One running instance: its spec, its state machine, and what the shell keeps for it
//! (interfaces, source address, counters, AH sequence numbers, tracking).

use std::collections::BTreeSet;
use std::net::IpAddr;

use vigil_ipc::msg::vrrp::{InstanceCounters, InstanceStatus, VrrpState};

use super::build::Spec;
use super::ipc;
use crate::fsm::{self, State};
use crate::packet;

/// One running instance.
pub struct Running {
    pub spec: Spec,
    /// The configured interface (link state is tracked on it).
    pub ifindex: u32,
    /// Where adverts, VIPs and announcements go: the VMAC with `use_vmac`, else the
    /// configured interface.
    pub io_ifname: String,
    /// Its index.
    pub io_ifindex: u32,
    pub primary: IpAddr,
    pub fsm: fsm::Instance,
    pub counters: InstanceCounters,
    pub rejects: packet::Counters,
    pub ah_rx_seq: u32,
    pub ah_tx_seq: u32,
    pub ip_id: u16,
    pub old_checksum: bool,
    pub track_weight: i32,
    pub track_faults: BTreeSet<String>,
    pub reported: Option<(State, u8)>,
    /// Stopped by Shutdown or a reload: reported as keepalived's STOP.
    pub stopped: bool,
    /// In FAULT because another member of its sync group is.
    pub sync_fault: bool,
}

impl Running {
    /// The instance name.
    pub fn name(&self) -> &str {
        self.spec.name()
    }

    /// The status message of the instance.
    pub fn status(&self) -> InstanceStatus {
        InstanceStatus {
            instance: self.spec.index,
            state: if self.stopped {
                VrrpState::Stop
            } else {
                ipc::state(self.fsm.state())
            },
            priority: self.fsm.priority(),
            master: self.fsm.master().map(|(a, _)| a),
            counters: self.counters,
        }
    }
}
