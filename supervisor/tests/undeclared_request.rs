//! A child that asks for an undeclared script or object: refused, logged, nothing run;
//! the child keeps running, and a request for a declared script still works.

mod common;

use common::Suite;
use std::os::unix::fs::PermissionsExt;
use std::time::Duration;

#[test]
fn undeclared_script_and_instance_are_refused_and_nothing_runs() {
    let mut s = Suite::new("und", "");
    let out = s.dir.join("out");
    std::fs::create_dir_all(&out).expect("mkdir");
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o777)).expect("chmod");
    let script = s.dir.join("mark.sh");
    std::fs::write(
        &script,
        format!("#!/bin/sh\necho ran >> {}/marks\n", out.display()),
    )
    .expect("script");
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    s.write_config(&format!(
        "global_defs {{\n    script_user nobody\n    enable_script_security\n}}\n\
         vrrp_script chk {{\n    script \"{}\"\n    interval 1\n}}\n\
         vrrp_instance VI_1 {{\n    state BACKUP\n    interface eth0\n    virtual_router_id 53\n    \
         priority 100\n    virtual_ipaddress {{\n        192.0.2.100/24\n    }}\n    \
         track_script {{\n        chk\n    }}\n}}\n",
        script.display()
    ));
    s.fake("vrrp", "undeclared");
    s.start_with(&["-D"]);
    s.wait_log("fake-vrrp", Duration::from_secs(10));
    s.wait_log("ScriptResult 0 Exited(0)", Duration::from_secs(10));
    let log = s.log();
    assert!(
        log.contains(
            "refused RunScript from the vrrp child: no vrrp_script #99 (1 declared); nothing done"
        ),
        "{log}"
    );
    assert!(
        log.contains("refused RunNotify from the vrrp child: no vrrp_instance #42 (1 declared); nothing done"),
        "{log}"
    );
    // Exactly one script ran: the declared one the child asked for afterwards.
    let started: Vec<&str> = log
        .lines()
        .filter(|l| l.contains(": started as pid"))
        .collect();
    assert_eq!(started.len(), 1, "{log}");
    assert!(started[0].contains("vrrp_script chk"), "{log}");
    assert_eq!(
        std::fs::read_to_string(out.join("marks")).expect("marks"),
        "ran\n"
    );
    // The child was not killed for asking.
    assert!(!log.contains("killing it"), "{log}");
    assert!(s.vigild_running());
}
