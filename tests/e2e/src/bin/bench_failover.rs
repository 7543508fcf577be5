//! The failover benchmark (issue 4): vigil and keepalived pairs side by side, the
//! same configuration, faults SIGKILL / SIGTERM / link-down at v2 advert_int 1 and v3
//! advert_int 0.1 and 0.03; the median of N runs per cell from packet timestamps.
//!
//!     vigil-bench-failover [RUNS] [CELLS]
//!
//! CELLS filters by substring (e.g. `v3/0.1`); the default is every cell.
//! `VIGIL_BENCH_ONLY=vigil` or `=keepalived` runs one side alone.

use std::process::ExitCode;
use vigil_e2e::failover::{self, Fault};
use vigil_e2e::timeline::median;
use vigil_e2e::{Daemon, PairConf};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let runs: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(5);
    let filter = args.get(2).cloned().unwrap_or_default();
    // One implementation alone, for looking at the harness: VIGIL_BENCH_ONLY=keepalived.
    let only = std::env::var("VIGIL_BENCH_ONLY").ok();
    let confs = [(2u8, "1"), (3, "0.1"), (3, "0.03")];
    let faults = [Fault::Kill, Fault::Term, Fault::LinkDown];
    println!(
        "{:<10} {:<10} {:>12} {:>12} {:>12} {:>12} {:>9} {:>9}",
        "cell", "fault", "bound ms", "vigil ms", "keepalived", "vigil-bound", "ratio", "fault→GARP"
    );
    let mut failed = false;
    for (version, adv) in confs {
        let conf = PairConf {
            version,
            advert_int: adv.to_string(),
            ..PairConf::default()
        };
        let cell = format!("v{version}/{adv}");
        for fault in faults {
            let label = format!("{cell} {}", fault.name());
            if !label.contains(&filter) {
                continue;
            }
            let mut results = Vec::new();
            for daemon in [Daemon::Vigil, Daemon::Keepalived] {
                if only.as_deref().is_some_and(|o| o != daemon.name()) {
                    results.push((f64::NAN, f64::NAN, 0.0));
                    continue;
                }
                let mut from_advert = Vec::new();
                let mut from_fault = Vec::new();
                let mut bound = 0.0;
                for run in 0..runs {
                    match failover::run(daemon, &conf, fault) {
                        Ok(m) => {
                            eprintln!(
                                "  {label} {} run {run}: {:.1} ms after the last advert, {:.1} ms after the fault, {:.2} ms after its own first advert",
                                daemon.name(),
                                m.from_last_advert,
                                m.fault_to_announce,
                                m.advert_to_announce.unwrap_or(f64::NAN)
                            );
                            from_advert.push(m.from_last_advert);
                            from_fault.push(m.fault_to_announce);
                            bound = m.bound;
                        }
                        Err(e) => {
                            eprintln!("  {label} {} run {run}: FAILED: {e}", daemon.name());
                            failed = true;
                        }
                    }
                }
                results.push((median(&mut from_advert), median(&mut from_fault), bound));
            }
            let (v, vf, _) = results[0];
            let (k, _, _) = results[1];
            let bound = results.iter().map(|r| r.2).fold(0.0, f64::max);
            println!(
                "{:<10} {:<10} {:>12.1} {:>12.1} {:>12.1} {:>12.1} {:>9.3} {:>9.1}",
                cell,
                fault.name(),
                bound,
                v,
                k,
                v - bound,
                v / k,
                vf
            );
        }
    }
    println!("(medians of {runs} runs; ms from the old master's last advert — its priority-0 advert for SIGTERM — to the new master's first gratuitous ARP; ratio = vigil / keepalived; fault→GARP is vigil's from the fault itself)");
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
