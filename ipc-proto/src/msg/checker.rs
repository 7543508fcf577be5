//! Between the supervisor and vigil-checkerd.
//!
//! The checker has no capabilities: it asks the supervisor to change IPVS, to run
//! scripts, and for privileged sockets, always naming declared objects by index
//! (virtual server #vs, its real server #rs, that real server's checker #checker).

use super::config::{CheckerItem, ConfigMsg};
use super::{Direction, Index, Nonce, Role, ScriptOutcome};
use serde::{Deserialize, Serialize};

/// Supervisor → checkerd.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ToChecker {
    /// A piece of a configuration stream (see [`ConfigMsg`]).
    Config(ConfigMsg<CheckerItem>),
    /// The result of the MISC_CHECK the checker asked for with `RunMiscCheck`.
    MiscCheckResult {
        /// The checker that was run.
        target: CheckerRef,
        /// How it ended; with `misc_dynamic`, exit status 2..=255 means weight status-2.
        outcome: ScriptOutcome,
    },
    /// The socket asked for with `SocketRequest` #request; one file descriptor travels
    /// with this message (SCM_RIGHTS).
    Socket {
        /// The request's number.
        request: u32,
    },
    /// The socket asked for with `SocketRequest` #request could not be made.
    SocketRefused {
        /// The request's number.
        request: u32,
        /// Why, for the log.
        reason: String,
    },
    /// Liveness probe: answer `Pong` with the same nonce.
    Ping(Nonce),
    /// Report every real server (`RealServerStatus` each, then `StatusEnd`).
    StatusRequest {
        /// Echoed in `StatusEnd`.
        request: u32,
    },
    /// Stop checking and exit (the supervisor applies `lvs_flush_on_stop`).
    Shutdown,
}

impl Direction for ToChecker {
    const FROM: Role = Role::Supervisor;
    const TO: Role = Role::Checker;

    fn fd_count(&self) -> usize {
        match self {
            ToChecker::Socket { .. } => 1,
            _ => 0,
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            ToChecker::Config(ConfigMsg::Begin { .. }) => "ConfigBegin",
            ToChecker::Config(ConfigMsg::Item(_)) => "ConfigItem",
            ToChecker::Config(ConfigMsg::Fragment { .. }) => "ConfigFragment",
            ToChecker::Config(ConfigMsg::End { .. }) => "ConfigEnd",
            ToChecker::MiscCheckResult { .. } => "MiscCheckResult",
            ToChecker::Socket { .. } => "Socket",
            ToChecker::SocketRefused { .. } => "SocketRefused",
            ToChecker::Ping(_) => "Ping",
            ToChecker::StatusRequest { .. } => "StatusRequest",
            ToChecker::Shutdown => "Shutdown",
        }
    }
}

/// Real server #rs of virtual server #vs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RealServerRef {
    /// The virtual server's index.
    pub vs: Index,
    /// The real server's index within it.
    pub rs: Index,
}

/// Checker #checker of real server #rs of virtual server #vs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CheckerRef {
    /// The real server.
    pub server: RealServerRef,
    /// The checker's index within the real server.
    pub checker: Index,
}

/// A change of the IPVS table the checker wants (the supervisor does it over netlink).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum IpvsChange {
    /// Add the real server with this weight.
    Add {
        /// The weight (0..=i32::MAX, as IPVS).
        weight: u32,
    },
    /// Keep the real server with this weight (0: inhibited, `inhibit_on_failure`).
    SetWeight {
        /// The weight (0..=i32::MAX, as IPVS).
        weight: u32,
    },
    /// Remove the real server.
    Remove,
}

/// A socket the checker cannot open itself; the supervisor reads every parameter
/// (family, addresses, ports, interface) from the named checker's configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SocketKind {
    /// A raw ICMP / ICMPv6 socket for the PING_CHECK `target`.
    IcmpEcho {
        /// A PING_CHECK.
        target: CheckerRef,
    },
    /// A TCP or UDP socket bound to the privileged source (`bind_port` below 1024,
    /// `bind_if`) of `target`, not yet connected.
    BoundSource {
        /// A checker with such a source.
        target: CheckerRef,
    },
}

/// checkerd → supervisor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum FromChecker {
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
    /// Run the MISC_CHECK `target`; the result comes back as `MiscCheckResult`.
    RunMiscCheck {
        /// A MISC_CHECK.
        target: CheckerRef,
    },
    /// Run `notify_up` (up) or `notify_down` of a real server.
    NotifyRealServer {
        /// The real server.
        server: RealServerRef,
        /// Which script.
        up: bool,
    },
    /// Run `quorum_up` (up) or `quorum_down` of virtual server #vs.
    NotifyQuorum {
        /// The virtual server's index.
        vs: Index,
        /// Which script.
        up: bool,
    },
    /// Bring a real server's IPVS entry to this state.
    SetRealServer {
        /// The real server.
        server: RealServerRef,
        /// The change.
        change: IpvsChange,
    },
    /// Add (present) or remove the virtual service of virtual server #vs in IPVS
    /// (`ha_suspend`, startup, shutdown).
    SetVirtualServer {
        /// The virtual server's index.
        vs: Index,
        /// Present or not.
        present: bool,
    },
    /// Add (present) or remove the `sorry_server` of virtual server #vs (quorum lost).
    SetSorryServer {
        /// The virtual server's index.
        vs: Index,
        /// Present or not.
        present: bool,
    },
    /// Ask the broker for a socket; the answer is `Socket` or `SocketRefused`.
    SocketRequest {
        /// Chosen by the checker, echoed in the answer.
        request: u32,
        /// What socket.
        kind: SocketKind,
    },
    /// The health of one real server (on every change, and in answer to
    /// `StatusRequest`).
    RealServerStatus(RealServerStatus),
    /// All `RealServerStatus` answering `StatusRequest` #request were sent.
    StatusEnd {
        /// The request's number.
        request: u32,
    },
}

impl Direction for FromChecker {
    const FROM: Role = Role::Checker;
    const TO: Role = Role::Supervisor;

    fn kind(&self) -> &'static str {
        match self {
            FromChecker::ConfigApplied { .. } => "ConfigApplied",
            FromChecker::ConfigRejected { .. } => "ConfigRejected",
            FromChecker::Pong(_) => "Pong",
            FromChecker::RunMiscCheck { .. } => "RunMiscCheck",
            FromChecker::NotifyRealServer { .. } => "NotifyRealServer",
            FromChecker::NotifyQuorum { .. } => "NotifyQuorum",
            FromChecker::SetRealServer { .. } => "SetRealServer",
            FromChecker::SetVirtualServer { .. } => "SetVirtualServer",
            FromChecker::SetSorryServer { .. } => "SetSorryServer",
            FromChecker::SocketRequest { .. } => "SocketRequest",
            FromChecker::RealServerStatus(_) => "RealServerStatus",
            FromChecker::StatusEnd { .. } => "StatusEnd",
        }
    }
}

/// One real server's health as the checker sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RealServerStatus {
    /// The real server.
    pub server: RealServerRef,
    /// All its checkers pass.
    pub healthy: bool,
    /// The weight it has in IPVS (0 when inhibited or absent).
    pub weight: u32,
    /// How many of its checkers currently fail.
    pub failed_checkers: u32,
    /// Checks run since the configuration was applied.
    pub checks_run: u64,
    /// Checks failed since the configuration was applied.
    pub checks_failed: u64,
}
