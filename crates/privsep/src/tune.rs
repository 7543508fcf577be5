//! Scheduling of a child process: keepalived's `vrrp_priority` / `checker_priority`
//! (nice), `*_rt_priority` (SCHED_RR, with SCHED_RESET_ON_FORK) and `*_cpu_affinity`,
//! applied by the (root) supervisor to the child's pid right after it is started, and
//! `*_rlimit_rttime`, which the child applies to itself ([`limit_own_rttime`]).
//! keepalived sets all of them in the child (core/process.c, set_process_priorities),
//! which vigil's children cannot: they give up CAP_SYS_NICE before they run any code
//! of their own. A limit is different: lowering one's own needs no privilege, while
//! prlimit(2) on another process needs CAP_SYS_RESOURCE or the same uids (the child
//! may already be its own user by then).
//!
//! keepalived's rules: with a real-time priority the nice value is not set; the
//! RLIMIT_RTTIME soft limit is half the configured one, so that the process is warned
//! (SIGXCPU, which the children catch or block) before the hard limit kills it; a
//! setting that fails is a warning, not a reason to stop.
//!
//! Unsafe code: sched_setscheduler(2) and setpriority(2) through libc, which nix does
//! not wrap for another process. Each call passes only values on its stack.
#![allow(unsafe_code)]

use nix::sched::{sched_setaffinity, CpuSet};
use nix::unistd::Pid;

/// What to apply to a child.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Tuning {
    /// Nice value (-20..=19); 0 leaves it.
    pub nice: i8,
    /// SCHED_RR priority (1..=99).
    pub rt_priority: Option<u8>,
    /// CPUs the process may run on (empty: all).
    pub cpu_affinity: Vec<u16>,
}

/// One setting that could not be applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TuneError {
    /// Which setting (keepalived's keyword stem, e.g. `rt_priority 50`).
    pub what: String,
    /// The system's reason.
    pub errno: nix::errno::Errno,
}

impl std::fmt::Display for TuneError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot set {}: {}", self.what, self.errno.desc())
    }
}

impl std::error::Error for TuneError {}

/// linux/sched.h: the child of a real-time process starts with normal scheduling.
const SCHED_RESET_ON_FORK: libc::c_int = 0x4000_0000;

/// Applies `t` to process `pid`; returns what could not be applied (the rest is).
pub fn apply(pid: u32, t: &Tuning) -> Vec<TuneError> {
    let mut failed = Vec::new();
    let Ok(raw) = libc::pid_t::try_from(pid) else {
        return failed;
    };
    match t.rt_priority {
        Some(prio) => {
            if let Err(errno) = set_rr(raw, prio) {
                failed.push(TuneError {
                    what: format!("rt_priority {prio}"),
                    errno,
                });
            }
        }
        None if t.nice != 0 => {
            if let Err(errno) = set_nice(raw, t.nice) {
                failed.push(TuneError {
                    what: format!("priority {}", t.nice),
                    errno,
                });
            }
        }
        None => {}
    }
    if !t.cpu_affinity.is_empty() {
        let mut set = CpuSet::new();
        let mut res = Ok(());
        for cpu in &t.cpu_affinity {
            res = res.and(set.set(usize::from(*cpu)));
        }
        if let Err(errno) = res.and_then(|()| sched_setaffinity(Pid::from_raw(raw), &set)) {
            let cpus: Vec<String> = t.cpu_affinity.iter().map(u16::to_string).collect();
            failed.push(TuneError {
                what: format!("cpu_affinity {}", cpus.join(" ")),
                errno,
            });
        }
    }
    failed
}

fn set_rr(pid: libc::pid_t, prio: u8) -> Result<(), nix::errno::Errno> {
    let param = libc::sched_param {
        sched_priority: libc::c_int::from(prio),
    };
    // SAFETY: `param` is a valid sched_param on our stack for the whole call; the
    // kernel only reads it.
    let rc = unsafe { libc::sched_setscheduler(pid, libc::SCHED_RR | SCHED_RESET_ON_FORK, &param) };
    nix::errno::Errno::result(rc).map(drop)
}

