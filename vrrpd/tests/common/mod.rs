//! Playing the supervisor for a real `vigil-vrrpd` inside a lab namespace: a socketpair
//! end on the daemon's `--ipc-fd`, the handshake, the configuration stream from
//! keepalived.conf text, and helpers to wait for states and addresses.

#![allow(dead_code, clippy::unwrap_used)]

use std::collections::HashMap;
use std::os::fd::{AsRawFd, OwnedFd};
use std::path::Path;
use std::process::{Child, Command, ExitStatus};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use nix::fcntl::{fcntl, FcntlArg, FdFlag};
use vigil_ipc::msg::vrrp::{FromVrrp, InstanceStatus, ToVrrp, VrrpState};
use vigil_ipc::msg::{Nonce, ScriptOutcome};
use vigil_ipc::{seqpacket_pair, Channel, Event};
use vigil_netlab::{Host, Lab};

/// Spawning with an inheritable descriptor is serialised: a process spawned at the same
/// time by another test would inherit it too and hold the channel open.
static SPAWN: Mutex<()> = Mutex::new(());

/// Parses keepalived.conf text into the model (panics with the diagnostics).
pub fn config(text: &str) -> vigil_config::Config {
    let loaded = vigil_config::load_str(Path::new("test.conf"), text, &Default::default());
    assert!(
        loaded.is_valid(),
        "{}",
        loaded.diags.render(&loaded.sources)
    );
    loaded.config
}

/// A lab with `n` hosts named a, b, c... each with 192.0.2.<i+1>/24 on eth0.
pub fn lab(tag: &str, n: usize) -> (Lab, Vec<Host>) {
    let mut lab = Lab::new(tag).unwrap();
    let hosts: Vec<Host> = (0..n)
        .map(|i| {
            let name = ["a", "b", "c", "d"][i];
            let h = lab.host(name).unwrap();
            h.run(&format!(
                "ip addr add 192.0.2.{}/24 dev eth0 && ip addr add 2001:db8::{}/64 dev eth0 nodad",
                i + 1,
                i + 1
            ))
            .unwrap();
            h
        })
        .collect();
    (lab, hosts)
}

/// One running vigil-vrrpd and the supervisor end of its channel.
pub struct Node {
    pub host: Host,
    pub child: Child,
    pub chan: Channel<ToVrrp, FromVrrp>,
    /// The latest status of each instance.
    pub status: HashMap<u32, InstanceStatus>,
    /// Every message received, in order.
    pub seen: Vec<FromVrrp>,
    /// Answers to RunScript by script index (success when true; default success).
    pub scripts: HashMap<u32, bool>,
    generation: u64,
}

impl Node {
    /// Starts the daemon on `host` and sends it `conf` as generation 1.
    pub fn start(host: &Host, conf: &str) -> Node {
        let mut n = Node::spawn(host);
        n.configure(conf);
        n.wait_for(Duration::from_secs(5), "ConfigApplied", |m| {
            matches!(m, FromVrrp::ConfigApplied { .. })
        });
        n
    }

    /// Starts the daemon without configuring it.
    pub fn spawn(host: &Host) -> Node {
        let (ours, theirs) = seqpacket_pair().unwrap();
        let child = {
            let _guard = SPAWN.lock().unwrap_or_else(|e| e.into_inner());
            fcntl(&theirs, FcntlArg::F_SETFD(FdFlag::empty())).unwrap();
            let mut cmd = Command::new(env!("CARGO_BIN_EXE_vigil-vrrpd"));
            cmd.args([
                "--ipc-fd",
                &theirs.as_raw_fd().to_string(),
                "--user",
                "nobody",
                "--supervisor-pid",
                &std::process::id().to_string(),
                "--log-console",
                "--log-detail",
            ]);
            let child = host.spawn(&mut cmd).unwrap();
            drop::<OwnedFd>(theirs);
            child
        };
        let chan = Channel::new(ours, std::process::id()).unwrap();
        let mut n = Node {
            host: host.clone(),
            child,
            chan,
            status: HashMap::new(),
            seen: Vec::new(),
            scripts: HashMap::new(),
            generation: 0,
        };
        n.chan.flush().unwrap();
        n
    }

