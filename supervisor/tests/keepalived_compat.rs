//! `vigild -t` beside the real `keepalived -t` on the whole corpus and on the samples of
//! Debian's keepalived package: both must accept and reject the same files, except the
//! deliberate differences listed in `tests/corpus/keepalived-differences.txt`.
//!
//! Runs as root (a network namespace holds the interfaces the files name). Without
//! keepalived installed the test fails, unless VIGIL_SKIP_KEEPALIVED=1 says to skip it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

const SAMPLES: &str = "/usr/share/doc/keepalived/samples";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn conf_files(dir: &Path, only_conf: bool) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_file())
                .filter(|p| {
                    let name = p.file_name().map(|n| n.to_string_lossy().into_owned());
                    let name = name.unwrap_or_default();
                    if only_conf {
                        name.ends_with(".conf")
                    } else {
                        name.starts_with("keepalived.conf")
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// Interface names a file mentions, so the namespace can have them all.
fn interface_names(text: &str, into: &mut BTreeSet<String>) {
    let keys = [
        "interface",
        "dev",
        "bind_if",
        "lvs_sync_daemon_interface",
        "mcast_interface",
    ];
    for line in text.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        for w in words.windows(2) {
            if keys.contains(&w[0]) {
                into.insert(w[1].trim_matches('"').to_string());
            }
        }
        // Lines inside track_interface blocks are bare names; take short word lines.
        if words.len() <= 3
            && words
                .first()
                .is_some_and(|w| w.starts_with("eth") || w.starts_with("bond"))
        {
            into.insert(words[0].to_string());
        }
    }
}

struct Netns(String);

impl Netns {
    fn new(ifaces: &BTreeSet<String>) -> Netns {
        let name = format!("vigil-compat-{}", std::process::id());
        let ok = Command::new("ip").args(["netns", "add", &name]).status();
        assert!(
            ok.is_ok_and(|s| s.success()),
            "cannot create a network namespace (root needed)"
        );
        let ns = Netns(name);
        for (i, ifname) in ifaces.iter().enumerate() {
            if ifname.len() > 15 || ifname == "lo" {
                continue;
            }
            let peer = format!("vcp{i}");
            let _ = Command::new("ip")
                .args([
                    "-n", &ns.0, "link", "add", ifname, "type", "veth", "peer", "name", &peer,
                ])
                .status();
            let _ = Command::new("ip")
                .args(["-n", &ns.0, "link", "set", ifname, "up"])
                .status();
        }
        ns
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        let _ = Command::new("ip").args(["netns", "del", &self.0]).status();
    }
}

fn config_id(path: &Path) -> String {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|t| {
            t.lines()
                .next()
                .and_then(|l| l.strip_prefix("# config-id:"))
                .map(|s| s.trim().to_string())
        })
        .unwrap_or_else(|| "vigil-corpus".into())
}

/// (accepted, first lines of output) for one tool on one file.
fn verdict(ns: &Netns, program: &str, path: &Path) -> (bool, String) {
    let dir = path.parent().unwrap_or(Path::new("/"));
    // A private tmpfs on /run: `keepalived -t` is not free of side effects (it writes
    // config_save_dir copies, for one). It hangs on some files: a time limit, as a
    // rejection.
    let out = Command::new("ip")
        .args([
            "netns",
            "exec",
            &ns.0,
            "unshare",
            "--mount",
            "--propagation",
            "private",
        ])
        .args([
            "/bin/sh",
            "-c",
            "mount -t tmpfs vigil-compat-run /run && mkdir -p /run/vigil-test && exec \"$@\"",
            "sh",
            "timeout",
            "-s",
            "KILL",
            "30",
            program,
            "-t",
            "-f",
        ])
        .arg(path)
        .args(["-i", &config_id(path)])
        .current_dir(dir)
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run ip netns exec");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let head: String = text.lines().take(6).collect::<Vec<_>>().join("\n");
    (out.status.success(), head)
}

#[test]
fn vigil_and_keepalived_accept_and_reject_the_same_files() {
    if Command::new("keepalived")
        .arg("--version")
        .output()
        .is_err()
    {
        if std::env::var_os("VIGIL_SKIP_KEEPALIVED").is_some() {
            eprintln!("keepalived not installed; skipped as VIGIL_SKIP_KEEPALIVED asks");
            return;
        }
        panic!("keepalived is not installed (scripts/deps.sh installs it)");
    }
    let root = repo();
    let mut files = conf_files(&root.join("tests/corpus/valid"), true);
    files.extend(conf_files(&root.join("tests/corpus/broken"), true));
    files.extend(conf_files(Path::new(SAMPLES), false));
    assert!(files.len() > 70, "corpus too small: {}", files.len());

    let mut ifaces = BTreeSet::new();
    for f in &files {
        interface_names(&std::fs::read_to_string(f).unwrap_or_default(), &mut ifaces);
    }
    let ns = Netns::new(&ifaces);
    let vigild = env!("CARGO_BIN_EXE_vigild");

    let listed: BTreeMap<String, String> =
        std::fs::read_to_string(root.join("tests/corpus/keepalived-differences.txt"))
            .unwrap_or_default()
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .filter_map(|l| l.split_once('\t'))
            .map(|(f, why)| (f.trim().to_string(), why.trim().to_string()))
            .collect();

    let mut problems = Vec::new();
    let mut differences = Vec::new();
    for f in &files {
        let key = f
            .strip_prefix(&root)
            .map(|p| p.display().to_string())
            .unwrap_or_else(|_| f.display().to_string());
        let key = key
            .trim_start_matches("../")
            .trim_start_matches('/')
            .to_string();
        let (k_ok, k_out) = verdict(&ns, "keepalived", f);
        let (v_ok, v_out) = verdict(&ns, vigild, f);
        let differs = k_ok != v_ok;
        match (differs, listed.get(&key)) {
            (false, None) => {}
            (true, Some(why)) => differences.push(format!("{key}: keepalived {} / vigil {}: {why}",
                if k_ok { "accepts" } else { "rejects" }, if v_ok { "accepts" } else { "rejects" })),
            (true, None) => problems.push(format!(
                "{key}: keepalived {} but vigil {} (not a listed difference)\n  keepalived: {}\n  vigil: {}",
                if k_ok { "accepts" } else { "rejects" },
                if v_ok { "accepts" } else { "rejects" },
                k_out.replace('\n', "\n    "),
                v_out.replace('\n', "\n    ")
            )),
            (false, Some(_)) => problems.push(format!(
                "{key}: listed as a difference, but both {}",
                if k_ok { "accept" } else { "reject" }
            )),
        }
    }
    eprintln!(
        "{} files compared; deliberate differences:\n  {}",
        files.len(),
        differences.join("\n  ")
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
