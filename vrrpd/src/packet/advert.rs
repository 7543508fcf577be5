//! The VRRP message itself (RFC 3768 §5.1, RFC 5798 §5.1): a zero-copy view
//! for receiving and an owned form for sending.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use serde::{Deserialize, Serialize};

use super::checksum::{self, Scope};
use super::{Family, Version, AUTH_DATA_LEN, HEADER_LEN, TYPE_ADVERTISEMENT};

/// Why bytes are not a VRRP message of the expected shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecodeError {
    /// Fewer bytes than the fixed 8-byte header.
    TooShort {
        /// Bytes received.
        len: usize,
    },
    /// The version nibble is not 2 or 3, or 2 over IPv6.
    BadVersion {
        /// Version nibble received.
        version: u8,
    },
    /// The address count (and, for v2, the authentication data) needs more
    /// bytes than were received.
    Truncated {
        /// Bytes the header implies.
        need: usize,
        /// Bytes received.
        have: usize,
    },
    /// More bytes than the header implies (RFC 5798 §7.1 length check).
    TrailingBytes {
        /// Bytes the header implies.
        need: usize,
        /// Bytes received.
        have: usize,
    },
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooShort { len } => write!(f, "VRRP message too short: {len} bytes"),
            Self::BadVersion { version } => write!(f, "unsupported VRRP version {version}"),
            Self::Truncated { need, have } => {
                write!(
                    f,
                    "VRRP message truncated: {have} bytes, header implies {need}"
                )
            }
            Self::TrailingBytes { need, have } => {
                write!(
                    f,
                    "VRRP message too long: {have} bytes, header implies {need}"
                )
            }
        }
    }
}

impl std::error::Error for DecodeError {}

/// Why an [`Advertisement`] cannot be encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EncodeError {
    /// An address of the other family than the packet's.
    WrongFamily,
    /// More than 255 addresses.
    TooManyAddresses,
    /// v2 interval above 255 s or v3 interval above 4095 cs (12 bits).
    IntervalOutOfRange,
    /// VRRPv2 exists only for IPv4 here (RFC 3768).
    V2OverIpv6,
    /// VRRPv3 has no authentication (RFC 5798 §5.2.5 reserved the field).
    V3WithAuth,
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::WrongFamily => "address of the wrong family",
            Self::TooManyAddresses => "more than 255 addresses",
            Self::IntervalOutOfRange => "advertisement interval out of range",
            Self::V2OverIpv6 => "VRRPv2 over IPv6 is not supported",
            Self::V3WithAuth => "VRRPv3 carries no authentication",
        })
    }
}

impl std::error::Error for EncodeError {}

/// Length of a message of `version` with `count` addresses of `family`.
pub fn message_len(version: Version, family: Family, count: usize) -> usize {
    let auth = if version == Version::V2 {
        AUTH_DATA_LEN
    } else {
        0
    };
    HEADER_LEN + count * family.addr_len() + auth
}

/// A borrowed, length-checked VRRP message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Advert<'a> {
    msg: &'a [u8],
    family: Family,
    version: Version,
}

impl<'a> Advert<'a> {
    /// Checks the shape of `msg` (exactly one VRRP message of `family`).
    pub fn parse(msg: &'a [u8], family: Family) -> Result<Self, DecodeError> {
        if msg.len() < HEADER_LEN {
            return Err(DecodeError::TooShort { len: msg.len() });
        }
        let nibble = msg[0] >> 4;
        let version = match (Version::from_number(nibble), family) {
            (Some(Version::V2), Family::Ipv6) | (None, _) => {
                return Err(DecodeError::BadVersion { version: nibble })
            }
            (Some(v), _) => v,
        };
        let need = message_len(version, family, usize::from(msg[3]));
        if msg.len() < need {
            return Err(DecodeError::Truncated {
                need,
                have: msg.len(),
            });
        }
        if msg.len() > need {
            return Err(DecodeError::TrailingBytes {
                need,
                have: msg.len(),
            });
        }
        Ok(Self {
            msg,
            family,
            version,
        })
    }

