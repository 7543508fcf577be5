//! A deterministic simulator: many routers running the pure state machine on simulated
//! links with loss, delay and partitions, driven by a seeded PRNG and simulated time only.
//!
//! Each VRID lives on its own link (a group of routers). The run is a series of steps;
//! at each step every group gets one disturbance (a crash, a graceful stop, a restart, a
//! priority change, an interface going down or up, a loss burst starting or ending, a
//! partition or its healing, or nothing). The simulator then checks, for every group that
//! is not under packet loss:
//!
//! - within the RFC bound (Master_Down_Interval of the best remaining router, plus four
//!   one-way delays for tie resolution), each connected part of the link has exactly one
//!   MASTER, and with preemption it is one of the highest-priority routers;
//! - routers whose interface is down are in FAULT;
//! - after that, for a long quiet window, no transition happens at all (no flapping on a
//!   stable network).
//!
//! Same seed, same run: there is no clock, thread or hash-map iteration order inside.

use crate::fsm::{
    master_down_interval, Action, Advert, Config, Event, Instance, State, Timer, Version,
};
use crate::time::{Span, Time};
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fmt;
use std::net::IpAddr;

/// SplitMix64: tiny, fast, and its output for a seed never changes between releases
/// (a `rand` upgrade may change `StdRng`'s stream and with it every recorded failure).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator for `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0; the modulo bias is irrelevant here).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi.saturating_sub(lo) + 1)
    }

    /// True with probability `percent` / 100.
    pub fn percent(&mut self, percent: u32) -> bool {
        self.below(100) < u64::from(percent)
    }
}

/// The shape of one simulation run.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// PRNG seed.
    pub seed: u64,
    /// Protocol version of every router.
    pub version: Version,
    /// `advert_int` of every router.
    pub advert_int: Span,
    /// Number of VRIDs (links).
    pub groups: usize,
    /// Routers per VRID.
    pub group_size: usize,
    /// Number of disturbance steps after the initial election.
    pub steps: usize,
    /// Shortest one-way delay.
    pub delay_min: Span,
    /// Longest one-way delay.
    pub delay_max: Span,
    /// Loss probability (percent) on a link during a loss burst.
    pub loss_percent: u32,
}

impl SimConfig {
    /// A run of `groups` × `group_size` routers with delays scaled to the interval
    /// (at most 5 ms, at most 1/20 of the interval).
    pub fn new(
        seed: u64,
        version: Version,
        advert_int: Span,
        groups: usize,
        group_size: usize,
    ) -> SimConfig {
        let delay_max = Span((advert_int.as_micros() / 20).min(5_000));
        SimConfig {
            seed,
            version,
            advert_int,
            groups,
            group_size,
            steps: 20,
            delay_min: Span(delay_max.as_micros() / 10),
            delay_max,
            loss_percent: 40,
        }
    }
}

