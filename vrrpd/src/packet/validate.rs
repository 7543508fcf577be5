//! Receive-side checks (RFC 5798 §7.1, RFC 3768 §7.1 and keepalived's
//! `vrrp_check_packet`), each rejection a [`Reject`] with a counter.
//!
//! State-free: the caller supplies what the instance expects (through a
//! VRID lookup) and keeps the counters and the AH sequence number.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use serde::{Deserialize, Serialize};

use crate::auth::{self, AhKey, AUTH_DATA_LEN};

use super::advert::{Advert, DecodeError};
use super::checksum::Scope;
use super::ipv4::{scope_v4, AhHeader, FrameError, Ipv4Frame, Ipv4Header, V3Ipv4Checksum};
use super::{Family, Version, AUTH_AH, AUTH_NONE, AUTH_PASS, TTL};

/// A received packet as the socket layer hands it over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Datagram<'a> {
    /// From an AF_INET raw socket: the IPv4 header comes first.
    Ipv4(&'a [u8]),
    /// From an AF_INET6 raw socket: the VRRP message, with the header facts
    /// from IPV6_PKTINFO / IPV6_HOPLIMIT.
    Ipv6 {
        /// IPv6 source address.
        src: Ipv6Addr,
        /// IPv6 destination address.
        dst: Ipv6Addr,
        /// Hop limit.
        hop_limit: u8,
        /// The VRRP message.
        payload: &'a [u8],
    },
}

/// A datagram split into header facts and a length-checked VRRP message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parsed<'a> {
    /// Source address.
    pub src: IpAddr,
    /// Destination address.
    pub dst: IpAddr,
    /// TTL or hop limit.
    pub ttl: u8,
    /// The IPv4 header (IPv4 only).
    pub ip: Option<Ipv4Header<'a>>,
    /// The AH header (IPv4 with AH only).
    pub ah: Option<AhHeader<'a>>,
    /// The VRRP message.
    pub advert: Advert<'a>,
}

/// Splits a datagram and checks the VRRP message's shape.
pub fn parse(d: Datagram<'_>) -> Result<Parsed<'_>, Reject> {
    match d {
        Datagram::Ipv4(bytes) => {
            let f = Ipv4Frame::parse(bytes)?;
            let advert = Advert::parse(f.payload, Family::Ipv4)?;
            Ok(Parsed {
                src: IpAddr::V4(f.ip.src()),
                dst: IpAddr::V4(f.ip.dst()),
                ttl: f.ip.ttl(),
                ip: Some(f.ip),
                ah: f.ah,
                advert,
            })
        }
        Datagram::Ipv6 {
            src,
            dst,
            hop_limit,
            payload,
        } => Ok(Parsed {
            src: IpAddr::V6(src),
            dst: IpAddr::V6(dst),
            ttl: hop_limit,
            ip: None,
            ah: None,
            advert: Advert::parse(payload, Family::Ipv6)?,
        }),
    }
}

/// The authentication an instance expects (VRRPv2 only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpectAuth<'a> {
    /// No authentication (always for VRRPv3).
    None,
    /// PASS with the zero-padded 8-byte password.
    Pass(&'a [u8; AUTH_DATA_LEN]),
    /// IPsec AH with HMAC-MD5-96.
    Ah {
        /// The key (zero-padded password).
        key: &'a AhKey,
        /// The last sequence number seen; only higher ones pass.
        last_seq: u32,
    },
}

impl ExpectAuth<'_> {
    fn auth_type(&self) -> u8 {
        match self {
            Self::None => AUTH_NONE,
            Self::Pass(_) => AUTH_PASS,
            Self::Ah { .. } => AUTH_AH,
        }
    }
}

