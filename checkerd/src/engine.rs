//! Every virtual server of the configuration in force, and the reload rule: real
//! servers that are unchanged (same virtual server, same address and port, same
//! checkers) keep their state; new ones start; removed ones are taken out. Pure logic.
//!
//! Messages about objects of the old configuration (removals) are named by the old
//! indexes and must reach the supervisor before `ConfigApplied`; everything else is
//! named by the new indexes and follows it.

use crate::health::{Outcome, Report};
use crate::plan::{CheckPlan, Plan};
use crate::service::Service;
use std::collections::HashMap;
use vigil_ipc::msg::checker::{CheckerRef, RealServerRef, RealServerStatus};
use vigil_ipc::msg::Index;
use vigil_ipc::FromChecker;

/// What applying a configuration asks for.
#[derive(Debug, Default, PartialEq)]
pub struct Applied {
    /// About the old configuration's objects: send before `ConfigApplied`.
    pub before_ack: Vec<FromChecker>,
    /// About the new configuration's objects: send after `ConfigApplied`.
    pub after_ack: Vec<FromChecker>,
    /// Real servers whose state was kept.
    pub kept: usize,
}

/// The checker's state for the configuration in force.
#[derive(Debug, Default)]
pub struct Engine {
    plan: Plan,
    services: Vec<Service>,
}

fn index(i: usize) -> Index {
    Index::try_from(i).unwrap_or(Index::MAX)
}

impl Engine {
    /// An engine with no configuration.
    pub fn new() -> Self {
        Engine::default()
    }

    /// The plan in force.
    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// Replaces the configuration in force by `plan`.
    pub fn apply(&mut self, plan: Plan) -> Applied {
        let mut applied = Applied::default();
        let old_plan = std::mem::take(&mut self.plan);
        let mut old_services = std::mem::take(&mut self.services);
        // Which old virtual server each new one continues.
        let mut old_used = vec![false; old_plan.services.len()];
        let mut continues: Vec<Option<usize>> = Vec::with_capacity(plan.services.len());
        for sp in &plan.services {
            let found = old_plan
                .services
                .iter()
                .enumerate()
                .position(|(i, o)| !old_used[i] && o.key == sp.key);
            if let Some(i) = found {
                old_used[i] = true;
            }
            continues.push(found);
        }
        // Old virtual servers that are gone.
        for (i, used) in old_used.iter().enumerate() {
            if !used {
                if let Some(s) = old_services.get_mut(i) {
                    s.remove(&mut applied.before_ack);
                }
            }
        }
        let mut services = Vec::with_capacity(plan.services.len());
        for (vi, sp) in plan.services.iter().enumerate() {
            let (carried, carried_service) = match continues[vi] {
                Some(oi) => {
                    let old_sp = &old_plan.services[oi];
                    let old = &mut old_services[oi];
                    let mut taken = vec![false; old_sp.servers.len()];
                    // By address and port: thousands of real servers stay linear.
                    let mut by_key: HashMap<_, Vec<usize>> = HashMap::new();
                    for (i, o) in old_sp.servers.iter().enumerate() {
                        by_key.entry(o.key).or_default().push(i);
                    }
                    let mut carried = Vec::with_capacity(sp.servers.len());
                    for rs in &sp.servers {
                        let found = by_key.get(&rs.key).and_then(|candidates| {
                            candidates
                                .iter()
                                .copied()
                                .find(|&i| !taken[i] && old_sp.servers[i].checks == rs.checks)
                        });
                        carried.push(found.and_then(|i| {
                            taken[i] = true;
                            old.carry(i)
                        }));
                    }
                    applied.kept += carried.iter().filter(|c| c.is_some()).count();
                    for (i, t) in taken.iter().enumerate() {
                        if !t {
                            old.remove_server(i, &mut applied.before_ack);
                        }
                    }
                    let mut carried_service = old.carry_service();
                    // Another sorry server (or none): the old one leaves, named by the
                    // old index while that configuration is in force.
                    if carried_service.sorry_in_ipvs && old_sp.sorry != sp.sorry {
                        applied.before_ack.push(FromChecker::SetSorryServer {
                            vs: old.index(),
                            present: false,
                        });
                        carried_service.sorry_in_ipvs = false;
                    }
                    (carried, Some(carried_service))
                }
                None => (Vec::new(), None),
            };
            services.push(Service::start(
                index(vi),
                sp.full_spec(),
                carried,
                carried_service,
                &mut applied.after_ack,
            ));
        }
        self.plan = plan;
        self.services = services;
        applied
    }

    /// What stopping asks for: with `omega`, the notify_down of every live real server
    /// and the quorum_down of the virtual server (ipwrapper.c `clear_service_rs`,
    /// `update_vs_notifies` when stopping). IPVS itself is the supervisor's
    /// (`lvs_flush_on_stop`).
    pub fn shutdown(&self) -> Vec<FromChecker> {
        let mut out = Vec::new();
        for (sp, s) in self.plan.services.iter().zip(&self.services) {
            if sp.omega {
                s.stop_notifies(&mut out);
            }
        }
        out
    }

