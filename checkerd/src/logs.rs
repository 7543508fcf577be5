//! keepalived-style log lines (check_tcp.c, check_http.c, ipwrapper.c), so that
//! existing runbooks and alerting that grep for them keep working.

use crate::engine::Engine;
use crate::health::{Outcome, Report};
use crate::plan::CheckPlan;
use vigil_ipc::msg::checker::{CheckerRef, IpvsChange, RealServerRef};
use vigil_ipc::FromChecker;

/// The name of virtual server #vs as log lines give it.
pub fn service_name(engine: &Engine, vs: u32) -> String {
    usize::try_from(vs)
        .ok()
        .and_then(|i| engine.plan().services.get(i))
        .map(|s| s.name.clone())
        .unwrap_or_else(|| format!("#{vs}"))
}

/// The names of a real server and its virtual server.
pub fn names(engine: &Engine, r: RealServerRef) -> (String, String) {
    engine
        .names(r)
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .unwrap_or_else(|| (format!("#{}", r.rs), format!("#{}", r.vs)))
}

/// The line for a checker's result, when it changed something or is asked for.
pub fn result(
    engine: &Engine,
    t: CheckerRef,
    plan: &CheckPlan,
    outcome: Outcome,
    reason: Option<&str>,
    report: Report,
) {
    let (rs, vs) = names(engine, t.server);
    let kw = plan.keyword;
    let reason = reason.unwrap_or("failed");
    match report.checker {
        Some(true) => log::info!("{kw} on service {rs} of VS {vs} succeeded"),
        Some(false) => {
            if plan.params.retry > 0 {
                log::info!(
                    "{kw} on service {rs} of VS {vs} failed after {} retries: {reason}",
                    plan.params.retry
                );
            } else {
                log::info!("{kw} on service {rs} of VS {vs} failed: {reason}");
            }
        }
        None if outcome == Outcome::Failure => {
            if plan.log_all_failures {
                log::info!("{kw} on service {rs} of VS {vs}: {reason}");
            } else {
                log::debug!("{kw} on service {rs} of VS {vs}: {reason}");
            }
        }
        None => {}
    }
}

/// The line for what is asked of the supervisor.
pub fn request(engine: &Engine, msg: &FromChecker) {
    match msg {
        FromChecker::SetRealServer { server, change } => {
            let (rs, vs) = names(engine, *server);
            match change {
                IpvsChange::Add { weight } => {
                    log::info!("Adding service {rs} to VS {vs} (weight {weight})")
                }
                IpvsChange::SetWeight { weight: 0 } => {
                    log::info!("Disabling service {rs} of VS {vs} (weight 0)")
                }
                IpvsChange::SetWeight { weight } => {
                    log::info!("Setting weight {weight} for service {rs} of VS {vs}")
                }
                IpvsChange::Remove => log::info!("Removing service {rs} from VS {vs}"),
            }
        }
        FromChecker::SetSorryServer { vs, present } => {
            let name = service_name(engine, *vs);
            if *present {
                log::info!("Adding sorry server to VS {name}");
            } else {
                log::info!("Removing sorry server from VS {name}");
            }
        }
        _ => {}
    }
}