/// What one configured instance expects of adverts for its VRID.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expect<'a> {
    /// Configured version.
    pub version: Version,
    /// Configured advertisement interval: v2 seconds (checked, RFC 3768
    /// §7.1); v3 centiseconds (not checked: v3 learns the master's).
    pub interval: u16,
    /// Configured virtual addresses.
    pub addresses: &'a [IpAddr],
    /// Whether to check the address count and list. keepalived checks them
    /// unless `skip_check_adv_addr` is set and the advert comes from the
    /// current master; the caller decides.
    pub check_addresses: bool,
    /// Authentication (v2).
    pub auth: ExpectAuth<'a>,
    /// Unicast peers; empty for multicast.
    pub unicast_peers: &'a [IpAddr],
    /// Whether a unicast advert must come from a listed peer
    /// (`check_unicast_src`).
    pub check_unicast_src: bool,
    /// Checksum form of v3 over IPv4.
    pub v3_ipv4_checksum: V3Ipv4Checksum,
    /// The IPv4 multicast group (`vrrp_mcast_group4`, default 224.0.0.18),
    /// used in the pseudo-header under `old_unicast_checksum`.
    pub mcast_group4: Ipv4Addr,
    /// Whether the instance already uses keepalived's old unicast v3
    /// checksum (multicast group in the pseudo-header).
    pub old_unicast_checksum: bool,
}

impl<'a> Expect<'a> {
    /// Multicast, no authentication, addresses checked, default checksum.
    pub fn new(version: Version, interval: u16, addresses: &'a [IpAddr]) -> Self {
        Self {
            version,
            interval,
            addresses,
            check_addresses: true,
            auth: ExpectAuth::None,
            unicast_peers: &[],
            check_unicast_src: false,
            v3_ipv4_checksum: V3Ipv4Checksum::PseudoHeader,
            mcast_group4: Ipv4Addr::new(224, 0, 0, 18),
            old_unicast_checksum: false,
        }
    }
}

/// Which checksum form a v3 IPv4 advert passed with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChecksumForm {
    /// The form the instance is configured for.
    Configured,
    /// A unicast advert whose pseudo-header used the multicast group:
    /// keepalived before 2.0.? and with `old_unicast_checksum`. keepalived
    /// switches such an instance to send that form too ("Setting unicast
    /// VRRPv3 checksum to old version").
    OldUnicast,
}

/// A packet that passed every check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Accepted<'a> {
    /// Header facts and the message.
    pub parsed: Parsed<'a>,
    /// The AH sequence number, for the caller to remember.
    pub ah_seq: Option<u32>,
    /// The checksum form that matched.
    pub checksum_form: ChecksumForm,
}

