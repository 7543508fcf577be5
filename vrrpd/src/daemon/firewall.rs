//! RFC 5798 §6.4.3 non-accept mode as keepalived 2.2.7 applies it: a MASTER that is not
//! the address owner and not in Accept Mode drops packets to and from its virtual
//! addresses, through keepalived's nftables table (crate vigil-nft, netlink only).
//!
//! What blocks (keepalived vrrp.c vrrp_handle_accept_mode): an instance with
//! `no_accept`, or strict mode (`vrrp_strict` / `strict_mode`) without `accept`, whose
//! priority is not 255. Which table: global_defs `nftables [TABLE]` with
//! `nftables_priority`, `nftables_ifindex`, `nftables_counters`; without `nftables`,
//! the default table "keepalived". keepalived 2.2.7 as Debian builds it (NFTABLES, no
//! IPTABLES) does the same, observed in a namespace with `vrrp_strict` and no
//! `nftables`: it logs "use_vmac or no_accept/strict specified, but no firewall
//! configured - using nftables" and builds `table ip keepalived`. A build with iptables
//! would use iptables there; vigil has no iptables code and always uses nftables.
//! With no blocking instance the socket is not even opened (keepalived 2.2.7 makes no
//! table then, `nftables` or not).
//!
//! When (the crate docs of vigil-nft): the drop rule goes in before the addresses go on
//! the interface and comes out after they are taken off, so the host never answers for
//! a VIP it holds. [`Firewall`] is the I/O half: it remembers what each instance has in
//! the sets (two instances may share a VIP: the element goes when the last one lets go)
//! and logs, never fails, on a netlink error: the protocol runs on without the rule.

use std::collections::{BTreeMap, BTreeSet};
use std::net::{IpAddr, Ipv6Addr};

use vigil_config::model::global::GlobalDefs;
use vigil_nft::{Link, Nft, NftError, TableConfig};

use super::build::Spec;
use super::instance::Running;

/// keepalived's VRRP_PRIO_OWNER: the address owner always accepts (RFC 5798 §6.1).
const PRIO_OWNER: u8 = 255;

/// One element of keepalived's drop sets.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Block {
    /// An IPv4 or global IPv6 address: set `vips`.
    Addr(IpAddr),
    /// A link-local IPv6 address on an interface: `vips_link_local(_name)`.
    LinkLocal(Ipv6Addr, Link),
}

/// True when instance `spec` drops traffic to its VIPs as MASTER (keepalived vrrp.c
/// vrrp_handle_accept_mode: not for the address owner, not with `accept`).
pub fn blocks(spec: &Spec) -> bool {
    spec.no_accept && spec.fsm.priority != PRIO_OWNER
}

/// The table settings when some instance of `specs` blocks, else None (no socket).
/// Without `nftables` the table is keepalived's default "keepalived" (see the module
/// docs). No family's table is made before it is needed: keepalived makes none until
/// the first MASTER.
pub fn table_config(global: &GlobalDefs, specs: &[Spec]) -> Option<TableConfig> {
    if !specs.iter().any(blocks) {
        return None;
    }
    Some(TableConfig {
        table: global
            .nftables
            .clone()
            .unwrap_or_else(|| TableConfig::default().table),
        priority: global.nftables_priority,
        ifindex: global.nftables_ifindex,
        counters: global.nftables_counters,
        ipv4: false,
        ipv6: false,
    })
}

/// What instance `spec`, doing its I/O on `io_ifname`, blocks as MASTER under `cfg`:
/// its VIPs and eVIPs (keepalived nft_update_addresses takes both). A link-local IPv6
/// VIP is keyed by its interface as keepalived keys it ([`Link::choose`]); `ifindex`
/// looks interfaces up. The second list names the interfaces that do not exist (their
/// addresses cannot be added either).
pub fn blocked(
    spec: &Spec,
    io_ifname: &str,
    cfg: &TableConfig,
    ifindex: impl Fn(&str) -> Option<u32>,
) -> (BTreeSet<Block>, Vec<String>) {
    let mut out = BTreeSet::new();
    let mut missing = Vec::new();
    if !blocks(spec) {
        return (out, missing);
    }
    for a in spec.all_addresses() {
        match a.addr.addr {
            IpAddr::V6(v6) if is_link_local(&v6) => {
                let dev = a.dev.as_deref().unwrap_or(io_ifname);
                match ifindex(dev) {
                    Some(idx) => {
                        let mine = dev == io_ifname || a.no_track;
                        let link = Link::choose(cfg, spec.dont_track_primary, mine, idx, dev);
                        out.insert(Block::LinkLocal(v6, link));
                    }
                    None => missing.push(dev.to_string()),
                }
            }
            ip => {
                out.insert(Block::Addr(ip));
            }
        }
    }
    (out, missing)
}

/// fe80::/10, keepalived's IN6_IS_ADDR_LINKLOCAL.
fn is_link_local(a: &Ipv6Addr) -> bool {
    a.segments()[0] & 0xffc0 == 0xfe80
}