    /// The whole message.
    pub fn bytes(&self) -> &'a [u8] {
        self.msg
    }

    /// The address family the message was parsed for.
    pub fn family(&self) -> Family {
        self.family
    }

    /// Protocol version (RFC 5798 §5.2.1).
    pub fn version(&self) -> Version {
        self.version
    }

    /// Packet type; 1 is an advertisement (RFC 5798 §5.2.2).
    pub fn kind(&self) -> u8 {
        self.msg[0] & 0x0f
    }

    /// Whether the type is ADVERTISEMENT.
    pub fn is_advertisement(&self) -> bool {
        self.kind() == TYPE_ADVERTISEMENT
    }

    /// Virtual router id (RFC 5798 §5.2.3).
    pub fn vrid(&self) -> u8 {
        self.msg[1]
    }

    /// Priority; 0 means the master is stopping (RFC 5798 §5.2.4).
    pub fn priority(&self) -> u8 {
        self.msg[2]
    }

    /// Count of addresses (RFC 5798 §5.2.5).
    pub fn count(&self) -> u8 {
        self.msg[3]
    }

    /// VRRPv2 authentication type (RFC 3768 §5.3.6); `None` for v3.
    pub fn auth_type(&self) -> Option<u8> {
        (self.version == Version::V2).then_some(self.msg[4])
    }

    /// The advertisement interval: v2 whole seconds (RFC 3768 §5.3.7),
    /// v3 centiseconds from the low 12 bits (RFC 5798 §5.2.7).
    pub fn interval(&self) -> u16 {
        match self.version {
            Version::V2 => u16::from(self.msg[5]),
            Version::V3 => u16::from_be_bytes([self.msg[4], self.msg[5]]) & 0x0fff,
        }
    }

    /// The v3 reserved bits above the interval (sent as zero, ignored).
    pub fn reserved(&self) -> u8 {
        match self.version {
            Version::V2 => 0,
            Version::V3 => self.msg[4] >> 4,
        }
    }

    /// The checksum field as received.
    pub fn checksum(&self) -> u16 {
        u16::from_be_bytes([self.msg[6], self.msg[7]])
    }

    /// The raw address list.
    pub fn address_bytes(&self) -> &'a [u8] {
        let end = HEADER_LEN + usize::from(self.count()) * self.family.addr_len();
        &self.msg[HEADER_LEN..end]
    }

    /// The addresses, in packet order.
    pub fn addresses(&self) -> impl ExactSizeIterator<Item = IpAddr> + 'a {
        let family = self.family;
        self.address_bytes()
            .chunks_exact(family.addr_len())
            .map(move |c| addr_from(family, c))
    }

    /// Whether `addr` is in the address list.
    pub fn contains(&self, addr: &IpAddr) -> bool {
        self.addresses().any(|a| a == *addr)
    }

    /// VRRPv2 authentication data (RFC 3768 §5.3.10); `None` for v3.
    pub fn auth_data(&self) -> Option<[u8; AUTH_DATA_LEN]> {
        if self.version != Version::V2 {
            return None;
        }
        let start = self.msg.len() - AUTH_DATA_LEN;
        let mut out = [0; AUTH_DATA_LEN];
        out.copy_from_slice(&self.msg[start..]);
        Some(out)
    }

    /// Whether the checksum is right for `scope`.
    pub fn checksum_ok(&self, scope: Scope) -> bool {
        checksum::verify(scope, self.msg)
    }

    /// An owned copy of the fields.
    pub fn to_advertisement(&self) -> Advertisement {
        Advertisement {
            version: self.version,
            vrid: self.vrid(),
            priority: self.priority(),
            interval: self.interval(),
            addresses: self.addresses().collect(),
            auth_type: self.auth_type().unwrap_or(0),
            auth_data: self.auth_data().unwrap_or([0; AUTH_DATA_LEN]),
        }
    }
}

fn addr_from(family: Family, c: &[u8]) -> IpAddr {
    match family {
        Family::Ipv4 => {
            let mut o = [0; 4];
            o.copy_from_slice(c);
            IpAddr::V4(Ipv4Addr::from(o))
        }
        Family::Ipv6 => {
            let mut o = [0; 16];
            o.copy_from_slice(c);
            IpAddr::V6(Ipv6Addr::from(o))
        }
    }
}

/// The fields of an advertisement to send (type is always ADVERTISEMENT).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Advertisement {
    /// Protocol version.
    pub version: Version,
    /// Virtual router id.
    pub vrid: u8,
    /// Priority (0 on shutdown, 255 for the address owner).
    pub priority: u8,
    /// v2: whole seconds (1–255); v3: centiseconds (0–4095).
    pub interval: u16,
    /// Virtual addresses, all of the packet's family.
    pub addresses: Vec<IpAddr>,
    /// VRRPv2 authentication type (0 none, 1 PASS, 2 AH); 0 for v3.
    pub auth_type: u8,
    /// VRRPv2 authentication data: the zero-padded password for PASS,
    /// zero otherwise (keepalived leaves it zero for AH); zero for v3.
    pub auth_data: [u8; AUTH_DATA_LEN],
}

