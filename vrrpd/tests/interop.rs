//! Interoperability with keepalived 2.2.7 on the same link, in both roles (VRRPv3 over
//! IPv4, 0.1 s adverts, keepalived's default checksum with the pseudo-header).

#![allow(clippy::unwrap_used)] // tests may unwrap (STYLE)

mod common;

use common::{lab, v3_conf, wait_until, Node};
use std::process::{Child, Command};
use std::time::{Duration, Instant};
use vigil_ipc::msg::vrrp::VrrpState;
use vigil_netlab::Host;

const VIP: &str = "192.0.2.100";

struct Keepalived {
    child: Child,
}

impl Keepalived {
    fn start(host: &Host, dir: &std::path::Path, priority: u8) -> Keepalived {
        Keepalived::start_with(host, dir, &v3_conf(priority, ""))
    }

    fn start_with(host: &Host, dir: &std::path::Path, text: &str) -> Keepalived {
        let d = dir.join(host.name());
        std::fs::create_dir_all(&d).unwrap();
        let conf = d.join("keepalived.conf");
        std::fs::write(&conf, text).unwrap();
        let mut c = Command::new("keepalived");
        c.args(["-n", "-l", "-D", "-P", "-f"])
            .arg(&conf)
            .arg("-p")
            .arg(d.join("keepalived.pid"))
            .arg("-r")
            .arg(d.join("vrrp.pid"));
        Keepalived {
            child: host.spawn(&mut c).unwrap(),
        }
    }

    /// SIGTERM: keepalived's MASTER sends priority 0 and removes its VIPs.
    fn terminate(&self) {
        let pid = nix::unistd::Pid::from_raw(i32::try_from(self.child.id()).unwrap());
        let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM);
    }

    fn stop(&mut self) {
        self.terminate();
        let _ = self.child.wait();
    }
}

impl Drop for Keepalived {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.stop();
        }
    }
}

#[test]
fn interop_keepalived_master_vigil_backup_then_keepalived_stops() {
    let (lab, hosts) = lab("k1", 2);
    let mut k = Keepalived::start(&hosts[1], lab.dir(), 200);
    wait_until(
        "keepalived MASTER (VIP on b)",
        Duration::from_secs(5),
        || hosts[1].has_address("eth0", VIP),
    );
    let mut a = Node::start(&hosts[0], &v3_conf(100, ""));
    a.wait_state(0, VrrpState::Backup, Duration::from_secs(2));
    std::thread::sleep(Duration::from_millis(600));
    let st = a.status_request(1);
    assert_eq!(st[0].state, VrrpState::Backup, "log:\n{}", a.log());
    assert_eq!(st[0].master, Some("192.0.2.2".parse().unwrap()));
    assert!(st[0].counters.adverts_received >= 4, "{:?}", st[0].counters);
    assert_eq!(st[0].counters.checksum_errors, 0);
    assert_eq!(st[0].counters.address_list_errors, 0);
    assert!(!hosts[0].has_address("eth0", VIP));
    let start = Instant::now();
    k.terminate();
    a.wait_state(0, VrrpState::Master, Duration::from_millis(400));
    eprintln!("keepalived SIGTERM -> vigil MASTER: {:?}", start.elapsed());
    k.stop();
    wait_until("VIP on a", Duration::from_secs(1), || {
        hosts[0].has_address("eth0", VIP)
    });
}

