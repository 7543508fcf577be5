//! The NETLINK_NETFILTER socket: sends one batch and collects the kernel's answer to
//! every request in it. Blocking only in the sense that it returns when the kernel has
//! answered: nfnetlink processes a batch inside sendmsg(), so every ACK or error is
//! queued by the time send returns and the reads below never wait.

use std::collections::BTreeMap;
use std::io;

use netlink_sys::{protocols::NETLINK_NETFILTER, Socket as NlSocket};

use crate::error::NftError;
use crate::msg::{Batch, NLMSG_HDRLEN};

const NLMSG_ERROR: u16 = 2;
/// Reply flags: the request's payload was left out / extended ACK attributes follow.
const NLM_F_CAPPED: u16 = 0x100;
const NLM_F_ACK_TLVS: u16 = 0x200;
const NLMSGERR_ATTR_MSG: u16 = 1;
const NLMSGERR_ATTR_OFFS: u16 = 2;

/// Large enough for many ACKs per read; a datagram never holds more than one skb.
const RECV_BUF: usize = 64 * 1024;

/// One answer from the kernel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Reply {
    /// The request with this sequence number succeeded.
    Ack(u32),
    /// The request with this sequence number failed.
    Error {
        seq: u32,
        errno: i32,
        message: Option<String>,
        offset: Option<u32>,
    },
}

/// Parses a datagram of netlink messages; only NLMSG_ERROR (ACKs are errors with code 0)
/// matters, anything else is skipped.
pub(crate) fn parse_replies(mut buf: &[u8]) -> Result<Vec<Reply>, NftError> {
    let mut out = Vec::new();
    while buf.len() >= NLMSG_HDRLEN {
        let len = u32::from_ne_bytes([buf[0], buf[1], buf[2], buf[3]]) as usize;
        if len < NLMSG_HDRLEN || len > buf.len() {
            return Err(NftError::Protocol(format!(
                "message length {len} with {} bytes left",
                buf.len()
            )));
        }
        let ty = u16::from_ne_bytes([buf[4], buf[5]]);
        let flags = u16::from_ne_bytes([buf[6], buf[7]]);
        let msg = &buf[..len];
        if ty == NLMSG_ERROR {
            out.push(parse_error(msg, flags)?);
        }
        buf = &buf[align4(len).min(buf.len())..];
    }
    Ok(out)
}

/// `struct nlmsgerr`: i32 error, the request's header (and payload unless capped),
/// then extended ACK attributes if flagged.
fn parse_error(msg: &[u8], flags: u16) -> Result<Reply, NftError> {
    let body = &msg[NLMSG_HDRLEN..];
    if body.len() < 4 + NLMSG_HDRLEN {
        return Err(NftError::Protocol(format!(
            "NLMSG_ERROR of {} bytes",
            msg.len()
        )));
    }
    let code = i32::from_ne_bytes([body[0], body[1], body[2], body[3]]);
    let orig = &body[4..];
    let seq = u32::from_ne_bytes([orig[8], orig[9], orig[10], orig[11]]);
    if code == 0 {
        return Ok(Reply::Ack(seq));
    }
    let mut message = None;
    let mut offset = None;
    if flags & NLM_F_ACK_TLVS != 0 {
        let orig_len = if flags & NLM_F_CAPPED != 0 {
            NLMSG_HDRLEN
        } else {
            u32::from_ne_bytes([orig[0], orig[1], orig[2], orig[3]]) as usize
        };
        let mut tlvs = orig.get(align4(orig_len)..).unwrap_or(&[]);
        while tlvs.len() >= 4 {
            let alen = u16::from_ne_bytes([tlvs[0], tlvs[1]]) as usize;
            let aty = u16::from_ne_bytes([tlvs[2], tlvs[3]]) & 0x3fff;
            if alen < 4 || alen > tlvs.len() {
                break;
            }
            let data = &tlvs[4..alen];
            match aty {
                NLMSGERR_ATTR_MSG => {
                    let s = data.split(|b| *b == 0).next().unwrap_or(&[]);
                    message = Some(String::from_utf8_lossy(s).into_owned());
                }
                NLMSGERR_ATTR_OFFS if data.len() >= 4 => {
                    offset = Some(u32::from_ne_bytes([data[0], data[1], data[2], data[3]]));
                }
                _ => {}
            }
            tlvs = &tlvs[align4(alen).min(tlvs.len())..];
        }
    }
    Ok(Reply::Error {
        seq,
        errno: code.saturating_neg(),
        message,
        offset,
    })
}

