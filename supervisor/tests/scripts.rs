//! The script runner, driven by a vrrpd stand-in that asks for vrrp_script #0: the
//! script runs as its configured user, its timeout is enforced, and an unsafe script
//! is refused under enable_script_security.

mod common;

use common::Suite;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn with_script(tag: &str, globals: &str, script_block: &str) -> Suite {
    let s = Suite::new(tag, "");
    s.write_config(&format!(
        "global_defs {{\n{globals}\n}}\n\
         vrrp_script chk {{\n{script_block}\n    interval 5\n}}\n\
         vrrp_instance VI_1 {{\n    state BACKUP\n    interface eth0\n    virtual_router_id 54\n    \
         priority 100\n    virtual_ipaddress {{\n        192.0.2.100/24\n    }}\n    \
         track_script {{\n        chk\n    }}\n}}\n"
    ));
    s.fake("vrrp", "run-script");
    s
}

fn world_writable_dir(s: &Suite, name: &str) -> PathBuf {
    let d = s.dir.join(name);
    std::fs::create_dir_all(&d).expect("mkdir");
    std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o777)).expect("chmod");
    d
}

fn executable(path: &std::path::Path, body: &str) {
    std::fs::write(path, format!("#!/bin/sh\n{body}\n")).expect("write");
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

fn uid_of(name: &str) -> u32 {
    nix::unistd::User::from_name(name)
        .expect("getpwnam")
        .expect("user")
        .uid
        .as_raw()
}

/// Puts `script "PATH"` and `extra` lines into the suite's vrrp_script block.
fn set_script(s: &Suite, path: &std::path::Path, extra: &str) {
    s.write_config(&std::fs::read_to_string(&s.conf).expect("conf").replace(
        "vrrp_script chk {\n",
        &format!(
            "vrrp_script chk {{\n    script \"{}\"\n{extra}",
            path.display()
        ),
    ));
}

#[test]
fn runs_as_the_configured_user_with_a_clean_environment() {
    let mut s = with_script(
        "scu",
        "    script_user nobody\n    enable_script_security",
        "",
    );
    let out = world_writable_dir(&s, "out");
    let script = s.dir.join("who.sh");
    executable(
        &script,
        &format!("id -u > {0}/uid\nenv > {0}/env", out.display()),
    );
    // The per-script user wins over script_user.
    set_script(&s, &script, "    user daemon\n");
    s.start();
    s.wait_log("ScriptResult 0 Exited(0)", Duration::from_secs(10));
    let uid: u32 = std::fs::read_to_string(out.join("uid"))
        .expect("uid")
        .trim()
        .parse()
        .expect("number");
    assert_eq!(uid, uid_of("daemon"), "ran as the per-script user");
    let env = std::fs::read_to_string(out.join("env")).expect("env");
    assert!(!env.contains("VIGIL_LIBEXEC"), "{env}");
    assert!(env.contains("PATH=/usr/sbin:/usr/bin:/sbin:/bin"), "{env}");
}

#[test]
fn the_default_script_user_is_used_when_none_is_given() {
    let mut s = with_script(
        "scd",
        "    script_user nobody\n    enable_script_security",
        "",
    );
    let out = world_writable_dir(&s, "out");
    let script = s.dir.join("who.sh");
    executable(&script, &format!("id -u > {}/uid", out.display()));
    set_script(&s, &script, "");
    s.start();
    s.wait_log("ScriptResult 0 Exited(0)", Duration::from_secs(10));
    let uid: u32 = std::fs::read_to_string(out.join("uid"))
        .expect("uid")
        .trim()
        .parse()
        .expect("number");
    assert_eq!(uid, uid_of("nobody"));
}

#[test]
fn a_script_past_its_timeout_is_killed_and_reported_timed_out() {
    let mut s = with_script(
        "sct",
        "    script_user nobody\n    enable_script_security",
        "    script \"/bin/sleep 30\"\n    timeout 1",
    );
    s.start();
    s.wait_log("fake-vrrp", Duration::from_secs(10));
    let t = Instant::now();
    s.wait_log("ScriptResult 0 TimedOut", Duration::from_secs(5));
    let took = t.elapsed();
    eprintln!("timed-out script reported after {} ms", took.as_millis());
    assert!(took < Duration::from_millis(1800), "{took:?}");
    let log = s.log();
    // SIGTERM at the timeout ended it (SIGKILL would come 2 s later).
    assert!(
        log.contains("vrrp_script chk: timed out, ended by signal 15"),
        "{log}"
    );
    // No sleep of ours is left.
    let left = std::process::Command::new("pgrep")
        .args(["-f", "^/bin/sleep 30$"])
        .output()
        .expect("pgrep");
    assert!(left.stdout.is_empty(), "sleep still running");
}

#[test]
fn an_unsafe_script_is_refused_under_enable_script_security() {
    let mut s = with_script(
        "scs",
        "    script_user root\n    enable_script_security",
        "",
    );
    let dir = world_writable_dir(&s, "unsafe");
    let script = dir.join("x.sh");
    let marker = dir.join("ran");
    executable(&script, &format!("touch {}", marker.display()));
    set_script(&s, &script, "");
    s.start();
    s.wait_log("ScriptResult 0 NotRun", Duration::from_secs(10));
    let log = s.log();
    assert!(log.contains("vrrp_script chk:"), "{log}");
    assert!(log.contains("it will not be run"), "{log}");
    assert!(!marker.exists(), "the unsafe script ran");
}

#[test]
fn output_is_logged_and_the_script_starts_with_no_signal_blocked() {
    let mut s = with_script(
        "scm",
        "    script_user nobody\n    enable_script_security",
        "    script \"/bin/grep SigBlk /proc/self/status\"",
    );
    s.start();
    s.wait_log("ScriptResult 0 Exited(0)", Duration::from_secs(10));
    let log = s.log();
    assert!(
        log.contains("vrrp_script chk: SigBlk:\t0000000000000000"),
        "{log}"
    );
}
