//! The deterministic simulator over many routers (see `vigil_vrrpd::sim`).
//!
//! The default runs are sized for a loaded 2-core machine in debug builds. Larger runs:
//! `VIGIL_SIM_ROUTERS=1000 VIGIL_SIM_STEPS=60 VIGIL_SIM_SEEDS=5 cargo test -p vigil-vrrpd
//! --release --test sim -- --ignored`.

use vigil_vrrpd::fsm::Version;
use vigil_vrrpd::sim::{run, SimConfig};
use vigil_vrrpd::time::Span;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn check(version: Version, advert_int: Span, routers: usize, steps: usize, seeds: u64) {
    let size = 5;
    for seed in 1..=seeds {
        let mut cfg = SimConfig::new(seed, version, advert_int, routers.div_ceil(size), size);
        cfg.steps = steps;
        let report = run(cfg);
        eprintln!("{version:?} {advert_int} seed {seed}: {report}");
        assert!(report.violations.is_empty(), "{report}");
        assert!(report.transitions > 0 && report.disturbances > 0);
    }
}

#[test]
fn sim_v2_advert_1s_one_master_per_vrid_within_the_bound_and_no_flapping() {
    check(Version::V2, Span::from_secs(1), 200, 12, 1);
}

#[test]
fn sim_v3_advert_100ms_one_master_per_vrid_within_the_bound_and_no_flapping() {
    check(Version::V3, Span::from_millis(100), 200, 12, 1);
}

#[test]
fn sim_v3_advert_10ms_one_master_per_vrid_within_the_bound_and_no_flapping() {
    check(Version::V3, Span::from_millis(10), 200, 12, 1);
}

#[test]
#[ignore = "large: run with --ignored (sizes from VIGIL_SIM_ROUTERS / _STEPS / _SEEDS)"]
fn sim_large() {
    let routers = env("VIGIL_SIM_ROUTERS", 1000);
    let steps = env("VIGIL_SIM_STEPS", 60);
    let seeds = env("VIGIL_SIM_SEEDS", 3) as u64;
    check(Version::V2, Span::from_secs(1), routers, steps, seeds);
    check(Version::V3, Span::from_millis(100), routers, steps, seeds);
    check(Version::V3, Span::from_millis(10), routers, steps, seeds);
}
