//! vigild killed with SIGKILL: both children notice (PR_SET_PDEATHSIG) and are gone
//! within 1 s.

mod common;

use common::{alive, kill9, Suite, BASIC};
use std::time::{Duration, Instant};

#[test]
fn children_die_with_the_supervisor() {
    let mut s = Suite::new("kil", BASIC);
    s.start_ready();
    let vrrp = s.vrrp().expect("vrrp");
    let checker = s.checker().expect("checker");
    let t = Instant::now();
    kill9(s.vigild_pid());
    s.wait_exit(Duration::from_secs(1));
    common::wait_for("both children gone", Duration::from_secs(1), || {
        !alive(vrrp) && !alive(checker)
    });
    eprintln!(
        "children gone {} ms after SIGKILL of vigild",
        t.elapsed().as_millis()
    );
}

#[test]
fn a_running_script_dies_with_the_supervisor_too() {
    let mut s = Suite::new("kis", "");
    s.write_config(
        "global_defs {\n    script_user nobody\n    enable_script_security\n}\n\
         vrrp_script chk {\n    script \"/bin/sleep 41\"\n    interval 60\n    timeout 50\n}\n\
         vrrp_instance VI_1 {\n    state BACKUP\n    interface eth0\n    virtual_router_id 55\n    \
         priority 100\n    virtual_ipaddress {\n        192.0.2.100/24\n    }\n    \
         track_script {\n        chk\n    }\n}\n",
    );
    s.fake("vrrp", "run-script");
    s.start_with(&["-D"]);
    s.wait_log("vrrp_script chk: started as pid", Duration::from_secs(10));
    let t = Instant::now();
    kill9(s.vigild_pid());
    s.wait_exit(Duration::from_secs(1));
    common::wait_for("the script gone", Duration::from_secs(1), || {
        let out = std::process::Command::new("pgrep")
            .args(["-f", "^/bin/sleep 41$"])
            .output()
            .expect("pgrep");
        out.stdout.is_empty()
    });
    assert!(t.elapsed() < Duration::from_secs(1));
}
