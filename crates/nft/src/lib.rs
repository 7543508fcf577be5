//! keepalived's nftables ruleset for VRRP non-accept mode, over NETLINK_NETFILTER.
//!
//! RFC 5798 §6.4.3: a Master that is not the address owner and is not in Accept Mode
//! must not accept packets addressed to the virtual addresses. keepalived (with
//! `vrrp_strict`, which makes `no_accept` the default, or `no_accept` per instance, and
//! global_defs `nftables [TABLE]`) does it with an nftables table it builds itself over
//! netlink (keepalived/vrrp/vrrp_nftables.c). vigil-vrrpd does the same with this crate:
//! no `nft` binary, only a NETLINK_NETFILTER socket, which needs CAP_NET_ADMIN.
//!
//! # keepalived 2.2.7's ruleset (the reference)
//!
//! Found in vrrp_nftables.c and checked against keepalived 2.2.7 itself (Debian's
//! package) running in a network namespace with `vrrp_strict`, `nftables`, two IPv4 VIPs
//! and one IPv6 VIP; `nft list ruleset` of that namespace once it was MASTER is the
//! golden file `tests/golden/keepalived-2.2.7.json` (handles stripped):
//!
//! ```text
//! table ip keepalived {                          # nft_setup_ipv4, nft_setup_ipv4_vips
//!     set vips { type ipv4_addr }                #   setup_set(TYPE_IPADDR), no flags
//!     chain out { type filter hook output priority filter - 1; policy accept;
//!         ip saddr @vips drop                    #   setup_rule(saddr)
//!     }
//!     chain in { type filter hook input priority filter - 1; policy accept;
//!         ip daddr @vips drop                    #   setup_rule(daddr)
//!     }
//! }
//! table ip6 keepalived {                         # nft_setup_ipv6, nft_setup_ipv6_vips
//!     set vips { type ipv6_addr }
//!     set neighbor-discovery { type icmpv6_type; flags constant;
//!         elements = { nd-neighbor-solicit, nd-neighbor-advert } }
//!     chain out { type filter hook output priority filter - 1; policy accept;
//!         icmpv6 type @neighbor-discovery accept #   setup_rule_icmpv6
//!         ip6 saddr fe80::/10 goto out_link_local #  setup_rule_range_goto
//!         ip6 saddr @vips drop
//!     }
//!     chain in { type filter hook input priority filter - 1; policy accept;
//!         icmpv6 type @neighbor-discovery accept
//!         ip6 daddr fe80::/10 goto in_link_local
//!         ip6 daddr @vips drop
//!     }
//!     chain in_link_local { }                    # rules only with link-local VIPs
//!     chain out_link_local { }
//! }
//! ```
//!
//! - The table name is `nftables TABLE` (default "keepalived"); the base chains'
//!   priority is `nftables_priority` (default -1); `nftables_counters` adds `counter`
//!   before every verdict (add_counter).
//! - Link-local IPv6 VIPs (fe80::/10) go in per-interface sets, each created with its
//!   two rules on the first such VIP (setup_link_local_checks; golden file
//!   `tests/golden/keepalived-2.2.7-link-local.json`):
//!   `set vips_link_local { type ipv6_addr . iface_index }` with
//!   `in_link_local: ip6 daddr . iif @vips_link_local drop` and
//!   `out_link_local: ip6 saddr . oif @vips_link_local drop`, or, keyed by name,
//!   `set vips_link_local_name { type ipv6_addr . ifname }` with `iifname`/`oifname`.
//!   keepalived keys by name only if `nftables_ifindex` is off, the instance has
//!   `dont_track_primary` and the VIP is on the instance's interface or `dont_track`
//!   (nft_update_ipv6_address); [`Link::choose`] is that rule.
//! - Only the instance's own drop rules count: vrrp.c vrrp_handle_accept_mode returns
//!   at once for an address owner (priority 255) or an instance with `accept`; otherwise
//!   vrrp_firewall.c firewall_handle_accept_mode calls nft_add_addresses /
//!   nft_remove_addresses, which add or remove the instance's VIPs and eVIPs (one
//!   NEWSETELEM/DELSETELEM per set, nft_update_addresses).
//! - When: vrrp.c vrrp_state_become_master adds them *before* the addresses are put on
//!   the interface ("setting firewall drop rule", then "setting VIPs.");
//!   vrrp_restore_interface removes them *after* the addresses are taken off, on leaving
//!   MASTER (to BACKUP or FAULT) and at shutdown. Seen on keepalived 2.2.7 with a
//!   higher-priority peer: no table while BACKUP from the start, table and VIPs once
//!   MASTER, the table with an empty `vips` set back in BACKUP, nothing after exit.
//!   Nothing is blocked in BACKUP: the addresses are not on the host then.
//! - A family's table is created when keepalived first adds an address of that family
//!   (nft_update_ipv4_address → nft_setup_ipv4_vips); the residue of an earlier run is
//!   deleted first; nft_cleanup deletes both tables at exit (nft_end).
//!
//! vigil-nft builds the same requests in the same order (so even the handles match in a
//! fresh namespace; the tests compare `nft -j list ruleset` with the golden files) with two deliberate differences: setup removes residue and creates
//! the table in one transaction (keepalived uses two batches, so the table is briefly
//! missing), and re-adding an element already present is not an error (no NLM_F_EXCL;
//! [`Nft`] also remembers what it added, as keepalived's per-address `nftable_rule_set`).
//!
//! # Use from vigil-vrrpd
//!
//! Only instances that block count: not the address owner (priority 255) and not
//! `accept` (`vrrp_strict` makes `no_accept` the default); only when global_defs has
//! `nftables` (keepalived then uses the table name given, default "keepalived").
//!
//! 1. Start, after dropping to its user (CAP_NET_ADMIN is all it needs): [`Nft::open`],
//!    then [`Nft::setup`] with `nftables`, `nftables_priority`, `nftables_ifindex`,
//!    `nftables_counters`. `ipv4: false, ipv6: false` is keepalived exactly (no table
//!    until the first MASTER; `add_vips` creates it); `true` pre-creates a family's table.
//! 2. Entering MASTER: [`Nft::add_vips`] with the instance's VIPs and eVIPs, link-local
//!    ones through [`Nft::add_link_local_vips`] with [`Link::choose`] — *before* the
//!    addresses go on the interface (vrrp_state_become_master's order), so the host never
//!    accepts a packet for them.
//! 3. Leaving MASTER (to BACKUP or FAULT), and on SIGTERM: take the addresses off the
//!    interface first, then [`Nft::del_vips`] / [`Nft::del_link_local_vips`]
//!    (vrrp_restore_interface's order).
//! 4. Reload while MASTER: add new VIPs before adding the addresses, delete removed ones
//!    after removing them. The sets are sets: two instances sharing a VIP need vrrpd to
//!    count (keepalived does not either).
//! 5. Exit: [`Nft::teardown`] (keepalived's nft_end). After a crash the next setup
//!    replaces the residue.
//!
//! Each call sends at most one batch and returns once the kernel answered (it answers
//! within sendmsg, so the call never sleeps; fine inside the mio loop). A failed call
//! changed nothing in the kernel, nor in [`Nft`]'s record of the sets.