    /// Every checker of the configuration in force.
    pub fn checks(&self) -> impl Iterator<Item = (CheckerRef, &CheckPlan)> + '_ {
        self.plan.services.iter().enumerate().flat_map(|(vi, s)| {
            s.servers.iter().enumerate().flat_map(move |(ri, r)| {
                r.checks.iter().enumerate().map(move |(ci, c)| {
                    (
                        CheckerRef {
                            server: RealServerRef {
                                vs: index(vi),
                                rs: index(ri),
                            },
                            checker: index(ci),
                        },
                        c,
                    )
                })
            })
        })
    }

    /// The checker `target`, if it exists.
    pub fn check(&self, target: CheckerRef) -> Option<&CheckPlan> {
        self.plan
            .services
            .get(usize::try_from(target.server.vs).ok()?)?
            .servers
            .get(usize::try_from(target.server.rs).ok()?)?
            .checks
            .get(usize::try_from(target.checker).ok()?)
    }

    /// Takes a checker's result; returns what changed and when it runs next (`None`:
    /// no such checker).
    pub fn record(
        &mut self,
        target: CheckerRef,
        outcome: Outcome,
        out: &mut Vec<FromChecker>,
    ) -> Option<Report> {
        let vs = usize::try_from(target.server.vs).ok()?;
        let rs = usize::try_from(target.server.rs).ok()?;
        let checker = usize::try_from(target.checker).ok()?;
        self.services.get_mut(vs)?.record(rs, checker, outcome, out)
    }

    /// Whether virtual server #vs has its quorum.
    pub fn quorum_up(&self, vs: Index) -> Option<bool> {
        self.services
            .get(usize::try_from(vs).ok()?)
            .map(|s| s.quorum_up())
    }

    /// The name of real server `r` and its virtual server, for log lines.
    pub fn names(&self, r: RealServerRef) -> Option<(&str, &str)> {
        let s = self.plan.services.get(usize::try_from(r.vs).ok()?)?;
        let rs = s.servers.get(usize::try_from(r.rs).ok()?)?;
        Some((&rs.name, &s.name))
    }

    /// The status of every real server, in order.
    pub fn statuses(&self) -> Vec<RealServerStatus> {
        self.services
            .iter()
            .flat_map(|s| (0..s.len()).filter_map(move |i| s.status(i)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::health::CheckerParams;
    use crate::plan::{Endpoint, Kind, ServerPlan, ServicePlan};
    use crate::service::{ServerSpec, ServiceSpec};
    use std::time::Duration;
    use vigil_config::model::lvs::Service as Svc;
    use vigil_ipc::msg::checker::IpvsChange;

    fn check(port: u16) -> CheckPlan {
        CheckPlan {
            keyword: "TCP_CHECK",
            kind: Kind::Tcp(Endpoint {
                target: format!("127.0.0.1:{port}").parse().expect("address"),
                bind: None,
                privileged: false,
            }),
            params: CheckerParams {
                retry: 0,
                alpha: false,
            },
            delay_loop: Duration::from_secs(1),
            delay_before_retry: Duration::from_secs(1),
            warmup: Duration::ZERO,
            connect_timeout: Duration::from_secs(1),
            log_all_failures: false,
        }
    }

    fn server(last: u8, port: u16) -> ServerPlan {
        let c = check(port);
        ServerPlan {
            name: format!("rs{last}"),
            key: (
                format!("198.51.100.{last}").parse().expect("address"),
                Some(80),
            ),
            spec: ServerSpec {
                weight: 1,
                inhibit: false,
                notify_up: false,
                notify_down: false,
                checkers: vec![c.params],
            },
            checks: vec![c],
        }
    }

    fn service(port: u16, servers: Vec<ServerPlan>) -> ServicePlan {
        ServicePlan {
            name: format!("vs{port}"),
            key: (
                Svc::Address {
                    address: "192.0.2.1".parse().expect("address"),
                    port: Some(port),
                },
                None,
            ),
            sorry: None,
            omega: false,
            spec: ServiceSpec {
                quorum: 1,
                hysteresis: 0,
                sorry_server: false,
                quorum_up: false,
                quorum_down: false,
                servers: Vec::new(),
            },
            servers,
        }
    }

    fn plan(services: Vec<ServicePlan>) -> Plan {
        Plan {
            services,
            warnings: Vec::new(),
        }
    }

    fn cref(vs: u32, rs: u32) -> CheckerRef {
        CheckerRef {
            server: RealServerRef { vs, rs },
            checker: 0,
        }
    }

    #[test]
    fn ipwrapper_clear_diff_rs_unchanged_server_keeps_state_across_reload() {
        let mut e = Engine::new();
        e.apply(plan(vec![service(80, vec![server(1, 1), server(2, 1)])]));
        let mut out = Vec::new();
        e.record(cref(0, 0), Outcome::Failure, &mut out);
        // Reload: server 2 moves to index 0, server 1 to index 1, server 3 is new.
        let applied = e.apply(plan(vec![service(
            80,
            vec![server(2, 1), server(1, 1), server(3, 1)],
        )]));
        assert_eq!(applied.kept, 2);
        assert!(applied.before_ack.is_empty());
        assert_eq!(
            applied.after_ack,
            vec![FromChecker::SetRealServer {
                server: RealServerRef { vs: 0, rs: 2 },
                change: IpvsChange::Add { weight: 1 }
            }]
        );
        let st = e.statuses();
        assert!(st[0].healthy);
        assert!(!st[1].healthy, "the failed server kept its state");
    }

    #[test]
    fn ipwrapper_clear_diff_rs_changed_checker_restarts_the_server() {
        let mut e = Engine::new();
        e.apply(plan(vec![service(80, vec![server(1, 1)])]));
        let mut out = Vec::new();
        e.record(cref(0, 0), Outcome::Failure, &mut out);
        let applied = e.apply(plan(vec![service(80, vec![server(1, 2)])]));
        assert_eq!(applied.kept, 0);
        // The old entry was absent (down); the new one starts up and is added.
        assert!(applied.before_ack.is_empty());
        assert_eq!(applied.after_ack.len(), 1);
        assert!(e.statuses()[0].healthy);
    }

    #[test]
    fn ipwrapper_clear_diff_services_removed_server_and_service_before_ack() {
        let mut e = Engine::new();
        e.apply(plan(vec![
            service(80, vec![server(1, 1), server(2, 1)]),
            service(81, vec![]),
        ]));
        let applied = e.apply(plan(vec![service(80, vec![server(2, 1)])]));
        assert_eq!(
            applied.before_ack,
            vec![
                FromChecker::SetVirtualServer {
                    vs: 1,
                    present: false
                },
                FromChecker::SetRealServer {
                    server: RealServerRef { vs: 0, rs: 0 },
                    change: IpvsChange::Remove
                },
            ]
        );
        assert!(applied.after_ack.is_empty(), "{:?}", applied.after_ack);
    }

    #[test]
    fn ipwrapper_clear_diff_s_srv_changed_sorry_server_leaves_before_ack() {
        use vigil_config::model::lvs::{Forwarding, SorryServer};
        let sorry = |last: u8| SorryServer {
            address: format!("192.0.2.{last}").parse().expect("address"),
            port: Some(80),
            inhibit: false,
            lvs_method: Forwarding::Nat,
        };
        let mut s1 = service(80, vec![server(1, 1)]);
        s1.sorry = Some(sorry(50));
        s1.spec.sorry_server = true;
        let mut e = Engine::new();
        e.apply(plan(vec![s1.clone()]));
        let mut out = Vec::new();
        e.record(cref(0, 0), Outcome::Failure, &mut out);
        assert!(out.contains(&FromChecker::SetSorryServer {
            vs: 0,
            present: true
        }));
        let mut s2 = s1.clone();
        s2.sorry = Some(sorry(51));
        let applied = e.apply(plan(vec![s2]));
        assert_eq!(
            applied.before_ack,
            vec![FromChecker::SetSorryServer {
                vs: 0,
                present: false
            }]
        );
        // The new sorry server goes in under the new configuration.
        assert_eq!(
            applied.after_ack,
            vec![FromChecker::SetSorryServer {
                vs: 0,
                present: true
            }]
        );
    }

    #[test]
    fn keepalived_conf_omega_runs_down_notifiers_on_shutdown() {
        let mut s = service(80, vec![server(1, 1), server(2, 1)]);
        s.omega = true;
        s.spec.quorum_down = true;
        for r in &mut s.servers {
            r.spec.notify_down = true;
        }
        let mut e = Engine::new();
        e.apply(plan(vec![s.clone()]));
        let mut out = Vec::new();
        e.record(cref(0, 1), Outcome::Failure, &mut out);
        assert_eq!(
            e.shutdown(),
            vec![
                FromChecker::NotifyRealServer {
                    server: RealServerRef { vs: 0, rs: 0 },
                    up: false
                },
                FromChecker::NotifyQuorum { vs: 0, up: false },
            ]
        );
        s.omega = false;
        let mut e = Engine::new();
        e.apply(plan(vec![s]));
        assert!(e.shutdown().is_empty());
    }

    #[test]
    fn unknown_checker_reference_is_ignored() {
        let mut e = Engine::new();
        let mut out = Vec::new();
        assert!(e.record(cref(3, 3), Outcome::Success, &mut out).is_none());
    }
}
