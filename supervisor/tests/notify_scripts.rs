//! The real vrrpd's state reports reach the broker as `RunNotify`, and the supervisor
//! runs the instance's notify scripts with keepalived's arguments: the specific
//! `notify_<state>` with none, the generic `notify` with `INSTANCE name STATE prio`.

mod common;

use common::Suite;
use std::os::unix::fs::PermissionsExt;
use std::time::Duration;

#[test]
fn notify_scripts_run_with_keepalived_arguments() {
    let mut s = Suite::new("ntf", "");
    let out = s.dir.join("out");
    std::fs::create_dir_all(&out).expect("mkdir");
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o777)).expect("chmod");
    let script = s.dir.join("notify.sh");
    std::fs::write(
        &script,
        format!("#!/bin/sh\necho \"$0 $*\" >> {}/calls\n", out.display()),
    )
    .expect("script");
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let sp = script.display();
    s.write_config(&format!(
        "global_defs {{\n    script_user nobody\n    enable_script_security\n}}\n\
         vrrp_instance VI_1 {{\n    state BACKUP\n    interface eth0\n    virtual_router_id 56\n    \
         priority 90\n    advert_int 1\n    virtual_ipaddress {{\n        192.0.2.100/24\n    }}\n    \
         notify \"{sp} generic\"\n    notify_backup \"{sp} backup\"\n    notify_fault \"{sp} fault\"\n}}\n"
    ));
    s.host
        .run("ip addr add 192.0.2.1/24 dev eth0")
        .expect("address");
    s.start_ready();
    let calls = out.join("calls");
    common::wait_for("two notify calls", Duration::from_secs(10), || {
        std::fs::read_to_string(&calls).is_ok_and(|t| t.lines().count() >= 2)
    });
    let text = std::fs::read_to_string(&calls).expect("calls");
    let lines: Vec<&str> = text.lines().collect();
    // The first state vrrpd reports: BACKUP on an interface with an address (FAULT
    // without one).
    let state = if lines.iter().any(|l| l.ends_with(" fault")) {
        "FAULT"
    } else {
        "BACKUP"
    };
    let specific = format!("{sp} {}", state.to_lowercase());
    let generic = format!("{sp} generic INSTANCE VI_1 {state} 90");
    assert!(lines.contains(&specific.as_str()), "{text}");
    assert!(lines.contains(&generic.as_str()), "{text}");
    eprintln!("{text}");
}
