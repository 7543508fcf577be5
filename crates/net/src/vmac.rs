//! VRRP virtual MACs (RFC 5798 §7.3) and the kernel settings keepalived gives a VMAC
//! interface (`use_vmac`) and its parent, each with the reason. The IPv4 settings go
//! over netlink (as keepalived prefers: it works with a read-only /proc/sys); only
//! `disable_ipv6`, which netlink cannot set, goes through /proc/sys.

use crate::devconf::Ipv4Conf;
use crate::error::NetError;
use crate::rtnl::Rtnl;
use crate::sysctl::{self, Family};
use std::net::Ipv6Addr;

/// The virtual router MAC of a VRID: 00-00-5E-00-01-{VRID} for IPv4 and
/// 00-00-5E-00-02-{VRID} for IPv6 (RFC 5798 §7.3; RFC 3768 §7.3 for VRRPv2).
pub fn vmac(vrid: u8, v6: bool) -> [u8; 6] {
    [0x00, 0x00, 0x5e, 0x00, if v6 { 0x02 } else { 0x01 }, vrid]
}

/// keepalived's default VMAC interface name for a VRID: "vrrp.VRID".
pub fn default_name(vrid: u8) -> String {
    format!("vrrp.{vrid}")
}

/// The modified EUI-64 link-local address of a MAC (RFC 4291 appendix A, RFC 4862
/// §5.3). keepalived gives an IPv6 VMAC the one of its *parent's* MAC, so that
/// adverts leave from a per-router address and not one derived from the shared VMAC
/// (which every router of the VRID would have, failing DAD).
pub fn link_local_of(mac: [u8; 6]) -> Ipv6Addr {
    Ipv6Addr::from([
        0xfe,
        0x80,
        0,
        0,
        0,
        0,
        0,
        0,
        mac[0] ^ 0x02,
        mac[1],
        mac[2],
        0xff,
        0xfe,
        mac[3],
        mac[4],
        mac[5],
    ])
}

/// One IPv4 interface setting with its value and the reason it is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Setting {
    /// The setting (its sysctl name is `conf.sysctl_key()`).
    pub conf: Ipv4Conf,
    /// The value.
    pub value: u32,
    /// Why.
    pub why: &'static str,
}

/// What keepalived (vrrp_if_config.c, set_interface_parameters) sets on an IPv4 VMAC
/// interface.
pub const VMAC_SETTINGS: [Setting; 4] = [
    Setting {
        conf: Ipv4Conf::ArpIgnore,
        value: 1,
        why: "answer ARP only for addresses on the VMAC itself, never for the parent's \
              addresses, so the parent's addresses are not answered with the VRRP MAC",
    },
    Setting {
        conf: Ipv4Conf::AcceptLocal,
        value: 1,
        why: "accept packets whose source address is local to this host: adverts of \
              another VRRP instance on this host (another VMAC on the same parent) \
              carry one and would otherwise be dropped as martians",
    },
    Setting {
        conf: Ipv4Conf::RpFilter,
        value: 0,
        why: "no reverse-path filter: the VMAC may have no address yet (BACKUP), and \
              adverts arriving on it must not be dropped as martians",
    },
    Setting {
        conf: Ipv4Conf::PromoteSecondaries,
        value: 1,
        why: "removing the first VIP of a subnet must not flush the others \
              (secondaries are promoted instead of deleted)",
    },
];

/// What keepalived sets on the parent of an IPv4 VMAC (and restores when the last
/// VMAC on it goes).
pub const PARENT_SETTINGS: [Setting; 2] = [
    Setting {
        conf: Ipv4Conf::ArpIgnore,
        value: 1,
        why: "the parent must not answer ARP for the VIPs, which live on the VMAC: \
              only the VMAC answers, with the VRRP MAC",
    },
    Setting {
        conf: Ipv4Conf::ArpFilter,
        value: 1,
        why: "answer ARP on an interface only if the kernel would route the reply out \
              of it, so the parent and the VMAC do not both answer",
    },
];

/// The parent's values before `apply_parent` changed them, to be put back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedParent {
    /// The parent interface.
    pub index: u32,
    /// (setting, previous value) for each changed setting.
    pub previous: Vec<(Ipv4Conf, u32)>,
}

/// Applies `VMAC_SETTINGS` to an IPv4 VMAC interface.
pub fn apply_vmac(rtnl: &mut Rtnl, index: u32) -> Result<(), NetError> {
    let all: Vec<(Ipv4Conf, u32)> = VMAC_SETTINGS.iter().map(|s| (s.conf, s.value)).collect();
    rtnl.set_ipv4_conf(index, &all)
}

/// Applies `PARENT_SETTINGS` to a VMAC's parent and returns what it changed.
pub fn apply_parent(rtnl: &mut Rtnl, index: u32) -> Result<SavedParent, NetError> {
    let mut saved = SavedParent {
        index,
        previous: Vec::new(),
    };
    for s in PARENT_SETTINGS {
        let old = rtnl.ipv4_conf(index, s.conf)?;
        if old != s.value {
            saved.previous.push((s.conf, old));
        }
    }
    let changes: Vec<(Ipv4Conf, u32)> = PARENT_SETTINGS
        .iter()
        .filter(|s| saved.previous.iter().any(|(c, _)| *c == s.conf))
        .map(|s| (s.conf, s.value))
        .collect();
    if !changes.is_empty() {
        rtnl.set_ipv4_conf(index, &changes)?;
    }
    Ok(saved)
}

/// Puts a parent's settings back as `apply_parent` found them.
pub fn restore_parent(rtnl: &mut Rtnl, saved: &SavedParent) -> Result<(), NetError> {
    if saved.previous.is_empty() {
        return Ok(());
    }
    rtnl.set_ipv4_conf(saved.index, &saved.previous)
}

/// Turns IPv6 off on an IPv4 VMAC without IPv6 addresses (keepalived's
/// link_set_ipv6(false)): otherwise the kernel would give it a link-local address
/// derived from the shared VMAC, the same on every router, and DAD would fail.
pub fn disable_ipv6(ifname: &str) -> Result<(), NetError> {
    sysctl::set_interface(Family::V6, ifname, "disable_ipv6", "1")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vmac_rfc5798_7_3() {
        assert_eq!(vmac(1, false), [0x00, 0x00, 0x5e, 0x00, 0x01, 0x01]);
        assert_eq!(vmac(255, false), [0x00, 0x00, 0x5e, 0x00, 0x01, 0xff]);
        assert_eq!(vmac(7, true), [0x00, 0x00, 0x5e, 0x00, 0x02, 0x07]);
    }

    #[test]
    fn link_local_rfc4291_appendix_a() {
        // The universal/local bit is inverted and ff:fe inserted in the middle.
        assert_eq!(
            link_local_of([0x52, 0x54, 0x00, 0x12, 0x34, 0x56]),
            "fe80::5054:ff:fe12:3456".parse::<Ipv6Addr>().expect("addr")
        );
        assert_eq!(
            link_local_of(vmac(7, true)),
            "fe80::200:5eff:fe00:207".parse::<Ipv6Addr>().expect("addr")
        );
    }

    #[test]
    fn default_name_as_keepalived() {
        assert_eq!(default_name(7), "vrrp.7");
    }
}
