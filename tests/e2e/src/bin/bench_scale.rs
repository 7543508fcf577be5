//! The scale benchmark (issue 4): one node with N instances (default 1,000) at
//! advert_int 1 over four interfaces (each on its own bridge), vigil and keepalived in turn on the same
//! configuration. Reports the time from start until every instance sent its first
//! advert as MASTER (the protocol's bound: Master_Down_Interval, 3.609 s at priority
//! 100), how late adverts were afterwards, and the VRRP process's CPU per second and
//! RSS over a steady window.
//!
//!     vigil-bench-scale [INSTANCES] [WINDOW_SECONDS]

use std::collections::HashMap;
use std::fmt::Write;
use std::process::ExitCode;
use std::time::{Duration, Instant};
use vigil_e2e::procstat::{cpu_seconds, rss_anon_kib, rss_kib};
use vigil_e2e::{Daemon, Node};
use vigil_netlab::wire::{classify, Kind};
use vigil_netlab::{capture, Lab};

/// The node's interfaces, each on a separate link.
const LINKS: [&str; 4] = ["eth0", "eth1", "eth2", "eth3"];

/// The VIP of instance `i` (1-based) on link `v`.
fn vip(v: usize, i: usize) -> String {
    match v {
        0 => format!("192.0.2.{i}/32"),
        1 => format!("198.51.100.{i}/32"),
        2 => format!("203.0.113.{i}/32"),
        _ => format!("2001:db8:13::{i:x}/128"),
    }
}

fn config(per_link: usize) -> String {
    let mut s = String::from("global_defs {\n    router_id scale\n}\n");
    for (v, link) in LINKS.iter().enumerate() {
        for i in 1..=per_link {
            let _ = write!(
                s,
                "vrrp_instance V{v}_{i} {{\n    state BACKUP\n    interface {link}\n    \
                 virtual_router_id {i}\n    priority 100\n    advert_int 1\n    version 3\n    \
                 garp_master_delay 0\n    virtual_ipaddress {{\n        {}\n    }}\n}}\n",
                vip(v, i)
            );
        }
    }
    s
}

struct Result_ {
    masters: usize,
    all_master_s: Option<f64>,
    /// The first instance's first advert as MASTER, from start.
    first_master_s: f64,
    late_p99_ms: f64,
    late_max_ms: f64,
    cpu_pct: f64,
    rss_kib: u64,
    /// Of which anonymous (heap, stacks).
    rss_anon_kib: u64,
    /// Frames the capture dropped: a dropped advert reads as a late one.
    capture_drops: u64,
}

