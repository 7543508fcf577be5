//! One failover on a fresh two-node lab: start a pair, wait for the election, inflict a
//! fault on the master, and read from the wire how long the backup took to announce
//! the virtual address.

use crate::conf::{Family, PairConf};
use crate::node::{Daemon, Node};
use crate::timeline::{self, Event};
use std::net::IpAddr;
use std::time::{Duration, Instant};
use vigil_netlab::wire::Kind;
use vigil_netlab::{capture, Lab, LabError};

/// The master's priority; the backup has [`BACKUP_PRIORITY`].
pub const MASTER_PRIORITY: u8 = 150;
/// The backup's priority (its Skew_Time and Master_Down_Interval are the bounds).
pub const BACKUP_PRIORITY: u8 = 100;

/// What happens to the master.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// SIGKILL of every process of the node (a crash).
    Kill,
    /// SIGTERM of the main process (a graceful stop: priority 0, RFC 5798 §6.4.3).
    Term,
    /// The master's link goes down.
    LinkDown,
}

impl Fault {
    /// The name for tables.
    pub fn name(self) -> &'static str {
        match self {
            Fault::Kill => "SIGKILL",
            Fault::Term => "SIGTERM",
            Fault::LinkDown => "link-down",
        }
    }
}

/// The times of one failover, in milliseconds.
#[derive(Debug, Clone)]
pub struct Measurement {
    /// Fault → the new master's first GARP/NA.
    pub fault_to_announce: f64,
    /// The new master's first advert → its first GARP/NA.
    pub advert_to_announce: Option<f64>,
    /// The old master's last advert (its priority-0 advert for SIGTERM) → the new
    /// master's first GARP/NA; the RFC bound applies to this.
    pub from_last_advert: f64,
    /// The bound: Master_Down_Interval for crashes and link-down, Skew_Time for SIGTERM.
    pub bound: f64,
    /// The events seen, for timelines.
    pub events: Vec<Event>,
    /// The fault's wall-clock time (the capture's clock).
    pub fault_at: Duration,
}

/// Adds hosts lb1, lb2, ... running these daemons with these priorities (and their
/// addresses) to `lab`, each with `conf` rendered for it and passed through
/// `tweak(n, text)`; not started.
pub fn cluster(
    lab: &mut Lab,
    conf: &PairConf,
    members: &[(Daemon, u8)],
    tweak: impl Fn(u8, String) -> String,
) -> Result<Vec<Node>, LabError> {
    let count = u8::try_from(members.len()).unwrap_or(u8::MAX);
    let mut nodes = Vec::new();
    for (n, &(daemon, prio)) in (1u8..).zip(members) {
        let name = format!("lb{n}");
        let host = lab.host(&name)?;
        let addr = conf.node_addr(n);
        match conf.family {
            Family::V4 => host.run(&format!("ip addr add {addr}/24 dev eth0"))?,
            Family::V6 => host.run(&format!("ip -6 addr add {addr}/64 dev eth0 nodad"))?,
        };
        let text = tweak(n, conf.render(&name, n, count, prio));
        nodes.push(Node::new(host, daemon, lab.dir(), &text)?);
    }
    Ok(nodes)
}

/// Adds hosts lb1 (priority [`MASTER_PRIORITY`]) and lb2 ([`BACKUP_PRIORITY`]).
pub fn pair(lab: &mut Lab, daemon: Daemon, conf: &PairConf) -> Result<(Node, Node), LabError> {
    let mut nodes = cluster(
        lab,
        conf,
        &[(daemon, MASTER_PRIORITY), (daemon, BACKUP_PRIORITY)],
        |_, t| t,
    )?;
    let b = nodes
        .pop()
        .ok_or_else(|| LabError::Timeout("nodes".into()))?;
    let a = nodes
        .pop()
        .ok_or_else(|| LabError::Timeout("nodes".into()))?;
    Ok((a, b))
}

/// Polls `cond` every 2 ms until it holds or `limit` passes.
pub fn wait(limit: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if cond() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    cond()
}

/// Runs one failover of a `daemon` pair with `conf` and `fault` on a fresh lab.
pub fn run(daemon: Daemon, conf: &PairConf, fault: Fault) -> Result<Measurement, LabError> {
    run_mixed(daemon, daemon, conf, fault)
}

