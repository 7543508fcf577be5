//! The client's side of a failover, read from captured frames: the ICMP echo requests a
//! client sent to the virtual address, which node answered each one (the bridge port and
//! source MAC of the reply), which got no answer, and how long the client went without
//! one when the answering node changed.

use crate::timeline::ms;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::Duration;
use vigil_netlab::wire::src_mac;
use vigil_netlab::Frame;

const ETH_P_IP: u16 = 0x0800;
const ETH_P_IPV6: u16 = 0x86dd;
const ETH_P_8021Q: u16 = 0x8100;
const PROTO_ICMP: u8 = 1;
const PROTO_ICMPV6: u8 = 58;

/// An ICMP echo request or reply seen on the bridge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Echo {
    /// Kernel timestamp of the frame entering the bridge.
    pub at: Duration,
    /// The host whose port it came in on.
    pub from: String,
    /// Its Ethernet source address.
    pub mac: [u8; 6],
    /// A reply (ICMP type 0 / ICMPv6 129) rather than a request (8 / 128).
    pub reply: bool,
    /// ICMP identifier (one per ping process).
    pub id: u16,
    /// ICMP sequence number.
    pub seq: u16,
}

/// Source, destination, and echo (reply?, id, seq) of an IPv4 or IPv6 ICMP echo frame.
type Parsed = (IpAddr, IpAddr, bool, u16, u16);

/// Parses an echo request or reply (RFC 792 "Echo or Echo Reply Message", RFC 4443
/// §4.1–4.2); `None` for anything else.
fn parse(frame: &[u8]) -> Option<Parsed> {
    let mut t = u16::from_be_bytes(frame.get(12..14)?.try_into().ok()?);
    let mut p = frame.get(14..)?;
    if t == ETH_P_8021Q {
        t = u16::from_be_bytes(p.get(2..4)?.try_into().ok()?);
        p = p.get(4..)?;
    }
    let (src, dst, icmp, request, reply) = match t {
        ETH_P_IP => {
            if *p.get(9)? != PROTO_ICMP {
                return None;
            }
            let ihl = usize::from(p.first()? & 0x0f) * 4;
            let a: [u8; 4] = p.get(12..16)?.try_into().ok()?;
            let b: [u8; 4] = p.get(16..20)?.try_into().ok()?;
            let (s, d) = (Ipv4Addr::from(a), Ipv4Addr::from(b));
            (IpAddr::V4(s), IpAddr::V4(d), p.get(ihl..)?, 8, 0)
        }
        ETH_P_IPV6 => {
            // Ping sends no extension headers: ICMPv6 follows the fixed header.
            if *p.get(6)? != PROTO_ICMPV6 {
                return None;
            }
            let a: [u8; 16] = p.get(8..24)?.try_into().ok()?;
            let b: [u8; 16] = p.get(24..40)?.try_into().ok()?;
            let (s, d) = (Ipv6Addr::from(a), Ipv6Addr::from(b));
            (IpAddr::V6(s), IpAddr::V6(d), p.get(40..)?, 128, 129)
        }
        _ => return None,
    };
    let kind = *icmp.first()?;
    if kind != request && kind != reply {
        return None;
    }
    let id = u16::from_be_bytes(icmp.get(4..6)?.try_into().ok()?);
    let seq = u16::from_be_bytes(icmp.get(6..8)?.try_into().ok()?);
    Some((src, dst, kind == reply, id, seq))
}

/// The echo requests to `vip` and the replies from it among `frames`, in capture order.
pub fn echoes(frames: &[Frame], vip: IpAddr) -> Vec<Echo> {
    frames
        .iter()
        .filter_map(|f| {
            let (src, dst, reply, id, seq) = parse(&f.data)?;
            let ours = if reply { src == vip } else { dst == vip };
            ours.then(|| Echo {
                at: f.at,
                from: f.from.clone(),
                mac: src_mac(&f.data).unwrap_or_default(),
                reply,
                id,
                seq,
            })
        })
        .collect()
}

/// Who answered a request, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// When the reply entered the bridge.
    pub at: Duration,
    /// The answering host.
    pub by: String,
    /// The reply's Ethernet source address.
    pub mac: [u8; 6],
}

/// What became of one echo request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Its sequence number.
    pub seq: u16,
    /// When it entered the bridge.
    pub sent: Duration,
    /// The first reply to it; `None` when it was lost.
    pub answer: Option<Answer>,
}

/// Each request of `echoes` with its first reply (same identifier and sequence number,
/// seen after it), in the order the requests were sent.
pub fn outcomes(echoes: &[Echo]) -> Vec<Outcome> {
    echoes
        .iter()
        .enumerate()
        .filter(|(_, e)| !e.reply)
        .map(|(i, req)| Outcome {
            seq: req.seq,
            sent: req.at,
            answer: echoes[i..]
                .iter()
                .find(|r| r.reply && r.id == req.id && r.seq == req.seq)
                .map(|r| Answer {
                    at: r.at,
                    by: r.from.clone(),
                    mac: r.mac,
                }),
        })
        .collect()
}

