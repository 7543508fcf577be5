//! Telling the link that an address moved here: gratuitous ARP (IPv4) and
//! unsolicited neighbour advertisements (IPv6, RFC 4861 §7.2.6), as pure frame
//! builders plus a send-only AF_PACKET socket.

use crate::error::NetError;
use crate::packet::PacketSocket;
use pnet_base::MacAddr;
use pnet_packet::arp::{ArpHardwareTypes, ArpOperations, MutableArpPacket};
use pnet_packet::ethernet::{EtherTypes, MutableEthernetPacket};
use pnet_packet::icmpv6::ndp::{
    MutableNeighborAdvertPacket, NdpOption, NdpOptionTypes, NeighborAdvertFlags,
};
use pnet_packet::icmpv6::{self, Icmpv6Packet, Icmpv6Types};
use pnet_packet::ip::IpNextHeaderProtocols;
use pnet_packet::ipv6::MutableIpv6Packet;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};

/// Ethernet header, ARP for IPv4 over Ethernet (RFC 826): 14 + 28 bytes.
pub const GARP_LEN: usize = 14 + 28;
/// Ethernet, IPv6 header, NA with one 8-byte option (RFC 4861 §4.4): 14 + 40 + 32.
pub const NA_LEN: usize = 14 + 40 + 24 + 8;
/// ff02::1, the all-nodes multicast address (RFC 4291 §2.7.1): RFC 4861 §7.2.6 sends
/// unsolicited advertisements there.
pub const ALL_NODES: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1);
/// 33:33:00:00:00:01, the Ethernet mapping of ff02::1 (RFC 2464 §7).
const ALL_NODES_MAC: MacAddr = MacAddr(0x33, 0x33, 0, 0, 0, 1);

/// A gratuitous ARP for `ip` from `src_mac`, byte for byte as keepalived sends it:
/// Ethernet broadcast; an ARP *request* (RFC 5227 §3 "ARP Announcement": sender and
/// target protocol address both `ip`) with the RFC 826 Ethernet/IPv4 field sizes;
/// sender hardware address `src_mac`; target hardware address ff:ff:ff:ff:ff:ff
/// (keepalived's choice; receivers ignore it in a request).
pub fn gratuitous_arp(src_mac: [u8; 6], ip: Ipv4Addr) -> Vec<u8> {
    let mac = MacAddr::from(src_mac);
    let mut buf = vec![0u8; GARP_LEN];
    {
        let mut eth = MutableEthernetPacket::new(&mut buf).expect("buffer holds the header");
        eth.set_destination(MacAddr::broadcast());
        eth.set_source(mac);
        eth.set_ethertype(EtherTypes::Arp);
    }
    let mut arp = MutableArpPacket::new(&mut buf[14..]).expect("buffer holds the ARP body");
    arp.set_hardware_type(ArpHardwareTypes::Ethernet);
    arp.set_protocol_type(EtherTypes::Ipv4);
    arp.set_hw_addr_len(6);
    arp.set_proto_addr_len(4);
    arp.set_operation(ArpOperations::Request);
    arp.set_sender_hw_addr(mac);
    arp.set_sender_proto_addr(ip);
    arp.set_target_hw_addr(MacAddr::broadcast());
    arp.set_target_proto_addr(ip);
    buf
}

/// An unsolicited neighbour advertisement (RFC 4861 §7.2.6) for `target` from
/// `src_mac`/`src_ip`: to ff02::1 (33:33:00:00:00:01), hop limit 255 (§7.1.2:
/// receivers drop anything else), Solicited clear, Override set (so caches switch to
/// the new MAC), Router as asked (the interface forwards), and a target link-layer
/// address option carrying `src_mac` (§4.4, required on multicast NAs).
pub fn unsolicited_na(
    src_mac: [u8; 6],
    src_ip: Ipv6Addr,
    target: Ipv6Addr,
    router: bool,
) -> Vec<u8> {
    let mac = MacAddr::from(src_mac);
    let mut buf = vec![0u8; NA_LEN];
    {
        let mut eth = MutableEthernetPacket::new(&mut buf).expect("buffer holds the header");
        eth.set_destination(ALL_NODES_MAC);
        eth.set_source(mac);
        eth.set_ethertype(EtherTypes::Ipv6);
    }
    {
        let mut ip6 = MutableIpv6Packet::new(&mut buf[14..]).expect("buffer holds the header");
        ip6.set_version(6);
        ip6.set_payload_length((NA_LEN - 14 - 40) as u16);
        ip6.set_next_header(IpNextHeaderProtocols::Icmpv6);
        ip6.set_hop_limit(255);
        ip6.set_source(src_ip);
        ip6.set_destination(ALL_NODES);
    }
    {
        let mut na = MutableNeighborAdvertPacket::new(&mut buf[54..]).expect("buffer holds the NA");
        na.set_icmpv6_type(Icmpv6Types::NeighborAdvert);
        let mut flags = NeighborAdvertFlags::Override;
        if router {
            flags |= NeighborAdvertFlags::Router;
        }
        na.set_flags(flags);
        na.set_target_addr(target);
        na.set_options(&[NdpOption {
            option_type: NdpOptionTypes::TargetLLAddr,
            length: 1,
            data: src_mac.to_vec(),
        }]);
    }
    let sum = Icmpv6Packet::new(&buf[54..])
        .map(|p| icmpv6::checksum(&p, &src_ip, &ALL_NODES))
        .unwrap_or(0);
    buf[56..58].copy_from_slice(&sum.to_be_bytes());
    buf
}