//! # Layout
//! - `msg.rs`: netlink attributes, nf_tables messages, batch framing.
//! - `expr.rs`: rule expressions.
//! - `table.rs`: keepalived's ruleset as data and the batches for it.
//! - `socket.rs`: send a batch, collect ACKs and errors.
//! - `error.rs`: [`NftError`].

mod error;
mod expr;
mod msg;
mod socket;
mod table;
#[cfg(test)]
mod testutil;

use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

pub use error::NftError;
pub use table::{Family, Link, TableConfig};

use msg::{Batch, Kind};
use table::{
    elems_msg, key_link_local, key_v4, key_v6, push_delete_table, push_link_local_setup,
    push_setup, MAX_NAME, VIPS_SET,
};

/// A NETLINK_NETFILTER socket and the state of keepalived's tables behind it.
pub struct Nft {
    sock: socket::Socket,
    cfg: Option<TableConfig>,
    /// None until `table ip` exists; then the VIPs in its `vips` set.
    v4: Option<BTreeSet<Ipv4Addr>>,
    /// None until `table ip6` exists.
    v6: Option<V6>,
}

/// What `table ip6` holds besides its fixed objects.
#[derive(Debug, Default)]
struct V6 {
    /// Elements of `vips`.
    global: BTreeSet<Ipv6Addr>,
    /// Elements of `vips_link_local` / `vips_link_local_name`.
    link_local: BTreeSet<(Ipv6Addr, Link)>,
    /// Whether those two sets (and their rules) exist yet.
    index_set: bool,
    name_set: bool,
}

