//! keepalived's ruleset as data, and the batches that create it, fill its sets and delete
//! it. Every object cites the keepalived 2.2.7 function (keepalived/vrrp/vrrp_nftables.c)
//! that creates it; the order of the requests is keepalived's too, so that a fresh
//! namespace even gets the same object handles. Pure: no socket.

use std::net::{Ipv4Addr, Ipv6Addr};

use crate::expr::{encode_list, Base, Expr, MetaKey, Verdict};
use crate::msg::{Attrs, Batch, Kind, Msg, NLM_F_APPEND, NLM_F_CREATE};

const NFTA_TABLE_NAME: u16 = 1;

const NFTA_CHAIN_TABLE: u16 = 1;
const NFTA_CHAIN_NAME: u16 = 3;
const NFTA_CHAIN_HOOK: u16 = 4;
const NFTA_CHAIN_POLICY: u16 = 5;
const NFTA_CHAIN_TYPE: u16 = 7;
const NFTA_HOOK_HOOKNUM: u16 = 1;
const NFTA_HOOK_PRIORITY: u16 = 2;

const NFTA_RULE_TABLE: u16 = 1;
const NFTA_RULE_CHAIN: u16 = 2;
const NFTA_RULE_EXPRESSIONS: u16 = 4;

const NFTA_SET_TABLE: u16 = 1;
const NFTA_SET_NAME: u16 = 2;
const NFTA_SET_FLAGS: u16 = 3;
const NFTA_SET_KEY_TYPE: u16 = 4;
const NFTA_SET_KEY_LEN: u16 = 5;
const NFTA_SET_ID: u16 = 10;
const NFT_SET_CONSTANT: u32 = 0x2;

const NFTA_SET_ELEM_LIST_TABLE: u16 = 1;
const NFTA_SET_ELEM_LIST_SET: u16 = 2;
const NFTA_SET_ELEM_LIST_ELEMENTS: u16 = 3;
const NFTA_LIST_ELEM: u16 = 1;
const NFTA_SET_ELEM_KEY: u16 = 1;
const NFTA_DATA_VALUE: u16 = 1;

/// Netfilter hooks (enum nf_inet_hooks).
const NF_INET_LOCAL_IN: u32 = 1;
const NF_INET_LOCAL_OUT: u32 = 3;
const NF_ACCEPT: u32 = 1;

/// nftables' datatype numbers (nftables include/datatype.h, copied into
/// vrrp_nftables.c as TYPE_*): they only tell `nft` how to print the keys.
const TYPE_IPADDR: u32 = 7;
const TYPE_IP6ADDR: u32 = 8;
const TYPE_ICMPV6_TYPE: u32 = 29;
const TYPE_IFINDEX: u32 = 20;
const TYPE_IFNAME: u32 = 41;
/// A concatenation's key type packs its components' types 6 bits apart, as nftables
/// does: keepalived's `(TYPE_IP6ADDR << TYPE_BITS) | type_for_if`.
const TYPE_BITS: u32 = 6;
/// IFNAMSIZ: an interface name key is 16 bytes, NUL-padded.
const IFNAMSIZ: usize = 16;

/// ICMPv6 neighbour solicitation and advertisement (RFC 4861 §4.3, §4.4).
const ND_NEIGHBOR_SOLICIT: u8 = 135;
const ND_NEIGHBOR_ADVERT: u8 = 136;
const IPPROTO_ICMPV6: u8 = 58;

/// keepalived's set of blocked virtual addresses, in both families.
pub(crate) const VIPS_SET: &str = "vips";
/// keepalived's constant set of the ICMPv6 types that must pass for NDP to work.
pub(crate) const ND_SET: &str = "neighbor-discovery";

/// keepalived's sets of link-local VIPs, keyed by address and interface.
pub(crate) const LL_INDEX_SET: &str = "vips_link_local";
pub(crate) const LL_NAME_SET: &str = "vips_link_local_name";

/// The interface a link-local IPv6 VIP is blocked on, as keepalived keys it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Link {
    /// By ifindex: set `vips_link_local`, rules on `iif`/`oif`.
    Index(u32),
    /// By name (at most 15 bytes): set `vips_link_local_name`, rules on `iifname`/`oifname`.
    Name(String),
}

