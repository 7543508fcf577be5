//! Lifecycle steps that are the same for both children, generic over their protocol.

use super::*;
use vigil_config::model::global::ProcessTuning;

/// A notification for a declared object that has no script for it is normal (vrrpd
/// reports every transition): debug. Anything naming what is not declared, or out of
/// range, is a warning.
pub(super) fn log_refusal(child: &str, kind: &str, refusal: &vigil_ipc::Refusal) {
    use vigil_ipc::Refusal;
    match refusal {
        Refusal::NoScript { .. } | Refusal::EventNotApplicable { .. } => {
            log::debug!("{kind} from the {child} child: nothing to run: {refusal}")
        }
        _ => log::warn!("refused {kind} from the {child} child: {refusal}; nothing done"),
    }
}

pub(super) enum StartError {
    User(String),
    Spawn(String),
}

pub(super) fn start_slot<P: ChildProto>(
    slot: &mut Slot<P>,
    spec: &SpawnSpec,
    user: Option<&str>,
    tuning: &ProcessTuning,
    poll: &Poll,
    token: Token,
) -> Result<(), StartError> {
    let account = vigil_privsep::user::resolve_configured(user)
        .map_err(|e| StartError::User(format!("cannot choose its user: {e}")))?;
    // The child lowers its own RLIMIT_RTTIME (see vigil_privsep::tune).
    let spec = SpawnSpec {
        rlimit_rttime: tuning.rt_priority.map(|_| tuning.rlimit_rttime),
        ..spec.clone()
    };
    let pid = slot
        .start(&spec, &account, poll.registry(), token)
        .map_err(StartError::Spawn)?;
    log::info!(
        "{} child started as pid {pid} (user {})",
        P::NAME,
        account.name
    );
    // keepalived's `*_priority`, `*_rt_priority`, `*_rlimit_rttime`, `*_cpu_affinity`:
    // a setting that fails is a warning (keepalived: "cannot raise priority").
    for e in vigil_privsep::tune::apply(pid, &tuning_of(tuning)) {
        log::warn!("{} child: {e}", P::NAME);
    }
    if tuning.no_swap {
        // mlockall(2) must be called by the process itself, which no longer has
        // CAP_IPC_LOCK once it runs its own code.
        log::warn!(
            "{} child: {}_no_swap is not applied (the child cannot lock its memory)",
            P::NAME,
            P::NAME
        );
    }
    Ok(())
}

/// The configuration's process tuning as vigil-privsep applies it.
fn tuning_of(t: &ProcessTuning) -> vigil_privsep::tune::Tuning {
    vigil_privsep::tune::Tuning {
        nice: t.priority,
        rt_priority: t.rt_priority,
        cpu_affinity: t.cpu_affinity.clone(),
    }
}

pub(super) fn process_view<P: ChildProto>(slot: &Slot<P>, now: Instant) -> ProcessView {
    let state = match (&slot.running, slot.restart_at) {
        _ if !slot.enabled => "disabled".to_string(),
        (Some(r), _) => match r.phase {
            Phase::Handshake => "starting".into(),
            Phase::Configuring(g) => format!("applying generation {g}"),
            Phase::Running => match r.applied {
                Some(g) => format!("running generation {g}"),
                None => "running (no configuration applied)".into(),
            },
            Phase::Stopping => "stopping".into(),
        },
        (None, Some(at)) => format!(
            "waiting to restart in {} s",
            at.saturating_duration_since(now).as_secs_f64().ceil()
        ),
        (None, None) => "not running".into(),
    };
    ProcessView {
        name: P::NAME.to_string(),
        pid: slot.pid(),
        uptime_secs: slot
            .running
            .as_ref()
            .map(|r| now.duration_since(r.started).as_secs()),
        restarts: slot.restarts,
        state,
    }
}

/// The next moment the lifecycle of a running child needs attention.
pub(super) fn child_deadline(
    phase: Phase,
    started: Instant,
    last_ping: Instant,
    ping: Option<(Nonce, Instant)>,
    kill_at: Option<Instant>,
) -> Option<Instant> {
    match phase {
        Phase::Handshake => Some(started + PONG_TIMEOUT),
        Phase::Stopping => kill_at,
        Phase::Configuring(_) | Phase::Running => Some(match ping {
            Some((_, sent)) => sent + PONG_TIMEOUT,
            None => last_ping + PING_INTERVAL,
        }),
    }
}

