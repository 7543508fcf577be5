//! Non-accept mode (RFC 5798 §6.4.3: a MASTER that is not the address owner does not
//! accept packets for the virtual addresses) as keepalived 2.2.7 applies it with
//! `vrrp_strict` and `nftables`: two vigild nodes and a client on a bridge, the drop
//! sets read with `nft -j list ruleset` in each node's namespace, and keepalived itself
//! on the same configuration for the shape of the ruleset. vigil-vrrpd writes the
//! rules as an unprivileged user with CAP_NET_RAW + CAP_NET_ADMIN only. Needs root,
//! nft and keepalived (scripts/deps.sh).
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use serde_json::Value;
use vigil_e2e::failover::wait;
use vigil_e2e::{serial, Daemon, Node};
use vigil_netlab::{Host, Lab};

const VIP4: &str = "192.0.2.100";
const VIP4B: &str = "192.0.2.101";
const VIP6: &str = "2001:db8::100";
/// Generous for a loaded two-core machine: an election takes about 0.4 s here.
const LIMIT: Duration = Duration::from_secs(10);

/// keepalived's golden configuration (crates/nft/tests/golden/README.md) at VRRPv3
/// advert_int 0.1: VI_1 with two IPv4 VIPs, VI_6 with one IPv6 VIP. `global` and
/// `inst` are extra lines for global_defs and for both instances.
fn conf(name: &str, priority: u8, global: &str, inst: &str) -> String {
    let one = |iname: &str, vrid: u8, vips: &str| {
        format!(
            "vrrp_instance {iname} {{\n    state BACKUP\n    interface eth0\n    \
             virtual_router_id {vrid}\n    priority {priority}\n    advert_int 0.1\n    \
             version 3\n{inst}\n    virtual_ipaddress {{\n{vips}    }}\n}}\n"
        )
    };
    format!(
        "global_defs {{\n    router_id {name}\n    vrrp_strict\n{global}\n}}\n{}{}",
        one(
            "VI_1",
            51,
            &format!("        {VIP4}/24\n        {VIP4B}/24\n")
        ),
        one("VI_6", 52, &format!("        {VIP6}/64\n")),
    )
}

/// A lab of lb1, lb2 (given their configurations, not started) and a client.
fn lab(tag: &str, confs: [(Daemon, String); 2]) -> (Lab, Vec<Node>, Host) {
    let mut lab = Lab::new(tag).unwrap();
    let mut nodes = Vec::new();
    for (n, (daemon, text)) in (1u8..).zip(confs) {
        let host = lab.host(&format!("lb{n}")).unwrap();
        host.run(&format!(
            "ip addr add 192.0.2.{n}/24 dev eth0 && ip addr add 2001:db8::{n}/64 dev eth0 nodad"
        ))
        .unwrap();
        nodes.push(Node::new(host, daemon, lab.dir(), &text).unwrap());
    }
    let client = lab.host("client").unwrap();
    client
        .run("ip addr add 192.0.2.50/24 dev eth0 && ip addr add 2001:db8::50/64 dev eth0 nodad")
        .unwrap();
    (lab, nodes, client)
}

fn holds_all(n: &Node) -> bool {
    n.holds(VIP4) && n.holds(VIP4B) && n.holds(VIP6)
}

fn holds_none(n: &Node) -> bool {
    !n.holds(VIP4) && !n.holds(VIP4B) && !n.holds(VIP6)
}

/// One echo request, one second for the answer.
fn ping(client: &Host, addr: &str) -> bool {
    client
        .run(&format!("ping -n -q -c1 -W1 {addr} >/dev/null"))
        .is_ok()
}

/// `nft -j list ruleset` of `host`, without what says nothing about the rules (nft's
/// metainfo, handles, counter values), set elements sorted, and the objects grouped by
/// family in their order: the two instances' tables are made in whichever order they
/// become MASTER.
fn ruleset(host: &Host) -> Value {
    let v: Value = serde_json::from_str(&host.run("nft -j list ruleset").unwrap()).unwrap();
    by_family(normalise(v))
}

/// crates/nft/tests/golden/keepalived-2.2.7.json, as [`ruleset`] reads a namespace.
fn golden() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../crates/nft/tests/golden/keepalived-2.2.7.json"
    );
    let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    by_family(normalise(v))
}

