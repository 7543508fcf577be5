//! `vigilctl reload` with a valid file, an invalid one (the errors printed with
//! file:line), and one a child refuses (the old configuration stays in force).

mod common;

use common::{Suite, BASIC};
use std::time::Duration;

fn text(o: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn reload_reports_applied_or_why_not() {
    let mut s = Suite::new("rct", BASIC);
    s.start_ready();

    s.write_config(&BASIC.replace("priority 100", "priority 120"));
    let out = s.ctl(&["reload"]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        text(&out).trim(),
        "configuration applied: generation 2 in force"
    );

    s.write_config(&BASIC.replace("virtual_router_id 51", "virtual_router_id 300"));
    let out = s.ctl(&["reload"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let t = text(&out);
    assert!(
        t.contains("configuration NOT applied: generation 2 stays in force"),
        "{t}"
    );
    assert!(
        t.contains(&format!("{}:7:", s.conf.display())),
        "no file:line in {t}"
    );
    assert!(t.contains("error"), "{t}");
}

#[test]
fn a_reload_a_child_rejects_is_not_committed() {
    let mut s = Suite::new("rcr", BASIC);
    s.fake("checker", "reject");
    s.start_ready();
    s.write_config(&BASIC.replace("priority 100", "priority 120"));
    let out = s.ctl(&["reload"]);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(
        t.contains("configuration NOT applied: generation 1 stays in force"),
        "{t}"
    );
    assert!(t.contains("checker: fake refuses reloads"), "{t}");
    // vrrpd had applied generation 2: it is sent the one in force again.
    s.wait_log(
        "vrrp child applied configuration generation 1",
        Duration::from_secs(5),
    );
    let st = s.ctl(&["status", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&st.stdout).expect("json");
    assert_eq!(v["generation"], 1);
}
