//! Reading captured frames: VRRP adverts, gratuitous ARPs and neighbour
//! advertisements, the three things a failover measurement looks for.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// IANA protocol number of VRRP (RFC 5798 §5.1.1.3).
const PROTO_VRRP: u8 = 112;
/// IANA protocol number of the IPsec Authentication Header (RFC 4302).
const PROTO_AH: u8 = 51;
const ETH_P_IP: u16 = 0x0800;
const ETH_P_ARP: u16 = 0x0806;
const ETH_P_IPV6: u16 = 0x86dd;

/// What a frame is, for failover timelines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A VRRP advertisement.
    Advert {
        /// IP source.
        src: IpAddr,
        /// VRRP version (2 or 3).
        version: u8,
        /// Virtual router id.
        vrid: u8,
        /// Advertised priority.
        priority: u8,
    },
    /// An ARP whose sender and target addresses are equal (gratuitous, RFC 5227 §3).
    Garp {
        /// The announced address.
        ip: Ipv4Addr,
    },
    /// An ICMPv6 neighbour advertisement (RFC 4861 §4.4).
    Na {
        /// Its target address.
        target: Ipv6Addr,
    },
}

/// The Ethernet source address of a frame.
pub fn src_mac(frame: &[u8]) -> Option<[u8; 6]> {
    frame.get(6..12)?.try_into().ok()
}

fn ethertype(frame: &[u8]) -> Option<(u16, &[u8])> {
    let mut t = u16::from_be_bytes(frame.get(12..14)?.try_into().ok()?);
    let mut rest = frame.get(14..)?;
    if t == 0x8100 {
        t = u16::from_be_bytes(rest.get(2..4)?.try_into().ok()?);
        rest = rest.get(4..)?;
    }
    Some((t, rest))
}

/// Classifies a frame; `None` for anything else.
pub fn classify(frame: &[u8]) -> Option<Kind> {
    let (t, p) = ethertype(frame)?;
    match t {
        ETH_P_IP => {
            let ihl = usize::from(p.first()? & 0x0f) * 4;
            let src = Ipv4Addr::new(*p.get(12)?, *p.get(13)?, *p.get(14)?, *p.get(15)?);
            match *p.get(9)? {
                PROTO_VRRP => advert(IpAddr::V4(src), p.get(ihl..)?),
                // VRRPv2 with IPsec AH authentication (RFC 2338 §5.3.6.3): the advert
                // follows the AH header, whose length field counts 32-bit words minus 2
                // (RFC 4302 §2.2).
                PROTO_AH => {
                    let ah = p.get(ihl..)?;
                    if *ah.first()? != PROTO_VRRP {
                        return None;
                    }
                    let len = (usize::from(*ah.get(1)?) + 2) * 4;
                    advert(IpAddr::V4(src), ah.get(len..)?)
                }
                _ => None,
            }
        }
        ETH_P_IPV6 => {
            let next = *p.get(6)?;
            let src: [u8; 16] = p.get(8..24)?.try_into().ok()?;
            let body = p.get(40..)?;
            match next {
                PROTO_VRRP => advert(IpAddr::V6(Ipv6Addr::from(src)), body),
                58 if *body.first()? == 136 => {
                    let target: [u8; 16] = body.get(8..24)?.try_into().ok()?;
                    Some(Kind::Na {
                        target: Ipv6Addr::from(target),
                    })
                }
                _ => None,
            }
        }
        ETH_P_ARP => {
            let spa = Ipv4Addr::new(*p.get(14)?, *p.get(15)?, *p.get(16)?, *p.get(17)?);
            let tpa = Ipv4Addr::new(*p.get(24)?, *p.get(25)?, *p.get(26)?, *p.get(27)?);
            (spa == tpa).then_some(Kind::Garp { ip: spa })
        }
        _ => None,
    }
}

fn advert(src: IpAddr, vrrp: &[u8]) -> Option<Kind> {
    let vt = *vrrp.first()?;
    Some(Kind::Advert {
        src,
        version: vt >> 4,
        vrid: *vrrp.get(1)?,
        priority: *vrrp.get(2)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eth(t: u16, payload: &[u8]) -> Vec<u8> {
        let mut f = vec![0xff; 6];
        f.extend([0, 0, 0x5e, 0, 1, 7]);
        f.extend(t.to_be_bytes());
        f.extend(payload);
        f
    }

    #[test]
    fn vrrp_v3_ipv4_advert_rfc5798_5_1() {
        let mut ip = vec![0x45, 0, 0, 40, 0, 0, 0, 0, 255, PROTO_VRRP, 0, 0];
        ip.extend([192, 0, 2, 1, 224, 0, 0, 18]);
        ip.extend([0x31, 7, 150, 1, 0, 100, 0, 0, 192, 0, 2, 100]);
        let f = eth(ETH_P_IP, &ip);
        assert_eq!(
            classify(&f),
            Some(Kind::Advert {
                src: IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1)),
                version: 3,
                vrid: 7,
                priority: 150
            })
        );
        assert_eq!(src_mac(&f), Some([0, 0, 0x5e, 0, 1, 7]));
    }

    #[test]
    fn vrrp_v2_inside_ah_rfc2338_5_3_6_3() {
        let mut ip = vec![0x45, 0, 0, 64, 0, 0, 0, 0, 255, PROTO_AH, 0, 0];
        ip.extend([192, 0, 2, 1, 224, 0, 0, 18]);
        // AH: next header VRRP, payload length 4 (six words: 24 bytes), SPI, seq, ICV.
        ip.extend([PROTO_VRRP, 4, 0, 0]);
        ip.extend([0u8; 20]);
        ip.extend([0x21, 9, 100, 1, 2, 1, 0, 0, 192, 0, 2, 100]);
        assert_eq!(
            classify(&eth(ETH_P_IP, &ip)),
            Some(Kind::Advert {
                src: IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1)),
                version: 2,
                vrid: 9,
                priority: 100
            })
        );
    }

    #[test]
    fn gratuitous_arp_has_equal_sender_and_target_rfc5227_3() {
        let mut arp = vec![0, 1, 8, 0, 6, 4, 0, 1];
        arp.extend([0, 0, 0x5e, 0, 1, 7, 192, 0, 2, 100]);
        arp.extend([0xff; 6]);
        arp.extend([192, 0, 2, 100]);
        assert_eq!(
            classify(&eth(ETH_P_ARP, &arp)),
            Some(Kind::Garp {
                ip: Ipv4Addr::new(192, 0, 2, 100)
            })
        );
        let last = arp.len() - 1;
        arp[last] = 99;
        assert_eq!(classify(&eth(ETH_P_ARP, &arp)), None);
    }

    #[test]
    fn neighbour_advertisement_target_rfc4861_4_4() {
        let mut ip6 = vec![0x60, 0, 0, 0, 0, 32, 58, 255];
        ip6.extend([0xfe, 0x80].iter().chain([0u8; 14].iter()));
        ip6.extend(
            [0xff, 0x02]
                .iter()
                .chain([0u8; 13].iter())
                .chain([1u8].iter()),
        );
        let target: Ipv6Addr = "2001:db8::100".parse().unwrap();
        ip6.extend([136, 0, 0, 0, 0x20, 0, 0, 0]);
        ip6.extend(target.octets());
        assert_eq!(classify(&eth(ETH_P_IPV6, &ip6)), Some(Kind::Na { target }));
    }
}
