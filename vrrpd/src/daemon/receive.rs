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
pub fn dispatch(
    d: Datagram<'_>,
    ifname: &str,
    vrids: &HashMap<u8, u64>,
    unattributed: &mut packet::Counters,
    instances: &mut BTreeMap<u64, Running>,
) -> Option<(u64, Event)> {
    let (vrid, src) = match validate::parse(d) {
        Ok(p) => (p.advert.vrid(), p.src),
        Err(rej) => {
            unattributed.record(rej.reason());
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
