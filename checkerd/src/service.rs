//! One virtual server: its real servers' health, its quorum and sorry server, turned
//! into the IPVS state the checker wants and the notifications it asks for. Pure logic
//! (keepalived/check/ipwrapper.c `init_service_vs`, `perform_svr_state`,
//! `update_quorum_state`, `perform_quorum_state`, `update_svr_wgt`).
//!
//! Instead of issuing commands as events happen, every event updates the health and
//! quorum and then the wanted IPVS state of each real server is compared with what was
//! last asked for: only differences are sent. The wanted state follows keepalived:
//! - quorum lost and a sorry server configured: the sorry server is in; the real
//!   servers are out (weight 0 with `inhibit_on_failure`);
//! - otherwise a live server is in with its effective weight, a dead one out (weight 0
//!   with `inhibit_on_failure`), and the sorry server is out.

use crate::health::{CheckerParams, Outcome, Report, ServerHealth};
use crate::quorum::Quorum;
use vigil_ipc::msg::checker::{IpvsChange, RealServerRef, RealServerStatus};
use vigil_ipc::msg::Index;
use vigil_ipc::FromChecker;

/// What the health logic needs of a real server's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerSpec {
    /// The configured weight.
    pub weight: u32,
    /// `inhibit_on_failure`: weight 0 instead of removal.
    pub inhibit: bool,
    /// A `notify_up` script is configured.
    pub notify_up: bool,
    /// A `notify_down` script is configured.
    pub notify_down: bool,
    /// Its checkers.
    pub checkers: Vec<CheckerParams>,
}

/// What the health logic needs of a virtual server's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceSpec {
    /// `quorum`.
    pub quorum: u32,
    /// `hysteresis`.
    pub hysteresis: u32,
    /// A `sorry_server` is configured.
    pub sorry_server: bool,
    /// A `quorum_up` script is configured.
    pub quorum_up: bool,
    /// A `quorum_down` script is configured.
    pub quorum_down: bool,
    /// The real servers, in configuration order.
    pub servers: Vec<ServerSpec>,
}

/// The state of a real server kept over a reload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CarriedServer {
    /// Its health.
    pub health: ServerHealth,
    /// What IPVS has for it: `Some(weight)` or absent.
    pub ipvs: Option<u32>,
}

/// The state of a virtual server kept over a reload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CarriedService {
    /// The quorum was up.
    pub quorum_up: bool,
    /// The sorry server was in IPVS.
    pub sorry_in_ipvs: bool,
}

#[derive(Debug, Clone)]
struct Server {
    spec: ServerSpec,
    health: ServerHealth,
    ipvs: Option<u32>,
}

/// One virtual server's state.
#[derive(Debug, Clone)]
pub struct Service {
    index: Index,
    spec: ServiceSpec,
    quorum: Quorum,
    sorry_in_ipvs: bool,
    servers: Vec<Server>,
}

impl Service {
    /// Starts virtual server #`index`, with the carried state of some of its real
    /// servers (`carried[i]` for server #i) and of itself; appends what to ask the
    /// supervisor to `out`.
    pub fn start(
        index: Index,
        spec: ServiceSpec,
        carried: Vec<Option<CarriedServer>>,
        carried_service: Option<CarriedService>,
        out: &mut Vec<FromChecker>,
    ) -> Service {
        let mut carried = carried.into_iter();
        let servers: Vec<Server> = spec
            .servers
            .iter()
            .map(|s| match carried.next().flatten() {
                Some(c) => Server {
                    spec: s.clone(),
                    health: c.health.carried_over(s.weight),
                    ipvs: c.ipvs,
                },
                None => Server {
                    spec: s.clone(),
                    health: ServerHealth::new(s.weight, &s.checkers),
                    ipvs: None,
                },
            })
            .collect();
        let live = live_weight(&servers);
        let (quorum, sorry_in_ipvs) = match carried_service {
            Some(c) => (
                Quorum::carried(spec.quorum, spec.hysteresis, c.quorum_up),
                c.sorry_in_ipvs,
            ),
            None => (Quorum::initial(spec.quorum, spec.hysteresis, live), false),
        };
        let mut service = Service {
            index,
            spec,
            quorum,
            sorry_in_ipvs,
            servers,
        };
        if carried_service.is_none() {
            out.push(FromChecker::SetVirtualServer {
                vs: index,
                present: true,
            });
            // ipwrapper.c update_quorum_state(init): starting with the quorum down and a
            // sorry server is a quorum-down event (the sorry server goes in).
            if !service.quorum.is_up() && service.spec.sorry_server {
                service.notify_quorum(false, out);
            }
        } else {
            // The settings may have changed: keepalived re-evaluates on reload.
            service.update_quorum(out);
        }
        service.reconcile(out);
        service
    }