/// Pings a child when due; says why it must be killed when it failed to answer.
pub(super) fn liveness<P: ChildProto>(
    slot: &mut Slot<P>,
    nonce: &mut u64,
    now: Instant,
) -> Option<String> {
    let r = slot.running.as_mut()?;
    if r.closed && r.phase != Phase::Stopping {
        r.phase = Phase::Stopping;
    }
    match r.phase {
        Phase::Handshake => (now >= r.started + PONG_TIMEOUT)
            .then(|| format!("no Hello within {} s of its start", PONG_TIMEOUT.as_secs())),
        Phase::Stopping => r.kill_at.is_some_and(|t| now >= t).then(|| {
            format!(
                "still running {} ms after Shutdown or closing its channel",
                STOP_GRACE.as_millis()
            )
        }),
        Phase::Configuring(_) | Phase::Running => match r.ping {
            Some((_, sent)) if now >= sent + PONG_TIMEOUT => {
                Some(format!("no Pong within {} s", PONG_TIMEOUT.as_secs()))
            }
            Some(_) => None,
            None if now >= r.last_ping + PING_INTERVAL => {
                *nonce = nonce.wrapping_add(1);
                let n = Nonce(*nonce);
                r.ping = Some((n, now));
                r.last_ping = now;
                r.channel
                    .send(&P::ping(n))
                    .err()
                    .map(|e| format!("sending Ping: {e}"))
            }
            None => None,
        },
    }
}

pub(super) fn mark_applied<P: ChildProto>(slot: &mut Slot<P>, generation: u64, ok: bool) {
    if let Some(r) = slot.running.as_mut() {
        if r.phase != Phase::Stopping {
            r.phase = Phase::Running;
        }
        if ok {
            r.applied = Some(generation);
        }
    }
}

pub(super) fn pong<P: ChildProto>(slot: &mut Slot<P>, n: Nonce) {
    if let Some(r) = slot.running.as_mut() {
        match r.ping {
            Some((sent, _)) if sent == n => r.ping = None,
            _ => log::warn!("{} child: Pong {} that answers no Ping", P::NAME, n.0),
        }
    }
}

pub(super) fn ask_to_stop<P: ChildProto>(slot: &mut Slot<P>, deadline: Instant) {
    if let Some(r) = slot.running.as_mut() {
        r.phase = Phase::Stopping;
        r.kill_at = Some(r.kill_at.map_or(deadline, |t| t.min(deadline)));
        r.asked_to_stop = true;
        if r.closed {
            // Already on its way out.
            return;
        }
        if let Err(e) = r.channel.send(&P::shutdown()) {
            log::warn!("{} child: cannot send Shutdown: {e}", P::NAME);
            r.kill_at = Some(Instant::now());
        }
    }
}

/// Reads what the child sent, up to [`BURST`] messages; also flushes the queue.
pub(super) fn drain<P: ChildProto>(
    slot: &mut Slot<P>,
) -> (Vec<Event<P::Rx>>, Option<ChannelError>) {
    let mut out = Vec::new();
    let Some(r) = slot.running.as_mut().filter(|r| !r.closed) else {
        return (out, None);
    };
    if let Err(e) = r.channel.flush() {
        return (out, Some(e));
    }
    while out.len() < BURST {
        match r.channel.recv() {
            Ok(Some(rx)) => out.push(rx.event),
            Ok(None) => break,
            Err(e) => return (out, Some(e)),
        }
    }
    (out, None)
}

pub(super) fn hello_checks<P: ChildProto>(slot: &Slot<P>) -> Option<(u32, Result<(), String>)> {
    let r = slot.running.as_ref()?;
    let pid = r.pid();
    Some((pid, children::verify(pid, &r.expected)))
}

pub(super) fn send_stream<P: ChildProto>(
    slot: &mut Slot<P>,
    config: &Config,
    generation: u64,
) -> Result<(), String> {
    let Some(r) = slot.running.as_mut() else {
        return Ok(());
    };
    let msgs = P::stream(config, generation).map_err(|e| e.to_string())?;
    for m in &msgs {
        r.channel.send(m).map_err(|e| e.to_string())?;
    }
    r.phase = Phase::Configuring(generation);
    Ok(())
}