/// Runs one failover from a master running `master_daemon` to a backup running
/// `backup_daemon` (interoperability: vigil and keepalived in either role).
pub fn run_mixed(
    master_daemon: Daemon,
    backup_daemon: Daemon,
    conf: &PairConf,
    fault: Fault,
) -> Result<Measurement, LabError> {
    let daemon = master_daemon;
    let mut lab = Lab::new("fo")?;
    let mut nodes = cluster(
        &mut lab,
        conf,
        &[
            (master_daemon, MASTER_PRIORITY),
            (backup_daemon, BACKUP_PRIORITY),
        ],
        |_, t| t,
    )?;
    let mut backup = nodes
        .pop()
        .ok_or_else(|| LabError::Timeout("nodes".into()))?;
    let mut master = nodes
        .pop()
        .ok_or_else(|| LabError::Timeout("nodes".into()))?;
    let vip: IpAddr = conf
        .vip()
        .parse()
        .map_err(|_| LabError::Timeout("vip".into()))?;
    let cap = lab.capture()?;
    backup.start()?;
    master.start()?;
    let settle = Duration::from_secs_f64(conf.master_down_interval(BACKUP_PRIORITY) * 2.0 + 5.0);
    if !wait(settle, || {
        master.holds(conf.vip()) && !backup.holds(conf.vip())
    }) {
        return Err(LabError::Timeout(format!(
            "{}/{} election: lb1 log:\n{}\nlb2 log:\n{}",
            daemon.name(),
            backup_daemon.name(),
            master.host.log(),
            backup.host.log()
        )));
    }
    // A few adverts in steady state, so that the backup's timer is in its rhythm.
    std::thread::sleep(Duration::from_secs_f64(conf.advert_secs() * 3.0));
    if !master.holds(conf.vip()) || backup.holds(conf.vip()) {
        return Err(LabError::Timeout(format!(
            "{}/{} election is not stable (lb1 holds: {}, lb2 holds: {}): lb2 log:\n{}",
            daemon.name(),
            backup_daemon.name(),
            master.holds(conf.vip()),
            backup.holds(conf.vip()),
            backup.host.log()
        )));
    }
    let fault_at = capture::now();
    match fault {
        Fault::Kill => master.crash(),
        Fault::Term => {
            master.stop(Duration::from_secs(3));
        }
        Fault::LinkDown => master.host.set_link(false)?,
    }
    let limit = Duration::from_secs_f64(conf.master_down_interval(BACKUP_PRIORITY) * 3.0 + 2.0);
    if !wait(limit, || backup.holds(conf.vip())) {
        return Err(LabError::Timeout(format!(
            "{} {} failover: lb2 log:\n{}",
            daemon.name(),
            fault.name(),
            backup.host.log()
        )));
    }
    // The GARP goes out right after the address is added; give the capture a moment.
    std::thread::sleep(Duration::from_millis(50));
    let events = timeline::events(&cap.stop());
    let announce = timeline::first_announce(&events, "lb2", vip, fault_at)
        .ok_or_else(|| LabError::Timeout("no GARP/NA from the new master".into()))?;
    let (reference, bound) = match fault {
        Fault::Term => (
            timeline::priority_zero(&events, "lb1", fault_at)
                .ok_or_else(|| LabError::Timeout("no priority-0 advert from lb1".into()))?,
            conf.skew_time(BACKUP_PRIORITY) * 1000.0,
        ),
        Fault::Kill | Fault::LinkDown => (
            timeline::last_advert(&events, "lb1", fault_at)
                .ok_or_else(|| LabError::Timeout("no advert from lb1".into()))?,
            conf.master_down_interval(BACKUP_PRIORITY) * 1000.0,
        ),
    };
    // The new master's first advert: the part of the time before it is the timer,
    // the part after it is the address and announcement work.
    let first_advert = events
        .iter()
        .find(|e| {
            e.from == "lb2"
                && e.at >= fault_at
                && matches!(e.kind, Kind::Advert { priority, .. } if priority > 0)
        })
        .map(|e| e.at);
    drop(master);
    drop(backup);
    Ok(Measurement {
        advert_to_announce: first_advert.map(|a| timeline::ms(a, announce)),
        fault_to_announce: timeline::ms(fault_at, announce),
        from_last_advert: timeline::ms(reference, announce),
        bound,
        events,
        fault_at,
    })
}
