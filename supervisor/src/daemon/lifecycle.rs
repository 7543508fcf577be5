//! Starting, restarting and stopping the children: the restart and VIP rules on a
//! child's end, the fatal exits, the orderly stop.

use super::*;

impl Daemon {
    pub(super) fn start_vrrp(&mut self) {
        let user = self.config.global.vrrp_user.clone();
        match start_slot(
            &mut self.vrrp,
            &self.settings.spec,
            user.as_deref(),
            &self.config.global.vrrp_process,
            &self.poll,
            VRRP,
        ) {
            Ok(()) => {}
            Err(StartError::User(e)) => self.fatal(format!("vrrp child: {e}"), 78),
            Err(StartError::Spawn(e)) => {
                log::error!("vrrp child: {e}");
                self.schedule_restart(Who::Vrrp, Duration::ZERO);
            }
        }
    }

    pub(super) fn start_checker(&mut self) {
        let user = self.config.global.checker_user.clone();
        match start_slot(
            &mut self.checker,
            &self.settings.spec,
            user.as_deref(),
            &self.config.global.checker_process,
            &self.poll,
            CHECKER,
        ) {
            Ok(()) => {}
            Err(StartError::User(e)) => self.fatal(format!("checker child: {e}"), 78),
            Err(StartError::Spawn(e)) => {
                log::error!("checker child: {e}");
                self.schedule_restart(Who::Checker, Duration::ZERO);
            }
        }
    }

    pub(super) fn schedule_restart(&mut self, who: Who, ran: Duration) {
        let (name, backoff, restart_at, restarts) = match who {
            Who::Vrrp => (
                "vrrp",
                &mut self.vrrp.backoff,
                &mut self.vrrp.restart_at,
                &mut self.vrrp.restarts,
            ),
            Who::Checker => (
                "checker",
                &mut self.checker.backoff,
                &mut self.checker.restart_at,
                &mut self.checker.restarts,
            ),
        };
        let delay = backoff.on_death(ran);
        *restarts = restarts.saturating_add(1);
        *restart_at = Some(Instant::now() + delay);
        if delay.is_zero() {
            log::warn!("{name} child: restarting now (restart #{restarts})");
        } else {
            log::warn!(
                "{name} child: restarting in {:.1} s (restart #{restarts}, {} quick exits in a row)",
                delay.as_secs_f64(),
                backoff.quick_deaths()
            );
        }
    }

    pub(super) fn kill_child(&mut self, who: Who, why: &str) {
        let ended = match who {
            Who::Vrrp => {
                if let Some(pid) = self.vrrp.pid() {
                    log::error!("vrrp child (pid {pid}): {why}; killing it");
                }
                self.vrrp.kill(self.poll.registry())
            }
            Who::Checker => {
                if let Some(pid) = self.checker.pid() {
                    log::error!("checker child (pid {pid}): {why}; killing it");
                }
                self.checker.kill(self.poll.registry())
            }
        };
        if let Some(e) = ended {
            self.after_exit(who, e, Some(why));
        }
    }

    /// Everything that follows a child's end: the VIP rule, reports, the reload in
    /// progress, and the restart or the stop of the suite.
    pub(super) fn after_exit(&mut self, who: Who, e: Ended, killed_for: Option<&str>) {
        let name = match who {
            Who::Vrrp => "vrrp",
            Who::Checker => "checker",
        };
        let meaning = children::meaning_of(e.status);
        let how = match &meaning {
            ExitMeaning::Fatal(s) | ExitMeaning::Restart(s) => s.clone(),
        };
        let clean = e.asked_to_stop && e.status.success();
        if clean {
            log::info!("{name} child (pid {}) stopped", e.pid);
        } else {
            log::warn!(
                "{name} child (pid {}) {how} after {:.1} s",
                e.pid,
                e.ran.as_secs_f64()
            );
        }
        if who == Who::Vrrp {
            self.reports.forget_vrrp();
            // The VIP rule (see vip_cleanup): a vrrpd that did not stop cleanly may
            // have left virtual addresses behind; a node whose vrrpd is dead must not
            // hold them while the peer takes over, so they go before anything else.
            if !clean {
                vip_cleanup::remove_all(&self.config);
                // It may have applied a reload in progress: its addresses too.
                if let Some(p) = &self.pending {
                    vip_cleanup::remove_all(&p.config);
                }
            }
        } else {
            self.reports.forget_checker();
        }
        if let Some(p) = self.pending.as_mut() {
            let v = p.forget(who);
            self.on_verdict(v);
        }
        if self.stopping.is_some() {
            return;
        }
        let requested = match who {
            Who::Vrrp => std::mem::take(&mut self.vrrp.restart_requested),
            Who::Checker => std::mem::take(&mut self.checker.restart_requested),
        };
        match meaning {
            ExitMeaning::Fatal(reason) if killed_for.is_none() && !requested => {
                let code = e
                    .status
                    .code()
                    .and_then(|c| u8::try_from(c).ok())
                    .unwrap_or(1);
                self.fatal(
                    format!("{name} child {reason}; stopping the suite (not restarting it)"),
                    code,
                );
            }
            _ if requested => {
                let (slot_restarts, restart_at) = match who {
                    Who::Vrrp => (&mut self.vrrp.restarts, &mut self.vrrp.restart_at),
                    Who::Checker => (&mut self.checker.restarts, &mut self.checker.restart_at),
                };
                *slot_restarts = slot_restarts.saturating_add(1);
                *restart_at = Some(Instant::now());
                log::info!("{name} child: restarting as asked (restart #{slot_restarts})");
            }
            _ => self.schedule_restart(who, e.ran),
        }
    }

    pub(super) fn fatal(&mut self, message: String, code: u8) {
        log::error!("{message}");
        if self.exit_code == 0 {
            self.exit_code = code;
        }
        self.begin_stop(message);
    }

    pub(super) fn begin_stop(&mut self, reason: String) {
        if self.stopping.is_some() {
            return;
        }
        self.notifier.stopping();
        self.vrrp.restart_at = None;
        self.checker.restart_at = None;
        let deadline = Instant::now() + STOP_GRACE;
        self.stopping = Some(Stopping { reason });
        ask_to_stop(&mut self.vrrp, deadline);
        ask_to_stop(&mut self.checker, deadline);
        // The channels are flushed by ask_to_stop; a child that cannot even take the
        // message is killed at the deadline.
    }

    pub(super) fn finish(&mut self) {
        self.runner.kill_all(self.poll.registry());
        let answer = Response::Error {
            message: "vigild stopped".into(),
        };
        for t in std::mem::take(&mut self.reload_waiters) {
            self.control.answer(self.poll.registry(), t, &answer);
        }
        self.control.remove();
        if let Some(s) = &self.stopping {
            log::info!("stopped ({})", s.reason);
        }
    }
}
