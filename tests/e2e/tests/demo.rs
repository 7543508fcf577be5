//! The demo binary (the README's first command), run as a user runs it: its verdict
//! passes, the power loss really cuts the client off for about Master_Down_Interval
//! (RFC 5798 §6.1), and it leaves no namespace, directory or process behind, whether it
//! ends or is interrupted with Ctrl-C. Needs root.
#![allow(clippy::unwrap_used)]

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use std::io::{BufRead, BufReader, Read};
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use vigil_e2e::{serial, PairConf};

const DEMO: &str = env!("CARGO_BIN_EXE_vigil-demo");

/// The namespaces of the demo run by process `pid` that still exist.
fn namespaces_of(pid: u32) -> Vec<String> {
    let out = Command::new("ip").args(["netns", "list"]).output().unwrap();
    let prefix = format!("vgdemo{pid}x");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|n| n.starts_with(&prefix))
        .map(str::to_string)
        .collect()
}

/// The pids of the vigil processes the demo listed for lb1.
fn listed_pids(stdout: &str) -> Vec<i32> {
    stdout
        .lines()
        .filter_map(|l| l.trim().strip_prefix("pid "))
        .filter_map(|l| l.split_whitespace().next()?.parse().ok())
        .collect()
}

fn assert_nothing_left(pid: u32, stdout: &str) {
    assert_eq!(namespaces_of(pid), Vec::<String>::new(), "{stdout}");
    let dir = std::env::temp_dir().join(format!("vgdemo{pid}x0.lab"));
    assert!(!dir.exists(), "{} is left", dir.display());
    let pids = listed_pids(stdout);
    assert!(!pids.is_empty(), "no process listed:\n{stdout}");
    // A killed process may linger for a moment as a zombie until its new parent reaps
    // it; one still running after a second is left behind.
    for p in pids {
        let alive = || {
            let stat = std::fs::read_to_string(format!("/proc/{p}/stat")).unwrap_or_default();
            let state = stat.rsplit_once(") ").map(|(_, r)| &r[..1]).unwrap_or("");
            let comm = std::fs::read_to_string(format!("/proc/{p}/comm")).unwrap_or_default();
            (comm.starts_with("vigil") && state != "Z").then(|| format!("{} {state}", comm.trim()))
        };
        let start = Instant::now();
        while alive().is_some() && start.elapsed() < Duration::from_secs(1) {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert_eq!(alive(), None, "pid {p} is left");
    }
}

/// The number after `key` in `text` (`key` then a number, up to a space).
fn number_after(text: &str, key: &str) -> f64 {
    let rest = &text[text.find(key).unwrap_or_else(|| panic!("{key}: {text}")) + key.len()..];
    rest.split_whitespace().next().unwrap().parse().unwrap()
}

#[test]
fn demo_verdict_shows_the_client_cut_off_and_back_and_leaves_nothing() {
    let _g = serial();
    let out = Command::new(DEMO)
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = out.id();
    let out = out.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    eprintln!("{stdout}");
    assert!(out.status.success(), "{stderr}");
    let verdict = stdout.lines().last().unwrap();
    assert!(verdict.starts_with("verdict: OK | "), "{verdict}");
    // The power loss cut the client off: pings were lost, and it heard nothing for at
    // least Master_Down_Interval minus one advert interval (the master's last reply is
    // at most one interval before its last advert's successor was due).
    let power = verdict.split(" | ").nth(1).unwrap();
    assert!(power.starts_with("power loss of lb1: "), "{power}");
    let lost = number_after(power, "power loss of lb1: ");
    let gap = number_after(power, "lost, ");
    let conf = PairConf {
        advert_int: "0.1".into(),
        ..PairConf::default()
    };
    // Less 20 ms: about two ping intervals of slack on either end of the gap.
    let floor = (conf.master_down_interval(100) - conf.advert_secs()) * 1000.0 - 20.0;
    assert!(lost >= 1.0, "{power}");
    assert!(gap >= floor, "{gap} ms < {floor} ms: {power}");
    // The client's requests in the power loss: answered by lb1, then by nobody, then
    // by lb2.
    let step2 = &stdout[stdout.find("== 2.").unwrap()..stdout.find("== 3.").unwrap()];
    let fates: Vec<&str> = step2
        .lines()
        .filter(|l| l.trim_start().starts_with("seq "))
        .map(|l| match l.split_once("answered by ") {
            Some((_, by)) => by.split_whitespace().next().unwrap(),
            None if l.ends_with("lost (no reply)") => "lost",
            None => panic!("{l}"),
        })
        .collect();
    assert_eq!(fates, ["lb1", "lost", "lb2"], "{step2}");
    assert_nothing_left(pid, &stdout);
}

#[test]
fn demo_interrupted_by_ctrl_c_removes_its_lab() {
    let _g = serial();
    // In its own process group, signalled as a terminal's Ctrl-C signals: every
    // process of the group (the demo, its vigild nodes, the client's ping) gets SIGINT.
    let mut child = Command::new(DEMO)
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .stdout(Stdio::piped())
        .process_group(0)
        .spawn()
        .unwrap();
    let pid = child.id();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut stdout = String::new();
    // Interrupted while the master is being failed and the client pings.
    while !stdout.contains("== 2.") {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap() == 0 {
            panic!("the demo ended early:\n{stdout}");
        }
        stdout.push_str(&line);
    }
    assert!(!namespaces_of(pid).is_empty(), "no lab to interrupt");
    std::thread::sleep(Duration::from_millis(200));
    kill(Pid::from_raw(-i32::try_from(pid).unwrap()), Signal::SIGINT).unwrap();
    let start = Instant::now();
    reader.read_to_string(&mut stdout).unwrap();
    let status = child.wait().unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    eprintln!(
        "{stdout}{stderr}\nexited {status} {:.0} ms after SIGINT",
        start.elapsed().as_secs_f64() * 1000.0
    );
    assert!(start.elapsed() < Duration::from_secs(10));
    assert!(!status.success(), "{status}");
    assert!(!stdout.contains("verdict:"), "{stdout}");
    assert_nothing_left(pid, &stdout);
}