/// Objects grouped by family, each family's in their order.
fn by_family(mut v: Value) -> Value {
    if let Some(objs) = v.get_mut("nftables").and_then(Value::as_array_mut) {
        objs.sort_by_key(|o| {
            o.as_object()
                .and_then(|m| m.values().next())
                .and_then(|x| x.get("family"))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        });
    }
    v
}

fn normalise(v: Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .filter(|(k, _)| k != "handle")
                .map(|(k, x)| {
                    if k == "elem" {
                        let mut e = match x {
                            Value::Array(a) => a,
                            other => vec![other],
                        };
                        e.sort_by_key(|x| x.to_string());
                        (k, Value::Array(e))
                    } else {
                        (k, normalise(x))
                    }
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(
            a.into_iter()
                .filter(|x| x.get("metainfo").is_none())
                .map(normalise)
                .collect(),
        ),
        other => other,
    }
}

/// The ruleset without the `vips` elements: keepalived's table in BACKUP after a
/// MASTER spell.
fn without_vips(mut v: Value) -> Value {
    for o in v["nftables"].as_array_mut().into_iter().flatten() {
        if let Some(set) = o.get_mut("set").and_then(Value::as_object_mut) {
            if set.get("name").and_then(Value::as_str) == Some("vips") {
                set.remove("elem");
            }
        }
    }
    v
}

/// The elements of `table FAMILY keepalived`'s `vips` set; None without that table.
fn vips(host: &Host, family: &str) -> Option<Vec<String>> {
    let v = ruleset(host);
    let objs = v["nftables"].as_array().cloned().unwrap_or_default();
    let table = objs
        .iter()
        .any(|o| o["table"]["family"] == family && o["table"]["name"] == "keepalived");
    if !table {
        return None;
    }
    let mut out = Vec::new();
    for o in &objs {
        let s = &o["set"];
        if s["family"] == family && s["table"] == "keepalived" && s["name"] == "vips" {
            for e in s["elem"].as_array().into_iter().flatten() {
                out.push(e.as_str().unwrap_or_default().to_string());
            }
        }
    }
    out.sort();
    Some(out)
}

fn no_tables(host: &Host) -> bool {
    vips(host, "ip").is_none() && vips(host, "ip6").is_none()
}

/// vigil-vrrpd's user and effective capabilities, from /proc.
fn vrrpd_creds(node: &Node) -> (String, String) {
    let pid = node.vrrp_pid().unwrap();
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .unwrap_or_default()
            .to_string()
    };
    (field("Uid:"), field("CapEff:"))
}

/// `first` and `then` are in `log`, in that order.
fn in_order(log: &str, first: &str, then: &str) {
    let a = log.find(first);
    let b = log.find(then);
    assert!(
        matches!((a, b), (Some(a), Some(b)) if a < b),
        "`{first}` before `{then}` in:\n{log}"
    );
}

fn logs(nodes: &[Node]) -> String {
    nodes
        .iter()
        .map(|n| format!("--- {}\n{}", n.host.name(), n.host.log()))
        .collect()
}