impl Link {
    /// keepalived's choice (vrrp_nftables.c nft_update_ipv6_address): by name only when
    /// `nftables_ifindex` is off, the instance has `dont_track_primary`, and the VIP is
    /// on the instance's interface or has `dont_track`; by index otherwise.
    pub fn choose(
        cfg: &TableConfig,
        dont_track_primary: bool,
        on_instance_if_or_dont_track: bool,
        ifindex: u32,
        ifname: &str,
    ) -> Link {
        if !cfg.ifindex && dont_track_primary && on_instance_if_or_dont_track {
            Link::Name(ifname.to_string())
        } else {
            Link::Index(ifindex)
        }
    }

    /// The set this kind of key lives in.
    pub(crate) fn set(&self) -> &'static str {
        match self {
            Link::Index(_) => LL_INDEX_SET,
            Link::Name(_) => LL_NAME_SET,
        }
    }

    /// True for a name nf_tables can hold (1 to 15 bytes, no NUL).
    pub(crate) fn is_valid(&self) -> bool {
        match self {
            Link::Index(i) => *i != 0,
            Link::Name(n) => !n.is_empty() && n.len() < IFNAMSIZ && !n.contains('\0'),
        }
    }
}

/// An address family keepalived makes a table for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Family {
    /// `table ip NAME` (NFPROTO_IPV4).
    Ipv4,
    /// `table ip6 NAME` (NFPROTO_IPV6).
    Ipv6,
}

impl Family {
    /// NFPROTO_IPV4 / NFPROTO_IPV6.
    pub(crate) fn nfproto(self) -> u8 {
        match self {
            Family::Ipv4 => 2,
            Family::Ipv6 => 10,
        }
    }

    /// The family's name in nft's syntax.
    pub fn name(self) -> &'static str {
        match self {
            Family::Ipv4 => "ip",
            Family::Ipv6 => "ip6",
        }
    }
}

/// What a rule matches on before its verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Match {
    /// `ip saddr @vips` / `ip6 daddr @vips` (vrrp_nftables.c setup_rule).
    AddrInSet { saddr: bool, set: &'static str },
    /// `icmpv6 type @neighbor-discovery` (setup_rule_icmpv6).
    IcmpV6TypeInSet(&'static str),
    /// `ip6 daddr . iif @vips_link_local` and the saddr/oif, iifname, oifname variants
    /// (setup_rule_if).
    AddrIfInSet {
        saddr: bool,
        meta: MetaKey,
        set: &'static str,
    },
    /// `ip6 saddr fe80::/10` / `ip6 daddr fe80::/10`: keepalived 2.2.7 sends it as a
    /// prefix (bitwise + cmp); `nft --debug=netlink` of its table shows exactly that.
    LinkLocal { saddr: bool },
}

/// One rule of keepalived's ruleset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RuleSpec {
    chain: &'static str,
    matches: Match,
    verdict: Verdict,
}

