//! Processes and privileges for vigild and its children (DESIGN.md, "Processes
//! and privileges"): resolving the account a child runs as, dropping a freshly
//! exec'd child to its role, checking a child's privileges from /proc, pid
//! files held with flock, daemonising, and a child's scheduling ([`tune`]).
//!
//! Unsafe code lives only in the private `fork` module and in [`tune`] (scheduling of
//! a child by its pid); the crate denies it everywhere else.
//!
//! No seccomp filter yet: an allow-list must be derived from the syscalls the
//! finished daemons make, and is better added with them (verification already
//! reads the `Seccomp:` mode and can require a filter, see [`verify::Expected`]).

// Tests may unwrap (STYLE); the library itself may not.
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod capmask;
pub mod daemon;
mod fork;
pub mod pidfile;
pub mod privdrop;
pub mod role;
pub mod status;
pub mod tune;
pub mod user;
pub mod verify;

pub use capmask::CapMask;
pub use daemon::{daemonize, DaemonError};
pub use pidfile::{PidFile, PidFileError};
pub use privdrop::{drop_privileges, DropError, DropPlan};
pub use role::Role;
pub use status::{ProcStatus, SeccompMode, StatusError};
pub use user::{Account, UserError};
pub use verify::{Difference, Expected, VerifyError};