macro_rules! reasons {
    ($($(#[$doc:meta])* $name:ident => $field:ident,)*) => {
        /// The kind of a rejection, without its details; one counter each.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum Reason {
            $($(#[$doc])* $name,)*
        }

        impl Reason {
            /// Every reason, in counter order.
            pub const ALL: &'static [Reason] = &[$(Reason::$name,)*];

            /// A stable snake_case name for logs and status output.
            pub fn name(self) -> &'static str {
                match self {
                    $(Reason::$name => stringify!($field),)*
                }
            }
        }

        /// Received packets rejected, by reason.
        #[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
        pub struct Counters {
            $(
                #[doc = concat!("Packets rejected as `", stringify!($name), "`.")]
                pub $field: u64,
            )*
        }

        impl Counters {
            /// Counts one rejection.
            pub fn record(&mut self, reason: Reason) {
                match reason {
                    $(Reason::$name => self.$field = self.$field.saturating_add(1),)*
                }
            }

            /// The counter for `reason`.
            pub fn get(&self, reason: Reason) -> u64 {
                match reason {
                    $(Reason::$name => self.$field,)*
                }
            }

            /// The sum of all counters.
            pub fn total(&self) -> u64 {
                0u64 $(.saturating_add(self.$field))*
            }
        }
    };
}

reasons! {
    /// Shorter than the headers it must carry.
    TooShort => too_short,
    /// The address count needs more bytes than arrived.
    Truncated => truncated,
    /// IPv4 total length or message length disagrees with the bytes.
    LengthMismatch => length_mismatch,
    /// Not an IPv4 header carrying VRRP or AH.
    BadIpHeader => bad_ip_header,
    /// An AH header that is not HMAC-96 over VRRP.
    BadAhHeader => bad_ah_header,
    /// TTL / hop limit other than 255 on a multicast instance.
    TtlNot255 => ttl_not_255,
    /// Unsupported version, or not the instance's.
    BadVersion => bad_version,
    /// Type other than ADVERTISEMENT.
    BadType => bad_type,
    /// No instance for this VRID on the interface.
    UnknownVrid => unknown_vrid,
    /// Checksum wrong.
    BadChecksum => bad_checksum,
    /// v2 authentication type not 0, 1 or 2.
    InvalidAuthType => invalid_auth_type,
    /// Authentication type differs from the instance's.
    AuthTypeMismatch => auth_type_mismatch,
    /// Wrong password or wrong AH ICV.
    AuthDataMismatch => auth_data_mismatch,
    /// AH SPI is not the sender's address.
    AhSpiMismatch => ah_spi_mismatch,
    /// AH sequence number not above the last one seen.
    AhReplay => ah_replay,
    /// v2 advertisement interval differs from the instance's.
    IntervalMismatch => interval_mismatch,
    /// Address count differs from the instance's.
    AddressCountMismatch => address_count_mismatch,
    /// A configured address is missing from the advert.
    AddressListMismatch => address_list_mismatch,
    /// Multicast destination on a unicast instance or the reverse.
    UnexpectedDestination => unexpected_destination,
    /// Unicast advert from an address that is not a configured peer.
    NotUnicastPeer => not_unicast_peer,
}

/// Why a received packet was dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reject {
    /// Shorter than the headers it must carry (RFC 5798 §7.1).
    TooShort {
        /// Bytes received.
        len: usize,
    },
    /// The address count needs more bytes than arrived (RFC 5798 §7.1).
    Truncated {
        /// Bytes implied.
        need: usize,
        /// Bytes received.
        have: usize,
    },
    /// Lengths disagree (keepalived: IPv4 total length, message length).
    LengthMismatch {
        /// Length implied by the headers.
        need: usize,
        /// Bytes received.
        have: usize,
    },
    /// Not an IPv4 header carrying VRRP or AH.
    BadIpHeader,
    /// An AH header that is not HMAC-96 over VRRP.
    BadAhHeader,
    /// TTL / hop limit not 255 (RFC 5798 §7.1, RFC 3768 §7.1).
    TtlNot255 {
        /// TTL received.
        ttl: u8,
    },
    /// Version unsupported or not the instance's (RFC 5798 §7.1).
    BadVersion {
        /// Version nibble received.
        version: u8,
    },
    /// Type not ADVERTISEMENT (RFC 5798 §5.2.2).
    BadType {
        /// Type received.
        kind: u8,
    },
    /// VRID not configured on the interface (RFC 5798 §7.1).
    UnknownVrid {
        /// VRID received.
        vrid: u8,
    },
    /// Checksum wrong (RFC 5798 §7.1).
    BadChecksum,
    /// v2 authentication type unknown (RFC 3768 §5.3.6, keepalived).
    InvalidAuthType {
        /// Type received.
        auth_type: u8,
    },
    /// Authentication type differs (RFC 2338 §7.1, keepalived).
    AuthTypeMismatch {
        /// Type received (51 in the IP header counts as AH).
        got: u8,
        /// Type configured.
        want: u8,
    },
    /// Wrong password or AH ICV (RFC 2338 §7.1, keepalived).
    AuthDataMismatch,
    /// AH SPI is not the IPv4 source (keepalived).
    AhSpiMismatch,
    /// AH sequence number replayed (keepalived, RFC 2402 §3.4.3).
    AhReplay {
        /// Sequence number received.
        seq: u32,
        /// Last sequence number seen.
        last: u32,
    },
    /// v2 interval differs (RFC 3768 §7.1).
    IntervalMismatch {
        /// Interval received.
        got: u16,
        /// Interval configured.
        want: u16,
    },
    /// Address count differs (RFC 5798 §7.1 MAY, keepalived).
    AddressCountMismatch {
        /// Count received.
        got: u8,
        /// Count configured.
        want: usize,
    },
    /// A configured address is missing (RFC 5798 §7.1 MAY, keepalived).
    AddressListMismatch {
        /// The first configured address not in the advert.
        missing: IpAddr,
    },
    /// Multicast vs unicast destination differs from the instance's mode
    /// (keepalived "Expected multicast packet but received unicast").
    UnexpectedDestination {
        /// Destination received.
        dst: IpAddr,
    },
    /// Source is not a configured unicast peer (keepalived
    /// `check_unicast_src`).
    NotUnicastPeer {
        /// Source received.
        src: IpAddr,
    },
}

impl Reject {
    /// The counter this rejection goes to.
    pub fn reason(&self) -> Reason {
        match self {
            Self::TooShort { .. } => Reason::TooShort,
            Self::Truncated { .. } => Reason::Truncated,
            Self::LengthMismatch { .. } => Reason::LengthMismatch,
            Self::BadIpHeader => Reason::BadIpHeader,
            Self::BadAhHeader => Reason::BadAhHeader,
            Self::TtlNot255 { .. } => Reason::TtlNot255,
            Self::BadVersion { .. } => Reason::BadVersion,
            Self::BadType { .. } => Reason::BadType,
            Self::UnknownVrid { .. } => Reason::UnknownVrid,
            Self::BadChecksum => Reason::BadChecksum,
            Self::InvalidAuthType { .. } => Reason::InvalidAuthType,
            Self::AuthTypeMismatch { .. } => Reason::AuthTypeMismatch,
            Self::AuthDataMismatch => Reason::AuthDataMismatch,
            Self::AhSpiMismatch => Reason::AhSpiMismatch,
            Self::AhReplay { .. } => Reason::AhReplay,
            Self::IntervalMismatch { .. } => Reason::IntervalMismatch,
            Self::AddressCountMismatch { .. } => Reason::AddressCountMismatch,
            Self::AddressListMismatch { .. } => Reason::AddressListMismatch,
            Self::UnexpectedDestination { .. } => Reason::UnexpectedDestination,
            Self::NotUnicastPeer { .. } => Reason::NotUnicastPeer,
        }
    }
}

impl fmt::Display for Reject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooShort { len } => write!(f, "packet too short ({len} bytes)"),
            Self::Truncated { need, have } => {
                write!(f, "packet truncated ({have} bytes, expect {need})")
            }
            Self::LengthMismatch { need, have } => {
                write!(f, "length mismatch ({have} bytes, expect {need})")
            }
            Self::BadIpHeader => f.write_str("bad IPv4 header"),
            Self::BadAhHeader => f.write_str("bad IPsec AH header"),
            Self::TtlNot255 { ttl } => write!(f, "invalid TTL/HL {ttl}, expect 255"),
            Self::BadVersion { version } => write!(f, "wrong version {version}"),
            Self::BadType { kind } => write!(f, "invalid packet type {kind}"),
            Self::UnknownVrid { vrid } => write!(f, "unknown VRID {vrid}"),
            Self::BadChecksum => f.write_str("invalid checksum"),
            Self::InvalidAuthType { auth_type } => write!(f, "invalid auth type {auth_type}"),
            Self::AuthTypeMismatch { got, want } => {
                write!(f, "received a {got} auth, expecting {want}")
            }
            Self::AuthDataMismatch => f.write_str("authentication failed"),
            Self::AhSpiMismatch => f.write_str("IPSEC AH SPI is not the source address"),
            Self::AhReplay { seq, last } => write!(
                f,
                "IPSEC AH sequence number {seq} already processed ({last})"
            ),
            Self::IntervalMismatch { got, want } => {
                write!(f, "advertisement interval mismatch mine={want} rcv'd={got}")
            }
            Self::AddressCountMismatch { got, want } => {
                write!(f, "{got} addresses, expected {want}")
            }
            Self::AddressListMismatch { missing } => {
                write!(f, "address {missing} not present in advert")
            }
            Self::UnexpectedDestination { dst } => write!(f, "unexpected destination {dst}"),
            Self::NotUnicastPeer { src } => write!(f, "source {src} is not a unicast peer"),
        }
    }
}