impl RuleSpec {
    /// The expressions, with keepalived's counter before the verdict when asked for
    /// (vrrp_nftables.c add_counter, called by every setup_rule* function).
    fn exprs(&self, family: Family, counters: bool) -> Vec<Expr> {
        let mut e = Vec::new();
        match &self.matches {
            Match::AddrInSet { saddr, set } => {
                // offsetof(struct iphdr, saddr/daddr) = 12/16; ip6_hdr: 8/24.
                let (offset, len) = match (family, saddr) {
                    (Family::Ipv4, true) => (12, 4),
                    (Family::Ipv4, false) => (16, 4),
                    (Family::Ipv6, true) => (8, 16),
                    (Family::Ipv6, false) => (24, 16),
                };
                e.push(Expr::Payload {
                    base: Base::Network,
                    offset,
                    len,
                });
                e.push(Expr::Lookup((*set).to_string()));
            }
            Match::AddrIfInSet { saddr, meta, set } => {
                let offset = if *saddr { 8 } else { 24 };
                e.push(Expr::Payload {
                    base: Base::Network,
                    offset,
                    len: 16,
                });
                e.push(Expr::Meta(*meta));
                e.push(Expr::Lookup((*set).to_string()));
            }
            Match::IcmpV6TypeInSet(set) => {
                // ip6 nexthdr (offset 6) == ICMPv6, then the ICMPv6 type (offset 0).
                e.push(Expr::Payload {
                    base: Base::Network,
                    offset: 6,
                    len: 1,
                });
                e.push(Expr::CmpEq(vec![IPPROTO_ICMPV6]));
                e.push(Expr::Payload {
                    base: Base::Transport,
                    offset: 0,
                    len: 1,
                });
                e.push(Expr::Lookup((*set).to_string()));
            }
            Match::LinkLocal { saddr } => {
                let offset = if *saddr { 8 } else { 24 };
                let mut mask = vec![0u8; 16];
                mask[0] = 0xff;
                mask[1] = 0xc0;
                let mut prefix = vec![0u8; 16];
                prefix[0] = 0xfe;
                prefix[1] = 0x80;
                e.push(Expr::Payload {
                    base: Base::Network,
                    offset,
                    len: 16,
                });
                e.push(Expr::Bitwise {
                    mask,
                    xor: vec![0u8; 16],
                });
                e.push(Expr::CmpEq(prefix));
            }
        }
        if counters {
            e.push(Expr::Counter);
        }
        e.push(Expr::Verdict(self.verdict.clone()));
        e
    }
}

/// A base chain (with a hook) or a regular chain (a goto target).
#[derive(Debug, Clone, PartialEq, Eq)]
struct ChainSpec {
    name: &'static str,
    /// NF_INET_LOCAL_IN / NF_INET_LOCAL_OUT; none for a regular chain.
    hook: Option<u32>,
}

/// A named set: key type and length, and whether it is constant.
#[derive(Debug, Clone, PartialEq, Eq)]
struct SetSpec {
    name: &'static str,
    key_type: u32,
    key_len: u32,
    constant: bool,
    /// Elements created with the set (only for constant sets, which cannot change later).
    elements: Vec<Vec<u8>>,
}

/// One family's table as keepalived 2.2.7 creates it, in keepalived's request order.
#[derive(Debug, Clone, PartialEq, Eq)]
struct TableSpec {
    chains: Vec<ChainSpec>,
    sets: Vec<SetSpec>,
    rules: Vec<RuleSpec>,
}

/// keepalived's table for `family`.
///
/// IPv4 — nft_setup_ipv4 + nft_setup_ipv4_vips:
/// chains `out` (hook output) and `in` (hook input), type filter, priority
/// `nftables_priority` (default -1), policy accept; set `vips` (ipv4_addr); rules
/// `in: ip daddr @vips drop` then `out: ip saddr @vips drop`.
///
/// IPv6 — nft_setup_ipv6 + nft_setup_ipv6_vips: chains `out`, `in` (as above),
/// `in_link_local`, `out_link_local` (no hook); sets `vips` (ipv6_addr) and
/// `neighbor-discovery` (icmpv6_type, flags constant, elements nd-neighbor-solicit and
/// nd-neighbor-advert); rules, in this order: `in: icmpv6 type @neighbor-discovery
/// accept`, `in: ip6 daddr fe80::/10 goto in_link_local`, `out: icmpv6 type
/// @neighbor-discovery accept`, `out: ip6 saddr fe80::/10 goto out_link_local`,
/// `in: ip6 daddr @vips drop`, `out: ip6 saddr @vips drop`.
fn spec(family: Family) -> TableSpec {
    let base = |name, hook| ChainSpec {
        name,
        hook: Some(hook),
    };
    let drop_vips = |chain, saddr| RuleSpec {
        chain,
        matches: Match::AddrInSet {
            saddr,
            set: VIPS_SET,
        },
        verdict: Verdict::Drop,
    };
    match family {
        Family::Ipv4 => TableSpec {
            chains: vec![base("out", NF_INET_LOCAL_OUT), base("in", NF_INET_LOCAL_IN)],
            sets: vec![SetSpec {
                name: VIPS_SET,
                key_type: TYPE_IPADDR,
                key_len: 4,
                constant: false,
                elements: Vec::new(),
            }],
            rules: vec![drop_vips("in", false), drop_vips("out", true)],
        },
        Family::Ipv6 => {
            let nd_accept = |chain| RuleSpec {
                chain,
                matches: Match::IcmpV6TypeInSet(ND_SET),
                verdict: Verdict::Accept,
            };
            let ll_goto = |chain, saddr, target: &str| RuleSpec {
                chain,
                matches: Match::LinkLocal { saddr },
                verdict: Verdict::Goto(target.to_string()),
            };
            TableSpec {
                chains: vec![
                    base("out", NF_INET_LOCAL_OUT),
                    base("in", NF_INET_LOCAL_IN),
                    ChainSpec {
                        name: "in_link_local",
                        hook: None,
                    },
                    ChainSpec {
                        name: "out_link_local",
                        hook: None,
                    },
                ],
                sets: vec![
                    SetSpec {
                        name: VIPS_SET,
                        key_type: TYPE_IP6ADDR,
                        key_len: 16,
                        constant: false,
                        elements: Vec::new(),
                    },
                    SetSpec {
                        name: ND_SET,
                        key_type: TYPE_ICMPV6_TYPE,
                        key_len: 1,
                        constant: true,
                        elements: vec![vec![ND_NEIGHBOR_SOLICIT], vec![ND_NEIGHBOR_ADVERT]],
                    },
                ],
                rules: vec![
                    // The link-local gotos keep link-local traffic out of the global
                    // `vips` rules; keepalived's link-local VIP rules live in the
                    // (here empty) *_link_local chains.
                    nd_accept("in"),
                    ll_goto("in", false, "in_link_local"),
                    nd_accept("out"),
                    ll_goto("out", true, "out_link_local"),
                    drop_vips("in", false),
                    drop_vips("out", true),
                ],
            }
        }
    }
}

