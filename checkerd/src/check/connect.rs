//! Nonblocking TCP and UDP sockets for the checkers: made here and bound to
//! `bindto`/`bind_port`, or given by the supervisor already bound (a privileged
//! source); then the connect is started.

use super::StartError;
use crate::plan::Endpoint;
use nix::errno::Errno;
use nix::fcntl::{fcntl, FcntlArg, OFlag};
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

/// Makes `fd` nonblocking (a socket from the supervisor may not be).
pub fn set_nonblocking(fd: &OwnedFd) -> Result<(), Errno> {
    let flags = fcntl(fd, FcntlArg::F_GETFL)?;
    fcntl(
        fd,
        FcntlArg::F_SETFL(OFlag::from_bits_truncate(flags) | OFlag::O_NONBLOCK),
    )?;
    Ok(())
}

fn open(
    ep: &Endpoint,
    ty: SockType,
    proto: SockProtocol,
    given: Option<OwnedFd>,
) -> Result<OwnedFd, StartError> {
    let fd = match given {
        Some(fd) => {
            set_nonblocking(&fd).map_err(|e| StartError::Local(format!("socket: {}", e.desc())))?;
            fd
        }
        None => {
            let fd = socket(
                family(&ep.target),
                ty,
                SockFlag::SOCK_NONBLOCK | SockFlag::SOCK_CLOEXEC,
                proto,
            )
            .map_err(|e| StartError::Local(format!("socket: {}", e.desc())))?;
            if let Some(b) = ep.bind {
                bind(fd.as_raw_fd(), &SockaddrStorage::from(b))
                    .map_err(|e| StartError::Local(format!("bind to {b}: {}", e.desc())))?;
            }
            fd
        }
    };
    match connect(fd.as_raw_fd(), &SockaddrStorage::from(ep.target)) {
        Ok(()) | Err(Errno::EINPROGRESS) => Ok(fd),
        Err(e) => Err(StartError::Failed(format!(
            "connection to {ep} failed: {}",
            e.desc()
        ))),
    }
}

/// A TCP connection to `ep.target`, in progress (wait for writable).
pub fn tcp(ep: &Endpoint, given: Option<OwnedFd>) -> Result<mio::net::TcpStream, StartError> {
    let fd = open(ep, SockType::Stream, SockProtocol::Tcp, given)?;
    Ok(mio::net::TcpStream::from_std(std::net::TcpStream::from(fd)))
}

/// A UDP socket connected to `ep.target` (so that ICMP errors come back to it).
pub fn udp(ep: &Endpoint, given: Option<OwnedFd>) -> Result<mio::net::UdpSocket, StartError> {
    let fd = open(ep, SockType::Datagram, SockProtocol::Udp, given)?;
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
