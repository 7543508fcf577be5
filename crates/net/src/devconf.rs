//! IPv4 per-interface settings over rtnetlink (IFLA_AF_SPEC / AF_INET /
//! IFLA_INET_CONF), the same values as /proc/sys/net/ipv4/conf/IF/*. keepalived
//! prefers this path: it works where /proc/sys is mounted read-only (containers,
//! systemd's ProtectKernelTunables) as long as CAP_NET_ADMIN is held.

use crate::error::NetError;
use crate::rtnl::{Rtnl, RTM_NEWLINK};
use netlink_packet_core::{DefaultNla, Emitable, NlasIterator, NLA_F_NESTED};
use netlink_packet_route::link::{AfSpecInet, AfSpecUnspec, LinkAttribute, LinkMessage};
use netlink_packet_route::RouteNetlinkMessage;

/// IFLA_AF_SPEC (linux/if_link.h).
const IFLA_AF_SPEC: u16 = 26;
/// AF_INET, the nest inside IFLA_AF_SPEC.
const AF_INET: u16 = 2;
/// IFLA_INET_CONF, inside the AF_INET nest.
pub(crate) const IFLA_INET_CONF: u16 = 1;

/// One IPv4 interface setting (IPV4_DEVCONF_*, linux/ip.h), named like its sysctl.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ipv4Conf {
    /// `forwarding`.
    Forwarding,
    /// `rp_filter`.
    RpFilter,
    /// `arp_filter`.
    ArpFilter,
    /// `arp_announce`.
    ArpAnnounce,
    /// `arp_ignore`.
    ArpIgnore,
    /// `promote_secondaries`.
    PromoteSecondaries,
    /// `arp_accept`.
    ArpAccept,
    /// `arp_notify`.
    ArpNotify,
    /// `accept_local`.
    AcceptLocal,
}

impl Ipv4Conf {
    /// The IPV4_DEVCONF_* number.
    pub fn id(self) -> u16 {
        match self {
            Ipv4Conf::Forwarding => 1,
            Ipv4Conf::RpFilter => 8,
            Ipv4Conf::ArpFilter => 13,
            Ipv4Conf::ArpAnnounce => 18,
            Ipv4Conf::ArpIgnore => 19,
            Ipv4Conf::PromoteSecondaries => 20,
            Ipv4Conf::ArpAccept => 21,
            Ipv4Conf::ArpNotify => 22,
            Ipv4Conf::AcceptLocal => 23,
        }
    }

    /// The sysctl name under /proc/sys/net/ipv4/conf/IF/.
    pub fn sysctl_key(self) -> &'static str {
        match self {
            Ipv4Conf::Forwarding => "forwarding",
            Ipv4Conf::RpFilter => "rp_filter",
            Ipv4Conf::ArpFilter => "arp_filter",
            Ipv4Conf::ArpAnnounce => "arp_announce",
            Ipv4Conf::ArpIgnore => "arp_ignore",
            Ipv4Conf::PromoteSecondaries => "promote_secondaries",
            Ipv4Conf::ArpAccept => "arp_accept",
            Ipv4Conf::ArpNotify => "arp_notify",
            Ipv4Conf::AcceptLocal => "accept_local",
        }
    }
}

/// The value of IFLA_INET_CONF in a set request: one u32 attribute per setting,
/// typed by its IPV4_DEVCONF_* number. (The netlink library's own encoder skips
/// zero values, and 0 is a value we set: rp_filter=0.)
pub(crate) fn conf_nest(settings: &[(Ipv4Conf, u32)]) -> DefaultNla {
    let nlas: Vec<DefaultNla> = settings
        .iter()
        .map(|(k, v)| DefaultNla::new(k.id(), v.to_ne_bytes().to_vec()))
        .collect();
    let mut buf = vec![0u8; nlas.as_slice().buffer_len()];
    nlas.as_slice().emit(&mut buf);
    DefaultNla::new(IFLA_INET_CONF | NLA_F_NESTED, buf)
}

/// The IPv4 devconf array of an RTM_NEWLINK payload (index = IPV4_DEVCONF_* - 1),
/// if the link has IPv4 configuration.
pub(crate) fn decode(payload: &[u8]) -> Option<Vec<u32>> {
    let attrs = payload.get(16..)?;
    for nla in NlasIterator::new(attrs).flatten() {
        if nla.kind() & !NLA_F_NESTED != IFLA_AF_SPEC {
            continue;
        }
        for fam in NlasIterator::new(nla.value()).flatten() {
            if fam.kind() & !NLA_F_NESTED != AF_INET {
                continue;
            }
            for c in NlasIterator::new(fam.value()).flatten() {
                if c.kind() & !NLA_F_NESTED == IFLA_INET_CONF {
                    return Some(
                        c.value()
                            .chunks_exact(4)
                            .map(|b| u32::from_ne_bytes([b[0], b[1], b[2], b[3]]))
                            .collect(),
                    );
                }
            }
        }
    }
    None
}

impl Rtnl {
    /// Sets IPv4 interface settings over netlink (the /proc/sys/net/ipv4/conf values,
    /// also where /proc/sys is read-only).
    pub fn set_ipv4_conf(
        &mut self,
        index: u32,
        settings: &[(Ipv4Conf, u32)],
    ) -> Result<(), NetError> {
        let mut msg = LinkMessage::default();
        msg.header.index = index;
        msg.attributes
            .push(LinkAttribute::AfSpecUnspec(vec![AfSpecUnspec::Inet(vec![
                AfSpecInet::Other(conf_nest(settings)),
            ])]));
        self.req.ack(
            RouteNetlinkMessage::SetLink(msg),
            0,
            "setting IPv4 configuration of",
            &|| {
                let keys: Vec<String> = settings
                    .iter()
                    .map(|(k, v)| format!("{}={v}", k.sysctl_key()))
                    .collect();
                format!("ifindex {index} ({})", keys.join(" "))
            },
        )
    }

    /// Reads one IPv4 interface setting over netlink.
    pub fn ipv4_conf(&mut self, index: u32, key: Ipv4Conf) -> Result<u32, NetError> {
        let op = "reading IPv4 configuration of";
        let mut msg = LinkMessage::default();
        msg.header.index = index;
        let answer = match self.req.get(RouteNetlinkMessage::GetLink(msg), op)? {
            Ok(a) => a,
            Err(e) => return Err(crate::nl::nack(op, format!("ifindex {index}"), e)),
        };
        let conf = answer
            .iter()
            .find(|(kind, _)| *kind == RTM_NEWLINK)
            .and_then(|(_, p)| decode(p));
        conf.and_then(|c| c.get(usize::from(key.id()) - 1).copied())
            .ok_or_else(|| NetError::Decode {
                op: format!("{op} ifindex {index}"),
                detail: format!("no IPv4 devconf value for {}", key.sysctl_key()),
            })
    }
}
