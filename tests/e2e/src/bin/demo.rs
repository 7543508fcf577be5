//! The demo (the README's first command): two vigild nodes and a client in network
//! namespaces on a bridge, an election, a crash of the master, and the failover's
//! timeline read from the wire. Everything it makes is removed at the end, also on
//! Ctrl-C.

use nix::sys::signal::{SigSet, Signal};
use std::net::IpAddr;
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};
use vigil_e2e::failover::{pair, wait, BACKUP_PRIORITY, MASTER_PRIORITY};
use vigil_e2e::node::bin_dir;
use vigil_e2e::timeline::{self, ms};
use vigil_e2e::{Daemon, Node, PairConf};
use vigil_netlab::wire::Kind;
use vigil_netlab::{capture, Lab};

fn main() -> ExitCode {
    // Ctrl-C and SIGTERM are taken by a thread that removes the lab: destructors do
    // not run when a process dies of a signal. Blocked before any thread starts, so
    // every thread inherits the mask.
    let mut signals = SigSet::empty();
    signals.add(Signal::SIGINT);
    signals.add(Signal::SIGTERM);
    if signals.thread_block().is_err() {
        eprintln!("demo: cannot block SIGINT/SIGTERM");
        return ExitCode::FAILURE;
    }
    match demo(signals) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("demo failed: {e}");
            ExitCode::FAILURE
        }
    }
}

fn vigilctl(node: &Node) -> String {
    let out = node
        .host
        .wrap(
            Command::new(bin_dir().join("vigilctl"))
                .arg("--socket")
                .arg(node.control())
                .arg("status"),
        )
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

fn demo(signals: SigSet) -> Result<(), Box<dyn std::error::Error>> {
    let conf = PairConf {
        version: 3,
        advert_int: "0.1".into(),
        ..PairConf::default()
    };
    let mut lab = Lab::new("demo")?;
    let cleaner = lab.cleaner();
    std::thread::spawn(move || {
        if signals.wait().is_ok() {
            eprintln!("\ninterrupted: removing the lab");
            cleaner.clean();
            std::process::exit(130);
        }
    });
    let (mut lb1, mut lb2) = pair(&mut lab, Daemon::Vigil, &conf)?;
    let client = lab.host("client")?;
    client.run("ip addr add 192.0.2.50/24 dev eth0")?;
    let vip: IpAddr = conf.vip().parse()?;
    println!("vigil demo: a lab of network namespaces on one bridge");
    println!(
        "  lb1 {} (priority {MASTER_PRIORITY}), lb2 {} (priority {BACKUP_PRIORITY}), client 192.0.2.50",
        conf.node_addr(1),
        conf.node_addr(2)
    );
    println!(
        "  VRRPv{} advert_int {} s, virtual address {}; Master_Down_Interval of lb2 {:.1} ms",
        conf.version,
        conf.advert_int,
        conf.vip(),
        conf.master_down_interval(BACKUP_PRIORITY) * 1000.0
    );
    println!(
        "\nlb1's configuration (generated):\n{}",
        indent(&std::fs::read_to_string(lb1.conf_path())?)
    );

    let cap = lab.capture()?;
    let t0 = Instant::now();
    lb2.start()?;
    lb1.start()?;
    println!("starting vigild on lb1 and lb2 ...");
    if !wait(Duration::from_secs(10), || lb1.holds(conf.vip())) {
        return Err(format!("lb1 did not become MASTER; its log:\n{}", lb1.host.log()).into());
    }
    println!(
        "[{:>7.1} ms] lb1 holds {} (MASTER); lb2 is BACKUP",
        t0.elapsed().as_secs_f64() * 1000.0,
        conf.vip()
    );
    std::thread::sleep(Duration::from_millis(500));
    println!("\nvigilctl status on lb1:\n{}", indent(&vigilctl(&lb1)));
    println!("process tree on lb1 (user, capabilities):");
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

    // The client pings the virtual address every 20 ms through the failover.
    let ping = client
        .wrap(Command::new("ping").args(["-n", "-i", "0.02", "-c", "100", "-W", "1", conf.vip()]))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    std::thread::sleep(Duration::from_millis(300));
    println!("\nkilling every vigil process on lb1 with SIGKILL (a crash) ...");
    let fault_at = capture::now();
    lb1.crash();
    if !wait(Duration::from_secs(5), || lb2.holds(conf.vip())) {
        return Err(format!("lb2 did not take over; its log:\n{}", lb2.host.log()).into());
    }
    std::thread::sleep(Duration::from_millis(100));
    let events = timeline::events(&cap.stop());
    let ping_out = ping.wait_with_output()?;
    let ping_text = String::from_utf8_lossy(&ping_out.stdout).into_owned();

    println!("\ntimeline from the wire (ms, relative to the kill):");
    let last = timeline::last_advert(&events, "lb1", fault_at);
    let first_b = timeline::first_advert(&events, "lb2", fault_at);
    let garp = timeline::first_announce(&events, "lb2", vip, fault_at);
    let mut shown = 0;
    for e in events
        .iter()
        .filter(|e| e.at + Duration::from_millis(250) >= fault_at)
    {
        let what = match e.kind {
            Kind::Advert { priority, .. } => format!("VRRP advert, priority {priority}"),
            Kind::Garp { ip } => format!("gratuitous ARP for {ip}"),
            Kind::Na { target } => format!("neighbour advertisement for {target}"),
        };
        let key = Some(e.at) == last || Some(e.at) == first_b || Some(e.at) == garp;
        if key || shown < 6 {
            println!("  {:>+9.1}  {:<4} {what}", ms(fault_at, e.at), e.from);
        }
        if Some(e.at) == garp {
            break;
        }
        if e.at > fault_at {
            shown += 1;
        }
    }
    if let (Some(last), Some(garp)) = (last, garp) {
        println!(
            "\nfailover: {:.1} ms from lb1's last advert to lb2's first gratuitous ARP \
             (Master_Down_Interval {:.1} ms); {:.1} ms after the kill",
            ms(last, garp),
            conf.master_down_interval(BACKUP_PRIORITY) * 1000.0,
            ms(fault_at, garp)
        );
    }
    let replies = ping_text
        .lines()
        .filter(|l| l.contains("bytes from"))
        .count();
    println!(
        "client: {replies} of 100 pings to {} answered through the failover",
        conf.vip()
    );
    println!("\nvigilctl status on lb2:\n{}", indent(&vigilctl(&lb2)));
    println!("removing the lab");
    drop(lb1);
    drop(lb2);
    drop(lab);
    Ok(())
}
