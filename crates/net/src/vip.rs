//! From the configuration model's addresses (`virtual_ipaddress`,
//! `virtual_ipaddress_excluded`, `static_ipaddress`) to kernel address specs, with
//! keepalived's defaults.

use crate::addr::AddrSpec;
use crate::error::NetError;
use crate::rtnl::Rtnl;
use std::net::{IpAddr, Ipv4Addr};
use vigil_config::model::ipaddr::{Broadcast, IpAddress, Lifetime};

/// The AddrSpec of a configured address on the interface `dev` names, else
/// `default_if` (the instance's interface, or its VMAC when `use_vmac`), resolved to
/// an ifindex through `rtnl`.
pub fn addr_spec(
    rtnl: &mut Rtnl,
    ip: &IpAddress,
    default_if: Option<&str>,
) -> Result<AddrSpec, NetError> {
    let Some(ifname) = ip.dev.as_deref().or(default_if) else {
        return Err(NetError::Invalid {
            object: format!("address {}", ip.addr),
            reason: "no interface: neither `dev` nor a default interface".into(),
        });
    };
    let ifindex = rtnl.ifindex(ifname)?;
    Ok(spec_on(ip, ifindex))
}

/// The AddrSpec of a configured address on a known interface (no kernel access).
/// keepalived's defaults: IPv4 broadcast only when `brd` is given (`+`/`-` computed
/// from the prefix), scope and label as configured, and IPv6 always IFA_F_NODAD
/// (keepalived adds VIPs without duplicate address detection: a VIP that moves must
/// work at once, and a tentative address cannot be used as a source).
pub fn spec_on(ip: &IpAddress, ifindex: u32) -> AddrSpec {
    let mut spec = AddrSpec::new(ifindex, ip.addr.addr, ip.addr.len);
    spec.broadcast = match (ip.addr.addr, ip.broadcast) {
        (IpAddr::V4(a), Some(b)) => Some(broadcast(a, ip.addr.len, b)),
        _ => None,
    };
    spec.peer = ip.peer;
    spec.scope = ip.scope;
    spec.label = ip.label.clone();
    spec.nodad = ip.nodad || ip.addr.is_ipv6();
    spec.noprefixroute = ip.noprefixroute;
    spec.home = ip.home;
    spec.mngtmpaddr = ip.mngtmpaddr;
    spec.autojoin = ip.autojoin;
    spec.preferred_lft = match ip.preferred_lft {
        Lifetime::Forever => None,
        Lifetime::Secs(s) => Some(s),
    };
    spec
}

/// The broadcast address `brd` asks for: explicit, or the prefix with all host bits
/// set (`+`) or cleared (`-`), as `ip address add` computes them.
fn broadcast(addr: Ipv4Addr, len: u8, b: Broadcast) -> Ipv4Addr {
    let mask = if len == 0 {
        0
    } else {
        u32::MAX << (32 - u32::from(len.min(32)))
    };
    let a = u32::from(addr);
    match b {
        Broadcast::Addr(x) => x,
        Broadcast::SetHostBits => Ipv4Addr::from(a | !mask),
        Broadcast::ClearHostBits => Ipv4Addr::from(a & mask),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigil_config::model::ipaddr::Prefix;

    fn model(addr: &str, len: u8) -> IpAddress {
        let addr: IpAddr = addr.parse().expect("addr");
        let prefix = Prefix { addr, len };
        IpAddress {
            addr: prefix,
            broadcast: None,
            dev: None,
            scope: 0,
            label: None,
            peer: None,
            home: false,
            nodad: false,
            mngtmpaddr: false,
            noprefixroute: false,
            autojoin: false,
            use_vmac: false,
            no_track: false,
            track_group: None,
            preferred_lft: IpAddress::default_preferred_lft(&prefix),
        }
    }

    #[test]
    fn ipv4_defaults_no_broadcast_no_nodad() {
        let s = spec_on(&model("192.0.2.10", 24), 3);
        assert_eq!(s, AddrSpec::new(3, "192.0.2.10".parse().expect("a"), 24));
    }

    #[test]
    fn ipv4_brd_plus_minus_and_explicit() {
        let mut m = model("192.0.2.10", 24);
        m.broadcast = Some(Broadcast::SetHostBits);
        assert_eq!(
            spec_on(&m, 1).broadcast,
            Some(Ipv4Addr::new(192, 0, 2, 255))
        );
        m.broadcast = Some(Broadcast::ClearHostBits);
        assert_eq!(spec_on(&m, 1).broadcast, Some(Ipv4Addr::new(192, 0, 2, 0)));
        m.broadcast = Some(Broadcast::Addr(Ipv4Addr::new(192, 0, 2, 127)));
        assert_eq!(
            spec_on(&m, 1).broadcast,
            Some(Ipv4Addr::new(192, 0, 2, 127))
        );
        let mut h = model("198.51.100.1", 32);
        h.broadcast = Some(Broadcast::SetHostBits);
        assert_eq!(
            spec_on(&h, 1).broadcast,
            Some(Ipv4Addr::new(198, 51, 100, 1))
        );
        let mut z = model("198.51.100.1", 0);
        z.broadcast = Some(Broadcast::SetHostBits);
        assert_eq!(spec_on(&z, 1).broadcast, Some(Ipv4Addr::BROADCAST));
    }

    #[test]
    fn ipv6_is_always_nodad_and_a_128_is_deprecated() {
        let s = spec_on(&model("2001:db8::10", 128), 2);
        assert!(s.nodad);
        // The model's default preferred_lft for an IPv6 /128 is 0 (keepalived's).
        assert_eq!(s.preferred_lft, Some(0));
        let s = spec_on(&model("2001:db8::10", 64), 2);
        assert!(s.nodad);
        assert_eq!(s.preferred_lft, None);
    }

    #[test]
    fn options_carry_over() {
        let mut m = model("192.0.2.1", 32);
        m.scope = 253;
        m.label = Some("eth0:vip".into());
        m.peer = Some("192.0.2.2".parse().expect("a"));
        m.home = true;
        m.noprefixroute = true;
        let s = spec_on(&m, 4);
        assert_eq!(s.scope, 253);
        assert_eq!(s.label.as_deref(), Some("eth0:vip"));
        assert_eq!(s.peer, Some("192.0.2.2".parse().expect("a")));
        assert!(s.home && s.noprefixroute && !s.nodad);
    }
}
