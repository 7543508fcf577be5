//! The socketpair I/O: one SOCK_SEQPACKET socket per child, one message per datagram,
//! descriptors with SCM_RIGHTS, nonblocking-friendly for a mio event loop (register
//! [`Channel::as_raw_fd`] with `mio::unix::SourceFd`; on writable, call
//! [`Channel::flush`]; on readable, call [`Channel::recv`] until it returns `None`).

use crate::frame::{EncodeError, Event, Session, Violation, MAX_MESSAGE_SIZE};
use crate::msg::{Direction, Hello};
use nix::errno::Errno;
use nix::sys::socket::{
    recvmsg, sendmsg, socketpair, AddressFamily, ControlMessage, ControlMessageOwned, MsgFlags,
    SockFlag, SockType,
};
use std::collections::VecDeque;
use std::fmt;
use std::io::{IoSlice, IoSliceMut};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};

/// The kernel's limit of descriptors in one SCM_RIGHTS message (SCM_MAX_FD,
/// include/net/scm.h). Receiving with room for that many means no descriptor can be
/// cut off (and leaked) by MSG_CTRUNC.
const SCM_MAX_FD: usize = 253;

/// A failure of the channel.
#[derive(Debug)]
pub enum ChannelError {
    /// The peer broke the protocol: kill and restart it.
    Violation(Violation),
    /// This side could not encode a message (a bug here, not the peer's).
    Encode(EncodeError),
    /// The peer closed its end (it exited).
    Closed,
    /// A system call failed.
    Io {
        /// What was being done.
        op: &'static str,
        /// The error.
        errno: Errno,
    },
}

impl fmt::Display for ChannelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChannelError::Violation(v) => write!(f, "protocol violation: {v}"),
            ChannelError::Encode(e) => e.fmt(f),
            ChannelError::Closed => f.write_str("peer closed the channel"),
            ChannelError::Io { op, errno } => write!(f, "{op}: {errno}"),
        }
    }
}

impl std::error::Error for ChannelError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ChannelError::Violation(v) => Some(v),
            ChannelError::Encode(e) => Some(e),
            ChannelError::Io { errno, .. } => Some(errno),
            ChannelError::Closed => None,
        }
    }
}

impl From<Violation> for ChannelError {
    fn from(v: Violation) -> Self {
        ChannelError::Violation(v)
    }
}

impl From<EncodeError> for ChannelError {
    fn from(e: EncodeError) -> Self {
        ChannelError::Encode(e)
    }
}

/// A SOCK_SEQPACKET socketpair, close-on-exec and nonblocking. The spawner makes the
/// child's end inheritable (dup2 onto a fixed descriptor clears close-on-exec).
pub fn seqpacket_pair() -> Result<(OwnedFd, OwnedFd), ChannelError> {
    socketpair(
        AddressFamily::Unix,
        SockType::SeqPacket,
        None,
        SockFlag::SOCK_CLOEXEC | SockFlag::SOCK_NONBLOCK,
    )
    .map_err(|errno| ChannelError::Io {
        op: "socketpair",
        errno,
    })
}

/// A received event and the descriptors that came with it.
#[derive(Debug)]
pub struct Received<M> {
    /// What arrived.
    pub event: Event<M>,
    /// The descriptors (as many as the message kind carries).
    pub fds: Vec<OwnedFd>,
}

struct Outgoing {
    bytes: Vec<u8>,
    fds: Vec<OwnedFd>,
}

/// One end of a channel: sends `Tx`, receives `Rx`.
pub struct Channel<Tx, Rx> {
    fd: OwnedFd,
    session: Session<Tx, Rx>,
    queue: VecDeque<Outgoing>,
    buf: Vec<u8>,
    cmsg: Vec<u8>,
}

impl<Tx: Direction, Rx: Direction> Channel<Tx, Rx> {
    /// Wraps a connected SOCK_SEQPACKET socket and queues this side's Hello (process
    /// `pid`); call [`Channel::flush`] to send it.
    pub fn new(fd: OwnedFd, pid: u32) -> Result<Self, ChannelError> {
        let session = Session::new(pid);
        let hello = session.hello()?;
        let mut queue = VecDeque::new();
        queue.push_back(Outgoing {
            bytes: hello,
            fds: Vec::new(),
        });
        Ok(Channel {
            fd,
            session,
            queue,
            buf: vec![0; MAX_MESSAGE_SIZE],
            cmsg: nix::cmsg_space!([RawFd; SCM_MAX_FD]),
        })
    }

    /// The peer's Hello, once received.
    pub fn peer(&self) -> Option<&Hello> {
        self.session.peer()
    }

