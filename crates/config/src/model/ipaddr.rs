//! Addresses, routes and rules as written in `static_ipaddress` / `static_routes` /
//! `static_rules` and in a VRRP instance's `virtual_ipaddress` /
//! `virtual_ipaddress_excluded` / `virtual_routes` / `virtual_rules` blocks
//! (keepalived.conf(5), "Static routes/addresses/rules"; the syntax is that of
//! `ip address add`, `ip route add` and `ip rule add`, without abbreviations).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::net::{IpAddr, Ipv4Addr};

/// An address with a prefix length: `192.0.2.0/24`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Prefix {
    /// The address.
    pub addr: IpAddr,
    /// The prefix length (0..=32 for IPv4, 0..=128 for IPv6).
    pub len: u8,
}

impl Prefix {
    /// True for an IPv6 prefix.
    pub fn is_ipv6(&self) -> bool {
        self.addr.is_ipv6()
    }
}

impl fmt::Display for Prefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.len)
    }
}

/// The broadcast address of an IPv4 address (`brd`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Broadcast {
    /// An explicit broadcast address.
    Addr(Ipv4Addr),
    /// `brd +`: the address with all host bits set.
    SetHostBits,
    /// `brd -`: the address with all host bits cleared.
    ClearHostBits,
}

/// An address lifetime (`preferred_lft`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Lifetime {
    /// `forever`.
    Forever,
    /// A number of seconds.
    Secs(u32),
}

/// One line of an address block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IpAddress {
    /// The address and its prefix length (/32 or /128 when none is written).
    pub addr: Prefix,
    /// `brd`/`broadcast` (IPv4 only).
    pub broadcast: Option<Broadcast>,
    /// `dev`: the interface; the instance's interface (VIPs) or `default_interface`
    /// (static addresses) when absent.
    pub dev: Option<String>,
    /// `scope`: 0 global (the default), 200 site, 253 link, 254 host, 255 nowhere.
    pub scope: u8,
    /// `label` (IPv4 only, at most 15 characters).
    pub label: Option<String>,
    /// `peer`: the other end of a point-to-point address (same family).
    pub peer: Option<IpAddr>,
    /// `home` (IFA_F_HOMEADDRESS).
    pub home: bool,
    /// `-nodad` (IFA_F_NODAD).
    pub nodad: bool,
    /// `mngtmpaddr` (IFA_F_MANAGETEMPADDR).
    pub mngtmpaddr: bool,
    /// `noprefixroute` (IFA_F_NOPREFIXROUTE).
    pub noprefixroute: bool,
    /// `autojoin` (IFA_F_MCAUTOJOIN).
    pub autojoin: bool,
    /// `use_vmac`: put the address on the instance's VMAC (virtual addresses only).
    pub use_vmac: bool,
    /// `no_track`: losing the address does not take the instance out of MASTER.
    pub no_track: bool,
    /// `track_group`: the static track group whose instances track it (static only).
    pub track_group: Option<String>,
    /// `preferred_lft`: 0 by default for an IPv6 /128 (deprecated address), forever
    /// otherwise.
    pub preferred_lft: Lifetime,
}

impl IpAddress {
    /// keepalived's default `preferred_lft` for an address.
    pub fn default_preferred_lft(addr: &Prefix) -> Lifetime {
        if addr.is_ipv6() && addr.len == 128 {
            Lifetime::Secs(0)
        } else {
            Lifetime::Forever
        }
    }
}

/// The type of a route (`ip route add TYPE ...`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RouteType {
    /// `unicast` (the default).
    Unicast,
    /// `local`.
    Local,
    /// `broadcast`.
    Broadcast,
    /// `anycast`.
    Anycast,
    /// `multicast`.
    Multicast,
    /// `blackhole`.
    Blackhole,
    /// `unreachable`.
    Unreachable,
    /// `prohibit`.
    Prohibit,
    /// `throw`.
    Throw,
    /// `nat`.
    Nat,
    /// `xresolve`.
    Xresolve,
}

