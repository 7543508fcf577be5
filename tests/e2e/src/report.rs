//! The demo's report as text: a timeline that puts VRRP adverts and gratuitous ARPs next
//! to the client's echo replies, the client's requests grouped by who answered them, and
//! a one-line verdict with each step's numbers against its RFC bound.

use crate::echo::{mac_text, Handover, Run};
use crate::timeline::ms;
use std::fmt::Write;
use std::time::Duration;
use vigil_netlab::wire::Kind;

/// Slack over an RFC bound for scheduling on a loaded two-core machine (the same margin
/// as the failover tests, tests/e2e/tests/vrrp_failover.rs).
pub const MARGIN_MS: f64 = 40.0;

/// One line of a timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// When (capture clock).
    pub at: Duration,
    /// Who sent it; `-` for a computed instant or an action of the demo.
    pub host: String,
    /// What it was.
    pub what: String,
    /// Why it matters (may be empty).
    pub note: String,
}

impl Row {
    /// A row for `at` (nothing when `at` is `None`: the event was not seen).
    pub fn at(at: Option<Duration>, host: &str, what: &str, note: &str) -> Option<Row> {
        at.map(|at| Row {
            at,
            host: host.into(),
            what: what.into(),
            note: note.into(),
        })
    }
}

/// A frame's meaning in a few words.
pub fn describe(kind: &Kind) -> String {
    match kind {
        Kind::Advert { priority, .. } => format!("VRRP advert, priority {priority}"),
        Kind::Garp { ip } => format!("gratuitous ARP for {ip}"),
        Kind::Na { target } => format!("neighbour advertisement for {target}"),
    }
}

/// `rows` sorted by time, in milliseconds relative to `zero`, aligned.
pub fn timeline(rows: &[Row], zero: Duration) -> String {
    let mut sorted = rows.to_vec();
    sorted.sort_by_key(|r| r.at);
    let mut s = format!("    {:>9}  {:<6} {}\n", "ms", "node", "event");
    for r in &sorted {
        let line = format!(
            "    {:>+9.1}  {:<6} {:<42} {}",
            ms(zero, r.at),
            r.host,
            r.what,
            r.note
        );
        let _ = writeln!(s, "{}", line.trim_end());
    }
    s
}

/// The client's requests grouped by fate, one line per run, with when they were sent
/// in milliseconds relative to `zero`.
pub fn client_runs(runs: &[Run], zero: Duration) -> String {
    let mut s = String::new();
    for r in runs {
        let fate = match &r.by {
            Some((host, mac)) => format!("answered by {host} ({})", mac_text(mac)),
            None => "lost (no reply)".to_string(),
        };
        let sent = format!(
            "{:+.1} to {:+.1} ms",
            ms(zero, r.first_sent),
            ms(zero, r.last_sent)
        );
        let _ = writeln!(
            s,
            "    seq {:>4}-{:<4} {:>4} requests  sent {sent:<22} {fate}",
            r.first_seq, r.last_seq, r.count
        );
    }
    s
}

/// A takeover time measured from the wire, checked against an RFC bound.
#[derive(Debug, Clone, PartialEq)]
pub struct Takeover {
    /// What it is measured from ("lb1's last advert").
    pub from: String,
    /// The new master's first gratuitous ARP after that; `None` when none was seen.
    pub ms: Option<f64>,
    /// The bound (Master_Down_Interval or Skew_Time).
    pub bound: f64,
    /// The earliest acceptable value: a backup that takes over well before the bound
    /// did not wait for the master to be gone.
    pub min: f64,
    /// How much longer than the bound (plus [`MARGIN_MS`]) the client may go without a
    /// reply: two ping intervals, since its last reply from the old node may come up to
    /// one interval before the reference, and its first from the new node up to one
    /// after the gratuitous ARP.
    pub client_slack: f64,
}

/// One step of the demo, as measured.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// Its short name in the verdict ("power loss").
    pub name: String,
    /// The node the client should move away from, and the one it should move to.
    pub old: String,
    /// See `old`.
    pub new: String,
    /// The client's handover; `None` when the new node never answered.
    pub handover: Option<Handover>,
    /// The takeover time, for the steps that have an RFC bound.
    pub takeover: Option<Takeover>,
}

/// Why `step` fails, if it does.
fn problems(step: &Step) -> Vec<String> {
    let mut p = Vec::new();
    match &step.handover {
        None => p.push(format!(
            "the client never got a reply from {} after {}",
            step.new, step.old
        )),
        Some(h) if h.old_after > 0 => p.push(format!(
            "{} still answered {} requests after {} had",
            step.old, h.old_after, step.new
        )),
        Some(_) => {}
    }
    if let Some(t) = &step.takeover {
        let most = t.bound + MARGIN_MS + t.client_slack;
        if let Some(h) = step.handover.as_ref().filter(|h| h.gap_ms > most) {
            p.push(format!(
                "the client had no reply for {:.1} ms, over {most:.1} ms",
                h.gap_ms
            ));
        }
        match t.ms {
            None => p.push(format!("no gratuitous ARP from {}", step.new)),
            Some(v) if v > t.bound + MARGIN_MS => p.push(format!(
                "{v:.1} ms after {} exceeds {:.1} + {MARGIN_MS:.0} ms",
                t.from, t.bound
            )),
            Some(v) if v < t.min => p.push(format!(
                "{v:.1} ms after {} is before {:.1} ms",
                t.from, t.min
            )),
            Some(_) => {}
        }
    }
    p
}