#[test]
fn interop_vigil_master_keepalived_backup_then_vigil_shuts_down() {
    let (lab, hosts) = lab("k2", 2);
    let mut a = Node::start(&hosts[0], &v3_conf(200, ""));
    a.wait_state(0, VrrpState::Master, Duration::from_secs(3));
    let _k = Keepalived::start(&hosts[1], lab.dir(), 100);
    wait_until("keepalived BACKUP", Duration::from_secs(5), || {
        hosts[1].log().contains("(VI_1) Entering BACKUP STATE")
    });
    // Long enough for keepalived's Master_Down_Interval to have run out many times.
    std::thread::sleep(Duration::from_millis(1000));
    assert!(
        !hosts[1].has_address("eth0", VIP),
        "keepalived took the VIP:\n{}",
        hosts[1].log()
    );
    assert_eq!(a.state(), Some(VrrpState::Master));
    assert!(!hosts[1].log().contains("(VI_1) Entering MASTER STATE"));
    let start = Instant::now();
    let (status, exit_took) = a.shutdown();
    assert_eq!(status.code(), Some(0));
    if exit_took > Duration::from_millis(300) {
        eprintln!("slow exit; log:\n{}", a.log());
    }
    wait_until(
        "VIP on keepalived's host",
        Duration::from_millis(600),
        || hosts[1].has_address("eth0", VIP),
    );
    eprintln!(
        "vigil Shutdown -> keepalived MASTER with VIP: {:?} (vigil exited after {exit_took:?})",
        start.elapsed()
    );
}

fn v2_conf(priority: u8, auth: &str) -> String {
    format!(
        r#"
vrrp_instance VI_2 {{
    interface eth0
    virtual_router_id 52
    priority {priority}
    advert_int 1
    version 2
    authentication {{
        auth_type {auth}
        auth_pass secret
    }}
    virtual_ipaddress {{
        192.0.2.52/24
    }}
}}
"#
    )
}

#[test]
fn interop_v2_pass_and_ah_with_keepalived() {
    let (lab, hosts) = lab("k3", 4);
    // Two pairs on one link: VRID 52 is PASS between a (keepalived) and b (vigil);
    // VRID 53 is AH between c (keepalived) and d (vigil).
    let _k1 = Keepalived::start_with(&hosts[0], lab.dir(), &v2_conf(200, "PASS"));
    let ah = |p: u8| {
        v2_conf(p, "AH")
            .replace("virtual_router_id 52", "virtual_router_id 53")
            .replace("192.0.2.52/24", "192.0.2.53/24")
    };
    let mut k2 = Keepalived::start_with(&hosts[2], lab.dir(), &ah(200));
    wait_until("keepalived MASTERs", Duration::from_secs(6), || {
        hosts[0].has_address("eth0", "192.0.2.52") && hosts[2].has_address("eth0", "192.0.2.53")
    });
    let mut b = Node::start(&hosts[1], &v2_conf(100, "PASS"));
    let mut d = Node::start(&hosts[3], &ah(100));
    b.wait_state(0, VrrpState::Backup, Duration::from_secs(2));
    d.wait_state(0, VrrpState::Backup, Duration::from_secs(2));
    // Beyond v2's Master_Down_Interval (3 s + skew): still BACKUP, hearing keepalived.
    std::thread::sleep(Duration::from_millis(4500));
    for (n, master) in [(&mut b, "192.0.2.1"), (&mut d, "192.0.2.3")] {
        let st = n.status_request(1);
        assert_eq!(st[0].state, VrrpState::Backup, "log:\n{}", n.log());
        assert_eq!(st[0].master, Some(master.parse().unwrap()));
        assert_eq!(st[0].counters.auth_failures, 0, "{:?}", st[0].counters);
        assert!(st[0].counters.adverts_received >= 4, "{:?}", st[0].counters);
    }
    assert!(hosts[0].has_address("eth0", "192.0.2.52"));
    assert!(hosts[2].has_address("eth0", "192.0.2.53"));

    // The other way round for AH: vigil MASTER, keepalived BACKUP accepts its adverts.
    k2.terminate();
    d.wait_state(0, VrrpState::Master, Duration::from_secs(2));
    k2.stop();
    let _k3 = Keepalived::start_with(&hosts[2], lab.dir(), &ah(50));
    wait_until("keepalived BACKUP", Duration::from_secs(5), || {
        hosts[2]
            .log()
            .matches("(VI_2) Entering BACKUP STATE")
            .count()
            >= 2
    });
    std::thread::sleep(Duration::from_millis(4500));
    assert!(
        !hosts[2].has_address("eth0", "192.0.2.53"),
        "keepalived rejected vigil's AH adverts:\n{}",
        hosts[2].log()
    );
    assert_eq!(d.state(), Some(VrrpState::Master));
}

