//! `bfd_instance` blocks (keepalived.conf(5), BFD CONFIGURATION; keepalived/bfd/bfd_parser.c).

use super::common::Timer;
use serde::{Deserialize, Serialize};
use std::net::{IpAddr, Ipv4Addr};

/// One BFD session (RFC 5880).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BfdInstance {
    /// The instance name (at most 31 characters).
    pub name: String,
    /// `neighbor_ip` / `neighbour_ip` (required).
    pub neighbor_ip: IpAddr,
    /// `source_ip`: same family as the neighbor.
    pub source_ip: Option<IpAddr>,
    /// `min_rx`: required min RX interval, 1 ms to 4294967 ms (default 10 ms).
    pub min_rx: Timer,
    /// `min_tx`: desired min TX interval, 1 ms to 4294967 ms (default 10 ms).
    pub min_tx: Timer,
    /// `idle_tx`: desired idle TX interval, 1000 ms to 4294967 ms (default 1000 ms).
    pub idle_tx: Timer,
    /// `multiplier`: missed packets before the session is down (1-255, default 5).
    pub multiplier: u8,
    /// `passive`: do not start the session.
    pub passive: bool,
    /// `ttl` / `hoplimit` (1-255): default 255 for IPv4, 64 for IPv6.
    pub ttl: u8,
    /// `max_hops`: maximum ttl reduction accepted (0-255, default 0; `-1` and 255
    /// disable the check); at most `ttl`.
    pub max_hops: u8,
    /// `weight` (-253..253, default 0): used by VRRP instances tracking this session.
    pub weight: i32,
    /// `weight ... reverse`.
    pub reverse: bool,
    /// Send events to the VRRP process (`vrrp`; both when neither `vrrp` nor `checker`).
    pub to_vrrp: bool,
    /// Send events to the checker process (`checker`; both when neither is given).
    pub to_checker: bool,
}

/// Default `min_rx` and `min_tx`: 10 ms.
pub const DEFAULT_MIN_RX_TX: Timer = Timer::millis(10);
/// Default `idle_tx`: 1000 ms.
pub const DEFAULT_IDLE_TX: Timer = Timer::millis(1000);
/// Default `multiplier`.
pub const DEFAULT_MULTIPLIER: u8 = 5;

impl BfdInstance {
    /// The default ttl/hoplimit for the neighbor's family: 255 for IPv4, 64 for IPv6.
    pub fn default_ttl(neighbor: &IpAddr) -> u8 {
        if neighbor.is_ipv4() {
            255
        } else {
            64
        }
    }
}

impl Default for BfdInstance {
    fn default() -> Self {
        BfdInstance {
            name: String::new(),
            neighbor_ip: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            source_ip: None,
            min_rx: DEFAULT_MIN_RX_TX,
            min_tx: DEFAULT_MIN_RX_TX,
            idle_tx: DEFAULT_IDLE_TX,
            multiplier: DEFAULT_MULTIPLIER,
            passive: false,
            ttl: 255,
            max_hops: 0,
            weight: 0,
            reverse: false,
            to_vrrp: true,
            to_checker: true,
        }
    }
}
