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
    /// What the configuration says.
    pub spec: Spec,
    /// The configured interface (link state is tracked on it).
    pub ifindex: u32,
    /// Where VIPs and announcements go (and adverts, see [`Running::advert_ifindex`]):
    /// the VMAC with `use_vmac`, else the configured interface.
    pub io_ifname: String,
    /// Its index.
    pub io_ifindex: u32,
    /// The source address of its adverts (unspecified until the interface has one).
    pub primary: IpAddr,
    /// The state machine.
    pub fsm: fsm::Instance,
    /// keepalived's statistics, as reported in InstanceStatus.
    pub counters: InstanceCounters,
    /// Rejected adverts by reason (RFC 5798 §7.1).
    pub rejects: packet::Counters,
    /// The last AH sequence number accepted.
    pub ah_rx_seq: u32,
    /// The last AH sequence number sent.
    pub ah_tx_seq: u32,
    /// The last IPv4 identification sent.
    pub ip_id: u16,
    /// Sending keepalived's old unicast VRRPv3 checksum.
    pub old_checksum: bool,
    /// The tracking weight last given to the state machine.
    pub track_weight: i32,
    /// The tracking faults last given to the state machine.
    pub track_faults: BTreeSet<String>,
    /// The state and priority last reported to the supervisor.
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

    /// Where adverts are sent and received: the configured interface with
    /// `vmac_xmit_base` (keepalived 2.2.7 sends them from the base interface's own MAC
    /// and keeps only the VIPs and their GARPs on the VMAC), else `io_ifindex`.
    pub fn advert_ifindex(&self) -> u32 {
        match &self.spec.vmac {
            Some(v) if v.xmit_base => self.ifindex,
            _ => self.io_ifindex,
        }
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
