//! The Internet checksum (RFC 1071) and the three scopes VRRP uses it over.

use std::net::{Ipv4Addr, Ipv6Addr};

use super::PROTO_VRRP;

/// What the VRRP checksum covers besides the VRRP message itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The message alone: VRRPv2 (RFC 3768 §5.3.8), and VRRPv3 over IPv4 as
    /// RFC 9568 §5.2.8 clarifies it (keepalived's `v3_checksum_as_v2`).
    MessageOnly,
    /// An IPv4 pseudo-header (source, destination, zero, 112, length) first:
    /// RFC 5798 §5.2.8 as keepalived and FRRouting read it for VRRPv3 over IPv4.
    Ipv4Pseudo {
        /// IPv4 source address.
        src: Ipv4Addr,
        /// IPv4 destination address (keepalived's `old_unicast_checksum` uses
        /// the multicast group here even for unicast).
        dst: Ipv4Addr,
    },
    /// The IPv6 pseudo-header of RFC 8200 §8.1 with next header 112
    /// (RFC 5798 §5.2.8).
    Ipv6Pseudo {
        /// IPv6 source address.
        src: Ipv6Addr,
        /// IPv6 destination address.
        dst: Ipv6Addr,
    },
}

/// Adds `bytes` as big-endian 16-bit words to a 32-bit accumulator; an odd
/// last byte is padded with zero (RFC 1071 §4.1).
fn add_words(mut acc: u64, bytes: &[u8]) -> u64 {
    let mut chunks = bytes.chunks_exact(2);
    for c in &mut chunks {
        acc += u64::from(u16::from_be_bytes([c[0], c[1]]));
    }
    if let [last] = chunks.remainder() {
        acc += u64::from(*last) << 8;
    }
    acc
}

fn fold(mut acc: u64) -> u16 {
    while acc > 0xffff {
        acc = (acc & 0xffff) + (acc >> 16);
    }
    // The fold above leaves at most 16 bits.
    acc as u16
}

fn pseudo_sum(scope: Scope, len: usize) -> u64 {
    match scope {
        Scope::MessageOnly => 0,
        Scope::Ipv4Pseudo { src, dst } => {
            let acc = add_words(0, &src.octets());
            let acc = add_words(acc, &dst.octets());
            // zero, protocol, 16-bit length (truncated as keepalived's htons does)
            acc + u64::from(PROTO_VRRP) + u64::from(len as u16)
        }
        Scope::Ipv6Pseudo { src, dst } => {
            let acc = add_words(0, &src.octets());
            let acc = add_words(acc, &dst.octets());
            // 32-bit upper-layer length, three zero bytes, next header
            acc + (len as u64 >> 16) + (len as u64 & 0xffff) + u64::from(PROTO_VRRP)
        }
    }
}

/// The one's-complement sum of `scope` and `msg`, not yet complemented.
fn sum(scope: Scope, msg: &[u8]) -> u16 {
    fold(add_words(pseudo_sum(scope, msg.len()), msg))
}

/// The checksum to put in a message whose checksum field is zero.
pub fn compute(scope: Scope, msg: &[u8]) -> u16 {
    !sum(scope, msg)
}

/// Whether a received message (checksum field as received) sums correctly.
pub fn verify(scope: Scope, msg: &[u8]) -> bool {
    sum(scope, msg) == 0xffff
}

/// The IPv4 header checksum (RFC 791) of `header` with its checksum field
/// (bytes 10 and 11) taken as zero.
pub fn ipv4_header(header: &[u8]) -> u16 {
    let acc = add_words(0, header.get(..10).unwrap_or(header));
    let acc = add_words(acc, header.get(12..).unwrap_or(&[]));
    !fold(acc)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    // RFC 1071 §3 worked example: the words 0001 f203 f4f5 f6f7 sum to ddf2.
    #[test]
    fn rfc1071_section3_example_sum() {
        let data = [0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7];
        assert_eq!(sum(Scope::MessageOnly, &data), 0xddf2);
        assert_eq!(compute(Scope::MessageOnly, &data), !0xddf2);
    }

    #[test]
    fn rfc1071_odd_length_pads_with_zero() {
        assert_eq!(
            sum(Scope::MessageOnly, &[0x12, 0x34, 0x56]),
            sum(Scope::MessageOnly, &[0x12, 0x34, 0x56, 0x00])
        );
    }

    #[test]
    fn computed_checksum_verifies() {
        let mut msg = [0x31, 0x05, 0x64, 0x01, 0x00, 0x64, 0, 0, 192, 0, 2, 1];
        let scope = Scope::Ipv4Pseudo {
            src: Ipv4Addr::new(192, 0, 2, 10),
            dst: Ipv4Addr::new(224, 0, 0, 18),
        };
        let c = compute(scope, &msg);
        msg[6..8].copy_from_slice(&c.to_be_bytes());
        assert!(verify(scope, &msg));
        assert!(!verify(Scope::MessageOnly, &msg));
    }

    #[test]
    fn ipv4_header_checksum_of_rfc1071_style_header() {
        // A keepalived v2 header captured on the wire (vectors/v2-pass.hex).
        let h = [
            0x45, 0xc0, 0x00, 0x2c, 0x00, 0x01, 0x00, 0x00, 0xff, 0x70, 0x18, 0x8d, 192, 0, 2, 1,
            224, 0, 0, 18,
        ];
        assert_eq!(ipv4_header(&h), 0x188d);
    }
}
