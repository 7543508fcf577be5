//! Link and address notifications: a non-blocking NETLINK_ROUTE socket joined to
//! RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR and RTNLGRP_IPV6_IFADDR, for a `mio` event loop.

use crate::addr;
pub use crate::addr::AddrSpec;
use crate::error::{errno_of, NetError};
pub use crate::link::Link;
use crate::link::{self, AF_BRIDGE};
use crate::nl;
use crate::rtnl::{RTM_DELADDR, RTM_DELLINK, RTM_NEWADDR, RTM_NEWLINK};
use netlink_packet_route::link::LinkHeader;
use netlink_sys::Socket;
use nix::errno::Errno;
use nix::sys::socket::{setsockopt, sockopt};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};

/// Multicast groups (linux/rtnetlink.h, enum rtnetlink_groups).
const RTNLGRP_LINK: u32 = 1;
const RTNLGRP_IPV4_IFADDR: u32 = 5;
const RTNLGRP_IPV6_IFADDR: u32 = 9;
/// The receive buffer asked for: a burst of notifications (hundreds of VIPs added at
/// once on failover) must not overflow it. SO_RCVBUFFORCE (CAP_NET_ADMIN) lifts the
/// rmem_max cap; without the capability SO_RCVBUF gets what rmem_max allows.
const RCVBUF: usize = 4 * 1024 * 1024;

/// At most this many datagrams are discarded after an overflow.
const DRAIN_MAX: usize = 10_000;

/// One change in the kernel's links or addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetEvent {
    /// A link appeared or changed (RTM_NEWLINK): its whole new state.
    LinkChanged(Link),
    /// A link was deleted (RTM_DELLINK): its index.
    LinkRemoved(u32),
    /// An address was added or changed (RTM_NEWADDR; an IPv6 address leaving
    /// tentative state is announced again).
    AddrAdded(AddrSpec),
    /// An address was removed (RTM_DELADDR).
    AddrRemoved(AddrSpec),
}

/// The notification socket; register `as_raw_fd()` with mio for READABLE.
pub struct Monitor {
    sock: Socket,
    buf: Vec<u8>,
}

impl Monitor {
    /// Opens the socket, joins the groups and makes it non-blocking.
    pub fn open() -> Result<Monitor, NetError> {
        let sock = nl::open_socket("rtnetlink monitor")?;
        for group in [RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR] {
            sock.add_membership(group)
                .map_err(|e| NetError::socket(format!("joining rtnetlink group {group}"), &e))?;
        }
        if setsockopt(&sock, sockopt::RcvBufForce, &RCVBUF).is_err() {
            // Without CAP_NET_ADMIN: as much as rmem_max allows is still better
            // than the default.
            let _ = setsockopt(&sock, sockopt::RcvBuf, &RCVBUF);
        }
        sock.set_non_blocking(true)
            .map_err(|e| NetError::socket("making the rtnetlink monitor non-blocking", &e))?;
        Ok(Monitor {
            sock,
            buf: Vec::new(),
        })
    }

    /// Reads everything pending (until EAGAIN); never blocks. `EventsLost` means the
    /// kernel dropped notifications: what was pending is discarded too, and the
    /// caller must re-read links and addresses with `Rtnl`.
    pub fn read(&mut self) -> Result<Vec<NetEvent>, NetError> {
        let mut events = Vec::new();
        loop {
            match nl::recv(&self.sock, &mut self.buf) {
                Ok(()) => {}
                Err(e) => match errno_of(&e) {
                    Errno::EAGAIN => return Ok(events),
                    // ENOBUFS: the kernel dropped notifications. EMSGSIZE: one was
                    // larger than the buffer and is lost. Either way the picture is
                    // incomplete.
                    Errno::ENOBUFS | Errno::EMSGSIZE => {
                        self.drain();
                        return Err(NetError::EventsLost);
                    }
                    errno => {
                        return Err(NetError::Socket {
                            op: "reading rtnetlink notifications".into(),
                            errno,
                        })
                    }
                },
            }
            match nl::split(&self.buf) {
                Ok(msgs) => events.extend(msgs.iter().filter_map(event_of)),
                Err(detail) => log::warn!("rtnetlink monitor: skipping a datagram: {detail}"),
            }
        }
    }

    /// Discards whatever is queued (after an overflow it is stale), bounded so that a
    /// flood cannot keep the event loop here.
    fn drain(&mut self) {
        for _ in 0..DRAIN_MAX {
            match nl::recv(&self.sock, &mut self.buf) {
                Ok(()) => {}
                Err(e) if errno_of(&e) == Errno::ENOBUFS => {}
                Err(_) => return,
            }
        }
    }
}

/// The event of one notification; None for other messages and for the bridge-port
/// notifications (AF_BRIDGE), whose RTM_DELLINK means "left the bridge", not
/// "deleted".
pub(crate) fn event_of(msg: &nl::Message<'_>) -> Option<NetEvent> {
    match msg.kind {
        RTM_NEWLINK => match link::decode(msg.payload) {
            Ok(d) if d.family == AF_BRIDGE => None,
            Ok(d) => Some(NetEvent::LinkChanged(d.link)),
            Err(e) => {
                log::warn!("rtnetlink monitor: skipping an undecodable link: {e}");
                None
            }
        },
        RTM_DELLINK => match LinkHeader::parse(msg.payload) {
            Ok(h) if u8::from(h.interface_family) == AF_BRIDGE => None,
            Ok(h) => Some(NetEvent::LinkRemoved(h.index)),
            Err(e) => {
                log::warn!("rtnetlink monitor: skipping an undecodable link removal: {e}");
                None
            }
        },
        RTM_NEWADDR | RTM_DELADDR => match addr::decode(msg.payload) {
            Ok(a) if msg.kind == RTM_NEWADDR => Some(NetEvent::AddrAdded(a)),
            Ok(a) => Some(NetEvent::AddrRemoved(a)),
            Err(e) => {
                log::warn!("rtnetlink monitor: skipping an undecodable address: {e}");
                None
            }
        },
        _ => None,
    }
}

impl AsRawFd for Monitor {
    fn as_raw_fd(&self) -> RawFd {
        self.sock.as_raw_fd()
    }
}

impl AsFd for Monitor {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.sock.as_fd()
    }
}
