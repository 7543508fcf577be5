//! vigil-privsep-probe: drops to a role and answers questions about what it can
//! still do, so that the privilege drop can be checked for real (the crate's
//! integration tests drive it; it is also handy on a new host).
//!
//! Usage:
//!   vigil-privsep-probe drop ROLE USER|- [PARENT_PID]   drop, print "dropped PID", then
//!       answer stdin lines "open PATH" and "raw" with "... ok" or "... error ERRNO"
//!   vigil-privsep-probe parent ROLE USER|-   start a `drop` child that watches this
//!       process, print "child PID", wait for it
//!   vigil-privsep-probe daemon PIDFILE   take PIDFILE, daemonise, wait for SIGTERM
//!
//! Exit status: 0 done, 2 usage, 3 drop failed, 4 parent gone, 5 pid file, 6 other.

use nix::sys::signal::{SigSet, Signal};
use nix::sys::socket::{socket, AddressFamily, SockFlag, SockProtocol, SockType};
use nix::unistd::{getpid, Pid};
use std::io::{self, BufRead, Write};
use std::process::{exit, Command};
use vigil_privsep::{daemonize, drop_privileges, user, DropError, DropPlan, PidFile, Role};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["drop", role, name] => drop_and_answer(role, name, None),
        ["drop", role, name, parent] => match parent.parse::<i32>() {
            Ok(p) => drop_and_answer(role, name, Some(Pid::from_raw(p))),
            Err(_) => usage(),
        },
        ["parent", role, name] => parent(role, name),
        ["daemon", path] => daemon(path),
        _ => usage(),
    }
}

fn usage() -> ! {
    eprintln!("usage: vigil-privsep-probe drop ROLE USER|- [PARENT_PID] | parent ROLE USER|- | daemon PIDFILE");
    exit(2)
}

fn fail(code: i32, what: &dyn std::fmt::Display) -> ! {
    eprintln!("vigil-privsep-probe: {what}");
    exit(code)
}

fn drop_and_answer(role: &str, name: &str, parent: Option<Pid>) {
    let Some(role) = Role::from_name(role) else {
        usage()
    };
    let account =
        user::resolve_configured((name != "-").then_some(name)).unwrap_or_else(|e| fail(3, &e));
    let plan = DropPlan {
        account,
        role,
        parent,
    };
    match drop_privileges(&plan) {
        Ok(()) => {}
        Err(e @ DropError::ParentGone { .. }) => fail(4, &e),
        Err(e) => fail(3, &e),
    }
    let mut out = io::stdout().lock();
    let _ = writeln!(out, "dropped {}", getpid());
    let _ = out.flush();
    for line in io::stdin().lock().lines() {
        let Ok(line) = line else { break };
        let answer = match line.split_once(' ') {
            Some(("open", path)) => match std::fs::File::open(path) {
                Ok(_) => "open ok".to_string(),
                Err(e) => format!(
                    "open error {:?}",
                    nix::errno::Errno::from_raw(e.raw_os_error().unwrap_or(0))
                ),
            },
            _ if line == "raw" => {
                // A raw ICMP socket needs CAP_NET_RAW in the effective set.
                match socket(
                    AddressFamily::Inet,
                    SockType::Raw,
                    SockFlag::SOCK_CLOEXEC,
                    SockProtocol::Icmp,
                ) {
                    Ok(_) => "raw ok".to_string(),
                    Err(e) => format!("raw error {e:?}"),
                }
            }
            _ => format!("unknown {line}"),
        };
        let _ = writeln!(out, "{answer}");
        let _ = out.flush();
    }
}

fn parent(role: &str, name: &str) {
    let me = std::env::current_exe().unwrap_or_else(|e| fail(6, &e));
    // stdin and stdout are inherited: the child's stdin stays open while the
    // test holds it, so only a signal can end the child when this process dies.
    let mut child = Command::new(me)
        .args(["drop", role, name, &getpid().to_string()])
        .spawn()
        .unwrap_or_else(|e| fail(6, &e));
    println!("child {}", child.id());
    let _ = io::stdout().flush();
    let _ = child.wait();
}

fn daemon(path: &str) {
    // Blocked before the fork so that a SIGTERM sent as soon as the pid file
    // names the daemon waits for sigwait instead of killing it.
    let mut term = SigSet::empty();
    term.add(Signal::SIGTERM);
    term.thread_block().unwrap_or_else(|e| fail(6, &e));
    let mut pidfile = PidFile::acquire(path).unwrap_or_else(|e| fail(5, &e));
    daemonize().unwrap_or_else(|e| fail(6, &e));
    pidfile.rewrite_pid().unwrap_or_else(|e| fail(5, &e));
    let _ = term.wait();
    drop(pidfile);
}
