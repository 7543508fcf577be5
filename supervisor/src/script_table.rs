//! Every external program a configuration declares, prepared once per configuration
//! (argv split, user resolved, `enable_script_security` applied), and the pure rule of
//! which of them a child's request means, with the arguments keepalived passes.
//!
//! A script that fails preparation is logged once, at load, and reported as `NotRun`
//! whenever it is asked for: keepalived likewise drops it at load.

use std::collections::HashMap;
use std::time::Duration;
use vigil_config::model::common::{Script, Timer};
use vigil_config::model::vrrp::Notify;
use vigil_config::Config;
use vigil_ipc::msg::checker::{CheckerRef, RealServerRef};
use vigil_ipc::msg::vrrp::NotifyEvent;
use vigil_ipc::msg::Index;
use vigil_script::{NotifyState, PreparedScript, RealFs, ScriptCall, ScriptPolicy, SystemUserDb};

/// Which notify keyword of an instance or group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NotifyKind {
    /// `notify_master`.
    Master,
    /// `notify_backup`.
    Backup,
    /// `notify_fault`.
    Fault,
    /// `notify_stop`.
    Stop,
    /// `notify` (generic, gets the state as arguments).
    Any,
    /// `notify_deleted` with a script of its own.
    Deleted,
    /// `notify_master_rx_lower_pri`.
    MasterRxLowerPri,
}

/// One declared script, named by where the configuration declares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScriptKey {
    /// `vrrp_script` #i.
    Vrrp(Index),
    /// A notify script of `vrrp_instance` #i.
    Instance(Index, NotifyKind),
    /// A notify script of `vrrp_sync_group` #i.
    Group(Index, NotifyKind),
    /// A MISC_CHECK.
    Misc(CheckerRef),
    /// `notify_up` (true) or `notify_down` of a real server.
    RealServer(RealServerRef, bool),
    /// `quorum_up` (true) or `quorum_down` of virtual server #i.
    Quorum(Index, bool),
}

/// The extra arguments of one run, owned (see [`vigil_script::ScriptCall`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Call {
    /// No extra argument.
    Plain,
    /// `INSTANCE name STATE priority`.
    Instance {
        /// Instance name.
        name: String,
        /// State entered.
        state: NotifyState,
        /// Priority.
        priority: u8,
    },
    /// `GROUP name STATE 0`.
    Group {
        /// Group name.
        name: String,
        /// State entered.
        state: NotifyState,
    },
}

impl Call {
    /// The borrowed form vigil-script takes.
    pub fn as_script_call(&self) -> ScriptCall<'_> {
        match self {
            Call::Plain => ScriptCall::Plain,
            Call::Instance {
                name,
                state,
                priority,
            } => ScriptCall::Instance {
                name,
                state: *state,
                priority: *priority,
            },
            Call::Group { name, state } => ScriptCall::Group {
                name,
                state: *state,
            },
        }
    }
}

/// A declared script after preparation.
#[derive(Debug)]
pub struct Entry {
    /// For log lines: `notify_master of vrrp_instance VI_1`.
    pub label: String,
    /// Ready to run, or why it never will.
    pub prepared: Result<PreparedScript, String>,
    /// Its timeout (`None`: runs until it ends).
    pub timeout: Option<Duration>,
}

/// All scripts of one configuration.
#[derive(Debug, Default)]
pub struct ScriptTable {
    entries: HashMap<ScriptKey, Entry>,
}

fn duration(t: Timer) -> Duration {
    Duration::from_micros(t.0)
}

/// A script with its key, label and timeout, before preparation.
struct Declared<'a> {
    key: ScriptKey,
    label: String,
    script: &'a Script,
    timeout: Option<Duration>,
}

fn notify_scripts<'a>(
    out: &mut Vec<Declared<'a>>,
    notify: &'a Notify,
    object: &str,
    key: impl Fn(NotifyKind) -> ScriptKey,
) {
    let all = [
        (NotifyKind::Master, "notify_master", &notify.master),
        (NotifyKind::Backup, "notify_backup", &notify.backup),
        (NotifyKind::Fault, "notify_fault", &notify.fault),
        (NotifyKind::Stop, "notify_stop", &notify.stop),
        (NotifyKind::Any, "notify", &notify.any),
    ];
    for (kind, keyword, script) in all {
        if let Some(script) = script {
            out.push(Declared {
                key: key(kind),
                label: format!("{keyword} of {object}"),
                script,
                // keepalived does not time notify scripts out.
                timeout: None,
            });
        }
    }
}

