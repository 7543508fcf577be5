//! NETLINK_ROUTE plumbing shared by `rtnl` and `monitor`: opening the socket, framing
//! requests, splitting datagrams into messages, and reading NACKs with their extended
//! ACK text. Payloads are handed back raw; `link` and `addr` decode them.

use crate::error::{errno_of, NetError};
use netlink_packet_core::{
    NetlinkBuffer, NetlinkHeader, NetlinkMessage, NetlinkPayload, NlasIterator, NLM_F_ACK,
    NLM_F_DUMP, NLM_F_DUMP_INTR, NLM_F_REQUEST,
};
use netlink_packet_route::RouteNetlinkMessage;
use netlink_sys::{protocols::NETLINK_ROUTE, Socket, SocketAddr};
use nix::errno::Errno;
use nix::sys::socket::{setsockopt, sockopt};
use nix::sys::time::TimeVal;

/// NLMSG_NOOP, NLMSG_ERROR, NLMSG_DONE, NLMSG_OVERRUN (linux/netlink.h).
const NLMSG_NOOP: u16 = 1;
const NLMSG_ERROR: u16 = 2;
const NLMSG_DONE: u16 = 3;
const NLMSG_OVERRUN: u16 = 4;
/// The flags the kernel sets on an error message (linux/netlink.h).
const NLM_F_CAPPED: u16 = 0x100;
const NLM_F_ACK_TLVS: u16 = 0x200;
/// NLMSGERR_ATTR_MSG: the extended ACK's human-readable text.
const NLMSGERR_ATTR_MSG: u16 = 1;
/// The size of struct nlmsghdr.
const NLMSG_HDRLEN: usize = 16;

/// Receive buffer: larger than the 32 KiB the kernel puts into one dump datagram.
const RECV_BUF: usize = 64 * 1024;
/// How long a request waits for the kernel's answer. Requests take microseconds; this
/// only bounds the damage if something is badly wrong, in a single-threaded daemon.
const REPLY_TIMEOUT_SECS: i64 = 5;
/// How often an interrupted dump (NLM_F_DUMP_INTR: the table changed under it) is
/// restarted before giving up.
const DUMP_RETRIES: usize = 5;

/// A NACK: the errno and the kernel's extended-ACK text.
pub(crate) type Nack = (Errno, Option<String>);
/// The messages of an answer: (nlmsg_type, payload).
pub(crate) type Replies = Vec<(u16, Vec<u8>)>;

/// One message of a datagram, header fields and payload.
#[derive(Debug)]
pub(crate) struct Message<'a> {
    /// nlmsg_type.
    pub kind: u16,
    /// nlmsg_flags.
    pub flags: u16,
    /// nlmsg_seq.
    pub seq: u32,
    /// The bytes after the header.
    pub payload: &'a [u8],
}

/// Splits a datagram into netlink messages; a malformed one ends the datagram with an
/// error (the kernel never sends one, so this is only defence).
pub(crate) fn split(datagram: &[u8]) -> Result<Vec<Message<'_>>, String> {
    let mut out = Vec::new();
    let mut off = 0;
    while off < datagram.len() {
        let rest = &datagram[off..];
        let buf = NetlinkBuffer::new_checked(rest).map_err(|e| e.to_string())?;
        let len = buf.length() as usize;
        if len < NLMSG_HDRLEN || len > rest.len() {
            return Err(format!("message length {len} out of range"));
        }
        out.push(Message {
            kind: buf.message_type(),
            flags: buf.flags(),
            seq: buf.sequence_number(),
            payload: &rest[NLMSG_HDRLEN..len],
        });
        // Messages are 4-byte aligned (NLMSG_ALIGN).
        off += (len + 3) & !3;
    }
    Ok(out)
}

