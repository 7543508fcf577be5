//! The demo (the README's first command): two vigild nodes and a client in network
//! namespaces on a bridge. It shows the election, then three events while the client
//! pings the virtual address every 10 ms: the master loses power, it comes back and
//! takes over again, and it is stopped gracefully. Each is shown from the wire (VRRP
//! adverts, gratuitous ARPs) and from the client (who answered each echo request, how
//! many were lost, how long the client heard nothing), and the last line is a verdict
//! against the RFC bounds. Everything it makes is removed at the end, also on Ctrl-C.

use nix::sys::signal::{kill, SigSet, Signal};
use nix::unistd::Pid;
use std::error::Error;
use std::net::IpAddr;
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};
use vigil_e2e::echo::{self, Handover};
use vigil_e2e::failover::{pair, BACKUP_PRIORITY, MASTER_PRIORITY};
use vigil_e2e::node::bin_dir;
use vigil_e2e::report::{self, Row, Step, Takeover};
use vigil_e2e::timeline::{self, Event};
use vigil_e2e::{Daemon, Node, PairConf};
use vigil_netlab::wire::Kind;
use vigil_netlab::{capture, Frame, Host, Lab};

type Res<T> = Result<T, Box<dyn Error>>;

/// The client's ping interval (`ping -i`): fine enough to resolve a gap of a few advert
/// intervals. iputils ping sends intervals of 10 ms and more on a coarser timer (-i 0.01
/// measured one request every 16-17 ms on the development VM); 9 ms gives about 10 ms.
/// The interval each step really had is measured from the capture and printed.
const PING_INTERVAL: &str = "0.009";
/// How long the client pings before and after each event.
const LEAD: Duration = Duration::from_millis(300);
/// How long any event may take to settle before the demo gives up.
const SETTLE: Duration = Duration::from_secs(5);