impl Advertisement {
    /// Length of the encoded message for `family`.
    pub fn encoded_len(&self, family: Family) -> usize {
        message_len(self.version, family, self.addresses.len())
    }

    /// Appends the message with its checksum over `scope` to `out`.
    pub fn encode(
        &self,
        family: Family,
        scope: Scope,
        out: &mut Vec<u8>,
    ) -> Result<(), EncodeError> {
        let count =
            u8::try_from(self.addresses.len()).map_err(|_| EncodeError::TooManyAddresses)?;
        let (b4, b5) = match self.version {
            Version::V2 => {
                if family == Family::Ipv6 {
                    return Err(EncodeError::V2OverIpv6);
                }
                let secs =
                    u8::try_from(self.interval).map_err(|_| EncodeError::IntervalOutOfRange)?;
                (self.auth_type, secs)
            }
            Version::V3 => {
                if self.auth_type != 0 || self.auth_data != [0; AUTH_DATA_LEN] {
                    return Err(EncodeError::V3WithAuth);
                }
                if self.interval > 0x0fff {
                    return Err(EncodeError::IntervalOutOfRange);
                }
                let [hi, lo] = self.interval.to_be_bytes();
                (hi, lo)
            }
        };
        let start = out.len();
        out.reserve(self.encoded_len(family));
        out.extend_from_slice(&[
            (self.version.number() << 4) | TYPE_ADVERTISEMENT,
            self.vrid,
            self.priority,
            count,
            b4,
            b5,
            0,
            0,
        ]);
        for a in &self.addresses {
            match (family, a) {
                (Family::Ipv4, IpAddr::V4(a)) => out.extend_from_slice(&a.octets()),
                (Family::Ipv6, IpAddr::V6(a)) => out.extend_from_slice(&a.octets()),
                _ => {
                    out.truncate(start);
                    return Err(EncodeError::WrongFamily);
                }
            }
        }
        if self.version == Version::V2 {
            out.extend_from_slice(&self.auth_data);
        }
        let sum = checksum::compute(scope, &out[start..]);
        out[start + 6..start + 8].copy_from_slice(&sum.to_be_bytes());
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn v3(addrs: Vec<IpAddr>) -> Advertisement {
        Advertisement {
            version: Version::V3,
            vrid: 7,
            priority: 100,
            interval: 100,
            addresses: addrs,
            auth_type: 0,
            auth_data: [0; 8],
        }
    }

    #[test]
    fn rfc5798_5_2_7_interval_uses_low_12_bits() {
        let mut out = Vec::new();
        v3(vec![])
            .encode(Family::Ipv4, Scope::MessageOnly, &mut out)
            .unwrap();
        out[4] |= 0xf0; // reserved bits set by a peer
        let a = Advert::parse(&out, Family::Ipv4).unwrap();
        assert_eq!(a.interval(), 100);
        assert_eq!(a.reserved(), 0xf);
    }

    #[test]
    fn encode_refuses_wrong_family_and_leaves_out_untouched() {
        let mut out = vec![1, 2, 3];
        let adv = v3(vec!["2001:db8::1".parse().unwrap()]);
        assert_eq!(
            adv.encode(Family::Ipv4, Scope::MessageOnly, &mut out),
            Err(EncodeError::WrongFamily)
        );
        assert_eq!(out, [1, 2, 3]);
    }

    #[test]
    fn encode_refuses_out_of_range_fields() {
        let mut out = Vec::new();
        let mut adv = v3(vec![]);
        adv.interval = 0x1000;
        assert_eq!(
            adv.encode(Family::Ipv4, Scope::MessageOnly, &mut out),
            Err(EncodeError::IntervalOutOfRange)
        );
        adv.interval = 1;
        adv.auth_type = 1;
        assert_eq!(
            adv.encode(Family::Ipv4, Scope::MessageOnly, &mut out),
            Err(EncodeError::V3WithAuth)
        );
        adv.auth_type = 0;
        adv.version = Version::V2;
        assert_eq!(
            adv.encode(Family::Ipv6, Scope::MessageOnly, &mut out),
            Err(EncodeError::V2OverIpv6)
        );
        adv.interval = 256;
        assert_eq!(
            adv.encode(Family::Ipv4, Scope::MessageOnly, &mut out),
            Err(EncodeError::IntervalOutOfRange)
        );
        adv.interval = 1;
        adv.addresses = vec![IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1)); 256];
        assert_eq!(
            adv.encode(Family::Ipv4, Scope::MessageOnly, &mut out),
            Err(EncodeError::TooManyAddresses)
        );
        assert!(out.is_empty());
    }
}
