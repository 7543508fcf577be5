//! IPv4 framing: the IPv4 header and IPsec AH header that an AF_INET raw
//! socket delivers in front of a VRRP message, and building whole datagrams
//! for an IP_HDRINCL socket the way keepalived does.

use std::fmt;
use std::net::Ipv4Addr;

use crate::auth::{self, AhKey, AH_LEN, ICV_LEN};

use super::advert::{Advertisement, EncodeError};
use super::checksum::{self, Scope};
use super::{Family, Version, PROTO_AH, PROTO_VRRP};

/// Length of an IPv4 header without options.
pub const IPV4_HEADER_LEN: usize = 20;

/// keepalived's TOS: internetwork control (0xc0).
pub const TOS_INTERNETWORK_CONTROL: u8 = 0xc0;

/// Why bytes are not an IPv4 datagram carrying VRRP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameError {
    /// Shorter than the IPv4 header or the AH header it announces.
    TooShort {
        /// Bytes received.
        len: usize,
    },
    /// Not version 4, a header length below 20, or a protocol other than
    /// VRRP (112) or AH (51).
    BadIpHeader,
    /// The IPv4 total length disagrees with the bytes received.
    LengthMismatch {
        /// Total length in the header.
        total_len: u16,
        /// Bytes received.
        have: usize,
    },
    /// An AH header whose payload length is not HMAC-96's 4 or whose next
    /// header is not VRRP (keepalived drops those).
    BadAh,
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooShort { len } => write!(f, "IPv4 datagram too short: {len} bytes"),
            Self::BadIpHeader => f.write_str("not an IPv4 header carrying VRRP or AH"),
            Self::LengthMismatch { total_len, have } => {
                write!(f, "IPv4 total length {total_len} but {have} bytes received")
            }
            Self::BadAh => f.write_str("AH header not HMAC-96 over VRRP"),
        }
    }
}

impl std::error::Error for FrameError {}

/// A borrowed IPv4 header (options included).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ipv4Header<'a> {
    bytes: &'a [u8],
}

impl<'a> Ipv4Header<'a> {
    /// The header bytes, options included.
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }
    /// Type of service / DSCP+ECN.
    pub fn tos(&self) -> u8 {
        self.bytes[1]
    }
    /// Total length field.
    pub fn total_len(&self) -> u16 {
        u16::from_be_bytes([self.bytes[2], self.bytes[3]])
    }
    /// Identification field.
    pub fn id(&self) -> u16 {
        u16::from_be_bytes([self.bytes[4], self.bytes[5]])
    }
    /// Flags and fragment offset.
    pub fn frag_off(&self) -> u16 {
        u16::from_be_bytes([self.bytes[6], self.bytes[7]])
    }
    /// Time to live.
    pub fn ttl(&self) -> u8 {
        self.bytes[8]
    }
    /// Protocol: 112 (VRRP) or 51 (AH).
    pub fn protocol(&self) -> u8 {
        self.bytes[9]
    }
    /// Header checksum field.
    pub fn checksum(&self) -> u16 {
        u16::from_be_bytes([self.bytes[10], self.bytes[11]])
    }
    /// Source address.
    pub fn src(&self) -> Ipv4Addr {
        Ipv4Addr::new(
            self.bytes[12],
            self.bytes[13],
            self.bytes[14],
            self.bytes[15],
        )
    }
    /// Destination address.
    pub fn dst(&self) -> Ipv4Addr {
        Ipv4Addr::new(
            self.bytes[16],
            self.bytes[17],
            self.bytes[18],
            self.bytes[19],
        )
    }
}

/// A borrowed IPsec AH header as keepalived sends it (RFC 2402 §2, 24 bytes:
/// next header, payload length 4, reserved, SPI, sequence number, 96-bit ICV).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AhHeader<'a> {
    bytes: &'a [u8],
}