/// Consecutive requests with the same fate: answered by one host, or lost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    /// The answering host and its MAC; `None` for lost requests.
    pub by: Option<(String, [u8; 6])>,
    /// Sequence number of the first request of the run.
    pub first_seq: u16,
    /// Sequence number of the last.
    pub last_seq: u16,
    /// How many requests.
    pub count: usize,
    /// When the first request of the run was sent (entered the bridge).
    pub first_sent: Duration,
    /// When the last was.
    pub last_sent: Duration,
}

/// `outcomes` grouped into runs.
pub fn runs(outcomes: &[Outcome]) -> Vec<Run> {
    let mut out: Vec<Run> = Vec::new();
    for o in outcomes {
        let by = o.answer.as_ref().map(|a| (a.by.clone(), a.mac));
        match out.last_mut() {
            Some(r) if r.by == by => {
                r.last_seq = o.seq;
                r.last_sent = o.sent;
                r.count += 1;
            }
            _ => out.push(Run {
                by,
                first_seq: o.seq,
                last_seq: o.seq,
                count: 1,
                first_sent: o.sent,
                last_sent: o.sent,
            }),
        }
    }
    out
}

/// The client's view of the virtual address moving from one node to another.
#[derive(Debug, Clone, PartialEq)]
pub struct Handover {
    /// The last request the old node answered before the new one answered any.
    pub last_old: Outcome,
    /// The first request the new node answered.
    pub first_new: Outcome,
    /// Requests sent between those two that got no answer.
    pub lost: usize,
    /// Milliseconds between the old node's last reply and the new node's first one: how
    /// long the client heard nothing from the virtual address.
    pub gap_ms: f64,
    /// Requests answered by the old node after the new one had answered (flapping).
    pub old_after: usize,
}

/// The handover from host `old` to host `new` in `outcomes`; `None` unless `old`
/// answered some request and `new` answered a later one.
pub fn handover(outcomes: &[Outcome], old: &str, new: &str) -> Option<Handover> {
    let by = |o: &Outcome, host: &str| o.answer.as_ref().is_some_and(|a| a.by == host);
    let seen_old = outcomes.iter().position(|o| by(o, old))?;
    let first = seen_old + outcomes[seen_old..].iter().position(|o| by(o, new))?;
    let last = outcomes[..first].iter().rposition(|o| by(o, old))?;
    let reply_at = |o: &Outcome| o.answer.as_ref().map(|a| a.at).unwrap_or_default();
    Some(Handover {
        last_old: outcomes[last].clone(),
        first_new: outcomes[first].clone(),
        lost: outcomes[last + 1..first]
            .iter()
            .filter(|o| o.answer.is_none())
            .count(),
        gap_ms: ms(reply_at(&outcomes[last]), reply_at(&outcomes[first])),
        old_after: outcomes[first..].iter().filter(|o| by(o, old)).count(),
    })
}

/// The median time between consecutive requests, in milliseconds (NaN for fewer than
/// two): the interval the client really pinged at.
pub fn median_interval_ms(outcomes: &[Outcome]) -> f64 {
    let mut gaps: Vec<f64> = outcomes
        .windows(2)
        .map(|w| ms(w[0].sent, w[1].sent))
        .collect();
    crate::timeline::median(&mut gaps)
}

