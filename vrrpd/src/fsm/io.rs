//! What goes into the state machine (events) and what comes out (actions).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::net::IpAddr;

use crate::time::Time;

/// The protocol states: RFC 5798 §6.4's three and keepalived's FAULT.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum State {
    /// Not started, or stopped (RFC 5798 §6.4.1).
    Init,
    /// Watching the master (RFC 5798 §6.4.2).
    Backup,
    /// Forwarding for the virtual router (RFC 5798 §6.4.3).
    Master,
    /// keepalived's FAULT: interface down or an unweighted tracker failed.
    Fault,
}

impl State {
    /// The name keepalived logs and passes to notify scripts.
    pub fn name(self) -> &'static str {
        match self {
            State::Init => "INIT",
            State::Backup => "BACKUP",
            State::Master => "MASTER",
            State::Fault => "FAULT",
        }
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The timers of one instance. The shell keeps at most one deadline per timer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Timer {
    /// Master_Down_Timer (BACKUP only).
    MasterDown,
    /// Adver_Timer (MASTER only).
    Adver,
    /// keepalived's preempt delay: until it fires, a lower-priority master is tolerated.
    PreemptDelay,
    /// The second GARP/NA burst `garp_master_delay` after becoming MASTER (MASTER only).
    GarpMasterDelay,
    /// The periodic `garp_master_refresh` (MASTER only).
    GarpRefresh,
    /// The second burst `garp_lower_prio_delay` after a lower-priority advert (MASTER only).
    GarpLowerPrio,
}

impl Timer {
    /// Every timer, in a fixed order (the order of simultaneous expiries).
    pub const ALL: [Timer; 6] = [
        Timer::MasterDown,
        Timer::Adver,
        Timer::PreemptDelay,
        Timer::GarpMasterDelay,
        Timer::GarpRefresh,
        Timer::GarpLowerPrio,
    ];

    /// Timers that only make sense while MASTER; all are cancelled on leaving MASTER
    /// (issue 4: a surviving 5 s ARP-refresh timer once pulled traffic to a backup).
    pub fn is_master_only(self) -> bool {
        matches!(
            self,
            Timer::Adver | Timer::GarpMasterDelay | Timer::GarpRefresh | Timer::GarpLowerPrio
        )
    }

    /// The index of this timer in [`Timer::ALL`].
    pub fn index(self) -> usize {
        match self {
            Timer::MasterDown => 0,
            Timer::Adver => 1,
            Timer::PreemptDelay => 2,
            Timer::GarpMasterDelay => 3,
            Timer::GarpRefresh => 4,
            Timer::GarpLowerPrio => 5,
        }
    }
}

/// An advertisement that the codec has already accepted for this instance
/// (version, VRID, TTL, checksum, addresses and authentication are checked there).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Advert {
    /// The sender's primary address (the IP source address).
    pub src: IpAddr,
    /// The advertised priority (0: the master is stopping).
    pub priority: u8,
    /// The advertised interval in centiseconds (v2: seconds × 100).
    pub interval_cs: u16,
}

/// An input to the state machine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    /// RFC 5798 §6.4.1 Startup event.
    Startup,
    /// RFC 5798 Shutdown event (daemon stopping or instance removed).
    Shutdown,
    /// An accepted advertisement.
    Advert(Advert),
    /// A timer armed by an earlier [`Action::ArmTimer`] reached its deadline.
    TimerFired(Timer),
    /// The total weight of the weighted trackers (scripts, interfaces, files, processes,
    /// BFD) changed; the effective priority is base + weight, kept in 1..=254.
    TrackWeight(i32),
    /// The instance's interface went down.
    InterfaceDown,
    /// The instance's interface came up.
    InterfaceUp,
    /// An unweighted tracker failed (named so that several can be active at once).
    FaultEntered(String),
    /// An unweighted tracker recovered.
    FaultCleared(String),
    /// keepalived's `vrrp_sync_group`: another member became MASTER; a BACKUP member
    /// follows at once (vrrp_sync.c `vrrp_sync_master`).
    SyncMaster,
    /// keepalived's `vrrp_sync_group`: another member left MASTER for BACKUP; a MASTER
    /// member follows (vrrp_sync.c `vrrp_sync_backup`).
    SyncBackup,
}

/// Why a state transition happened; every transition names one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cause {
    /// Startup, not the address owner (RFC 5798 §6.4.1).
    Startup,
    /// Startup as the address owner (RFC 5798 §6.4.1).
    StartupOwner,
    /// Master_Down_Timer fired (RFC 5798 §6.4.2).
    MasterDown,
    /// A higher-priority advert, or an equal one from a higher address (RFC 5798 §6.4.3).
    PreemptedBy(IpAddr),
    /// Shutdown event.
    Shutdown,
    /// Interface down or tracker failure.
    Fault,
    /// All faults cleared.
    FaultCleared,
    /// Another member of the instance's `vrrp_sync_group` changed state.
    SyncGroup,
}

