//! Failovers of a vigild pair measured from the wire: a crash and a link-down fail over
//! within Master_Down_Interval of the last advert (RFC 5798 §6.4.2), a graceful stop
//! within Skew_Time of the priority-0 advert (RFC 5798 §6.4.3, "Shutdown"). Needs root.
#![allow(clippy::unwrap_used)]

use vigil_e2e::failover::{self, Fault};
use vigil_e2e::{serial, Daemon, Family, PairConf};

/// Margin for scheduling on a loaded two-core machine.
const MARGIN_MS: f64 = 40.0;

fn check(conf: &PairConf, fault: Fault) {
    let m = failover::run(Daemon::Vigil, conf, fault).unwrap();
    eprintln!(
        "{} v{} {}: {:.1} ms after the last advert (bound {:.1} ms), {:.1} ms after the fault",
        fault.name(),
        conf.version,
        conf.advert_int,
        m.from_last_advert,
        m.bound,
        m.fault_to_announce
    );
    assert!(
        m.from_last_advert <= m.bound + MARGIN_MS,
        "{:.1} ms, bound {:.1} ms",
        m.from_last_advert,
        m.bound
    );
    if fault != Fault::Term {
        // Not before the backup could know the master is gone.
        assert!(
            m.from_last_advert >= m.bound - conf.advert_secs() * 1000.0,
            "{:.1} ms is too early for bound {:.1} ms",
            m.from_last_advert,
            m.bound
        );
    }
}

fn v3(adv: &str) -> PairConf {
    PairConf {
        advert_int: adv.into(),
        ..PairConf::default()
    }
}

#[test]
fn crash_fails_over_within_master_down_interval_rfc5798_6_4_2() {
    let _g = serial();
    check(&v3("0.1"), Fault::Kill);
}

#[test]
fn graceful_stop_fails_over_within_skew_time_rfc5798_6_4_3() {
    let _g = serial();
    check(&v3("0.1"), Fault::Term);
}

#[test]
fn link_down_fails_over_within_master_down_interval() {
    let _g = serial();
    check(&v3("0.1"), Fault::LinkDown);
}

#[test]
fn ipv6_pair_fails_over_and_announces_with_na_rfc4861_7_2_6() {
    let _g = serial();
    let conf = PairConf {
        family: Family::V6,
        ..v3("0.1")
    };
    check(&conf, Fault::Kill);
}

#[test]
fn unicast_pair_fails_over() {
    let _g = serial();
    let conf = PairConf {
        unicast: true,
        ..v3("0.1")
    };
    check(&conf, Fault::Term);
}

#[test]
fn vrrp_v2_pass_pair_fails_over_rfc3768() {
    let _g = serial();
    let conf = PairConf {
        version: 2,
        advert_int: "1".into(),
        auth_pass: Some("secret".into()),
        ..PairConf::default()
    };
    check(&conf, Fault::Term);
}

#[test]
fn vrrp_v2_ah_pair_elects_and_fails_over_rfc2338_5_3_6_3() {
    let _g = serial();
    let conf = PairConf {
        version: 2,
        advert_int: "1".into(),
        auth_pass: Some("secret".into()),
        auth_ah: true,
        ..PairConf::default()
    };
    // The adverts travel inside IPsec AH (IP protocol 51), not as bare VRRP (112).
    let mut lab = vigil_netlab::Lab::new("ah").unwrap();
    let (mut a, mut b) = vigil_e2e::failover::pair(&mut lab, Daemon::Vigil, &conf).unwrap();
    let cap = lab.capture().unwrap();
    a.start().unwrap();
    b.start().unwrap();
    assert!(vigil_e2e::failover::wait(
        std::time::Duration::from_secs(10),
        || a.holds(conf.vip()) && !b.holds(conf.vip())
    ));
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let frames = cap.stop();
    let ipv4 = |f: &&vigil_netlab::Frame| f.data.get(12..14) == Some(&[0x08, 0x00]);
    let protos: Vec<u8> = frames
        .iter()
        .filter(ipv4)
        .filter_map(|f| f.data.get(23).copied())
        .collect();
    assert!(protos.contains(&51), "AH frames seen: {protos:?}");
    assert!(
        !protos.contains(&112),
        "no unauthenticated VRRP: {protos:?}"
    );
    drop((a, b, lab));
    check(&conf, Fault::Term);
}