/// The one-line verdict: `verdict: OK | step: numbers | ...` or `verdict: FAIL (...)`,
/// and whether every step passed.
pub fn verdict(steps: &[Step]) -> (bool, String) {
    let mut parts = Vec::new();
    let mut failures = Vec::new();
    for step in steps {
        let mut s = format!("{}:", step.name);
        if let Some(h) = &step.handover {
            let _ = write!(
                s,
                " {} pings lost, {:.1} ms without a reply",
                h.lost, h.gap_ms
            );
        }
        if let Some(t) = &step.takeover {
            if let Some(v) = t.ms {
                let _ = write!(
                    s,
                    ", {} announced {v:.1} ms after {} (bound {:.1} ms)",
                    step.new, t.from, t.bound
                );
            }
        }
        failures.extend(
            problems(step)
                .into_iter()
                .map(|p| format!("{}: {p}", step.name)),
        );
        parts.push(s);
    }
    let ok = failures.is_empty();
    let head = if ok {
        "verdict: OK".to_string()
    } else {
        format!("verdict: FAIL ({})", failures.join("; "))
    };
    (ok, format!("{head} | {}", parts.join(" | ")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::echo::{Answer, Outcome};

    fn outcome(seq: u16, at_ms: u64, by: &str) -> Outcome {
        Outcome {
            seq,
            sent: Duration::from_millis(at_ms),
            answer: Some(Answer {
                at: Duration::from_millis(at_ms + 1),
                by: by.into(),
                mac: [2, 0, 0, 0, 0, 1],
            }),
        }
    }

    fn crash_step(takeover_ms: Option<f64>, old_after: usize) -> Step {
        Step {
            name: "power loss".into(),
            old: "lb1".into(),
            new: "lb2".into(),
            handover: Some(Handover {
                last_old: outcome(30, 300, "lb1"),
                first_new: outcome(68, 680, "lb2"),
                lost: 37,
                gap_ms: 380.0,
                old_after,
            }),
            takeover: Some(Takeover {
                from: "lb1's last advert".into(),
                ms: takeover_ms,
                bound: 360.9,
                min: 260.9,
                client_slack: 20.0,
            }),
        }
    }

    #[test]
    fn verdict_within_master_down_interval_rfc5798_6_4_2() {
        let (ok, line) = verdict(&[crash_step(Some(362.0), 0)]);
        assert!(ok, "{line}");
        assert_eq!(
            line,
            "verdict: OK | power loss: 37 pings lost, 380.0 ms without a reply, lb2 announced \
             362.0 ms after lb1's last advert (bound 360.9 ms)"
        );
    }

    #[test]
    fn verdict_fails_late_early_missing_or_flapping() {
        for (t, old_after, why) in [
            (Some(401.0), 0, "exceeds 360.9 + 40 ms"),
            (Some(200.0), 0, "is before 260.9 ms"),
            (None, 0, "no gratuitous ARP from lb2"),
            (Some(362.0), 2, "lb1 still answered 2 requests"),
        ] {
            let (ok, line) = verdict(&[crash_step(t, old_after)]);
            assert!(!ok, "{line}");
            assert!(line.starts_with("verdict: FAIL (power loss: "), "{line}");
            assert!(line.contains(why), "{line}");
        }
        let mut slow_client = crash_step(Some(362.0), 0);
        if let Some(h) = slow_client.handover.as_mut() {
            h.gap_ms = 421.0;
        }
        let (ok, line) = verdict(&[slow_client]);
        assert!(
            !ok && line.contains("no reply for 421.0 ms, over 420.9 ms"),
            "{line}"
        );
        let mut no_reply = crash_step(Some(362.0), 0);
        no_reply.handover = None;
        let (ok, line) = verdict(&[no_reply]);
        assert!(!ok && line.contains("never got a reply from lb2"), "{line}");
    }

    #[test]
    fn timeline_is_sorted_and_relative() {
        let z = Duration::from_millis(1000);
        let rows = [
            Row::at(Some(Duration::from_millis(1361)), "lb2", "b", "first").unwrap(),
            Row::at(Some(Duration::from_millis(999)), "lb1", "a", "").unwrap(),
        ];
        assert_eq!(Row::at(None, "lb1", "x", ""), None);
        let text = timeline(&rows, z);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(lines[1].trim_start().starts_with("-1.0  lb1"), "{text}");
        assert!(lines[2].trim_start().starts_with("+361.0  lb2"), "{text}");
        assert!(lines[2].ends_with("first"), "{text}");
    }
}