impl RouteType {
    /// Every type with its keyword.
    pub const ALL: [(RouteType, &'static str); 11] = [
        (RouteType::Unicast, "unicast"),
        (RouteType::Local, "local"),
        (RouteType::Broadcast, "broadcast"),
        (RouteType::Anycast, "anycast"),
        (RouteType::Multicast, "multicast"),
        (RouteType::Blackhole, "blackhole"),
        (RouteType::Unreachable, "unreachable"),
        (RouteType::Prohibit, "prohibit"),
        (RouteType::Throw, "throw"),
        (RouteType::Nat, "nat"),
        (RouteType::Xresolve, "xresolve"),
    ];

    /// The keyword.
    pub fn keyword(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(t, _)| *t == self)
            .map(|(_, k)| *k)
            .unwrap_or("unicast")
    }
}

/// A route metric that the kernel can be told not to change (`mtu lock 1400`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Metric {
    /// The value (milliseconds for `rtt`, `rttvar`, `rto_min`).
    pub value: u32,
    /// `lock`.
    pub lock: bool,
}

/// Realms of a route or rule: `realms [FROM/]TO`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Realms {
    /// Source realm (0 when not written).
    pub from: u16,
    /// Destination realm.
    pub to: u16,
}

impl fmt::Display for Realms {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.from == 0 {
            write!(f, "{}", self.to)
        } else {
            write!(f, "{}/{}", self.from, self.to)
        }
    }
}

/// Lightweight tunnel encapsulation (`encap`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Encap {
    /// `encap mpls LABEL[/LABEL]` (labels 0..=1048575; keepalived takes at most two).
    Mpls(Vec<u32>),
    /// `encap ip [id ID] [dst ADDR] [src ADDR] [tos TOS] [ttl TTL] [flags N]`.
    Ip(IpEncap),
    /// `encap ip6 [id ID] [dst ADDR] [src ADDR] [tc TC] [hoplimit N] [flags N]`.
    Ip6(IpEncap),
    /// `encap ila LOCATOR` (64-bit locator, written as four hex groups).
    Ila(u64),
}

/// The parameters of an `ip` / `ip6` encapsulation.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct IpEncap {
    /// `id`: the tunnel id.
    pub id: Option<u64>,
    /// `dst`.
    pub dst: Option<IpAddr>,
    /// `src`.
    pub src: Option<IpAddr>,
    /// `tos` (ip) or `tc` (ip6).
    pub tos: Option<u8>,
    /// `ttl` (ip) or `hoplimit` (ip6).
    pub ttl: Option<u8>,
    /// `flags`.
    pub flags: Option<u16>,
}

/// One `nexthop` of a multipath route.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Nexthop {
    /// `via`: the gateway.
    pub via: Option<IpAddr>,
    /// `dev`.
    pub dev: Option<String>,
    /// `weight` (1..=256); 1 when absent.
    pub weight: Option<u16>,
    /// `onlink`.
    pub onlink: bool,
    /// `realms` (IPv4 only).
    pub realms: Option<Realms>,
    /// `encap`.
    pub encap: Option<Encap>,
}

