//! The broker for the checker: IPVS changes are validated and recorded (the kernel
//! table is not programmed yet) and shown by `vigilctl status`; a raw ICMP socket is
//! passed for a PING_CHECK and refused for another kind; a MISC_CHECK runs and its
//! result goes back.

mod common;

use common::Suite;
use std::time::Duration;

const CONF: &str = "global_defs {\n    script_user nobody\n    enable_script_security\n}\n\
virtual_server 192.0.2.50 80 {\n    delay_loop 5\n    lb_algo rr\n    lb_kind NAT\n    protocol TCP\n    \
real_server 198.51.100.10 80 {\n        weight 5\n        MISC_CHECK {\n            misc_path \"/bin/true\"\n        }\n        \
PING_CHECK {\n        }\n    }\n}\n";

#[test]
fn checker_requests_are_brokered() {
    let mut s = Suite::new("brk", CONF);
    s.fake("checker", "broker");
    s.start_with(&["-C"]);
    s.wait_log("got MiscCheckResult", Duration::from_secs(10));
    s.wait_log("Socket 1 with 1 fd(s)", Duration::from_secs(5));
    let log = s.log();
    assert!(
        log.contains("Socket 1 with 1 fd(s), type Some(Ok(Raw))"),
        "{log}"
    );
    assert!(
        log.contains("refused SocketRequest from the checker child: checker #0 of real server #0 of virtual server #0 is a MISC_CHECK, not a PING_CHECK"),
        "{log}"
    );
    assert!(
        log.contains("refused SetRealServer from the checker child: no real_server of virtual server #0 #9 (1 declared)"),
        "{log}"
    );
    assert!(
        log.contains("refused SetRealServer from the checker child: weight"),
        "{log}"
    );
    assert!(
        log.contains("the kernel table is not programmed yet"),
        "{log}"
    );
    assert!(
        log.contains("got MiscCheckResult { target: CheckerRef { server: RealServerRef { vs: 0, rs: 0 }, checker: 0 }, outcome: Exited(0) }"),
        "{log}"
    );
    assert!(!log.contains("killing it"), "{log}");
    // -C: the checker alone.
    assert!(!log.contains("vrrp child started"), "{log}");

    let out = s.ctl(&["status"]);
    let t = String::from_utf8_lossy(&out.stdout);
    assert!(
        t.contains("desired IPVS state (kernel table not programmed yet)"),
        "{t}"
    );
    assert!(t.contains("192.0.2.50:80: present"), "{t}");
    assert!(
        t.contains("192.0.2.50:80 -> 198.51.100.10:80: weight 5"),
        "{t}"
    );
    assert!(t.contains("REAL SERVER"), "{t}");
    let v: serde_json::Value =
        serde_json::from_slice(&s.ctl(&["status", "--json"]).stdout).expect("json");
    assert_eq!(v["real_servers"][0]["healthy"], true);
    assert_eq!(v["ipvs"]["kernel_not_programmed"], true);
    assert_eq!(v["processes"][1]["state"], "disabled");
}