/// The nftables operations the firewall needs: [`Nft`], or a test's double.
pub trait Rules {
    /// [`Nft::setup`].
    fn setup(&mut self, cfg: &TableConfig) -> Result<(), NftError>;
    /// [`Nft::add_vips`].
    fn add_vips(&mut self, addrs: &[IpAddr]) -> Result<(), NftError>;
    /// [`Nft::del_vips`].
    fn del_vips(&mut self, addrs: &[IpAddr]) -> Result<(), NftError>;
    /// [`Nft::add_link_local_vips`].
    fn add_link_local_vips(&mut self, vips: &[(Ipv6Addr, Link)]) -> Result<(), NftError>;
    /// [`Nft::del_link_local_vips`].
    fn del_link_local_vips(&mut self, vips: &[(Ipv6Addr, Link)]) -> Result<(), NftError>;
    /// [`Nft::teardown`].
    fn teardown(&mut self) -> Result<(), NftError>;
}

impl Rules for Nft {
    fn setup(&mut self, cfg: &TableConfig) -> Result<(), NftError> {
        Nft::setup(self, cfg)
    }
    fn add_vips(&mut self, addrs: &[IpAddr]) -> Result<(), NftError> {
        Nft::add_vips(self, addrs)
    }
    fn del_vips(&mut self, addrs: &[IpAddr]) -> Result<(), NftError> {
        Nft::del_vips(self, addrs)
    }
    fn add_link_local_vips(&mut self, vips: &[(Ipv6Addr, Link)]) -> Result<(), NftError> {
        Nft::add_link_local_vips(self, vips)
    }
    fn del_link_local_vips(&mut self, vips: &[(Ipv6Addr, Link)]) -> Result<(), NftError> {
        Nft::del_link_local_vips(self, vips)
    }
    fn teardown(&mut self) -> Result<(), NftError> {
        Nft::teardown(self)
    }
}

/// Opens the real NETLINK_NETFILTER socket (needs CAP_NET_ADMIN, which vrrpd keeps).
pub fn open_nft() -> Result<Box<dyn Rules>, NftError> {
    Ok(Box::new(Nft::open()?))
}

/// Opens a [`Rules`] when the first configuration needs one.
pub type Opener = Box<dyn FnMut() -> Result<Box<dyn Rules>, NftError>>;

/// keepalived's drop sets as this daemon keeps them.
pub struct Firewall {
    open: Opener,
    /// The settings in force (None: no instance blocks).
    cfg: Option<TableConfig>,
    /// The socket, once the table is set up; None also after a failure (logged).
    rules: Option<Box<dyn Rules>>,
    /// What is in the sets on behalf of each instance.
    held: BTreeMap<u64, BTreeSet<Block>>,
}

impl Firewall {
    /// No table and no socket until [`Firewall::configure`] asks for one.
    pub fn new(open: Opener) -> Firewall {
        Firewall {
            open,
            cfg: None,
            rules: None,
            held: BTreeMap::new(),
        }
    }

    /// The settings in force, if any instance blocks.
    pub fn config(&self) -> Option<&TableConfig> {
        self.cfg.as_ref()
    }

    /// Applies a configuration's settings ([`table_config`]). New settings set the
    /// table up afresh (empty sets, residue of an earlier run replaced): the caller
    /// then adds again what MASTER instances block. None deletes the tables.
    pub fn configure(&mut self, cfg: Option<TableConfig>) {
        if cfg == self.cfg {
            return;
        }
        self.held.clear();
        let Some(new) = cfg else {
            self.teardown();
            return;
        };
        if self.rules.is_none() {
            match (self.open)() {
                Ok(r) => self.rules = Some(r),
                Err(e) => {
                    log::error!("{e}; VIPs of no_accept instances will not be firewalled");
                }
            }
        }
        if let Some(r) = self.rules.as_mut() {
            match r.setup(&new) {
                Ok(()) => log::info!("nftables table {} set up for no_accept mode", new.table),
                Err(e) => {
                    log::error!("{e}; VIPs of no_accept instances will not be firewalled");
                    self.rules = None;
                }
            }
        }
        self.cfg = Some(new);
    }

    /// Puts `want` in the drop sets for instance `id` (`name` for the log), those not
    /// there yet: call it *before* the addresses go on the interface.
    pub fn add(&mut self, id: u64, name: &str, want: &BTreeSet<Block>) {
        let have = self.held.get(&id).cloned().unwrap_or_default();
        let new: Vec<Block> = want.difference(&have).cloned().collect();
        if new.is_empty() {
            return;
        }
        let Some(rules) = self.rules.as_mut() else {
            log::warn!("({name}) no firewall: VIPs are not blocked (nftables unavailable)");
            return;
        };
        log::info!("({name}) setting firewall drop rule");
        // Elements other instances hold are in the kernel already.
        let in_kernel = |b: &Block| self.held.values().any(|s| s.contains(b));
        let (addrs, ll) = split(new.iter().filter(|b| !in_kernel(b)));
        let mut done: Vec<Block> = new.iter().filter(|b| in_kernel(b)).cloned().collect();
        if !addrs.is_empty() {
            match rules.add_vips(&addrs) {
                Ok(()) => done.extend(addrs.iter().map(|a| Block::Addr(*a))),
                Err(e) => log::error!("({name}) cannot set firewall drop rule: {e}"),
            }
        }
        if !ll.is_empty() {
            match rules.add_link_local_vips(&ll) {
                Ok(()) => done.extend(ll.iter().map(|(a, l)| Block::LinkLocal(*a, l.clone()))),
                Err(e) => log::error!("({name}) cannot set firewall drop rule: {e}"),
            }
        }
        self.held.entry(id).or_default().extend(done);
    }