impl Nft {
    /// Opens the socket (nothing is sent yet).
    pub fn open() -> Result<Nft, NftError> {
        Ok(Nft {
            sock: socket::Socket::open()?,
            cfg: None,
            v4: None,
            v6: None,
        })
    }

    /// Creates keepalived's table for the families `cfg` asks for, with empty `vips`
    /// sets; a table of that name left by an earlier run (or an earlier setup) is
    /// replaced in the same transaction. The other family's table, if not asked for, is
    /// deleted (keepalived clears residue of both) and created by `add_vips` on demand.
    pub fn setup(&mut self, cfg: &TableConfig) -> Result<(), NftError> {
        if cfg.table.is_empty() || cfg.table.len() > MAX_NAME || cfg.table.contains('\0') {
            return Err(NftError::BadTableName(cfg.table.clone()));
        }
        let mut b = Batch::default();
        // An earlier setup under another name must not stay behind.
        if let Some(old) = &self.cfg {
            if old.table != cfg.table {
                push_delete_table(&mut b, Family::Ipv4, &old.table);
                push_delete_table(&mut b, Family::Ipv6, &old.table);
            }
        }
        for (family, wanted) in [(Family::Ipv4, cfg.ipv4), (Family::Ipv6, cfg.ipv6)] {
            if wanted {
                push_setup(&mut b, family, cfg);
            } else {
                push_delete_table(&mut b, family, &cfg.table);
            }
        }
        self.sock.run(&b)?;
        self.cfg = Some(cfg.clone());
        self.v4 = cfg.ipv4.then(BTreeSet::new);
        self.v6 = cfg.ipv6.then(V6::default);
        Ok(())
    }

    /// Adds VIPs (v4 or v6, not link-local) to the `vips` drop sets, creating a family's
    /// table first if setup did not; addresses already there are skipped. All or nothing.
    pub fn add_vips(&mut self, addrs: &[IpAddr]) -> Result<(), NftError> {
        let cfg = self.cfg.clone().ok_or(NftError::NotSetUp)?;
        let (new4, new6) = split(addrs)?;
        let new4: Vec<Ipv4Addr> = new4
            .into_iter()
            .filter(|a| !self.v4.as_ref().is_some_and(|s| s.contains(a)))
            .collect();
        let new6: Vec<Ipv6Addr> = new6
            .into_iter()
            .filter(|a| !self.v6.as_ref().is_some_and(|s| s.global.contains(a)))
            .collect();
        let mut b = Batch::default();
        let create4 = !new4.is_empty() && self.v4.is_none();
        let create6 = !new6.is_empty() && self.v6.is_none();
        if create4 {
            push_setup(&mut b, Family::Ipv4, &cfg);
        }
        if create6 {
            push_setup(&mut b, Family::Ipv6, &cfg);
        }
        if !new4.is_empty() {
            let keys: Vec<Vec<u8>> = new4.iter().map(|a| key_v4(*a)).collect();
            b.push(elems_msg(
                Kind::NewSetElem,
                Family::Ipv4,
                &cfg.table,
                VIPS_SET,
                &keys,
            ));
        }
        if !new6.is_empty() {
            let keys: Vec<Vec<u8>> = new6.iter().map(|a| key_v6(*a)).collect();
            b.push(elems_msg(
                Kind::NewSetElem,
                Family::Ipv6,
                &cfg.table,
                VIPS_SET,
                &keys,
            ));
        }
        self.sock.run(&b)?;
        if !new4.is_empty() {
            self.v4.get_or_insert_with(BTreeSet::new).extend(new4);
        }
        if !new6.is_empty() {
            self.v6.get_or_insert_with(V6::default).global.extend(new6);
        }
        Ok(())
    }

