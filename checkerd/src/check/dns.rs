//! DNS_CHECK: one query over UDP (`type`, `name`, recursion desired); the answer with
//! the same id that is a response must have RCODE 0. Replies with another id, queries
//! and runts are ignored while waiting (keepalived/check/check_dns.c `dns_recv_thread`,
//! `dns_make_query`).

use super::{connect, poll_error, Progress, StartError, Verdict};
use crate::plan::Endpoint;
use mio::{Interest, Registry, Token};
use std::io::ErrorKind;
use std::os::fd::OwnedFd;
use vigil_config::model::check::{DnsCheck, DnsType};

/// The RR type number of a query type (RFC 1035 §3.2.2, RFC 3596, RFC 4034).
pub fn type_code(t: DnsType) -> u16 {
    match t {
        DnsType::A => 1,
        DnsType::Ns => 2,
        DnsType::Cname => 5,
        DnsType::Soa => 6,
        DnsType::Mx => 15,
        DnsType::Txt => 16,
        DnsType::Aaaa => 28,
        DnsType::Rrsig => 46,
        DnsType::Dnskey => 48,
    }
}

/// The query datagram for `check` with message id `id`.
pub fn query(check: &DnsCheck, id: u16) -> Result<Vec<u8>, String> {
    let mut q = Vec::with_capacity(64);
    q.extend_from_slice(&id.to_be_bytes());
    q.extend_from_slice(&0x0100u16.to_be_bytes()); // RD
    q.extend_from_slice(&1u16.to_be_bytes()); // QDCOUNT
    q.extend_from_slice(&[0; 6]); // AN, NS, AR counts
    for label in check.name.split('.').filter(|l| !l.is_empty()) {
        let len = u8::try_from(label.len())
            .ok()
            .filter(|l| *l <= 63)
            .ok_or_else(|| format!("DNS label too long in {}", check.name))?;
        q.push(len);
        q.extend_from_slice(label.as_bytes());
    }
    q.push(0);
    q.extend_from_slice(&type_code(check.query_type).to_be_bytes());
    q.extend_from_slice(&1u16.to_be_bytes()); // IN
    Ok(q)
}

/// What a received datagram means for the query with id `id`: `None` to keep waiting.
pub fn judge(id: u16, reply: &[u8]) -> Option<Verdict> {
    if reply.len() < 12 {
        return None;
    }
    if u16::from_be_bytes([reply[0], reply[1]]) != id {
        return None;
    }
    let flags = u16::from_be_bytes([reply[2], reply[3]]);
    if flags & 0x8000 == 0 {
        return None;
    }
    match flags & 0x000f {
        0 => Some(Ok(())),
        rcode => Some(Err(format!("DNS answer with rcode {rcode}"))),
    }
}

/// A DNS check in progress.
#[derive(Debug)]
pub struct DnsProbe {
    socket: mio::net::UdpSocket,
    id: u16,
    target: std::net::SocketAddr,
}

impl DnsProbe {
    /// Sends the query.
    pub fn start(
        ep: &Endpoint,
        check: &DnsCheck,
        given: Option<OwnedFd>,
        registry: &Registry,
        token: Token,
    ) -> Result<DnsProbe, StartError> {
        let fail = |e: std::io::Error| StartError::Failed(format!("DNS query to {ep} failed: {e}"));
        let id = fastrand::u16(..);
        let q = query(check, id).map_err(StartError::Local)?;
        let mut socket = connect::udp(ep, given).map_err(|e| e.context("DNS"))?;
        socket.send(&q).map_err(fail)?;
        registry
            .register(&mut socket, token, Interest::READABLE)
            .map_err(poll_error)?;
        Ok(DnsProbe {
            socket,
            id,
            target: ep.target,
        })
    }

    /// Handles replies.
    pub fn ready(&mut self) -> Progress {
        let mut buf = [0u8; 4096];
        loop {
            match self.socket.recv(&mut buf) {
                Ok(n) => {
                    if let Some(v) = judge(self.id, &buf[..n]) {
                        return Progress::Done(v);
                    }
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => return Progress::Pending,
                Err(e) => {
                    return Progress::Done(Err(format!("DNS query to {} failed: {e}", self.target)))
                }
            }
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

    #[test]
    fn check_dns_make_query_default_soa_for_root() {
        let q = query(&DnsCheck::default(), 0x1234).expect("query");
        assert_eq!(
            q,
            vec![0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 6, 0, 1]
        );
    }

    #[test]
    fn check_dns_make_query_labels() {
        let c = DnsCheck {
            query_type: DnsType::A,
            name: "www.example.org".into(),
            ..DnsCheck::default()
        };
        let q = query(&c, 1).expect("query");
        assert_eq!(&q[12..], b"\x03www\x07example\x03org\x00\x00\x01\x00\x01");
    }

    #[test]
    fn check_dns_recv_rules() {
        let mut r = vec![0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0];
        assert_eq!(judge(0x1234, &r), Some(Ok(())));
        assert_eq!(judge(0x9999, &r), None, "another id: keep waiting");
        r[3] = 0x83; // NXDOMAIN
        assert!(matches!(judge(0x1234, &r), Some(Err(_))));
        r[2] = 0x01; // a query, not a response
        assert_eq!(judge(0x1234, &r), None);
        assert_eq!(judge(0x1234, &r[..5]), None, "runt");
    }
}