fn align4(n: usize) -> usize {
    (n + 3) & !3
}

/// A NETLINK_NETFILTER socket with its sequence counter.
pub(crate) struct Socket {
    sock: NlSocket,
    seq: u32,
    buf: Vec<u8>,
}

fn sock_err(op: &'static str) -> impl FnOnce(io::Error) -> NftError {
    move |source| NftError::Socket { op, source }
}

impl Socket {
    /// Opens and binds the socket; needs CAP_NET_ADMIN only when a batch is sent.
    pub(crate) fn open() -> Result<Socket, NftError> {
        let mut sock = NlSocket::new(NETLINK_NETFILTER).map_err(sock_err("socket"))?;
        sock.bind_auto().map_err(sock_err("bind"))?;
        // The ACK need not echo the request; the sequence number says which it was.
        sock.set_cap_ack(true)
            .map_err(sock_err("setsockopt NETLINK_CAP_ACK"))?;
        sock.set_ext_ack(true)
            .map_err(sock_err("setsockopt NETLINK_EXT_ACK"))?;
        sock.set_non_blocking(true)
            .map_err(sock_err("fcntl O_NONBLOCK"))?;
        // Best effort: more room for ACKs of a large batch; capped by rmem_max anyway.
        let _ = sock.set_rx_buf_sz(1 << 20);
        // Start where an earlier process (a restarted vrrpd) is unlikely to have been.
        let seq = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as u32)
            .unwrap_or(1);
        Ok(Socket {
            sock,
            seq,
            buf: Vec::with_capacity(RECV_BUF),
        })
    }

    /// Sends `batch` as one transaction; Ok once the kernel acknowledged every request.
    pub(crate) fn run(&mut self, batch: &Batch) -> Result<(), NftError> {
        if batch.is_empty() {
            return Ok(());
        }
        // Answers to an earlier, failed exchange must not be taken for this one's; an
        // error here (an old ENOBUFS) belongs to that exchange too.
        while let Ok(Some(_)) = self.recv_one() {}
        let framed = batch.frame(self.seq);
        // The kernel answers the batch delimiters only to refuse the whole batch (no
        // CAP_NET_ADMIN, unknown subsystem): an error there is the batch's error.
        let begin = self.seq;
        let end = begin.wrapping_add(batch.msgs.len() as u32 + 1);
        self.seq = end.wrapping_add(1);
        let sent = self.sock.send(&framed.bytes, 0).map_err(sock_err("send"))?;
        if sent != framed.bytes.len() {
            return Err(NftError::Protocol(format!(
                "sent {sent} of {} bytes",
                framed.bytes.len()
            )));
        }
        let framed_order: Vec<u32> = framed.seqs.iter().map(|(s, _)| *s).collect();
        let mut pending: BTreeMap<u32, String> = framed.seqs.into_iter().collect();
        let whole = match framed_order.first().and_then(|s| pending.get(s)) {
            Some(first) => format!("batch of {} requests from {first}", batch.msgs.len()),
            None => "batch".to_string(),
        };
        // The first refused request in batch order is the cause; later ones may only
        // fail because the transaction was already doomed.
        let mut first_error: Option<(usize, NftError)> = None;
        let order: BTreeMap<u32, usize> = framed_order
            .iter()
            .enumerate()
            .map(|(i, s)| (*s, i))
            .collect();
        while !pending.is_empty() {
            let Some(n) = self.recv_one()? else { break };
            for reply in parse_replies(&self.buf[..n])? {
                match reply {
                    Reply::Ack(seq) => {
                        pending.remove(&seq);
                    }
                    Reply::Error {
                        seq,
                        errno,
                        message,
                        offset,
                    } if seq == begin || seq == end => {
                        let what = whole.clone();
                        return Err(NftError::Kernel {
                            what,
                            errno,
                            message,
                            bad_attr_offset: offset,
                        });
                    }
                    Reply::Error {
                        seq,
                        errno,
                        message,
                        offset,
                    } => {
                        let Some(what) = pending.remove(&seq) else {
                            continue;
                        };
                        let pos = order.get(&seq).copied().unwrap_or(usize::MAX);
                        if first_error.as_ref().map_or(true, |(p, _)| pos < *p) {
                            let e = NftError::Kernel {
                                what,
                                errno,
                                message,
                                bad_attr_offset: offset,
                            };
                            first_error = Some((pos, e));
                        }
                    }
                }
            }
        }
        if let Some((_, e)) = first_error {
            return Err(e);
        }
        match pending.into_values().next() {
            Some(what) => Err(NftError::MissingAck { what }),
            None => Ok(()),
        }
    }

    /// Reads one datagram into `self.buf`; None when nothing is queued.
    fn recv_one(&mut self) -> Result<Option<usize>, NftError> {
        self.buf.clear();
        match self.sock.recv(&mut self.buf, 0) {
            Ok(n) if n > self.buf.len() => {
                Err(NftError::Protocol(format!("reply of {n} bytes truncated")))
            }
            Ok(n) => Ok(Some(n)),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(None),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => self.recv_one(),
            Err(e) => Err(NftError::Socket {
                op: "recv",
                source: e,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nlmsg(ty: u16, flags: u16, seq: u32, payload: &[u8]) -> Vec<u8> {
        let mut v = Vec::new();
        v.extend_from_slice(&((16 + payload.len()) as u32).to_ne_bytes());
        v.extend_from_slice(&ty.to_ne_bytes());
        v.extend_from_slice(&flags.to_ne_bytes());
        v.extend_from_slice(&seq.to_ne_bytes());
        v.extend_from_slice(&0u32.to_ne_bytes());
        v.extend_from_slice(payload);
        while v.len() % 4 != 0 {
            v.push(0);
        }
        v
    }

    fn nlmsgerr(code: i32, orig_seq: u32, tlvs: &[u8]) -> Vec<u8> {
        let mut p = code.to_ne_bytes().to_vec();
        p.extend_from_slice(&nlmsg(0x0a0c, 0x405, orig_seq, &[])[..16]);
        p.extend_from_slice(tlvs);
        p
    }

    #[test]
    fn ack_and_error_with_extended_ack() {
        let mut tlv = Vec::new();
        let text = b"Set not found\0";
        tlv.extend_from_slice(&((4 + text.len()) as u16).to_ne_bytes());
        tlv.extend_from_slice(&NLMSGERR_ATTR_MSG.to_ne_bytes());
        tlv.extend_from_slice(text);
        while tlv.len() % 4 != 0 {
            tlv.push(0);
        }
        tlv.extend_from_slice(&8u16.to_ne_bytes());
        tlv.extend_from_slice(&NLMSGERR_ATTR_OFFS.to_ne_bytes());
        tlv.extend_from_slice(&40u32.to_ne_bytes());
        let mut buf = nlmsg(NLMSG_ERROR, NLM_F_CAPPED, 7, &nlmsgerr(0, 7, &[]));
        buf.extend(nlmsg(
            NLMSG_ERROR,
            NLM_F_CAPPED | NLM_F_ACK_TLVS,
            8,
            &nlmsgerr(-2, 8, &tlv),
        ));
        assert_eq!(
            parse_replies(&buf).expect("parse"),
            vec![
                Reply::Ack(7),
                Reply::Error {
                    seq: 8,
                    errno: 2,
                    message: Some("Set not found".into()),
                    offset: Some(40)
                },
            ]
        );
    }

    #[test]
    fn truncated_input_is_an_error_not_a_panic() {
        let buf = nlmsg(NLMSG_ERROR, 0, 1, &nlmsgerr(0, 1, &[]));
        for cut in 0..buf.len() {
            let _ = parse_replies(&buf[..cut]);
        }
        let mut bad = buf.clone();
        bad[0] = 200; // length beyond the buffer
        assert!(matches!(parse_replies(&bad), Err(NftError::Protocol(_))));
        // An NLMSG_ERROR too short to hold nlmsgerr.
        let short = nlmsg(NLMSG_ERROR, 0, 1, &[0, 0, 0, 0]);
        assert!(matches!(parse_replies(&short), Err(NftError::Protocol(_))));
    }

    #[test]
    fn other_messages_are_skipped() {
        let buf = nlmsg(3, 0, 1, &[0, 0, 0, 0]);
        assert_eq!(parse_replies(&buf).expect("parse"), vec![]);
    }

    proptest::proptest! {
        /// Whatever the kernel (or anything else) sends, parsing never panics.
        #[test]
        fn any_bytes_parse_or_fail_cleanly(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..256)) {
            let _ = parse_replies(&bytes);
        }

        /// An error reply parses back to its sequence number and errno.
        #[test]
        fn errors_round_trip(seq in proptest::num::u32::ANY, errno in 1i32..4096) {
            let buf = nlmsg(NLMSG_ERROR, NLM_F_CAPPED, seq, &nlmsgerr(-errno, seq, &[]));
            let want = vec![Reply::Error { seq, errno, message: None, offset: None }];
            proptest::prop_assert_eq!(parse_replies(&buf).expect("parse"), want);
        }
    }
}
