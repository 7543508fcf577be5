//! Encoding, decoding, size limits and the handshake, as pure logic over byte slices.
//!
//! One message per datagram (SOCK_SEQPACKET keeps the boundaries), bincode 2 with the
//! standard configuration and a decode limit. Everything that goes wrong while reading
//! what the peer sent is a [`Violation`]: the supervisor kills and restarts a child that
//! commits one (relayd's `proc.c` treats an unexpected or badly sized imsg as fatal).

use crate::msg::{Direction, Hello, Role, Wire, PROTOCOL_VERSION};
use std::fmt;
use std::marker::PhantomData;

/// The largest datagram either side sends or accepts.
pub const MAX_MESSAGE_SIZE: usize = 64 * 1024;

/// bincode's standard configuration with the decode limit: a length prefix can never
/// make the decoder claim more than one datagram's worth of memory.
pub fn bincode_config() -> bincode::config::Configuration<
    bincode::config::LittleEndian,
    bincode::config::Varint,
    bincode::config::Limit<MAX_MESSAGE_SIZE>,
> {
    bincode::config::standard().with_limit::<MAX_MESSAGE_SIZE>()
}

/// A message this side cannot send; a bug on this side, not the peer's.
#[derive(Debug)]
pub enum EncodeError {
    /// bincode refused the value.
    Bincode(bincode::error::EncodeError),
    /// The encoding is larger than [`MAX_MESSAGE_SIZE`].
    Oversized {
        /// The message's name.
        kind: &'static str,
        /// Its encoded length.
        len: usize,
    },
    /// The message needs another number of file descriptors than given.
    FdCount {
        /// The message's name.
        kind: &'static str,
        /// What the message needs.
        expected: usize,
        /// What was given.
        given: usize,
    },
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EncodeError::Bincode(e) => write!(f, "cannot encode message: {e}"),
            EncodeError::Oversized { kind, len } => write!(
                f,
                "{kind} message is {len} bytes, more than the {MAX_MESSAGE_SIZE}-byte limit"
            ),
            EncodeError::FdCount {
                kind,
                expected,
                given,
            } => write!(
                f,
                "{kind} message carries {expected} file descriptor(s), {given} given"
            ),
        }
    }
}

impl std::error::Error for EncodeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            EncodeError::Bincode(e) => Some(e),
            _ => None,
        }
    }
}

/// What the peer did wrong; the connection cannot go on.
#[derive(Debug)]
pub enum Violation {
    /// A datagram longer than [`MAX_MESSAGE_SIZE`].
    Oversized {
        /// Its length, as far as known.
        len: usize,
    },
    /// The bytes are not a message of this direction.
    Decode(bincode::error::DecodeError),
    /// A message followed by extra bytes in the same datagram.
    TrailingBytes {
        /// Bytes the message used.
        used: usize,
        /// Bytes in the datagram.
        len: usize,
    },
    /// The peer speaks another protocol version.
    VersionMismatch {
        /// Ours.
        ours: u32,
        /// Theirs.
        theirs: u32,
    },
    /// The peer's Hello names the wrong role.
    WrongRole {
        /// The role this channel expects at the other end.
        expected: Role,
        /// The role the peer claimed.
        got: Role,
    },
    /// A message before the peer's Hello.
    MessageBeforeHello {
        /// The message's name.
        kind: &'static str,
    },
    /// A second Hello.
    RepeatedHello,
    /// A message with another number of file descriptors than its kind carries.
    FdCount {
        /// The message's name ("Hello" for the handshake).
        kind: &'static str,
        /// What that kind carries.
        expected: usize,
        /// What arrived.
        got: usize,
    },
    /// The ancillary data did not fit the receive buffer (more descriptors than the
    /// kernel allows in one message, or other control messages).
    ControlTruncated,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Violation::Oversized { len } => write!(
                f,
                "datagram of {len} bytes exceeds the {MAX_MESSAGE_SIZE}-byte limit"
            ),
            Violation::Decode(e) => write!(f, "undecodable message: {e}"),
            Violation::TrailingBytes { used, len } => {
                write!(f, "message uses {used} of the {len} bytes of its datagram")
            }
            Violation::VersionMismatch { ours, theirs } => {
                write!(f, "peer speaks protocol version {theirs}, this side {ours}")
            }
            Violation::WrongRole { expected, got } => {
                write!(f, "peer says it is the {got}, expected the {expected}")
            }
            Violation::MessageBeforeHello { kind } => {
                write!(f, "{kind} message before the handshake")
            }
            Violation::RepeatedHello => f.write_str("second Hello after the handshake"),
            Violation::FdCount {
                kind,
                expected,
                got,
            } => write!(
                f,
                "{kind} message came with {got} file descriptor(s), it carries {expected}"
            ),
            Violation::ControlTruncated => f.write_str("ancillary data truncated"),
        }
    }
}

impl std::error::Error for Violation {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Violation::Decode(e) => Some(e),
            _ => None,
        }
    }
}

/// Encodes one datagram, refusing anything over [`MAX_MESSAGE_SIZE`].
pub fn encode<M: Direction>(wire: &Wire<M>) -> Result<Vec<u8>, EncodeError> {
    let bytes =
        bincode::serde::encode_to_vec(wire, bincode_config()).map_err(EncodeError::Bincode)?;
    if bytes.len() > MAX_MESSAGE_SIZE {
        let kind = match wire {
            Wire::Hello(_) => "Hello",
            Wire::Message(m) => m.kind(),
        };
        return Err(EncodeError::Oversized {
            kind,
            len: bytes.len(),
        });
    }
    Ok(bytes)
}