fn declared(c: &Config) -> Vec<Declared<'_>> {
    let mut out = Vec::new();
    for (i, s) in (0..).zip(&c.vrrp.scripts) {
        out.push(Declared {
            key: ScriptKey::Vrrp(i),
            label: format!("vrrp_script {}", s.name),
            script: &s.script,
            // keepalived: a vrrp_script without `timeout` may run for its interval.
            timeout: Some(duration(s.timeout.unwrap_or(s.interval))),
        });
    }
    for (i, inst) in (0..).zip(&c.vrrp.instances) {
        let object = format!("vrrp_instance {}", inst.name);
        notify_scripts(&mut out, &inst.notify, &object, |k| {
            ScriptKey::Instance(i, k)
        });
        if let Some(s) = &inst.notify_deleted_script {
            out.push(Declared {
                key: ScriptKey::Instance(i, NotifyKind::Deleted),
                label: format!("notify_deleted of {object}"),
                script: s,
                timeout: None,
            });
        }
        if let Some(s) = &inst.notify_master_rx_lower_pri {
            out.push(Declared {
                key: ScriptKey::Instance(i, NotifyKind::MasterRxLowerPri),
                label: format!("notify_master_rx_lower_pri of {object}"),
                script: s,
                timeout: None,
            });
        }
    }
    for (i, g) in (0..).zip(&c.vrrp.sync_groups) {
        let object = format!("vrrp_sync_group {}", g.name);
        notify_scripts(&mut out, &g.notify, &object, |k| ScriptKey::Group(i, k));
    }
    for (v, vs) in (0..).zip(&c.lvs.virtual_servers) {
        let object = format!("virtual server #{v}");
        for (up, kw, s) in [
            (true, "quorum_up", &vs.quorum_up),
            (false, "quorum_down", &vs.quorum_down),
        ] {
            if let Some(s) = s {
                out.push(Declared {
                    key: ScriptKey::Quorum(v, up),
                    label: format!("{kw} of {object}"),
                    script: s,
                    timeout: None,
                });
            }
        }
        for (r, rs) in (0..).zip(&vs.real_servers) {
            let server = RealServerRef { vs: v, rs: r };
            let object = format!("real server #{r} of virtual server #{v}");
            for (up, kw, s) in [
                (true, "notify_up", &rs.notify_up),
                (false, "notify_down", &rs.notify_down),
            ] {
                if let Some(s) = s {
                    out.push(Declared {
                        key: ScriptKey::RealServer(server, up),
                        label: format!("{kw} of {object}"),
                        script: s,
                        timeout: None,
                    });
                }
            }
            for (k, checker) in (0..).zip(&rs.checkers) {
                if let vigil_config::model::check::Checker::Misc(m) = checker {
                    // misc_timeout in seconds; absent or 0: the delay_loop.
                    let timeout = match m.timeout {
                        Some(t) if t > 0 => Duration::from_secs(u64::from(t)),
                        _ => duration(m.timing.delay_loop.unwrap_or(rs.delay_loop)),
                    };
                    out.push(Declared {
                        key: ScriptKey::Misc(CheckerRef { server, checker: k }),
                        label: format!("MISC_CHECK #{k} of {object}"),
                        script: &m.script,
                        timeout: Some(timeout),
                    });
                }
            }
        }
    }
    out
}

impl ScriptTable {
    /// Prepares every script of `c`; returns the table and one log line per script
    /// that will not run or needs a warning.
    pub fn prepare(c: &Config) -> (ScriptTable, Vec<String>) {
        let db = SystemUserDb;
        let ours = ScriptPolicy::current_credentials();
        let policy = ScriptPolicy::new(&c.global, &db, &ours);
        let mut notes = Vec::new();
        let mut entries = HashMap::new();
        for d in declared(c) {
            let prepared = policy
                .prepare(d.script, &db, &RealFs)
                .map_err(|e| e.to_string());
            match &prepared {
                Ok(p) => {
                    for w in &p.warnings {
                        notes.push(format!("{}: {w}", d.label));
                    }
                }
                Err(e) => notes.push(format!("{}: {e}; it will not be run", d.label)),
            }
            entries.insert(
                d.key,
                Entry {
                    label: d.label,
                    prepared,
                    timeout: d.timeout,
                },
            );
        }
        (ScriptTable { entries }, notes)
    }

    /// The entry for `key`, if the configuration declares one.
    pub fn get(&self, key: &ScriptKey) -> Option<&Entry> {
        self.entries.get(key)
    }

