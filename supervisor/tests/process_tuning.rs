//! keepalived's process tuning (`vrrp_rt_priority`, `vrrp_rlimit_rttime`,
//! `checker_priority`, `*_cpu_affinity`) reaches the children: vigild applies it to
//! their pids, as root, right after starting them (keepalived core/process.c
//! set_process_priorities: SCHED_RR with SCHED_RESET_ON_FORK, RLIMIT_RTTIME soft limit
//! half the hard one, no nice value with a real-time priority).

mod common;

use common::Suite;

/// (nice, rt_priority, policy) from /proc/PID/stat (fields 19, 40 and 41).
fn sched_of(pid: u32) -> (i32, i32, i32) {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("stat");
    let rest = text.rsplit_once(')').expect("comm").1;
    let f: Vec<&str> = rest.split_whitespace().collect();
    (
        f[16].parse().expect("nice"),
        f[37].parse().expect("rt_priority"),
        f[38].parse().expect("policy"),
    )
}

fn limits_line(pid: u32, name: &str) -> Vec<String> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/limits")).expect("limits");
    text.lines()
        .find(|l| l.starts_with(name))
        .unwrap_or_else(|| panic!("no {name} in /proc/{pid}/limits"))
        .split_whitespace()
        .map(str::to_string)
        .collect()
}

const TUNED: &str = "global_defs {\n    router_id test\n    vrrp_rt_priority 30\n    \
vrrp_rlimit_rttime 40000\n    vrrp_priority -10\n    checker_priority -4\n    \
checker_cpu_affinity 0\n}\n\
vrrp_instance VI_1 {\n    state BACKUP\n    interface eth0\n    virtual_router_id 51\n    \
priority 100\n    advert_int 1\n    virtual_ipaddress {\n        192.0.2.100/24\n    }\n}\n";

#[test]
fn keepalived_process_tuning_is_applied_to_each_child_and_again_after_a_restart() {
    let mut s = Suite::new("tun", TUNED);
    s.start_ready();
    let vrrp = s.vrrp().expect("vrrp pid");
    let checker = s.checker().expect("checker pid");
    // vrrpd: SCHED_RR 30; the nice value is not set with a real-time priority.
    assert_eq!(sched_of(vrrp), (0, 30, 2), "vrrpd (nice, rt, policy)");
    let rt = limits_line(vrrp, "Max realtime timeout");
    assert_eq!(&rt[3..5], &["20000", "40000"], "{rt:?}");
    // checkerd: nice -4, normal scheduling, CPU 0 only.
    assert_eq!(sched_of(checker), (-4, 0, 0), "checkerd (nice, rt, policy)");
    let status = std::fs::read_to_string(format!("/proc/{checker}/status")).expect("status");
    assert!(status.contains("Cpus_allowed_list:\t0\n"), "{status}");
    // The tuning holds for a restarted child too (the checker has no rt_priority:
    // its real-time limit is left alone).
    assert_eq!(limits_line(checker, "Max realtime timeout")[3], "unlimited");
    let out = s.ctl(&["restart", "checker"]);
    assert!(out.status.success(), "{out:?}");
    common::wait_for("a new checker", std::time::Duration::from_secs(5), || {
        s.checker().is_some_and(|p| p != checker)
    });
    let again = s.checker().expect("checker pid");
    assert_eq!(sched_of(again).0, -4);
    assert!(!s.log().contains("cannot set"), "{}", s.log());
}