/// Decodes one datagram: exactly one message, no trailing bytes.
pub fn decode<M: Direction>(datagram: &[u8]) -> Result<Wire<M>, Violation> {
    if datagram.len() > MAX_MESSAGE_SIZE {
        return Err(Violation::Oversized {
            len: datagram.len(),
        });
    }
    let (wire, used) = bincode::serde::decode_from_slice::<Wire<M>, _>(datagram, bincode_config())
        .map_err(Violation::Decode)?;
    if used != datagram.len() {
        return Err(Violation::TrailingBytes {
            used,
            len: datagram.len(),
        });
    }
    Ok(wire)
}

/// The protocol version of a datagram that starts like a Hello (variant 0, version
/// first), whatever follows: lets a peer of another version be told apart from garbage.
pub fn peek_version(datagram: &[u8]) -> Option<u32> {
    let ((tag, version), _) =
        bincode::serde::decode_from_slice::<(u32, u32), _>(datagram, bincode_config()).ok()?;
    (tag == 0).then_some(version)
}

/// What a received datagram meant.
#[derive(Debug, PartialEq)]
pub enum Event<M> {
    /// The peer's Hello: the handshake is complete.
    Established(Hello),
    /// A message after the handshake.
    Message(M),
}

/// One end of a channel as a state machine: sends `Tx`, receives `Rx`, and checks the
/// handshake (each side's first datagram is its Hello; versions and roles must match).
#[derive(Debug)]
pub struct Session<Tx, Rx> {
    local: Hello,
    peer: Option<Hello>,
    _types: PhantomData<fn(Tx) -> Rx>,
}

impl<Tx: Direction, Rx: Direction> Session<Tx, Rx> {
    /// A session for the process `pid` playing `Tx::FROM`.
    pub fn new(pid: u32) -> Self {
        Session {
            local: Hello {
                version: PROTOCOL_VERSION,
                role: Tx::FROM,
                pid,
            },
            peer: None,
            _types: PhantomData,
        }
    }

    /// This side's Hello, encoded: the first datagram to send.
    pub fn hello(&self) -> Result<Vec<u8>, EncodeError> {
        encode::<Tx>(&Wire::Hello(self.local))
    }

    /// Encodes a message with the number of descriptors it will travel with.
    pub fn encode(&self, msg: &Tx, fds: usize) -> Result<Vec<u8>, EncodeError> {
        let expected = msg.fd_count();
        if fds != expected {
            return Err(EncodeError::FdCount {
                kind: msg.kind(),
                expected,
                given: fds,
            });
        }
        // Cloning here would copy whole configuration objects; serialize in place.
        let bytes = bincode::serde::encode_to_vec(WireRef::<Tx>::Message(msg), bincode_config())
            .map_err(EncodeError::Bincode)?;
        if bytes.len() > MAX_MESSAGE_SIZE {
            return Err(EncodeError::Oversized {
                kind: msg.kind(),
                len: bytes.len(),
            });
        }
        Ok(bytes)
    }

    /// The peer's Hello, once received.
    pub fn peer(&self) -> Option<&Hello> {
        self.peer.as_ref()
    }

    /// Takes one received datagram and the number of descriptors that came with it.
    pub fn receive(&mut self, datagram: &[u8], fds: usize) -> Result<Event<Rx>, Violation> {
        if self.peer.is_none() {
            // Before the handshake, tell an other-version peer from garbage.
            if let Some(theirs) = peek_version(datagram) {
                if theirs != PROTOCOL_VERSION {
                    return Err(Violation::VersionMismatch {
                        ours: PROTOCOL_VERSION,
                        theirs,
                    });
                }
            }
        }
        let wire = decode::<Rx>(datagram)?;
        match (wire, self.peer) {
            (Wire::Hello(_), Some(_)) => Err(Violation::RepeatedHello),
            (Wire::Hello(hello), None) => {
                if fds != 0 {
                    return Err(Violation::FdCount {
                        kind: "Hello",
                        expected: 0,
                        got: fds,
                    });
                }
                if hello.version != PROTOCOL_VERSION {
                    return Err(Violation::VersionMismatch {
                        ours: PROTOCOL_VERSION,
                        theirs: hello.version,
                    });
                }
                if hello.role != Rx::FROM {
                    return Err(Violation::WrongRole {
                        expected: Rx::FROM,
                        got: hello.role,
                    });
                }
                self.peer = Some(hello);
                Ok(Event::Established(hello))
            }
            (Wire::Message(msg), None) => Err(Violation::MessageBeforeHello { kind: msg.kind() }),
            (Wire::Message(msg), Some(_)) => {
                let expected = msg.fd_count();
                if fds != expected {
                    return Err(Violation::FdCount {
                        kind: msg.kind(),
                        expected,
                        got: fds,
                    });
                }
                Ok(Event::Message(msg))
            }
        }
    }
}

/// [`Wire`] borrowing its message: same encoding (serde names the same enum and
/// variants), no copy.
#[derive(serde::Serialize)]
#[serde(rename = "Wire")]
enum WireRef<'a, M> {
    #[allow(dead_code)]
    Hello(Hello),
    Message(&'a M),
}
