//! The stability benchmark (issue 4): 100 instances on one pair at VRRPv3 advert_int
//! 0.01 s for a while (default 600 s), vigil and keepalived in turn. Reports spurious
//! transitions (every "Entering ... STATE" log line after the initial election) and
//! the CPU of each node's VRRP process.
//!
//!     vigil-bench-stability [SECONDS] [INSTANCES] [ADVERT_INT]

use std::fmt::Write;
use std::process::ExitCode;
use std::time::{Duration, Instant};
use vigil_e2e::failover::{cluster, wait};
use vigil_e2e::procstat::cpu_seconds;
use vigil_e2e::{Daemon, Node, PairConf};
use vigil_netlab::Lab;

fn config(name: &str, priority: u8, n: usize, adv: &str) -> String {
    let mut s = format!("global_defs {{\n    router_id {name}\n}}\n");
    for i in 1..=n {
        let _ = write!(
            s,
            "vrrp_instance VI_{i} {{\n    state BACKUP\n    interface eth0\n    virtual_router_id {i}\n    \
             priority {priority}\n    advert_int {adv}\n    version 3\n    garp_master_delay 0\n    \
             virtual_ipaddress {{\n        198.51.100.{i}/32\n    }}\n}}\n"
        );
    }
    s
}

fn transitions(node: &Node) -> usize {
    node.host
        .log()
        .lines()
        .filter(|l| l.contains("Entering MASTER STATE") || l.contains("Entering BACKUP STATE"))
        .count()
}

struct Row {
    per_minute: f64,
    cpu: [f64; 2],
    converged: bool,
}

fn run(daemon: Daemon, secs: u64, n: usize, adv: &str) -> Result<Row, Box<dyn std::error::Error>> {
    let mut lab = Lab::new("st")?;
    let conf = PairConf::default();
    let mut nodes = cluster(&mut lab, &conf, &[(daemon, 150), (daemon, 100)], |k, _| {
        config(&format!("lb{k}"), if k == 1 { 150 } else { 100 }, n, adv)
    })?;
    for node in nodes.iter_mut() {
        node.start()?;
    }
    let last = format!("198.51.100.{n}");
    let converged = wait(Duration::from_secs(20), || {
        nodes[0].holds("198.51.100.1") && nodes[0].holds(&last)
    });
    std::thread::sleep(Duration::from_secs(3));
    let t0: Vec<usize> = nodes.iter().map(transitions).collect();
    let pids: Vec<i32> = nodes.iter().filter_map(Node::vrrp_pid).collect();
    let c0: Vec<f64> = pids.iter().filter_map(|&p| cpu_seconds(p)).collect();
    let start = Instant::now();
    std::thread::sleep(Duration::from_secs(secs));
    let elapsed = start.elapsed().as_secs_f64();
    let c1: Vec<f64> = pids.iter().filter_map(|&p| cpu_seconds(p)).collect();
    let t1: Vec<usize> = nodes.iter().map(transitions).collect();
    let spurious: usize = t1.iter().zip(&t0).map(|(a, b)| a - b).sum();
    let cpu = |i: usize| match (c0.get(i), c1.get(i)) {
        (Some(a), Some(b)) => (b - a) / elapsed * 100.0,
        _ => f64::NAN,
    };
    Ok(Row {
        per_minute: spurious as f64 / elapsed * 60.0,
        cpu: [cpu(0), cpu(1)],
        converged,
    })
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let secs: u64 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(600);
    let n: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(100);
    let adv = args.get(3).cloned().unwrap_or_else(|| "0.01".into());
    println!("{n} instances on one pair, VRRPv3 advert_int {adv} s, {secs} s each");
    println!(
        "{:<11} {:>10} {:>22} {:>12} {:>12}",
        "daemon", "converged", "spurious trans./min", "CPU lb1 %", "CPU lb2 %"
    );
    let only = std::env::var("VIGIL_BENCH_ONLY").ok();
    for daemon in [Daemon::Vigil, Daemon::Keepalived] {
        if only.as_deref().is_some_and(|o| o != daemon.name()) {
            continue;
        }
        match run(daemon, secs, n, &adv) {
            Ok(r) => println!(
                "{:<11} {:>10} {:>22.1} {:>12.2} {:>12.2}",
                daemon.name(),
                r.converged,
                r.per_minute,
                r.cpu[0],
                r.cpu[1]
            ),
            Err(e) => {
                eprintln!("{}: FAILED: {e}", daemon.name());
                return ExitCode::FAILURE;
            }
        }
    }
    println!("(transitions: 'Entering MASTER/BACKUP STATE' log lines after the election settled; CPU of each node's VRRP process)");
    ExitCode::SUCCESS
}