/// keepalived MASTER → vigil BACKUP hears it without errors; keepalived stops →
/// vigil takes over; keepalived comes back at a lower priority → it stays BACKUP.
/// `k_addr` gives keepalived's source address from its host.
fn both_roles(
    tag: &str,
    k_conf: &dyn Fn(u8) -> String,
    v_conf: &str,
    vip: &str,
    k_addr: &dyn Fn(&Host) -> String,
) {
    let (lab, hosts) = lab(tag, 2);
    let mut k = Keepalived::start_with(&hosts[1], lab.dir(), &k_conf(200));
    wait_until("keepalived MASTER", Duration::from_secs(5), || {
        hosts[1].has_address("eth0", vip)
    });
    let mut a = Node::start(&hosts[0], v_conf);
    a.wait_state(0, VrrpState::Backup, Duration::from_secs(2));
    std::thread::sleep(Duration::from_millis(600));
    let st = a.status_request(1);
    assert_eq!(st[0].state, VrrpState::Backup, "log:\n{}", a.log());
    assert_eq!(st[0].master, Some(k_addr(&hosts[1]).parse().unwrap()));
    assert!(st[0].counters.adverts_received >= 4, "{:?}", st[0].counters);
    assert_eq!(st[0].counters.checksum_errors, 0);
    let start = Instant::now();
    k.terminate();
    a.wait_state(0, VrrpState::Master, Duration::from_millis(500));
    eprintln!(
        "{tag}: keepalived SIGTERM -> vigil MASTER: {:?}",
        start.elapsed()
    );
    k.stop();
    wait_until("VIP on vigil", Duration::from_secs(1), || {
        hosts[0].has_address("eth0", vip)
    });
    let _k = Keepalived::start_with(&hosts[1], lab.dir(), &k_conf(50));
    wait_until("keepalived BACKUP", Duration::from_secs(5), || {
        hosts[1].log().matches("Entering BACKUP STATE").count() >= 2
    });
    std::thread::sleep(Duration::from_millis(1000));
    assert!(
        !hosts[1].has_address("eth0", vip),
        "keepalived took over:\n{}",
        hosts[1].log()
    );
    assert_eq!(a.state(), Some(VrrpState::Master));
}

#[test]
fn interop_unicast_v3_with_keepalived_in_both_roles() {
    let uni = |me: u8, peer: u8| {
        format!("    unicast_src_ip 192.0.2.{me}\n    unicast_peer {{\n        192.0.2.{peer}\n    }}\n")
    };
    let k = move |p: u8| v3_conf(p, &uni(2, 1));
    both_roles("k4", &k, &v3_conf(100, &uni(1, 2)), VIP, &|_| {
        "192.0.2.2".into()
    });
}

#[test]
fn interop_ipv6_with_keepalived_in_both_roles() {
    let conf = |p: u8| {
        format!(
            r#"
vrrp_instance VI_6 {{
    interface eth0
    virtual_router_id 61
    priority {p}
    advert_int 0.1
    virtual_ipaddress {{
        2001:db8::100/64
    }}
}}
"#
        )
    };
    // keepalived sends from the link-local address of its eth0 (RFC 5798 §5.1.2.1).
    let link_local = |h: &Host| {
        h.run("ip -6 -o addr show dev eth0 scope link | awk '{print $4}' | cut -d/ -f1")
            .unwrap()
            .trim()
            .to_string()
    };
    both_roles("k5", &conf, &conf(100), "2001:db8::100", &link_local);
}
