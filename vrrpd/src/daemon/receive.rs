//! Receiving: a datagram from a VRRP socket is demultiplexed by VRID to its instance
//! and validated by the codec (RFC 5798 §7.1); every rejection is counted by reason,
//! and a rejected packet never reaches the state machine.

use std::collections::{BTreeMap, HashMap};

use super::build::Auth;
use super::instance::Running;
use super::ipc;
use crate::fsm::{self, Advert, Event};
use crate::packet::validate::ChecksumForm;
use crate::packet::{self, validate, Datagram, Expect, ExpectAuth};

/// Validates one received packet against the instance its VRID names and turns it
/// into an event; every rejection is counted, and a rejected packet changes nothing
/// (RFC 5798 §7.1).
/// The VRID byte of a datagram too broken to parse, when it reaches that far: the
/// second byte of the VRRP header (RFC 5798 §5.2), after the IPv4 header (not through
/// AH, whose length a broken packet cannot be trusted for).
fn vrid_hint(d: Datagram<'_>) -> Option<u8> {
    match d {
        Datagram::Ipv4(bytes) => {
            let ihl = usize::from(bytes.first()? & 0x0f) * 4;
            (*bytes.get(9)? == packet::PROTO_VRRP)
                .then(|| bytes.get(ihl + 1).copied())
                .flatten()
        }
        Datagram::Ipv6 { payload, .. } => payload.get(1).copied(),
    }
}