fn main() -> ExitCode {
    let started = Instant::now();
    // Ctrl-C and SIGTERM are taken by a thread that removes the lab: destructors do
    // not run when a process dies of a signal. Blocked before any thread starts, so
    // every thread inherits the mask (std resets it in spawned programs).
    let mut signals = SigSet::empty();
    signals.add(Signal::SIGINT);
    signals.add(Signal::SIGTERM);
    if signals.thread_block().is_err() {
        eprintln!("demo: cannot block SIGINT/SIGTERM");
        return ExitCode::FAILURE;
    }
    let mut lab = match Lab::new("demo") {
        Ok(lab) => lab,
        Err(e) => {
            eprintln!("demo failed: {e}");
            return ExitCode::FAILURE;
        }
    };
    // Whoever removes the lab holds the gate until it is gone, so that neither the
    // signal thread's exit nor main's return ends the process half-way through the
    // other's cleanup.
    let gate = Arc::new(Mutex::new(()));
    let (cleaner, gate2) = (lab.cleaner(), Arc::clone(&gate));
    std::thread::spawn(move || {
        if signals.wait().is_ok() {
            let _held = gate2.lock().unwrap_or_else(PoisonError::into_inner);
            eprintln!("\ninterrupted: removing the lab");
            cleaner.clean();
            std::process::exit(130);
        }
    });
    let result = demo(&mut lab, &gate);
    let held = gate.lock().unwrap_or_else(PoisonError::into_inner);
    println!("\nremoving the lab");
    drop(lab);
    drop(held);
    match result {
        Ok((ok, verdict)) => {
            println!(
                "\nverdict rules: each takeover within its RFC 5798 bound plus {:.0} ms for \
                 scheduling; the\nclient without a reply for at most that plus two ping \
                 intervals. The demo took {:.1} s.",
                report::MARGIN_MS,
                started.elapsed().as_secs_f64()
            );
            println!("{verdict}");
            if ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(e) => {
            eprintln!("demo failed: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Runs `ip ARGS` (lab scaffolding, as in crates/netlab).
fn ip(args: &[&str]) -> Res<()> {
    let out = Command::new("ip")
        .args(args)
        .stdin(Stdio::null())
        .output()?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "ip {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        )
        .into())
    }
}

fn vigilctl(node: &Node, what: &str) -> String {
    let out = node
        .host
        .wrap(
            Command::new(bin_dir().join("vigilctl"))
                .arg("--socket")
                .arg(node.control())
                .arg(what),
        )
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .output();
    match out {
        Ok(o) => format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        ),
        Err(e) => format!("(vigilctl: {e})\n"),
    }
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("    {l}\n")).collect()
}

fn header(n: u8, title: &str) {
    println!("\n== {n}. {title}");
}

/// The client pinging the virtual address, and the capture that sees it.
struct Watch {
    cap: vigil_netlab::Capture,
    ping: Child,
}

impl Watch {
    /// Starts the capture, then the client's ping, and lets it run for [`LEAD`].
    fn start(lab: &Lab, client: &Host, vip: &str) -> Res<Watch> {
        let cap = lab.capture()?;
        let ping = client
            .wrap(Command::new("ping").args(["-n", "-i", PING_INTERVAL, "-W", "1", vip]))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()?;
        std::thread::sleep(LEAD);
        Ok(Watch { cap, ping })
    }

    /// Lets the ping run for [`LEAD`] more, stops it (SIGINT: it prints its counts) and
    /// the capture; returns the frames and ping's own summary line.
    fn finish(self) -> Res<(Vec<Frame>, String)> {
        std::thread::sleep(LEAD);
        // `ip netns exec` execs ping: the child is ping itself.
        let pid = i32::try_from(self.ping.id())?;
        let _ = kill(Pid::from_raw(pid), Signal::SIGINT);
        let out = self.ping.wait_with_output()?;
        // The last request's reply is on its way.
        std::thread::sleep(Duration::from_millis(50));
        let frames = self.cap.stop();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let summary = text
            .lines()
            .find(|l| l.contains("packets transmitted"))
            .unwrap_or("(ping printed no summary)")
            .to_string();
        Ok((frames, summary))
    }
}

/// Everything the demo measured about one event.
struct Seen {
    events: Vec<Event>,
    outcomes: Vec<echo::Outcome>,
    ping_summary: String,
}

impl Seen {
    fn new(frames: &[Frame], vip: IpAddr, ping_summary: String) -> Seen {
        Seen {
            events: timeline::events(frames),
            outcomes: echo::outcomes(&echo::echoes(frames, vip)),
            ping_summary,
        }
    }

    /// The adverts `host` sent with a priority other than 0 before `before`, newest last.
    fn adverts_before(&self, host: &str, before: Duration, n: usize) -> Vec<&Event> {
        let all: Vec<&Event> = self
            .events
            .iter()
            .filter(|e| e.from == host && e.at <= before)
            .filter(|e| matches!(e.kind, Kind::Advert { priority, .. } if priority != 0))
            .collect();
        all[all.len().saturating_sub(n)..].to_vec()
    }

    /// The client's real ping interval in ms (the median on the wire).
    fn interval(&self) -> f64 {
        echo::median_interval_ms(&self.outcomes)
    }

    /// The event `host` sent at `at`.
    fn kind_at(&self, host: &str, at: Option<Duration>) -> Option<&Event> {
        self.events
            .iter()
            .find(|e| Some(e.at) == at && e.from == host)
    }

    /// Rows for the client's last reply from `old` and first from `new`.
    fn reply_rows(&self, h: Option<&Handover>, old: &str, new: &str) -> Vec<Row> {
        let Some(h) = h else { return Vec::new() };
        let row = |o: &echo::Outcome, host: &str, note: &str| {
            Row::at(
                o.answer.as_ref().map(|a| a.at),
                host,
                &format!("echo reply to the client, seq {}", o.seq),
                note,
            )
        };
        [
            row(&h.last_old, old, &format!("last reply from {old}")),
            row(&h.first_new, new, &format!("first reply from {new}")),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    /// Prints the timeline and the client's view; returns the client's handover.
    fn print(&self, rows: &[Row], zero: Duration, old: &str, new: &str) -> Option<Handover> {
        let h = echo::handover(&self.outcomes, old, new);
        let mut all = rows.to_vec();
        all.extend(self.reply_rows(h.as_ref(), old, new));
        println!("  timeline (ms from the event; kernel timestamps on the bridge):");
        print!("{}", report::timeline(&all, zero));
        println!(
            "  the client's echo requests to the virtual address, by who answered (source MAC):"
        );
        print!("{}", report::client_runs(&echo::runs(&self.outcomes), zero));
        println!("  ping's own count: {}", self.ping_summary.trim());
        println!(
            "  on the wire: {} requests, one every {:.1} ms (median)",
            self.outcomes.len(),
            self.interval()
        );
        match &h {
            Some(h) => println!(
                "  client: {} pings lost; {:.1} ms between {old}'s last reply and {new}'s first",
                h.lost, h.gap_ms
            ),
            None => println!("  client: no reply from {new} after {old}"),
        }
        h
    }
}

fn mac(host: &Host) -> String {
    host.run("cat /sys/class/net/eth0/address")
        .map(|s| s.trim().to_string())
        .unwrap_or_default()
}

/// Runs the demo on `lab`; returns whether every step passed, and the verdict line.
/// `gate` is held while hosts are added: a lab removed meanwhile would miss the
/// namespace being made.
fn demo(lab: &mut Lab, gate: &Mutex<()>) -> Res<(bool, String)> {
    let conf = PairConf {
        version: 3,
        advert_int: "0.1".into(),
        ..PairConf::default()
    };
    let building = gate.lock().unwrap_or_else(PoisonError::into_inner);
    let (mut lb1, mut lb2) = pair(lab, Daemon::Vigil, &conf)?;
    let client = lab.host("client")?;
    drop(building);
    client.run("ip addr add 192.0.2.50/24 dev eth0")?;
    let switch = lab.switch_namespace().to_string();
    let vip_text = conf.vip();
    let vip: IpAddr = vip_text.parse()?;
    let adv_ms = conf.advert_secs() * 1000.0;
    let mdi = |p| conf.master_down_interval(p) * 1000.0;
    let skew = |p| conf.skew_time(p) * 1000.0;

    println!("vigil demo: a VRRP failover seen from the wire and from a client");
    println!("  network namespaces on one bridge:");
    for (host, addr, role) in [
        (
            &lb1.host,
            conf.node_addr(1),
            format!("vigild, priority {MASTER_PRIORITY}"),
        ),
        (
            &lb2.host,
            conf.node_addr(2),
            format!("vigild, priority {BACKUP_PRIORITY}"),
        ),
        (
            &client,
            "192.0.2.50".into(),
            format!("pings {vip_text} (ping -i {PING_INTERVAL})"),
        ),
    ] {
        println!("    {:<7} {addr:<11} {}  {role}", host.name(), mac(host));
    }
    println!(
        "  VRRPv{}, VRID {}, advert_int {} s, virtual address {vip_text}",
        conf.version, conf.vrid, conf.advert_int
    );
    println!(
        "  RFC 5798 §6.1, for lb2 (priority {BACKUP_PRIORITY}): Skew_Time {:.1} ms, \
         Master_Down_Interval = 3 × {adv_ms:.0} + {:.1} = {:.1} ms",
        skew(BACKUP_PRIORITY),
        skew(BACKUP_PRIORITY),
        mdi(BACKUP_PRIORITY)
    );
    println!(
        "\nlb1's configuration (generated):\n{}",
        indent(&std::fs::read_to_string(lb1.conf_path())?)
    );

    header(1, "election");
    let t0 = Instant::now();
    lb2.start()?;
    lb1.start()?;
    println!("  vigild started on lb2, then on lb1");
    lb1.host
        .wait_for("lb1 to become MASTER", Duration::from_secs(10), || {
            lb1.holds(vip_text) && !lb2.holds(vip_text)
        })
        .map_err(|e| format!("{e}; lb1's log:\n{}", lb1.host.log()))?;
    println!(
        "  after {:.0} ms: lb1 holds {vip_text} (MASTER), lb2 does not (BACKUP)",
        t0.elapsed().as_secs_f64() * 1000.0
    );
    std::thread::sleep(Duration::from_millis(500));
    println!(
        "\n  vigilctl status on lb1:\n{}",
        indent(&vigilctl(&lb1, "status"))
    );
    println!("  processes on lb1 (user, effective capabilities):");
    for pid in lb1.pids() {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        let field = |k: &str| {
            status
                .lines()
                .find(|l| l.starts_with(k))
                .map(|l| l[k.len()..].trim().to_string())
                .unwrap_or_default()
        };
        let uid = field("Uid:")
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_string();
        println!(
            "    pid {pid:<7} {:<14} uid {uid:<6} CapEff {}",
            field("Name:"),
            field("CapEff:")
        );
    }
    let mut steps = Vec::new();

    header(2, "lb1, the master, loses power");
    println!(
        "  how: lb1's processes are frozen, its switch port goes down (no frame in or out,\n  \
         as when a host loses power), then its processes are killed"
    );
    let watch = Watch::start(lab, &client, vip_text)?;
    // A host that loses power stops at once, kernel and processes alike. A namespace
    // has no kernel of its own to stop: killing the processes leaves its kernel holding
    // the virtual address and answering the client. Its link is therefore cut at the
    // switch, which is what the switch sees of a dead host: link down, nothing in or
    // out. The processes are frozen first so that they cannot react to the lost carrier
    // in the moment before they are killed.
    let pids = lb1.pids();
    for &pid in &pids {
        let _ = kill(Pid::from_raw(pid), Signal::SIGSTOP);
    }
    ip(&["-n", &switch, "link", "set", "p-lb1", "down"])?;
    let zero = capture::now();
    lb1.crash();
    lb2.host
        .wait_for("lb2 to take over", SETTLE, || lb2.holds(vip_text))
        .map_err(|e| format!("{e}; lb2's log:\n{}", lb2.host.log()))?;
    let (frames, summary) = watch.finish()?;
    let seen = Seen::new(&frames, vip, summary);
    let last = timeline::last_advert(&seen.events, "lb1", zero);
    let garp = timeline::first_announce(&seen.events, "lb2", vip, zero);
    let mut rows: Vec<Row> = seen
        .adverts_before("lb1", zero, 2)
        .iter()
        .map(|e| Row {
            at: e.at,
            host: e.from.clone(),
            what: report::describe(&e.kind),
            note: if Some(e.at) == last {
                "last advert from lb1".into()
            } else {
                String::new()
            },
        })
        .collect();
    rows.extend(
        [
            Row::at(
                Some(zero),
                "-",
                "lb1 off the wire (port down)",
                "power loss",
            ),
            Row::at(
                last.map(|l| l + Duration::from_secs_f64(mdi(BACKUP_PRIORITY) / 1000.0)),
                "-",
                "lb1's last advert + Master_Down_Interval",
                "the RFC bound",
            ),
            advert_row(&seen, "lb2", zero, "first advert from lb2 (MASTER)"),
            Row::at(
                garp,
                "lb2",
                &format!("gratuitous ARP for {vip_text}"),
                "first GARP from lb2",
            ),
        ]
        .into_iter()
        .flatten(),
    );
    let h = seen.print(&rows, zero, "lb1", "lb2");
    let takeover = last.zip(garp).map(|(l, g)| timeline::ms(l, g));
    if let Some(t) = takeover {
        println!(
            "  wire: lb2 sent its first GARP {t:.1} ms after lb1's last advert \
             (Master_Down_Interval {:.1} ms)",
            mdi(BACKUP_PRIORITY)
        );
    }
    steps.push(Step {
        name: "power loss of lb1".into(),
        old: "lb1".into(),
        new: "lb2".into(),
        handover: h,
        takeover: Some(Takeover {
            from: "lb1's last advert".into(),
            ms: takeover,
            bound: mdi(BACKUP_PRIORITY),
            min: mdi(BACKUP_PRIORITY) - adv_ms,
            client_slack: 2.0 * seen.interval(),
        }),
    });

    header(
        3,
        "lb1 gets its power back and takes over again (preemption)",
    );
    println!(
        "  how: the virtual address the killed lb1 still had is removed (a reboot keeps\n  \
         none), its port comes up and vigild starts; lb1 (priority {MASTER_PRIORITY}) ignores \
         lb2's\n  adverts (priority {BACKUP_PRIORITY}) and takes over after its own \
         Master_Down_Interval ({:.1} ms,\n  RFC 5798 §6.4.2 with Preempt_Mode)",
        mdi(MASTER_PRIORITY)
    );
    let watch = Watch::start(lab, &client, vip_text)?;
    if lb1.holds(vip_text) {
        lb1.host.run(&format!(
            "ip addr del {vip_text}/{} dev eth0",
            conf.prefix_len()
        ))?;
    }
    lb1.host.run("ip neigh flush all")?;
    ip(&["-n", &switch, "link", "set", "p-lb1", "up"])?;
    let zero = capture::now();
    lb1.start()?;
    lb1.host
        .wait_for("lb1 to take over again", SETTLE, || {
            lb1.holds(vip_text) && !lb2.holds(vip_text)
        })
        .map_err(|e| format!("{e}; lb1's log:\n{}", lb1.host.log()))?;
    let (frames, summary) = watch.finish()?;
    let seen = Seen::new(&frames, vip, summary);
    let garp1 = timeline::first_announce(&seen.events, "lb1", vip, zero);
    let rows: Vec<Row> = [
        Row::at(
            Some(zero),
            "-",
            "lb1's port up, vigild started",
            "power back",
        ),
        Row::at(
            Some(zero + Duration::from_secs_f64(mdi(MASTER_PRIORITY) / 1000.0)),
            "-",
            "start + lb1's Master_Down_Interval",
            "",
        ),
        advert_row(&seen, "lb1", zero, "first advert from lb1"),
        Row::at(
            garp1,
            "lb1",
            &format!("gratuitous ARP for {vip_text}"),
            "first GARP from lb1",
        ),
        last_advert_row(&seen, "lb2", "last advert from lb2 (now BACKUP)"),
    ]
    .into_iter()
    .flatten()
    .collect();
    let h = seen.print(&rows, zero, "lb2", "lb1");
    steps.push(Step {
        name: "lb1 back".into(),
        old: "lb2".into(),
        new: "lb1".into(),
        handover: h,
        takeover: None,
    });

    header(4, "graceful stop of the master: vigilctl stop on lb1");
    println!(
        "  how: lb1 resigns with a priority-0 advert (RFC 5798 §6.4.3); lb2 takes over after\n  \
         its Skew_Time ({:.1} ms, RFC 5798 §6.4.2)",
        skew(BACKUP_PRIORITY)
    );
    let watch = Watch::start(lab, &client, vip_text)?;
    let zero = capture::now();
    let said = vigilctl(&lb1, "stop");
    lb2.host
        .wait_for("lb2 to take over after the stop", SETTLE, || {
            lb2.holds(vip_text) && lb1.pids().is_empty()
        })
        .map_err(|e| format!("{e}; lb1's log:\n{}", lb1.host.log()))?;
    let (frames, summary) = watch.finish()?;
    let seen = Seen::new(&frames, vip, summary);
    let zero_advert = timeline::priority_zero(&seen.events, "lb1", zero);
    let garp2 = timeline::first_announce(&seen.events, "lb2", vip, zero);
    let rows: Vec<Row> = [
        Row::at(Some(zero), "-", "vigilctl stop on lb1", ""),
        Row::at(zero_advert, "lb1", "VRRP advert, priority 0", "lb1 resigns"),
        Row::at(
            zero_advert.map(|z| z + Duration::from_secs_f64(skew(BACKUP_PRIORITY) / 1000.0)),
            "-",
            "priority-0 advert + lb2's Skew_Time",
            "the RFC bound",
        ),
        advert_row(&seen, "lb2", zero, "first advert from lb2 (MASTER)"),
        Row::at(
            garp2,
            "lb2",
            &format!("gratuitous ARP for {vip_text}"),
            "first GARP from lb2",
        ),
    ]
    .into_iter()
    .flatten()
    .collect();
    println!("  vigilctl said: {}", said.trim());
    let h = seen.print(&rows, zero, "lb1", "lb2");
    let takeover = zero_advert.zip(garp2).map(|(z, g)| timeline::ms(z, g));
    if let Some(t) = takeover {
        println!(
            "  wire: lb2 sent its first GARP {t:.1} ms after lb1's priority-0 advert \
             (Skew_Time {:.1} ms)",
            skew(BACKUP_PRIORITY)
        );
    }
    steps.push(Step {
        name: "vigilctl stop on lb1".into(),
        old: "lb1".into(),
        new: "lb2".into(),
        handover: h,
        takeover: Some(Takeover {
            from: "lb1's priority-0 advert".into(),
            ms: takeover,
            bound: skew(BACKUP_PRIORITY),
            min: 0.0,
            client_slack: 2.0 * seen.interval(),
        }),
    });

    Ok(report::verdict(&steps))
}

/// A row for `host`'s first advert after `after`.
fn advert_row(seen: &Seen, host: &str, after: Duration, note: &str) -> Option<Row> {
    let at = timeline::first_advert(&seen.events, host, after);
    let e = seen.kind_at(host, at)?;
    Row::at(at, host, &report::describe(&e.kind), note)
}

/// A row for `host`'s last advert in the capture.
fn last_advert_row(seen: &Seen, host: &str, note: &str) -> Option<Row> {
    let at = timeline::last_advert(&seen.events, host, Duration::MAX);
    let e = seen.kind_at(host, at)?;
    Row::at(at, host, &report::describe(&e.kind), note)
}
