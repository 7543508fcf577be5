//! The supervisor's check of every child request against the configuration in force:
//! a child names declared objects by index, and anything that names an undeclared
//! object, an object of the wrong kind, or a value out of range is refused with a
//! [`Refusal`] saying what is wrong (the supervisor logs it and does nothing).
//!
//! The child is untrusted (DESIGN.md, "Processes and privileges"); relayd's parent
//! likewise resolves a child's request against its own configuration.

use crate::msg::checker::{CheckerRef, FromChecker, IpvsChange, RealServerRef, SocketKind};
use crate::msg::vrrp::{FromVrrp, NotifyEvent};
use crate::msg::Index;
use std::fmt;
use vigil_config::model::check::Checker;
use vigil_config::model::lvs::{RealServer, VirtualServer, MAX_WEIGHT};
use vigil_config::model::vrrp::{Instance, Notify, SyncGroup};
use vigil_config::Config;

/// What the supervisor knows when it checks a request: the configuration the child
/// runs, and the generation it waits for the child to acknowledge, if any.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The configuration in force for this child.
    pub config: &'a Config,
    /// The generation sent and not yet acknowledged.
    pub awaiting: Option<u64>,
}

/// Why a child's request was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// An index past the end of a list.
    NoSuch {
        /// The kind of object ("vrrp_instance", "real_server of virtual server #2", ...).
        what: String,
        /// The index named.
        index: Index,
        /// How many are declared.
        declared: usize,
    },
    /// The object exists but has no script for this request.
    NoScript {
        /// The object, as the log names it.
        object: String,
        /// The keyword of the missing script(s).
        script: &'static str,
    },
    /// The checker named is not of the kind the request needs.
    WrongCheckerKind {
        /// The checker.
        target: CheckerRef,
        /// The kind the request needs.
        expected: &'static str,
        /// The kind it is.
        found: &'static str,
    },
    /// A value outside its range.
    OutOfRange {
        /// What value.
        what: &'static str,
        /// The value.
        value: u64,
        /// The largest allowed.
        max: u64,
    },
    /// A notify event that does not apply to the object.
    EventNotApplicable {
        /// The object.
        object: String,
        /// The event.
        event: NotifyEvent,
    },
    /// The virtual server has no `sorry_server`.
    NoSorryServer {
        /// The virtual server's index.
        vs: Index,
    },
    /// The checker has no privileged source address to bind.
    NoPrivilegedSource {
        /// The checker.
        target: CheckerRef,
    },
    /// An acknowledgement for a generation that is not awaited.
    UnexpectedGeneration {
        /// The generation named.
        generation: u64,
        /// The generation awaited, if any.
        awaiting: Option<u64>,
    },
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::NoSuch {
                what,
                index,
                declared,
            } => write!(f, "no {what} #{index} ({declared} declared)"),
            Refusal::NoScript { object, script } => write!(f, "{object} has no {script}"),
            Refusal::WrongCheckerKind {
                target,
                expected,
                found,
            } => write!(
                f,
                "checker #{} of real server #{} of virtual server #{} is a {found}, not a {expected}",
                target.checker, target.server.rs, target.server.vs
            ),
            Refusal::OutOfRange { what, value, max } => {
                write!(f, "{what} {value} out of range (at most {max})")
            }
            Refusal::EventNotApplicable { object, event } => {
                write!(f, "{event:?} notification does not apply to {object}")
            }
            Refusal::NoSorryServer { vs } => write!(f, "virtual server #{vs} has no sorry_server"),
            Refusal::NoPrivilegedSource { target } => write!(
                f,
                "checker #{} of real server #{} of virtual server #{} has no bind_port below 1024 nor bind_if",
                target.checker, target.server.rs, target.server.vs
            ),
            Refusal::UnexpectedGeneration {
                generation,
                awaiting: Some(a),
            } => write!(f, "acknowledgement of generation {generation}, awaiting {a}"),
            Refusal::UnexpectedGeneration {
                generation,
                awaiting: None,
            } => write!(f, "acknowledgement of generation {generation}, none awaited"),
        }
    }
}

