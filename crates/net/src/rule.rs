//! Policy routing rules (`virtual_rules`, `static_rules`) as kernel specs, and their
//! RTM_NEWRULE/RTM_DELRULE encoding; and the `Rtnl` methods on rules.

use crate::error::NetError;
use crate::rtnl::{tolerate, Rtnl};
use netlink_packet_core::{NLM_F_CREATE, NLM_F_EXCL};
use netlink_packet_route::route::{RouteProtocol, RouteRealm};
use netlink_packet_route::rule::{
    RuleAction, RuleAttribute, RuleFlags, RuleMessage, RulePortRange, RuleUidRange,
};
use netlink_packet_route::RouteNetlinkMessage;
use netlink_packet_route::{AddressFamily, IpProtocol};
use nix::errno::Errno;
use std::fmt;
use std::net::IpAddr;

/// What a rule does when it matches (FR_ACT_*).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RuleVerdict {
    /// Look the route up in this table.
    Table(u32),
    /// Continue at the rule with this preference.
    Goto(u32),
    /// Do nothing (a placeholder rule).
    Nop,
    /// Drop silently.
    Blackhole,
    /// Answer "network unreachable".
    Unreachable,
    /// Answer "administratively prohibited".
    Prohibit,
    /// Use the table of the L3 master device (VRF) of the packet's interface.
    L3mdev,
}

/// A rule, as `ip rule add` would describe it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RuleSpec {
    /// IPv6 rule (else IPv4).
    pub v6: bool,
    /// FRA_PRIORITY (`preference`); keepalived requires one, and it identifies the
    /// rule on deletion.
    pub priority: u32,
    /// `not`: FIB_RULE_INVERT.
    pub invert: bool,
    /// `from PREFIX`.
    pub from: Option<(IpAddr, u8)>,
    /// `to PREFIX`.
    pub to: Option<(IpAddr, u8)>,
    /// `tos`.
    pub tos: u8,
    /// `fwmark MARK[/MASK]`.
    pub fwmark: Option<(u32, Option<u32>)>,
    /// `realms` (from, to), IPv4.
    pub realms: Option<(u16, u16)>,
    /// `iif NAME`.
    pub iif: Option<String>,
    /// `oif NAME`.
    pub oif: Option<String>,
    /// `uidrange A-B`.
    pub uidrange: Option<(u32, u32)>,
    /// `protocol`: FRA_PROTOCOL, who installed the rule.
    pub protocol: Option<u8>,
    /// `ipproto`.
    pub ipproto: Option<u8>,
    /// `sport A-B`.
    pub sport: Option<(u16, u16)>,
    /// `dport A-B`.
    pub dport: Option<(u16, u16)>,
    /// `tunnel-id`.
    pub tunnel_id: Option<u64>,
    /// `suppress_prefixlength`.
    pub suppress_prefixlength: Option<u32>,
    /// `suppress_ifgroup`.
    pub suppress_ifgroup: Option<u32>,
    /// The action.
    pub verdict: RuleVerdict,
}

impl RuleSpec {
    /// A rule "from all lookup TABLE" at `priority`, nothing else.
    pub fn new(v6: bool, priority: u32, verdict: RuleVerdict) -> RuleSpec {
        RuleSpec {
            v6,
            priority,
            invert: false,
            from: None,
            to: None,
            tos: 0,
            fwmark: None,
            realms: None,
            iif: None,
            oif: None,
            uidrange: None,
            protocol: None,
            ipproto: None,
            sport: None,
            dport: None,
            tunnel_id: None,
            suppress_prefixlength: None,
            suppress_ifgroup: None,
            verdict,
        }
    }

    /// Refuses what the kernel would refuse with a bare EINVAL, to say why.
    pub(crate) fn check(&self) -> Result<(), String> {
        for (a, len) in [self.from, self.to].into_iter().flatten() {
            if a.is_ipv6() != self.v6 {
                return Err("an address of the other family".into());
            }
            let max = if self.v6 { 128 } else { 32 };
            if len > max {
                return Err(format!("prefix length {len} is above {max}"));
            }
        }
        Ok(())
    }
}

impl fmt::Display for RuleSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "rule {} ({})",
            self.priority,
            if self.v6 { "IPv6" } else { "IPv4" }
        )
    }
}