/// The knobs of keepalived's global_defs that shape the ruleset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableConfig {
    /// `nftables [TABLE]`; keepalived's default is "keepalived".
    pub table: String,
    /// `nftables_priority`; keepalived's default is -1 (just before filter).
    pub priority: i32,
    /// `nftables_ifindex`: key link-local IPv6 VIPs by ifindex, never by name (see
    /// [`Link::choose`]).
    pub ifindex: bool,
    /// `nftables_counters`: a counter in every rule.
    pub counters: bool,
    /// Create `table ip TABLE` at setup (keepalived creates it when it first blocks an
    /// IPv4 address; `add_vips` also creates it on demand).
    pub ipv4: bool,
    /// Create `table ip6 TABLE` at setup (same, for IPv6).
    pub ipv6: bool,
}

impl Default for TableConfig {
    fn default() -> TableConfig {
        TableConfig {
            table: "keepalived".to_string(),
            priority: -1,
            ifindex: false,
            counters: false,
            ipv4: true,
            ipv6: true,
        }
    }
}

/// The longest table name nf_tables takes (NFT_NAME_MAXLEN - 1).
pub(crate) const MAX_NAME: usize = 255;

/// Deletes `family`'s table if it exists, in a way that cannot fail with ENOENT:
/// create (a no-op when it exists, no NLM_F_EXCL) then delete, in the same batch.
pub(crate) fn push_delete_table(b: &mut Batch, family: Family, table: &str) {
    b.push(table_msg(Kind::NewTable, family, table, NLM_F_CREATE));
    b.push(table_msg(Kind::DelTable, family, table, 0));
}

fn table_msg(kind: Kind, family: Family, table: &str, flags: u16) -> Msg {
    let mut a = Attrs::new();
    a.str(NFTA_TABLE_NAME, table);
    Msg {
        kind,
        family: family.nfproto(),
        flags,
        attrs: a.into_bytes(),
        what: format!("table {} {table}", family.name()),
    }
}