    /// Sends `conf` as the next generation (does not wait for the answer).
    pub fn configure(&mut self, conf: &str) -> u64 {
        let c = config(conf);
        self.generation += 1;
        let msgs: Vec<_> = vigil_ipc::stream::vrrp_stream(&c, self.generation)
            .map(|m| m.unwrap())
            .collect();
        for m in msgs {
            self.chan.send(&ToVrrp::Config(m)).unwrap();
        }
        self.generation
    }

    /// Reads what is waiting; answers RunScript. Returns false once the daemon closed.
    pub fn pump(&mut self) -> bool {
        loop {
            match self.chan.recv() {
                Ok(None) => return true,
                Ok(Some(rx)) => match rx.event {
                    Event::Established(_) => {}
                    Event::Message(m) => {
                        if let FromVrrp::InstanceStatus(s) = &m {
                            self.status.insert(s.instance, s.clone());
                        }
                        if let FromVrrp::RunScript { script } = &m {
                            let ok = self.scripts.get(script).copied().unwrap_or(true);
                            let outcome = ScriptOutcome::Exited(if ok { 0 } else { 1 });
                            let _ = self.chan.send(&ToVrrp::ScriptResult {
                                script: *script,
                                outcome,
                            });
                        }
                        self.seen.push(m);
                    }
                },
                Err(_) => return false,
            }
        }
    }

