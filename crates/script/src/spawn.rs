//! Starting the script process: the only module with `unsafe`.
//!
//! std's `Command` does the fork, exec, pipes, clean environment and process group, but
//! it cannot set the supplementary groups to exactly the script's group before `setuid`
//! (keepalived `set_script_env()`: `setgroups(1, &gid)`) nor set the parent-death signal
//! (keepalived: `prctl(PR_SET_PDEATHSIG, SIGTERM)`, so scripts die with the supervisor).
//! Both need a pre-exec hook, which is `unsafe` because it runs in the forked child.
#![allow(unsafe_code)]

use nix::sys::signal::Signal;
use nix::unistd::{Gid, Uid};
use std::ffi::{OsStr, OsString};
use std::io;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};

/// What to start.
pub(crate) struct Spec<'a> {
    /// The file to execute.
    pub exec: &'a OsStr,
    /// argv, argv[0] first; never empty.
    pub argv: &'a [OsString],
    /// The whole environment.
    pub env: &'a [(&'a str, &'a str)],
    /// uid and gid to switch to; `None` keeps ours (when we are not root and the
    /// script's user is ours).
    pub ids: Option<(u32, u32)>,
}

/// Forks and execs: stdin /dev/null, stdout and stderr piped, cwd `/`, own process group.
pub(crate) fn spawn(spec: &Spec<'_>) -> io::Result<Child> {
    let (arg0, rest) = spec
        .argv
        .split_first()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "empty argv"))?;
    let mut cmd = Command::new(spec.exec);
    cmd.arg0(arg0)
        .args(rest)
        .env_clear()
        .envs(spec.env.iter().copied())
        .current_dir("/")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    let parent = nix::unistd::getpid();
    let ids = spec.ids.map(|(u, g)| (Uid::from_raw(u), Gid::from_raw(g)));
    // SAFETY: the hook runs in the child between fork and exec. It only makes
    // async-signal-safe system calls (setgroups, setgid, setuid, prctl, getppid) through
    // nix wrappers that do not allocate, and touches no lock or shared state.
    unsafe {
        cmd.pre_exec(move || {
            if let Some((uid, gid)) = ids {
                nix::unistd::setgroups(&[gid])?;
                nix::unistd::setgid(gid)?;
                nix::unistd::setuid(uid)?;
            }
            nix::sys::prctl::set_pdeathsig(Signal::SIGTERM)?;
            // The supervisor may have died before the death signal was armed.
            if nix::unistd::getppid() != parent {
                return Err(nix::errno::Errno::ESRCH.into());
            }
            Ok(())
        });
    }
    cmd.spawn()
}