/// Things worth a log line that are not transitions (one place for what the daemon says).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Note {
    /// A BACKUP received priority 0: the master is stopping.
    BackupReceivedPriorityZero,
    /// A MASTER received priority 0 from another router.
    MasterReceivedPriorityZero,
    /// A BACKUP discarded a lower-priority advert (it will preempt).
    LowerPriorityDiscarded {
        /// Sender.
        src: IpAddr,
        /// Its priority.
        priority: u8,
    },
    /// A MASTER heard a lower-priority master.
    MasterReceivedLowerPriority {
        /// Sender.
        src: IpAddr,
        /// Its priority.
        priority: u8,
    },
    /// An equal-priority advert carried our own address.
    OwnAddressAdvert,
    /// Two address owners on one link: keepalived drops its own priority to 254.
    OwnerConflict,
    /// The effective priority changed.
    PriorityChanged {
        /// Before.
        from: u8,
        /// After.
        to: u8,
    },
    /// v3: Master_Adver_Interval learnt from an advert.
    AdverIntervalLearnt {
        /// The new interval in centiseconds.
        centis: u16,
    },
    /// keepalived's preempt delay started.
    PreemptDelayStarted,
    /// keepalived's preempt delay stopped (a higher or equal master was heard).
    PreemptDelayStopped,
}

/// An output of the state machine, carried out by the I/O shell in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Send an advertisement with this priority (0 when stopping).
    SendAdvert {
        /// The priority field.
        priority: u8,
    },
    /// (Re)arm a timer: it fires at `at` unless cancelled or re-armed first.
    ArmTimer {
        /// Which timer.
        timer: Timer,
        /// Its deadline.
        at: Time,
    },
    /// Cancel a timer (no effect if it is not armed).
    CancelTimer {
        /// Which timer.
        timer: Timer,
    },
    /// Add the virtual addresses (and routes and rules) to the kernel.
    AddVips,
    /// Remove the virtual addresses (and routes and rules) from the kernel.
    RemoveVips,
    /// Send gratuitous ARPs (IPv4) / unsolicited neighbour advertisements (IPv6) for
    /// every virtual address, `count` times each.
    SendGarp {
        /// Messages per address.
        count: u32,
    },
    /// The state changed (logged as `(VI_1) Entering MASTER STATE`).
    Transition {
        /// The old state.
        from: State,
        /// The new state.
        to: State,
        /// Why.
        cause: Cause,
    },
    /// Run the notify scripts for this state (`notify_master` ..., `notify`).
    Notify {
        /// `MASTER`, `BACKUP`, `FAULT`, or `STOP` (the latter as [`NotifyState::Stop`]).
        state: NotifyState,
    },
    /// Run `notify_master_rx_lower_pri`.
    NotifyMasterRxLowerPri,
    /// A log line that is not a transition.
    Log(Note),
}

/// The states notify scripts are told about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum NotifyState {
    /// `notify_master`.
    Master,
    /// `notify_backup`.
    Backup,
    /// `notify_fault`.
    Fault,
    /// `notify_stop`.
    Stop,
}

impl Action {
    /// The log line keepalived would write for this action, if any.
    pub fn log_line(&self, instance: &str) -> Option<String> {
        match self {
            Action::Transition { to, .. } => match to {
                State::Init => Some(format!("({instance}) Entering INIT STATE")),
                s => Some(format!("({instance}) Entering {s} STATE")),
            },
            Action::Log(note) => Some(match note {
                Note::BackupReceivedPriorityZero => {
                    format!("({instance}) Backup received priority 0 advertisement")
                }
                Note::MasterReceivedPriorityZero => {
                    format!("({instance}) Master received priority 0 message")
                }
                Note::LowerPriorityDiscarded { src, priority } => format!(
                    "({instance}) received lower priority ({priority}) advert from {src} - discarding"
                ),
                Note::MasterReceivedLowerPriority { src, priority } => format!(
                    "({instance}) Received advert from {src} with lower priority {priority}"
                ),
                Note::OwnAddressAdvert => format!(
                    "({instance}) WARNING - equal priority advert received from remote host with our IP address."
                ),
                Note::OwnerConflict => format!(
                    "({instance}) CONFIGURATION ERROR: local instance and a remote instance are both configured as address owner, please fix - reducing local priority"
                ),
                Note::PriorityChanged { from, to } => {
                    format!("({instance}) Changing effective priority from {from} to {to}")
                }
                Note::AdverIntervalLearnt { centis } => format!(
                    "({instance}) advertisement interval updated to {}ms by master",
                    u32::from(*centis) * 10
                ),
                Note::PreemptDelayStarted => format!("({instance}) start preempt delay"),
                Note::PreemptDelayStopped => format!("({instance}) stop preempt delay"),
            }),
            _ => None,
        }
    }
}
