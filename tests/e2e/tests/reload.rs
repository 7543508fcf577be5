//! A reload on a MASTER that adds one virtual address and removes another: the address
//! in both configurations never leaves the interface, not for a moment (watched through
//! the kernel's address notifications), and no node changes state (DESIGN.md,
//! "Lifecycle"; issue 4). An invalid file keeps the running configuration. Needs root.
#![allow(clippy::unwrap_used)]

use nix::sys::signal::Signal;
use std::time::Duration;
use vigil_e2e::addrwatch::AddrWatch;
use vigil_e2e::failover::{cluster, wait};
use vigil_e2e::{serial, Daemon, PairConf};
use vigil_netlab::Lab;

fn vips(text: String, list: &[&str]) -> String {
    let block: String = list.iter().map(|a| format!("        {a}/24\n")).collect();
    text.replace("        192.0.2.100/24\n", &block)
}

#[test]
fn master_reload_adds_and_removes_without_touching_the_kept_address() {
    let _g = serial();
    let conf = PairConf {
        advert_int: "0.1".into(),
        ..PairConf::default()
    };
    let mut lab = Lab::new("rl").unwrap();
    let mut nodes = cluster(
        &mut lab,
        &conf,
        &[(Daemon::Vigil, 150), (Daemon::Vigil, 100)],
        |_, t| vips(t, &["192.0.2.100", "192.0.2.101"]),
    )
    .unwrap();
    for n in nodes.iter_mut() {
        n.start().unwrap();
    }
    assert!(wait(Duration::from_secs(8), || nodes[0]
        .holds("192.0.2.101")
        && nodes[0].holds("192.0.2.100")));
    std::thread::sleep(Duration::from_millis(300));
    let watch_master = AddrWatch::start(&nodes[0].host, lab.dir()).unwrap();
    let watch_backup = AddrWatch::start(&nodes[1].host, lab.dir()).unwrap();

    let old = std::fs::read_to_string(nodes[0].conf_path()).unwrap();
    let new = old.replace("        192.0.2.101/24\n", "        192.0.2.102/24\n");
    // First an invalid file: the running configuration stays.
    nodes[0]
        .write_conf(&old.replace("virtual_router_id 51", "virtual_router_id 300"))
        .unwrap();
    nodes[0].signal(Signal::SIGHUP);
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        nodes[0].holds("192.0.2.101"),
        "invalid reload kept the old config"
    );
    let log = nodes[0].host.log();
    assert!(
        log.contains("keepalived.conf:") && log.contains("300"),
        "the error is logged with file:line; log:\n{log}"
    );
    // Then the valid one.
    nodes[0].write_conf(&new).unwrap();
    nodes[0].signal(Signal::SIGHUP);
    assert!(
        wait(Duration::from_secs(3), || nodes[0].holds("192.0.2.102")
            && !nodes[0].holds("192.0.2.101")),
        "new address added, dropped one removed; log:\n{}",
        nodes[0].host.log()
    );
    std::thread::sleep(Duration::from_millis(300));
    let events = watch_master.events();
    assert!(
        !events.iter().any(|e| e.addr == "192.0.2.100" && !e.added),
        "192.0.2.100 was never removed: {events:?}"
    );
    assert!(events.iter().any(|e| e.addr == "192.0.2.101" && !e.added));
    assert!(events.iter().any(|e| e.addr == "192.0.2.102" && e.added));
    assert!(
        watch_backup
            .events()
            .iter()
            .all(|e| !e.addr.starts_with("192.0.2.10")),
        "the backup never took a virtual address"
    );
    assert!(nodes[0].holds("192.0.2.100"));
}
