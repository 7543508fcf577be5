//! After start, each child's credentials, capabilities and no_new_privs, read from
//! /proc, are exactly its role's, and neither child can open the configuration file.

mod common;

use common::{Suite, BASIC};
use std::os::unix::process::CommandExt;
use std::process::Command;

fn status_field(pid: u32, field: &str) -> String {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("status");
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{field}:")))
        .map(|v| v.split_whitespace().collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| panic!("no {field} in /proc/{pid}/status"))
}

fn nobody() -> (u32, u32) {
    let u = nix::unistd::User::from_name("nobody")
        .expect("getpwnam")
        .expect("user nobody");
    (u.uid.as_raw(), u.gid.as_raw())
}

fn check(pid: u32, caps: &str) {
    let (uid, gid) = nobody();
    assert_eq!(status_field(pid, "Uid"), format!("{uid} {uid} {uid} {uid}"));
    assert_eq!(status_field(pid, "Gid"), format!("{gid} {gid} {gid} {gid}"));
    assert_eq!(status_field(pid, "Groups"), "");
    assert_eq!(status_field(pid, "CapInh"), "0000000000000000");
    assert_eq!(status_field(pid, "CapPrm"), caps);
    assert_eq!(status_field(pid, "CapEff"), caps);
    assert_eq!(status_field(pid, "CapBnd"), caps);
    assert_eq!(status_field(pid, "CapAmb"), "0000000000000000");
    assert_eq!(status_field(pid, "NoNewPrivs"), "1");
}

/// Tries to open `path` with the credentials (uid, gid, no groups) of process `pid`.
fn can_open_as(pid: u32, path: &std::path::Path) -> bool {
    let uid: u32 = status_field(pid, "Uid")
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("euid");
    let gid: u32 = status_field(pid, "Gid")
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("egid");
    // std drops supplementary groups when root changes the uid.
    Command::new("cat")
        .arg(path)
        .uid(uid)
        .gid(gid)
        .output()
        .expect("cat")
        .status
        .success()
}

#[test]
fn children_run_with_exactly_their_roles_privileges() {
    // No vrrp_user/checker_user: the default (vigil if it exists, else nobody).
    if nix::unistd::User::from_name("vigil")
        .ok()
        .flatten()
        .is_some()
    {
        eprintln!("user vigil exists; this test expects the nobody fallback");
        return;
    }
    let mut s = Suite::new("prv", BASIC);
    s.start_ready();
    let vrrp = s.vrrp().expect("vrrp pid");
    let checker = s.checker().expect("checker pid");
    // vrrpd: CAP_NET_ADMIN (12) and CAP_NET_RAW (13) only.
    check(vrrp, "0000000000003000");
    check(checker, "0000000000000000");
    assert!(s.log().contains("privileges verified"));

    // The configuration is root's (0600): a process with a child's credentials
    // cannot read it, while root can.
    assert!(std::fs::read(&s.conf).is_ok());
    assert!(
        !can_open_as(vrrp, &s.conf),
        "vrrpd's user can read the config"
    );
    assert!(
        !can_open_as(checker, &s.conf),
        "checkerd's user can read the config"
    );
    // And neither child holds it open (it was never given to them).
    for pid in [vrrp, checker] {
        for fd in std::fs::read_dir(format!("/proc/{pid}/fd")).expect("fds") {
            let target = std::fs::read_link(fd.expect("fd").path()).unwrap_or_default();
            assert_ne!(target, s.conf, "child {pid} holds the configuration open");
        }
    }
}

#[test]
fn configured_users_are_used_and_verified() {
    let conf = BASIC.replace(
        "router_id test",
        "router_id test\n    vrrp_user nobody\n    checker_user nobody",
    );
    let mut s = Suite::new("prvu", &conf);
    s.start_ready();
    let log = s.log();
    assert!(log.contains("vrrp child started as pid"), "{log}");
    assert!(log.contains("(user nobody)"), "{log}");
    check(s.vrrp().expect("vrrp"), "0000000000003000");
    check(s.checker().expect("checker"), "0000000000000000");
}

#[test]
fn a_child_that_keeps_root_is_killed() {
    let mut s = Suite::new("prvr", BASIC);
    s.fake("checker", "no-drop");
    s.start();
    s.wait_log("privilege check failed", std::time::Duration::from_secs(10));
    let log = s.log();
    assert!(log.contains("killing it"), "{log}");
    // vigild keeps running and restarts it (with backoff).
    assert!(s.vigild_running());
    s.wait_log("restarting in", std::time::Duration::from_secs(5));
}