    /// Takes out of the drop sets what instance `id` holds beyond `keep`: call it
    /// *after* the addresses are off the interface (`keep` empty when leaving MASTER).
    pub fn remove(&mut self, id: u64, name: &str, keep: &BTreeSet<Block>) {
        let Some(have) = self.held.get(&id) else {
            return;
        };
        let gone: Vec<Block> = have.difference(keep).cloned().collect();
        if gone.is_empty() {
            return;
        }
        let Some(rules) = self.rules.as_mut() else {
            return;
        };
        log::info!("({name}) removing firewall drop rule");
        // Elements another instance still holds stay in the kernel.
        let others = |b: &Block| {
            self.held
                .iter()
                .any(|(other, s)| *other != id && s.contains(b))
        };
        let (addrs, ll) = split(gone.iter().filter(|b| !others(b)));
        let mut done: Vec<Block> = gone.iter().filter(|b| others(b)).cloned().collect();
        if !addrs.is_empty() {
            match rules.del_vips(&addrs) {
                Ok(()) => done.extend(addrs.iter().map(|a| Block::Addr(*a))),
                Err(e) => log::error!("({name}) cannot remove firewall drop rule: {e}"),
            }
        }
        if !ll.is_empty() {
            match rules.del_link_local_vips(&ll) {
                Ok(()) => done.extend(ll.iter().map(|(a, l)| Block::LinkLocal(*a, l.clone()))),
                Err(e) => log::error!("({name}) cannot remove firewall drop rule: {e}"),
            }
        }
        if let Some(set) = self.held.get_mut(&id) {
            for b in &done {
                set.remove(b);
            }
            if set.is_empty() {
                self.held.remove(&id);
            }
        }
    }

    /// What instance `id` has in the drop sets.
    pub fn held(&self, id: u64) -> BTreeSet<Block> {
        self.held.get(&id).cloned().unwrap_or_default()
    }

    /// Deletes the tables (keepalived's nft_end at exit); the socket is closed.
    pub fn teardown(&mut self) {
        if let Some(mut r) = self.rules.take() {
            if let Err(e) = r.teardown() {
                log::error!("{e}");
            }
        }
        self.cfg = None;
        self.held.clear();
    }
}

// ----- the runtime's hooks: one call each, at the places keepalived makes them -----

/// What `r` blocks as MASTER under the settings in force (nothing without settings).
pub fn wanted(fw: &Firewall, r: &Running) -> BTreeSet<Block> {
    let Some(cfg) = fw.config() else {
        return BTreeSet::new();
    };
    let (set, missing) = blocked(&r.spec, &r.io_ifname, cfg, crate::iface::index);
    for dev in missing {
        log::warn!(
            "({}) no interface {dev} to key a link-local VIP's drop rule on",
            r.name()
        );
    }
    set
}

/// Entering MASTER, or a reload while MASTER: *before* the addresses are added
/// (keepalived vrrp_state_become_master: "setting firewall drop rule", then "setting
/// VIPs.").
pub fn before_add(fw: &mut Firewall, id: u64, r: &Running) {
    let want = wanted(fw, r);
    fw.add(id, r.name(), &want);
}

/// Leaving MASTER or stopping: *after* the addresses are removed (keepalived
/// vrrp_restore_interface).
pub fn after_remove(fw: &mut Firewall, id: u64, r: &Running) {
    fw.remove(id, r.name(), &BTreeSet::new());
}

/// A reload while MASTER: *after* dropped addresses are removed, what `r` no longer
/// blocks comes out.
pub fn after_reload_remove(fw: &mut Firewall, id: u64, r: &Running) {
    let keep = wanted(fw, r);
    fw.remove(id, r.name(), &keep);
}

/// Global addresses and link-local pairs, for the two kinds of call.
fn split<'a>(blocks: impl Iterator<Item = &'a Block>) -> (Vec<IpAddr>, Vec<(Ipv6Addr, Link)>) {
    let mut addrs = Vec::new();
    let mut ll = Vec::new();
    for b in blocks {
        match b {
            Block::Addr(a) => addrs.push(*a),
            Block::LinkLocal(a, l) => ll.push((*a, l.clone())),
        }
    }
    (addrs, ll)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
