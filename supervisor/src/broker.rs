//! The privileged broker: what the supervisor does for a child's request that passed
//! validation (`vigil_ipc::validate`). Scripts are looked up in the configuration's
//! [`ScriptTable`] by the ids the child named; nothing the child sends becomes a
//! command, a path or an address.

use crate::reports::{self, Reports};
use crate::script_table::{self, Call, ScriptKey, ScriptTable};
use crate::scripts::{Purpose, Runner};
use crate::sockets;
use mio::Registry;
use std::os::fd::OwnedFd;
use vigil_config::Config;
use vigil_ipc::msg::checker::{FromChecker, ToChecker};
use vigil_ipc::msg::vrrp::{FromVrrp, ToVrrp};
use vigil_ipc::msg::ScriptOutcome;

/// What the broker works with.
pub struct Broker<'a> {
    /// The configuration in force.
    pub config: &'a Config,
    /// Its scripts.
    pub scripts: &'a ScriptTable,
    /// Running scripts.
    pub runner: &'a mut Runner,
    /// The event loop's registry (for script pipes).
    pub registry: &'a Registry,
    /// The children's reports.
    pub reports: &'a mut Reports,
}

impl Broker<'_> {
    /// Starts the script `key`; `Err` is the outcome to report at once.
    fn run(&mut self, key: ScriptKey, call: &Call, purpose: Purpose) -> Result<(), ScriptOutcome> {
        let Some(entry) = self.scripts.get(&key) else {
            // Validation already checked that the object declares a script; the
            // generic/specific pair may still lack one half, which is normal.
            return Err(ScriptOutcome::NotRun);
        };
        self.runner.start(self.registry, entry, call, purpose)
    }

    fn run_all(&mut self, runs: Vec<(ScriptKey, Call)>) {
        for (key, call) in runs {
            if self.scripts.get(&key).is_some() {
                let _ = self.run(key, &call, Purpose::Notify);
            }
        }
    }

    /// Handles a validated request from vrrpd (not the lifecycle messages); returns
    /// the answers to send.
    pub fn vrrp(&mut self, msg: FromVrrp) -> Vec<ToVrrp> {
        match msg {
            FromVrrp::RunNotify {
                instance,
                event,
                priority,
            } => {
                let runs = script_table::instance_runs(self.config, instance, event, priority);
                self.run_all(runs);
                Vec::new()
            }
            FromVrrp::RunGroupNotify { group, event } => {
                let runs = script_table::group_runs(self.config, group, event);
                self.run_all(runs);
                Vec::new()
            }
            FromVrrp::RunScript { script } => {
                let purpose = Purpose::VrrpScript(script);
                if self.runner.is_running(purpose) {
                    // keepalived does not start a vrrp_script again while it runs;
                    // the running one's result answers this request too.
                    log::debug!("vrrp_script #{script} still running; not started again");
                    return Vec::new();
                }
                match self.run(ScriptKey::Vrrp(script), &Call::Plain, purpose) {
                    Ok(()) => Vec::new(),
                    Err(outcome) => vec![ToVrrp::ScriptResult { script, outcome }],
                }
            }
            FromVrrp::InstanceStatus(s) => {
                if let Some(i) = usize::try_from(s.instance)
                    .ok()
                    .and_then(|i| self.config.vrrp.instances.get(i))
                {
                    let old = self.reports.instances.get(&s.instance).map(|o| o.state);
                    if old != Some(s.state) {
                        log::info!(
                            "({}) is {} (vrrpd report)",
                            i.name,
                            reports::state_name(s.state)
                        );
                    }
                }
                self.reports.instances.insert(s.instance, s);
                Vec::new()
            }
            FromVrrp::StatusEnd { .. }
            | FromVrrp::Pong(_)
            | FromVrrp::ConfigApplied { .. }
            | FromVrrp::ConfigRejected { .. } => Vec::new(),
        }
    }

    /// Handles a validated request from checkerd; returns the answers with the
    /// descriptors they carry.
    pub fn checker(&mut self, msg: FromChecker) -> Vec<(ToChecker, Vec<OwnedFd>)> {
        let c = self.config;
        match msg {
            FromChecker::RunMiscCheck { target } => {
                let purpose = Purpose::Misc(target);
                if self.runner.is_running(purpose) {
                    log::debug!("MISC_CHECK still running; not started again");
                    return Vec::new();
                }
                match self.run(ScriptKey::Misc(target), &Call::Plain, purpose) {
                    Ok(()) => Vec::new(),
                    Err(outcome) => {
                        vec![(ToChecker::MiscCheckResult { target, outcome }, Vec::new())]
                    }
                }
            }
            FromChecker::NotifyRealServer { server, up } => {
                let _ = self.run(
                    ScriptKey::RealServer(server, up),
                    &Call::Plain,
                    Purpose::Notify,
                );
                Vec::new()
            }
            FromChecker::NotifyQuorum { vs, up } => {
                let _ = self.run(ScriptKey::Quorum(vs, up), &Call::Plain, Purpose::Notify);
                Vec::new()
            }
            FromChecker::SetRealServer { server, change } => {
                log::info!(
                    "IPVS: {} wanted {:?} (recorded; the kernel table is not programmed yet)",
                    reports::rs_name(c, server),
                    change
                );
                self.reports.set_real_server(server, change);
                Vec::new()
            }
            FromChecker::SetVirtualServer { vs, present } => {
                log::info!(
                    "IPVS: virtual server {} wanted {} (recorded; the kernel table is not programmed yet)",
                    reports::vs_name(c, vs),
                    if present { "present" } else { "absent" }
                );
                self.reports.virtual_servers.insert(vs, present);
                Vec::new()
            }
            FromChecker::SetSorryServer { vs, present } => {
                log::info!(
                    "IPVS: sorry server of {} wanted {} (recorded; the kernel table is not programmed yet)",
                    reports::vs_name(c, vs),
                    if present { "in use" } else { "out of use" }
                );
                self.reports.sorry_servers.insert(vs, present);
                Vec::new()
            }
            FromChecker::SocketRequest { request, kind } => match sockets::open(c, kind) {
                Ok(fd) => vec![(ToChecker::Socket { request }, vec![fd])],
                Err(reason) => {
                    log::warn!("socket request #{request} ({kind:?}) failed: {reason}");
                    vec![(ToChecker::SocketRefused { request, reason }, Vec::new())]
                }
            },
            FromChecker::RealServerStatus(s) => {
                let k = reports::key(s.server);
                let was = self.reports.servers.get(&k).map(|o| o.healthy);
                if was != Some(s.healthy) {
                    log::info!(
                        "{}: {} (checker report)",
                        reports::rs_name(c, s.server),
                        if s.healthy { "healthy" } else { "failing" }
                    );
                }
                self.reports.servers.insert(k, s);
                Vec::new()
            }
            FromChecker::StatusEnd { .. }
            | FromChecker::Pong(_)
            | FromChecker::ConfigApplied { .. }
            | FromChecker::ConfigRejected { .. } => Vec::new(),
        }
    }
}
