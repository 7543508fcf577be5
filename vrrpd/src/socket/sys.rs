//! Creating and configuring the raw VRRP sockets: the options nix does not wrap
//! (IPPROTO_VRRP raw sockets, IP_HDRINCL, IPV6_MULTICAST_LOOP, multicast membership by
//! interface index) through socket2, which does the unsafe setsockopt calls itself, so
//! this module needs no unsafe code for them.
//!
//! The one unsafe function of the crate lives here too: [`adopt_inherited`], taking
//! ownership of the IPC descriptor the supervisor leaves open across exec.
#![allow(unsafe_code)]

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::os::fd::OwnedFd;

use nix::sys::socket::{setsockopt, sockopt};
use socket2::{Domain, InterfaceIndexOrAddress, Protocol, Socket, Type};

use crate::packet::{Family, TTL};

/// Opens a nonblocking, close-on-exec raw socket for VRRP on one interface:
/// SO_BINDTODEVICE, multicast loop off, TTL / hop limit 255 (RFC 5798 §5.1.1.3,
/// §5.1.2.3), IPv4 with IP_HDRINCL (we write the header, so the source is ours), IPv6
/// with IPV6_RECVPKTINFO and IPV6_RECVHOPLIMIT (RFC 5798 §7.1 checks the hop limit).
/// `protocol` is VRRP's 112, or AH's 51 for VRRPv2 with IPsec AH (an AH datagram is
/// delivered to AH raw sockets only).
pub fn open(
    family: Family,
    ifname: &str,
    protocol: u8,
    rcvbuf: Option<usize>,
) -> std::io::Result<OwnedFd> {
    let domain = match family {
        Family::Ipv4 => Domain::IPV4,
        Family::Ipv6 => Domain::IPV6,
    };
    let sock = Socket::new(
        domain,
        Type::RAW.nonblocking().cloexec(),
        Some(Protocol::from(i32::from(protocol))),
    )?;
    sock.bind_device(Some(ifname.as_bytes()))?;
    if let Some(size) = rcvbuf {
        sock.set_recv_buffer_size(size)?;
    }
    match family {
        Family::Ipv4 => {
            sock.set_header_included_v4(true)?;
            sock.set_multicast_loop_v4(false)?;
            sock.set_multicast_ttl_v4(u32::from(TTL))?;
            sock.set_ttl_v4(u32::from(TTL))?;
        }
        Family::Ipv6 => {
            sock.set_multicast_loop_v6(false)?;
            sock.set_multicast_hops_v6(u32::from(TTL))?;
            sock.set_unicast_hops_v6(u32::from(TTL))?;
            let fd: OwnedFd = sock.into();
            setsockopt(&fd, sockopt::Ipv6RecvPacketInfo, &true)?;
            setsockopt(&fd, sockopt::Ipv6RecvHopLimit, &true)?;
            return Ok(fd);
        }
    }
    Ok(sock.into())
}

/// Joins (or leaves) multicast `group` on interface `ifindex`.
pub fn membership(fd: &OwnedFd, group: IpAddr, ifindex: u32, join: bool) -> std::io::Result<()> {
    let sock = socket2::SockRef::from(fd);
    match group {
        IpAddr::V4(g) => {
            let iface = InterfaceIndexOrAddress::Index(ifindex);
            if join {
                sock.join_multicast_v4_n(&g, &iface)
            } else {
                sock.leave_multicast_v4_n(&g, &iface)
            }
        }
        IpAddr::V6(g) => {
            if join {
                sock.join_multicast_v6(&g, ifindex)
            } else {
                sock.leave_multicast_v6(&g, ifindex)
            }
        }
    }
}

/// Whether `a` is of `family`.
pub fn same_family(family: Family, a: IpAddr) -> bool {
    matches!(
        (family, a),
        (Family::Ipv4, IpAddr::V4(_)) | (Family::Ipv6, IpAddr::V6(_))
    )
}

/// The unspecified address of `family`.
pub fn unspecified(family: Family) -> IpAddr {
    match family {
        Family::Ipv4 => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        Family::Ipv6 => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
    }
}

/// Takes ownership of descriptor `fd` inherited across exec (the supervisor channel),
/// after checking that it is open and a socket; marks it close-on-exec and nonblocking.
/// Call once per descriptor, at startup.
pub fn adopt_inherited(fd: i32) -> std::io::Result<OwnedFd> {
    use std::os::fd::FromRawFd;
    if fd < 0 {
        return Err(std::io::Error::from_raw_os_error(libc::EBADF));
    }
    // SAFETY: fcntl(F_GETFD) on any integer is harmless; it tells whether `fd` is open.
    if unsafe { libc::fcntl(fd, libc::F_GETFD) } < 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: `fd` is open (checked above) and nothing else in this process owns it: it
    // was inherited across exec and is adopted once, at startup, before any other
    // descriptor is created that could reuse its number.
    let owned = unsafe { OwnedFd::from_raw_fd(fd) };
    let sock = socket2::SockRef::from(&owned);
    // Not a socket: getsockopt(SO_TYPE) fails with ENOTSOCK.
    sock.r#type()?;
    sock.set_cloexec(true)?;
    sock.set_nonblocking(true)?;
    Ok(owned)
}