/// What a run did and what went wrong.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Routers simulated.
    pub routers: usize,
    /// Group disturbances applied.
    pub disturbances: usize,
    /// Adverts sent.
    pub adverts: u64,
    /// State transitions.
    pub transitions: u64,
    /// Simulated time at the end.
    pub end: Time,
    /// The slowest convergence as a fraction of its bound, in percent.
    pub worst_convergence_percent: u64,
    /// Invariant violations (empty on success).
    pub violations: Vec<String>,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} routers, {} disturbances, {} adverts, {} transitions, {} s simulated, \
             slowest convergence {}% of bound, {} violations",
            self.routers,
            self.disturbances,
            self.adverts,
            self.transitions,
            self.end,
            self.worst_convergence_percent,
            self.violations.len()
        )?;
        for v in self.violations.iter().take(10) {
            write!(f, "\n  {v}")?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Ev {
    Deliver {
        to: usize,
        from: usize,
        priority: u8,
        interval_cs: u16,
    },
    Fire {
        node: usize,
        timer: Timer,
        generation: u64,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Disturbance {
    CrashMaster,
    StopMaster,
    Restart,
    Weight,
    LinkDown,
    LinkUp,
    LossOn,
    LossOff,
    Partition,
    Heal,
    Nothing,
}

struct Node {
    cfg: Config,
    inst: Instance,
    group: usize,
    alive: bool,
    link_up: bool,
    weight: i32,
    side: bool,
    generations: [u64; Timer::ALL.len()],
    /// Start of the current advert-interval window and adverts sent in it.
    burst: (Time, u32),
}

struct Group {
    members: std::ops::Range<usize>,
    loss_percent: u32,
    partitioned: bool,
    /// During the quiet window any transition is a violation.
    quiet: bool,
    last_transition: Option<Time>,
}

/// The simulator.
pub struct Sim {
    cfg: SimConfig,
    rng: Rng,
    nodes: Vec<Node>,
    groups: Vec<Group>,
    queue: BinaryHeap<Reverse<(Time, u64, Ev)>>,
    seq: u64,
    now: Time,
    report: Report,
    /// Set by an advert storm: the run stops instead of simulating it forever.
    stopped: bool,
}

impl Sim {
    /// Builds the routers: random distinct addresses per link, random priorities (a
    /// third of the links with many equal priorities, some with an address owner),
    /// and a fifth of the links in `nopreempt` mode.
    pub fn new(cfg: SimConfig) -> Sim {
        let mut rng = Rng::new(cfg.seed);
        let mut nodes = Vec::new();
        let mut groups = Vec::new();
        let size = cfg.group_size.clamp(1, 250);
        for g in 0..cfg.groups {
            let start = nodes.len();
            let vrid = u8::try_from(g % 255 + 1).unwrap_or(1);
            let ties = rng.percent(33);
            let nopreempt = rng.percent(20);
            let owner = if rng.percent(10) {
                Some(rng.below(size as u64) as usize)
            } else {
                None
            };
            let ipv6 = cfg.version == Version::V3 && g % 2 == 1;
            let mut octets: Vec<u8> = (1..=254).collect();
            for k in 0..size {
                // Partial Fisher-Yates: distinct random host numbers.
                let j = k + rng.below((octets.len() - k) as u64) as usize;
                octets.swap(k, j);
                let host = octets[k];
                let primary_addr = if ipv6 {
                    IpAddr::from([0x2001, 0xdb8, 0, 0, 0, 0, u16::from(vrid), u16::from(host)])
                } else {
                    IpAddr::from([192, 0, 2, host])
                };
                let priority = if owner == Some(k) {
                    255
                } else if ties {
                    [100, 100, 150][rng.below(3) as usize]
                } else {
                    rng.range(1, 254) as u8
                };
                let node_cfg = Config {
                    name: format!("VI_{g}_{k}"),
                    vrid,
                    version: cfg.version,
                    priority,
                    advert_int: cfg.advert_int,
                    primary_addr,
                    nopreempt,
                    ..Config::default()
                };
                nodes.push(Node {
                    inst: Instance::new(node_cfg.clone()),
                    cfg: node_cfg,
                    group: g,
                    alive: false,
                    link_up: true,
                    weight: 0,
                    side: false,
                    generations: [0; Timer::ALL.len()],
                    burst: (Time::ZERO, 0),
                });
            }
            groups.push(Group {
                members: start..nodes.len(),
                loss_percent: 0,
                partitioned: false,
                quiet: false,
                last_transition: None,
            });
        }
        let report = Report {
            routers: nodes.len(),
            ..Report::default()
        };
        Sim {
            cfg,
            rng,
            nodes,
            groups,
            queue: BinaryHeap::new(),
            seq: 0,
            now: Time::ZERO,
            report,
            stopped: false,
        }
    }

    /// Runs the initial election and every step; returns what happened.
    pub fn run(mut self) -> Report {
        // Routers start at random moments within one advert interval.
        let spread = self.cfg.advert_int;
        for n in 0..self.nodes.len() {
            let at = Time(self.rng.below(spread.as_micros()));
            self.push(
                at,
                Ev::Fire {
                    node: n,
                    timer: Timer::MasterDown,
                    generation: u64::MAX,
                },
            );
        }
        self.run_until(Time::ZERO + spread);
        let before = self.priorities();
        self.settle_groups(
            self.now,
            "initial election",
            &vec![false; self.groups.len()],
            &before,
        );
        for step in 0..self.cfg.steps {
            if self.stopped {
                break;
            }
            let t0 = self.now;
            let before = self.priorities();
            for g in 0..self.groups.len() {
                let d = self.pick(g);
                self.apply(g, d);
                self.report.disturbances += 1;
            }
            // Links under a loss burst may flap (that has a cause); they are checked
            // when the burst ends.
            let unsettled: Vec<bool> = self.groups.iter().map(|g| g.loss_percent > 0).collect();
            let label = format!("step {step}");
            self.settle_groups(t0, &label, &unsettled, &before);
        }
        self.report.end = self.now;
        self.report
    }

    fn priorities(&self) -> Vec<u8> {
        self.nodes.iter().map(|n| n.inst.priority()).collect()
    }

    /// Waits for the bound, checks the invariants, then watches a quiet window.
    fn settle_groups(&mut self, t0: Time, label: &str, unsettled: &[bool], before: &[u8]) {
        for g in &mut self.groups {
            g.last_transition = None;
        }
        let bounds: Vec<Span> = (0..self.groups.len())
            .map(|g| self.bound(g, before))
            .collect();
        let step_bound = bounds.iter().copied().max().unwrap_or(Span::ZERO);
        self.run_until(t0 + step_bound);
        for g in 0..self.groups.len() {
            if unsettled[g] {
                continue;
            }
            if let Some(last) = self.groups[g].last_transition {
                let took = last.since(t0);
                let percent = took.as_micros() * 100 / bounds[g].as_micros().max(1);
                self.report.worst_convergence_percent =
                    self.report.worst_convergence_percent.max(percent);
                if took > bounds[g] {
                    self.violation(
                        g,
                        label,
                        format!(
                            "last transition {took} after the disturbance, bound {}",
                            bounds[g]
                        ),
                    );
                }
            }
            self.check_group(g, label);
            self.groups[g].quiet = true;
        }
        let window = self.cfg.advert_int * 10 + step_bound * 3;
        self.run_until(self.now + window);
        for g in &mut self.groups {
            g.quiet = false;
        }
    }

    /// The RFC bound for a group: the Master_Down_Interval of the router that takes
    /// over in each part of the link, plus four one-way delays (a late advert,
    /// simultaneous expiries, and the answer that makes the loser step down).
    ///
    /// The router that takes over is one of the highest-priority ones; its running
    /// Master_Down_Timer may have been armed before a priority change (neither the RFC
    /// nor keepalived re-arms it then), so the lower of its two priorities counts.
    fn bound(&self, g: usize, before: &[u8]) -> Span {
        let slowest = self
            .components(g)
            .iter()
            .filter_map(|c| {
                let best = c.iter().map(|&n| self.nodes[n].inst.priority()).max()?;
                c.iter()
                    .filter(|&&n| self.nodes[n].inst.priority() == best)
                    .map(|&n| best.min(before[n]))
                    .min()
            })
            .min()
            .unwrap_or(255);
        master_down_interval(self.cfg.version, 3, slowest, self.cfg.advert_int)
            + self.cfg.delay_max * 4
    }

    /// The routers that can hear each other: alive, interface up, on the same side.
    fn components(&self, g: usize) -> Vec<Vec<usize>> {
        let group = &self.groups[g];
        let live: Vec<usize> = group
            .members
            .clone()
            .filter(|&n| self.nodes[n].alive && self.nodes[n].link_up)
            .collect();
        if group.partitioned {
            let (a, b): (Vec<usize>, Vec<usize>) =
                live.into_iter().partition(|&n| self.nodes[n].side);
            [a, b].into_iter().filter(|c| !c.is_empty()).collect()
        } else if live.is_empty() {
            Vec::new()
        } else {
            vec![live]
        }
    }

    fn check_group(&mut self, g: usize, label: &str) {
        for n in self.groups[g].members.clone() {
            let node = &self.nodes[n];
            if node.alive && !node.link_up && node.inst.state() != State::Fault {
                let state = node.inst.state();
                self.violation(
                    g,
                    label,
                    format!("{} has its interface down but is {state}", node.cfg.name),
                );
            }
        }
        for comp in self.components(g) {
            let masters: Vec<usize> = comp
                .iter()
                .copied()
                .filter(|&n| self.nodes[n].inst.state() == State::Master)
                .collect();
            let names = |ns: &[usize]| -> Vec<String> {
                ns.iter()
                    .map(|&n| {
                        format!(
                            "{}(p{} {})",
                            self.nodes[n].cfg.name,
                            self.nodes[n].inst.priority(),
                            self.nodes[n].cfg.primary_addr
                        )
                    })
                    .collect()
            };
            if masters.len() != 1 {
                let msg = format!(
                    "{} masters among {:?}: {:?}",
                    masters.len(),
                    names(&comp),
                    names(&masters)
                );
                self.violation(g, label, msg);
                continue;
            }
            let preempting = comp.iter().all(|&n| !self.nodes[n].cfg.nopreempt);
            let best = comp
                .iter()
                .map(|&n| self.nodes[n].inst.priority())
                .max()
                .unwrap_or(0);
            let got = self.nodes[masters[0]].inst.priority();
            if preempting && got != best {
                let msg = format!(
                    "master {:?} has priority {got}, best is {best} among {:?}",
                    names(&masters),
                    names(&comp)
                );
                self.violation(g, label, msg);
            }
        }
    }

    fn violation(&mut self, g: usize, label: &str, what: String) {
        let seed = self.cfg.seed;
        let now = self.now;
        self.report
            .violations
            .push(format!("seed {seed} t={now} {label} group {g}: {what}"));
    }

    // ----- disturbances -----

    fn pick(&mut self, g: usize) -> Disturbance {
        let group = &self.groups[g];
        if group.loss_percent > 0 {
            return Disturbance::LossOff;
        }
        if group.partitioned {
            return Disturbance::Heal;
        }
        let members = group.members.clone();
        let down = members
            .clone()
            .filter(|&n| !self.nodes[n].alive || !self.nodes[n].link_up)
            .count();
        // Keep most routers running: recover before breaking more.
        if down * 2 > members.len() {
            return if self.rng.percent(50) {
                Disturbance::Restart
            } else {
                Disturbance::LinkUp
            };
        }
        match self.rng.below(11) {
            0 => Disturbance::CrashMaster,
            1 => Disturbance::StopMaster,
            2 | 3 => Disturbance::Restart,
            4 => Disturbance::Weight,
            5 => Disturbance::LinkDown,
            6 => Disturbance::LinkUp,
            7 => Disturbance::LossOn,
            8 => Disturbance::Partition,
            _ => Disturbance::Nothing,
        }
    }

    fn apply(&mut self, g: usize, d: Disturbance) {
        let members = self.groups[g].members.clone();
        let master = members
            .clone()
            .find(|&n| self.nodes[n].alive && self.nodes[n].inst.state() == State::Master);
        let alive: Vec<usize> = members.clone().filter(|&n| self.nodes[n].alive).collect();
        let random_alive = |rng: &mut Rng| -> Option<usize> {
            (!alive.is_empty()).then(|| alive[rng.below(alive.len() as u64) as usize])
        };
        match d {
            Disturbance::CrashMaster => {
                if let Some(n) = master.or_else(|| random_alive(&mut self.rng)) {
                    self.nodes[n].alive = false;
                    self.nodes[n].generations.iter_mut().for_each(|x| *x += 1);
                }
            }
            Disturbance::StopMaster => {
                if let Some(n) = master.or_else(|| random_alive(&mut self.rng)) {
                    self.feed(n, Event::Shutdown);
                    self.nodes[n].alive = false;
                }
            }
            Disturbance::Restart => {
                let dead: Vec<usize> = members.clone().filter(|&n| !self.nodes[n].alive).collect();
                if dead.is_empty() {
                    return self.apply(g, Disturbance::Weight);
                }
                let n = dead[self.rng.below(dead.len() as u64) as usize];
                self.start(n);
            }
            Disturbance::Weight => {
                if let Some(n) = random_alive(&mut self.rng) {
                    let w = self.rng.range(0, 120) as i32 - 60;
                    self.nodes[n].weight = w;
                    self.feed(n, Event::TrackWeight(w));
                }
            }
            Disturbance::LinkDown => {
                let target = if self.rng.percent(50) { master } else { None };
                let up: Vec<usize> = members.clone().filter(|&n| self.nodes[n].link_up).collect();
                let pick = target.or_else(|| {
                    (!up.is_empty()).then(|| up[self.rng.below(up.len() as u64) as usize])
                });
                if let Some(n) = pick {
                    self.nodes[n].link_up = false;
                    self.feed(n, Event::InterfaceDown);
                }
            }
            Disturbance::LinkUp => {
                let down: Vec<usize> = members
                    .clone()
                    .filter(|&n| !self.nodes[n].link_up)
                    .collect();
                if down.is_empty() {
                    return self.apply(g, Disturbance::Restart);
                }
                let n = down[self.rng.below(down.len() as u64) as usize];
                self.nodes[n].link_up = true;
                self.feed(n, Event::InterfaceUp);
            }
            Disturbance::LossOn => self.groups[g].loss_percent = self.cfg.loss_percent,
            Disturbance::LossOff => self.groups[g].loss_percent = 0,
            Disturbance::Partition => {
                for n in members {
                    self.nodes[n].side = self.rng.percent(50);
                }
                self.groups[g].partitioned = true;
            }
            Disturbance::Heal => self.groups[g].partitioned = false,
            Disturbance::Nothing => {}
        }
    }

    /// (Re)starts a router as a fresh process: a new instance told its tracker weight
    /// and interface state before its Startup event.
    fn start(&mut self, n: usize) {
        let node = &mut self.nodes[n];
        node.inst = Instance::new(node.cfg.clone());
        node.alive = true;
        node.generations.iter_mut().for_each(|x| *x += 1);
        let (weight, link_up) = (node.weight, node.link_up);
        if weight != 0 {
            self.feed(n, Event::TrackWeight(weight));
        }
        if !link_up {
            self.feed(n, Event::InterfaceDown);
        }
        self.feed(n, Event::Startup);
    }

    // ----- the event loop -----

    fn push(&mut self, at: Time, ev: Ev) {
        self.seq += 1;
        self.queue.push(Reverse((at, self.seq, ev)));
    }

    fn run_until(&mut self, end: Time) {
        while let Some(Reverse((at, _, _))) = self.queue.peek() {
            if *at > end || self.stopped {
                break;
            }
            let Some(Reverse((at, _, ev))) = self.queue.pop() else {
                break;
            };
            self.now = at;
            self.dispatch(ev);
        }
        self.now = end;
    }

    fn dispatch(&mut self, ev: Ev) {
        match ev {
            Ev::Deliver {
                to,
                from,
                priority,
                interval_cs,
            } => {
                let (dst, src) = (&self.nodes[to], &self.nodes[from]);
                let cut = self.groups[dst.group].partitioned && dst.side != src.side;
                if dst.alive && dst.link_up && !cut {
                    let advert = Advert {
                        src: src.cfg.primary_addr,
                        priority,
                        interval_cs,
                    };
                    self.feed(to, Event::Advert(advert));
                }
            }
            // generation u64::MAX is the initial start-up event.
            Ev::Fire {
                node,
                generation: u64::MAX,
                ..
            } => self.start(node),
            Ev::Fire {
                node,
                timer,
                generation,
            } => {
                let n = &self.nodes[node];
                if n.alive && n.generations[timer.index()] == generation {
                    self.feed(node, Event::TimerFired(timer));
                }
            }
        }
    }

    fn feed(&mut self, n: usize, event: Event) {
        if !self.nodes[n].alive {
            return;
        }
        let actions = self.nodes[n].inst.handle(self.now, event);
        for action in actions {
            self.carry_out(n, action);
        }
    }

    fn carry_out(&mut self, n: usize, action: Action) {
        match action {
            Action::SendAdvert { priority } => {
                self.report.adverts += 1;
                if self.storm(n) {
                    return;
                }
                let node = &self.nodes[n];
                if !node.link_up {
                    return;
                }
                let group = &self.groups[node.group];
                let interval_cs =
                    u16::try_from(node.cfg.advert_int.as_centis()).unwrap_or(u16::MAX);
                let (members, loss) = (group.members.clone(), group.loss_percent);
                for m in members.filter(|&m| m != n) {
                    if self.rng.percent(loss) {
                        continue;
                    }
                    let delay = Span(self.rng.range(
                        self.cfg.delay_min.as_micros(),
                        self.cfg.delay_max.as_micros(),
                    ));
                    self.push(
                        self.now + delay,
                        Ev::Deliver {
                            to: m,
                            from: n,
                            priority,
                            interval_cs,
                        },
                    );
                }
            }
            Action::ArmTimer { timer, at } => {
                let generation = {
                    let g = &mut self.nodes[n].generations[timer.index()];
                    *g += 1;
                    *g
                };
                self.push(
                    at,
                    Ev::Fire {
                        node: n,
                        timer,
                        generation,
                    },
                );
            }
            Action::CancelTimer { timer } => self.nodes[n].generations[timer.index()] += 1,
            Action::Transition { from, to, cause } => {
                self.report.transitions += 1;
                let g = self.nodes[n].group;
                self.groups[g].last_transition = Some(self.now);
                if self.groups[g].quiet {
                    let name = self.nodes[n].cfg.name.clone();
                    self.violation(
                        g,
                        "quiet window",
                        format!("{name} {from} -> {to} ({cause:?}) on a stable link"),
                    );
                }
            }
            _ => {}
        }
    }
}

impl Sim {
    /// More than 10 adverts from one router within one advert interval is a storm
    /// (two masters answering each other forever): report it and stop the run.
    fn storm(&mut self, n: usize) -> bool {
        let (now, interval) = (self.now, self.cfg.advert_int);
        let burst = &mut self.nodes[n].burst;
        if now.since(burst.0) >= interval {
            *burst = (now, 0);
        }
        burst.1 += 1;
        if burst.1 > 10 && !self.stopped {
            let (g, name) = (self.nodes[n].group, self.nodes[n].cfg.name.clone());
            self.violation(
                g,
                "advert storm",
                format!("{name} sent more than 10 adverts in one interval"),
            );
            self.stopped = true;
            self.queue.clear();
        }
        self.stopped
    }
}

/// Builds and runs a simulation.
pub fn run(cfg: SimConfig) -> Report {
    Sim::new(cfg).run()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rng_is_deterministic_and_spread() {
        let a: Vec<u64> = (0..4)
            .scan(Rng::new(7), |r, _| Some(r.next_u64()))
            .collect();
        let b: Vec<u64> = (0..4)
            .scan(Rng::new(7), |r, _| Some(r.next_u64()))
            .collect();
        assert_eq!(a, b);
        let mut r = Rng::new(1);
        let mut seen = [0u32; 10];
        for _ in 0..10_000 {
            seen[r.below(10) as usize] += 1;
        }
        assert!(seen.iter().all(|&c| (800..1200).contains(&c)), "{seen:?}");
    }

    #[test]
    fn same_seed_same_run() {
        let cfg = || {
            let mut c = SimConfig::new(42, Version::V3, Span::from_millis(100), 4, 4);
            c.steps = 5;
            c
        };
        let (a, b) = (run(cfg()), run(cfg()));
        assert_eq!(
            (a.adverts, a.transitions, a.end),
            (b.adverts, b.transitions, b.end)
        );
    }
}
