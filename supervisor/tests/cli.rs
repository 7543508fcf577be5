//! vigild's configuration commands through the real binary: exit codes, diagnostics,
//! `--dump-config` and `--print-config`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn vigild(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vigild"))
        .args(args)
        .output()
        .expect("run vigild")
}

struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let p = std::env::temp_dir().join(format!("vigil-cli-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).expect("mkdir");
        TempDir(p)
    }
    fn file(&self, name: &str, text: &str) -> String {
        let p = self.0.join(name);
        std::fs::write(&p, text).expect("write");
        p.display().to_string()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

const GOOD: &str = "global_defs {\n    @n1 router_id one\n    @n2 router_id two\n}\n\
vrrp_instance VI_1 {\n    state MASTER\n    interface eth0\n    virtual_router_id 7\n    priority 120\n    virtual_ipaddress {\n        192.0.2.10/24\n    }\n}\n";

#[test]
fn valid_file_exits_zero() {
    let d = TempDir::new("ok");
    let f = d.file("k.conf", GOOD);
    let out = vigild(&["-t", "-f", &f]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = vigild(&["--config-test", "--use-file", &f]);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn errors_exit_five_with_file_line_column_and_marker() {
    let d = TempDir::new("bad");
    let f = d.file(
        "k.conf",
        &GOOD.replace("virtual_router_id 7", "virtual_router_id 300"),
    );
    let out = vigild(&["-t", "-f", &f]);
    assert_eq!(out.status.code(), Some(5));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("{f}:8:23")), "{err}");
    assert!(err.contains("virtual_router_id 300"), "{err}");
    assert!(err.contains("^^^"), "{err}");
    let out = vigild(&["-t", "--short-diagnostics", "-f", &f]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("{f}:8:23: error:")), "{err}");
}

#[test]
fn missing_file_exits_four() {
    let out = vigild(&["-t", "-f", "/nonexistent/vigil/keepalived.conf"]);
    assert_eq!(out.status.code(), Some(4));
}

#[test]
fn dump_config_is_json_and_follows_config_id() {
    let d = TempDir::new("dump");
    let f = d.file("k.conf", GOOD);
    let out = vigild(&["--dump-config", "-i", "n2", "-f", &f]);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    for key in ["global", "statics", "vrrp", "lvs", "bfd_instances"] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("\"two\""), "{text}");
    assert!(!text.contains("\"one\""), "{text}");
}

#[test]
fn print_config_output_checks_clean_and_prints_the_same() {
    let d = TempDir::new("print");
    let f = d.file("k.conf", GOOD);
    let out = vigild(&["--print-config", "-i", "n1", "-f", &f]);
    assert_eq!(out.status.code(), Some(0));
    let printed = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(printed.contains("router_id one"), "{printed}");
    let g = d.file("printed.conf", &printed);
    let again = vigild(&["--print-config", "-i", "n1", "-f", &g]);
    assert_eq!(String::from_utf8_lossy(&again.stdout), printed);
    let _ = Path::new(&g);
}
