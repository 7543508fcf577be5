//! What differs between the two children's channels: message types, how to build the
//! configuration stream, and the few supervisor messages the lifecycle sends.

use vigil_config::Config;
use vigil_ipc::msg::checker::{FromChecker, ToChecker};
use vigil_ipc::msg::vrrp::{FromVrrp, ToVrrp};
use vigil_ipc::msg::{Direction, Nonce};
use vigil_ipc::stream::{self, StreamError};
use vigil_privsep::Role;

/// One child role's protocol.
pub trait ChildProto {
    /// Supervisor → child.
    type Tx: Direction;
    /// Child → supervisor.
    type Rx: Direction;
    /// The privilege role (decides the expected capabilities).
    const ROLE: Role;
    /// The executable's file name.
    const BINARY: &'static str;
    /// How operators and log lines name it.
    const NAME: &'static str;

    /// The configuration stream of `generation`.
    fn stream(c: &Config, generation: u64) -> Result<Vec<Self::Tx>, StreamError>;
    /// A liveness probe.
    fn ping(n: Nonce) -> Self::Tx;
    /// The order to stop.
    fn shutdown() -> Self::Tx;
    /// A status request.
    fn status_request(request: u32) -> Self::Tx;
}

/// vigil-vrrpd.
#[derive(Debug)]
pub struct Vrrp;

/// vigil-checkerd.
#[derive(Debug)]
pub struct Checker;

impl ChildProto for Vrrp {
    type Tx = ToVrrp;
    type Rx = FromVrrp;
    const ROLE: Role = Role::Vrrpd;
    const BINARY: &'static str = "vigil-vrrpd";
    const NAME: &'static str = "vrrp";

    fn stream(c: &Config, generation: u64) -> Result<Vec<ToVrrp>, StreamError> {
        stream::vrrp_stream(c, generation)
            .map(|m| m.map(ToVrrp::Config))
            .collect()
    }
    fn ping(n: Nonce) -> ToVrrp {
        ToVrrp::Ping(n)
    }
    fn shutdown() -> ToVrrp {
        ToVrrp::Shutdown
    }
    fn status_request(request: u32) -> ToVrrp {
        ToVrrp::StatusRequest { request }
    }
}

impl ChildProto for Checker {
    type Tx = ToChecker;
    type Rx = FromChecker;
    const ROLE: Role = Role::Checkerd;
    const BINARY: &'static str = "vigil-checkerd";
    const NAME: &'static str = "checker";

    fn stream(c: &Config, generation: u64) -> Result<Vec<ToChecker>, StreamError> {
        stream::checker_stream(c, generation)
            .map(|m| m.map(ToChecker::Config))
            .collect()
    }
    fn ping(n: Nonce) -> ToChecker {
        ToChecker::Ping(n)
    }
    fn shutdown() -> ToChecker {
        ToChecker::Shutdown
    }
    fn status_request(request: u32) -> ToChecker {
        ToChecker::StatusRequest { request }
    }
}
