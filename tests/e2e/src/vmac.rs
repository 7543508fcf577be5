//! A `use_vmac` lab: VRRP nodes whose own addresses are on one subnet and whose virtual
//! address sits on another, on the VMAC, with a client on the virtual address's subnet.
//!
//! Why two subnets: with the nodes' own addresses on the virtual address's subnet, the
//! master's replies leave through the base interface (its route is the first of the
//! two for the subnet) and its ARP requests for the client carry the base MAC, so the
//! client's neighbour entry for the virtual address turns into the base MAC. keepalived
//! 2.2.7 behaves the same (observed on this lab's topology). With the virtual address's
//! subnet reachable only through the VMAC, everything the client sees comes from the
//! virtual MAC, which is what `use_vmac` is for.

use crate::node::{Daemon, Node};
use std::fmt::Write;
use vigil_netlab::{Host, Lab, LabError};

/// The virtual address's family in a VMAC lab.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VmacFamily {
    /// VIP 192.0.2.100/24; nodes on 198.51.100.0/24; the client 192.0.2.50.
    V4,
    /// VIP 2001:db8:100::100/64; nodes on 2001:db8:1::/64; the client 2001:db8:100::50.
    V6,
}

/// One VMAC lab's settings; nodes differ in priority only.
#[derive(Debug, Clone)]
pub struct VmacConf {
    /// The family.
    pub family: VmacFamily,
    /// `virtual_router_id`.
    pub vrid: u8,
    /// Extra lines for the instance (`vmac_xmit_base`, `nopreempt`, ...).
    pub extra: String,
}

impl VmacConf {
    /// VRID 51, IPv4, nothing extra.
    pub fn v4() -> VmacConf {
        VmacConf {
            family: VmacFamily::V4,
            vrid: 51,
            extra: String::new(),
        }
    }

    /// The virtual address.
    pub fn vip(&self) -> &'static str {
        match self.family {
            VmacFamily::V4 => "192.0.2.100",
            VmacFamily::V6 => "2001:db8:100::100",
        }
    }

    /// The client's address with its prefix length.
    pub fn client_addr(&self) -> &'static str {
        match self.family {
            VmacFamily::V4 => "192.0.2.50/24",
            VmacFamily::V6 => "2001:db8:100::50/64",
        }
    }

    /// Node `n`'s own address with its prefix length (n from 1).
    pub fn node_addr(&self, n: u8) -> String {
        match self.family {
            VmacFamily::V4 => format!("198.51.100.{}/24", 10 + n),
            VmacFamily::V6 => format!("2001:db8:1::{}/64", 10 + n),
        }
    }

    /// keepalived's VMAC interface name: "vrrp.VRID".
    pub fn ifname(&self) -> String {
        format!("vrrp.{}", self.vrid)
    }

    /// The virtual router MAC (RFC 5798 §7.3).
    pub fn mac(&self) -> [u8; 6] {
        let kind = match self.family {
            VmacFamily::V4 => 1,
            VmacFamily::V6 => 2,
        };
        [0, 0, 0x5e, 0, kind, self.vrid]
    }

    /// The configuration of node `name` with `priority`, accepted by vigild and
    /// keepalived alike.
    pub fn render(&self, name: &str, priority: u8) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "global_defs {{\n    router_id {name}\n}}");
        let _ = writeln!(s, "vrrp_instance VI_1 {{");
        let _ = writeln!(s, "    state BACKUP");
        let _ = writeln!(s, "    interface eth0");
        let _ = writeln!(s, "    use_vmac");
        s.push_str(&self.extra);
        let _ = writeln!(s, "    virtual_router_id {}", self.vrid);
        let _ = writeln!(s, "    priority {priority}");
        let _ = writeln!(s, "    advert_int 0.1");
        let _ = writeln!(s, "    version 3");
        let _ = writeln!(s, "    garp_master_delay 1");
        let len = if self.family == VmacFamily::V4 {
            24
        } else {
            64
        };
        let _ = writeln!(
            s,
            "    virtual_ipaddress {{\n        {}/{len}\n    }}",
            self.vip()
        );
        let _ = writeln!(s, "}}");
        s
    }
}

