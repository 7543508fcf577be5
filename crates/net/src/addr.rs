//! Interface addresses: the spec the daemons ask for and read back, and its
//! RTM_NEWADDR/RTM_DELADDR encoding; and the `Rtnl` methods on addresses.

use crate::error::NetError;
use crate::rtnl::{tolerate, Rtnl, RTM_NEWADDR};
use netlink_packet_core::{NlaBuffer, NlasIterator, Parseable};
use netlink_packet_core::{NLM_F_CREATE, NLM_F_EXCL};
use netlink_packet_route::address::{
    AddressAttribute, AddressFlags, AddressHeader, AddressHeaderFlags, AddressMessage, CacheInfo,
};
use netlink_packet_route::AddressFamily;
use netlink_packet_route::RouteNetlinkMessage;
use nix::errno::Errno;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr};

/// The lifetime value meaning "forever" (INFINITY_LIFE_TIME, linux/if_addr.h).
const INFINITY_LIFE_TIME: u32 = u32::MAX;

/// One address on one interface, as `ip address add` would describe it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AddrSpec {
    /// The interface.
    pub ifindex: u32,
    /// The (local) address.
    pub addr: IpAddr,
    /// The prefix length.
    pub prefix_len: u8,
    /// IFA_BROADCAST (IPv4 only); None lets the kernel set none.
    pub broadcast: Option<Ipv4Addr>,
    /// The other end of a point-to-point address (IFA_ADDRESS when it differs from
    /// IFA_LOCAL).
    pub peer: Option<IpAddr>,
    /// The scope: 0 global, 200 site, 253 link, 254 host, 255 nowhere.
    pub scope: u8,
    /// IFA_LABEL (IPv4 only). Read back, an IPv4 address always has one: the
    /// interface name unless another label was given.
    pub label: Option<String>,
    /// IFA_F_NODAD: no duplicate address detection (IPv6), so the address is usable
    /// at once instead of tentative for a second or more.
    pub nodad: bool,
    /// IFA_F_NOPREFIXROUTE: no prefix route is added with the address.
    pub noprefixroute: bool,
    /// IFA_F_HOMEADDRESS (mobile IPv6 `home`).
    pub home: bool,
    /// IFA_F_MANAGETEMPADDR (`mngtmpaddr`).
    pub mngtmpaddr: bool,
    /// IFA_F_MCAUTOJOIN (`autojoin`).
    pub autojoin: bool,
    /// The preferred lifetime in seconds; None is forever. keepalived gives an IPv6
    /// /128 VIP 0, so that it is deprecated and never picked as a source address.
    pub preferred_lft: Option<u32>,
}

impl AddrSpec {
    /// An address with every option at its default: global scope, no broadcast, no
    /// label, no flags, preferred forever.
    pub fn new(ifindex: u32, addr: IpAddr, prefix_len: u8) -> AddrSpec {
        AddrSpec {
            ifindex,
            addr,
            prefix_len,
            broadcast: None,
            peer: None,
            scope: 0,
            label: None,
            nodad: false,
            noprefixroute: false,
            home: false,
            mngtmpaddr: false,
            autojoin: false,
            preferred_lft: None,
        }
    }

    /// What identifies an address to the kernel: interface, address, prefix length.
    /// Two specs with the same key are the same kernel address even if options differ.
    pub fn key(&self) -> (u32, IpAddr, u8) {
        (self.ifindex, self.addr, self.prefix_len)
    }

    /// True when both describe the same kernel address (same `key()`).
    pub fn same_address(&self, other: &AddrSpec) -> bool {
        self.key() == other.key()
    }

    /// Refuses what the kernel would refuse with a bare EINVAL, to say why.
    pub(crate) fn check(&self) -> Result<(), String> {
        let max = if self.addr.is_ipv6() { 128 } else { 32 };
        if self.prefix_len > max {
            return Err(format!("prefix length {} is above {max}", self.prefix_len));
        }
        if let Some(p) = self.peer {
            if p.is_ipv6() != self.addr.is_ipv6() {
                return Err("the peer is of another address family".into());
            }
        }
        if self.addr.is_ipv6() && self.broadcast.is_some() {
            return Err("an IPv6 address has no broadcast address".into());
        }
        if let Some(l) = &self.label {
            if self.addr.is_ipv6() {
                return Err("an IPv6 address has no label".into());
            }
            if l.is_empty() || l.len() > 15 || l.contains('\0') {
                return Err("a label has 1 to 15 bytes".into());
            }
        }
        Ok(())
    }

