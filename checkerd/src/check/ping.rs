//! PING_CHECK: one ICMP (or ICMPv6) echo request to the target, passing when the echo
//! reply comes back within `connect_timeout` (keepalived/check/check_ping.c). This
//! process has no CAP_NET_RAW: the supervisor opens the socket (`SocketRequest
//! IcmpEcho`) and passes it over; it may be a raw socket (every ICMP packet of the host
//! arrives: replies are matched by source, identifier and sequence; IPv4 ones carry
//! their IP header) or a ping socket (SOCK_DGRAM, the kernel owns the identifier).

use super::{Progress, StartError, Verdict};
use mio::unix::SourceFd;
use mio::{Interest, Registry, Token};
use nix::errno::Errno;
use nix::sys::socket::{recvfrom, sendto, MsgFlags, SockaddrStorage};
use std::net::{IpAddr, SocketAddr};
use std::os::fd::{AsRawFd, OwnedFd, RawFd};

/// How the supervisor's socket delivers packets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SocketStyle {
    /// SOCK_RAW: IPv4 packets arrive with their IP header; any identifier is ours.
    Raw,
    /// SOCK_DGRAM ping socket: no IP header; the kernel sets the identifier.
    Dgram,
}

/// The echo request bytes (ICMPv4 with its checksum; ICMPv6 with 0, which the kernel
/// fills in for ICMPv6 sockets).
pub fn echo_request(v6: bool, id: u16, seq: u16) -> Vec<u8> {
    let mut p = vec![if v6 { 128 } else { 8 }, 0, 0, 0];
    p.extend_from_slice(&id.to_be_bytes());
    p.extend_from_slice(&seq.to_be_bytes());
    // 56 bytes of payload like ping(8): a recognisable pattern.
    p.extend((0..56u8).map(|i| i.wrapping_add(0x10)));
    if !v6 {
        let sum = checksum(&p);
        p[2..4].copy_from_slice(&sum.to_be_bytes());
    }
    p
}

/// The Internet checksum (RFC 1071).
pub fn checksum(data: &[u8]) -> u16 {
    let mut sum: u32 = 0;
    for chunk in data.chunks(2) {
        let word = match chunk {
            [a, b] => u16::from_be_bytes([*a, *b]),
            [a] => u16::from_be_bytes([*a, 0]),
            _ => 0,
        };
        sum = sum.wrapping_add(u32::from(word));
    }
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(u16::try_from(sum).unwrap_or(0xffff))
}

/// Whether `packet` (as received) is the echo reply to (`id`, `seq`).
pub fn is_reply(style: SocketStyle, v6: bool, packet: &[u8], id: u16, seq: u16) -> bool {
    let icmp = if style == SocketStyle::Raw && !v6 {
        let Some(first) = packet.first() else {
            return false;
        };
        let ihl = usize::from(first & 0x0f) * 4;
        match packet.get(ihl..) {
            Some(rest) => rest,
            None => return false,
        }
    } else {
        packet
    };
    if icmp.len() < 8 {
        return false;
    }
    let reply_type = if v6 { 129 } else { 0 };
    if icmp[0] != reply_type || icmp[1] != 0 {
        return false;
    }
    let got_seq = u16::from_be_bytes([icmp[6], icmp[7]]);
    let got_id = u16::from_be_bytes([icmp[4], icmp[5]]);
    got_seq == seq && (style == SocketStyle::Dgram || got_id == id)
}

/// A ping in progress on the supervisor's socket (owned by the daemon).
#[derive(Debug)]
pub struct PingProbe {
    fd: RawFd,
    style: SocketStyle,
    target: IpAddr,
    id: u16,
    seq: u16,
}

impl PingProbe {
    /// Sends the echo request on `fd` and polls it with `token`.
    pub fn start(
        fd: &OwnedFd,
        style: SocketStyle,
        target: IpAddr,
        id: u16,
        seq: u16,
        registry: &Registry,
        token: Token,
    ) -> Result<PingProbe, StartError> {
        let v6 = target.is_ipv6();
        let packet = echo_request(v6, id, seq);
        let to = SockaddrStorage::from(SocketAddr::new(target, 0));
        let raw = fd.as_raw_fd();
        // Drain replies that came late for earlier requests.
        let mut buf = [0u8; 2048];
        while recvfrom::<SockaddrStorage>(raw, &mut buf).is_ok() {}
        sendto(raw, &packet, &to, MsgFlags::MSG_DONTWAIT).map_err(|e| {
            StartError::Failed(format!("ICMP echo to {target} failed: {}", e.desc()))
        })?;
        registry
            .register(&mut SourceFd(&raw), token, Interest::READABLE)
            .map_err(super::poll_error)?;
        Ok(PingProbe {
            fd: raw,
            style,
            target,
            id,
            seq,
        })
    }

    /// Reads what arrived; done at the matching reply.
    pub fn ready(&mut self) -> Progress {
        let mut buf = [0u8; 2048];
        loop {
            match recvfrom::<SockaddrStorage>(self.fd, &mut buf) {
                Ok((n, from)) => {
                    let from_target = from
                        .and_then(|a| {
                            a.as_sockaddr_in()
                                .map(|s| IpAddr::V4(s.ip()))
                                .or_else(|| a.as_sockaddr_in6().map(|s| IpAddr::V6(s.ip())))
                        })
                        .is_some_and(|a| a == self.target);
                    let packet = buf.get(..n).unwrap_or(&[]);
                    if from_target
                        && is_reply(self.style, self.target.is_ipv6(), packet, self.id, self.seq)
                    {
                        return Progress::Done(Ok(()));
                    }
                }
                Err(Errno::EAGAIN) => return Progress::Pending,
                Err(Errno::EINTR) => {}
                Err(e) => {
                    let v: Verdict =
                        Err(format!("ICMP echo to {} failed: {}", self.target, e.desc()));
                    return Progress::Done(v);
                }
            }
        }
    }

    /// Stops polling the socket (the daemon keeps it for the next check).
    pub fn stop(&mut self, registry: &Registry) {
        let _ = registry.deregister(&mut SourceFd(&self.fd));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc1071_checksum_of_a_request_verifies_to_zero() {
        let p = echo_request(false, 0x1234, 7);
        assert_eq!(checksum(&p), 0);
        assert_eq!(&p[4..8], &[0x12, 0x34, 0, 7]);
    }

    #[test]
    fn replies_are_matched_by_type_identifier_and_sequence() {
        let mut reply = echo_request(false, 0x1234, 7);
        reply[0] = 0;
        assert!(is_reply(SocketStyle::Dgram, false, &reply, 0x9999, 7));
        assert!(!is_reply(SocketStyle::Dgram, false, &reply, 0x1234, 8));
        // Raw IPv4: a 20-byte IP header comes first.
        let mut raw = vec![0x45; 1];
        raw.extend_from_slice(&[0; 19]);
        raw.extend_from_slice(&reply);
        assert!(is_reply(SocketStyle::Raw, false, &raw, 0x1234, 7));
        assert!(!is_reply(SocketStyle::Raw, false, &raw, 0x1235, 7));
        // Our own request (type 8) is not a reply.
        assert!(!is_reply(
            SocketStyle::Dgram,
            false,
            &echo_request(false, 1, 7),
            1,
            7
        ));
    }

    #[test]
    fn icmpv6_echo_types() {
        let mut p = echo_request(true, 1, 2);
        assert_eq!(p[0], 128);
        p[0] = 129;
        assert!(is_reply(SocketStyle::Raw, true, &p, 1, 2));
    }
}