impl std::error::Error for Reject {}

impl From<FrameError> for Reject {
    fn from(e: FrameError) -> Self {
        match e {
            FrameError::TooShort { len } => Self::TooShort { len },
            FrameError::BadIpHeader => Self::BadIpHeader,
            FrameError::LengthMismatch { total_len, have } => Self::LengthMismatch {
                need: usize::from(total_len),
                have,
            },
            FrameError::BadAh => Self::BadAhHeader,
        }
    }
}

impl From<DecodeError> for Reject {
    fn from(e: DecodeError) -> Self {
        match e {
            DecodeError::TooShort { len } => Self::TooShort { len },
            DecodeError::BadVersion { version } => Self::BadVersion { version },
            DecodeError::Truncated { need, have } => Self::Truncated { need, have },
            DecodeError::TrailingBytes { need, have } => Self::LengthMismatch { need, have },
        }
    }
}

/// Runs every check on a received datagram. `lookup` maps the VRID to what
/// that instance expects, or `None` if no instance has it.
pub fn check<'a, 'e>(
    d: Datagram<'a>,
    lookup: impl FnOnce(u8) -> Option<Expect<'e>>,
) -> Result<Accepted<'a>, Reject> {
    let p = parse(d)?;
    let adv = p.advert;

    // RFC 5798 §5.2.2: only ADVERTISEMENT exists.
    if !adv.is_advertisement() {
        return Err(Reject::BadType { kind: adv.kind() });
    }
    // RFC 5798 §7.1: the VRID must be configured on the interface.
    let exp = lookup(adv.vrid()).ok_or(Reject::UnknownVrid { vrid: adv.vrid() })?;
    let unicast = !exp.unicast_peers.is_empty();

    // RFC 5798 §7.1 / RFC 3768 §7.1: TTL 255. keepalived does not check it
    // for unicast instances, where routers may lower it.
    if !unicast && p.ttl != TTL {
        return Err(Reject::TtlNot255 { ttl: p.ttl });
    }
    // RFC 5798 §7.1: the version must be the configured one.
    if adv.version() != exp.version {
        return Err(Reject::BadVersion {
            version: adv.version().number(),
        });
    }
    // RFC 5798 §7.1: the checksum.
    let checksum_form = check_checksum(&p, &exp)?;
    let ah_seq = check_auth(&p, &exp, unicast)?;
    // RFC 3768 §7.1: a v2 interval must match ("to prevent concurrent VRID
    // running", keepalived).
    if exp.version == Version::V2 && adv.interval() != exp.interval {
        return Err(Reject::IntervalMismatch {
            got: adv.interval(),
            want: exp.interval,
        });
    }
    // keepalived: the destination must be multicast exactly when there are
    // no unicast peers.
    if p.dst.is_multicast() == unicast {
        return Err(Reject::UnexpectedDestination { dst: p.dst });
    }
    // RFC 5798 §7.1 MAY verify the addresses; keepalived does unless
    // skip_check_adv_addr.
    if exp.check_addresses {
        if usize::from(adv.count()) != exp.addresses.len() {
            return Err(Reject::AddressCountMismatch {
                got: adv.count(),
                want: exp.addresses.len(),
            });
        }
        if let Some(missing) = exp.addresses.iter().find(|a| !adv.contains(a)) {
            return Err(Reject::AddressListMismatch { missing: *missing });
        }
    }
    // keepalived check_unicast_src: only configured peers may speak.
    if unicast && exp.check_unicast_src && !exp.unicast_peers.contains(&p.src) {
        return Err(Reject::NotUnicastPeer { src: p.src });
    }
    Ok(Accepted {
        parsed: p,
        ah_seq,
        checksum_form,
    })
}

