//! Sockets the unprivileged checker cannot open itself, made by the broker from the
//! checker's configuration (never from anything the child says beyond an id): raw
//! ICMP for PING_CHECK, and TCP/UDP sockets bound to a privileged source.

use nix::sys::socket::{
    bind, setsockopt, socket, sockopt, AddressFamily, SockFlag, SockProtocol, SockType, SockaddrIn,
    SockaddrIn6,
};
use std::ffi::OsString;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddrV4, SocketAddrV6};
use std::os::fd::OwnedFd;
use vigil_config::model::check::{CheckOptions, Checker};
use vigil_config::model::lvs::RealServer;
use vigil_config::Config;
use vigil_ipc::msg::checker::{CheckerRef, SocketKind};

/// The checker and its real server a reference names, if declared.
fn lookup(c: &Config, t: CheckerRef) -> Option<(&RealServer, &Checker)> {
    let vs = c
        .lvs
        .virtual_servers
        .get(usize::try_from(t.server.vs).ok()?)?;
    let rs = vs.real_servers.get(usize::try_from(t.server.rs).ok()?)?;
    let ck = rs.checkers.get(usize::try_from(t.checker).ok()?)?;
    Some((rs, ck))
}

fn options(ck: &Checker) -> Option<(&CheckOptions, SockType)> {
    match ck {
        Checker::Tcp(t) => Some((&t.options, SockType::Stream)),
        Checker::Http(h) | Checker::Ssl(h) => Some((&h.options, SockType::Stream)),
        Checker::Smtp(s) => Some((&s.options, SockType::Stream)),
        Checker::Dns(d) => Some((&d.options, SockType::Datagram)),
        Checker::Udp(u) => Some((&u.options, SockType::Datagram)),
        _ => None,
    }
}

fn family(ip: IpAddr) -> AddressFamily {
    match ip {
        IpAddr::V4(_) => AddressFamily::Inet,
        IpAddr::V6(_) => AddressFamily::Inet6,
    }
}

/// Opens the socket `kind` asks for, reading every parameter from `c`.
pub fn open(c: &Config, kind: SocketKind) -> Result<OwnedFd, String> {
    let flags = SockFlag::SOCK_CLOEXEC | SockFlag::SOCK_NONBLOCK;
    match kind {
        SocketKind::IcmpEcho { target } => {
            let (rs, ck) = lookup(c, target).ok_or("no such checker")?;
            let Checker::Ping(p) = ck else {
                return Err("not a PING_CHECK".into());
            };
            let dest = p.options.connection.connect_ip.unwrap_or(rs.address);
            let (af, proto) = match dest {
                IpAddr::V4(_) => (AddressFamily::Inet, SockProtocol::Icmp),
                IpAddr::V6(_) => (AddressFamily::Inet6, SockProtocol::IcmpV6),
            };
            let fd = socket(af, SockType::Raw, flags, proto)
                .map_err(|e| format!("raw ICMP socket: {}", e.desc()))?;
            if let Some(dev) = &p.options.connection.bind_if {
                setsockopt(&fd, sockopt::BindToDevice, &OsString::from(dev))
                    .map_err(|e| format!("SO_BINDTODEVICE {dev}: {}", e.desc()))?;
            }
            Ok(fd)
        }
        SocketKind::BoundSource { target } => {
            let (rs, ck) = lookup(c, target).ok_or("no such checker")?;
            let (o, ty) = options(ck).ok_or("checker kind has no source options")?;
            let conn = &o.connection;
            let dest = conn.connect_ip.unwrap_or(rs.address);
            let fd = socket(family(dest), ty, flags, None)
                .map_err(|e| format!("socket: {}", e.desc()))?;
            if let Some(dev) = &conn.bind_if {
                setsockopt(&fd, sockopt::BindToDevice, &OsString::from(dev))
                    .map_err(|e| format!("SO_BINDTODEVICE {dev}: {}", e.desc()))?;
            }
            let port = conn.bind_port.unwrap_or(0);
            if conn.bindto.is_some() || port != 0 {
                let r = match (conn.bindto, dest) {
                    (Some(IpAddr::V4(a)), _) => bind4(&fd, a, port),
                    (None, IpAddr::V4(_)) => bind4(&fd, Ipv4Addr::UNSPECIFIED, port),
                    (Some(IpAddr::V6(a)), _) => bind6(&fd, a, port),
                    (None, IpAddr::V6(_)) => bind6(&fd, Ipv6Addr::UNSPECIFIED, port),
                };
                r.map_err(|e| format!("bind to port {port}: {}", e.desc()))?;
            }
            Ok(fd)
        }
    }
}

fn bind4(fd: &OwnedFd, a: Ipv4Addr, port: u16) -> nix::Result<()> {
    use std::os::fd::AsRawFd;
    bind(
        fd.as_raw_fd(),
        &SockaddrIn::from(SocketAddrV4::new(a, port)),
    )
}

fn bind6(fd: &OwnedFd, a: Ipv6Addr, port: u16) -> nix::Result<()> {
    use std::os::fd::AsRawFd;
    bind(
        fd.as_raw_fd(),
        &SockaddrIn6::from(SocketAddrV6::new(a, port, 0, 0)),
    )
}
