//! Failover timelines from captured frames: who advertised last, who announced the
//! virtual address first, and how long the gap was.

use std::net::IpAddr;
use std::time::Duration;
use vigil_netlab::wire::{classify, Kind};
use vigil_netlab::Frame;

/// A frame's meaning with its time and sender host.
#[derive(Debug, Clone)]
pub struct Event {
    /// Kernel timestamp.
    pub at: Duration,
    /// Sending host.
    pub from: String,
    /// What it was.
    pub kind: Kind,
}

/// The VRRP adverts, GARPs and NAs among `frames`, in order.
pub fn events(frames: &[Frame]) -> Vec<Event> {
    frames
        .iter()
        .filter_map(|f| {
            classify(&f.data).map(|kind| Event {
                at: f.at,
                from: f.from.clone(),
                kind,
            })
        })
        .collect()
}

/// True for a GARP or NA announcing `vip`.
pub fn announces(kind: &Kind, vip: IpAddr) -> bool {
    match (kind, vip) {
        (Kind::Garp { ip }, IpAddr::V4(v)) => *ip == v,
        (Kind::Na { target }, IpAddr::V6(v)) => *target == v,
        _ => false,
    }
}

/// The last advert `host` sent before `before` with a priority other than 0.
pub fn last_advert(events: &[Event], host: &str, before: Duration) -> Option<Duration> {
    events
        .iter()
        .filter(|e| e.from == host && e.at <= before)
        .filter(|e| matches!(e.kind, Kind::Advert { priority, .. } if priority != 0))
        .map(|e| e.at)
        .next_back()
}

/// The first priority-0 advert `host` sent after `after`.
pub fn priority_zero(events: &[Event], host: &str, after: Duration) -> Option<Duration> {
    events
        .iter()
        .filter(|e| e.from == host && e.at >= after)
        .find(|e| matches!(e.kind, Kind::Advert { priority: 0, .. }))
        .map(|e| e.at)
}

/// The first advert `host` sent after `after`.
pub fn first_advert(events: &[Event], host: &str, after: Duration) -> Option<Duration> {
    events
        .iter()
        .filter(|e| e.from == host && e.at >= after)
        .find(|e| matches!(e.kind, Kind::Advert { .. }))
        .map(|e| e.at)
}

/// The first GARP/NA for `vip` that `host` sent after `after`.
pub fn first_announce(
    events: &[Event],
    host: &str,
    vip: IpAddr,
    after: Duration,
) -> Option<Duration> {
    events
        .iter()
        .filter(|e| e.from == host && e.at >= after)
        .find(|e| announces(&e.kind, vip))
        .map(|e| e.at)
}

/// Milliseconds between two instants (negative when `b` is before `a`).
pub fn ms(a: Duration, b: Duration) -> f64 {
    (b.as_secs_f64() - a.as_secs_f64()) * 1000.0
}

/// The median of `v` (which it sorts); NaN when empty.
pub fn median(v: &mut [f64]) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&mut [4.0, 1.0, 2.0, 3.0]), 2.5);
        assert!(median(&mut []).is_nan());
    }
}