/// A send-only AF_PACKET socket for one interface (CAP_NET_RAW). It receives nothing,
/// and is non-blocking: a full transmit queue is an error, not a stall.
pub struct Announcer {
    sock: PacketSocket,
    ifindex: u32,
}

impl Announcer {
    /// Opens the socket for `ifindex`.
    pub fn open(ifindex: u32) -> Result<Announcer, NetError> {
        if ifindex == 0 {
            return Err(NetError::Invalid {
                object: "ifindex 0".into(),
                reason: "not an interface".into(),
            });
        }
        Ok(Announcer {
            sock: PacketSocket::open()?,
            ifindex,
        })
    }

    /// The interface frames go out of.
    pub fn ifindex(&self) -> u32 {
        self.ifindex
    }

    /// Sends one complete Ethernet frame (from `gratuitous_arp` or `unsolicited_na`).
    pub fn send(&mut self, frame: &[u8]) -> Result<(), NetError> {
        self.sock.send(self.ifindex, frame)
    }
}

impl AsRawFd for Announcer {
    fn as_raw_fd(&self) -> RawFd {
        self.sock.as_raw_fd()
    }
}

impl AsFd for Announcer {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.sock.as_fd()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pnet_packet::arp::ArpPacket;
    use pnet_packet::ethernet::EthernetPacket;
    use pnet_packet::icmpv6::ndp::NeighborAdvertPacket;
    use pnet_packet::ipv6::Ipv6Packet;
    use pnet_packet::Packet;

    /// RFC 5798 §7.3: the VRRP MAC of IPv4 VRID 7.
    const VMAC: [u8; 6] = [0x00, 0x00, 0x5e, 0x00, 0x01, 0x07];

    #[test]
    fn gratuitous_arp_bytes_rfc826_layout_rfc5227_announcement() {
        let f = gratuitous_arp(VMAC, Ipv4Addr::new(192, 0, 2, 10));
        #[rustfmt::skip]
        let want: [u8; GARP_LEN] = [
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, // Ethernet broadcast
            0x00, 0x00, 0x5e, 0x00, 0x01, 0x07, // source: the VMAC
            0x08, 0x06,                         // ethertype ARP
            0x00, 0x01,                         // RFC 826 ar$hrd: Ethernet
            0x08, 0x00,                         // ar$pro: IPv4
            6, 4,                               // ar$hln, ar$pln
            0x00, 0x01,                         // ar$op: request (RFC 5227 §3)
            0x00, 0x00, 0x5e, 0x00, 0x01, 0x07, // ar$sha
            192, 0, 2, 10,                      // ar$spa: the address
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, // ar$tha: as keepalived
            192, 0, 2, 10,                      // ar$tpa = ar$spa (announcement)
        ];
        assert_eq!(f, want);
    }

    #[test]
    fn gratuitous_arp_parses_back_with_pnet() {
        let f = gratuitous_arp(VMAC, Ipv4Addr::new(203, 0, 113, 7));
        let eth = EthernetPacket::new(&f).expect("ethernet");
        assert_eq!(eth.get_destination(), MacAddr::broadcast());
        assert_eq!(eth.get_source(), MacAddr::from(VMAC));
        assert_eq!(eth.get_ethertype(), EtherTypes::Arp);
        let arp = ArpPacket::new(eth.payload()).expect("arp");
        assert_eq!(arp.get_operation(), ArpOperations::Request);
        assert_eq!(arp.get_sender_hw_addr(), MacAddr::from(VMAC));
        assert_eq!(arp.get_sender_proto_addr(), Ipv4Addr::new(203, 0, 113, 7));
        assert_eq!(arp.get_target_proto_addr(), Ipv4Addr::new(203, 0, 113, 7));
    }