impl std::error::Error for Refusal {}

fn get<T>(list: &[T], index: Index, what: impl Into<String>) -> Result<&T, Refusal> {
    usize::try_from(index)
        .ok()
        .and_then(|i| list.get(i))
        .ok_or_else(|| Refusal::NoSuch {
            what: what.into(),
            index,
            declared: list.len(),
        })
}

fn generation(ctx: &Context<'_>, generation: u64) -> Result<(), Refusal> {
    if ctx.awaiting == Some(generation) {
        Ok(())
    } else {
        Err(Refusal::UnexpectedGeneration {
            generation,
            awaiting: ctx.awaiting,
        })
    }
}

/// The script keyword and whether one is configured for `event` (the specific
/// `notify_<state>` or the generic `notify`, keepalived.conf(5)).
fn notify_has(notify: &Notify, event: NotifyEvent) -> Option<(&'static str, bool)> {
    let (keyword, specific) = match event {
        NotifyEvent::Master => ("notify_master nor notify", &notify.master),
        NotifyEvent::Backup => ("notify_backup nor notify", &notify.backup),
        NotifyEvent::Fault => ("notify_fault nor notify", &notify.fault),
        NotifyEvent::Stop => ("notify_stop nor notify", &notify.stop),
        NotifyEvent::Deleted | NotifyEvent::MasterRxLowerPri => return None,
    };
    Some((keyword, specific.is_some() || notify.any.is_some()))
}

fn instance_notify(i: &Instance, event: NotifyEvent) -> Result<(), Refusal> {
    let object = format!("vrrp_instance {}", i.name);
    let (script, present) = match event {
        NotifyEvent::Deleted => (
            "notify_deleted",
            i.notify_deleted || i.notify_deleted_script.is_some(),
        ),
        NotifyEvent::MasterRxLowerPri => (
            "notify_master_rx_lower_pri",
            i.notify_master_rx_lower_pri.is_some(),
        ),
        _ => match notify_has(&i.notify, event) {
            Some(x) => x,
            None => return Err(Refusal::EventNotApplicable { object, event }),
        },
    };
    if present {
        Ok(())
    } else {
        Err(Refusal::NoScript { object, script })
    }
}

fn group_notify(g: &SyncGroup, event: NotifyEvent) -> Result<(), Refusal> {
    let object = format!("vrrp_sync_group {}", g.name);
    match notify_has(&g.notify, event) {
        None => Err(Refusal::EventNotApplicable { object, event }),
        Some((_, true)) => Ok(()),
        Some((script, false)) => Err(Refusal::NoScript { object, script }),
    }
}

/// Checks a request from vrrpd.
pub fn from_vrrp(msg: &FromVrrp, ctx: &Context<'_>) -> Result<(), Refusal> {
    let v = &ctx.config.vrrp;
    match msg {
        FromVrrp::ConfigApplied { generation: g }
        | FromVrrp::ConfigRejected { generation: g, .. } => generation(ctx, *g),
        FromVrrp::Pong(_) | FromVrrp::StatusEnd { .. } => Ok(()),
        FromVrrp::RunNotify {
            instance, event, ..
        } => instance_notify(get(&v.instances, *instance, "vrrp_instance")?, *event),
        FromVrrp::RunGroupNotify { group, event } => {
            group_notify(get(&v.sync_groups, *group, "vrrp_sync_group")?, *event)
        }
        FromVrrp::RunScript { script } => get(&v.scripts, *script, "vrrp_script").map(|_| ()),
        FromVrrp::InstanceStatus(s) => get(&v.instances, s.instance, "vrrp_instance").map(|_| ()),
    }
}

fn virtual_server(c: &Config, vs: Index) -> Result<&VirtualServer, Refusal> {
    get(&c.lvs.virtual_servers, vs, "virtual_server")
}

fn real_server(c: &Config, r: RealServerRef) -> Result<&RealServer, Refusal> {
    let vs = virtual_server(c, r.vs)?;
    get(
        &vs.real_servers,
        r.rs,
        format!("real_server of virtual server #{}", r.vs),
    )
}