/// Decodes an NLMSG_ERROR payload: Ok(()) for an ACK, the errno and the extended-ACK
/// text for a NACK.
pub(crate) fn error_code(msg: &Message<'_>) -> Result<(), Nack> {
    let p = msg.payload;
    let Some(code) = p.get(0..4) else {
        return Err((Errno::EBADMSG, Some("short NLMSG_ERROR".into())));
    };
    let code = i32::from_ne_bytes([code[0], code[1], code[2], code[3]]);
    if code == 0 {
        return Ok(());
    }
    let errno = Errno::from_raw(code.saturating_neg());
    Err((errno, ack_message(msg)))
}

/// The NLMSGERR_ATTR_MSG text after the echoed request, when the kernel attached one.
fn ack_message(msg: &Message<'_>) -> Option<String> {
    if msg.flags & NLM_F_ACK_TLVS == 0 {
        return None;
    }
    let p = msg.payload;
    let echoed = if msg.flags & NLM_F_CAPPED != 0 {
        NLMSG_HDRLEN
    } else {
        let len = p.get(4..8)?;
        (u32::from_ne_bytes([len[0], len[1], len[2], len[3]]) as usize + 3) & !3
    };
    let tlvs = p.get(4 + echoed..)?;
    for nla in NlasIterator::new(tlvs) {
        let nla = nla.ok()?;
        if nla.kind() == NLMSGERR_ATTR_MSG {
            let v = nla.value();
            let end = v.iter().position(|b| *b == 0).unwrap_or(v.len());
            return Some(String::from_utf8_lossy(&v[..end]).into_owned());
        }
    }
    None
}

/// A NACK turned into the crate's error.
pub(crate) fn nack(
    op: &'static str,
    object: impl Into<String>,
    (errno, message): Nack,
) -> NetError {
    NetError::Kernel {
        op,
        object: object.into(),
        errno,
        message,
    }
}

/// Opens a NETLINK_ROUTE socket bound to a kernel-chosen port and connected to the
/// kernel.
pub(crate) fn open_socket(what: &str) -> Result<Socket, NetError> {
    let mut sock = Socket::new(NETLINK_ROUTE)
        .map_err(|e| NetError::socket(format!("opening the {what} socket"), &e))?;
    sock.bind_auto()
        .map_err(|e| NetError::socket(format!("binding the {what} socket"), &e))?;
    sock.connect(&SocketAddr::new(0, 0))
        .map_err(|e| NetError::socket(format!("connecting the {what} socket"), &e))?;
    Ok(sock)
}

