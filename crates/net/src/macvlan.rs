//! VMAC interfaces: macvlans created (or taken over) for keepalived's `use_vmac`.

use crate::error::NetError;
use crate::link::{check_name, MacvlanMode};
use crate::rtnl::Rtnl;
use netlink_packet_core::{NLM_F_CREATE, NLM_F_EXCL};
use netlink_packet_route::link::{
    InfoData, InfoKind, InfoMacVlan, LinkAttribute, LinkInfo, LinkMessage, MacVlanMode,
};
use netlink_packet_route::RouteNetlinkMessage;
use nix::errno::Errno;

impl Rtnl {
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
        check_name(name).map_err(|reason| NetError::Invalid {
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
}
