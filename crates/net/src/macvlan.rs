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
    /// parent with the same MAC and mode (left by a previous run) is taken over; one
    /// with another parent, MAC or mode is replaced (as keepalived does); an interface
    /// of that name that is not a macvlan is an EEXIST error and left alone.
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
        match self.create_macvlan(name, parent, mac, mode) {
            Err(e) if e.errno() == Some(Errno::EEXIST) => {}
            r => return r,
        }
        let mut msg = LinkMessage::default();
        msg.attributes.push(LinkAttribute::IfName(name.to_string()));
        let Some(found) = self.get_decoded(msg, "looking up interface")? else {
            // Gone meanwhile: create it after all.
            return self.create_macvlan(name, parent, mac, mode);
        };
        let link = &found.link;
        if link.kind.as_deref() != Some("macvlan") {
            // Never remove something that is not a macvlan (keepalived: "we don't
            // want to remove a physical interface").
            return Err(NetError::Kernel {
                op: "creating macvlan",
                object: object(),
                errno: Errno::EEXIST,
                message: Some(format!(
                    "an interface of that name exists and is a {}",
                    link.kind.as_deref().unwrap_or("physical device")
                )),
            });
        }
        if link.parent == Some(parent)
            && link.mac == Some(mac)
            && found.macvlan_mode == Some(mode.kernel_value())
        {
            return Ok(link.index);
        }
        // A macvlan of that name with another parent, MAC or mode (a previous
        // configuration's): replaced, as keepalived does.
        log::warn!(
            "replacing macvlan {name:?} (parent {:?}, MAC {:02x?}) by one on ifindex {parent}",
            link.parent,
            link.mac
        );
        self.del_link(link.index)?;
        self.create_macvlan(name, parent, mac, mode)
    }

    /// Sends the RTM_NEWLINK creating the macvlan and looks up its index.
    fn create_macvlan(
        &mut self,
        name: &str,
        parent: u32,
        mac: [u8; 6],
        mode: MacvlanMode,
    ) -> Result<u32, NetError> {
        let object = || format!("{name:?} on ifindex {parent}");
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
        self.req.ack(
            RouteNetlinkMessage::NewLink(msg),
            NLM_F_CREATE | NLM_F_EXCL,
            "creating macvlan",
            &object,
        )?;
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
}
