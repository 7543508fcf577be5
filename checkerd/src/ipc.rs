//! The channel to the supervisor: the handshake, sending, receiving, and the check that
//! the peer is the supervisor that started this process.

use std::fmt;
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use vigil_ipc::{Channel, ChannelError, Event, FromChecker, ToChecker};

/// A failure of the channel, with what was being done.
#[derive(Debug)]
pub struct IpcError {
    /// What was being done.
    pub op: &'static str,
    /// The failure.
    pub error: ChannelError,
}

impl fmt::Display for IpcError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IPC {}: {}", self.op, self.error)
    }
}

impl std::error::Error for IpcError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

impl IpcError {
    /// True when the supervisor closed its end (it exited or stopped this child).
    pub fn is_closed(&self) -> bool {
        matches!(self.error, ChannelError::Closed)
    }
}

/// What arrived from the supervisor.
#[derive(Debug)]
pub enum Incoming {
    /// The supervisor's Hello: the handshake is done.
    Established {
        /// The pid the supervisor gave.
        pid: u32,
    },
    /// A message, with the descriptors it carries.
    Message(ToChecker, Vec<OwnedFd>),
}

/// The checker's end of the channel.
#[derive(Debug)]
pub struct Ipc {
    channel: Channel<FromChecker, ToChecker>,
}

impl Ipc {
    /// Wraps the inherited socket and queues this process's Hello.
    pub fn new(fd: OwnedFd) -> Result<Ipc, IpcError> {
        let channel = Channel::new(fd, std::process::id()).map_err(|error| IpcError {
            op: "handshake",
            error,
        })?;
        Ok(Ipc { channel })
    }

    /// Queues a message and sends what the socket takes.
    pub fn send(&mut self, msg: &FromChecker) -> Result<(), IpcError> {
        log::debug!("IPC: sending {msg:?}");
        self.channel
            .send(msg)
            .map_err(|error| IpcError { op: "send", error })
    }

    /// Sends what is queued; true when the queue is empty.
    pub fn flush(&mut self) -> Result<bool, IpcError> {
        self.channel
            .flush()
            .map_err(|error| IpcError { op: "send", error })
    }

    /// True while messages wait for the socket.
    pub fn wants_write(&self) -> bool {
        self.channel.wants_write()
    }

    /// Receives one datagram, `None` when none is waiting.
    pub fn recv(&mut self) -> Result<Option<Incoming>, IpcError> {
        let received = self.channel.recv().map_err(|error| IpcError {
            op: "receive",
            error,
        })?;
        Ok(received.map(|r| match r.event {
            Event::Established(hello) => Incoming::Established { pid: hello.pid },
            Event::Message(m) => Incoming::Message(m, r.fds),
        }))
    }
}

impl AsRawFd for Ipc {
    fn as_raw_fd(&self) -> RawFd {
        self.channel.as_raw_fd()
    }
}