    /// The virtual server's index.
    pub fn index(&self) -> Index {
        self.index
    }

    /// True while the quorum is met.
    pub fn quorum_up(&self) -> bool {
        self.quorum.is_up()
    }

    /// True while the sorry server is in IPVS.
    pub fn sorry_in_ipvs(&self) -> bool {
        self.sorry_in_ipvs
    }

    /// How many real servers.
    pub fn len(&self) -> usize {
        self.servers.len()
    }

    /// True without real servers.
    pub fn is_empty(&self) -> bool {
        self.servers.is_empty()
    }

    /// The health of real server #rs.
    pub fn health(&self, rs: usize) -> Option<&ServerHealth> {
        self.servers.get(rs).map(|s| &s.health)
    }

    /// What real server #rs would carry over a reload.
    pub fn carry(&self, rs: usize) -> Option<CarriedServer> {
        self.servers.get(rs).map(|s| CarriedServer {
            health: s.health.clone(),
            ipvs: s.ipvs,
        })
    }

    /// What this virtual server would carry over a reload.
    pub fn carry_service(&self) -> CarriedService {
        CarriedService {
            quorum_up: self.quorum.is_up(),
            sorry_in_ipvs: self.sorry_in_ipvs,
        }
    }

    /// The status report of real server #rs.
    pub fn status(&self, rs: usize) -> Option<RealServerStatus> {
        let s = self.servers.get(rs)?;
        Some(RealServerStatus {
            server: RealServerRef {
                vs: self.index,
                rs: index(rs),
            },
            healthy: s.health.is_up(),
            weight: s.ipvs.unwrap_or(0),
            failed_checkers: s.health.failed_checkers(),
            checks_run: s.health.checks_run(),
            checks_failed: s.health.checks_failed(),
        })
    }

    /// Takes the result of checker #checker of real server #rs; returns what it changed
    /// and when the checker runs next (`None` for indexes out of range).
    pub fn record(
        &mut self,
        rs: usize,
        checker: usize,
        outcome: Outcome,
        out: &mut Vec<FromChecker>,
    ) -> Option<Report> {
        let server = self.servers.get_mut(rs)?;
        let report = server.health.record(checker, outcome)?;
        let (notify_up, notify_down) = (server.spec.notify_up, server.spec.notify_down);
        let server_ref = RealServerRef {
            vs: self.index,
            rs: index(rs),
        };
        if report.initial_down_notify && notify_down {
            out.push(FromChecker::NotifyRealServer {
                server: server_ref,
                up: false,
            });
        }
        let changed =
            report.server.is_some() || report.checker.is_some() || report.weight.is_some();
        // perform_svr_state: the IPVS change, then the notify, then the quorum.
        let before = out.len();
        self.reconcile_servers(out);
        if let Some(up) = report.server {
            if (up && notify_up) || (!up && notify_down) {
                out.push(FromChecker::NotifyRealServer {
                    server: server_ref,
                    up,
                });
            }
        }
        if report.server.is_some() || report.weight.is_some() {
            self.update_quorum(out);
            self.reconcile(out);
        }
        if changed || out.len() != before {
            if let Some(status) = self.status(rs) {
                out.push(FromChecker::RealServerStatus(status));
            }
        }
        Some(report)
    }

