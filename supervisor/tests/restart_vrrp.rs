//! `kill -9` of vrrpd: the supervisor removes every configured virtual address at once
//! (the VIP rule), restarts vrrpd, and the checker is not disturbed.

mod common;

use common::{kill9, wait_for, Suite};
use std::time::{Duration, Instant};

const CONF: &str = "global_defs {\n    router_id test\n}\n\
vrrp_instance VI_1 {\n    state MASTER\n    interface eth0\n    virtual_router_id 52\n    \
priority 200\n    advert_int 1\n    virtual_ipaddress {\n        192.0.2.100/24\n    }\n    \
virtual_ipaddress_excluded {\n        198.51.100.7/32\n    }\n}\n";

#[test]
fn killed_vrrpd_loses_its_addresses_and_comes_back_checker_untouched() {
    let mut s = Suite::new("rvr", CONF);
    // An address of its own, so that the instance can leave FAULT.
    s.host
        .run("ip addr add 192.0.2.1/24 dev eth0")
        .expect("address");
    s.start_ready();
    let vrrp = s.vrrp().expect("vrrp");
    let checker = s.checker().expect("checker");
    let host = s.host.clone();
    // A lone MASTER takes its addresses; if this vrrpd does not yet, put them there as
    // a dead vrrpd would have left them.
    let took = std::panic::catch_unwind(|| {
        wait_for("the VIP", Duration::from_secs(5), || {
            host.has_address("eth0", "192.0.2.100")
        })
    })
    .is_ok();
    if !took {
        eprintln!("vrrpd did not add the VIP by itself; adding it by hand");
        host.run("ip addr add 192.0.2.100/24 dev eth0; ip addr add 198.51.100.7/32 dev eth0")
            .expect("ip addr add");
    } else if !host.has_address("eth0", "198.51.100.7") {
        host.run("ip addr add 198.51.100.7/32 dev eth0")
            .expect("ip addr add");
    }

    let t = Instant::now();
    kill9(vrrp);
    let gone = wait_for("the VIPs to go", Duration::from_secs(2), || {
        !host.has_address("eth0", "192.0.2.100") && !host.has_address("eth0", "198.51.100.7")
    });
    eprintln!(
        "VIPs removed {} ms after kill -9 of vrrpd",
        gone.as_millis()
    );
    assert!(gone < Duration::from_millis(500), "took {gone:?}");

    wait_for("a new vrrpd", Duration::from_secs(3), || {
        s.vrrp().is_some_and(|p| p != vrrp && common::alive(p))
    });
    eprintln!(
        "vrrpd restarted {} ms after kill -9",
        t.elapsed().as_millis()
    );
    assert_eq!(s.checker(), Some(checker), "the checker was restarted");
    assert!(common::alive(checker));
    let log = s.log();
    assert!(
        log.contains("removed the 2 configured virtual address(es)"),
        "{log}"
    );
    s.wait_log(
        "vrrp child applied configuration generation 1",
        Duration::from_secs(5),
    );
    if took {
        // The restarted vrrpd starts as BACKUP and, alone on its link, takes the VIP
        // again.
        let back = wait_for("the VIP back", Duration::from_secs(10), || {
            host.has_address("eth0", "192.0.2.100")
        });
        eprintln!("VIP back {} ms after the restart", back.as_millis());
    }
}