    /// The IFA_F_* flags of the spec.
    fn flags(&self) -> AddressFlags {
        let mut f = AddressFlags::empty();
        f.set(AddressFlags::Nodad, self.nodad);
        f.set(AddressFlags::Noprefixroute, self.noprefixroute);
        f.set(AddressFlags::Homeaddress, self.home);
        f.set(AddressFlags::Managetempaddr, self.mngtmpaddr);
        f.set(AddressFlags::Mcautojoin, self.autojoin);
        f
    }
}

impl fmt::Display for AddrSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix_len)?;
        if let Some(p) = self.peer {
            write!(f, " peer {p}")?;
        }
        write!(f, " on ifindex {}", self.ifindex)
    }
}

/// The address family of an IP address.
fn family_of(addr: &IpAddr) -> AddressFamily {
    if addr.is_ipv6() {
        AddressFamily::Inet6
    } else {
        AddressFamily::Inet
    }
}

/// The RTM_NEWADDR message adding `spec` (the same layout `ip address add` sends:
/// IFA_LOCAL the address, IFA_ADDRESS the peer or the address again).
pub(crate) fn new_message(spec: &AddrSpec) -> AddressMessage {
    let mut msg = header_only(spec);
    let flags = spec.flags();
    // The header carries the low 8 flag bits (old kernels read only those);
    // IFA_FLAGS carries them all.
    msg.header.flags = AddressHeaderFlags::from_bits_retain((flags.bits() & 0xff) as u8);
    if let Some(b) = spec.broadcast {
        msg.attributes.push(AddressAttribute::Broadcast(b));
    }
    if let Some(l) = &spec.label {
        msg.attributes.push(AddressAttribute::Label(l.clone()));
    }
    msg.attributes.push(AddressAttribute::Flags(flags));
    if let Some(p) = spec.preferred_lft {
        let mut ci = CacheInfo::default();
        ci.ifa_preferred = p;
        ci.ifa_valid = INFINITY_LIFE_TIME;
        msg.attributes.push(AddressAttribute::CacheInfo(ci));
    }
    msg
}

/// The RTM_DELADDR message removing `spec`: address, prefix length and peer only.
/// Not the label: the kernel refuses to delete on a label mismatch, and a VIP must go
/// whatever label someone gave it meanwhile.
pub(crate) fn del_message(spec: &AddrSpec) -> AddressMessage {
    header_only(spec)
}

/// The header and the IFA_LOCAL/IFA_ADDRESS pair.
fn header_only(spec: &AddrSpec) -> AddressMessage {
    let mut msg = AddressMessage::default();
    msg.header.family = family_of(&spec.addr);
    msg.header.prefix_len = spec.prefix_len;
    msg.header.scope = spec.scope.into();
    msg.header.index = spec.ifindex;
    msg.attributes.push(AddressAttribute::Local(spec.addr));
    msg.attributes
        .push(AddressAttribute::Address(spec.peer.unwrap_or(spec.addr)));
    msg
}

/// The RTM_GETADDR dump request for one family (or all) and one interface (or all).
pub(crate) fn dump_message(ifindex: Option<u32>) -> AddressMessage {
    let mut msg = AddressMessage::default();
    msg.header.family = AddressFamily::Unspec;
    msg.header.index = ifindex.unwrap_or(0);
    msg
}

