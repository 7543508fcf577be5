//! The roles a child can take and the capabilities each keeps (DESIGN.md, issue 3).

use crate::capmask::CapMask;
use caps::{Capability, CapsHashSet};
use std::fmt;

/// A child process role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// vigil-vrrpd: raw sockets for VRRP/ARP/NA and rtnetlink changes.
    Vrrpd,
    /// vigil-checkerd: no capabilities; privileged sockets come from the supervisor.
    Checkerd,
}

impl Role {
    /// Every role, for iteration in tests and tools.
    pub const ALL: [Role; 2] = [Role::Vrrpd, Role::Checkerd];

    /// The capabilities the role keeps in permitted, effective and bounding sets.
    pub fn capabilities(self) -> &'static [Capability] {
        match self {
            // CAP_NET_RAW: raw IPPROTO_VRRP sockets, AF_PACKET for GARP/NA.
            // CAP_NET_ADMIN: addresses, routes, rules, macvlan links over rtnetlink.
            Role::Vrrpd => &[Capability::CAP_NET_RAW, Capability::CAP_NET_ADMIN],
            Role::Checkerd => &[],
        }
    }

    /// The role's capabilities as a `caps` crate set.
    pub fn capability_set(self) -> CapsHashSet {
        self.capabilities().iter().copied().collect()
    }

    /// The role's capabilities as a mask, as /proc prints them.
    pub fn mask(self) -> CapMask {
        CapMask::of(self.capabilities())
    }

    /// The role's name as used on command lines and in logs.
    pub fn name(self) -> &'static str {
        match self {
            Role::Vrrpd => "vrrpd",
            Role::Checkerd => "checkerd",
        }
    }

    /// The role with the given [`Role::name`].
    pub fn from_name(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.name() == name)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vrrpd_keeps_exactly_net_raw_and_net_admin() {
        assert_eq!(Role::Vrrpd.mask(), CapMask(0x3000));
        assert_eq!(Role::Vrrpd.capability_set().len(), 2);
    }

    #[test]
    fn checkerd_keeps_nothing() {
        assert!(Role::Checkerd.mask().is_empty());
        assert!(Role::Checkerd.capability_set().is_empty());
    }

    #[test]
    fn names_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::from_name(role.name()), Some(role));
        }
        assert_eq!(Role::from_name("vigild"), None);
    }
}
