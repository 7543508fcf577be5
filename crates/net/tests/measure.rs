//! Measurements, not timed assertions (DESIGN.md: benchmarks report, they do not
//! fail). Run with `cargo test -p vigil-net --test measure -- --ignored --nocapture`.

mod common;

use common::Netns;
use std::net::{IpAddr, Ipv4Addr};
use std::time::Instant;
use vigil_net::{gratuitous_arp, AddrSpec, Announcer, Monitor, NetEvent, Rtnl};

/// Every host address of the three IPv4 documentation /24s.
const N: u32 = 3 * 254;

/// The i-th documentation address (i < N) as a /32 on `idx`.
fn spec(idx: u32, i: u32) -> AddrSpec {
    let net = match i / 254 {
        0 => [192, 0, 2],
        1 => [198, 51, 100],
        _ => [203, 0, 113],
    };
    let host = u8::try_from(i % 254 + 1).expect("1..=254");
    AddrSpec::new(
        idx,
        IpAddr::V4(Ipv4Addr::new(net[0], net[1], net[2], host)),
        32,
    )
}

#[test]
#[ignore = "measurement; run explicitly"]
fn measure_address_churn_monitor_and_garp() {
    let Some(ns) = Netns::new() else { return };
    ns.ip(&["link", "add", "v0", "type", "veth", "peer", "name", "v1"]);
    ns.ip(&["link", "set", "v0", "up"]);
    ns.ip(&["link", "set", "v1", "up"]);
    let n = N;
    ns.run(move || {
        let mut r = Rtnl::open().expect("rtnl");
        let mut mon = Monitor::open().expect("monitor");
        let idx = r.ifindex("v0").expect("v0");
        let specs: Vec<AddrSpec> = (0..n).map(|i| spec(idx, i)).collect();

        let t = Instant::now();
        for s in &specs {
            r.add_address(s).expect("add");
        }
        let add = t.elapsed();

        let t = Instant::now();
        let mut seen = 0;
        while seen < n {
            match mon.read() {
                Ok(evs) => {
                    seen += evs
                        .iter()
                        .filter(|e| matches!(e, NetEvent::AddrAdded(_)))
                        .count() as u32
                }
                Err(e) => panic!("{e}"),
            }
        }
        let drain = t.elapsed();

        let t = Instant::now();
        let listed = r.addresses(Some(idx)).expect("dump").len();
        let dump = t.elapsed();

        let mut ann = Announcer::open(idx).expect("announcer");
        let frame = gratuitous_arp([0, 0, 0x5e, 0, 1, 7], Ipv4Addr::new(192, 0, 2, 1));
        let t = Instant::now();
        for _ in 0..n {
            ann.send(&frame).expect("send");
        }
        let garp = t.elapsed();

        let t = Instant::now();
        for s in &specs {
            r.del_address(s).expect("del");
        }
        let del = t.elapsed();

        let per = |d: std::time::Duration| d.as_secs_f64() * 1e6 / f64::from(n);
        println!("{n} addresses on one veth:");
        println!("  add_address   {:>8.1} µs each", per(add));
        println!("  del_address   {:>8.1} µs each", per(del));
        println!("  monitor drain {:>8.1} µs per AddrAdded", per(drain));
        println!(
            "  addresses()   {:>8.1} ms for {listed}",
            dump.as_secs_f64() * 1e3
        );
        println!("  GARP send     {:>8.1} µs each", per(garp));
    });

    // The same adds through `ip address add`, one process each (what a shell-out
    // design would cost).
    let m = 100;
    let t = Instant::now();
    for i in 0..m {
        let a = spec(0, i);
        ns.ip(&["addr", "add", &format!("{}/32", a.addr), "dev", "v0"]);
    }
    let per_ip = t.elapsed().as_secs_f64() * 1e6 / f64::from(m);
    println!("  `ip addr add` {per_ip:>8.1} µs each (fork+exec, {m} runs)");
}