/// Appends the requests creating keepalived's table for `family` from scratch: any
/// residue of an earlier run goes first, in the same transaction, so the table is never
/// missing or half-built in between (keepalived deletes it in a separate batch first:
/// nft_setup_ipv4/nft_setup_ipv6).
pub(crate) fn push_setup(b: &mut Batch, family: Family, cfg: &TableConfig) {
    let t = cfg.table.as_str();
    let fam = family.nfproto();
    let fname = family.name();
    let spec = spec(family);
    push_delete_table(b, family, t);
    b.push(table_msg(Kind::NewTable, family, t, NLM_F_CREATE));
    for c in &spec.chains {
        let mut a = Attrs::new();
        a.str(NFTA_CHAIN_TABLE, t).str(NFTA_CHAIN_NAME, c.name);
        if let Some(hook) = c.hook {
            // nft 1.0.6's attribute order (type, policy, hook), so that the message is
            // byte for byte what `nft add chain` sends; the kernel takes any order.
            let prio = cfg.priority as u32;
            a.str(NFTA_CHAIN_TYPE, "filter")
                .u32(NFTA_CHAIN_POLICY, NF_ACCEPT);
            a.nest(NFTA_CHAIN_HOOK, |h| {
                h.u32(NFTA_HOOK_HOOKNUM, hook).u32(NFTA_HOOK_PRIORITY, prio);
            });
        }
        b.push(Msg {
            kind: Kind::NewChain,
            family: fam,
            flags: NLM_F_CREATE,
            attrs: a.into_bytes(),
            what: format!("chain {fname} {t} {}", c.name),
        });
    }
    for (i, s) in spec.sets.iter().enumerate() {
        let mut a = Attrs::new();
        a.str(NFTA_SET_TABLE, t).str(NFTA_SET_NAME, s.name);
        if s.constant {
            a.u32(NFTA_SET_FLAGS, NFT_SET_CONSTANT);
        }
        a.u32(NFTA_SET_KEY_TYPE, s.key_type)
            .u32(NFTA_SET_KEY_LEN, s.key_len);
        // A transaction-local id, as keepalived's setup_set gives every set.
        a.u32(NFTA_SET_ID, u32::try_from(i + 1).unwrap_or(u32::MAX));
        b.push(Msg {
            kind: Kind::NewSet,
            family: fam,
            flags: NLM_F_CREATE,
            attrs: a.into_bytes(),
            what: format!("set {fname} {t} {}", s.name),
        });
        if !s.elements.is_empty() {
            b.push(elems_msg(Kind::NewSetElem, family, t, s.name, &s.elements));
        }
    }
    for r in &spec.rules {
        b.push(rule_msg(family, cfg, r));
    }
}

/// Appends keepalived's set for link-local VIPs keyed like `link`, and its two rules
/// (vrrp_nftables.c setup_link_local_checks): `in_link_local: ip6 daddr . iif[name]
/// @set drop`, `out_link_local: ip6 saddr . oif[name] @set drop`.
pub(crate) fn push_link_local_setup(b: &mut Batch, cfg: &TableConfig, by_name: bool) {
    let t = cfg.table.as_str();
    let fam = Family::Ipv6.nfproto();
    let (set, if_type, if_len, iif, oif) = if by_name {
        (
            LL_NAME_SET,
            TYPE_IFNAME,
            IFNAMSIZ as u32,
            MetaKey::IifName,
            MetaKey::OifName,
        )
    } else {
        (LL_INDEX_SET, TYPE_IFINDEX, 4, MetaKey::Iif, MetaKey::Oif)
    };
    let mut a = Attrs::new();
    a.str(NFTA_SET_TABLE, t).str(NFTA_SET_NAME, set);
    a.u32(NFTA_SET_KEY_TYPE, (TYPE_IP6ADDR << TYPE_BITS) | if_type)
        .u32(NFTA_SET_KEY_LEN, 16 + if_len);
    a.u32(NFTA_SET_ID, 1);
    b.push(Msg {
        kind: Kind::NewSet,
        family: fam,
        flags: NLM_F_CREATE,
        attrs: a.into_bytes(),
        what: format!("set ip6 {t} {set}"),
    });
    for (chain, saddr, meta) in [("in_link_local", false, iif), ("out_link_local", true, oif)] {
        let r = RuleSpec {
            chain,
            matches: Match::AddrIfInSet { saddr, meta, set },
            verdict: Verdict::Drop,
        };
        b.push(rule_msg(Family::Ipv6, cfg, &r));
    }
}

