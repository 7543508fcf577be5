//! vigil-nft against the kernel, as root: each test in its own network namespace
//! (`vgnft-<pid>-<n>`), entered on a dedicated thread; `nft -j list ruleset` of that
//! namespace is compared with keepalived 2.2.7's own ruleset (tests/golden/, captured
//! from keepalived running in a namespace with vrrp_strict and these VIPs).

use std::fs::File;
use std::net::IpAddr;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

use nix::sched::{setns, CloneFlags};
use serde_json::Value;
use std::net::Ipv6Addr;

use vigil_nft::{Link, Nft, NftError, TableConfig};

static NEXT: AtomicUsize = AtomicUsize::new(0);

/// A network namespace deleted on drop, even when the test fails.
struct Netns {
    name: String,
}

impl Netns {
    fn new() -> Netns {
        let name = format!(
            "vgnft-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        );
        run_ok(Command::new("ip").args(["netns", "add", &name]));
        let ns = Netns { name };
        ns.sh("ip link set lo up");
        ns
    }

    /// Runs `f` on a thread that has entered this namespace (sockets it opens live here).
    fn enter<T: Send>(&self, f: impl FnOnce() -> T + Send) -> T {
        let path = format!("/run/netns/{}", self.name);
        std::thread::scope(|s| {
            s.spawn(|| {
                let file = File::open(&path).expect("open netns");
                setns(&file, CloneFlags::CLONE_NEWNET).expect("setns");
                f()
            })
            .join()
            .expect("namespace thread panicked")
        })
    }

    /// A shell command inside the namespace; panics unless it succeeds.
    fn sh(&self, script: &str) -> String {
        let out =
            run_ok(Command::new("ip").args(["netns", "exec", &self.name, "sh", "-c", script]));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// True if a single ping from this namespace is answered.
    fn ping(&self, addr: &str) -> bool {
        Command::new("ip")
            .args([
                "netns", "exec", &self.name, "ping", "-n", "-q", "-c1", "-W1", addr,
            ])
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false)
    }

    /// `nft -j list ruleset`, normalised (see `normalise`).
    fn ruleset(&self) -> Value {
        let v: Value = serde_json::from_str(&self.sh("nft -j list ruleset")).expect("nft json");
        normalise(v)
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        let _ = Command::new("ip")
            .args(["netns", "del", &self.name])
            .output();
    }
}

fn run_ok(cmd: &mut Command) -> Output {
    let out = cmd.output().expect("spawn");
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Root and nft are needed; without them the tests say so and pass vacuously.
fn can_run() -> bool {
    let root = std::fs::read_to_string("/proc/self/status")
        .map(|s| {
            s.lines()
                .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false);
    let nft = Command::new("nft")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !(root && nft) {
        eprintln!("skipped: needs root and nft (scripts/deps.sh)");
    }
    root && nft
}

/// Drops what differs between runs and says nothing about the ruleset: nft's metainfo,
/// object handles, counter values; sorts set elements (hash sets dump in any order).
fn normalise(v: Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .filter(|(k, _)| k != "handle")
                .map(|(k, x)| {
                    if k == "counter" && x.is_object() {
                        (k, serde_json::json!({"packets": 0, "bytes": 0}))
                    } else if k == "elem" {
                        let mut e = match x {
                            Value::Array(a) => a,
                            other => vec![other],
                        };
                        e.sort_by_key(|x| x.to_string());
                        (k, Value::Array(e.into_iter().map(normalise).collect()))
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

/// The golden file without the `vips` elements: keepalived's table in BACKUP after a
/// MASTER spell, or vigil's right after setup. Constant sets keep theirs.
fn without_vips(mut v: Value) -> Value {
    if let Some(objs) = v.get_mut("nftables").and_then(Value::as_array_mut) {
        for o in objs {
            if let Some(set) = o.get_mut("set").and_then(Value::as_object_mut) {
                if set.get("name").and_then(Value::as_str) == Some("vips") {
                    set.remove("elem");
                }
            }
        }
    }
    v
}

fn golden(name: &str) -> Value {
    let path = format!("{}/tests/golden/{name}", env!("CARGO_MANIFEST_DIR"));
    normalise(serde_json::from_str(&std::fs::read_to_string(path).expect("golden")).expect("json"))
}

fn ips(list: &[&str]) -> Vec<IpAddr> {
    list.iter().map(|s| s.parse().expect("address")).collect()
}

/// The VIPs of the keepalived run the golden files come from.
const GOLDEN_VIPS: [&str; 3] = ["192.0.2.100", "192.0.2.101", "2001:db8::100"];

fn elems(ruleset: &Value, family: &str) -> Vec<String> {
    let mut out = Vec::new();
    for o in ruleset["nftables"].as_array().into_iter().flatten() {
        let s = &o["set"];
        if s["family"] == family && s["name"] == "vips" {
            for e in s["elem"].as_array().into_iter().flatten() {
                out.push(e.as_str().unwrap_or_default().to_string());
            }
        }
    }
    out
}

#[test]
fn setup_and_vips_give_keepalived_ruleset() {
    if !can_run() {
        return;
    }
    let ns = Netns::new();
    ns.enter(|| {
        let mut nft = Nft::open().expect("open");
        nft.setup(&TableConfig::default()).expect("setup");
    });
    // Right after setup: keepalived's tables, chains, rules and sets, `vips` empty.
    assert_eq!(ns.ruleset(), without_vips(golden("keepalived-2.2.7.json")));
    ns.enter(|| {
        let mut nft = Nft::open().expect("open");
        nft.setup(&TableConfig::default()).expect("setup");
        nft.add_vips(&ips(&GOLDEN_VIPS)).expect("add");
    });
    assert_eq!(ns.ruleset(), golden("keepalived-2.2.7.json"));
}

#[test]
fn counters_priority_and_table_name_as_keepalived() {
    if !can_run() {
        return;
    }
    let ns = Netns::new();
    let cfg = TableConfig {
        table: "vgtest".into(),
        priority: -5,
        counters: true,
        ..TableConfig::default()
    };
    ns.enter(|| {
        let mut nft = Nft::open().expect("open");
        nft.setup(&cfg).expect("setup");
        nft.add_vips(&ips(&GOLDEN_VIPS)).expect("add");
    });
    assert_eq!(ns.ruleset(), golden("keepalived-2.2.7-counters.json"));
}

#[test]
fn a_family_table_is_created_on_demand_like_keepalived() {
    if !can_run() {
        return;
    }
    let ns = Netns::new();
    ns.enter(|| {
        let mut nft = Nft::open().expect("open");
        let cfg = TableConfig {
            ipv4: false,
            ipv6: false,
            ..TableConfig::default()
        };
        nft.setup(&cfg).expect("setup");
    });
    // Nothing until the first VIP, as keepalived before its first MASTER.
    assert_eq!(ns.ruleset(), serde_json::json!({"nftables": []}));
    ns.enter(|| {
        let mut nft = Nft::open().expect("open");
        let cfg = TableConfig {
            ipv4: false,
            ipv6: false,
            ..TableConfig::default()
        };
        nft.setup(&cfg).expect("setup");
        nft.add_vips(&ips(&GOLDEN_VIPS)).expect("add");
    });
    assert_eq!(ns.ruleset(), golden("keepalived-2.2.7.json"));
}

#[test]
fn vips_appear_and_disappear() {
    if !can_run() {
        return;
    }
    let ns = Netns::new();
    let mut nft = ns.enter(|| {
        let mut nft = Nft::open().expect("open");
        nft.setup(&TableConfig::default()).expect("setup");
        nft
    });
    // The socket stays in the namespace it was opened in, whichever thread uses it.
    nft.add_vips(&ips(&["192.0.2.100", "2001:db8::100", "2001:db8::101"]))
        .expect("add");
    let r = ns.ruleset();
    assert_eq!(elems(&r, "ip"), ["192.0.2.100"]);
    assert_eq!(elems(&r, "ip6"), ["2001:db8::100", "2001:db8::101"]);
    // Adding again, or alongside a new one, is fine.
    nft.add_vips(&ips(&["192.0.2.100", "192.0.2.101"]))
        .expect("re-add");
    assert_eq!(elems(&ns.ruleset(), "ip"), ["192.0.2.100", "192.0.2.101"]);
    nft.del_vips(&ips(&["192.0.2.100", "2001:db8::101"]))
        .expect("del");
    let r = ns.ruleset();
    assert_eq!(elems(&r, "ip"), ["192.0.2.101"]);
    assert_eq!(elems(&r, "ip6"), ["2001:db8::100"]);
    // Deleting what is not there is a no-op, not ENOENT.
    nft.del_vips(&ips(&["192.0.2.100", "198.51.100.7"]))
        .expect("del again");
    assert_eq!(nft.vips(), ips(&["192.0.2.101", "2001:db8::100"]));
    nft.del_vips(&nft.vips()).expect("del all");
    assert_eq!(ns.ruleset(), without_vips(golden("keepalived-2.2.7.json")));
    assert!(matches!(
        nft.add_vips(&ips(&["fe80::1"])),
        Err(NftError::LinkLocal(_))
    ));
}

fn ll(addr: &str) -> Ipv6Addr {
    addr.parse().expect("address")
}

#[test]
fn link_local_vips_as_keepalived() {
    if !can_run() {
        return;
    }
    let ns = Netns::new();
    // keepalived's run: interface veth0, VI_6 {2001:db8::100, fe80::100} keyed by
    // ifindex, VI_7 (dont_track_primary) {2001:db8::200, fe80::200} keyed by name.
    ns.sh("ip link add veth0 type veth peer name veth1 && ip link set veth0 up && ip link set veth1 up");
    let ifindex: u32 = ns
        .sh("cat /sys/class/net/veth0/ifindex")
        .trim()
        .parse()
        .expect("ifindex");
    let cfg = TableConfig {
        ipv4: false,
        ipv6: false,
        ..TableConfig::default()
    };
    let by_index = Link::choose(&cfg, false, true, ifindex, "veth0");
    let by_name = Link::choose(&cfg, true, true, ifindex, "veth0");
    assert_eq!(by_index, Link::Index(ifindex));
    assert_eq!(by_name, Link::Name("veth0".into()));
    let forced = TableConfig {
        ifindex: true,
        ..cfg.clone()
    };
    assert_eq!(
        Link::choose(&forced, true, true, ifindex, "veth0"),
        Link::Index(ifindex)
    );
    let mut nft = ns.enter(|| Nft::open().expect("open"));
    nft.setup(&cfg).expect("setup");
    nft.add_vips(&ips(&["2001:db8::100"])).expect("add VI_6");
    nft.add_link_local_vips(&[(ll("fe80::100"), by_index.clone())])
        .expect("add VI_6 ll");
    nft.add_vips(&ips(&["2001:db8::200"])).expect("add VI_7");
    nft.add_link_local_vips(&[(ll("fe80::200"), by_name.clone())])
        .expect("add VI_7 ll");
    assert_eq!(ns.ruleset(), golden("keepalived-2.2.7-link-local.json"));
    // Removing them empties the sets; the sets and rules stay, as in keepalived.
    nft.del_link_local_vips(&nft.link_local_vips())
        .expect("del ll");
    nft.del_link_local_vips(&[(ll("fe80::100"), by_index)])
        .expect("del ll again");
    let r = ns.ruleset();
    let mut ll_sets = 0;
    for o in r["nftables"].as_array().into_iter().flatten() {
        let s = &o["set"];
        if s["name"]
            .as_str()
            .is_some_and(|n| n.starts_with("vips_link_local"))
        {
            ll_sets += 1;
            assert!(s.get("elem").is_none(), "{s}");
        }
    }
    assert_eq!(ll_sets, 2);
    assert!(matches!(
        nft.add_link_local_vips(&[(ll("2001:db8::1"), Link::Index(1))]),
        Err(NftError::NotLinkLocal(_))
    ));
    assert!(matches!(
        nft.add_link_local_vips(&[(ll("fe80::1"), Link::Name("a-name-far-too-long".into()))]),
        Err(NftError::BadLink(_))
    ));
}

#[test]
fn traffic_to_a_blocked_vip_is_dropped() {
    if !can_run() {
        return;
    }
    let host = Netns::new();
    let peer = Netns::new();
    let veth = format!("vgnft{}", NEXT.fetch_add(1, Ordering::SeqCst));
    host.sh(&format!(
        "ip link add {veth}a type veth peer name {veth}b && ip link set {veth}b netns {peer} && \
         ip link set {veth}a up && ip addr add 192.0.2.1/24 dev {veth}a && \
         ip addr add 192.0.2.100/32 dev {veth}a && \
         ip addr add 2001:db8::1/64 dev {veth}a nodad && ip addr add 2001:db8::100/128 dev {veth}a nodad && \
         ip addr add fe80::100/64 dev {veth}a nodad",
        peer = peer.name
    ));
    peer.sh(&format!(
        "ip link set {veth}b up && ip addr add 192.0.2.2/24 dev {veth}b && \
         ip addr add 2001:db8::2/64 dev {veth}b nodad"
    ));
    assert!(peer.ping("192.0.2.100"), "VIP reachable before the rules");
    let mut nft = host.enter(|| {
        let mut nft = Nft::open().expect("open");
        nft.setup(&TableConfig::default()).expect("setup");
        nft
    });
    let ifindex: u32 = host
        .sh(&format!("cat /sys/class/net/{veth}a/ifindex"))
        .trim()
        .parse()
        .expect("ifindex");
    let ll_vip = [(ll("fe80::100"), Link::Index(ifindex))];
    let ll_target = format!("fe80::100%{veth}b");
    assert!(
        peer.ping(&ll_target),
        "link-local VIP reachable before the rules"
    );
    nft.add_vips(&ips(&["192.0.2.100", "2001:db8::100"]))
        .expect("add");
    nft.add_link_local_vips(&ll_vip).expect("add link-local");
    assert!(!peer.ping(&ll_target), "link-local VIP must be dropped");
    // RFC 5798 §6.4.3: the VIPs are not accepted; the host's own addresses still are,
    // and neighbour discovery for the VIP still works (the neighbor-discovery rule).
    assert!(!peer.ping("192.0.2.100"), "IPv4 VIP must be dropped");
    assert!(!peer.ping("2001:db8::100"), "IPv6 VIP must be dropped");
    assert!(
        peer.ping("192.0.2.1"),
        "the host's own IPv4 address must pass"
    );
    assert!(
        peer.ping("2001:db8::1"),
        "the host's own IPv6 address must pass"
    );
    let drops = peer.sh("ip -6 neigh show 2001:db8::100");
    assert!(
        !drops.contains("FAILED"),
        "NDP for the VIP must work: {drops}"
    );
    nft.del_vips(&ips(&["192.0.2.100", "2001:db8::100"]))
        .expect("del");
    nft.del_link_local_vips(&ll_vip).expect("del link-local");
    assert!(
        peer.ping(&ll_target),
        "link-local VIP reachable after del_link_local_vips"
    );
    assert!(
        peer.ping("192.0.2.100"),
        "IPv4 VIP reachable after del_vips"
    );
    assert!(
        peer.ping("2001:db8::100"),
        "IPv6 VIP reachable after del_vips"
    );
}

#[test]
fn teardown_removes_the_tables() {
    if !can_run() {
        return;
    }
    let ns = Netns::new();
    let mut nft = ns.enter(|| Nft::open().expect("open"));
    nft.teardown().expect("teardown before setup");
    nft.setup(&TableConfig::default()).expect("setup");
    nft.add_vips(&ips(&GOLDEN_VIPS)).expect("add");
    nft.teardown().expect("teardown");
    assert_eq!(ns.ruleset(), serde_json::json!({"nftables": []}));
    assert!(nft.vips().is_empty());
    assert!(matches!(
        nft.add_vips(&ips(&["192.0.2.100"])),
        Err(NftError::NotSetUp)
    ));
    // Gone already (deleted by someone else): still fine.
    nft.setup(&TableConfig::default()).expect("setup");
    ns.sh("nft delete table ip keepalived");
    nft.teardown().expect("teardown of a half-deleted setup");
    assert_eq!(ns.ruleset(), serde_json::json!({"nftables": []}));
}

#[test]
fn setup_twice_starts_afresh() {
    if !can_run() {
        return;
    }
    let ns = Netns::new();
    let mut nft = ns.enter(|| Nft::open().expect("open"));
    nft.setup(&TableConfig::default()).expect("setup");
    nft.add_vips(&ips(&GOLDEN_VIPS)).expect("add");
    // Residue someone added by hand goes too: the table is rebuilt, not patched.
    ns.sh("nft add rule ip keepalived in counter");
    nft.setup(&TableConfig::default()).expect("setup again");
    assert_eq!(ns.ruleset(), without_vips(golden("keepalived-2.2.7.json")));
    assert!(nft.vips().is_empty());
    // A second handle (a restarted vrrpd) takes over the first one's tables.
    let mut other = ns.enter(|| Nft::open().expect("open"));
    other
        .setup(&TableConfig::default())
        .expect("setup by another handle");
    other.add_vips(&ips(&GOLDEN_VIPS)).expect("add");
    assert_eq!(ns.ruleset(), golden("keepalived-2.2.7.json"));
    // A new table name replaces the old tables rather than leaving them behind.
    let renamed = TableConfig {
        table: "vigil".into(),
        ..TableConfig::default()
    };
    other.setup(&renamed).expect("rename");
    let tables: Vec<String> = ns.ruleset()["nftables"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|o| {
            o.get("table")
                .map(|t| format!("{} {}", t["family"], t["name"]))
        })
        .collect();
    assert_eq!(tables, ["\"ip\" \"vigil\"", "\"ip6\" \"vigil\""]);
}

#[test]
fn a_failing_batch_reports_the_kernel_error_and_changes_nothing() {
    if !can_run() {
        return;
    }
    let ns = Netns::new();
    let mut nft = ns.enter(|| Nft::open().expect("open"));
    nft.setup(&TableConfig::default()).expect("setup");
    nft.add_vips(&ips(&["192.0.2.100", "2001:db8::100"]))
        .expect("add");
    // Someone deleted the IPv4 table behind vigil's back.
    ns.sh("nft delete table ip keepalived");
    let err = nft
        .del_vips(&ips(&["192.0.2.100", "2001:db8::100"]))
        .expect_err("must fail");
    match &err {
        NftError::Kernel { what, errno, .. } => {
            assert_eq!(*errno, libc::ENOENT, "{err}");
            assert_eq!(
                what,
                "NFT_MSG_DELSETELEM elements of set ip keepalived vips"
            );
        }
        other => panic!("unexpected error {other:?}"),
    }
    eprintln!("kernel error as reported: {err}");
    assert_eq!(err.errno(), Some(libc::ENOENT));
    assert!(err.to_string().contains("DELSETELEM"), "{err}");
    // The transaction was aborted: the IPv6 element is still there, and still known.
    assert_eq!(elems(&ns.ruleset(), "ip6"), ["2001:db8::100"]);
    assert_eq!(nft.vips(), ips(&["192.0.2.100", "2001:db8::100"]));
    // A bad table name is refused before anything is sent.
    let bad = TableConfig {
        table: String::new(),
        ..TableConfig::default()
    };
    assert!(matches!(nft.setup(&bad), Err(NftError::BadTableName(_))));
}

/// Runs the probe in `ns` as nobody (65534) with `caps` as its only capabilities.
fn probe_as_nobody(ns: &Netns, caps: &str, addrs: &[&str]) -> (bool, String) {
    let out = Command::new("ip")
        .args([
            "netns",
            "exec",
            &ns.name,
            "setpriv",
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
        ])
        .arg(format!("--inh-caps=-all{caps}"))
        .arg(format!("--ambient-caps=-all{caps}"))
        .arg(format!("--bounding-set=-all{caps}"))
        .arg(env!("CARGO_BIN_EXE_vigil-nft-probe"))
        .args(addrs)
        .output()
        .expect("spawn setpriv");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[test]
fn works_with_vrrpd_privileges_only() {
    if !can_run()
        || !Command::new("setpriv")
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    {
        return;
    }
    let ns = Netns::new();
    // vigil-vrrpd: not root, CAP_NET_ADMIN (+ CAP_NET_RAW) only.
    let (ok, text) = probe_as_nobody(&ns, ",+net_admin,+net_raw", &GOLDEN_VIPS);
    assert!(ok, "{text}");
    assert_eq!(ns.ruleset(), golden("keepalived-2.2.7.json"));
    // Without CAP_NET_ADMIN the kernel says EPERM, and the error says so.
    let (ok, text) = probe_as_nobody(&ns, ",+net_raw", &GOLDEN_VIPS);
    assert!(!ok, "{text}");
    assert!(text.contains(&format!("errno={}", libc::EPERM)), "{text}");
    assert_eq!(
        ns.ruleset(),
        golden("keepalived-2.2.7.json"),
        "nothing changed"
    );
}
