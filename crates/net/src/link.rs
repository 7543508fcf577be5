//! Links (network interfaces) as the daemons see them, decoded from RTM_NEWLINK by hand
//! from the few attributes used, so that an attribute this crate's netlink library
//! cannot parse (new kernels add them) never hides an interface; and the `Rtnl`
//! methods that look links up and change them.

use crate::error::NetError;
use crate::rtnl::{tolerate, Rtnl, RTM_NEWLINK};
use netlink_packet_core::NlasIterator;
use netlink_packet_route::link::LinkHeader;
use netlink_packet_route::link::{
    AfSpecInet6, AfSpecUnspec, In6AddrGenMode, LinkAttribute, LinkFlags, LinkMessage,
};
use netlink_packet_route::RouteNetlinkMessage;
use nix::errno::Errno;

/// IFLA_* attribute numbers (linux/if_link.h).
const IFLA_ADDRESS: u16 = 1;
const IFLA_IFNAME: u16 = 3;
const IFLA_LINK: u16 = 5;
const IFLA_LINKINFO: u16 = 18;
const IFLA_LINK_NETNSID: u16 = 37;
/// Nested in IFLA_LINKINFO.
const IFLA_INFO_KIND: u16 = 1;
const IFLA_INFO_DATA: u16 = 2;
/// Nested in IFLA_INFO_DATA of a macvlan.
const IFLA_MACVLAN_MODE: u16 = 1;
/// Link flags (linux/if.h).
const IFF_UP: u32 = 1 << 0;
const IFF_RUNNING: u32 = 1 << 6;
const IFF_LOWER_UP: u32 = 1 << 16;
/// AF_BRIDGE: bridge-port notifications also carry RTM_NEWLINK/RTM_DELLINK.
pub(crate) const AF_BRIDGE: u8 = 7;

/// A network interface.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Link {
    /// The ifindex.
    pub index: u32,
    /// The name (IFLA_IFNAME).
    pub name: String,
    /// Administratively up (IFF_UP).
    pub admin_up: bool,
    /// Operationally up: IFF_RUNNING and IFF_LOWER_UP, the carrier test keepalived
    /// makes (an interface that is admin up without carrier is not).
    pub oper_up: bool,
    /// The hardware address, when it is an Ethernet-sized one.
    pub mac: Option<[u8; 6]>,
    /// The link kind (IFLA_INFO_KIND: "macvlan", "veth", "bridge", ...); None for
    /// physical devices and loopback.
    pub kind: Option<String>,
    /// The lower device (IFLA_LINK: a macvlan's or VLAN's parent) in this namespace;
    /// None when there is none or when it lives in another namespace (a veth whose
    /// peer was moved away).
    pub parent: Option<u32>,
}

/// The macvlan mode of a VMAC interface (IFLA_MACVLAN_MODE).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum MacvlanMode {
    /// MACVLAN_MODE_PRIVATE: keepalived's default for `use_vmac`; macvlans on the
    /// same parent do not see each other's frames.
    #[default]
    Private,
    /// MACVLAN_MODE_BRIDGE: frames between macvlans on one parent are switched
    /// locally (`vmac_xmit_base` setups that need it).
    Bridge,
}

impl MacvlanMode {
    /// The kernel's value (linux/if_link.h).
    pub fn kernel_value(self) -> u32 {
        match self {
            MacvlanMode::Private => 1,
            MacvlanMode::Bridge => 4,
        }
    }
}

/// A decoded RTM_NEWLINK with the extra bits the crate itself needs.
pub(crate) struct Decoded {
    /// ifi_family: AF_UNSPEC for real link messages, AF_BRIDGE for port events.
    pub family: u8,
    /// The link.
    pub link: Link,
    /// IFLA_MACVLAN_MODE for a macvlan.
    pub macvlan_mode: Option<u32>,
}