    /// Removes VIPs from the drop sets; addresses not there are skipped. All or nothing.
    pub fn del_vips(&mut self, addrs: &[IpAddr]) -> Result<(), NftError> {
        let cfg = self.cfg.clone().ok_or(NftError::NotSetUp)?;
        let (old4, old6) = split(addrs)?;
        let old4: Vec<Ipv4Addr> = old4
            .into_iter()
            .filter(|a| self.v4.as_ref().is_some_and(|s| s.contains(a)))
            .collect();
        let old6: Vec<Ipv6Addr> = old6
            .into_iter()
            .filter(|a| self.v6.as_ref().is_some_and(|s| s.global.contains(a)))
            .collect();
        let mut b = Batch::default();
        if !old4.is_empty() {
            let keys: Vec<Vec<u8>> = old4.iter().map(|a| key_v4(*a)).collect();
            b.push(elems_msg(
                Kind::DelSetElem,
                Family::Ipv4,
                &cfg.table,
                VIPS_SET,
                &keys,
            ));
        }
        if !old6.is_empty() {
            let keys: Vec<Vec<u8>> = old6.iter().map(|a| key_v6(*a)).collect();
            b.push(elems_msg(
                Kind::DelSetElem,
                Family::Ipv6,
                &cfg.table,
                VIPS_SET,
                &keys,
            ));
        }
        self.sock.run(&b)?;
        if let Some(s) = self.v4.as_mut() {
            for a in &old4 {
                s.remove(a);
            }
        }
        if let Some(s) = self.v6.as_mut() {
            for a in &old6 {
                s.global.remove(a);
            }
        }
        Ok(())
    }

    /// Adds link-local IPv6 VIPs (fe80::/10) to keepalived's per-interface sets, creating
    /// `table ip6` and the set for that kind of [`Link`] (with its rules) on first use,
    /// as keepalived's setup_link_local_checks. Pairs already there are skipped.
    pub fn add_link_local_vips(&mut self, vips: &[(Ipv6Addr, Link)]) -> Result<(), NftError> {
        let cfg = self.cfg.clone().ok_or(NftError::NotSetUp)?;
        let vips = check_link_local(vips)?;
        let fresh: Vec<(Ipv6Addr, Link)> = vips
            .into_iter()
            .filter(|v| !self.v6.as_ref().is_some_and(|s| s.link_local.contains(v)))
            .collect();
        if fresh.is_empty() {
            return Ok(());
        }
        let mut b = Batch::default();
        let create6 = self.v6.is_none();
        if create6 {
            push_setup(&mut b, Family::Ipv6, &cfg);
        }
        let (index_set, name_set) = self
            .v6
            .as_ref()
            .map_or((false, false), |s| (s.index_set, s.name_set));
        let mut made_index = false;
        let mut made_name = false;
        // Sets are made in the order their first VIP comes, as keepalived does.
        for (_, link) in &fresh {
            let by_name = matches!(link, Link::Name(_));
            if by_name && !name_set && !made_name {
                push_link_local_setup(&mut b, &cfg, true);
                made_name = true;
            } else if !by_name && !index_set && !made_index {
                push_link_local_setup(&mut b, &cfg, false);
                made_index = true;
            }
        }
        for set in [table::LL_INDEX_SET, table::LL_NAME_SET] {
            let keys: Vec<Vec<u8>> = fresh
                .iter()
                .filter(|(_, l)| l.set() == set)
                .map(|(a, l)| key_link_local(*a, l))
                .collect();
            if !keys.is_empty() {
                b.push(elems_msg(
                    Kind::NewSetElem,
                    Family::Ipv6,
                    &cfg.table,
                    set,
                    &keys,
                ));
            }
        }
        self.sock.run(&b)?;
        let v6 = self.v6.get_or_insert_with(V6::default);
        v6.index_set |= made_index;
        v6.name_set |= made_name;
        v6.link_local.extend(fresh);
        Ok(())
    }