pub fn dispatch(
    d: Datagram<'_>,
    ifname: &str,
    vrids: &HashMap<u8, u64>,
    unattributed: &mut packet::Counters,
    instances: &mut BTreeMap<u64, Box<Running>>,
) -> Option<(u64, Event)> {
    let (vrid, src) = match validate::parse(d) {
        Ok(p) => (p.advert.vrid(), p.src),
        Err(rej) => {
            // keepalived finds the instance by VRID before checking version, length
            // and type (vrrp_scheduler.c), so such a packet counts against the
            // instance whose VRID it carries; anything else is the socket's.
            match vrid_hint(d)
                .and_then(|v| vrids.get(&v))
                .and_then(|id| instances.get_mut(id))
            {
                Some(r) => {
                    r.rejects.record(rej.reason());
                    ipc::count_reject(&mut r.counters, rej.reason());
                }
                None => unattributed.record(rej.reason()),
            }
            log::debug!("{}: dropped packet: {rej}", ifname);
            return None;
        }
    };
    let Some(&id) = vrids.get(&vrid) else {
        unattributed.record(packet::Reason::UnknownVrid);
        log::debug!("{}: advert for unknown VRID {vrid}", ifname);
        return None;
    };
    let r = instances.get_mut(&id)?;
    let spec = &r.spec;
    // keepalived `skip_check_adv_addr`: no address check for the current master.
    let from_master = r.fsm.master().map(|(a, _)| a) == Some(src);
    let expect = Expect {
        version: spec.version,
        interval: spec.wire_interval(),
        addresses: &spec.advertised,
        check_addresses: !(spec.skip_check_adv_addr && from_master),
        auth: match &spec.auth {
            Auth::None => ExpectAuth::None,
            Auth::Pass(p) => ExpectAuth::Pass(p),
            Auth::Ah(k) => ExpectAuth::Ah {
                key: k,
                last_seq: r.ah_rx_seq,
            },
        },
        unicast_peers: &spec.peers,
        check_unicast_src: spec.check_unicast_src,
        v3_ipv4_checksum: spec.v3_checksum,
        mcast_group4: spec.mcast_group4,
        old_unicast_checksum: r.old_checksum,
    };
    match validate::check(d, |_| Some(expect)) {
        Ok(acc) => {
            let adv = acc.parsed.advert;
            // keepalived `unicast_peer ... min_ttl/max_ttl`: the TTL range per peer.
            let ttl = acc.parsed.ttl;
            if let Some((_, min, max)) = spec.peer_ttl.iter().find(|(a, _, _)| *a == acc.parsed.src)
            {
                if ttl < *min || ttl > *max {
                    r.rejects.record(packet::Reason::TtlNot255);
                    ipc::count_reject(&mut r.counters, packet::Reason::TtlNot255);
                    log::debug!(
                        "({}) invalid ttl/hl {ttl} from {}, expected range {min}-{max}",
                        r.name(),
                        acc.parsed.src
                    );
                    return None;
                }
            }
            r.counters.adverts_received += 1;
            if adv.priority() == fsm::PRIORITY_STOP {
                r.counters.priority_zero_received += 1;
            }
            if let Some(seq) = acc.ah_seq {
                r.ah_rx_seq = seq;
            }
            if acc.checksum_form == ChecksumForm::OldUnicast && !r.old_checksum {
                log::info!(
                    "({}) Setting unicast VRRPv3 checksum to old version",
                    r.name()
                );
                r.old_checksum = true;
            }
            let interval_cs = match spec.version {
                packet::Version::V2 => adv.interval().saturating_mul(100),
                packet::Version::V3 => adv.interval(),
            };
            Some((
                id,
                Event::Advert(Advert {
                    src: acc.parsed.src,
                    priority: adv.priority(),
                    interval_cs,
                }),
            ))
        }
        Err(rej) => {
            r.rejects.record(rej.reason());
            ipc::count_reject(&mut r.counters, rej.reason());
            log::debug!("({}) dropped advert: {rej}", r.name());
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::daemon::build;
    use crate::packet::{encode_ipv4, Advertisement, Ipv4Fields, V3Ipv4Checksum};
    use std::collections::BTreeSet;
    use std::net::{IpAddr, Ipv4Addr};
    use std::path::Path;
    use vigil_ipc::msg::vrrp::InstanceCounters;

    const CONF: &str = r#"
vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 51
    priority 100
    advert_int 1
    version 2
    authentication {
        auth_type PASS
        auth_pass secret
    }
    virtual_ipaddress {
        192.0.2.100/24
    }
}
"#;

    fn running() -> Running {
        let loaded = vigil_config::load_str(Path::new("t.conf"), CONF, &Default::default());
        let mut spec = build::build(&loaded.config).unwrap().remove(0);
        spec.fsm.primary_addr = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1));
        Running {
            fsm: crate::fsm::Instance::new(spec.fsm.clone()),
            spec,
            ifindex: 2,
            io_ifname: "eth0".into(),
            io_ifindex: 2,
            primary: IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1)),
            counters: InstanceCounters::default(),
            rejects: packet::Counters::default(),
            ah_rx_seq: 0,
            ah_tx_seq: 0,
            ip_id: 0,
            old_checksum: false,
            track_weight: 0,
            track_faults: BTreeSet::new(),
            reported: None,
            stopped: false,
            sync_fault: false,
        }
    }

    fn datagram(vrid: u8, ttl: u8, password: &[u8]) -> Vec<u8> {
        let adv = Advertisement {
            version: packet::Version::V2,
            vrid,
            priority: 150,
            interval: 1,
            addresses: vec![IpAddr::V4(Ipv4Addr::new(192, 0, 2, 100))],
            auth_type: packet::AUTH_PASS,
            auth_data: crate::auth::key_from_password(password),
        };
        let ip = Ipv4Fields {
            src: Ipv4Addr::new(192, 0, 2, 2),
            dst: Ipv4Addr::new(224, 0, 0, 18),
            id: 1,
            ttl,
            tos: 0xc0,
        };
        let mut out = Vec::new();
        encode_ipv4(
            &ip,
            &adv,
            V3Ipv4Checksum::PseudoHeader,
            ip.dst,
            None,
            &mut out,
        )
        .unwrap();
        out
    }

    fn run(bytes: &[u8]) -> (Option<(u64, Event)>, Running, packet::Counters) {
        let mut instances = BTreeMap::from([(7, Box::new(running()))]);
        let vrids = HashMap::from([(51, 7)]);
        let mut unattributed = packet::Counters::default();
        let out = dispatch(
            Datagram::Ipv4(bytes),
            "eth0",
            &vrids,
            &mut unattributed,
            &mut instances,
        );
        (out, *instances.remove(&7).unwrap(), unattributed)
    }

    #[test]
    fn rfc3768_7_1_a_valid_advert_becomes_an_event() {
        let (out, r, _) = run(&datagram(51, 255, b"secret"));
        let Some((7, Event::Advert(a))) = out else {
            panic!("{out:?}")
        };
        assert_eq!(a.priority, 150);
        assert_eq!(a.interval_cs, 100);
        assert_eq!(a.src, IpAddr::V4(Ipv4Addr::new(192, 0, 2, 2)));
        assert_eq!(r.counters.adverts_received, 1);
    }

    #[test]
    fn rfc3768_7_1_rejections_are_counted_and_never_reach_the_state_machine() {
        let (out, r, _) = run(&datagram(51, 254, b"secret"));
        assert!(out.is_none());
        assert_eq!(r.counters.ttl_errors, 1);
        assert_eq!(r.rejects.ttl_not_255, 1);
        let (out, r, _) = run(&datagram(51, 255, b"wrong"));
        assert!(out.is_none());
        assert_eq!(r.counters.auth_failures, 1);
        assert_eq!(r.counters.adverts_received, 0);
        let (out, r, unattributed) = run(&datagram(52, 255, b"secret"));
        assert!(out.is_none());
        assert_eq!(unattributed.unknown_vrid, 1);
        assert_eq!(r.rejects.total(), 0);
        let (out, _, unattributed) = run(&[0x45, 0, 0]);
        assert!(out.is_none());
        assert_eq!(unattributed.total(), 1);
    }
}