impl<'a> AhHeader<'a> {
    /// The 24 header bytes.
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }
    /// Next header (112).
    pub fn next_header(&self) -> u8 {
        self.bytes[0]
    }
    /// Payload length in 32-bit words minus 2 (4).
    pub fn payload_len(&self) -> u8 {
        self.bytes[1]
    }
    /// Security parameter index: keepalived puts the sender's IPv4 source
    /// address here.
    pub fn spi(&self) -> u32 {
        u32::from_be_bytes([self.bytes[4], self.bytes[5], self.bytes[6], self.bytes[7]])
    }
    /// Sequence number (anti-replay, RFC 2402 §2.5).
    pub fn seq(&self) -> u32 {
        u32::from_be_bytes([self.bytes[8], self.bytes[9], self.bytes[10], self.bytes[11]])
    }
    /// The HMAC-MD5-96 integrity check value.
    pub fn icv(&self) -> &'a [u8] {
        &self.bytes[12..AH_LEN]
    }
}

/// An IPv4 datagram split into its headers and the VRRP message (not yet
/// checked as VRRP).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ipv4Frame<'a> {
    /// The IPv4 header.
    pub ip: Ipv4Header<'a>,
    /// The AH header, when the protocol is 51.
    pub ah: Option<AhHeader<'a>>,
    /// The bytes after the headers.
    pub payload: &'a [u8],
}

impl<'a> Ipv4Frame<'a> {
    /// Splits a datagram as read from an AF_INET raw socket.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, FrameError> {
        if bytes.len() < IPV4_HEADER_LEN {
            return Err(FrameError::TooShort { len: bytes.len() });
        }
        let ihl = usize::from(bytes[0] & 0x0f) * 4;
        if bytes[0] >> 4 != 4 || ihl < IPV4_HEADER_LEN {
            return Err(FrameError::BadIpHeader);
        }
        if bytes.len() < ihl {
            return Err(FrameError::TooShort { len: bytes.len() });
        }
        let ip = Ipv4Header {
            bytes: &bytes[..ihl],
        };
        // keepalived: "ip_tot_len mismatch against received length"
        if usize::from(ip.total_len()) != bytes.len() {
            return Err(FrameError::LengthMismatch {
                total_len: ip.total_len(),
                have: bytes.len(),
            });
        }
        match ip.protocol() {
            PROTO_VRRP => Ok(Self {
                ip,
                ah: None,
                payload: &bytes[ihl..],
            }),
            PROTO_AH => {
                let rest = &bytes[ihl..];
                if rest.len() < AH_LEN {
                    return Err(FrameError::TooShort { len: bytes.len() });
                }
                let ah = AhHeader {
                    bytes: &rest[..AH_LEN],
                };
                if ah.payload_len() != auth::AH_PAYLOAD_LEN || ah.next_header() != PROTO_VRRP {
                    return Err(FrameError::BadAh);
                }
                Ok(Self {
                    ip,
                    ah: Some(ah),
                    payload: &rest[AH_LEN..],
                })
            }
            _ => Err(FrameError::BadIpHeader),
        }
    }
}

/// Which checksum a VRRPv3 advertisement over IPv4 carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum V3Ipv4Checksum {
    /// With the IPv4 pseudo-header (RFC 5798 §5.2.8 as keepalived and
    /// FRRouting read it; keepalived's default).
    #[default]
    PseudoHeader,
    /// Over the message alone (RFC 9568 §5.2.8; keepalived 2.2.8's
    /// `v3_checksum_as_v2`).
    AsV2,
}

/// The checksum scope for a message of `version` over IPv4 between `src`
/// and `pseudo_dst` (the real destination, or the multicast group under
/// keepalived's `old_unicast_checksum`).
pub fn scope_v4(
    version: Version,
    mode: V3Ipv4Checksum,
    src: Ipv4Addr,
    pseudo_dst: Ipv4Addr,
) -> Scope {
    match (version, mode) {
        (Version::V3, V3Ipv4Checksum::PseudoHeader) => Scope::Ipv4Pseudo {
            src,
            dst: pseudo_dst,
        },
        _ => Scope::MessageOnly,
    }
}