    /// Waits until a message satisfying `pred` arrives (checking those seen already).
    pub fn wait_for(
        &mut self,
        timeout: Duration,
        what: &str,
        mut pred: impl FnMut(&FromVrrp) -> bool,
    ) -> FromVrrp {
        let start = Instant::now();
        let mut checked = 0;
        loop {
            let alive = self.pump();
            while checked < self.seen.len() {
                if pred(&self.seen[checked]) {
                    return self.seen[checked].clone();
                }
                checked += 1;
            }
            if !alive || start.elapsed() > timeout {
                panic!(
                    "{} waiting for {what} (alive: {alive}); log of {}:\n{}",
                    if alive { "timed out" } else { "channel closed" },
                    self.host.name(),
                    self.host.log()
                );
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    /// The state of instance #0 as last reported.
    pub fn state(&mut self) -> Option<VrrpState> {
        self.pump();
        self.status.get(&0).map(|s| s.state)
    }

    /// Waits until instance `i` reports `state`; returns how long that took.
    pub fn wait_state(&mut self, i: u32, state: VrrpState, timeout: Duration) -> Duration {
        let start = Instant::now();
        loop {
            self.pump();
            if self.status.get(&i).map(|s| s.state) == Some(state) {
                return start.elapsed();
            }
            if start.elapsed() > timeout {
                panic!(
                    "{}: instance {i} not {state:?} after {timeout:?} (status {:?}); log:\n{}",
                    self.host.name(),
                    self.status.get(&i),
                    self.host.log()
                );
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    /// Asks for the status of every instance.
    pub fn status_request(&mut self, request: u32) -> Vec<InstanceStatus> {
        let from = self.seen.len();
        self.chan.send(&ToVrrp::StatusRequest { request }).unwrap();
        self.wait_for(
            Duration::from_secs(2),
            "StatusEnd",
            |m| matches!(m, FromVrrp::StatusEnd { request: r } if *r == request),
        );
        let mut out = Vec::new();
        let mut in_answer = false;
        for m in &self.seen[from..] {
            match m {
                FromVrrp::InstanceStatus(s) => out.push(s.clone()),
                FromVrrp::StatusEnd { request: r } if *r == request => in_answer = true,
                _ => {}
            }
        }
        assert!(in_answer);
        // The answer is the last statuses before StatusEnd, one per instance.
        let n = self.status.len();
        let len = out.len();
        out.split_off(len.saturating_sub(n))
    }

    /// Ping → Pong.
    pub fn ping(&mut self, n: u64) {
        self.chan.send(&ToVrrp::Ping(Nonce(n))).unwrap();
        self.wait_for(
            Duration::from_secs(2),
            "Pong",
            |m| matches!(m, FromVrrp::Pong(Nonce(x)) if *x == n),
        );
    }

    /// Sends Shutdown and waits for the process to exit.
    pub fn shutdown(&mut self) -> (ExitStatus, Duration) {
        let start = Instant::now();
        self.chan.send(&ToVrrp::Shutdown).unwrap();
        let status = self.wait_exit(Duration::from_secs(3));
        (status, start.elapsed())
    }

    /// Waits for the process to exit, reading the channel meanwhile.
    pub fn wait_exit(&mut self, timeout: Duration) -> ExitStatus {
        let start = Instant::now();
        loop {
            self.pump();
            if let Some(s) = self.child.try_wait().unwrap() {
                self.pump();
                return s;
            }
            if start.elapsed() > timeout {
                let _ = self.child.kill();
                panic!(
                    "{}: vrrpd did not exit; log:\n{}",
                    self.host.name(),
                    self.host.log()
                );
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Closes the supervisor's end of the channel (the supervisor died).
    pub fn hang_up(&mut self) {
        let (dummy, _) = seqpacket_pair().unwrap();
        let old = std::mem::replace(&mut self.chan, Channel::new(dummy, 0).unwrap());
        drop(old);
    }

    /// Sends `signal` to the daemon.
    pub fn signal(&self, signal: nix::sys::signal::Signal) {
        let pid = nix::unistd::Pid::from_raw(i32::try_from(self.pid()).unwrap());
        nix::sys::signal::kill(pid, signal).unwrap();
    }

    /// Waits for the process to exit without reading the channel.
    pub fn wait_exit_quiet(&mut self, timeout: Duration) -> ExitStatus {
        let start = Instant::now();
        loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                return s;
            }
            if start.elapsed() > timeout {
                let _ = self.child.kill();
                panic!(
                    "{}: vrrpd did not exit; log:\n{}",
                    self.host.name(),
                    self.host.log()
                );
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    /// SIGKILL.
    pub fn kill9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// What the daemon logged so far.
    pub fn log(&self) -> String {
        self.host.log()
    }

    /// The pid of the daemon.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        if std::env::var_os("VRRPD_TEST_LOG").is_some() {
            eprintln!("---- log of {} ----\n{}", self.host.name(), self.host.log());
        }
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A v3 IPv4 instance on eth0 with VIP 192.0.2.100 and advert_int 0.1.
pub fn v3_conf(priority: u8, extra: &str) -> String {
    format!(
        r#"
vrrp_instance VI_1 {{
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority {priority}
    advert_int 0.1
    version 3
    virtual_ipaddress {{
        192.0.2.100/24
    }}
{extra}
}}
"#
    )
}

/// Polls `cond` every millisecond until it holds or `timeout` passes.
pub fn wait_until(what: &str, timeout: Duration, mut cond: impl FnMut() -> bool) -> Duration {
    let start = Instant::now();
    loop {
        if cond() {
            return start.elapsed();
        }
        assert!(start.elapsed() < timeout, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// Waits until `node` instance 0 is in `state`, pumping (and answering RunScript for)
/// `others` meanwhile.
pub fn wait_state_pumping(
    node: &mut Node,
    others: &mut [&mut Node],
    state: VrrpState,
    timeout: Duration,
) -> Duration {
    let start = Instant::now();
    loop {
        for o in others.iter_mut() {
            o.pump();
        }
        node.pump();
        if node.status.get(&0).map(|s| s.state) == Some(state) {
            return start.elapsed();
        }
        if start.elapsed() > timeout {
            panic!(
                "{}: not {state:?} after {timeout:?}; log:\n{}",
                node.host.name(),
                node.host.log()
            );
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}