#[test]
fn strict_master_drops_traffic_to_its_vips_and_hands_the_sets_over_rfc5798_6_4_3() {
    let _g = serial();
    let nft = "    nftables";
    let (lab, mut nodes, client) = lab(
        "str",
        [
            (Daemon::Vigil, conf("lb1", 150, nft, "")),
            (Daemon::Vigil, conf("lb2", 100, nft, "")),
        ],
    );
    for n in nodes.iter_mut() {
        n.start().unwrap();
    }
    assert!(
        wait(LIMIT, || holds_all(&nodes[0]) && holds_none(&nodes[1])),
        "lb1 becomes MASTER\n{}",
        logs(&nodes)
    );
    let (lb1, lb2) = (nodes[0].host.clone(), nodes[1].host.clone());

    // The MASTER's sets hold its VIPs; the BACKUP never was MASTER: no table at all
    // (keepalived 2.2.7 makes none before its first MASTER).
    assert_eq!(vips(&lb1, "ip"), Some(vec![VIP4.into(), VIP4B.into()]));
    assert_eq!(vips(&lb1, "ip6"), Some(vec![VIP6.into()]));
    assert!(no_tables(&lb2), "{}", lb2.run("nft list ruleset").unwrap());
    // Non-accept: no answer from the VIPs, while the node's own address answers.
    assert!(ping(&client, "192.0.2.1"), "lb1's own address answers");
    assert!(!ping(&client, VIP4), "no_accept: {VIP4} must not answer");
    assert!(!ping(&client, VIP6), "no_accept: {VIP6} must not answer");
    // Written by vigil-vrrpd as an unprivileged user with CAP_NET_RAW + CAP_NET_ADMIN
    // (bits 13 and 12) only.
    let (uid, caps) = vrrpd_creds(&nodes[0]);
    assert_ne!(uid, "0", "vigil-vrrpd runs unprivileged");
    assert_eq!(caps, "0000000000003000", "CapEff of vigil-vrrpd");
    let vigil_master = ruleset(&lb1);
    // The golden file of crates/nft: keepalived 2.2.7 on this configuration's VIPs.
    assert_eq!(
        vigil_master,
        golden(),
        "vigil's ruleset vs keepalived's golden file"
    );

    // Failover: the old MASTER removes its addresses, then its rules, and deletes the
    // table at exit; the new MASTER blocks the VIPs before it adds them.
    assert!(nodes[0].stop(LIMIT), "lb1 stops");
    assert!(
        wait(LIMIT, || holds_all(&nodes[1])),
        "lb2 takes over\n{}",
        logs(&nodes)
    );
    assert_eq!(vips(&lb2, "ip"), Some(vec![VIP4.into(), VIP4B.into()]));
    assert_eq!(vips(&lb2, "ip6"), Some(vec![VIP6.into()]));
    assert!(no_tables(&lb1), "{}", lb1.run("nft list ruleset").unwrap());
    assert!(
        !ping(&client, VIP4),
        "the new MASTER does not answer either"
    );
    // The order, from vigil-vrrpd's own log (one thread, lines in the order of the
    // calls): the new MASTER's drop rule before its address, the old MASTER's address
    // off before its drop rule (keepalived vrrp_state_become_master and
    // vrrp_restore_interface).
    in_order(
        &lb2.log(),
        "(VI_1) setting firewall drop rule",
        "(VI_1) added 192.0.2.100/24",
    );
    in_order(
        &lb1.log(),
        "(VI_1) removed 192.0.2.100/24",
        "(VI_1) removing firewall drop rule",
    );

    // keepalived 2.2.7 on lb1, same configuration: it preempts lb2 and builds the same
    // ruleset vigil built; lb2 (vigil), back in BACKUP, keeps its table with empty
    // sets exactly as keepalived does after a MASTER spell.
    let host1 = nodes[0].host.clone();
    let mut k = Node::new(
        host1,
        Daemon::Keepalived,
        lab.dir(),
        &conf("lb1", 150, nft, ""),
    )
    .unwrap();
    k.start().unwrap();
    assert!(
        wait(LIMIT, || holds_all(&k) && holds_none(&nodes[1])),
        "keepalived on lb1 preempts\n{}{}",
        k.host.log(),
        logs(&nodes)
    );
    assert!(
        wait(LIMIT, || vips(&lb2, "ip") == Some(vec![])
            && vips(&lb2, "ip6") == Some(vec![])),
        "lb2's sets empty in BACKUP: {}",
        lb2.run("nft list ruleset").unwrap()
    );
    let keepalived_master = ruleset(&lb1);
    assert_eq!(
        keepalived_master, vigil_master,
        "keepalived's ruleset vs vigil's"
    );
    assert_eq!(ruleset(&lb2), without_vips(keepalived_master));
    assert!(!ping(&client, VIP4), "keepalived does not answer either");
    assert!(k.stop(LIMIT), "keepalived stops");
    assert!(no_tables(&lb1), "keepalived deletes its table at exit too");
    assert!(nodes[1].stop(LIMIT), "lb2 stops");
    assert!(no_tables(&lb2), "{}", lb2.run("nft list ruleset").unwrap());
}

#[test]
fn accept_mode_answers_and_makes_no_table_rfc5798_6_1() {
    let _g = serial();
    let (_lab, mut nodes, client) = lab(
        "acc",
        [
            (
                Daemon::Vigil,
                conf("lb1", 150, "    nftables", "    accept"),
            ),
            (
                Daemon::Vigil,
                conf("lb2", 100, "    nftables", "    accept"),
            ),
        ],
    );
    for n in nodes.iter_mut() {
        n.start().unwrap();
    }
    assert!(
        wait(LIMIT, || holds_all(&nodes[0]) && holds_none(&nodes[1])),
        "lb1 becomes MASTER\n{}",
        logs(&nodes)
    );
    assert!(ping(&client, VIP4), "accept: {VIP4} answers");
    assert!(ping(&client, VIP6), "accept: {VIP6} answers");
    // keepalived 2.2.7 with vrrp_strict, nftables and accept: no table.
    assert!(no_tables(&nodes[0].host));
    assert!(no_tables(&nodes[1].host));
    assert!(nodes[0].stop(LIMIT));
    assert!(wait(LIMIT, || holds_all(&nodes[1])), "{}", logs(&nodes));
    assert!(ping(&client, VIP4), "the new MASTER answers too");
    assert!(no_tables(&nodes[1].host));
}