    /// Queues a message without descriptors and tries to send the queue.
    pub fn send(&mut self, msg: &Tx) -> Result<(), ChannelError> {
        self.send_with_fds(msg, Vec::new())
    }

    /// Queues a message with the descriptors it carries and tries to send the queue.
    /// The descriptors are closed here once sent (the peer has its own copies).
    pub fn send_with_fds(&mut self, msg: &Tx, fds: Vec<OwnedFd>) -> Result<(), ChannelError> {
        let bytes = self.session.encode(msg, fds.len())?;
        self.queue.push_back(Outgoing { bytes, fds });
        self.flush().map(|_| ())
    }

    /// True while messages wait for the socket to become writable.
    pub fn wants_write(&self) -> bool {
        !self.queue.is_empty()
    }

    /// Sends what the socket takes; returns true when the queue is empty.
    pub fn flush(&mut self) -> Result<bool, ChannelError> {
        while let Some(out) = self.queue.front() {
            let raw: Vec<RawFd> = out.fds.iter().map(|f| f.as_raw_fd()).collect();
            let cmsgs: &[ControlMessage] = if raw.is_empty() {
                &[]
            } else {
                &[ControlMessage::ScmRights(&raw)]
            };
            let iov = [IoSlice::new(&out.bytes)];
            // MSG_NOSIGNAL: a dead peer is an error to handle, not a SIGPIPE.
            match sendmsg::<()>(
                self.fd.as_raw_fd(),
                &iov,
                cmsgs,
                MsgFlags::MSG_NOSIGNAL | MsgFlags::MSG_DONTWAIT,
                None,
            ) {
                Ok(_) => {
                    self.queue.pop_front();
                }
                Err(Errno::EAGAIN) => return Ok(false),
                Err(Errno::EINTR) => {}
                Err(Errno::EPIPE) | Err(Errno::ECONNRESET) => return Err(ChannelError::Closed),
                Err(errno) => {
                    return Err(ChannelError::Io {
                        op: "sendmsg",
                        errno,
                    })
                }
            }
        }
        Ok(true)
    }

    /// Receives one datagram: `None` when none is waiting.
    pub fn recv(&mut self) -> Result<Option<Received<Rx>>, ChannelError> {
        loop {
            let mut iov = [IoSliceMut::new(&mut self.buf)];
            // MSG_TRUNC: the kernel reports the datagram's real length, so an oversized
            // one is recognised (and named) instead of decoded cut short.
            let flags = MsgFlags::MSG_CMSG_CLOEXEC | MsgFlags::MSG_TRUNC | MsgFlags::MSG_DONTWAIT;
            let msg =
                match recvmsg::<()>(self.fd.as_raw_fd(), &mut iov, Some(&mut self.cmsg), flags) {
                    Ok(m) => m,
                    Err(Errno::EAGAIN) => return Ok(None),
                    Err(Errno::EINTR) => continue,
                    Err(Errno::ECONNRESET) => return Err(ChannelError::Closed),
                    Err(errno) => {
                        return Err(ChannelError::Io {
                            op: "recvmsg",
                            errno,
                        })
                    }
                };
            let len = msg.bytes;
            let truncated = msg.flags.contains(MsgFlags::MSG_TRUNC);
            let ctrunc = msg.flags.contains(MsgFlags::MSG_CTRUNC);
            let mut fds = Vec::new();
            if let Ok(cmsgs) = msg.cmsgs() {
                for c in cmsgs {
                    if let ControlMessageOwned::ScmRights(raw) = c {
                        fds.extend(crate::fd::adopt_received(raw));
                    }
                }
            }
            if ctrunc {
                return Err(Violation::ControlTruncated.into());
            }
            if truncated || len > MAX_MESSAGE_SIZE {
                return Err(Violation::Oversized { len }.into());
            }
            // SOCK_SEQPACKET reads 0 bytes only at end of stream: no message of ours
            // encodes to zero bytes.
            if len == 0 && fds.is_empty() {
                return Err(ChannelError::Closed);
            }
            let event = self.session.receive(&self.buf[..len], fds.len())?;
            return Ok(Some(Received { event, fds }));
        }
    }
}

impl<Tx, Rx> AsFd for Channel<Tx, Rx> {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

impl<Tx, Rx> AsRawFd for Channel<Tx, Rx> {
    fn as_raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}

impl<Tx, Rx> fmt::Debug for Channel<Tx, Rx> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Channel")
            .field("fd", &self.fd)
            .field("queued", &self.queue.len())
            .finish()
    }
}