    /// What stopping this virtual server asks for (it is not in the new configuration).
    pub fn remove(&mut self, out: &mut Vec<FromChecker>) {
        for rs in 0..self.servers.len() {
            self.remove_server(rs, out);
        }
        if self.sorry_in_ipvs {
            self.sorry_in_ipvs = false;
            out.push(FromChecker::SetSorryServer {
                vs: self.index,
                present: false,
            });
        }
        out.push(FromChecker::SetVirtualServer {
            vs: self.index,
            present: false,
        });
    }

    /// What removing real server #rs asks for (it is not in the new configuration):
    /// out of IPVS even with `inhibit_on_failure`, notify_down if it was up
    /// (ipwrapper.c `clear_service_rs`).
    pub fn remove_server(&mut self, rs: usize, out: &mut Vec<FromChecker>) {
        let vs = self.index;
        let Some(s) = self.servers.get_mut(rs) else {
            return;
        };
        let server = RealServerRef { vs, rs: index(rs) };
        if s.ipvs.take().is_some() {
            out.push(FromChecker::SetRealServer {
                server,
                change: IpvsChange::Remove,
            });
        }
        if s.health.is_up() && s.spec.notify_down {
            out.push(FromChecker::NotifyRealServer { server, up: false });
        }
    }

    /// The down notifications of stopping (`omega`): notify_down of every live real
    /// server, then quorum_down.
    pub fn stop_notifies(&self, out: &mut Vec<FromChecker>) {
        for (i, s) in self.servers.iter().enumerate() {
            if s.health.is_up() && s.spec.notify_down {
                out.push(FromChecker::NotifyRealServer {
                    server: RealServerRef {
                        vs: self.index,
                        rs: index(i),
                    },
                    up: false,
                });
            }
        }
        self.notify_quorum(false, out);
    }

    fn live_weight(&self) -> u64 {
        live_weight(&self.servers)
    }

    fn notify_quorum(&self, up: bool, out: &mut Vec<FromChecker>) {
        if (up && self.spec.quorum_up) || (!up && self.spec.quorum_down) {
            out.push(FromChecker::NotifyQuorum { vs: self.index, up });
        }
    }

    fn update_quorum(&mut self, out: &mut Vec<FromChecker>) {
        let live = self.live_weight();
        if let Some(up) = self.quorum.update(live) {
            // The IPVS changes of the transition come before the notification
            // (ipwrapper.c update_quorum_state).
            self.reconcile(out);
            self.notify_quorum(up, out);
        }
    }

    fn sorry_wanted(&self) -> bool {
        self.spec.sorry_server && !self.quorum.is_up()
    }

    /// Brings IPVS to the wanted state: on losing the quorum the real servers go out
    /// before the sorry server goes in; on gaining it the sorry server goes out first.
    fn reconcile(&mut self, out: &mut Vec<FromChecker>) {
        if self.sorry_wanted() {
            self.reconcile_servers(out);
            self.reconcile_sorry(out);
        } else {
            self.reconcile_sorry(out);
            self.reconcile_servers(out);
        }
    }

    fn reconcile_sorry(&mut self, out: &mut Vec<FromChecker>) {
        let want = self.sorry_wanted();
        if want != self.sorry_in_ipvs {
            self.sorry_in_ipvs = want;
            out.push(FromChecker::SetSorryServer {
                vs: self.index,
                present: want,
            });
        }
    }

    fn reconcile_servers(&mut self, out: &mut Vec<FromChecker>) {
        let sorry = self.sorry_wanted();
        let vs = self.index;
        for (i, s) in self.servers.iter_mut().enumerate() {
            let want = if !sorry && s.health.is_up() {
                Some(s.health.weight())
            } else if s.spec.inhibit {
                Some(0)
            } else {
                None
            };
            let change = match (s.ipvs, want) {
                (None, Some(weight)) => IpvsChange::Add { weight },
                (Some(old), Some(weight)) if old != weight => IpvsChange::SetWeight { weight },
                (Some(_), None) => IpvsChange::Remove,
                _ => continue,
            };
            s.ipvs = want;
            out.push(FromChecker::SetRealServer {
                server: RealServerRef { vs, rs: index(i) },
                change,
            });
        }
    }
}