fn rule_msg(family: Family, cfg: &TableConfig, r: &RuleSpec) -> Msg {
    let t = cfg.table.as_str();
    let mut a = Attrs::new();
    a.str(NFTA_RULE_TABLE, t).str(NFTA_RULE_CHAIN, r.chain);
    let exprs = r.exprs(family, cfg.counters);
    a.nest(NFTA_RULE_EXPRESSIONS, |l| encode_list(l, &exprs));
    Msg {
        kind: Kind::NewRule,
        family: family.nfproto(),
        flags: NLM_F_CREATE | NLM_F_APPEND,
        attrs: a.into_bytes(),
        what: format!("rule {} {t} {}", family.name(), r.chain),
    }
}

/// The set key of a link-local VIP: the address, then the ifindex in host byte order (a
/// meta register holds it so) or the NUL-padded name (keepalived's data_buf).
pub(crate) fn key_link_local(addr: Ipv6Addr, link: &Link) -> Vec<u8> {
    let mut k = addr.octets().to_vec();
    match link {
        Link::Index(i) => k.extend_from_slice(&i.to_ne_bytes()),
        Link::Name(n) => {
            let mut name = [0u8; IFNAMSIZ];
            let len = n.len().min(IFNAMSIZ - 1);
            name[..len].copy_from_slice(&n.as_bytes()[..len]);
            k.extend_from_slice(&name);
        }
    }
    k
}

/// NEWSETELEM / DELSETELEM for `keys` in one set (nft_update_addresses sends one such
/// message per set).
pub(crate) fn elems_msg(
    kind: Kind,
    family: Family,
    table: &str,
    set: &str,
    keys: &[Vec<u8>],
) -> Msg {
    let mut a = Attrs::new();
    a.str(NFTA_SET_ELEM_LIST_TABLE, table)
        .str(NFTA_SET_ELEM_LIST_SET, set);
    a.nest(NFTA_SET_ELEM_LIST_ELEMENTS, |l| {
        for k in keys {
            l.nest(NFTA_LIST_ELEM, |e| {
                e.nest(NFTA_SET_ELEM_KEY, |d| {
                    d.bytes(NFTA_DATA_VALUE, k);
                });
            });
        }
    });
    // NLM_F_CREATE without NLM_F_EXCL: re-adding an element already there is not an
    // error (keepalived adds EXCL but tracks each address so it never re-adds one).
    let flags = if kind == Kind::NewSetElem {
        NLM_F_CREATE
    } else {
        0
    };
    Msg {
        kind,
        family: family.nfproto(),
        flags,
        attrs: a.into_bytes(),
        what: format!("elements of set {} {table} {set}", family.name()),
    }
}

/// The set key of an IPv4 VIP: the address in network byte order.
pub(crate) fn key_v4(a: Ipv4Addr) -> Vec<u8> {
    a.octets().to_vec()
}