fn check_checksum(p: &Parsed<'_>, exp: &Expect<'_>) -> Result<ChecksumForm, Reject> {
    let adv = p.advert;
    let scope = match (p.src, p.dst) {
        (IpAddr::V6(src), IpAddr::V6(dst)) => Scope::Ipv6Pseudo { src, dst },
        (IpAddr::V4(src), IpAddr::V4(dst)) => {
            let unicast = !exp.unicast_peers.is_empty();
            let pseudo_dst = if unicast && exp.old_unicast_checksum {
                exp.mcast_group4
            } else {
                dst
            };
            let scope = scope_v4(adv.version(), exp.v3_ipv4_checksum, src, pseudo_dst);
            if adv.checksum_ok(scope) {
                return Ok(ChecksumForm::Configured);
            }
            // keepalived: a unicast v3 advert from a peer using the old
            // checksum (multicast group in the pseudo-header) is accepted.
            if let Scope::Ipv4Pseudo { .. } = scope {
                if unicast && pseudo_dst != exp.mcast_group4 {
                    let old = Scope::Ipv4Pseudo {
                        src,
                        dst: exp.mcast_group4,
                    };
                    if adv.checksum_ok(old) {
                        return Ok(ChecksumForm::OldUnicast);
                    }
                }
            }
            return Err(Reject::BadChecksum);
        }
        // parse() gives both addresses of one family.
        _ => return Err(Reject::BadIpHeader),
    };
    if adv.checksum_ok(scope) {
        Ok(ChecksumForm::Configured)
    } else {
        Err(Reject::BadChecksum)
    }
}