/// A MAC address as `aa:bb:cc:dd:ee:ff`.
pub fn mac_text(mac: &[u8; 6]) -> String {
    mac.iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLIENT: [u8; 6] = [2, 0, 0, 0, 0, 0x50];
    const LB1: [u8; 6] = [2, 0, 0, 0, 0, 0x11];
    const LB2: [u8; 6] = [2, 0, 0, 0, 0, 0x12];

    fn v4_echo(mac: [u8; 6], src: [u8; 4], dst: [u8; 4], kind: u8, seq: u16) -> Vec<u8> {
        let mut f = vec![0xff; 6];
        f.extend(mac);
        f.extend(ETH_P_IP.to_be_bytes());
        f.extend([0x45, 0, 0, 28, 0, 0, 0, 0, 64, PROTO_ICMP, 0, 0]);
        f.extend(src);
        f.extend(dst);
        f.extend([kind, 0, 0, 0, 0x12, 0x34]);
        f.extend(seq.to_be_bytes());
        f
    }

    fn frame(ms: u64, from: &str, data: Vec<u8>) -> Frame {
        Frame {
            at: Duration::from_millis(ms),
            from: from.into(),
            port: format!("p-{from}"),
            data,
        }
    }

    const VIP: [u8; 4] = [192, 0, 2, 100];
    const CL: [u8; 4] = [192, 0, 2, 50];

    fn req(ms: u64, seq: u16) -> Frame {
        frame(ms, "client", v4_echo(CLIENT, CL, VIP, 8, seq))
    }

    fn rep(ms: u64, host: &str, mac: [u8; 6], seq: u16) -> Frame {
        frame(ms, host, v4_echo(mac, VIP, CL, 0, seq))
    }

    #[test]
    fn echo_request_and_reply_rfc792() {
        let f = v4_echo(CLIENT, CL, VIP, 8, 7);
        let (s, d, reply, id, seq) = parse(&f).unwrap();
        assert_eq!((s, d), (IpAddr::from(CL), IpAddr::from(VIP)));
        assert_eq!((reply, id, seq), (false, 0x1234, 7));
        assert!(parse(&v4_echo(LB1, VIP, CL, 0, 7)).unwrap().2);
        // Destination unreachable (type 3) is not an echo.
        assert_eq!(parse(&v4_echo(LB1, VIP, CL, 3, 7)), None);
        assert_eq!(parse(&f[..30]), None);
    }

    #[test]
    fn echo_request_over_ipv6_rfc4443_4_1() {
        let mut f = vec![0xff; 6];
        f.extend(CLIENT);
        f.extend(ETH_P_IPV6.to_be_bytes());
        f.extend([0x60, 0, 0, 0, 0, 16, PROTO_ICMPV6, 64]);
        let src: Ipv6Addr = "2001:db8::50".parse().unwrap();
        let dst: Ipv6Addr = "2001:db8::100".parse().unwrap();
        f.extend(src.octets());
        f.extend(dst.octets());
        f.extend([128, 0, 0, 0, 0, 9, 0, 3]);
        assert_eq!(
            parse(&f),
            Some((IpAddr::V6(src), IpAddr::V6(dst), false, 9, 3))
        );
    }

    /// lb1 answers 1–3, 4–6 are lost, lb2 answers 7–8; a frame to another address is
    /// ignored.
    fn failover_frames() -> Vec<Frame> {
        let mut f = Vec::new();
        for seq in 1..=8u16 {
            let t = u64::from(seq) * 10;
            f.push(req(t, seq));
            match seq {
                1..=3 => f.push(rep(t + 1, "lb1", LB1, seq)),
                7..=8 => f.push(rep(t + 2, "lb2", LB2, seq)),
                _ => {}
            }
        }
        f.push(frame(
            5,
            "client",
            v4_echo(CLIENT, CL, [192, 0, 2, 11], 8, 1),
        ));
        f
    }

    #[test]
    fn runs_show_who_answered_and_what_was_lost() {
        let vip = IpAddr::from(VIP);
        let o = outcomes(&echoes(&failover_frames(), vip));
        assert_eq!(o.len(), 8);
        let r = runs(&o);
        let summary: Vec<_> = r
            .iter()
            .map(|r| (r.by.clone().map(|b| b.0), r.first_seq, r.last_seq, r.count))
            .collect();
        assert_eq!(
            summary,
            vec![
                (Some("lb1".to_string()), 1, 3, 3),
                (None, 4, 6, 3),
                (Some("lb2".to_string()), 7, 8, 2),
            ]
        );
        assert_eq!(r[0].by.as_ref().unwrap().1, LB1);
        assert_eq!(
            (r[1].first_sent, r[1].last_sent),
            (Duration::from_millis(40), Duration::from_millis(60))
        );
    }

    #[test]
    fn handover_counts_lost_requests_and_the_silent_gap() {
        let o = outcomes(&echoes(&failover_frames(), IpAddr::from(VIP)));
        let h = handover(&o, "lb1", "lb2").unwrap();
        assert_eq!((h.last_old.seq, h.first_new.seq), (3, 7));
        assert_eq!(h.lost, 3);
        // lb1's reply to 3 at 31 ms, lb2's reply to 7 at 72 ms.
        assert!((h.gap_ms - 41.0).abs() < 1e-6, "{}", h.gap_ms);
        assert_eq!(h.old_after, 0);
        assert_eq!(handover(&o, "lb2", "lb1"), None);
        assert!((median_interval_ms(&o) - 10.0).abs() < 1e-6);
        assert!(median_interval_ms(&o[..1]).is_nan());
    }

    #[test]
    fn a_reply_before_its_request_does_not_count() {
        let f = vec![rep(1, "lb1", LB1, 1), req(2, 1)];
        let o = outcomes(&echoes(&f, IpAddr::from(VIP)));
        assert_eq!(o.len(), 1);
        assert_eq!(o[0].answer, None);
    }

    #[test]
    fn mac_text_is_colon_separated_hex() {
        assert_eq!(mac_text(&[0, 0, 0x5e, 0, 1, 0xab]), "00:00:5e:00:01:ab");
    }
}