    /// How many scripts the configuration declares.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when the configuration declares no script.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

fn state_of(event: NotifyEvent) -> Option<(NotifyKind, NotifyState)> {
    Some(match event {
        NotifyEvent::Master => (NotifyKind::Master, NotifyState::Master),
        NotifyEvent::Backup => (NotifyKind::Backup, NotifyState::Backup),
        NotifyEvent::Fault => (NotifyKind::Fault, NotifyState::Fault),
        NotifyEvent::Stop => (NotifyKind::Stop, NotifyState::Stop),
        NotifyEvent::Deleted | NotifyEvent::MasterRxLowerPri => return None,
    })
}

/// The runs an instance's notification means (keepalived.conf(5): the specific
/// `notify_<state>` script, then the generic `notify` with `INSTANCE name STATE prio`).
pub fn instance_runs(
    c: &Config,
    instance: Index,
    event: NotifyEvent,
    priority: u8,
) -> Vec<(ScriptKey, Call)> {
    let Some(inst) = usize::try_from(instance)
        .ok()
        .and_then(|i| c.vrrp.instances.get(i))
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    match event {
        NotifyEvent::Deleted => {
            if inst.notify_deleted_script.is_some() {
                out.push((
                    ScriptKey::Instance(instance, NotifyKind::Deleted),
                    Call::Plain,
                ));
            }
            if inst.notify_deleted && inst.notify.any.is_some() {
                out.push((
                    ScriptKey::Instance(instance, NotifyKind::Any),
                    Call::Instance {
                        name: inst.name.clone(),
                        state: NotifyState::Deleted,
                        priority,
                    },
                ));
            }
        }
        NotifyEvent::MasterRxLowerPri => {
            out.push((
                ScriptKey::Instance(instance, NotifyKind::MasterRxLowerPri),
                Call::Plain,
            ));
        }
        _ => {
            if let Some((kind, state)) = state_of(event) {
                out.push((ScriptKey::Instance(instance, kind), Call::Plain));
                out.push((
                    ScriptKey::Instance(instance, NotifyKind::Any),
                    Call::Instance {
                        name: inst.name.clone(),
                        state,
                        priority,
                    },
                ));
            }
        }
    }
    out
}

/// The runs a sync group's notification means (`GROUP name STATE 0` for `notify`).
pub fn group_runs(c: &Config, group: Index, event: NotifyEvent) -> Vec<(ScriptKey, Call)> {
    let Some(g) = usize::try_from(group)
        .ok()
        .and_then(|i| c.vrrp.sync_groups.get(i))
    else {
        return Vec::new();
    };
    let Some((kind, state)) = state_of(event) else {
        return Vec::new();
    };
    vec![
        (ScriptKey::Group(group, kind), Call::Plain),
        (
            ScriptKey::Group(group, NotifyKind::Any),
            Call::Group {
                name: g.name.clone(),
                state,
            },
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigil_config::model::vrrp::Instance;

    fn config() -> Config {
        let mut c = Config::default();
        let mut i = Instance::new("VI_1");
        i.notify.master = Some(Script {
            command: "/bin/true".into(),
            user: None,
            group: None,
        });
        i.notify.any = i.notify.master.clone();
        c.vrrp.instances.push(Box::new(i));
        c
    }

    #[test]
    fn master_runs_the_specific_then_the_generic_script_with_arguments() {
        let runs = instance_runs(&config(), 0, NotifyEvent::Master, 100);
        assert_eq!(
            runs,
            vec![
                (ScriptKey::Instance(0, NotifyKind::Master), Call::Plain),
                (
                    ScriptKey::Instance(0, NotifyKind::Any),
                    Call::Instance {
                        name: "VI_1".into(),
                        state: NotifyState::Master,
                        priority: 100
                    }
                )
            ]
        );
    }

    #[test]
    fn an_undeclared_instance_runs_nothing() {
        assert!(instance_runs(&config(), 7, NotifyEvent::Master, 1).is_empty());
        assert!(group_runs(&config(), 0, NotifyEvent::Master).is_empty());
    }

    #[test]
    fn every_declared_script_gets_an_entry_with_a_label() {
        let (table, _) = ScriptTable::prepare(&config());
        assert_eq!(table.len(), 2);
        let e = table
            .get(&ScriptKey::Instance(0, NotifyKind::Master))
            .expect("entry");
        assert_eq!(e.label, "notify_master of vrrp_instance VI_1");
        assert!(e.timeout.is_none());
    }
}
