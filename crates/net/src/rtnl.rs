//! A blocking NETLINK_ROUTE request/ACK socket: links, addresses, macvlans. Each call
//! sends one request and waits for the kernel's answer (microseconds; bounded by a
//! reply timeout), which suits a single-threaded event loop.

use crate::addr;
pub use crate::addr::AddrSpec;
use crate::devconf;
pub use crate::devconf::Ipv4Conf;
pub use crate::error::NetError;
use crate::link;
pub use crate::link::{Link, MacvlanMode};
use crate::nl::Requester;
use crate::route;
pub use crate::route::{NexthopSpec, RouteSpec};
use crate::rule;
pub use crate::rule::{RuleSpec, RuleVerdict};
use netlink_packet_core::{NLM_F_APPEND, NLM_F_CREATE, NLM_F_EXCL};
use netlink_packet_route::address::AddressMessage;
use netlink_packet_route::link::{
    AfSpecInet, AfSpecInet6, AfSpecUnspec, In6AddrGenMode, InfoData, InfoKind, InfoMacVlan,
    LinkAttribute, LinkFlags, LinkInfo, LinkMessage, MacVlanMode,
};
use netlink_packet_route::RouteNetlinkMessage;
use nix::errno::Errno;

/// rtnetlink message types (linux/rtnetlink.h).
pub(crate) const RTM_NEWLINK: u16 = 16;
pub(crate) const RTM_DELLINK: u16 = 17;
pub(crate) const RTM_NEWADDR: u16 = 20;
pub(crate) const RTM_DELADDR: u16 = 21;

/// A NETLINK_ROUTE socket for requests; see the module documentation.
pub struct Rtnl {
    req: Requester,
}

impl Rtnl {
    /// Opens the socket (needs no privilege; changes need CAP_NET_ADMIN).
    pub fn open() -> Result<Rtnl, NetError> {
        Ok(Rtnl {
            req: Requester::open()?,
        })
    }

