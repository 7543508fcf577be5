//! vrrpd's privileges are enough: as `nobody` with exactly CAP_NET_RAW + CAP_NET_ADMIN
//! (setpriv), the probe binary creates a VMAC, writes its sysctls, adds an address,
//! sends a GARP and cleans up; without CAP_NET_ADMIN changes fail with EPERM; with a
//! read-only /proc/sys the VMAC settings still apply (netlink).

mod common;

use common::Netns;
use std::process::Command;

/// Runs the probe in `ns` as nobody with only `caps`; returns (success, output).
fn probe(ns: &Netns, caps: &str, mode: &str) -> (bool, String) {
    let caps_arg = format!("-all,{caps}");
    let out = Command::new("ip")
        .args(["netns", "exec", &ns.name, "setpriv"])
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(format!("--inh-caps={caps_arg}"))
        .arg(format!("--ambient-caps={caps_arg}"))
        .arg(format!("--bounding-set={caps_arg}"))
        .arg(env!("CARGO_BIN_EXE_vigil-net-probe"))
        .arg(mode)
        .output()
        .expect("setpriv");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[test]
fn net_raw_and_net_admin_as_nobody_are_enough() {
    let Some(ns) = Netns::new() else { return };
    ns.ip(&["link", "add", "v0", "type", "veth", "peer", "name", "v1"]);
    ns.ip(&["link", "set", "v1", "up"]);
    let (ok, out) = probe(&ns, "+net_raw,+net_admin", "full");
    assert!(ok, "{out}");
    assert!(out.contains("euid 65534"), "{out}");
    // It cleaned up after itself.
    let links = ns.ip(&["link", "show"]);
    assert!(!links.contains("vrrp.9"), "{links}");
}

#[test]
fn without_net_admin_changes_fail_with_eperm() {
    let Some(ns) = Netns::new() else { return };
    ns.ip(&["link", "add", "v0", "type", "veth", "peer", "name", "v1"]);
    let (ok, out) = probe(&ns, "+net_raw", "no-admin");
    assert!(ok, "{out}");
    assert!(
        out.contains("EPERM") && out.contains("192.0.2.9/24"),
        "{out}"
    );
}

#[test]
fn vmac_settings_apply_with_a_read_only_proc_sys() {
    let Some(ns) = Netns::new() else { return };
    ns.ip(&["link", "add", "v0", "type", "veth", "peer", "name", "v1"]);
    // As in a container or under systemd's ProtectKernelTunables: /proc/sys read-only
    // in a private mount namespace.
    let script = format!(
        "mount --bind /proc/sys /proc/sys && mount -o remount,bind,ro /proc/sys && exec {} ro-proc",
        env!("CARGO_BIN_EXE_vigil-net-probe")
    );
    let out = Command::new("ip")
        .args([
            "netns", "exec", &ns.name, "unshare", "-m", "sh", "-c", &script,
        ])
        .output()
        .expect("unshare");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{text}");
    assert!(text.contains("EROFS"), "{text}");
    let v = common::run(
        "ip",
        &[
            "netns",
            "exec",
            &ns.name,
            "cat",
            "/proc/sys/net/ipv4/conf/vrrp.9/arp_ignore",
        ],
    );
    assert_eq!(v.trim(), "1");
}
