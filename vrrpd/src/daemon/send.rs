//! Sending advertisements: one datagram per destination (the group, or each unicast
//! peer), IPv4 with our own header (IP_HDRINCL), IPv6 with the source in IPV6_PKTINFO.

use std::net::IpAddr;

use super::build::Auth;
use super::instance::Running;
use crate::fsm;
use crate::packet::{self, encode_ipv4, Advertisement, AhSend, Family, Ipv4Fields, Scope};
use crate::socket::VrrpSocket;

/// Sends one advertisement (RFC 5798 §5.1) to the multicast group or to each unicast
/// peer, TTL / hop limit 255 (§5.1.1.3, §5.1.2.3).
pub fn send_advert(sock: &VrrpSocket, r: &mut Running, priority: u8, out: &mut Vec<u8>) {
    let spec = &r.spec;
    let (auth_type, auth_data) = match spec.auth {
        Auth::None => (packet::AUTH_NONE, [0; packet::AUTH_DATA_LEN]),
        Auth::Pass(p) => (packet::AUTH_PASS, p),
        Auth::Ah(_) => (packet::AUTH_AH, [0; packet::AUTH_DATA_LEN]),
    };
    let adv = Advertisement {
        version: spec.version,
        vrid: spec.fsm.vrid,
        priority,
        interval: spec.wire_interval(),
        addresses: spec.advertised.clone(),
        auth_type,
        auth_data,
    };
    let dsts: Vec<IpAddr> = if spec.is_unicast() {
        spec.peers.clone()
    } else {
        vec![spec.group]
    };
    for dst in dsts {
        out.clear();
        let res = match (r.primary, dst) {
            (IpAddr::V4(src), IpAddr::V4(dst4)) => {
                // keepalived counts the IP id from 1 and skips 0.
                r.ip_id = r.ip_id.wrapping_add(1).max(1);
                let ah = match &spec.auth {
                    Auth::Ah(key) => {
                        r.ah_tx_seq = r.ah_tx_seq.wrapping_add(1);
                        Some(AhSend {
                            key,
                            seq: r.ah_tx_seq,
                            unicast: spec.is_unicast(),
                        })
                    }
                    _ => None,
                };
                let pseudo_dst = if spec.is_unicast() && r.old_checksum {
                    spec.mcast_group4
                } else {
                    dst4
                };
                let fields = Ipv4Fields {
                    src,
                    dst: dst4,
                    id: r.ip_id,
                    ttl: spec.ttl,
                    tos: packet::ipv4::TOS_INTERNETWORK_CONTROL,
                };
                match encode_ipv4(&fields, &adv, spec.v3_checksum, pseudo_dst, ah, out) {
                    Ok(()) => sock.send_v4(out, dst4).map_err(|e| e.to_string()),
                    Err(e) => Err(e.to_string()),
                }
            }
            (IpAddr::V6(src), IpAddr::V6(dst6)) => {
                match adv.encode(Family::Ipv6, Scope::Ipv6Pseudo { src, dst: dst6 }, out) {
                    Ok(()) => sock.send_v6(out, src, dst6).map_err(|e| e.to_string()),
                    Err(e) => Err(e.to_string()),
                }
            }
            _ => Err(format!(
                "source {} and destination {dst} differ in family",
                r.primary
            )),
        };
        match res {
            Ok(()) => {
                r.counters.adverts_sent += 1;
                if priority == fsm::PRIORITY_STOP {
                    r.counters.priority_zero_sent += 1;
                }
            }
            Err(e) => log::warn!("({}) cannot send advert: {e}", spec.name()),
        }
    }
}
