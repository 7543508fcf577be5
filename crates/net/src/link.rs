//! Links (network interfaces) as the daemons see them, decoded from RTM_NEWLINK by hand
//! from the few attributes used, so that an attribute this crate's netlink library
//! cannot parse (new kernels add them) never hides an interface.

use netlink_packet_core::NlasIterator;
use netlink_packet_route::link::LinkHeader;

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