fn run(
    daemon: Daemon,
    per_link: usize,
    window: u64,
) -> Result<Result_, Box<dyn std::error::Error>> {
    let mut lab = Lab::new("sc")?;
    let host = lab.host("n1")?;
    for (v, link) in LINKS.iter().enumerate() {
        if v > 0 {
            lab.link(&host, link, &format!("br{v}"))?;
        }
        let own = match v {
            0 => "192.0.2.253/24".to_string(),
            1 => "198.51.100.253/24".to_string(),
            2 => "203.0.113.253/24".to_string(),
            _ => "2001:db8:13::fe/64 nodad".to_string(),
        };
        host.run(&format!("ip addr add {own} dev {link}"))?;
    }
    let mut node = Node::new(host, daemon, lab.dir(), &config(per_link))?;
    // Start from the node's side of the bridge: its adverts enter at port p-n1.
    let cap = lab.capture()?;
    let t0 = capture::now();
    let started = Instant::now();
    node.start()?;
    let total = per_link * LINKS.len();
    let deadline = Duration::from_secs(40);
    let mut first: HashMap<(String, u8), Duration> = HashMap::new();
    let mut seen = 0;
    while first.len() < total && started.elapsed() < deadline {
        std::thread::sleep(Duration::from_millis(200));
        let frames = cap.frames_since(seen);
        for f in &frames {
            if let Some(Kind::Advert { vrid, .. }) = classify(&f.data) {
                first.entry((f.port.clone(), vrid)).or_insert(f.at);
            }
        }
        seen += frames.len();
    }
    let masters = first.len();
    let first_master_s = first
        .values()
        .map(|t| t.as_secs_f64() - t0.as_secs_f64())
        .fold(f64::INFINITY, f64::min);
    let all_master_s = (masters == total).then(|| {
        first
            .values()
            .map(|t| t.as_secs_f64() - t0.as_secs_f64())
            .fold(0.0, f64::max)
    });
    // The steady window: CPU and advert timeliness.
    let pid = node.vrrp_pid().ok_or("no VRRP process pid file")?;
    let mark = seen + cap.frames_since(seen).len();
    let c0 = cpu_seconds(pid).ok_or("cpu")?;
    let w0 = Instant::now();
    std::thread::sleep(Duration::from_secs(window));
    let c1 = cpu_seconds(pid).ok_or("cpu")?;
    let elapsed = w0.elapsed().as_secs_f64();
    let rss = rss_kib(pid).unwrap_or(0);
    let rss_anon = rss_anon_kib(pid).unwrap_or(0);
    let drops = cap.drops();
    let frames = cap.stop();
    let mut last: HashMap<(String, u8), Duration> = HashMap::new();
    let mut lateness = Vec::new();
    for f in &frames[mark..] {
        if let Some(Kind::Advert { vrid, .. }) = classify(&f.data) {
            if let Some(prev) = last.insert((f.port.clone(), vrid), f.at) {
                lateness.push((f.at.as_secs_f64() - prev.as_secs_f64() - 1.0) * 1000.0);
            }
        }
    }
    lateness.sort_by(|a, b| a.total_cmp(b));
    let p99 = lateness
        .get(lateness.len().saturating_sub(1) * 99 / 100)
        .copied()
        .unwrap_or(f64::NAN);
    let max = lateness.last().copied().unwrap_or(f64::NAN);
    node.crash();
    Ok(Result_ {
        masters,
        all_master_s,
        first_master_s,
        late_p99_ms: p99,
        late_max_ms: max,
        cpu_pct: (c1 - c0) / elapsed * 100.0,
        rss_kib: rss,
        rss_anon_kib: rss_anon,
        capture_drops: drops,
    })
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(1000);
    let window: u64 = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(30);
    let per_link = n.div_ceil(LINKS.len()).min(255);
    let total = per_link * LINKS.len();
    println!("{total} instances (4 links × {per_link}), VRRPv3 advert_int 1, priority 100, no peer; bound: Master_Down_Interval 3.609 s");
    let mut rows = Vec::new();
    // One implementation alone, for looking at the harness: VIGIL_BENCH_ONLY=keepalived.
    let only = std::env::var("VIGIL_BENCH_ONLY").ok();
    for daemon in [Daemon::Vigil, Daemon::Keepalived] {
        if only.as_deref().is_some_and(|o| o != daemon.name()) {
            continue;
        }
        match run(daemon, per_link, window) {
            Ok(r) => rows.push((daemon, r)),
            Err(e) => {
                eprintln!("{}: FAILED: {e}", daemon.name());
                return ExitCode::FAILURE;
            }
        }
    }
    println!(
        "{:<11} {:>8} {:>14} {:>14} {:>14} {:>14} {:>10} {:>10} {:>10} {:>10}",
        "daemon",
        "masters",
        "first MASTER s",
        "all MASTER s",
        "late p99 ms",
        "late max ms",
        "CPU %",
        "RSS KiB",
        "anon KiB",
        "cap drops"
    );
    for (d, r) in &rows {
        println!(
            "{:<11} {:>8} {:>14.3} {:>14} {:>14.1} {:>14.1} {:>10.2} {:>10} {:>10} {:>10}",
            d.name(),
            r.masters,
            r.first_master_s,
            r.all_master_s.map_or("never".into(), |s| format!("{s:.3}")),
            r.late_p99_ms,
            r.late_max_ms,
            r.cpu_pct,
            r.rss_kib,
            r.rss_anon_kib,
            r.capture_drops
        );
    }
    if let [(_, v), (_, k)] = &rows[..] {
        println!(
            "ratios vigil/keepalived: CPU {:.2}, RSS {:.2} (anonymous {:.2}); vigil all MASTER {} ms after the bound",
            v.cpu_pct / k.cpu_pct,
            v.rss_kib as f64 / k.rss_kib as f64,
            v.rss_anon_kib as f64 / k.rss_anon_kib as f64,
            v.all_master_s
                .map_or("—".into(), |s| format!("{:.0}", (s - 3.609) * 1000.0))
        );
    }
    println!("(CPU and RSS of the VRRP process — vigil-vrrpd, keepalived's VRRP child — over {window} s after the election; lateness = advert interval − 1 s per instance in that window)");
    ExitCode::SUCCESS
}
