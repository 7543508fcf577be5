//! SIGHUP with a valid file: the new generation goes to both children and is in force
//! once both applied it. With an invalid file: every error is logged with file:line and
//! the old configuration keeps running.

mod common;

use common::{signal, Suite, BASIC};
use nix::sys::signal::Signal;
use std::time::Duration;

fn generation(s: &Suite) -> u64 {
    let out = s.ctl(&["status", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    v["generation"].as_u64().expect("generation")
}

#[test]
fn sighup_with_a_valid_file_applies_it_and_with_an_invalid_one_keeps_the_old() {
    let mut s = Suite::new("rhu", BASIC);
    s.start_ready();
    let (vrrp, checker) = (s.vrrp(), s.checker());
    assert_eq!(generation(&s), 1);

    s.write_config(&BASIC.replace("priority 100", "priority 110"));
    signal(s.vigild_pid(), Signal::SIGHUP);
    s.wait_log(
        "configuration generation 2 in force",
        Duration::from_secs(10),
    );
    let log = s.log();
    assert!(
        log.contains("vrrp child applied configuration generation 2"),
        "{log}"
    );
    assert!(
        log.contains("checker child applied configuration generation 2"),
        "{log}"
    );
    assert_eq!(generation(&s), 2);

    // Two errors on known lines.
    s.write_config(
        &BASIC
            .replace("virtual_router_id 51", "virtual_router_id 300")
            .replace("advert_int 1", "advert_int nonsense"),
    );
    signal(s.vigild_pid(), Signal::SIGHUP);
    s.wait_log(
        "configuration not valid; keeping generation 2",
        Duration::from_secs(10),
    );
    let log = s.log();
    let conf = s.conf.display().to_string();
    let errors: Vec<&str> = log
        .lines()
        .filter(|l| l.contains(&format!("{conf}:")) && l.contains("error"))
        .collect();
    assert!(errors.len() >= 2, "{log}");
    assert!(
        errors.iter().any(|l| l.contains(&format!("{conf}:7:"))),
        "{log}"
    );
    assert!(
        errors.iter().any(|l| l.contains(&format!("{conf}:9:"))),
        "{log}"
    );
    assert_eq!(generation(&s), 2);
    // Nothing was restarted by either reload.
    assert_eq!((s.vrrp(), s.checker()), (vrrp, checker));
    assert!(s.vigild_running());
}
