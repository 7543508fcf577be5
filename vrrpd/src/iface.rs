//! What the daemon needs to know about an interface before vigil-net's rtnetlink view
//! is consulted: its index, whether it is up, and its primary addresses
//! (getifaddrs(3), no privileges needed).
//!
//! getifaddrs dumps every link and address of the namespace, so its cost grows with
//! the number of addresses; a [`Snapshot`] takes it once for many questions (starting
//! a thousand instances asks three per instance).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use nix::net::if_::{if_nametoindex, InterfaceFlags};

/// The index of interface `name`, if it exists.
pub fn index(name: &str) -> Option<u32> {
    if_nametoindex(name).ok().filter(|&i| i != 0)
}

/// One interface's entry in a snapshot: its flags and one of its addresses.
#[derive(Debug, Clone)]
struct Entry {
    name: String,
    up: bool,
    addr: Option<IpAddr>,
}

/// The namespace's interfaces and addresses at one moment.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    entries: Vec<Entry>,
}

impl Snapshot {
    /// Reads every interface and address now (empty when getifaddrs fails).
    pub fn take() -> Snapshot {
        let Ok(addrs) = nix::ifaddrs::getifaddrs() else {
            return Snapshot::default();
        };
        let entries = addrs
            .map(|a| Entry {
                up: a.flags.contains(InterfaceFlags::IFF_UP)
                    && a.flags.contains(InterfaceFlags::IFF_RUNNING),
                addr: a.address.and_then(|sa| {
                    if let Some(v4) = sa.as_sockaddr_in() {
                        return Some(IpAddr::V4(v4.ip()));
                    }
                    sa.as_sockaddr_in6().map(|v6| IpAddr::V6(v6.ip()))
                }),
                name: a.interface_name,
            })
            .collect();
        Snapshot { entries }
    }

    /// Whether `name` is administratively up and running (carrier).
    pub fn is_up(&self, name: &str) -> bool {
        self.entries.iter().any(|e| e.name == name && e.up)
    }

    /// The addresses of `name`, in the kernel's order.
    pub fn addresses<'a>(&'a self, name: &'a str) -> impl Iterator<Item = IpAddr> + 'a {
        self.entries
            .iter()
            .filter(move |e| e.name == name)
            .filter_map(|e| e.addr)
    }

    /// The primary IPv4 address of `name` (the first one not in `exclude`): keepalived's
    /// source of adverts when no `mcast_src_ip` is set (RFC 5798 §5.1.1.1).
    pub fn primary_v4(&self, name: &str, exclude: &[IpAddr]) -> Option<Ipv4Addr> {
        self.addresses(name).find_map(|a| match a {
            IpAddr::V4(v4) if !exclude.contains(&a) => Some(v4),
            _ => None,
        })
    }

    /// The link-local IPv6 address of `name`: the source of VRRPv3 adverts over IPv6
    /// (RFC 5798 §5.1.2.1).
    pub fn link_local_v6(&self, name: &str) -> Option<Ipv6Addr> {
        self.addresses(name).find_map(|a| match a {
            IpAddr::V6(v6) if is_link_local(&v6) => Some(v6),
            _ => None,
        })
    }
}

/// fe80::/10.
pub fn is_link_local(a: &Ipv6Addr) -> bool {
    (a.segments()[0] & 0xffc0) == 0xfe80
}

/// Whether `name` is administratively up and running (carrier).
pub fn is_up(name: &str) -> bool {
    Snapshot::take().is_up(name)
}

/// The link-local IPv6 address of `name` (see [`Snapshot::link_local_v6`]).
pub fn link_local_v6(name: &str) -> Option<Ipv6Addr> {
    Snapshot::take().link_local_v6(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_is_up_with_its_address() {
        let s = Snapshot::take();
        assert!(s.is_up("lo"));
        assert_eq!(s.primary_v4("lo", &[]), Some(Ipv4Addr::LOCALHOST));
        // RFC 5798 §5.1.1.1: a VIP is never the primary address.
        let lo = IpAddr::V4(Ipv4Addr::LOCALHOST);
        assert_eq!(s.primary_v4("lo", &[lo]), None);
        assert!(!s.is_up("no-such-interface"));
    }

    #[test]
    fn link_local_range_is_fe80_slash_10() {
        assert!(is_link_local(&"fe80::1".parse().unwrap()));
        assert!(is_link_local(&"febf::1".parse().unwrap()));
        assert!(!is_link_local(&"fec0::1".parse().unwrap()));
        assert!(!is_link_local(&"2001:db8::1".parse().unwrap()));
    }
}