/// One line of a route block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Route {
    /// The route type; `unicast` by default.
    pub kind: RouteType,
    /// The destination (`default` is 0.0.0.0/0 or ::/0).
    pub dst: Prefix,
    /// `src`: the preferred source address.
    pub src: Option<IpAddr>,
    /// `from`: the source prefix (IPv6 source routing only).
    pub from: Option<Prefix>,
    /// `via` (deprecated alias `gw`): the gateway.
    pub via: Option<IpAddr>,
    /// `dev` (alias `oif`): the output interface.
    pub dev: Option<String>,
    /// `onlink`.
    pub onlink: bool,
    /// `table`: the routing table; 254 (main) by default.
    pub table: u32,
    /// `metric` (aliases `priority`, `preference`).
    pub metric: Option<u32>,
    /// `scope` (0..=255); the kernel's default for the route type when absent.
    pub scope: Option<u8>,
    /// `tos` (alias `dsfield`).
    pub tos: Option<u8>,
    /// `protocol`; keepalived (18) when absent.
    pub protocol: Option<u8>,
    /// `mtu [lock]`.
    pub mtu: Option<Metric>,
    /// `hoplimit`.
    pub hoplimit: Option<u8>,
    /// `advmss [lock]`.
    pub advmss: Option<Metric>,
    /// `rtt [lock]` in milliseconds.
    pub rtt: Option<Metric>,
    /// `rttvar [lock]` in milliseconds.
    pub rttvar: Option<Metric>,
    /// `reordering [lock]`.
    pub reordering: Option<Metric>,
    /// `window`.
    pub window: Option<u32>,
    /// `cwnd [lock]`.
    pub cwnd: Option<Metric>,
    /// `ssthresh [lock]`.
    pub ssthresh: Option<Metric>,
    /// `realms` (IPv4 only).
    pub realms: Option<Realms>,
    /// `rto_min [lock]` in milliseconds.
    pub rto_min: Option<Metric>,
    /// `initcwnd`.
    pub initcwnd: Option<u32>,
    /// `initrwnd`.
    pub initrwnd: Option<u32>,
    /// `features ecn`.
    pub features_ecn: bool,
    /// `quickack 0|1`.
    pub quickack: Option<bool>,
    /// `congctl [lock] NAME`: (name, lock).
    pub congctl: Option<(String, bool)>,
    /// `pref low|medium|high|NUMBER` (IPv6 only): the ICMPv6 router preference value
    /// (medium 0, high 1, low 3).
    pub pref: Option<u8>,
    /// `expires SECS` (IPv6 only).
    pub expires: Option<u32>,
    /// `fastopen_no_cookie 0|1`.
    pub fastopen_no_cookie: Option<bool>,
    /// `ttl-propagate enabled|disabled` (MPLS).
    pub ttl_propagate: Option<bool>,
    /// `encap`.
    pub encap: Option<Encap>,
    /// `vrf NAME`: the VRF whose table the route goes into.
    pub vrf: Option<String>,
    /// `nexthop ...` entries (always last on the line); deprecated `or` maps here too.
    pub nexthops: Vec<Nexthop>,
    /// `append` (as `ip route append`) rather than prepend.
    pub append: bool,
    /// `no_track`.
    pub no_track: bool,
    /// `track_group` (static routes only).
    pub track_group: Option<String>,
}

/// What a rule does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RuleAction {
    /// `table N` (alias `lookup`).
    Table(u32),
    /// `goto PREFERENCE`.
    Goto(u32),
    /// `nop`.
    Nop,
    /// `blackhole`.
    Blackhole,
    /// `unreachable`.
    Unreachable,
    /// `prohibit`.
    Prohibit,
    /// `l3mdev`: look the table up from the L3 master device.
    L3mdev,
}

/// An inclusive port or uid range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Range {
    /// First value.
    pub start: u32,
    /// Last value.
    pub end: u32,
}

impl fmt::Display for Range {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.start, self.end)
    }
}

/// One line of a rule block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    /// True for an IPv6 rule (from its addresses or `inet6`); IPv4 otherwise.
    pub ipv6: bool,
    /// `not`: invert the selector.
    pub invert: bool,
    /// `from PREFIX` (`from all` is the same as none).
    pub from: Option<Prefix>,
    /// `to PREFIX`.
    pub to: Option<Prefix>,
    /// `preference` (aliases `priority`, `order`); keepalived insists on one.
    pub priority: u32,
    /// `tos` (alias `dsfield`).
    pub tos: Option<u8>,
    /// `fwmark MARK[/MASK]`.
    pub fwmark: Option<(u32, Option<u32>)>,
    /// `realms` (IPv4 only; table action only).
    pub realms: Option<Realms>,
    /// `iif` (alias `dev`).
    pub iif: Option<String>,
    /// `oif`.
    pub oif: Option<String>,
    /// `uidrange A-B`.
    pub uidrange: Option<Range>,
    /// `protocol` (number).
    pub protocol: Option<u8>,
    /// `ipproto` (number or protocol name).
    pub ipproto: Option<u8>,
    /// `sport A-B`.
    pub sport: Option<Range>,
    /// `dport A-B`.
    pub dport: Option<Range>,
    /// `tunnel-id`.
    pub tunnel_id: Option<u64>,
    /// `suppress_prefixlength` (alias `sup_pl`; table action only).
    pub suppress_prefixlength: Option<u32>,
    /// `suppress_ifgroup` (alias `sup_group`; table action only).
    pub suppress_ifgroup: Option<u32>,
    /// The action.
    pub action: RuleAction,
    /// `no_track`.
    pub no_track: bool,
    /// `track_group` (static rules only).
    pub track_group: Option<String>,
}