/// Decodes the payload of an RTM_NEWLINK (or RTM_DELLINK) message.
pub(crate) fn decode(payload: &[u8]) -> Result<Decoded, String> {
    let header = LinkHeader::parse(payload).map_err(|e| e.to_string())?;
    let flags = header.flags.bits();
    let attrs = payload.get(16..).unwrap_or(&[]);
    let mut name = None;
    let mut mac = None;
    let mut parent = None;
    let mut other_netns = false;
    let mut kind = None;
    let mut macvlan_mode = None;
    for nla in NlasIterator::new(attrs) {
        let nla = nla.map_err(|e| e.to_string())?;
        let v = nla.value();
        match nla.kind() {
            IFLA_IFNAME => name = Some(c_string(v)),
            IFLA_ADDRESS => mac = <[u8; 6]>::try_from(v).ok(),
            IFLA_LINK => parent = u32_of(v),
            IFLA_LINK_NETNSID => other_netns = true,
            IFLA_LINKINFO => {
                for info in NlasIterator::new(v).flatten() {
                    match info.kind() {
                        IFLA_INFO_KIND => kind = Some(c_string(info.value())),
                        IFLA_INFO_DATA if kind.as_deref() == Some("macvlan") => {
                            for d in NlasIterator::new(info.value()).flatten() {
                                if d.kind() == IFLA_MACVLAN_MODE {
                                    macvlan_mode = u32_of(d.value());
                                }
                            }
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    let name = name.ok_or_else(|| format!("link {} without IFLA_IFNAME", header.index))?;
    Ok(Decoded {
        family: u8::from(header.interface_family),
        link: Link {
            index: header.index,
            name,
            admin_up: flags & IFF_UP != 0,
            oper_up: flags & IFF_RUNNING != 0 && flags & IFF_LOWER_UP != 0,
            mac,
            kind,
            parent: if other_netns { None } else { parent },
        },
        macvlan_mode,
    })
}

/// A NUL-terminated (or not) attribute string.
pub(crate) fn c_string(v: &[u8]) -> String {
    let end = v.iter().position(|b| *b == 0).unwrap_or(v.len());
    String::from_utf8_lossy(&v[..end]).into_owned()
}

/// A native-endian u32 attribute.
pub(crate) fn u32_of(v: &[u8]) -> Option<u32> {
    <[u8; 4]>::try_from(v.get(..4)?)
        .ok()
        .map(u32::from_ne_bytes)
}

/// Checks an interface name as the kernel will (1..=15 bytes, no '/', no
/// whitespace, not "." or ".."), so the caller gets a clear error instead of EINVAL.
pub(crate) fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() || name.len() > 15 {
        return Err("an interface name has 1 to 15 bytes".into());
    }
    if name == "." || name == ".." || name.contains('/') || name.contains(char::is_whitespace) {
        return Err("not a valid interface name".into());
    }
    if name.contains(':') {
        // The kernel accepts ':' in labels only; dev_valid_name refuses it too.
        return Err("':' is not allowed in an interface name".into());
    }
    Ok(())
}

impl Rtnl {
    /// The interface with this name, None if there is none.
    pub fn link_by_name(&mut self, name: &str) -> Result<Option<Link>, NetError> {
        check_name(name).map_err(|reason| NetError::Invalid {
            object: format!("interface {name:?}"),
            reason,
        })?;
        let mut msg = LinkMessage::default();
        msg.attributes.push(LinkAttribute::IfName(name.to_string()));
        self.get_link(msg, "looking up interface")
    }

    /// The interface with this index, None if there is none.
    pub fn link_by_index(&mut self, index: u32) -> Result<Option<Link>, NetError> {
        if index == 0 {
            return Ok(None);
        }
        let mut msg = LinkMessage::default();
        msg.header.index = index;
        self.get_link(msg, "looking up interface")
    }

    /// The index of the interface with this name; NoSuchInterface if there is none.
    pub fn ifindex(&mut self, name: &str) -> Result<u32, NetError> {
        match self.link_by_name(name)? {
            Some(l) => Ok(l.index),
            None => Err(NetError::NoSuchInterface { name: name.into() }),
        }
    }

    /// Every interface of the namespace.
    pub fn links(&mut self) -> Result<Vec<Link>, NetError> {
        let answer = self.req.dump(
            RouteNetlinkMessage::GetLink(LinkMessage::default()),
            "listing interfaces",
        )?;
        let mut out = Vec::new();
        for (kind, payload) in answer {
            if kind != RTM_NEWLINK {
                continue;
            }
            match decode(&payload) {
                Ok(d) => out.push(d.link),
                // One odd interface must not hide the others; it is logged.
                Err(e) => log::warn!("listing interfaces: skipping an undecodable link: {e}"),
            }
        }
        Ok(out)
    }

    /// Deletes an interface; one already gone (ENODEV) is Ok.
    pub fn del_link(&mut self, index: u32) -> Result<(), NetError> {
        let mut msg = LinkMessage::default();
        msg.header.index = index;
        tolerate(
            self.req.ack(
                RouteNetlinkMessage::DelLink(msg),
                0,
                "deleting interface",
                &|| format!("ifindex {index}"),
            ),
            &[Errno::ENODEV],
        )
    }

    /// Sets an interface administratively up or down (IFF_UP).
    pub fn set_link_up(&mut self, index: u32, up: bool) -> Result<(), NetError> {
        let mut msg = LinkMessage::default();
        msg.header.index = index;
        msg.header.flags = if up {
            LinkFlags::Up
        } else {
            LinkFlags::empty()
        };
        msg.header.change_mask = LinkFlags::Up;
        self.req.ack(
            RouteNetlinkMessage::SetLink(msg),
            0,
            if up { "bringing up" } else { "bringing down" },
            &|| format!("interface ifindex {index}"),
        )
    }

    /// Stops the kernel from giving an interface IPv6 link-local addresses of its own
    /// (IFLA_INET6_ADDR_GEN_MODE = NONE), as keepalived does on an IPv6 VMAC before
    /// bringing it up: one derived from the shared VMAC would be the same on every
    /// router of the VRID and fail DAD.
    pub fn set_ipv6_addr_gen_mode_none(&mut self, index: u32) -> Result<(), NetError> {
        let mut msg = LinkMessage::default();
        msg.header.index = index;
        msg.attributes
            .push(LinkAttribute::AfSpecUnspec(vec![AfSpecUnspec::Inet6(
                vec![AfSpecInet6::AddrGenMode(In6AddrGenMode::None)],
            )]));
        self.req.ack(
            RouteNetlinkMessage::SetLink(msg),
            0,
            "setting IPv6 address generation to none on",
            &|| format!("ifindex {index}"),
        )
    }

    /// Gets one link; None on ENODEV.
    fn get_link(&mut self, msg: LinkMessage, op: &'static str) -> Result<Option<Link>, NetError> {
        Ok(self.get_decoded(msg, op)?.map(|d| d.link))
    }

    /// Gets one link with the crate-internal details; None on ENODEV.
    pub(crate) fn get_decoded(
        &mut self,
        msg: LinkMessage,
        op: &'static str,
    ) -> Result<Option<Decoded>, NetError> {
        let object = describe_link_query(&msg);
        let answer = match self.req.get(RouteNetlinkMessage::GetLink(msg), op)? {
            Ok(a) => a,
            Err((Errno::ENODEV, _)) => return Ok(None),
            Err(e) => return Err(crate::nl::nack(op, object, e)),
        };
        for (kind, payload) in answer {
            if kind == RTM_NEWLINK {
                return decode(&payload)
                    .map(Some)
                    .map_err(|detail| NetError::Decode {
                        op: format!("{op} {object}"),
                        detail,
                    });
            }
        }
        Ok(None)
    }
}

/// "\"eth0\"" or "ifindex 3", for errors.
fn describe_link_query(msg: &LinkMessage) -> String {
    for a in &msg.attributes {
        if let LinkAttribute::IfName(n) = a {
            return format!("{n:?}");
        }
    }
    format!("ifindex {}", msg.header.index)
}