/// Adds nodes lb1, lb2, ... (these daemons and priorities, not started) and a host
/// "client" to `lab`.
pub fn build(
    lab: &mut Lab,
    conf: &VmacConf,
    members: &[(Daemon, u8)],
) -> Result<(Vec<Node>, Host), LabError> {
    let mut nodes = Vec::new();
    for (n, &(daemon, prio)) in (1u8..).zip(members) {
        let name = format!("lb{n}");
        let host = lab.host(&name)?;
        add_address(&host, &conf.node_addr(n))?;
        nodes.push(Node::new(
            host,
            daemon,
            lab.dir(),
            &conf.render(&name, prio),
        )?);
    }
    let client = lab.host("client")?;
    add_address(&client, conf.client_addr())?;
    Ok((nodes, client))
}

fn add_address(host: &Host, addr: &str) -> Result<String, LabError> {
    host.run(&format!("ip addr add {addr} dev eth0 nodad"))
}

/// Parses "xx:xx:xx:xx:xx:xx".
pub fn parse_mac(word: &str) -> Option<[u8; 6]> {
    let mut m = [0u8; 6];
    let mut parts = word.split(':');
    for b in m.iter_mut() {
        *b = u8::from_str_radix(parts.next()?, 16).ok()?;
    }
    parts.next().is_none().then_some(m)
}

/// The MAC of interface `dev` on `host` (`None` when there is no such interface).
pub fn link_mac(host: &Host, dev: &str) -> Option<[u8; 6]> {
    let out = host.run(&format!("ip -o link show dev {dev}")).ok()?;
    let word = out
        .split_whitespace()
        .skip_while(|w| *w != "link/ether")
        .nth(1)?;
    parse_mac(word)
}

/// True while `host` has an interface `dev`.
pub fn has_link(host: &Host, dev: &str) -> bool {
    host.run(&format!("ip link show dev {dev}")).is_ok()
}

/// The link-layer address of `host`'s neighbour entry for `ip` on eth0, if it has one.
pub fn neighbour_mac(host: &Host, ip: &str) -> Option<[u8; 6]> {
    let out = host.run(&format!("ip -o neigh show {ip} dev eth0")).ok()?;
    let word = out
        .split_whitespace()
        .skip_while(|w| *w != "lladdr")
        .nth(1)?;
    parse_mac(word)
}

/// The sender hardware address of an ARP frame (RFC 826), untagged Ethernet.
pub fn arp_sender_mac(frame: &[u8]) -> Option<[u8; 6]> {
    if frame.get(12..14)? != [0x08, 0x06] {
        return None;
    }
    frame.get(22..28)?.try_into().ok()
}

/// The target link-layer address option of an ICMPv6 neighbour advertisement
/// (RFC 4861 §4.4, option type 2), untagged Ethernet.
pub fn na_target_mac(frame: &[u8]) -> Option<[u8; 6]> {
    if frame.get(12..14)? != [0x86, 0xdd] || *frame.get(20)? != 58 {
        return None;
    }
    // Ethernet 14 + IPv6 40 + NA header 24: the options.
    let mut opts = frame.get(78..)?;
    while opts.len() >= 8 {
        let len = usize::from(*opts.get(1)?) * 8;
        if len == 0 {
            return None;
        }
        if *opts.first()? == 2 {
            return opts.get(2..8)?.try_into().ok();
        }
        opts = opts.get(len..)?;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vmac_rfc5798_7_3() {
        let mut c = VmacConf::v4();
        assert_eq!(c.mac(), [0, 0, 0x5e, 0, 1, 51]);
        c.family = VmacFamily::V6;
        c.vrid = 61;
        assert_eq!(c.mac(), [0, 0, 0x5e, 0, 2, 61]);
        assert_eq!(c.ifname(), "vrrp.61");
    }

    #[test]
    fn parses_macs() {
        assert_eq!(
            parse_mac("00:00:5e:00:01:33"),
            Some([0, 0, 0x5e, 0, 1, 0x33])
        );
        assert_eq!(parse_mac("00:00:5e:00:01"), None);
        assert_eq!(parse_mac("00:00:5e:00:01:33:00"), None);
    }

    #[test]
    fn renders_use_vmac_and_the_extra_lines() {
        let c = VmacConf {
            extra: "    vmac_xmit_base\n".into(),
            ..VmacConf::v4()
        };
        let t = c.render("lb1", 150);
        assert!(t.contains("    use_vmac\n    vmac_xmit_base\n"));
        assert!(t.contains("192.0.2.100/24"));
    }
}
