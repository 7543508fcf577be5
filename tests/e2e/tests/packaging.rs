//! The systemd unit, sysusers and tmpfiles files of packaging/ as systemd itself reads
//! them: `systemd-analyze verify` finds nothing wrong with the unit (pointed at the
//! built vigild), and `systemd-sysusers --dry-run` would create the `vigil` user.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::Command;
use vigil_e2e::node::bin_dir;

const PACKAGING: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../packaging");

#[test]
fn the_unit_passes_systemd_analyze_verify() {
    let unit = std::fs::read_to_string(Path::new(PACKAGING).join("systemd/vigil.service")).unwrap();
    assert!(unit.contains("Type=notify") && unit.contains("ExecReload=/bin/kill -HUP $MAINPID"));
    let vigild = bin_dir().join("vigild");
    // The installed path and the man pages do not exist here; everything else must.
    let local: String = unit
        .lines()
        .filter(|l| !l.starts_with("Documentation="))
        .map(|l| l.replace("/usr/sbin/vigild", &vigild.display().to_string()) + "\n")
        .collect();
    let dir = std::env::temp_dir().join(format!("vigil-unit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("vigil.service");
    std::fs::write(&path, local).unwrap();
    let out = Command::new("systemd-analyze")
        .arg("verify")
        .arg(&path)
        .output()
        .expect("systemd-analyze (Debian package systemd)");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::fs::remove_dir_all(&dir);
    let problems: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("vigil.service"))
        .collect();
    assert!(problems.is_empty(), "systemd-analyze verify: {text}");
}

#[test]
fn sysusers_creates_the_vigil_user() {
    let conf = Path::new(PACKAGING).join("sysusers.d/vigil.conf");
    let out = Command::new("systemd-sysusers")
        .arg("--dry-run")
        .arg(std::fs::canonicalize(conf).unwrap())
        .output()
        .expect("systemd-sysusers (Debian package systemd)");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{text}");
    let exists = Command::new("getent")
        .args(["passwd", "vigil"])
        .status()
        .is_ok_and(|s| s.success());
    if exists {
        // Installed already: nothing to create, and nothing to complain about.
        assert!(!text.to_lowercase().contains("error"), "{text}");
    } else {
        assert!(text.contains("Creating user 'vigil'"), "{text}");
    }
}
