//! A stand-in for vigil-vrrpd or vigil-checkerd, for vigild's integration tests only.
//!
//! Started through a wrapper script that sets `VIGIL_FAKE_ROLE` (`vrrp` or `checker`)
//! and `VIGIL_FAKE_MODE` (vigild gives children a clean environment). It follows the
//! process contract (drops privileges, Hello, applies configurations, Pong, Shutdown)
//! and then misbehaves as the mode says:
//!
//! - `good`: nothing more;
//! - `garbage`, `oversized`: after applying the configuration, sends undecodable bytes
//!   or a datagram over the size limit;
//! - `wrong-version`: its Hello claims protocol version 999;
//! - `no-drop`: keeps root's privileges;
//! - `undeclared`: asks for undeclared objects (vrrp_script #99, notify of instance
//!   #42), then for vrrp_script #0, and prints the `ScriptResult` it gets;
//! - `run-script`: asks for vrrp_script #0 and prints the `ScriptResult`;
//! - `reject`: answers every configuration after the first with `ConfigRejected`;
//! - `no-pong`: never answers `Ping`;
//! - `broker` (checker): asks for IPVS changes (one undeclared, one out of range), a
//!   raw ICMP socket for checker #1 and MISC_CHECK #0 of real server #0 of virtual
//!   server #0, and prints what comes back.
//!
//! Everything it notices goes to stderr as `fake-<role>[pid]: ...` lines.

use std::os::fd::{AsRawFd, OwnedFd};
use std::time::Duration;
use vigil_ipc::frame;
use vigil_ipc::msg::checker::{
    CheckerRef, FromChecker, IpvsChange, RealServerRef, RealServerStatus, SocketKind, ToChecker,
};
use vigil_ipc::msg::config::ConfigMsg;
use vigil_ipc::msg::vrrp::{FromVrrp, NotifyEvent, ToVrrp};
use vigil_ipc::msg::{Hello, Role, Wire};
use vigil_ipc::{adopt_inherited, Channel, Event};
use vigil_privsep::{drop_privileges, DropPlan};

fn say(role: &str, what: &str) {
    eprintln!("fake-{role}[{}]: {what}", std::process::id());
}

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn send_raw(fd: i32, bytes: &[u8]) {
    let _ = nix::sys::socket::send(fd, bytes, nix::sys::socket::MsgFlags::empty());
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let role = std::env::var("VIGIL_FAKE_ROLE").unwrap_or_else(|_| "checker".into());
    let mode = std::env::var("VIGIL_FAKE_MODE").unwrap_or_else(|_| "good".into());
    let Some(fd) = arg(&args, "--ipc-fd").and_then(|s| s.parse::<i32>().ok()) else {
        say(&role, "no --ipc-fd");
        std::process::exit(2);
    };
    let fd = match adopt_inherited(fd) {
        Ok(fd) => fd,
        Err(e) => {
            say(&role, &format!("{e}"));
            std::process::exit(2);
        }
    };
    if mode != "no-drop" {
        let user = arg(&args, "--user").unwrap_or_else(|| "nobody".into());
        let account = match vigil_privsep::user::resolve(&user) {
            Ok(a) => a,
            Err(e) => {
                say(&role, &format!("{e}"));
                std::process::exit(77);
            }
        };
        let prole = if role == "vrrp" {
            vigil_privsep::Role::Vrrpd
        } else {
            vigil_privsep::Role::Checkerd
        };
        if let Err(e) = drop_privileges(&DropPlan {
            account,
            role: prole,
            parent: None,
        }) {
            say(&role, &format!("privilege drop failed: {e}"));
            std::process::exit(77);
        }
    }
    say(&role, &format!("mode {mode}"));
    if role == "vrrp" {
        run_vrrp(fd, &mode);
    } else {
        run_checker(fd, &mode);
    }
}

fn wrong_hello(fd: &OwnedFd, role: Role) {
    let hello = Hello {
        version: 999,
        role,
        pid: std::process::id(),
    };
    if let Ok(b) = frame::encode::<FromVrrp>(&Wire::Hello(hello)) {
        send_raw(fd.as_raw_fd(), &b);
    }
}

fn misbehave(fd: i32, mode: &str) {
    match mode {
        "garbage" => send_raw(fd, b"\xff\xfe\xfd this is not bincode \xff\xff\xff\xff"),
        "oversized" => send_raw(fd, &vec![0u8; 70_000]),
        _ => {}
    }
}