/// Decodes an RTM_NEWADDR/RTM_DELADDR payload. Attributes are parsed one by one, and
/// one the library cannot parse is skipped rather than losing the address.
pub(crate) fn decode(payload: &[u8]) -> Result<AddrSpec, String> {
    let header = AddressHeader::parse(payload).map_err(|e| e.to_string())?;
    let attrs = payload.get(8..).unwrap_or(&[]);
    let mut local = None;
    let mut address = None;
    let mut spec_label = None;
    let mut broadcast = None;
    let mut flags = u32::from(header.flags.bits());
    let mut preferred = None;
    for nla in NlasIterator::new(attrs) {
        let nla: NlaBuffer<&[u8]> = nla.map_err(|e| e.to_string())?;
        let Ok(attr) = AddressAttribute::parse(&nla) else {
            log::debug!("skipping an undecodable address attribute {}", nla.kind());
            continue;
        };
        match attr {
            AddressAttribute::Local(a) => local = Some(a),
            AddressAttribute::Address(a) => address = Some(a),
            AddressAttribute::Label(l) => spec_label = Some(l),
            AddressAttribute::Broadcast(b) => broadcast = Some(b),
            AddressAttribute::Flags(f) => flags = f.bits(),
            AddressAttribute::CacheInfo(ci) => preferred = Some(ci.ifa_preferred),
            _ => {}
        }
    }
    // IPv4 always sends both; IPv6 sends IFA_ADDRESS alone, or IFA_LOCAL plus the peer
    // in IFA_ADDRESS for a point-to-point address.
    let addr = local.or(address).ok_or_else(|| {
        format!(
            "address on ifindex {} without IFA_LOCAL/IFA_ADDRESS",
            header.index
        )
    })?;
    let peer = match (local, address) {
        (Some(l), Some(a)) if l != a => Some(a),
        _ => None,
    };
    let f = AddressFlags::from_bits_retain(flags);
    Ok(AddrSpec {
        ifindex: header.index,
        addr,
        prefix_len: header.prefix_len,
        broadcast,
        peer,
        scope: header.scope.into(),
        label: spec_label,
        nodad: f.contains(AddressFlags::Nodad),
        noprefixroute: f.contains(AddressFlags::Noprefixroute),
        home: f.contains(AddressFlags::Homeaddress),
        mngtmpaddr: f.contains(AddressFlags::Managetempaddr),
        autojoin: f.contains(AddressFlags::Mcautojoin),
        preferred_lft: preferred.filter(|p| *p != INFINITY_LIFE_TIME),
    })
}

impl Rtnl {
    /// Addresses on one interface (or all when None), IPv4 and IPv6.
    pub fn addresses(&mut self, ifindex: Option<u32>) -> Result<Vec<AddrSpec>, NetError> {
        let answer = self.req.dump(
            RouteNetlinkMessage::GetAddress(dump_message(ifindex)),
            "listing addresses",
        )?;
        let mut out = Vec::new();
        for (kind, payload) in answer {
            if kind != RTM_NEWADDR {
                continue;
            }
            match decode(&payload) {
                // Old kernels ignore the index in the request: filter here too.
                Ok(a) if ifindex.is_none() || ifindex == Some(a.ifindex) => out.push(a),
                Ok(_) => {}
                Err(e) => log::warn!("listing addresses: skipping an undecodable one: {e}"),
            }
        }
        Ok(out)
    }

    /// Adds an address; one already present (EEXIST) is Ok, whatever its options.
    pub fn add_address(&mut self, spec: &AddrSpec) -> Result<(), NetError> {
        spec.check().map_err(|reason| NetError::Invalid {
            object: format!("address {spec}"),
            reason,
        })?;
        let msg = RouteNetlinkMessage::NewAddress(new_message(spec));
        let added = self
            .req
            .ack(msg, NLM_F_CREATE | NLM_F_EXCL, "adding address", &|| {
                spec.to_string()
            });
        tolerate(added, &[Errno::EEXIST])
    }

    /// Removes an address; one not present (EADDRNOTAVAIL) or on an interface that is
    /// gone (ENODEV) is Ok.
    pub fn del_address(&mut self, spec: &AddrSpec) -> Result<(), NetError> {
        let msg: AddressMessage = del_message(spec);
        tolerate(
            self.req.ack(
                RouteNetlinkMessage::DelAddress(msg),
                0,
                "removing address",
                &|| spec.to_string(),
            ),
            &[Errno::EADDRNOTAVAIL, Errno::ENODEV],
        )
    }
}