/// The set key of an IPv6 VIP.
pub(crate) fn key_v6(a: Ipv6Addr) -> Vec<u8> {
    a.octets().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::from_mnl;

    fn labels(b: &Batch) -> Vec<String> {
        b.msgs
            .iter()
            .map(|m| format!("{} {}", m.kind.name(), m.what))
            .collect()
    }

    #[test]
    fn ipv4_requests_follow_keepalived_order() {
        let mut b = Batch::default();
        push_setup(&mut b, Family::Ipv4, &TableConfig::default());
        assert_eq!(
            labels(&b),
            [
                "NFT_MSG_NEWTABLE table ip keepalived",
                "NFT_MSG_DELTABLE table ip keepalived",
                "NFT_MSG_NEWTABLE table ip keepalived",
                "NFT_MSG_NEWCHAIN chain ip keepalived out",
                "NFT_MSG_NEWCHAIN chain ip keepalived in",
                "NFT_MSG_NEWSET set ip keepalived vips",
                "NFT_MSG_NEWRULE rule ip keepalived in",
                "NFT_MSG_NEWRULE rule ip keepalived out",
            ]
        );
    }

    #[test]
    fn ipv6_requests_follow_keepalived_order() {
        let mut b = Batch::default();
        push_setup(&mut b, Family::Ipv6, &TableConfig::default());
        let l = labels(&b);
        assert_eq!(l.len(), 3 + 4 + 3 + 6);
        assert_eq!(l[5], "NFT_MSG_NEWCHAIN chain ip6 keepalived in_link_local");
        assert_eq!(l[8], "NFT_MSG_NEWSET set ip6 keepalived neighbor-discovery");
        assert_eq!(
            l[9],
            "NFT_MSG_NEWSETELEM elements of set ip6 keepalived neighbor-discovery"
        );
    }

    /// `nft --debug=mnl add chain ip keepalived in { type filter hook input priority -1;
    /// policy accept; }` (nft 1.0.6), the NEWCHAIN attributes.
    const CHAIN_IN: &str = "
        |00015|--|00001|
        | 6b 65 65 70 |
        | 61 6c 69 76 |
        | 65 64 00 00 |
        |00007|--|00003|
        | 69 6e 00 00 |
        |00011|--|00007|
        | 66 69 6c 74 |
        | 65 72 00 00 |
        |00008|--|00005|
        | 00 00 00 01 |
        |00020|N-|00004|
        |00008|--|00001|
        | 00 00 00 01 |
        |00008|--|00002|
        | ff ff ff ff |
    ";

    #[test]
    fn base_chain_matches_nft_byte_for_byte() {
        let mut b = Batch::default();
        push_setup(&mut b, Family::Ipv4, &TableConfig::default());
        let chain_in = &b.msgs[4];
        assert_eq!(chain_in.kind, Kind::NewChain);
        assert_eq!(chain_in.flags, NLM_F_CREATE);
        assert_eq!(chain_in.attrs, from_mnl(CHAIN_IN));
    }

    #[test]
    fn chain_priority_is_configurable() {
        let mut b = Batch::default();
        push_setup(
            &mut b,
            Family::Ipv4,
            &TableConfig {
                priority: -5,
                ..TableConfig::default()
            },
        );
        let mut hook = Attrs::new();
        hook.nest(4, |h| {
            h.u32(1, 3).u32(2, 0xffff_fffb);
        });
        assert!(b.msgs[3].attrs.ends_with(&hook.into_bytes()));
    }

    #[test]
    fn constant_set_has_flag_and_elements() {
        let mut b = Batch::default();
        push_setup(&mut b, Family::Ipv6, &TableConfig::default());
        let nd = &b.msgs[8];
        let mut want = Attrs::new();
        want.str(1, "keepalived").str(2, "neighbor-discovery");
        want.u32(3, 2).u32(4, 29).u32(5, 1).u32(10, 2);
        assert_eq!(nd.attrs, want.into_bytes());
        let elems = &b.msgs[9];
        let mut want = Attrs::new();
        want.str(1, "keepalived").str(2, "neighbor-discovery");
        want.nest(3, |l| {
            for t in [135u8, 136] {
                l.nest(1, |e| {
                    e.nest(1, |d| {
                        d.bytes(1, &[t]);
                    });
                });
            }
        });
        assert_eq!(elems.attrs, want.into_bytes());
    }

    #[test]
    fn counters_go_before_the_verdict() {
        let r = &spec(Family::Ipv6).rules[1];
        let e = r.exprs(Family::Ipv6, true);
        assert_eq!(e[e.len() - 2], Expr::Counter);
        assert_eq!(
            e[e.len() - 1],
            Expr::Verdict(Verdict::Goto("in_link_local".into()))
        );
        assert!(!r.exprs(Family::Ipv6, false).contains(&Expr::Counter));
    }

    #[test]
    fn element_message_lists_every_key() {
        let keys = [
            key_v4(Ipv4Addr::new(192, 0, 2, 100)),
            key_v4(Ipv4Addr::new(192, 0, 2, 101)),
        ];
        let m = elems_msg(Kind::DelSetElem, Family::Ipv4, "keepalived", "vips", &keys);
        assert_eq!(m.flags, 0);
        // nft --debug=mnl add element ip keepalived vips { 192.0.2.100 }:
        // |00020|N-|00003| |00016|N-|00001| |00012|N-|00001| |00008|--|00001| c0 00 02 64
        let one = from_mnl(
            "|00016|N-|00001|
             |00012|N-|00001|
             |00008|--|00001|
             | c0 00 02 64 |",
        );
        assert!(m.attrs.windows(16).any(|w| w == one));
        assert!(m.attrs.windows(4).any(|w| w == [192, 0, 2, 101]));
    }
}
