//! A second vigild with the same pid file refuses to start and says why; the first
//! keeps running.

mod common;

use common::{Suite, BASIC};
use std::process::Command;

#[test]
fn second_vigild_with_the_same_pid_file_refuses() {
    let mut s = Suite::new("pid", BASIC);
    s.start_ready();
    let first = s.vigild_pid();
    let out = s
        .host
        .wrap(
            Command::new(env!("CARGO_BIN_EXE_vigild"))
                .args(["-n", "-l", "-f"])
                .arg(&s.conf)
                .arg("-p")
                .arg(&s.pid)
                .arg("--control")
                .arg(s.dir.join("other.ctl")),
        )
        .output()
        .expect("second vigild");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!("is held by pid {first}: already running")),
        "{err}"
    );
    assert!(s.vigild_running());
    assert_eq!(
        std::fs::read_to_string(&s.pid).expect("pid file").trim(),
        first.to_string()
    );
    // It touched nothing of the first: no control socket of its own was made.
    assert!(!s.dir.join("other.ctl").exists());
}
