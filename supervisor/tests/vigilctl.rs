//! vigilctl: `status` (table and JSON), `restart checker` (VRRP untouched),
//! `restart vrrp`, `stop`, and a clear error when vigild is not running.

mod common;

use common::{alive, Suite, BASIC};
use std::time::Duration;

fn json(s: &Suite) -> serde_json::Value {
    let out = s.ctl(&["status", "--json"]);
    assert!(out.status.success(), "{out:?}");
    serde_json::from_slice(&out.stdout).expect("json")
}

#[test]
fn status_restart_and_stop() {
    let mut s = Suite::new("ctl", BASIC);
    s.start_ready();
    let vrrp = s.vrrp().expect("vrrp");
    let checker = s.checker().expect("checker");

    // The control socket is root's alone.
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let meta = std::fs::metadata(&s.ctl).expect("socket");
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    assert_eq!(meta.uid(), 0);

    let out = s.ctl(&["status"]);
    let table = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "{out:?}");
    for want in [
        "PROCESS",
        "vigild",
        "vrrp",
        "checker",
        "running generation 1",
    ] {
        assert!(table.contains(want), "{want} missing:\n{table}");
    }
    assert!(table.contains(&vrrp.to_string()), "{table}");
    let v = json(&s);
    assert_eq!(v["processes"][1]["pid"], vrrp);
    assert_eq!(v["processes"][2]["pid"], checker);

    let out = s.ctl(&["restart", "checker"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "restarting the checker child"
    );
    common::wait_for("a new checker", Duration::from_secs(3), || {
        s.checker().is_some_and(|p| p != checker && alive(p))
    });
    s.wait_log(
        "checker child: restarting as asked (restart #1)",
        Duration::from_secs(3),
    );
    assert_eq!(s.vrrp(), Some(vrrp), "restarting the checker touched vrrpd");
    common::wait_for("checker running again", Duration::from_secs(5), || {
        json(&s)["processes"][2]["state"] == "running generation 1"
    });
    assert_eq!(json(&s)["processes"][2]["restarts"], 1);
    // It was asked to stop (no VIP cleanup: it is the checker; no backoff delay).
    assert!(
        !s.log().contains("checker child: restarting in"),
        "{}",
        s.log()
    );

    let checker = s.checker();
    let out = s.ctl(&["restart", "vrrp"]);
    assert!(out.status.success());
    common::wait_for("a new vrrpd", Duration::from_secs(3), || {
        s.vrrp().is_some_and(|p| p != vrrp && alive(p))
    });
    assert_eq!(s.checker(), checker);
    // A clean stop asked by us: vrrpd removed its own addresses; no cleanup needed.
    assert!(!s.log().contains("vrrp child died: removed"), "{}", s.log());

    let out = s.ctl(&["stop"]);
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "stopping");
    assert_eq!(s.wait_exit(Duration::from_secs(2)), Some(0));

    let out = s.ctl(&["status"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot reach vigild at"), "{err}");
    assert!(err.contains("is vigild running?"), "{err}");
}