    /// The interface with this name, None if there is none.
    pub fn link_by_name(&mut self, name: &str) -> Result<Option<Link>, NetError> {
        link::check_name(name).map_err(|reason| NetError::Invalid {
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
            match link::decode(&payload) {
                Ok(d) => out.push(d.link),
                // One odd interface must not hide the others; it is logged.
                Err(e) => log::warn!("listing interfaces: skipping an undecodable link: {e}"),
            }
        }
        Ok(out)
    }

    /// Addresses on one interface (or all when None), IPv4 and IPv6.
    pub fn addresses(&mut self, ifindex: Option<u32>) -> Result<Vec<AddrSpec>, NetError> {
        let answer = self.req.dump(
            RouteNetlinkMessage::GetAddress(addr::dump_message(ifindex)),
            "listing addresses",
        )?;
        let mut out = Vec::new();
        for (kind, payload) in answer {
            if kind != RTM_NEWADDR {
                continue;
            }
            match addr::decode(&payload) {
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
        let msg = RouteNetlinkMessage::NewAddress(addr::new_message(spec));
        match self
            .req
            .ack(msg, NLM_F_CREATE | NLM_F_EXCL, "adding address", &|| {
                spec.to_string()
            }) {
            Err(e) if e.errno() == Some(Errno::EEXIST) => Ok(()),
            r => r,
        }
    }

    /// Removes an address; one not present (EADDRNOTAVAIL) or on an interface that is
    /// gone (ENODEV) is Ok.
    pub fn del_address(&mut self, spec: &AddrSpec) -> Result<(), NetError> {
        let msg: AddressMessage = addr::del_message(spec);
        match self.req.ack(
            RouteNetlinkMessage::DelAddress(msg),
            0,
            "removing address",
            &|| spec.to_string(),
        ) {
            Err(e) if matches!(e.errno(), Some(Errno::EADDRNOTAVAIL | Errno::ENODEV)) => Ok(()),
            r => r,
        }
    }

    /// Creates a macvlan (keepalived's `use_vmac`) named `name` on `parent` with this
    /// MAC and returns its ifindex. An existing macvlan of that name on the same
    /// parent with the same MAC and mode (left by a previous run) is taken over.
    pub fn add_macvlan(
        &mut self,
        name: &str,
        parent: u32,
        mac: [u8; 6],
        mode: MacvlanMode,
    ) -> Result<u32, NetError> {
        let object = || format!("{name:?} on ifindex {parent}");
        link::check_name(name).map_err(|reason| NetError::Invalid {
            object: format!("interface {name:?}"),
            reason,
        })?;
        let mut msg = LinkMessage::default();
        msg.attributes.push(LinkAttribute::IfName(name.to_string()));
        msg.attributes.push(LinkAttribute::Link(parent));
        msg.attributes.push(LinkAttribute::Address(mac.to_vec()));
        msg.attributes.push(LinkAttribute::LinkInfo(vec![
            LinkInfo::Kind(InfoKind::MacVlan),
            LinkInfo::Data(InfoData::MacVlan(vec![InfoMacVlan::Mode(
                MacVlanMode::from(mode.kernel_value()),
            )])),
        ]));
        let created = self.req.ack(
            RouteNetlinkMessage::NewLink(msg),
            NLM_F_CREATE | NLM_F_EXCL,
            "creating macvlan",
            &object,
        );
        match created {
            Ok(()) => {}
            Err(e) if e.errno() == Some(Errno::EEXIST) => {
                return self.adopt_macvlan(name, parent, mac, mode, e);
            }
            Err(e) => return Err(e),
        }
        match self.link_by_name(name)? {
            Some(l) => Ok(l.index),
            None => Err(NetError::Kernel {
                op: "creating macvlan",
                object: object(),
                errno: Errno::ENODEV,
                message: Some("created, then gone before it could be looked up".into()),
            }),
        }
    }

    /// An interface named like the macvlan exists: its index if it is the macvlan we
    /// would have created, else the EEXIST error.
    fn adopt_macvlan(
        &mut self,
        name: &str,
        parent: u32,
        mac: [u8; 6],
        mode: MacvlanMode,
        eexist: NetError,
    ) -> Result<u32, NetError> {
        let mut msg = LinkMessage::default();
        msg.attributes.push(LinkAttribute::IfName(name.to_string()));
        let found = self.get_decoded(msg, "looking up interface")?;
        match found {
            Some(d)
                if d.link.kind.as_deref() == Some("macvlan")
                    && d.link.parent == Some(parent)
                    && d.link.mac == Some(mac)
                    && d.macvlan_mode == Some(mode.kernel_value()) =>
            {
                Ok(d.link.index)
            }
            _ => Err(match eexist {
                NetError::Kernel {
                    op, object, errno, ..
                } => NetError::Kernel {
                    op,
                    object,
                    errno,
                    message: Some(
                        "an interface of that name exists and is not this macvlan".into(),
                    ),
                },
                other => other,
            }),
        }
    }

    /// Deletes an interface; one already gone (ENODEV) is Ok.
    pub fn del_link(&mut self, index: u32) -> Result<(), NetError> {
        let mut msg = LinkMessage::default();
        msg.header.index = index;
        match self.req.ack(
            RouteNetlinkMessage::DelLink(msg),
            0,
            "deleting interface",
            &|| format!("ifindex {index}"),
        ) {
            Err(e) if e.errno() == Some(Errno::ENODEV) => Ok(()),
            r => r,
        }
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
            if up {
                "setting interface up"
            } else {
                "setting interface down"
            },
            &|| format!("ifindex {index}"),
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
                AfSpecInet::Other(devconf::conf_nest(settings)),
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
            .and_then(|(_, p)| devconf::decode(p));
        conf.and_then(|c| c.get(usize::from(key.id()) - 1).copied())
            .ok_or_else(|| NetError::Decode {
                op: format!("{op} ifindex {index}"),
                detail: format!("no IPv4 devconf value for {}", key.sysctl_key()),
            })
    }

    /// Adds a route; one already there (EEXIST) is Ok.
    pub fn add_route(&mut self, spec: &RouteSpec) -> Result<(), NetError> {
        spec.check().map_err(|reason| NetError::Invalid {
            object: format!("route {spec}"),
            reason,
        })?;
        let flags = if spec.append {
            NLM_F_CREATE | NLM_F_APPEND
        } else {
            NLM_F_CREATE | NLM_F_EXCL
        };
        match self.req.ack(
            RouteNetlinkMessage::NewRoute(route::new_message(spec)),
            flags,
            "adding route",
            &|| spec.to_string(),
        ) {
            Err(e) if e.errno() == Some(Errno::EEXIST) => Ok(()),
            r => r,
        }
    }

    /// Removes a route we added (same protocol); one not there (ESRCH) or whose
    /// interface is gone (ENODEV) is Ok.
    pub fn del_route(&mut self, spec: &RouteSpec) -> Result<(), NetError> {
        match self.req.ack(
            RouteNetlinkMessage::DelRoute(route::del_message(spec)),
            0,
            "removing route",
            &|| spec.to_string(),
        ) {
            Err(e) if matches!(e.errno(), Some(Errno::ESRCH | Errno::ENODEV)) => Ok(()),
            r => r,
        }
    }

    /// Adds a rule; one already there (EEXIST) is Ok.
    pub fn add_rule(&mut self, spec: &RuleSpec) -> Result<(), NetError> {
        spec.check().map_err(|reason| NetError::Invalid {
            object: spec.to_string(),
            reason,
        })?;
        match self.req.ack(
            RouteNetlinkMessage::NewRule(rule::message(spec)),
            NLM_F_CREATE | NLM_F_EXCL,
            "adding",
            &|| spec.to_string(),
        ) {
            Err(e) if e.errno() == Some(Errno::EEXIST) => Ok(()),
            r => r,
        }
    }

    /// Removes a rule; one not there (ENOENT) is Ok.
    pub fn del_rule(&mut self, spec: &RuleSpec) -> Result<(), NetError> {
        match self.req.ack(
            RouteNetlinkMessage::DelRule(rule::message(spec)),
            0,
            "removing",
            &|| spec.to_string(),
        ) {
            Err(e) if e.errno() == Some(Errno::ENOENT) => Ok(()),
            r => r,
        }
    }

    /// Gets one link; None on ENODEV.
    fn get_link(&mut self, msg: LinkMessage, op: &'static str) -> Result<Option<Link>, NetError> {
        Ok(self.get_decoded(msg, op)?.map(|d| d.link))
    }

    /// Gets one link with the crate-internal details; None on ENODEV.
    fn get_decoded(
        &mut self,
        msg: LinkMessage,
        op: &'static str,
    ) -> Result<Option<link::Decoded>, NetError> {
        let object = describe_link_query(&msg);
        let answer = match self.req.get(RouteNetlinkMessage::GetLink(msg), op)? {
            Ok(a) => a,
            Err((Errno::ENODEV, _)) => return Ok(None),
            Err(e) => return Err(crate::nl::nack(op, object, e)),
        };
        for (kind, payload) in answer {
            if kind == RTM_NEWLINK {
                return link::decode(&payload)
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
