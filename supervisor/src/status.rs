//! What `vigilctl status` shows: the processes, the VRRP instances as vrrpd reports
//! them, the real servers as checkerd reports them, and the IPVS state the checker
//! asked for (kept here: this kernel table is not programmed yet).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt::Write;

/// One process of the suite.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcessView {
    /// `vigild`, `vrrp` or `checker`.
    pub name: String,
    /// Its pid, while it runs.
    pub pid: Option<u32>,
    /// Seconds since it started.
    pub uptime_secs: Option<u64>,
    /// Times it was restarted.
    pub restarts: u32,
    /// `running`, `configuring`, `starting`, `waiting to restart in 4 s`, `disabled`.
    pub state: String,
}

/// One VRRP instance as vrrpd last reported it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstanceView {
    /// The instance name.
    pub name: String,
    /// `MASTER`, `BACKUP`, `FAULT`, `INIT`, `STOP`.
    pub state: String,
    /// Effective priority.
    pub priority: u8,
    /// The master's address, when known.
    pub master: Option<String>,
    /// Advertisements sent and received.
    pub adverts_sent: u64,
    /// Advertisements received.
    pub adverts_received: u64,
    /// Every counter vrrpd keeps for the instance (received, sent, and each reason a
    /// packet was dropped).
    pub counters: vigil_ipc::msg::vrrp::InstanceCounters,
}

/// One real server as checkerd last reported it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RealServerView {
    /// `vs#0 rs#1` and its address.
    pub name: String,
    /// All checkers pass.
    pub healthy: bool,
    /// Its weight in IPVS as the checker sees it.
    pub weight: u32,
    /// Failing checkers.
    pub failed_checkers: u32,
}

/// The IPVS state the checker asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IpvsView {
    /// Virtual services that should be present, by name.
    pub virtual_servers: BTreeMap<String, bool>,
    /// Real servers: name → weight, absent when removed.
    pub real_servers: BTreeMap<String, Option<u32>>,
    /// Sorry servers in use, by virtual server name.
    pub sorry_servers: BTreeMap<String, bool>,
    /// Always true for now: the kernel's table is not programmed yet.
    pub kernel_not_programmed: bool,
}

/// Everything `vigilctl status` prints.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusView {
    /// The configuration generation in force.
    pub generation: u64,
    /// The configuration file.
    pub config_file: String,
    /// vigild and its children.
    pub processes: Vec<ProcessView>,
    /// VRRP instances.
    pub instances: Vec<InstanceView>,
    /// Real servers.
    pub real_servers: Vec<RealServerView>,
    /// Desired IPVS state.
    pub ipvs: IpvsView,
}

fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref()
        .map_or_else(|| "-".to_string(), ToString::to_string)
}

fn uptime(secs: Option<u64>) -> String {
    match secs {
        None => "-".into(),
        Some(s) if s < 60 => format!("{s}s"),
        Some(s) if s < 3600 => format!("{}m{:02}s", s / 60, s % 60),
        Some(s) => format!("{}h{:02}m", s / 3600, (s % 3600) / 60),
    }
}

impl StatusView {
    /// The table `vigilctl status` prints.
    pub fn render(&self) -> String {
        let mut o = String::new();
        let _ = writeln!(
            o,
            "configuration {} (generation {})",
            self.config_file, self.generation
        );
        let _ = writeln!(
            o,
            "\n{:<10} {:>8} {:>9} {:>8}  STATE",
            "PROCESS", "PID", "UPTIME", "RESTARTS"
        );
        for p in &self.processes {
            let _ = writeln!(
                o,
                "{:<10} {:>8} {:>9} {:>8}  {}",
                p.name,
                opt(&p.pid),
                uptime(p.uptime_secs),
                p.restarts,
                p.state
            );
        }
        if !self.instances.is_empty() {
            let _ = writeln!(
                o,
                "\n{:<16} {:<7} {:>4} {:<24} {:>8} {:>8}",
                "INSTANCE", "STATE", "PRIO", "MASTER", "SENT", "RECEIVED"
            );
            for i in &self.instances {
                let _ = writeln!(
                    o,
                    "{:<16} {:<7} {:>4} {:<24} {:>8} {:>8}",
                    i.name,
                    i.state,
                    i.priority,
                    opt(&i.master),
                    i.adverts_sent,
                    i.adverts_received
                );
            }
        }
        if !self.real_servers.is_empty() {
            let _ = writeln!(
                o,
                "\n{:<40} {:<8} {:>6} {:>6}",
                "REAL SERVER", "HEALTH", "WEIGHT", "FAILED"
            );
            for r in &self.real_servers {
                let _ = writeln!(
                    o,
                    "{:<40} {:<8} {:>6} {:>6}",
                    r.name,
                    if r.healthy { "up" } else { "down" },
                    r.weight,
                    r.failed_checkers
                );
            }
        }
        let ipvs = &self.ipvs;
        if !(ipvs.virtual_servers.is_empty()
            && ipvs.real_servers.is_empty()
            && ipvs.sorry_servers.is_empty())
        {
            let _ = writeln!(o, "\ndesired IPVS state (kernel table not programmed yet):");
            for (vs, present) in &ipvs.virtual_servers {
                let _ = writeln!(o, "  {vs}: {}", if *present { "present" } else { "absent" });
            }
            for (rs, w) in &ipvs.real_servers {
                match w {
                    Some(w) => {
                        let _ = writeln!(o, "  {rs}: weight {w}");
                    }
                    None => {
                        let _ = writeln!(o, "  {rs}: removed");
                    }
                }
            }
            for (vs, on) in &ipvs.sorry_servers {
                let _ = writeln!(
                    o,
                    "  sorry server of {vs}: {}",
                    if *on { "in use" } else { "not in use" }
                );
            }
        }
        o
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_shows_processes_and_instances() {
        let v = StatusView {
            generation: 2,
            config_file: "/etc/k.conf".into(),
            processes: vec![ProcessView {
                name: "vrrp".into(),
                pid: Some(12),
                uptime_secs: Some(75),
                restarts: 1,
                state: "running".into(),
            }],
            instances: vec![InstanceView {
                name: "VI_1".into(),
                state: "MASTER".into(),
                priority: 100,
                master: Some("192.0.2.1".into()),
                adverts_sent: 3,
                adverts_received: 0,
                counters: Default::default(),
            }],
            ..StatusView::default()
        };
        let t = v.render();
        assert!(t.contains("generation 2"), "{t}");
        assert!(t.contains("vrrp"), "{t}");
        assert!(t.contains("1m15s"), "{t}");
        assert!(
            t.contains("VI_1") && t.contains("MASTER") && t.contains("192.0.2.1"),
            "{t}"
        );
    }

    #[test]
    fn uptimes_read_naturally() {
        assert_eq!(uptime(None), "-");
        assert_eq!(uptime(Some(5)), "5s");
        assert_eq!(uptime(Some(7322)), "2h02m");
    }
}
