//! The children's channels: the handshake and privilege check, the configuration
//! stream, validation of every request, and handing what passes to the broker.

use super::*;

impl Daemon {
    pub(super) fn send_vrrp(&mut self, m: &ToVrrp) {
        if let Some(r) = self.vrrp.running.as_mut().filter(|r| !r.closed) {
            if let Err(e) = r.channel.send(m) {
                self.channel_failed(Who::Vrrp, m.kind(), e);
            }
        }
    }

    pub(super) fn send_checker(&mut self, m: ToChecker, fds: Vec<std::os::fd::OwnedFd>) {
        if let Some(r) = self.checker.running.as_mut().filter(|r| !r.closed) {
            if let Err(e) = r.channel.send_with_fds(&m, fds) {
                self.channel_failed(Who::Checker, m.kind(), e);
            }
        }
    }

    pub(super) fn channel_failed(&mut self, who: Who, doing: &str, e: ChannelError) {
        match e {
            ChannelError::Closed => self.on_failure(who, e),
            e => self.kill_child(who, &format!("{doing}: {e}")),
        }
    }

    pub(super) fn on_vrrp(&mut self) {
        let (events, failure) = drain(&mut self.vrrp);
        let mut more = failure.is_none() && events.len() >= BURST;
        for ev in events {
            if self.vrrp.running.is_none() {
                more = false;
                break;
            }
            match ev {
                Event::Established(hello) => self.on_hello(Who::Vrrp, hello.pid),
                Event::Message(m) => self.on_vrrp_message(m),
            }
        }
        if let Some(f) = failure {
            self.on_failure(Who::Vrrp, f);
        } else if more {
            self.again.push(VRRP);
        }
    }

    pub(super) fn on_checker(&mut self) {
        let (events, failure) = drain(&mut self.checker);
        let mut more = failure.is_none() && events.len() >= BURST;
        for ev in events {
            if self.checker.running.is_none() {
                more = false;
                break;
            }
            match ev {
                Event::Established(hello) => self.on_hello(Who::Checker, hello.pid),
                Event::Message(m) => self.on_checker_message(m),
            }
        }
        if let Some(f) = failure {
            self.on_failure(Who::Checker, f);
        } else if more {
            self.again.push(CHECKER);
        }
    }

    pub(super) fn on_failure(&mut self, who: Who, e: ChannelError) {
        match e {
            // It closed its end: it is exiting, maybe still cleaning up (a vrrpd
            // removing its addresses). Let it finish, within the stop bound.
            ChannelError::Closed => {
                let deadline = Instant::now() + STOP_GRACE;
                match who {
                    Who::Vrrp => self.vrrp.closed(self.poll.registry(), deadline),
                    Who::Checker => self.checker.closed(self.poll.registry(), deadline),
                }
                // It may have exited already (its SIGCHLD may have come first).
                self.reap_all();
            }
            other => self.kill_child(who, &other.to_string()),
        }
    }

    pub(super) fn on_hello(&mut self, who: Who, claimed: u32) {
        let result = match who {
            Who::Vrrp => hello_checks(&self.vrrp),
            Who::Checker => hello_checks(&self.checker),
        };
        let pid = result.as_ref().map_or(0, |(p, _)| *p);
        if claimed != pid {
            self.kill_child(who, &format!("its Hello names pid {claimed}"));
            return;
        }
        if let Some(Err(e)) = result.map(|(_, r)| r) {
            self.kill_child(who, &format!("privilege check failed: {e}"));
            return;
        }
        log::info!(
            "{} child (pid {pid}): privileges verified; sending its configuration",
            match who {
                Who::Vrrp => "vrrp",
                Who::Checker => "checker",
            }
        );
        self.send_config(who);
    }

    /// Sends a child the configuration it should run: a pending reload's (so that a
    /// child started during a reload answers it like the other one), else the one in
    /// force.
    pub(super) fn send_config(&mut self, who: Who) {
        let (config, generation) = match &self.pending {
            Some(p) => (&p.config, p.generation),
            None => (&self.config, self.generation),
        };
        let result = match who {
            Who::Vrrp => send_stream(&mut self.vrrp, config, generation),
            Who::Checker => send_stream(&mut self.checker, config, generation),
        };
        if let Err(e) = result {
            self.kill_child(who, &format!("sending the configuration: {e}"));
        }
    }

