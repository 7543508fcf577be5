//! vigil and keepalived 2.2.7 on one link, in both roles: the higher priority wins
//! whichever implementation it runs, and each takes over from the other on a crash and
//! on a graceful stop; VRRPv2 with PASS authentication, VRRPv3 over IPv4 and IPv6, and
//! unicast. Needs root and keepalived.
#![allow(clippy::unwrap_used)]

use vigil_e2e::failover::{run_mixed, Fault};
use vigil_e2e::{serial, Daemon, Family, PairConf};

const MARGIN_MS: f64 = 60.0;

fn both_ways(conf: &PairConf) {
    for (master, backup, fault) in [
        (Daemon::Vigil, Daemon::Keepalived, Fault::Kill),
        (Daemon::Vigil, Daemon::Keepalived, Fault::Term),
        (Daemon::Keepalived, Daemon::Vigil, Fault::Kill),
        (Daemon::Keepalived, Daemon::Vigil, Fault::Term),
    ] {
        let m = run_mixed(master, backup, conf, fault).unwrap_or_else(|e| {
            panic!(
                "{} master, {} backup, {}: {e}",
                master.name(),
                backup.name(),
                fault.name()
            )
        });
        eprintln!(
            "{} -> {} {}: {:.1} ms (bound {:.1} ms)",
            master.name(),
            backup.name(),
            fault.name(),
            m.from_last_advert,
            m.bound
        );
        assert!(
            m.from_last_advert <= m.bound + MARGIN_MS,
            "{} -> {} {}: {:.1} ms, bound {:.1} ms",
            master.name(),
            backup.name(),
            fault.name(),
            m.from_last_advert,
            m.bound
        );
    }
}

#[test]
fn v3_ipv4_both_roles() {
    let _g = serial();
    both_ways(&PairConf {
        advert_int: "0.1".into(),
        ..PairConf::default()
    });
}

#[test]
fn v3_ipv6_both_roles() {
    let _g = serial();
    both_ways(&PairConf {
        advert_int: "0.1".into(),
        family: Family::V6,
        ..PairConf::default()
    });
}

#[test]
fn v3_unicast_both_roles() {
    let _g = serial();
    both_ways(&PairConf {
        advert_int: "0.1".into(),
        unicast: true,
        ..PairConf::default()
    });
}

#[test]
fn v2_pass_auth_both_roles_rfc3768() {
    let _g = serial();
    both_ways(&PairConf {
        version: 2,
        advert_int: "1".into(),
        auth_pass: Some("s3cret".into()),
        ..PairConf::default()
    });
}
