//! The VRRP packet codec: VRRPv2 (RFC 3768) over IPv4, VRRPv3 (RFC 5798
//! with RFC 9568) over IPv4 and IPv6, as keepalived 2.2 puts them on the
//! wire. Pure: no sockets, no clocks, no state.

pub mod advert;
pub mod checksum;
pub mod ipv4;
pub mod validate;

use serde::{Deserialize, Serialize};

pub use advert::{Advert, Advertisement, DecodeError, EncodeError};
pub use checksum::Scope;
pub use ipv4::{encode_ipv4, AhSend, Ipv4Fields, Ipv4Frame, V3Ipv4Checksum};
pub use validate::{Accepted, Counters, Datagram, Expect, ExpectAuth, Reason, Reject};

/// IP protocol number of VRRP (RFC 5798 §5.1.1.4).
pub const PROTO_VRRP: u8 = 112;

/// IP protocol number of IPsec AH (RFC 2402).
pub const PROTO_AH: u8 = 51;

/// Length of the fixed VRRP header.
pub const HEADER_LEN: usize = 8;

/// Length of the VRRPv2 authentication data (RFC 3768 §5.3.10).
pub const AUTH_DATA_LEN: usize = crate::auth::AUTH_DATA_LEN;

/// The only VRRP packet type (RFC 5798 §5.2.2).
pub const TYPE_ADVERTISEMENT: u8 = 1;

/// TTL / hop limit every VRRP packet is sent with (RFC 5798 §5.1.1.3).
pub const TTL: u8 = 255;

/// VRRPv2 authentication type: none (RFC 3768 §5.3.6).
pub const AUTH_NONE: u8 = 0;
/// VRRPv2 authentication type: simple text password (RFC 2338 §5.3.6).
pub const AUTH_PASS: u8 = 1;
/// VRRPv2 authentication type: IPsec AH (RFC 2338 §5.3.6).
pub const AUTH_AH: u8 = 2;

/// The VRRP protocol version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Version {
    /// VRRPv2, RFC 3768.
    V2,
    /// VRRPv3, RFC 5798 / RFC 9568.
    V3,
}

impl Version {
    /// The version nibble.
    pub fn number(self) -> u8 {
        match self {
            Self::V2 => 2,
            Self::V3 => 3,
        }
    }

    /// The version for a nibble, if supported.
    pub fn from_number(n: u8) -> Option<Self> {
        match n {
            2 => Some(Self::V2),
            3 => Some(Self::V3),
            _ => None,
        }
    }
}

/// The address family a packet travels in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Family {
    /// IPv4: 4-byte addresses.
    Ipv4,
    /// IPv6: 16-byte addresses.
    Ipv6,
}

impl Family {
    /// Length of one address.
    pub fn addr_len(self) -> usize {
        match self {
            Self::Ipv4 => 4,
            Self::Ipv6 => 16,
        }
    }
}