fn check_auth(p: &Parsed<'_>, exp: &Expect<'_>, unicast: bool) -> Result<Option<u32>, Reject> {
    let want = exp.auth.auth_type();
    // keepalived: an AH header exactly when AH is configured.
    if p.ah.is_some() != matches!(exp.auth, ExpectAuth::Ah { .. }) {
        let got = if p.ah.is_some() {
            AUTH_AH
        } else {
            p.advert.auth_type().unwrap_or(AUTH_NONE)
        };
        return Err(Reject::AuthTypeMismatch { got, want });
    }
    let Some(got) = p.advert.auth_type() else {
        // VRRPv3 has no authentication (RFC 5798 §9).
        return Ok(None);
    };
    if !matches!(got, AUTH_NONE | AUTH_PASS | AUTH_AH) {
        return Err(Reject::InvalidAuthType { auth_type: got });
    }
    if got != want {
        return Err(Reject::AuthTypeMismatch { got, want });
    }
    match exp.auth {
        ExpectAuth::None => Ok(None),
        ExpectAuth::Pass(pw) => {
            let data = p.advert.auth_data().unwrap_or([0; AUTH_DATA_LEN]);
            if auth::pass_matches(&data, pw) {
                Ok(None)
            } else {
                Err(Reject::AuthDataMismatch)
            }
        }
        ExpectAuth::Ah { key, last_seq } => {
            let (Some(ip), Some(ah)) = (p.ip, p.ah) else {
                return Err(Reject::BadAhHeader);
            };
            if !auth::ah_verify(key, ip.bytes(), ah.bytes(), p.advert.bytes(), unicast) {
                return Err(Reject::AuthDataMismatch);
            }
            if ah.spi() != u32::from(ip.src()) {
                return Err(Reject::AhSpiMismatch);
            }
            if !auth::ah_seq_is_fresh(last_seq, ah.seq()) {
                return Err(Reject::AhReplay {
                    seq: ah.seq(),
                    last: last_seq,
                });
            }
            Ok(Some(ah.seq()))
        }
    }
}