/// The RTM_NEWRULE message (RTM_DELRULE sends the same: the kernel deletes the rule
/// that matches every selector given).
pub(crate) fn message(spec: &RuleSpec) -> RuleMessage {
    let mut msg = RuleMessage::default();
    let h = &mut msg.header;
    h.family = if spec.v6 {
        AddressFamily::Inet6
    } else {
        AddressFamily::Inet
    };
    h.tos = spec.tos;
    if spec.invert {
        h.flags |= RuleFlags::Invert;
    }
    let a = &mut msg.attributes;
    a.push(RuleAttribute::Priority(spec.priority));
    if let Some((addr, len)) = spec.from {
        msg.header.src_len = len;
        a.push(RuleAttribute::Source(addr));
    }
    if let Some((addr, len)) = spec.to {
        msg.header.dst_len = len;
        a.push(RuleAttribute::Destination(addr));
    }
    match spec.verdict {
        RuleVerdict::Table(t) => {
            msg.header.action = RuleAction::ToTable;
            msg.header.table = u8::try_from(t).unwrap_or(0);
            a.push(RuleAttribute::Table(t));
        }
        RuleVerdict::Goto(p) => {
            msg.header.action = RuleAction::Goto;
            a.push(RuleAttribute::Goto(p));
        }
        RuleVerdict::Nop => msg.header.action = RuleAction::Nop,
        RuleVerdict::Blackhole => msg.header.action = RuleAction::Blackhole,
        RuleVerdict::Unreachable => msg.header.action = RuleAction::Unreachable,
        RuleVerdict::Prohibit => msg.header.action = RuleAction::Prohibit,
        RuleVerdict::L3mdev => {
            msg.header.action = RuleAction::ToTable;
            a.push(RuleAttribute::L3MDev(true));
        }
    }
    if let Some((mark, mask)) = spec.fwmark {
        a.push(RuleAttribute::FwMark(mark));
        if let Some(m) = mask {
            a.push(RuleAttribute::FwMask(m));
        }
    }
    if let Some((from, to)) = spec.realms {
        a.push(RuleAttribute::Realm(RouteRealm {
            source: from,
            destination: to,
        }));
    }
    if let Some(i) = &spec.iif {
        a.push(RuleAttribute::Iifname(i.clone()));
    }
    if let Some(o) = &spec.oif {
        a.push(RuleAttribute::Oifname(o.clone()));
    }
    if let Some((start, end)) = spec.uidrange {
        a.push(RuleAttribute::UidRange(RuleUidRange { start, end }));
    }
    if let Some(p) = spec.protocol {
        a.push(RuleAttribute::Protocol(RouteProtocol::from(p)));
    }
    if let Some(p) = spec.ipproto {
        a.push(RuleAttribute::IpProtocol(IpProtocol::from(p)));
    }
    for (range, dst) in [(spec.sport, false), (spec.dport, true)] {
        if let Some((start, end)) = range {
            let r = RulePortRange { start, end };
            a.push(if dst {
                RuleAttribute::DestinationPortRange(r)
            } else {
                RuleAttribute::SourcePortRange(r)
            });
        }
    }
    if let Some(t) = spec.tunnel_id {
        a.push(RuleAttribute::TunId(t));
    }
    if let Some(s) = spec.suppress_prefixlength {
        a.push(RuleAttribute::SuppressPrefixLen(s));
    }
    if let Some(s) = spec.suppress_ifgroup {
        a.push(RuleAttribute::SuppressIfGroup(s));
    }
    msg
}

impl Rtnl {
    /// Adds a rule; one already there (EEXIST) is Ok.
    pub fn add_rule(&mut self, spec: &RuleSpec) -> Result<(), NetError> {
        spec.check().map_err(|reason| NetError::Invalid {
            object: spec.to_string(),
            reason,
        })?;
        tolerate(
            self.req.ack(
                RouteNetlinkMessage::NewRule(message(spec)),
                NLM_F_CREATE | NLM_F_EXCL,
                "adding",
                &|| spec.to_string(),
            ),
            &[Errno::EEXIST],
        )
    }

    /// Removes a rule; one not there (ENOENT) is Ok.
    pub fn del_rule(&mut self, spec: &RuleSpec) -> Result<(), NetError> {
        tolerate(
            self.req.ack(
                RouteNetlinkMessage::DelRule(message(spec)),
                0,
                "removing",
                &|| spec.to_string(),
            ),
            &[Errno::ENOENT],
        )
    }
}
