//! The failover harness measured on keepalived itself: if these numbers are off, every
//! vigil measurement built on the harness is suspect. Needs root and keepalived.
#![allow(clippy::unwrap_used)]

use vigil_e2e::failover::{self, Fault};
use vigil_e2e::{Daemon, PairConf};

#[test]
fn keepalived_crash_failover_is_near_master_down_interval_rfc5798_6_4_2() {
    let conf = PairConf {
        advert_int: "0.1".into(),
        ..PairConf::default()
    };
    let m = failover::run(Daemon::Keepalived, &conf, Fault::Kill).unwrap();
    // keepalived takes over about Master_Down_Interval after the last advert it heard.
    assert!(
        (m.from_last_advert - m.bound).abs() < 60.0,
        "{:.1} ms vs bound {:.1} ms",
        m.from_last_advert,
        m.bound
    );
}

#[test]
fn keepalived_graceful_stop_fails_over_in_skew_time_rfc5798_6_4_2() {
    let conf = PairConf {
        advert_int: "0.1".into(),
        ..PairConf::default()
    };
    let m = failover::run(Daemon::Keepalived, &conf, Fault::Term).unwrap();
    assert!(
        m.from_last_advert < m.bound + 60.0,
        "{:.1} ms vs skew {:.1} ms",
        m.from_last_advert,
        m.bound
    );
}
