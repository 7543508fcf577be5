//! Golden-file conformance scenarios for the VRRP state machine (holo style).
//!
//! Each folder under `tests/conformance/` is one scenario:
//! - `config.json`: the instance's [`Config`] (missing fields take the defaults);
//! - `events.jsonl`: one input per line, `{"at": MICROS, "event": EVENT}`, or just
//!   `{"at": MICROS}` to let time pass; timers that fall due before an input fire first,
//!   in deadline order, exactly as a driver would fire them;
//! - `expected.jsonl`: one line per handled event (input or timer) with the time, the
//!   event, the state after it, the actions and keepalived's log lines.
//!
//! `VIGIL_BLESS=1 cargo test -p vigil-vrrpd --test conformance` rewrites the golden
//! files; review the diff before committing it.

#![allow(clippy::unwrap_used)] // tests may unwrap (STYLE)

use serde::{Deserialize, Serialize};
use std::fs;
use std::path::{Path, PathBuf};
use vigil_vrrpd::fsm::{Action, Config, Event, Instance, State};
use vigil_vrrpd::time::Time;

#[derive(Deserialize)]
struct Input {
    at: Time,
    #[serde(default)]
    event: Option<Event>,
}

#[derive(Serialize)]
struct Output<'a> {
    at: Time,
    event: &'a Event,
    state: State,
    actions: &'a [Action],
    log: Vec<String>,
}

fn scenarios() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance");
    let mut dirs: Vec<PathBuf> = fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

fn step(inst: &mut Instance, at: Time, event: Event, out: &mut String) {
    let actions = inst.handle(at, event.clone());
    let name = inst.config().name.clone();
    let line = Output {
        at,
        event: &event,
        state: inst.state(),
        log: actions.iter().filter_map(|a| a.log_line(&name)).collect(),
        actions: &actions,
    };
    out.push_str(&serde_json::to_string(&line).unwrap());
    out.push('\n');
}

/// Runs one scenario and returns the produced golden text.
fn run(dir: &Path) -> String {
    let config: Config =
        serde_json::from_str(&fs::read_to_string(dir.join("config.json")).unwrap())
            .unwrap_or_else(|e| panic!("{}: config.json: {e}", dir.display()));
    let mut inst = Instance::new(config);
    let mut out = String::new();
    let events = fs::read_to_string(dir.join("events.jsonl")).unwrap();
    for (n, line) in events.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with("//") {
            continue;
        }
        let input: Input = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("{}: events.jsonl line {}: {e}", dir.display(), n + 1));
        while let Some((timer, at)) = inst.next_timer().filter(|&(_, at)| at <= input.at) {
            step(&mut inst, at, Event::TimerFired(timer), &mut out);
        }
        if let Some(event) = input.event {
            step(&mut inst, input.at, event, &mut out);
        }
    }
    out
}

#[test]
fn conformance_scenarios_match_their_golden_files() {
    let bless = std::env::var_os("VIGIL_BLESS").is_some_and(|v| v == "1");
    let dirs = scenarios();
    assert!(
        dirs.len() >= 8,
        "expected at least 8 scenarios, found {}",
        dirs.len()
    );
    let mut failures = Vec::new();
    for dir in &dirs {
        let got = run(dir);
        let path = dir.join("expected.jsonl");
        if bless {
            fs::write(&path, &got).unwrap();
            continue;
        }
        let want = fs::read_to_string(&path).unwrap_or_default();
        if got != want {
            let first = got
                .lines()
                .zip(want.lines())
                .position(|(a, b)| a != b)
                .unwrap_or(got.lines().count().min(want.lines().count()));
            failures.push(format!(
                "{}: differs at line {}\n  got:  {}\n  want: {}",
                dir.display(),
                first + 1,
                got.lines().nth(first).unwrap_or("<end>"),
                want.lines().nth(first).unwrap_or("<end>")
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{}\n(VIGIL_BLESS=1 regenerates the golden files)",
        failures.join("\n")
    );
}

/// The runner itself must not bless silently: a scenario without a golden file fails.
#[test]
fn every_scenario_has_its_three_files() {
    for dir in scenarios() {
        for f in ["config.json", "events.jsonl", "expected.jsonl"] {
            assert!(dir.join(f).is_file(), "{} lacks {f}", dir.display());
        }
    }
}