fn checker(c: &Config, t: CheckerRef) -> Result<&Checker, Refusal> {
    let rs = real_server(c, t.server)?;
    get(
        &rs.checkers,
        t.checker,
        format!(
            "checker of real server #{} of virtual server #{}",
            t.server.rs, t.server.vs
        ),
    )
}

fn weight(w: u32) -> Result<(), Refusal> {
    if w > MAX_WEIGHT {
        Err(Refusal::OutOfRange {
            what: "weight",
            value: u64::from(w),
            max: u64::from(MAX_WEIGHT),
        })
    } else {
        Ok(())
    }
}

fn rs_name(r: RealServerRef) -> String {
    format!("real server #{} of virtual server #{}", r.rs, r.vs)
}

/// Checks a request from checkerd.
pub fn from_checker(msg: &FromChecker, ctx: &Context<'_>) -> Result<(), Refusal> {
    let c = ctx.config;
    match msg {
        FromChecker::ConfigApplied { generation: g }
        | FromChecker::ConfigRejected { generation: g, .. } => generation(ctx, *g),
        FromChecker::Pong(_) | FromChecker::StatusEnd { .. } => Ok(()),
        FromChecker::RunMiscCheck { target } => match checker(c, *target)? {
            Checker::Misc(_) => Ok(()),
            other => Err(Refusal::WrongCheckerKind {
                target: *target,
                expected: "MISC_CHECK",
                found: other.keyword(),
            }),
        },
        FromChecker::NotifyRealServer { server, up } => {
            let rs = real_server(c, *server)?;
            let (script, present) = if *up {
                ("notify_up", rs.notify_up.is_some())
            } else {
                ("notify_down", rs.notify_down.is_some())
            };
            if present {
                Ok(())
            } else {
                Err(Refusal::NoScript {
                    object: rs_name(*server),
                    script,
                })
            }
        }
        FromChecker::NotifyQuorum { vs, up } => {
            let v = virtual_server(c, *vs)?;
            let (script, present) = if *up {
                ("quorum_up", v.quorum_up.is_some())
            } else {
                ("quorum_down", v.quorum_down.is_some())
            };
            if present {
                Ok(())
            } else {
                Err(Refusal::NoScript {
                    object: format!("virtual server #{vs}"),
                    script,
                })
            }
        }
        FromChecker::SetRealServer { server, change } => {
            real_server(c, *server)?;
            match change {
                IpvsChange::Add { weight: w } | IpvsChange::SetWeight { weight: w } => weight(*w),
                IpvsChange::Remove => Ok(()),
            }
        }
        FromChecker::SetVirtualServer { vs, .. } => virtual_server(c, *vs).map(|_| ()),
        FromChecker::SetSorryServer { vs, .. } => {
            if virtual_server(c, *vs)?.sorry_server.is_some() {
                Ok(())
            } else {
                Err(Refusal::NoSorryServer { vs: *vs })
            }
        }
        FromChecker::SocketRequest { kind, .. } => match kind {
            SocketKind::IcmpEcho { target } => match checker(c, *target)? {
                Checker::Ping(_) => Ok(()),
                other => Err(Refusal::WrongCheckerKind {
                    target: *target,
                    expected: "PING_CHECK",
                    found: other.keyword(),
                }),
            },
            SocketKind::BoundSource { target } => {
                let options = match checker(c, *target)? {
                    Checker::Tcp(t) => Some(&t.options),
                    Checker::Http(h) | Checker::Ssl(h) => Some(&h.options),
                    Checker::Smtp(s) => Some(&s.options),
                    Checker::Dns(d) => Some(&d.options),
                    Checker::Udp(u) => Some(&u.options),
                    _ => None,
                };
                let privileged = options.is_some_and(|o| {
                    o.connection.bind_port.is_some_and(|p| p < 1024)
                        || o.connection.bind_if.is_some()
                });
                if privileged {
                    Ok(())
                } else {
                    Err(Refusal::NoPrivilegedSource { target: *target })
                }
            }
        },
        FromChecker::RealServerStatus(s) => {
            real_server(c, s.server)?;
            weight(s.weight)
        }
    }
}