    /// Removes link-local IPv6 VIPs; pairs not there are skipped. All or nothing.
    pub fn del_link_local_vips(&mut self, vips: &[(Ipv6Addr, Link)]) -> Result<(), NftError> {
        let cfg = self.cfg.clone().ok_or(NftError::NotSetUp)?;
        let vips = check_link_local(vips)?;
        let old: Vec<(Ipv6Addr, Link)> = vips
            .into_iter()
            .filter(|v| self.v6.as_ref().is_some_and(|s| s.link_local.contains(v)))
            .collect();
        let mut b = Batch::default();
        for set in [table::LL_INDEX_SET, table::LL_NAME_SET] {
            let keys: Vec<Vec<u8>> = old
                .iter()
                .filter(|(_, l)| l.set() == set)
                .map(|(a, l)| key_link_local(*a, l))
                .collect();
            if !keys.is_empty() {
                b.push(elems_msg(
                    Kind::DelSetElem,
                    Family::Ipv6,
                    &cfg.table,
                    set,
                    &keys,
                ));
            }
        }
        self.sock.run(&b)?;
        if let Some(s) = self.v6.as_mut() {
            for v in &old {
                s.link_local.remove(v);
            }
        }
        Ok(())
    }

    /// The VIPs currently in the `vips` drop sets, as this handle put them there.
    pub fn vips(&self) -> Vec<IpAddr> {
        let v4 = self.v4.iter().flatten().map(|a| IpAddr::V4(*a));
        let v6 = self
            .v6
            .iter()
            .flat_map(|s| s.global.iter())
            .map(|a| IpAddr::V6(*a));
        v4.chain(v6).collect()
    }

    /// The link-local VIPs currently in the per-interface drop sets.
    pub fn link_local_vips(&self) -> Vec<(Ipv6Addr, Link)> {
        self.v6
            .iter()
            .flat_map(|s| s.link_local.iter().cloned())
            .collect()
    }

    /// Deletes both families' tables (keepalived's nft_cleanup); fine if they are gone.
    pub fn teardown(&mut self) -> Result<(), NftError> {
        let Some(cfg) = self.cfg.clone() else {
            return Ok(());
        };
        let mut b = Batch::default();
        push_delete_table(&mut b, Family::Ipv4, &cfg.table);
        push_delete_table(&mut b, Family::Ipv6, &cfg.table);
        self.sock.run(&b)?;
        self.cfg = None;
        self.v4 = None;
        self.v6 = None;
        Ok(())
    }
}

/// fe80::/10, keepalived's IN6_IS_ADDR_LINKLOCAL.
fn is_link_local(a: &Ipv6Addr) -> bool {
    a.segments()[0] & 0xffc0 == 0xfe80
}

/// Deduplicates; refuses global addresses and impossible interfaces.
fn check_link_local(vips: &[(Ipv6Addr, Link)]) -> Result<BTreeSet<(Ipv6Addr, Link)>, NftError> {
    let mut out = BTreeSet::new();
    for (a, l) in vips {
        if !is_link_local(a) {
            return Err(NftError::NotLinkLocal(*a));
        }
        if !l.is_valid() {
            return Err(NftError::BadLink(l.clone()));
        }
        out.insert((*a, l.clone()));
    }
    Ok(out)
}

/// Splits by family, deduplicated; refuses link-local IPv6 (see [`NftError::LinkLocal`]).
fn split(addrs: &[IpAddr]) -> Result<(BTreeSet<Ipv4Addr>, BTreeSet<Ipv6Addr>), NftError> {
    let mut v4 = BTreeSet::new();
    let mut v6 = BTreeSet::new();
    for a in addrs {
        match a {
            IpAddr::V4(a) => {
                v4.insert(*a);
            }
            IpAddr::V6(a) => {
                if is_link_local(a) {
                    return Err(NftError::LinkLocal(*a));
                }
                v6.insert(*a);
            }
        }
    }
    Ok((v4, v6))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_dedups_and_refuses_link_local() {
        let a: IpAddr = "192.0.2.1".parse().expect("addr");
        let b: IpAddr = "2001:db8::1".parse().expect("addr");
        let (v4, v6) = split(&[a, a, b]).expect("split");
        assert_eq!(v4.len(), 1);
        assert_eq!(v6.len(), 1);
        let ll: IpAddr = "fe80::1".parse().expect("addr");
        assert!(matches!(split(&[a, ll]), Err(NftError::LinkLocal(_))));
        let not_ll: IpAddr = "fec0::1".parse().expect("addr");
        assert!(split(&[not_ll]).is_ok());
    }
}
