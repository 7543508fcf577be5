//! UDP_CHECK: one datagram to the target (`payload`, random bytes when none); a
//! "port unreachable" back fails the check. With `require_reply` a reply must come
//! within `connect_timeout`, and with `require_reply HEX` it must be between
//! `min_reply_length` and `max_reply_length` bytes and start like the pattern, masked
//! bits ignored (keepalived/check/check_udp.c `check_udp_reply`, layer4.c
//! `udp_socket_state`). Without `require_reply`, silence until the timeout passes.

use super::{connect, poll_error, Progress, StartError, Verdict};
use crate::plan::Endpoint;
use mio::{Interest, Registry, Token};
use std::io::ErrorKind;
use std::os::fd::OwnedFd;
use vigil_config::model::check::UdpCheck;

/// Whether `reply` passes the check's reply rules.
pub fn reply_ok(check: &UdpCheck, reply: &[u8]) -> Verdict {
    let Some(pattern) = &check.reply else {
        return Ok(());
    };
    let len = reply.len();
    if len < usize::from(check.min_reply_length) || len > usize::from(check.max_reply_length) {
        return Err(format!(
            "UDP reply of {len} bytes outside {}..={}",
            check.min_reply_length, check.max_reply_length
        ));
    }
    // check_udp.c: only the shorter of the reply and the pattern is compared.
    for (i, (got, want)) in reply.iter().zip(pattern.data.iter()).enumerate() {
        let mask = pattern.mask.get(i).copied().unwrap_or(0);
        if (got ^ want) & !mask != 0 {
            return Err(format!("UDP reply data mismatch at byte {i}"));
        }
    }
    Ok(())
}

/// A UDP check in progress.
#[derive(Debug)]
pub struct UdpProbe {
    socket: mio::net::UdpSocket,
    check: UdpCheck,
    target: std::net::SocketAddr,
}

impl UdpProbe {
    /// Sends the datagram.
    pub fn start(
        ep: &Endpoint,
        check: &UdpCheck,
        given: Option<OwnedFd>,
        registry: &Registry,
        token: Token,
    ) -> Result<UdpProbe, StartError> {
        let fail = |e: std::io::Error| StartError::Failed(format!("UDP send to {ep} failed: {e}"));
        let mut socket = connect::udp(ep, given).map_err(|e| e.context("UDP"))?;
        let payload = check
            .payload
            .clone()
            .unwrap_or_else(|| (0..16).map(|_| fastrand::u8(..)).collect());
        socket.send(&payload).map_err(fail)?;
        registry
            .register(&mut socket, token, Interest::READABLE)
            .map_err(poll_error)?;
        Ok(UdpProbe {
            socket,
            check: check.clone(),
            target: ep.target,
        })
    }

    /// Handles a reply or an ICMP error.
    pub fn ready(&mut self) -> Progress {
        // One byte more than the largest reply allowed, to see an oversized one.
        let mut buf = vec![0u8; usize::from(self.check.max_reply_length) + 1];
        match self.socket.recv(&mut buf) {
            Ok(n) => Progress::Done(reply_ok(&self.check, &buf[..n])),
            Err(e) if e.kind() == ErrorKind::WouldBlock => Progress::Pending,
            Err(e) => Progress::Done(Err(format!(
                "UDP connection to {} failed: {e}",
                self.target
            ))),
        }
    }

    /// The timeout passed without a reply: success unless one is required.
    pub fn expired(&self) -> Verdict {
        if self.check.require_reply {
            Err(format!("no UDP reply from {} (timeout)", self.target))
        } else {
            Ok(())
        }
    }

    /// Releases the socket.
    pub fn stop(&mut self, registry: &Registry) {
        let _ = registry.deregister(&mut self.socket);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigil_config::model::check::ReplyPattern;

    fn check(data: &[u8], mask: &[u8]) -> UdpCheck {
        UdpCheck {
            require_reply: true,
            reply: Some(ReplyPattern {
                data: data.to_vec(),
                mask: mask.to_vec(),
            }),
            min_reply_length: 2,
            max_reply_length: 8,
            ..UdpCheck::default()
        }
    }

    #[test]
    fn check_udp_reply_matches_the_pattern_with_masked_bits_ignored() {
        let c = check(&[0xab, 0xc0], &[0x00, 0x0f]);
        assert_eq!(reply_ok(&c, &[0xab, 0xcf, 0x99]), Ok(()));
        assert!(reply_ok(&c, &[0xab, 0xd0]).is_err());
    }

    #[test]
    fn check_udp_reply_length_limits() {
        let c = check(&[0xab], &[0]);
        assert!(reply_ok(&c, &[0xab]).is_err(), "below min_reply_length");
        assert!(reply_ok(&c, &[0xab; 9]).is_err(), "above max_reply_length");
    }

    #[test]
    fn check_udp_reply_compares_only_the_shorter() {
        let c = check(&[1, 2, 3, 4], &[0, 0, 0, 0]);
        assert_eq!(reply_ok(&c, &[1, 2]), Ok(()));
    }

    #[test]
    fn any_reply_passes_without_a_pattern() {
        assert_eq!(reply_ok(&UdpCheck::default(), &[]), Ok(()));
    }
}
