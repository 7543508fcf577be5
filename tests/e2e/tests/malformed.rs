//! Malformed VRRP packets sent at a vigild MASTER and BACKUP: each is dropped and
//! counted by reason, no state changes, no process dies (issue 4; RFC 5798 §7.1 for the
//! receive checks, RFC 3768 §7.1 for v2). Every injected packet claims priority 254,
//! so one wrongly accepted would make the master step down. Needs root and python3.
#![allow(clippy::unwrap_used)]

use std::time::Duration;
use vigil_e2e::failover::{cluster, wait};
use vigil_e2e::node::bin_dir;
use vigil_e2e::{serial, Daemon, Node, PairConf};
use vigil_netlab::Lab;

const INJECT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/inject_vrrp.py");

/// `vigilctl status --json` of a node, parsed.
fn status(node: &Node) -> serde_json::Value {
    let out = node
        .host
        .wrap(
            std::process::Command::new(bin_dir().join("vigilctl"))
                .arg("--socket")
                .arg(node.control())
                .args(["status", "--json"]),
        )
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "vigilctl status --json: {e}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// The sum of every number stored under `key` anywhere in `v`.
fn counter(v: &serde_json::Value, key: &str) -> u64 {
    match v {
        serde_json::Value::Object(m) => m
            .iter()
            .map(|(k, x)| {
                if k == key {
                    x.as_u64().unwrap_or(0)
                } else {
                    counter(x, key)
                }
            })
            .sum(),
        serde_json::Value::Array(a) => a.iter().map(|x| counter(x, key)).sum(),
        _ => 0,
    }
}

fn lab(conf: &PairConf) -> (Lab, Vec<Node>, vigil_netlab::Host) {
    let mut lab = Lab::new("mal").unwrap();
    let mut nodes = cluster(
        &mut lab,
        conf,
        &[(Daemon::Vigil, 150), (Daemon::Vigil, 100)],
        |_, t| t,
    )
    .unwrap();
    let evil = lab.host("evil").unwrap();
    evil.run("ip addr add 192.0.2.66/24 dev eth0 && ip route add 224.0.0.0/4 dev eth0")
        .unwrap();
    for n in nodes.iter_mut() {
        n.start().unwrap();
    }
    assert!(
        wait(Duration::from_secs(8), || nodes[0].holds(conf.vip())
            && !nodes[1].holds(conf.vip())),
        "election; lb1 log:\n{}",
        nodes[0].host.log()
    );
    (lab, nodes, evil)
}

fn inject_and_check(conf: &PairConf, cases: &[(&str, &str)]) {
    let (_lab, nodes, evil) = lab(conf);
    let pids: Vec<Vec<i32>> = nodes.iter().map(Node::pids).collect();
    for (class, key) in cases {
        let before: Vec<u64> = nodes.iter().map(|n| counter(&status(n), key)).collect();
        evil.run(&format!("python3 {INJECT} {class} 192.0.2.66 5"))
            .unwrap();
        std::thread::sleep(Duration::from_millis(300));
        assert!(
            nodes[0].holds(conf.vip()),
            "{class}: the master kept its address"
        );
        assert!(
            !nodes[1].holds(conf.vip()),
            "{class}: the backup stayed BACKUP"
        );
        for (i, n) in nodes.iter().enumerate() {
            let after = counter(&status(n), key);
            assert!(
                after >= before[i] + 5,
                "{class}: lb{} counted {key} {} -> {after}",
                i + 1,
                before[i]
            );
        }
    }
    let after: Vec<Vec<i32>> = nodes.iter().map(Node::pids).collect();
    assert_eq!(pids, after, "no process died or restarted");
}

#[test]
fn v3_malformed_packets_are_counted_and_dropped_rfc5798_7_1() {
    let _g = serial();
    let conf = PairConf {
        advert_int: "0.1".into(),
        ..PairConf::default()
    };
    inject_and_check(
        &conf,
        &[
            ("ttl", "ttl_errors"),
            ("checksum", "checksum_errors"),
            ("version", "version_errors"),
            ("type", "invalid_type_received"),
            ("addr_count", "address_list_errors"),
            ("addr_list", "address_list_errors"),
            ("short", "packet_length_errors"),
        ],
    );
}

#[test]
fn v2_auth_and_interval_mismatches_are_counted_and_dropped_rfc3768_7_1() {
    let _g = serial();
    let conf = PairConf {
        version: 2,
        advert_int: "1".into(),
        auth_pass: Some("s3cret".into()),
        ..PairConf::default()
    };
    inject_and_check(
        &conf,
        &[
            ("v2_auth", "auth_failures"),
            ("v2_interval", "advert_interval_errors"),
        ],
    );
}
