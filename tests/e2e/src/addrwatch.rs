//! Watching a host's addresses through the kernel's own notifications (`ip -ts monitor
//! address`), to prove an address was never removed, not even for a moment, and to
//! measure how long two hosts held one address together.

use std::path::PathBuf;
use std::process::{Child, Command};
use std::time::Duration;
use vigil_netlab::{Host, LabError};

/// A running `ip -ts monitor address` in one host.
pub struct AddrWatch {
    child: Child,
    path: PathBuf,
}

/// One address notification.
#[derive(Debug, Clone, PartialEq)]
pub struct AddrEvent {
    /// Wall-clock time (seconds since the epoch, microseconds precision).
    pub at: f64,
    /// Added (true) or deleted.
    pub added: bool,
    /// The address without its prefix length.
    pub addr: String,
}

impl AddrWatch {
    /// Starts watching `host`; waits until the monitor runs.
    pub fn start(host: &Host, dir: &std::path::Path) -> Result<AddrWatch, LabError> {
        let path = dir.join(format!("{}.addrwatch", host.name()));
        let child = host.spawn_logging_to(
            Command::new("ip").args(["-ts", "monitor", "address"]),
            &path,
        )?;
        // `ip monitor` subscribes within a few milliseconds of starting.
        std::thread::sleep(Duration::from_millis(150));
        Ok(AddrWatch { child, path })
    }

    /// The notifications so far.
    pub fn events(&self) -> Vec<AddrEvent> {
        let text = std::fs::read_to_string(&self.path).unwrap_or_default();
        text.lines().filter_map(parse).collect()
    }
}

impl Drop for AddrWatch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `[2026-12-02T07:35:02.123456] Deleted 2: eth0    inet 192.0.2.100/24 scope global eth0`
fn parse(line: &str) -> Option<AddrEvent> {
    let rest = line.strip_prefix('[')?;
    let (ts, body) = rest.split_once(']')?;
    let at = parse_ts(ts)?;
    let added = !body.trim_start().starts_with("Deleted");
    let mut words = body.split_whitespace();
    words.find(|w| *w == "inet" || *w == "inet6")?;
    let addr = words.next()?.split('/').next()?.to_string();
    Some(AddrEvent { at, added, addr })
}

/// `2026-12-02T07:35:02.123456` (UTC, as `ip -ts` prints local time; the lab's
/// machines run in UTC, and only differences matter).
fn parse_ts(ts: &str) -> Option<f64> {
    let (date, time) = ts.split_once('T')?;
    let mut d = date.split('-').map(|x| x.parse::<i64>().ok());
    let (y, m, day) = (d.next()??, d.next()??, d.next()??);
    let mut t = time.split(':');
    let (h, min) = (
        t.next()?.parse::<i64>().ok()?,
        t.next()?.parse::<i64>().ok()?,
    );
    let sec: f64 = t.next()?.parse().ok()?;
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some((days * 86_400 + h * 3600 + min * 60) as f64 + sec)
}

/// The intervals during which `addr` was held, from a host's notifications, given
/// whether it was held when watching began; an open interval ends at `end`.
pub fn held(
    events: &[AddrEvent],
    addr: &str,
    initially: bool,
    start: f64,
    end: f64,
) -> Vec<(f64, f64)> {
    let mut out = Vec::new();
    let mut since = initially.then_some(start);
    for e in events.iter().filter(|e| e.addr == addr) {
        match (e.added, since) {
            (true, None) => since = Some(e.at),
            (false, Some(s)) => {
                out.push((s, e.at));
                since = None;
            }
            _ => {}
        }
    }
    if let Some(s) = since {
        out.push((s, end));
    }
    out
}

/// The total time two sets of intervals overlap, in seconds.
pub fn overlap(a: &[(f64, f64)], b: &[(f64, f64)]) -> f64 {
    let mut total = 0.0;
    for &(a0, a1) in a {
        for &(b0, b1) in b {
            let (s, e) = (a0.max(b0), a1.min(b1));
            if e > s {
                total += e - s;
            }
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_ip_monitor_lines() {
        let e = parse("[2026-12-02T07:35:02.500000] Deleted 2: eth0    inet 192.0.2.100/24 scope global secondary eth0").unwrap();
        assert!(!e.added);
        assert_eq!(e.addr, "192.0.2.100");
        let a = parse(
            "[2026-12-02T07:35:02.250000] 2: eth0    inet6 2001:db8::100/64 scope global nodad",
        )
        .unwrap();
        assert!(a.added);
        assert!((e.at - a.at - 0.25).abs() < 1e-6);
        assert!(parse("[2026-12-02T07:35:02.250000] 2: eth0    valid_lft forever").is_none());
    }

    #[test]
    fn overlap_of_held_intervals() {
        let a = vec![(0.0, 1.0), (2.0, 3.0)];
        let b = vec![(0.5, 2.5)];
        assert!((overlap(&a, &b) - 1.0).abs() < 1e-9);
        let ev = vec![
            AddrEvent {
                at: 1.0,
                added: false,
                addr: "x".into(),
            },
            AddrEvent {
                at: 2.0,
                added: true,
                addr: "x".into(),
            },
        ];
        assert_eq!(held(&ev, "x", true, 0.0, 5.0), vec![(0.0, 1.0), (2.0, 5.0)]);
    }
}