/// Sets this process's RLIMIT_RTTIME to `hard_us` microseconds of real-time CPU
/// without sleeping, with keepalived's soft limit of half that (SIGXCPU as a warning
/// first). Lowering a limit needs no privilege.
pub fn limit_own_rttime(hard_us: u32) -> Result<(), TuneError> {
    let hard = u64::from(hard_us);
    nix::sys::resource::setrlimit(nix::sys::resource::Resource::RLIMIT_RTTIME, hard / 2, hard)
        .map_err(|errno| TuneError {
            what: format!("rlimit_rttime {hard_us}"),
            errno,
        })
}

fn set_nice(pid: libc::pid_t, nice: i8) -> Result<(), nix::errno::Errno> {
    let who = libc::id_t::try_from(pid).map_err(|_| nix::errno::Errno::EINVAL)?;
    // SAFETY: plain integers; no memory is passed.
    let rc = unsafe { libc::setpriority(libc::PRIO_PROCESS, who, libc::c_int::from(nice)) };
    nix::errno::Errno::result(rc).map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sched_of(pid: u32) -> (i32, i32, i32) {
        // /proc/PID/stat fields after the command: nice is 19, rt_priority 40, policy 41.
        let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
        let rest = text.rsplit_once(')').unwrap().1;
        let f: Vec<&str> = rest.split_whitespace().collect();
        (
            f[16].parse().unwrap(),
            f[37].parse().unwrap(),
            f[38].parse().unwrap(),
        )
    }

    fn rttime_of(pid: u32) -> String {
        let text = std::fs::read_to_string(format!("/proc/{pid}/limits")).unwrap();
        text.lines()
            .find(|l| l.starts_with("Max realtime timeout"))
            .unwrap()
            .to_string()
    }

    /// What a `sleep` process showed after `apply`: what failed, its (nice,
    /// rt_priority, policy) and its /proc status.
    type Seen = (Vec<TuneError>, (i32, i32, i32), String);

    /// Applies `t` to a `sleep` process (root only: None otherwise).
    fn on_sleeper(t: &Tuning) -> Option<Seen> {
        if !nix::unistd::Uid::effective().is_root() {
            eprintln!("skipped: needs root");
            return None;
        }
        let mut child = std::process::Command::new("sleep")
            .arg("5")
            .spawn()
            .unwrap();
        let pid = child.id();
        let failed = apply(pid, t);
        let sched = sched_of(pid);
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
        child.kill().unwrap();
        child.wait().unwrap();
        Some((failed, sched, status))
    }

    #[test]
    fn keepalived_rlimit_rttime_soft_limit_is_half() {
        // Lowering the test process's own limit is harmless: it never runs real-time.
        limit_own_rttime(1_000_000).unwrap();
        let me = std::process::id();
        let nums: Vec<String> = rttime_of(me)
            .split_whitespace()
            .map(str::to_string)
            .collect();
        assert_eq!(&nums[3..5], &["500000", "1000000"]);
    }

    #[test]
    fn keepalived_rt_priority_is_sched_rr_without_nice() {
        let t = Tuning {
            nice: -5,
            rt_priority: Some(20),
            cpu_affinity: vec![0],
        };
        let Some((failed, (nice, rt, policy), affinity)) = on_sleeper(&t) else {
            return;
        };
        assert_eq!(failed, vec![]);
        assert_eq!((rt, policy), (20, libc::SCHED_RR));
        // keepalived: no nice value with a real-time priority.
        assert_eq!(nice, 0);
        assert!(affinity.contains("Cpus_allowed_list:\t0\n"), "{affinity}");
    }

    #[test]
    fn nice_without_rt_priority() {
        let t = Tuning {
            nice: -7,
            ..Tuning::default()
        };
        let Some((failed, (nice, rt, policy), _)) = on_sleeper(&t) else {
            return;
        };
        assert_eq!(failed, vec![]);
        assert_eq!((nice, rt, policy), (-7, 0, libc::SCHED_OTHER));
    }

    #[test]
    fn a_setting_that_fails_is_named() {
        // CPU 1023 does not exist here: the affinity is refused, and said so.
        let mut child = std::process::Command::new("sleep")
            .arg("5")
            .spawn()
            .unwrap();
        let failed = apply(
            child.id(),
            &Tuning {
                cpu_affinity: vec![1023],
                ..Tuning::default()
            },
        );
        child.kill().unwrap();
        child.wait().unwrap();
        assert_eq!(failed.len(), 1);
        assert!(failed[0]
            .to_string()
            .starts_with("cannot set cpu_affinity 1023"));
    }
}
