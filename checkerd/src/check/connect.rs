//! Nonblocking TCP and UDP sockets for the checkers, bound to `bindto`/`bind_port`
//! when configured, connect started.

use crate::plan::Endpoint;
use nix::errno::Errno;
use nix::sys::socket::{
    bind, connect, socket, AddressFamily, SockFlag, SockProtocol, SockType, SockaddrStorage,
};
use std::io;
use std::net::SocketAddr;
use std::os::fd::{AsRawFd, OwnedFd};

fn family(a: &SocketAddr) -> AddressFamily {
    match a {
        SocketAddr::V4(_) => AddressFamily::Inet,
        SocketAddr::V6(_) => AddressFamily::Inet6,
    }
}

fn open(ep: &Endpoint, ty: SockType, proto: SockProtocol) -> io::Result<OwnedFd> {
    let fd = socket(
        family(&ep.target),
        ty,
        SockFlag::SOCK_NONBLOCK | SockFlag::SOCK_CLOEXEC,
        proto,
    )?;
    if let Some(b) = ep.bind {
        bind(fd.as_raw_fd(), &SockaddrStorage::from(b))?;
    }
    match connect(fd.as_raw_fd(), &SockaddrStorage::from(ep.target)) {
        Ok(()) | Err(Errno::EINPROGRESS) => Ok(fd),
        Err(e) => Err(e.into()),
    }
}

/// A TCP connection to `ep.target`, in progress (wait for writable).
pub fn tcp(ep: &Endpoint) -> io::Result<mio::net::TcpStream> {
    let fd = open(ep, SockType::Stream, SockProtocol::Tcp)?;
    Ok(mio::net::TcpStream::from_std(std::net::TcpStream::from(fd)))
}

/// A UDP socket connected to `ep.target` (so that ICMP errors come back to it).
pub fn udp(ep: &Endpoint) -> io::Result<mio::net::UdpSocket> {
    let fd = open(ep, SockType::Datagram, SockProtocol::Udp)?;
    Ok(mio::net::UdpSocket::from_std(std::net::UdpSocket::from(fd)))
}

/// Whether a nonblocking connect finished: `Ok(true)` connected, `Ok(false)` still in
/// progress, `Err` refused or unreachable.
pub fn tcp_connected(stream: &mio::net::TcpStream) -> io::Result<bool> {
    if let Some(e) = stream.take_error()? {
        return Err(e);
    }
    match stream.peer_addr() {
        Ok(_) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::NotConnected => Ok(false),
        Err(e) => Err(e),
    }
}