#[test]
fn the_address_owner_never_blocks_but_a_strict_backup_taking_over_does() {
    let _g = serial();
    // No `nftables`: strict mode alone uses keepalived's default table, as keepalived
    // 2.2.7 does ("no firewall configured - using nftables").
    let (_lab, mut nodes, client) = lab(
        "own",
        [
            (Daemon::Vigil, conf("lb1", 255, "", "")),
            (Daemon::Vigil, conf("lb2", 100, "", "")),
        ],
    );
    for n in nodes.iter_mut() {
        n.start().unwrap();
    }
    assert!(
        wait(LIMIT, || holds_all(&nodes[0]) && holds_none(&nodes[1])),
        "the owner is MASTER\n{}",
        logs(&nodes)
    );
    assert!(ping(&client, VIP4), "the owner answers for {VIP4}");
    assert!(ping(&client, VIP6), "the owner answers for {VIP6}");
    assert!(no_tables(&nodes[0].host));
    assert!(nodes[0].stop(LIMIT));
    assert!(wait(LIMIT, || holds_all(&nodes[1])), "{}", logs(&nodes));
    assert_eq!(
        vips(&nodes[1].host, "ip"),
        Some(vec![VIP4.into(), VIP4B.into()])
    );
    assert!(!ping(&client, VIP4), "the non-owner MASTER does not answer");
}

#[test]
fn a_reload_on_a_strict_master_follows_vips_and_accept_mode() {
    let _g = serial();
    let nft = "    nftables";
    let (_lab, mut nodes, client) = lab(
        "srl",
        [
            (Daemon::Vigil, conf("lb1", 150, nft, "")),
            (Daemon::Vigil, conf("lb2", 100, nft, "")),
        ],
    );
    // lb1 alone: it becomes MASTER on its own.
    nodes[0].start().unwrap();
    assert!(wait(LIMIT, || holds_all(&nodes[0])), "{}", logs(&nodes));
    let lb1 = nodes[0].host.clone();
    let reload = |node: &Node, text: String| {
        node.write_conf(&text).unwrap();
        node.signal(nix::sys::signal::Signal::SIGHUP);
    };
    let v4 = |list: &[&str]| Some(list.iter().map(|a| a.to_string()).collect::<Vec<_>>());

    // A VIP added and one dropped while MASTER: the sets follow.
    let moved = conf("lb1", 150, nft, "").replace(VIP4B, "192.0.2.102");
    reload(&nodes[0], moved.clone());
    assert!(
        wait(LIMIT, || vips(&lb1, "ip") == v4(&[VIP4, "192.0.2.102"])
            && nodes[0].holds("192.0.2.102")
            && !nodes[0].holds(VIP4B)),
        "{}",
        lb1.run("nft list ruleset").unwrap()
    );
    assert!(!ping(&client, "192.0.2.102"), "the new VIP is blocked too");

    // `accept` on both instances: nothing blocks any more, the tables go, the
    // addresses stay and answer.
    reload(
        &nodes[0],
        moved.replace("    version 3\n", "    version 3\n    accept\n"),
    );
    assert!(wait(LIMIT, || no_tables(&lb1)), "{}", logs(&nodes));
    assert!(nodes[0].holds(VIP4) && nodes[0].holds(VIP6));
    assert!(ping(&client, VIP4), "accept: {VIP4} answers");

    // And back to no_accept: blocked again without leaving MASTER.
    reload(&nodes[0], moved);
    assert!(
        wait(LIMIT, || vips(&lb1, "ip") == v4(&[VIP4, "192.0.2.102"])
            && vips(&lb1, "ip6") == v4(&[VIP6])),
        "{}",
        logs(&nodes)
    );
    assert!(!ping(&client, VIP4), "no_accept again");
    assert!(holds_all_but(&nodes[0], VIP4B));
}

fn holds_all_but(n: &Node, gone: &str) -> bool {
    n.holds(VIP4) && n.holds("192.0.2.102") && n.holds(VIP6) && !n.holds(gone)
}
