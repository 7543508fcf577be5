//! The two-phase reload (SIGHUP or `vigilctl reload`): parse and validate, send, commit
//! when every child applied it; a refusal keeps the configuration in force.

use super::*;

impl Daemon {
    pub(super) fn reload(&mut self, requester: Option<Token>) {
        if self.stopping.is_some() {
            if let Some(t) = requester {
                let r = Response::Error {
                    message: "vigild is stopping".into(),
                };
                self.control.answer(self.poll.registry(), t, &r);
            }
            return;
        }
        if self.pending.is_some() {
            // Answered together with the reload in progress.
            log::warn!("a reload is already in progress; this request waits for it");
            self.reload_waiters.extend(requester);
            return;
        }
        self.notifier.reloading();
        let path = self.settings.config_path.clone();
        match reload::load(&path, &self.settings.config_id) {
            Err(errors) => {
                log::error!(
                    "{}: configuration not valid; keeping generation {}",
                    path.display(),
                    self.generation
                );
                for e in &errors {
                    log::error!("{e}");
                }
                self.notifier
                    .reloaded("reload refused: configuration not valid");
                if let Some(t) = requester {
                    let r = Response::Reload(ReloadOutcome {
                        applied: false,
                        generation: self.generation,
                        errors,
                    });
                    self.control.answer(self.poll.registry(), t, &r);
                }
            }
            Ok((config, notes)) => {
                log_notes(&notes);
                let generation = self.next_generation;
                self.next_generation += 1;
                let vrrp = self.vrrp.running.is_some();
                let checker = self.checker.running.is_some();
                log::info!("sending configuration generation {generation} to the children");
                self.pending = Some(Pending::new(generation, config, vrrp, checker));
                self.reload_waiters.extend(requester);
                let sent_vrrp = vrrp
                    && matches!(self.vrrp.running.as_ref().map(|r| r.phase), Some(p) if p != Phase::Handshake);
                let sent_checker = checker
                    && matches!(self.checker.running.as_ref().map(|r| r.phase), Some(p) if p != Phase::Handshake);
                // A child still in its handshake gets the pending configuration right
                // after its Hello (send_config).
                if sent_vrrp {
                    self.send_config(Who::Vrrp);
                }
                if sent_checker {
                    self.send_config(Who::Checker);
                }
                if let Some(p) = self.pending.as_mut() {
                    let v = p.verdict();
                    self.on_verdict(v);
                }
            }
        }
    }

    pub(super) fn on_verdict(&mut self, v: Verdict) {
        let outcome = match v {
            Verdict::Waiting => return,
            Verdict::Commit => {
                let Some(p) = self.pending.take() else { return };
                self.config = p.config;
                self.generation = p.generation;
                let (scripts, notes) = ScriptTable::prepare(&self.config);
                log_notes(&notes);
                self.scripts = scripts;
                log::info!("configuration generation {} in force", self.generation);
                self.notifier.reloaded(&format!(
                    "configuration generation {} in force",
                    self.generation
                ));
                ReloadOutcome {
                    applied: true,
                    generation: self.generation,
                    errors: Vec::new(),
                }
            }
            Verdict::Keep(errors) => {
                let Some(p) = self.pending.take() else { return };
                log::error!(
                    "configuration generation {} refused; generation {} stays in force",
                    p.generation,
                    self.generation
                );
                // A child that applied the refused generation goes back to the one in
                // force, so both run the same configuration.
                if self.vrrp.running.as_ref().and_then(|r| r.applied) == Some(p.generation) {
                    self.send_config(Who::Vrrp);
                }
                if self.checker.running.as_ref().and_then(|r| r.applied) == Some(p.generation) {
                    self.send_config(Who::Checker);
                }
                self.notifier.reloaded("reload refused by a child");
                ReloadOutcome {
                    applied: false,
                    generation: self.generation,
                    errors,
                }
            }
        };
        let r = Response::Reload(outcome);
        for t in std::mem::take(&mut self.reload_waiters) {
            self.control.answer(self.poll.registry(), t, &r);
        }
    }
}
