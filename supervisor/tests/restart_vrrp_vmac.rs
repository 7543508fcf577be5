//! `kill -9` of vrrpd with `use_vmac`: the supervisor also removes the virtual addresses
//! that sit on VMAC interfaces, named as vrrpd names them: `use_vmac NAME`, else
//! keepalived's `PREFIX.VRID` with the global `vmac_prefix` (checked with keepalived
//! 2.2.7: `vmac_prefix vx` gives `vx.52`).

mod common;

use common::{kill9, wait_for, Suite};
use std::time::Duration;

const CONF: &str = "global_defs {\n    router_id test\n    vmac_prefix vx\n}\n\
vrrp_instance VI_1 {\n    state MASTER\n    interface eth0\n    use_vmac\n    \
virtual_router_id 52\n    priority 200\n    advert_int 1\n    virtual_ipaddress {\n        \
192.0.2.100/24\n    }\n}\n\
vrrp_instance VI_2 {\n    state MASTER\n    interface eth0\n    use_vmac vmac53\n    \
virtual_router_id 53\n    priority 200\n    advert_int 1\n    virtual_ipaddress {\n        \
192.0.2.101/24\n    }\n    virtual_ipaddress_excluded {\n        198.51.100.7/32\n    }\n}\n";

#[test]
fn killed_vrrpd_loses_the_addresses_on_its_vmacs() {
    let mut s = Suite::new("rvm", CONF);
    // An address of its own, so that the instances can leave FAULT.
    s.host
        .run("ip addr add 192.0.2.1/24 dev eth0")
        .expect("address");
    s.start_ready();
    let vrrp = s.vrrp().expect("vrrp");
    let host = s.host.clone();
    let all = || {
        host.has_address("vx.52", "192.0.2.100")
            && host.has_address("vmac53", "192.0.2.101")
            && host.has_address("vmac53", "198.51.100.7")
    };
    let none = || {
        !host.has_address("vx.52", "192.0.2.100")
            && !host.has_address("vmac53", "192.0.2.101")
            && !host.has_address("vmac53", "198.51.100.7")
    };
    wait_for("the VIPs on the VMACs", Duration::from_secs(8), all);
    kill9(vrrp);
    let gone = wait_for("the VIPs to go", Duration::from_secs(2), none);
    eprintln!(
        "VIPs removed from the VMACs {} ms after kill -9 of vrrpd",
        gone.as_millis()
    );
    assert!(gone < Duration::from_millis(500), "took {gone:?}");
    assert!(
        s.log()
            .contains("removed the 3 configured virtual address(es) from the kernel (0 failed)"),
        "{}",
        s.log()
    );
    // The restarted vrrpd takes its VMACs over and, alone on the link, the VIPs again.
    wait_for("a new vrrpd", Duration::from_secs(3), || {
        s.vrrp().is_some_and(|p| p != vrrp && common::alive(p))
    });
    let back = wait_for("the VIPs back", Duration::from_secs(10), all);
    eprintln!("VIPs back {} ms after the restart", back.as_millis());
    // The first restart is immediate and the new vrrpd removes what it finds of its
    // addresses before it joins; that must find nothing: vigild removed them all
    // before it restarted vrrpd, those on the VMACs included.
    assert!(!s.log().contains("removing stale address"), "{}", s.log());
}
