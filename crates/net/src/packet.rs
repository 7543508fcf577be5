//! A send-only AF_PACKET socket: the one place in the crate with `unsafe`, because
//! neither nix nor pnet builds a `sockaddr_ll` for `sendto` safely.
#![allow(unsafe_code)]

use crate::error::NetError;
use nix::sys::socket::{
    sendto, socket, AddressFamily, LinkAddr, MsgFlags, SockFlag, SockType, SockaddrLike,
};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};

/// Ethernet header length; frames must at least hold it.
const ETH_HLEN: usize = 14;

/// An AF_PACKET/SOCK_RAW socket opened with protocol 0: the kernel delivers it no
/// frames at all (no receive queue to fill with copies of the link's traffic), and
/// it can still send complete Ethernet frames on any interface named in `sendto`.
pub(crate) struct PacketSocket {
    fd: OwnedFd,
}

impl PacketSocket {
    /// Opens the socket, non-blocking (a full transmit queue is an error, never a
    /// stall of the event loop) and close-on-exec. Needs CAP_NET_RAW.
    pub(crate) fn open() -> Result<PacketSocket, NetError> {
        let fd = socket(
            AddressFamily::Packet,
            SockType::Raw,
            SockFlag::SOCK_CLOEXEC | SockFlag::SOCK_NONBLOCK,
            None,
        )
        .map_err(|errno| NetError::Socket {
            op: "opening an AF_PACKET socket".into(),
            errno,
        })?;
        Ok(PacketSocket { fd })
    }

    /// Sends one complete Ethernet frame out of `ifindex`.
    pub(crate) fn send(&self, ifindex: u32, frame: &[u8]) -> Result<(), NetError> {
        if frame.len() < ETH_HLEN {
            return Err(NetError::Invalid {
                object: format!("a {}-byte frame for ifindex {ifindex}", frame.len()),
                reason: "shorter than an Ethernet header".into(),
            });
        }
        let ifindex_c = i32::try_from(ifindex).map_err(|_| NetError::Invalid {
            object: format!("ifindex {ifindex}"),
            reason: "out of range".into(),
        })?;
        let mut sll_addr = [0u8; 8];
        sll_addr[..6].copy_from_slice(&frame[..6]);
        let sll = libc::sockaddr_ll {
            sll_family: libc::AF_PACKET as u16,
            // Network byte order, as in the frame: skb->protocol for the stack
            // (the frame carries its own link header, SOCK_RAW).
            sll_protocol: u16::from_ne_bytes([frame[12], frame[13]]),
            sll_ifindex: ifindex_c,
            sll_hatype: 0,
            sll_pkttype: 0,
            sll_halen: 6,
            sll_addr,
        };
        let len = std::mem::size_of::<libc::sockaddr_ll>() as libc::socklen_t;
        // SAFETY: `sll` is a fully initialised sockaddr_ll that lives across the call,
        // and `len` is its exact size; from_raw only reads that many bytes and checks
        // the family.
        let addr = unsafe {
            LinkAddr::from_raw(
                (&sll as *const libc::sockaddr_ll).cast::<libc::sockaddr>(),
                Some(len),
            )
        }
        .ok_or_else(|| NetError::Invalid {
            object: format!("ifindex {ifindex}"),
            reason: "could not build a link-layer address".into(),
        })?;
        let sent =
            sendto(self.fd.as_raw_fd(), frame, &addr, MsgFlags::empty()).map_err(|errno| {
                NetError::Socket {
                    op: format!("sending a {}-byte frame on ifindex {ifindex}", frame.len()),
                    errno,
                }
            })?;
        if sent != frame.len() {
            return Err(NetError::Socket {
                op: format!(
                    "sending a {}-byte frame on ifindex {ifindex} (sent {sent})",
                    frame.len()
                ),
                errno: nix::errno::Errno::EMSGSIZE,
            });
        }
        Ok(())
    }
}

impl AsRawFd for PacketSocket {
    fn as_raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}

impl AsFd for PacketSocket {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}
