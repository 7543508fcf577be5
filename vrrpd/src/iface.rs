//! What the daemon needs to know about an interface before vigil-net's rtnetlink view
//! is consulted: its index, whether it is up, and its primary addresses
//! (getifaddrs(3), no privileges needed).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use nix::net::if_::{if_nametoindex, InterfaceFlags};

/// The index of interface `name`, if it exists.
pub fn index(name: &str) -> Option<u32> {
    if_nametoindex(name).ok().filter(|&i| i != 0)
}

/// Whether `name` is administratively up and running (carrier).
pub fn is_up(name: &str) -> bool {
    let Ok(addrs) = nix::ifaddrs::getifaddrs() else {
        return false;
    };
    addrs.into_iter().any(|a| {
        a.interface_name == name
            && a.flags.contains(InterfaceFlags::IFF_UP)
            && a.flags.contains(InterfaceFlags::IFF_RUNNING)
    })
}

/// The addresses of `name`, in the kernel's order.
pub fn addresses(name: &str) -> Vec<IpAddr> {
    let Ok(addrs) = nix::ifaddrs::getifaddrs() else {
        return Vec::new();
    };
    addrs
        .into_iter()
        .filter(|a| a.interface_name == name)
        .filter_map(|a| {
            let sa = a.address?;
            if let Some(v4) = sa.as_sockaddr_in() {
                return Some(IpAddr::V4(v4.ip()));
            }
            sa.as_sockaddr_in6().map(|v6| IpAddr::V6(v6.ip()))
        })
        .collect()
}

/// The primary IPv4 address of `name` (the first one not in `exclude`): keepalived's
/// source of adverts when no `mcast_src_ip` is set (RFC 5798 §5.1.1.1).
pub fn primary_v4(name: &str, exclude: &[IpAddr]) -> Option<Ipv4Addr> {
    addresses(name).into_iter().find_map(|a| match a {
        IpAddr::V4(v4) if !exclude.contains(&a) => Some(v4),
        _ => None,
    })
}

/// The link-local IPv6 address of `name`: the source of VRRPv3 adverts over IPv6
/// (RFC 5798 §5.1.2.1).
pub fn link_local_v6(name: &str) -> Option<Ipv6Addr> {
    addresses(name).into_iter().find_map(|a| match a {
        IpAddr::V6(v6) if (v6.segments()[0] & 0xffc0) == 0xfe80 => Some(v6),
        _ => None,
    })
}