fn run_vrrp(fd: OwnedFd, mode: &str) {
    let raw = fd.as_raw_fd();
    if mode == "wrong-version" {
        wrong_hello(&fd, Role::Vrrp);
        std::thread::sleep(Duration::from_secs(30));
        return;
    }
    let mut ch: Channel<FromVrrp, ToVrrp> = match Channel::new(fd, std::process::id()) {
        Ok(c) => c,
        Err(e) => {
            say("vrrp", &format!("{e}"));
            std::process::exit(1);
        }
    };
    let mut configs = 0u32;
    loop {
        let _ = ch.flush();
        let got = match ch.recv() {
            Ok(Some(r)) => r.event,
            Ok(None) => {
                std::thread::sleep(Duration::from_millis(5));
                continue;
            }
            Err(e) => {
                say("vrrp", &format!("channel: {e}"));
                std::process::exit(1);
            }
        };
        let m = match got {
            Event::Established(h) => {
                say("vrrp", &format!("supervisor Hello from pid {}", h.pid));
                continue;
            }
            Event::Message(m) => m,
        };
        match m {
            ToVrrp::Config(ConfigMsg::End { generation, .. }) => {
                configs += 1;
                say("vrrp", &format!("configuration generation {generation}"));
                if mode == "reject" && configs > 1 {
                    let _ = ch.send(&FromVrrp::ConfigRejected {
                        generation,
                        reason: "fake refuses reloads".into(),
                    });
                    continue;
                }
                let _ = ch.send(&FromVrrp::ConfigApplied { generation });
                let _ = ch.flush();
                if configs == 1 {
                    misbehave(raw, mode);
                    if mode == "undeclared" {
                        let _ = ch.send(&FromVrrp::RunScript { script: 99 });
                        let _ = ch.send(&FromVrrp::RunNotify {
                            instance: 42,
                            event: NotifyEvent::Master,
                            priority: 100,
                        });
                    }
                    if mode == "undeclared" || mode == "run-script" {
                        let _ = ch.send(&FromVrrp::RunScript { script: 0 });
                    }
                }
            }
            ToVrrp::Config(_) => {}
            ToVrrp::Ping(n) => {
                if mode != "no-pong" {
                    let _ = ch.send(&FromVrrp::Pong(n));
                }
            }
            ToVrrp::ScriptResult { script, outcome } => {
                say("vrrp", &format!("ScriptResult {script} {outcome:?}"));
            }
            ToVrrp::StatusRequest { request } => {
                let _ = ch.send(&FromVrrp::StatusEnd { request });
            }
            ToVrrp::Shutdown => {
                say("vrrp", "Shutdown");
                let _ = ch.flush();
                std::process::exit(0);
            }
        }
    }
}

fn run_checker(fd: OwnedFd, mode: &str) {
    let raw = fd.as_raw_fd();
    if mode == "wrong-version" {
        wrong_hello(&fd, Role::Checker);
        std::thread::sleep(Duration::from_secs(30));
        return;
    }
    let mut ch: Channel<FromChecker, ToChecker> = match Channel::new(fd, std::process::id()) {
        Ok(c) => c,
        Err(e) => {
            say("checker", &format!("{e}"));
            std::process::exit(1);
        }
    };
    let mut configs = 0u32;
    loop {
        let _ = ch.flush();
        let (got, fds) = match ch.recv() {
            Ok(Some(r)) => (r.event, r.fds),
            Ok(None) => {
                std::thread::sleep(Duration::from_millis(5));
                continue;
            }
            Err(e) => {
                say("checker", &format!("channel: {e}"));
                std::process::exit(1);
            }
        };
        let Event::Message(m) = got else { continue };
        match m {
            ToChecker::Config(ConfigMsg::End { generation, .. }) => {
                configs += 1;
                say("checker", &format!("configuration generation {generation}"));
                if mode == "reject" && configs > 1 {
                    let _ = ch.send(&FromChecker::ConfigRejected {
                        generation,
                        reason: "fake refuses reloads".into(),
                    });
                    continue;
                }
                let _ = ch.send(&FromChecker::ConfigApplied { generation });
                let _ = ch.flush();
                if configs == 1 {
                    misbehave(raw, mode);
                    if mode == "broker" {
                        broker_requests(&mut ch);
                    }
                }
            }
            ToChecker::Socket { request } => {
                let kind = fds.first().map(|fd| {
                    nix::sys::socket::getsockopt(fd, nix::sys::socket::sockopt::SockType)
                });
                say(
                    "checker",
                    &format!("Socket {request} with {} fd(s), type {kind:?}", fds.len()),
                );
            }
            ToChecker::Ping(n) => {
                if mode != "no-pong" {
                    let _ = ch.send(&FromChecker::Pong(n));
                }
            }
            ToChecker::Shutdown => {
                say("checker", "Shutdown");
                let _ = ch.flush();
                std::process::exit(0);
            }
            ToChecker::StatusRequest { request } => {
                let _ = ch.send(&FromChecker::StatusEnd { request });
            }
            other => say("checker", &format!("got {other:?}")),
        }
    }
}

fn broker_requests(ch: &mut Channel<FromChecker, ToChecker>) {
    let rs = RealServerRef { vs: 0, rs: 0 };
    let msgs = [
        FromChecker::SetVirtualServer {
            vs: 0,
            present: true,
        },
        FromChecker::SetRealServer {
            server: rs,
            change: IpvsChange::Add { weight: 5 },
        },
        FromChecker::SetRealServer {
            server: RealServerRef { vs: 0, rs: 9 },
            change: IpvsChange::Remove,
        },
        FromChecker::SetRealServer {
            server: rs,
            change: IpvsChange::SetWeight { weight: u32::MAX },
        },
        FromChecker::RealServerStatus(RealServerStatus {
            server: rs,
            healthy: true,
            weight: 5,
            failed_checkers: 0,
            checks_run: 3,
            checks_failed: 0,
        }),
        FromChecker::SocketRequest {
            request: 1,
            kind: SocketKind::IcmpEcho {
                target: CheckerRef {
                    server: rs,
                    checker: 1,
                },
            },
        },
        FromChecker::SocketRequest {
            request: 2,
            kind: SocketKind::IcmpEcho {
                target: CheckerRef {
                    server: rs,
                    checker: 0,
                },
            },
        },
        FromChecker::RunMiscCheck {
            target: CheckerRef {
                server: rs,
                checker: 0,
            },
        },
    ];
    for m in &msgs {
        let _ = ch.send(m);
    }
}