/// IPv4 header fields of a datagram to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ipv4Fields {
    /// Source address (also the AH SPI).
    pub src: Ipv4Addr,
    /// Destination: the multicast group or a unicast peer.
    pub dst: Ipv4Addr,
    /// Identification; keepalived counts from 1 and skips 0 (which the
    /// kernel would overwrite).
    pub id: u16,
    /// Time to live: 255 (RFC 5798 §5.1.1.3).
    pub ttl: u8,
    /// Type of service; keepalived sends 0xc0.
    pub tos: u8,
}

/// AH parameters of a VRRPv2 datagram to send.
#[derive(Debug, Clone, Copy)]
pub struct AhSend<'k> {
    /// The HMAC key (the zero-padded 8-byte password).
    pub key: &'k AhKey,
    /// Sequence number; keepalived sends 1 first and counts up.
    pub seq: u32,
    /// Whether the instance uses unicast peers (keepalived then zeroes the
    /// TTL in the ICV input).
    pub unicast: bool,
}

/// Appends a whole IPv4 datagram (header, AH when `ah` is given, message)
/// to `out`, with the IPv4 header checksum filled in as the kernel would.
/// `pseudo_dst` is the address in the v3 pseudo-header (normally `ip.dst`).
pub fn encode_ipv4(
    ip: &Ipv4Fields,
    adv: &Advertisement,
    mode: V3Ipv4Checksum,
    pseudo_dst: Ipv4Addr,
    ah: Option<AhSend<'_>>,
    out: &mut Vec<u8>,
) -> Result<(), EncodeError> {
    if ah.is_some() && adv.version != Version::V2 {
        return Err(EncodeError::V3WithAuth);
    }
    let start = out.len();
    let ah_len = if ah.is_some() { AH_LEN } else { 0 };
    let total = IPV4_HEADER_LEN + ah_len + adv.encoded_len(Family::Ipv4);
    let total = u16::try_from(total).map_err(|_| EncodeError::TooManyAddresses)?;
    let proto = if ah.is_some() { PROTO_AH } else { PROTO_VRRP };
    let [tl0, tl1] = total.to_be_bytes();
    let [id0, id1] = ip.id.to_be_bytes();
    out.extend_from_slice(&[0x45, ip.tos, tl0, tl1, id0, id1, 0, 0, ip.ttl, proto, 0, 0]);
    out.extend_from_slice(&ip.src.octets());
    out.extend_from_slice(&ip.dst.octets());
    if let Some(a) = &ah {
        let [s0, s1, s2, s3] = ip.src.octets();
        let [q0, q1, q2, q3] = a.seq.to_be_bytes();
        out.extend_from_slice(&[
            PROTO_VRRP,
            auth::AH_PAYLOAD_LEN,
            0,
            0,
            s0,
            s1,
            s2,
            s3,
            q0,
            q1,
            q2,
            q3,
        ]);
        out.extend_from_slice(&[0; ICV_LEN]);
    }
    let vrrp_at = out.len();
    let scope = scope_v4(adv.version, mode, ip.src, pseudo_dst);
    if let Err(e) = adv.encode(Family::Ipv4, scope, out) {
        out.truncate(start);
        return Err(e);
    }
    if let Some(a) = &ah {
        let (head, vrrp) = out[start..].split_at(vrrp_at - start);
        let (iph, ahh) = head.split_at(IPV4_HEADER_LEN);
        let icv = auth::ah_icv(a.key, iph, ahh, vrrp, a.unicast);
        let icv_at = start + IPV4_HEADER_LEN + 12;
        out[icv_at..icv_at + ICV_LEN].copy_from_slice(&icv);
    }
    let csum = checksum::ipv4_header(&out[start..start + IPV4_HEADER_LEN]);
    out[start + 10..start + 12].copy_from_slice(&csum.to_be_bytes());
    Ok(())
}