    /// RFC 4443 §2.3 / RFC 8200 §8.1: the ICMPv6 checksum, computed here without pnet
    /// over the pseudo-header (source, destination, upper-layer length, next header).
    fn icmpv6_sum(src: Ipv6Addr, dst: Ipv6Addr, body: &[u8]) -> u16 {
        let mut bytes = Vec::new();
        bytes.extend_from_slice(&src.octets());
        bytes.extend_from_slice(&dst.octets());
        bytes.extend_from_slice(&(body.len() as u32).to_be_bytes());
        bytes.extend_from_slice(&[0, 0, 0, 58]);
        bytes.extend_from_slice(body);
        if bytes.len() % 2 == 1 {
            bytes.push(0);
        }
        let mut sum: u32 = bytes
            .chunks(2)
            .map(|c| u32::from(u16::from_be_bytes([c[0], c[1]])))
            .sum();
        while sum > 0xffff {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        !(sum as u16)
    }

    #[test]
    fn unsolicited_na_bytes_rfc4861_7_2_6() {
        let src: Ipv6Addr = "fe80::200:5eff:fe00:207".parse().expect("addr");
        let target: Ipv6Addr = "2001:db8::10".parse().expect("addr");
        let vmac6 = [0x00, 0x00, 0x5e, 0x00, 0x02, 0x07];
        let f = unsolicited_na(vmac6, src, target, true);
        assert_eq!(f.len(), NA_LEN);
        // Ethernet: 33:33:00:00:00:01 (RFC 2464 §7 mapping of ff02::1), ethertype IPv6.
        assert_eq!(&f[0..6], &[0x33, 0x33, 0, 0, 0, 1]);
        assert_eq!(&f[6..12], &vmac6);
        assert_eq!(&f[12..14], &[0x86, 0xdd]);
        // IPv6: version 6, no class/flow, payload 32, next header 58, hop limit 255
        // (RFC 4861 §7.1.2 makes receivers drop any other).
        assert_eq!(&f[14..22], &[0x60, 0, 0, 0, 0, 32, 58, 255]);
        assert_eq!(&f[22..38], &src.octets());
        assert_eq!(&f[38..54], &ALL_NODES.octets());
        // ICMPv6 type 136 code 0; R|O set, S clear (RFC 4861 §7.2.6: unsolicited).
        assert_eq!(&f[54..56], &[136, 0]);
        assert_eq!(&f[58..62], &[0xa0, 0, 0, 0]);
        assert_eq!(&f[62..78], &target.octets());
        // Target link-layer address option: type 2, length 1 (8 bytes), the MAC.
        assert_eq!(&f[78..80], &[2, 1]);
        assert_eq!(&f[80..86], &vmac6);
        // The checksum, recomputed independently with the field zeroed.
        let mut body = f[54..].to_vec();
        body[2] = 0;
        body[3] = 0;
        let want = icmpv6_sum(src, ALL_NODES, &body);
        assert_eq!(u16::from_be_bytes([f[56], f[57]]), want);
        // And the receiver's check: summing with the checksum in place gives 0.
        assert_eq!(icmpv6_sum(src, ALL_NODES, &f[54..]), 0);
    }

    #[test]
    fn unsolicited_na_without_router_flag_has_only_override() {
        let src: Ipv6Addr = "2001:db8::10".parse().expect("addr");
        let f = unsolicited_na(VMAC, src, src, false);
        assert_eq!(f[58], 0x20);
        assert_eq!(icmpv6_sum(src, ALL_NODES, &f[54..]), 0);
    }

    #[test]
    fn unsolicited_na_parses_back_with_pnet() {
        let src: Ipv6Addr = "2001:db8::1".parse().expect("addr");
        let target: Ipv6Addr = "2001:db8::20".parse().expect("addr");
        let f = unsolicited_na(VMAC, src, target, false);
        let eth = EthernetPacket::new(&f).expect("ethernet");
        assert_eq!(eth.get_ethertype(), EtherTypes::Ipv6);
        let ip6 = Ipv6Packet::new(eth.payload()).expect("ipv6");
        assert_eq!(ip6.get_hop_limit(), 255);
        assert_eq!(ip6.get_next_header(), IpNextHeaderProtocols::Icmpv6);
        assert_eq!(ip6.get_destination(), ALL_NODES);
        let na = NeighborAdvertPacket::new(ip6.payload()).expect("na");
        assert_eq!(na.get_icmpv6_type(), Icmpv6Types::NeighborAdvert);
        assert_eq!(na.get_target_addr(), target);
        assert_eq!(na.get_flags(), NeighborAdvertFlags::Override);
        let opts = na.get_options();
        assert_eq!(opts.len(), 1);
        assert_eq!(opts[0].option_type, NdpOptionTypes::TargetLLAddr);
        assert_eq!(opts[0].data, VMAC.to_vec());
        let icmp = Icmpv6Packet::new(ip6.payload()).expect("icmpv6");
        assert_eq!(
            icmpv6::checksum(&icmp, &src, &ALL_NODES),
            icmp.get_checksum()
        );
    }
}