fn live_weight(servers: &[Server]) -> u64 {
    servers
        .iter()
        .filter(|s| s.health.is_up())
        .map(|s| u64::from(s.health.weight()))
        .sum()
}

fn index(i: usize) -> Index {
    Index::try_from(i).unwrap_or(Index::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server(weight: u32, inhibit: bool, alpha: bool) -> ServerSpec {
        ServerSpec {
            weight,
            inhibit,
            notify_up: true,
            notify_down: true,
            checkers: vec![CheckerParams { retry: 0, alpha }],
        }
    }

    fn spec(servers: Vec<ServerSpec>) -> ServiceSpec {
        ServiceSpec {
            quorum: 1,
            hysteresis: 0,
            sorry_server: false,
            quorum_up: true,
            quorum_down: true,
            servers,
        }
    }

    fn rs(i: u32) -> RealServerRef {
        RealServerRef { vs: 0, rs: i }
    }

    fn set(i: u32, change: IpvsChange) -> FromChecker {
        FromChecker::SetRealServer {
            server: rs(i),
            change,
        }
    }

    fn only_ipvs(out: &[FromChecker]) -> Vec<FromChecker> {
        out.iter()
            .filter(|m| !matches!(m, FromChecker::RealServerStatus(_)))
            .cloned()
            .collect()
    }

    #[test]
    fn ipwrapper_init_service_vs_adds_the_service_and_live_servers() {
        let mut out = Vec::new();
        let s = Service::start(
            0,
            spec(vec![server(3, false, false)]),
            vec![],
            None,
            &mut out,
        );
        assert_eq!(
            out,
            vec![
                FromChecker::SetVirtualServer {
                    vs: 0,
                    present: true
                },
                set(0, IpvsChange::Add { weight: 3 }),
            ]
        );
        assert!(s.quorum_up());
    }

    #[test]
    fn ipwrapper_init_service_rs_alpha_server_not_added_unless_inhibit() {
        let mut out = Vec::new();
        Service::start(
            0,
            spec(vec![server(3, false, true), server(4, true, true)]),
            vec![],
            None,
            &mut out,
        );
        assert_eq!(
            out,
            vec![
                FromChecker::SetVirtualServer {
                    vs: 0,
                    present: true
                },
                set(1, IpvsChange::Add { weight: 0 }),
            ]
        );
    }

    #[test]
    fn ipwrapper_perform_svr_state_down_removes_and_notifies_down() {
        let mut out = Vec::new();
        let mut s = Service::start(
            0,
            spec(vec![server(1, false, false), server(1, false, false)]),
            vec![],
            None,
            &mut out,
        );
        out.clear();
        s.record(0, 0, Outcome::Failure, &mut out);
        assert_eq!(
            only_ipvs(&out),
            vec![
                set(0, IpvsChange::Remove),
                FromChecker::NotifyRealServer {
                    server: rs(0),
                    up: false
                },
            ]
        );
        assert!(
            matches!(out.last(), Some(FromChecker::RealServerStatus(st)) if !st.healthy && st.weight == 0)
        );
    }

    #[test]
    fn keepalived_conf_inhibit_on_failure_sets_weight_0_instead_of_removal() {
        let mut out = Vec::new();
        let mut s = Service::start(
            0,
            spec(vec![server(5, true, false), server(1, false, false)]),
            vec![],
            None,
            &mut out,
        );
        out.clear();
        s.record(0, 0, Outcome::Failure, &mut out);
        assert_eq!(
            only_ipvs(&out)[0],
            set(0, IpvsChange::SetWeight { weight: 0 })
        );
        out.clear();
        s.record(0, 0, Outcome::Success, &mut out);
        assert_eq!(
            only_ipvs(&out)[0],
            set(0, IpvsChange::SetWeight { weight: 5 })
        );
    }

    #[test]
    fn ipwrapper_update_quorum_state_lost_and_gained_notify() {
        let mut out = Vec::new();
        let mut s = Service::start(
            0,
            spec(vec![server(1, false, false)]),
            vec![],
            None,
            &mut out,
        );
        out.clear();
        s.record(0, 0, Outcome::Failure, &mut out);
        assert!(only_ipvs(&out).contains(&FromChecker::NotifyQuorum { vs: 0, up: false }));
        assert!(!s.quorum_up());
        out.clear();
        s.record(0, 0, Outcome::Success, &mut out);
        assert!(only_ipvs(&out).contains(&FromChecker::NotifyQuorum { vs: 0, up: true }));
    }

    #[test]
    fn ipwrapper_update_quorum_state_sorry_server_in_when_quorum_lost_out_when_gained() {
        let mut sp = spec(vec![server(2, false, false), server(2, false, false)]);
        sp.quorum = 3;
        sp.sorry_server = true;
        let mut out = Vec::new();
        let mut s = Service::start(0, sp, vec![], None, &mut out);
        out.clear();
        // 2 < 3: quorum lost; the remaining live server leaves the pool, the sorry
        // server comes in (perform_quorum_state(vs, false)).
        s.record(0, 0, Outcome::Failure, &mut out);
        assert_eq!(
            only_ipvs(&out),
            vec![
                set(0, IpvsChange::Remove),
                FromChecker::NotifyRealServer {
                    server: rs(0),
                    up: false
                },
                set(1, IpvsChange::Remove),
                FromChecker::SetSorryServer {
                    vs: 0,
                    present: true
                },
                FromChecker::NotifyQuorum { vs: 0, up: false },
            ]
        );
        out.clear();
        s.record(0, 0, Outcome::Success, &mut out);
        assert_eq!(
            only_ipvs(&out),
            vec![
                FromChecker::NotifyRealServer {
                    server: rs(0),
                    up: true
                },
                FromChecker::SetSorryServer {
                    vs: 0,
                    present: false
                },
                set(0, IpvsChange::Add { weight: 2 }),
                set(1, IpvsChange::Add { weight: 2 }),
                FromChecker::NotifyQuorum { vs: 0, up: true },
            ]
        );
    }

    #[test]
    fn ipwrapper_perform_svr_state_no_ipvs_change_while_sorry_server_serves() {
        let mut sp = spec(vec![server(1, false, false), server(1, false, false)]);
        sp.quorum = 2;
        sp.sorry_server = true;
        let mut out = Vec::new();
        let mut s = Service::start(0, sp, vec![], None, &mut out);
        s.record(0, 0, Outcome::Failure, &mut out);
        out.clear();
        s.record(1, 0, Outcome::Failure, &mut out);
        assert_eq!(
            only_ipvs(&out),
            vec![FromChecker::NotifyRealServer {
                server: rs(1),
                up: false
            }]
        );
    }

    #[test]
    fn ipwrapper_update_quorum_state_init_with_quorum_down_adds_sorry_and_notifies() {
        let mut sp = spec(vec![server(1, false, true)]);
        sp.sorry_server = true;
        let mut out = Vec::new();
        Service::start(0, sp, vec![], None, &mut out);
        assert_eq!(
            out,
            vec![
                FromChecker::SetVirtualServer {
                    vs: 0,
                    present: true
                },
                FromChecker::NotifyQuorum { vs: 0, up: false },
                FromChecker::SetSorryServer {
                    vs: 0,
                    present: true
                },
            ]
        );
    }

    #[test]
    fn ipwrapper_update_quorum_state_init_without_sorry_server_is_silent() {
        let mut out = Vec::new();
        let s = Service::start(
            0,
            spec(vec![server(1, false, true)]),
            vec![],
            None,
            &mut out,
        );
        assert!(!s.quorum_up());
        assert_eq!(out.len(), 1, "only the virtual server: {out:?}");
    }

    #[test]
    fn ipwrapper_weigh_live_realservers_hysteresis_applies_to_weights() {
        let mut sp = spec(vec![
            server(2, false, false),
            server(2, false, false),
            server(2, false, false),
        ]);
        sp.quorum = 4;
        sp.hysteresis = 1;
        let mut out = Vec::new();
        let mut s = Service::start(0, sp, vec![], None, &mut out);
        assert!(s.quorum_up(), "6 >= 4+1");
        s.record(0, 0, Outcome::Failure, &mut out);
        assert!(s.quorum_up(), "4 >= 4-1");
        s.record(1, 0, Outcome::Failure, &mut out);
        assert!(!s.quorum_up(), "2 < 3");
        s.record(1, 0, Outcome::Success, &mut out);
        assert!(!s.quorum_up(), "4 < 4+1");
        s.record(0, 0, Outcome::Success, &mut out);
        assert!(s.quorum_up());
    }

    #[test]
    fn ipwrapper_update_svr_wgt_misc_dynamic_weight_changes_ipvs_and_quorum() {
        let mut sp = spec(vec![server(5, false, false)]);
        sp.quorum = 3;
        let mut out = Vec::new();
        let mut s = Service::start(0, sp, vec![], None, &mut out);
        out.clear();
        s.record(0, 0, Outcome::SuccessWithWeight(2), &mut out);
        assert_eq!(
            only_ipvs(&out),
            vec![
                set(0, IpvsChange::SetWeight { weight: 2 }),
                FromChecker::NotifyQuorum { vs: 0, up: false },
            ]
        );
    }

    #[test]
    fn notifies_only_for_configured_scripts() {
        let mut sp = spec(vec![server(1, false, false)]);
        sp.quorum_down = false;
        sp.servers[0].notify_down = false;
        let mut out = Vec::new();
        let mut s = Service::start(0, sp, vec![], None, &mut out);
        out.clear();
        s.record(0, 0, Outcome::Failure, &mut out);
        assert_eq!(only_ipvs(&out), vec![set(0, IpvsChange::Remove)]);
    }

    #[test]
    fn ipwrapper_clear_diff_rs_reload_keeps_state_and_sends_nothing_new() {
        let mut out = Vec::new();
        let mut s = Service::start(
            0,
            spec(vec![server(1, false, false), server(1, false, false)]),
            vec![],
            None,
            &mut out,
        );
        s.record(0, 0, Outcome::Failure, &mut out);
        let carried = vec![s.carry(0), s.carry(1)];
        out.clear();
        let n = Service::start(
            0,
            spec(vec![server(1, false, false), server(1, false, false)]),
            carried,
            Some(s.carry_service()),
            &mut out,
        );
        assert!(out.is_empty(), "{out:?}");
        assert!(!n.health(0).map(|h| h.is_up()).unwrap_or(true));
    }

    #[test]
    fn ipwrapper_clear_service_rs_removed_server_is_removed_even_when_inhibited() {
        let mut out = Vec::new();
        let mut s = Service::start(0, spec(vec![server(1, true, true)]), vec![], None, &mut out);
        out.clear();
        s.remove_server(0, &mut out);
        assert_eq!(out, vec![set(0, IpvsChange::Remove)]);
    }

    #[test]
    fn removed_virtual_server_takes_its_entries_out() {
        let mut sp = spec(vec![server(1, false, true)]);
        sp.sorry_server = true;
        let mut out = Vec::new();
        let mut s = Service::start(0, sp, vec![], None, &mut out);
        out.clear();
        s.remove(&mut out);
        assert_eq!(
            out,
            vec![
                FromChecker::SetSorryServer {
                    vs: 0,
                    present: false
                },
                FromChecker::SetVirtualServer {
                    vs: 0,
                    present: false
                },
            ]
        );
    }
}