/// Receives one datagram into `buf` (cleared first); a datagram larger than the
/// buffer is an error rather than silently cut.
pub(crate) fn recv(sock: &Socket, buf: &mut Vec<u8>) -> std::io::Result<()> {
    buf.clear();
    if buf.capacity() < RECV_BUF {
        buf.reserve(RECV_BUF);
    }
    let cap = buf.capacity();
    loop {
        match sock.recv(buf, libc::MSG_TRUNC) {
            Ok(n) if n > cap => {
                return Err(std::io::Error::from_raw_os_error(libc::EMSGSIZE));
            }
            Ok(_) => return Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
}

/// A blocking request/answer socket: one request at a time, answers matched by
/// sequence number.
pub(crate) struct Requester {
    sock: Socket,
    seq: u32,
    buf: Vec<u8>,
}

/// What a request brought back: the messages' (type, payload), and whether a dump
/// was interrupted by a concurrent change.
struct Answer {
    messages: Replies,
    interrupted: bool,
}

impl Requester {
    /// Opens the socket with extended ACKs (the kernel says why it refused), capped
    /// ACKs (it does not echo our request back) and a reply timeout.
    pub(crate) fn open() -> Result<Requester, NetError> {
        let sock = open_socket("rtnetlink")?;
        // Both are conveniences: old kernels without them still work.
        let _ = sock.set_ext_ack(true);
        let _ = sock.set_cap_ack(true);
        setsockopt(
            &sock,
            sockopt::ReceiveTimeout,
            &TimeVal::new(REPLY_TIMEOUT_SECS, 0),
        )
        .map_err(|errno| NetError::Socket {
            op: "setting the rtnetlink reply timeout".into(),
            errno,
        })?;
        Ok(Requester {
            sock,
            seq: 0,
            buf: Vec::with_capacity(RECV_BUF),
        })
    }

    /// Sends a request that changes something and waits for its ACK.
    pub(crate) fn ack(
        &mut self,
        msg: RouteNetlinkMessage,
        flags: u16,
        op: &'static str,
        object: &dyn Fn() -> String,
    ) -> Result<(), NetError> {
        self.transact(msg, NLM_F_REQUEST | NLM_F_ACK | flags, op)?
            .map(|_| ())
            .map_err(|e| nack(op, object(), e))
    }

    /// Sends a get request for one object; its answer messages, or the NACK.
    pub(crate) fn get(
        &mut self,
        msg: RouteNetlinkMessage,
        op: &'static str,
    ) -> Result<Result<Replies, Nack>, NetError> {
        Ok(self
            .transact(msg, NLM_F_REQUEST | NLM_F_ACK, op)?
            .map(|a| a.messages))
    }

    /// Dumps a table; restarted when the kernel flags the dump as interrupted.
    pub(crate) fn dump(
        &mut self,
        msg: RouteNetlinkMessage,
        op: &'static str,
    ) -> Result<Replies, NetError> {
        for _ in 0..DUMP_RETRIES {
            let answer = self
                .transact(msg.clone(), NLM_F_REQUEST | NLM_F_DUMP, op)?
                .map_err(|e| nack(op, "(dump)", e))?;
            if !answer.interrupted {
                return Ok(answer.messages);
            }
        }
        Err(NetError::Kernel {
            op,
            object: "(dump)".into(),
            errno: Errno::EINTR,
            message: Some(format!(
                "interrupted by concurrent changes {DUMP_RETRIES} times"
            )),
        })
    }

    /// Sends `msg` and reads until its ACK/NACK (or NLMSG_DONE for a dump).
    fn transact(
        &mut self,
        msg: RouteNetlinkMessage,
        flags: u16,
        op: &'static str,
    ) -> Result<Result<Answer, Nack>, NetError> {
        self.seq = self.seq.wrapping_add(1);
        let seq = self.seq;
        let mut header = NetlinkHeader::default();
        header.flags = flags;
        header.sequence_number = seq;
        let mut packet = NetlinkMessage::new(header, NetlinkPayload::from(msg));
        packet.finalize();
        let mut out = vec![0u8; packet.buffer_len()];
        packet.serialize(&mut out);
        loop {
            match self.sock.send(&out, 0) {
                Ok(_) => break,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(NetError::socket(format!("{op}: sending"), &e)),
            }
        }
        let mut answer = Answer {
            messages: Vec::new(),
            interrupted: false,
        };
        loop {
            if let Err(e) = recv(&self.sock, &mut self.buf) {
                let errno = errno_of(&e);
                if errno == Errno::EAGAIN {
                    return Err(NetError::Timeout { op: op.into() });
                }
                return Err(NetError::Socket {
                    op: format!("{op}: receiving"),
                    errno,
                });
            }
            let msgs = split(&self.buf).map_err(|detail| NetError::Decode {
                op: op.into(),
                detail,
            })?;
            for m in msgs {
                if m.seq != seq {
                    // The answer to an earlier request that timed out: not ours.
                    continue;
                }
                if m.flags & NLM_F_DUMP_INTR != 0 {
                    answer.interrupted = true;
                }
                match m.kind {
                    NLMSG_ERROR => return Ok(error_code(&m).map(|()| answer)),
                    NLMSG_DONE => {
                        // A dump that failed half-way reports its error in DONE.
                        if let Some(c) = m.payload.get(0..4) {
                            let code = i32::from_ne_bytes([c[0], c[1], c[2], c[3]]);
                            if code < 0 {
                                return Ok(Err((Errno::from_raw(-code), ack_message(&m))));
                            }
                        }
                        return Ok(Ok(answer));
                    }
                    NLMSG_NOOP | NLMSG_OVERRUN => {}
                    kind => answer.messages.push((kind, m.payload.to_vec())),
                }
            }
        }
    }
}
