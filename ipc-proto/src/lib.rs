//! The messages between vigild (the supervisor) and its children vigil-vrrpd and
//! vigil-checkerd (DESIGN.md, "IPC"): typed enums per direction and role, bincode 2 over
//! SOCK_SEQPACKET socketpairs, one message per datagram, a 64 KiB limit, a version
//! handshake, file descriptors for the broker, and the supervisor's validation of every
//! child request.
//!
//! - [`msg`]: the messages, each documented where it is declared.
//! - [`frame`]: encoding, decoding, limits and the handshake as pure logic.
//! - [`stream`]: a configuration sent object by object, and its reassembly.
//! - [`channel`]: the socket I/O (nix), ready for a mio event loop.
//! - [`validate`]: the supervisor's check of child requests against the configuration.

pub mod channel;
mod fd;
pub mod frame;
pub mod msg;
pub mod stream;
pub mod validate;

pub use channel::{seqpacket_pair, Channel, ChannelError, Received};
pub use fd::{adopt_inherited, InheritError};
pub use frame::{Event, Session, Violation, MAX_MESSAGE_SIZE};
pub use msg::checker::{FromChecker, ToChecker};
pub use msg::vrrp::{FromVrrp, ToVrrp};
pub use msg::{Direction, Hello, Role, PROTOCOL_VERSION};
pub use validate::Refusal;
