//! The raw VRRP sockets: one per interface and address family, shared by every
//! instance there (DESIGN.md). Receiving hands the codec a [`Datagram`]; sending takes
//! a whole IPv4 datagram (IP_HDRINCL) or an IPv6 VRRP message with its source address.

pub mod sys;

use std::fmt;
use std::io::{IoSlice, IoSliceMut};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddrV4, SocketAddrV6};
use std::os::fd::{AsRawFd, OwnedFd, RawFd};

use nix::errno::Errno;
use nix::sys::socket::{
    recvmsg, sendmsg, sendto, ControlMessage, ControlMessageOwned, MsgFlags, SockaddrIn,
    SockaddrIn6,
};

use crate::packet::{Datagram, Family};

/// A socket failure, with what was being done.
#[derive(Debug)]
pub struct SocketError {
    /// The operation (`open`, `join 224.0.0.18`, `send`, ...).
    pub op: String,
    /// The interface.
    pub interface: String,
    /// The system's error.
    pub error: std::io::Error,
}

impl fmt::Display for SocketError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} on {}: {}", self.op, self.interface, self.error)
    }
}

impl std::error::Error for SocketError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

/// The raw VRRP socket of one interface and family.
#[derive(Debug)]
pub struct VrrpSocket {
    fd: OwnedFd,
    family: Family,
    ifindex: u32,
    ifname: String,
    cmsg: Vec<u8>,
}

impl VrrpSocket {
    /// Opens the socket of `family` for IP protocol `protocol` (VRRP, or AH) on
    /// interface `ifname` (index `ifindex`).
    pub fn open(
        family: Family,
        ifname: &str,
        ifindex: u32,
        protocol: u8,
        rcvbuf: Option<usize>,
    ) -> Result<VrrpSocket, SocketError> {
        let fd = sys::open(family, ifname, protocol, rcvbuf).map_err(|error| SocketError {
            op: format!("opening the {} VRRP socket", family_name(family)),
            interface: ifname.to_string(),
            error,
        })?;
        Ok(VrrpSocket {
            fd,
            family,
            ifindex,
            ifname: ifname.to_string(),
            cmsg: nix::cmsg_space!(nix::libc::in6_pktinfo, nix::libc::c_int),
        })
    }

    /// The address family.
    pub fn family(&self) -> Family {
        self.family
    }

    /// The interface index.
    pub fn ifindex(&self) -> u32 {
        self.ifindex
    }

    /// Joins multicast `group` on the interface (RFC 5798 §5.1.1.2 / §5.1.2.2).
    pub fn join(&self, group: IpAddr) -> Result<(), SocketError> {
        sys::membership(&self.fd, group, self.ifindex, true)
            .map_err(|error| self.err(format!("joining {group}"), error))
    }

    /// Leaves multicast `group`.
    pub fn leave(&self, group: IpAddr) -> Result<(), SocketError> {
        sys::membership(&self.fd, group, self.ifindex, false)
            .map_err(|error| self.err(format!("leaving {group}"), error))
    }

    fn err(&self, op: String, error: std::io::Error) -> SocketError {
        SocketError {
            op,
            interface: self.ifname.clone(),
            error,
        }
    }

    /// Sends a whole IPv4 datagram (header included) to `dst`.
    pub fn send_v4(&self, datagram: &[u8], dst: Ipv4Addr) -> Result<(), SocketError> {
        let addr = SockaddrIn::from(SocketAddrV4::new(dst, 0));
        loop {
            match sendto(self.fd.as_raw_fd(), datagram, &addr, MsgFlags::MSG_DONTWAIT) {
                Ok(_) => return Ok(()),
                Err(Errno::EINTR) => continue,
                Err(e) => return Err(self.err(format!("sending to {dst}"), e.into())),
            }
        }
    }

    /// Sends a VRRP message over IPv6 from `src` (IPV6_PKTINFO) to `dst`.
    pub fn send_v6(&self, msg: &[u8], src: Ipv6Addr, dst: Ipv6Addr) -> Result<(), SocketError> {
        let scope = if dst.is_multicast() || is_link_local(dst) {
            self.ifindex
        } else {
            0
        };
        let addr = SockaddrIn6::from(SocketAddrV6::new(dst, 0, 0, scope));
        let info = nix::libc::in6_pktinfo {
            ipi6_addr: nix::libc::in6_addr {
                s6_addr: src.octets(),
            },
            ipi6_ifindex: self.ifindex,
        };
        let cmsgs = [ControlMessage::Ipv6PacketInfo(&info)];
        let iov = [IoSlice::new(msg)];
        loop {
            match sendmsg(
                self.fd.as_raw_fd(),
                &iov,
                &cmsgs,
                MsgFlags::MSG_DONTWAIT,
                Some(&addr),
            ) {
                Ok(_) => return Ok(()),
                Err(Errno::EINTR) => continue,
                Err(e) => return Err(self.err(format!("sending to {dst}"), e.into())),
            }
        }
    }

    /// Receives one packet into `buf`; `None` when nothing is waiting.
    pub fn recv<'b>(&mut self, buf: &'b mut [u8]) -> Result<Option<Datagram<'b>>, SocketError> {
        let fd: RawFd = self.fd.as_raw_fd();
        let (len, src, dst, hop_limit) = loop {
            let mut iov = [IoSliceMut::new(buf)];
            let res = recvmsg::<SockaddrIn6>(
                fd,
                &mut iov,
                if self.family == Family::Ipv6 {
                    Some(&mut self.cmsg)
                } else {
                    None
                },
                MsgFlags::MSG_DONTWAIT,
            );
            match res {
                Ok(m) => {
                    let mut dst = Ipv6Addr::UNSPECIFIED;
                    let mut hop = 0u8;
                    if let Ok(cmsgs) = m.cmsgs() {
                        for c in cmsgs {
                            match c {
                                ControlMessageOwned::Ipv6PacketInfo(i) => {
                                    dst = Ipv6Addr::from(i.ipi6_addr.s6_addr);
                                }
                                ControlMessageOwned::Ipv6HopLimit(h) => {
                                    hop = u8::try_from(h).unwrap_or(0);
                                }
                                _ => {}
                            }
                        }
                    }
                    let src = m.address.map(|a| a.ip()).unwrap_or(Ipv6Addr::UNSPECIFIED);
                    break (m.bytes, src, dst, hop);
                }
                Err(Errno::EAGAIN) => return Ok(None),
                Err(Errno::EINTR) => continue,
                Err(e) => return Err(self.err("receiving".into(), e.into())),
            }
        };
        let data = &buf[..len.min(buf.len())];
        Ok(Some(match self.family {
            Family::Ipv4 => Datagram::Ipv4(data),
            Family::Ipv6 => Datagram::Ipv6 {
                src,
                dst,
                hop_limit,
                payload: data,
            },
        }))
    }
}

impl AsRawFd for VrrpSocket {
    fn as_raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}

fn is_link_local(a: Ipv6Addr) -> bool {
    (a.segments()[0] & 0xffc0) == 0xfe80
}

fn family_name(f: Family) -> &'static str {
    match f {
        Family::Ipv4 => "IPv4",
        Family::Ipv6 => "IPv6",
    }
}