    pub(super) fn awaiting(&self, who: Who) -> Option<u64> {
        let phase = match who {
            Who::Vrrp => self.vrrp.running.as_ref().map(|r| r.phase),
            Who::Checker => self.checker.running.as_ref().map(|r| r.phase),
        };
        match phase {
            Some(Phase::Configuring(g)) => Some(g),
            _ => None,
        }
    }

    pub(super) fn on_vrrp_message(&mut self, m: FromVrrp) {
        let ctx = Context {
            config: &self.config,
            awaiting: self.awaiting(Who::Vrrp),
        };
        if let Err(refusal) = validate::from_vrrp(&m, &ctx) {
            log_refusal("vrrp", m.kind(), &refusal);
            return;
        }
        match m {
            FromVrrp::ConfigApplied { generation } => self.applied(Who::Vrrp, generation, None),
            FromVrrp::ConfigRejected { generation, reason } => {
                self.applied(Who::Vrrp, generation, Some(reason))
            }
            FromVrrp::Pong(n) => pong(&mut self.vrrp, n),
            FromVrrp::StatusEnd { request } => self.answer_status(|r, _| r == request),
            other => {
                let replies = self.broker().vrrp(other);
                for r in replies {
                    self.send_vrrp(&r);
                }
            }
        }
    }

    pub(super) fn on_checker_message(&mut self, m: FromChecker) {
        let ctx = Context {
            config: &self.config,
            awaiting: self.awaiting(Who::Checker),
        };
        if let Err(refusal) = validate::from_checker(&m, &ctx) {
            log_refusal("checker", m.kind(), &refusal);
            return;
        }
        match m {
            FromChecker::ConfigApplied { generation } => {
                self.applied(Who::Checker, generation, None)
            }
            FromChecker::ConfigRejected { generation, reason } => {
                self.applied(Who::Checker, generation, Some(reason))
            }
            FromChecker::Pong(n) => pong(&mut self.checker, n),
            other => {
                let replies = self.broker().checker(other);
                for (r, fds) in replies {
                    self.send_checker(r, fds);
                }
            }
        }
    }

    pub(super) fn broker(&mut self) -> Broker<'_> {
        Broker {
            config: &self.config,
            scripts: &self.scripts,
            runner: &mut self.runner,
            registry: self.poll.registry(),
            reports: &mut self.reports,
        }
    }

    pub(super) fn applied(&mut self, who: Who, generation: u64, rejected: Option<String>) {
        let name = match who {
            Who::Vrrp => "vrrp",
            Who::Checker => "checker",
        };
        let ok = rejected.is_none();
        match who {
            Who::Vrrp => mark_applied(&mut self.vrrp, generation, ok),
            Who::Checker => mark_applied(&mut self.checker, generation, ok),
        }
        match &rejected {
            None => log::info!("{name} child applied configuration generation {generation}"),
            Some(why) => {
                log::error!("{name} child rejected configuration generation {generation}: {why}")
            }
        }
        if ok {
            // The full picture after a (re)start or reload; changes come unasked.
            self.nonce = self.nonce.wrapping_add(1);
            let request = u32::try_from(self.nonce & u64::from(u32::MAX)).unwrap_or(0);
            match who {
                Who::Vrrp => self.send_vrrp(&ToVrrp::StatusRequest { request }),
                Who::Checker => self.send_checker(ToChecker::StatusRequest { request }, Vec::new()),
            }
        }
        if let Some(p) = self.pending.as_mut() {
            let v = p.answer(who, generation, rejected.map(|r| format!("{name}: {r}")));
            self.on_verdict(v);
        }
        self.maybe_ready();
    }

    pub(super) fn maybe_ready(&mut self) {
        if self.notifier.is_ready() || self.pending.is_some() {
            return;
        }
        let g = self.generation;
        let ok = |applied: Option<u64>, enabled: bool| !enabled || applied == Some(g);
        let vrrp = ok(
            self.vrrp.running.as_ref().and_then(|r| r.applied),
            self.vrrp.enabled,
        );
        let checker = ok(
            self.checker.running.as_ref().and_then(|r| r.applied),
            self.checker.enabled,
        );
        if vrrp && checker {
            log::info!("every child applied configuration generation {g}: ready");
            self.notifier
                .ready(&format!("configuration generation {g} in force"));
        }
    }
}
