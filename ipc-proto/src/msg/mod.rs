//! The messages: the handshake, the envelope every datagram carries, and one enum per
//! direction and child role (`vrrp`, `checker`).
//!
//! Each direction has its own enum so that a message the peer may not send does not even
//! decode (relayd's dispatchers accept only the types they expect from that peer).

pub mod checker;
pub mod config;
pub mod vrrp;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The protocol version both ends must agree on in their [`Hello`]s.
///
/// Raise it whenever any message's encoding changes: bincode is not self-describing, so
/// two builds with different message layouts must refuse each other at the handshake.
pub const PROTOCOL_VERSION: u32 = 1;

/// The process at one end of a channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Role {
    /// vigild, the root supervisor.
    Supervisor,
    /// vigil-vrrpd.
    Vrrp,
    /// vigil-checkerd.
    Checker,
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Role::Supervisor => "supervisor",
            Role::Vrrp => "vrrp",
            Role::Checker => "checker",
        })
    }
}

/// The first message each side sends: who it is and what protocol it speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hello {
    /// [`PROTOCOL_VERSION`] of the sender. First field, so that it can be read from any
    /// future layout of `Hello` (see `frame::peek_version`).
    pub version: u32,
    /// The sender's role.
    pub role: Role,
    /// The sender's process id, for log lines and for the supervisor to match the child
    /// it forked.
    pub pid: u32,
}

/// What every datagram holds: a [`Hello`] or a message of the channel's direction.
///
/// `Hello` must stay variant 0 so that a peer of another version can still be recognised
/// as such instead of failing to decode.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Wire<M> {
    /// The handshake.
    Hello(Hello),
    /// Everything after the handshake.
    Message(M),
}

/// A direction of one channel: who sends messages of this type to whom.
pub trait Direction: Serialize + DeserializeOwned + fmt::Debug {
    /// The sender's role.
    const FROM: Role;
    /// The receiver's role.
    const TO: Role;

    /// How many file descriptors travel with this message (SCM_RIGHTS); any other number
    /// received is a protocol violation.
    fn fd_count(&self) -> usize {
        0
    }

    /// The message's name for log lines (`ConfigBegin`, `RunNotify`, ...).
    fn kind(&self) -> &'static str;
}

/// An index into a list of declared objects (instances, scripts, virtual servers, ...),
/// in configuration order starting at 0.
pub type Index = u32;

/// How an external program run by the supervisor ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ScriptOutcome {
    /// Exited with this status (0 is success, keepalived.conf(5) SCRIPTS).
    Exited(i32),
    /// Killed by this signal.
    Signalled(i32),
    /// Ran past its timeout and was killed; keepalived counts it as a failure.
    TimedOut,
    /// Not started: the supervisor refused or could not run it (the reason is logged
    /// there); counts as a failure.
    NotRun,
}

impl ScriptOutcome {
    /// Success as keepalived sees it: exit status 0 (keepalived.conf(5), vrrp_script).
    pub fn succeeded(self) -> bool {
        matches!(self, ScriptOutcome::Exited(0))
    }
}

/// A liveness probe; the peer answers with the same nonce.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Nonce(pub u64);
