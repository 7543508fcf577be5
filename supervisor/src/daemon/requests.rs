//! What vigilctl asks on the control socket.

use super::*;

/// How long `vigilctl status` waits for vrrpd's fresh report.
const STATUS_WAIT: Duration = Duration::from_millis(500);

impl Daemon {
    pub(super) fn on_request(&mut self, incoming: Incoming) {
        let t = incoming.token;
        let request = match incoming.request {
            Ok(r) => r,
            Err(message) => {
                self.control
                    .answer(self.poll.registry(), t, &Response::Error { message });
                return;
            }
        };
        log::debug!("control request: {request:?}");
        match request {
            Request::Status => {
                // Counters change with every packet and vrrpd reports only state changes
                // unasked: ask it for a fresh picture and answer on its StatusEnd (or
                // after STATUS_WAIT with what is known).
                let running = self
                    .vrrp
                    .running
                    .as_ref()
                    .is_some_and(|r| r.phase == Phase::Running);
                if running {
                    self.nonce = self.nonce.wrapping_add(1);
                    let request = u32::try_from(self.nonce & u64::from(u32::MAX)).unwrap_or(0);
                    self.send_vrrp(&ToVrrp::StatusRequest { request });
                    self.status_waiters
                        .push((t, request, Instant::now() + STATUS_WAIT));
                } else {
                    let r = Response::Status(self.status_view());
                    self.control.answer(self.poll.registry(), t, &r);
                }
            }
            Request::Reload => {
                log::info!("reload asked on the control socket");
                self.reload(Some(t));
            }
            Request::Restart { child } => {
                let message = self.restart(child);
                self.control
                    .answer(self.poll.registry(), t, &Response::Ok { message });
            }
            Request::Stop => {
                self.control.answer(
                    self.poll.registry(),
                    t,
                    &Response::Ok {
                        message: "stopping".into(),
                    },
                );
                log::info!("stop asked on the control socket");
                self.begin_stop("asked on the control socket".into());
            }
        }
    }

    /// Answers the status requests that `done(request, deadline)` selects.
    pub(super) fn answer_status(&mut self, done: impl Fn(u32, Instant) -> bool) {
        let (ready, waiting): (Vec<_>, Vec<_>) = std::mem::take(&mut self.status_waiters)
            .into_iter()
            .partition(|&(_, request, deadline)| done(request, deadline));
        self.status_waiters = waiting;
        if ready.is_empty() {
            return;
        }
        let r = Response::Status(self.status_view());
        for (t, _, _) in ready {
            self.control.answer(self.poll.registry(), t, &r);
        }
    }

    pub(super) fn restart(&mut self, child: ChildName) -> String {
        let now = Instant::now();
        let (slot_running, name, enabled) = match child {
            ChildName::Vrrp => (self.vrrp.running.is_some(), "vrrp", self.vrrp.enabled),
            ChildName::Checker => (
                self.checker.running.is_some(),
                "checker",
                self.checker.enabled,
            ),
        };
        if !enabled {
            return format!("the {name} child is not run (-P/-C)");
        }
        if self.stopping.is_some() {
            return "vigild is stopping".into();
        }
        log::info!("restart of the {name} child asked on the control socket");
        if slot_running {
            match child {
                ChildName::Vrrp => {
                    self.vrrp.restart_requested = true;
                    ask_to_stop(&mut self.vrrp, now + STOP_GRACE);
                }
                ChildName::Checker => {
                    self.checker.restart_requested = true;
                    ask_to_stop(&mut self.checker, now + STOP_GRACE);
                }
            }
            format!("restarting the {name} child")
        } else {
            match child {
                ChildName::Vrrp => self.vrrp.restart_at = Some(now),
                ChildName::Checker => self.checker.restart_at = Some(now),
            }
            format!("starting the {name} child")
        }
    }

    pub(super) fn status_view(&self) -> StatusView {
        let now = Instant::now();
        let mut processes = vec![ProcessView {
            name: "vigild".into(),
            pid: Some(std::process::id()),
            uptime_secs: Some(now.duration_since(self.started).as_secs()),
            restarts: 0,
            state: if self.stopping.is_some() {
                "stopping".into()
            } else if self.pending.is_some() {
                "reloading".into()
            } else {
                "running".into()
            },
        }];
        processes.push(process_view(&self.vrrp, now));
        processes.push(process_view(&self.checker, now));
        StatusView {
            generation: self.generation,
            config_file: self.settings.config_path.display().to_string(),
            processes,
            instances: self.reports.instance_views(&self.config),
            real_servers: self.reports.server_views(&self.config),
            ipvs: self.reports.ipvs_view(&self.config),
        }
    }
}
