//! The decisions against keepalived 2.2.7 (observed in a namespace: which configuration
//! makes a table, which VIPs go in it), and the bookkeeping against a recording double.

use std::cell::RefCell;
use std::path::Path;
use std::rc::Rc;

use super::*;
use crate::daemon::build;

fn specs(text: &str) -> (vigil_config::Config, Vec<Spec>) {
    let loaded = vigil_config::load_str(Path::new("test.conf"), text, &Default::default());
    assert!(
        loaded.is_valid(),
        "{}",
        loaded.diags.render(&loaded.sources)
    );
    let specs = build::build(&loaded.config).unwrap();
    (loaded.config, specs)
}

fn inst(name: &str, vrid: u8, extra: &str, vips: &str) -> String {
    format!(
        "vrrp_instance {name} {{\n  interface eth0\n  virtual_router_id {vrid}\n  priority 100\n  \
         advert_int 1\n  version 3\n{extra}\n  virtual_ipaddress {{\n{vips}\n  }}\n}}\n"
    )
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

#[test]
fn vrrp_strict_makes_no_accept_the_default_keepalived_vrrp_c() {
    let text = format!(
        "global_defs {{\n  vrrp_strict\n}}\n{}{}{}",
        inst("DEFAULT", 1, "", "192.0.2.100"),
        inst("ACCEPT", 2, "  accept", "192.0.2.101"),
        inst("OWNER", 3, "  priority 255", "192.0.2.102"),
    );
    let (_, s) = specs(&text);
    // Observed on keepalived 2.2.7: strict blocks; strict + accept answers pings and
    // makes no table; the owner (priority 255) never blocks (vrrp_handle_accept_mode).
    assert!(blocks(&s[0]));
    assert!(!blocks(&s[1]));
    assert!(!blocks(&s[2]));
}

#[test]
fn without_strict_only_no_accept_blocks_keepalived_vrrp_c() {
    let text = format!(
        "{}{}{}",
        inst("DEFAULT", 1, "", "192.0.2.100"),
        inst("NOACCEPT", 2, "  no_accept", "192.0.2.101"),
        inst("INSTSTRICT", 3, "  strict_mode on", "192.0.2.102"),
    );
    let (_, s) = specs(&text);
    assert!(!blocks(&s[0]));
    assert!(blocks(&s[1]));
    assert!(
        blocks(&s[2]),
        "strict_mode per instance is vrrp_strict for it"
    );
}

#[test]
fn no_blocking_instance_means_no_table_even_with_nftables() {
    // keepalived 2.2.7 with `vrrp_strict`, `nftables` and `accept`: no table at all.
    let text = format!(
        "global_defs {{\n  vrrp_strict\n  nftables\n}}\n{}",
        inst("A", 1, "  accept", "192.0.2.100")
    );
    let (c, s) = specs(&text);
    assert_eq!(table_config(&c.global, &s), None);
}

#[test]
fn strict_without_nftables_uses_keepalived_s_default_table() {
    // keepalived 2.2.7 (NFTABLES, no IPTABLES build): "no_accept/strict specified, but
    // no firewall configured - using nftables", table `keepalived`, priority -1.
    let text = format!(
        "global_defs {{\n  vrrp_strict\n}}\n{}",
        inst("A", 1, "", "192.0.2.100")
    );
    let (c, s) = specs(&text);
    let t = table_config(&c.global, &s).unwrap();
    assert_eq!(t.table, "keepalived");
    assert_eq!(t.priority, -1);
    assert!(!t.counters && !t.ifindex);
    // No table before the first MASTER (keepalived makes it on the first address).
    assert!(!t.ipv4 && !t.ipv6);
}

#[test]
fn nftables_settings_are_carried() {
    let text = format!(
        "global_defs {{\n  nftables vgtest\n  nftables_priority -5\n  nftables_counters\n  \
         nftables_ifindex\n}}\n{}",
        inst("A", 1, "  no_accept", "192.0.2.100")
    );
    let (c, s) = specs(&text);
    let t = table_config(&c.global, &s).unwrap();
    assert_eq!(t.table, "vgtest");
    assert_eq!(t.priority, -5);
    assert!(t.counters && t.ifindex);
}

fn lookup(name: &str) -> Option<u32> {
    match name {
        "eth0" => Some(2),
        "eth1" => Some(3),
        _ => None,
    }
}

#[test]
fn vips_and_evips_are_blocked_link_local_ones_per_interface_vrrp_nftables_c() {
    let text = "global_defs {\n  vrrp_strict\n}\n\
         vrrp_instance V6 {\n  interface eth0\n  virtual_router_id 1\n  priority 100\n  \
         advert_int 1\n  virtual_ipaddress {\n    2001:db8::100/64\n    fe80::100/64\n    \
         fe80::101/64 dev eth1\n    fe80::102/64 dev nosuch\n  }\n  \
         virtual_ipaddress_excluded {\n    2001:db8::200/64\n  }\n}\n";
    let (c, s) = specs(text);
    let cfg = table_config(&c.global, &s).unwrap();
    let (set, missing) = blocked(&s[0], "eth0", &cfg, lookup);
    let want: BTreeSet<Block> = [
        Block::Addr(ip("2001:db8::100")),
        Block::Addr(ip("2001:db8::200")),
        Block::LinkLocal("fe80::100".parse().unwrap(), Link::Index(2)),
        Block::LinkLocal("fe80::101".parse().unwrap(), Link::Index(3)),
    ]
    .into_iter()
    .collect();
    assert_eq!(set, want);
    assert_eq!(missing, vec!["nosuch".to_string()]);
}

#[test]
fn dont_track_primary_keys_link_local_vips_by_name_unless_nftables_ifindex() {
    // vrrp_nftables.c nft_update_ipv6_address, via Link::choose.
    let body = "vrrp_instance V6 {\n  interface eth0\n  virtual_router_id 1\n  priority 100\n  \
         advert_int 1\n  dont_track_primary\n  virtual_ipaddress {\n    fe80::100/64\n    \
         fe80::101/64 dev eth1\n  }\n}\n";
    let (c, s) = specs(&format!("global_defs {{\n  vrrp_strict\n}}\n{body}"));
    let cfg = table_config(&c.global, &s).unwrap();
    let (set, _) = blocked(&s[0], "eth0", &cfg, lookup);
    assert!(set.contains(&Block::LinkLocal(
        "fe80::100".parse().unwrap(),
        Link::Name("eth0".into())
    )));
    // Not on the instance's interface and no `no_track`: by index.
    assert!(set.contains(&Block::LinkLocal(
        "fe80::101".parse().unwrap(),
        Link::Index(3)
    )));
    let (c, s) = specs(&format!(
        "global_defs {{\n  vrrp_strict\n  nftables_ifindex\n}}\n{body}"
    ));
    let cfg = table_config(&c.global, &s).unwrap();
    let (set, _) = blocked(&s[0], "eth0", &cfg, lookup);
    assert!(set
        .iter()
        .all(|b| matches!(b, Block::LinkLocal(_, Link::Index(_)))));
}

#[test]
fn an_accepting_instance_blocks_nothing() {
    let text = format!(
        "global_defs {{\n  vrrp_strict\n}}\n{}{}",
        inst("A", 1, "", "192.0.2.100"),
        inst("B", 2, "  accept", "192.0.2.101")
    );
    let (c, s) = specs(&text);
    let cfg = table_config(&c.global, &s).unwrap();
    assert!(blocked(&s[1], "eth0", &cfg, lookup).0.is_empty());
}

// ----- the bookkeeping, against a double -----

#[derive(Default)]
struct Calls {
    log: Vec<String>,
    /// Calls whose name starts with this fail (with ENOENT).
    fail: Option<&'static str>,
}

struct Double(Rc<RefCell<Calls>>);

impl Double {
    fn call(&self, what: String) -> Result<(), NftError> {
        let mut c = self.0.borrow_mut();
        if c.fail.is_some_and(|f| what.starts_with(f)) {
            return Err(NftError::Kernel {
                what,
                errno: libc::ENOENT,
                message: None,
                bad_attr_offset: None,
            });
        }
        c.log.push(what);
        Ok(())
    }
}

impl Rules for Double {
    fn setup(&mut self, cfg: &TableConfig) -> Result<(), NftError> {
        self.call(format!("setup {}", cfg.table))
    }
    fn add_vips(&mut self, addrs: &[IpAddr]) -> Result<(), NftError> {
        self.call(format!("add {addrs:?}"))
    }
    fn del_vips(&mut self, addrs: &[IpAddr]) -> Result<(), NftError> {
        self.call(format!("del {addrs:?}"))
    }
    fn add_link_local_vips(&mut self, vips: &[(Ipv6Addr, Link)]) -> Result<(), NftError> {
        self.call(format!("add_ll {vips:?}"))
    }
    fn del_link_local_vips(&mut self, vips: &[(Ipv6Addr, Link)]) -> Result<(), NftError> {
        self.call(format!("del_ll {vips:?}"))
    }
    fn teardown(&mut self) -> Result<(), NftError> {
        self.call("teardown".into())
    }
}

fn firewall() -> (Firewall, Rc<RefCell<Calls>>) {
    let calls = Rc::new(RefCell::new(Calls::default()));
    let c = Rc::clone(&calls);
    let fw = Firewall::new(Box::new(move || {
        Ok(Box::new(Double(Rc::clone(&c))) as Box<dyn Rules>)
    }));
    (fw, calls)
}

fn cfg(table: &str) -> TableConfig {
    TableConfig {
        table: table.into(),
        ipv4: false,
        ipv6: false,
        ..TableConfig::default()
    }
}

fn set(addrs: &[&str]) -> BTreeSet<Block> {
    addrs.iter().map(|a| Block::Addr(ip(a))).collect()
}

fn log(calls: &Rc<RefCell<Calls>>) -> Vec<String> {
    std::mem::take(&mut calls.borrow_mut().log)
}

#[test]
fn nothing_is_opened_while_no_instance_blocks() {
    let opened = Rc::new(RefCell::new(0));
    let o = Rc::clone(&opened);
    let mut fw = Firewall::new(Box::new(move || {
        *o.borrow_mut() += 1;
        Err(NftError::NotSetUp)
    }));
    fw.configure(None);
    fw.add(1, "A", &BTreeSet::new());
    fw.remove(1, "A", &BTreeSet::new());
    fw.teardown();
    assert_eq!(*opened.borrow(), 0);
}

#[test]
fn master_adds_and_leaving_removes_then_exit_tears_down() {
    let (mut fw, calls) = firewall();
    fw.configure(Some(cfg("keepalived")));
    assert_eq!(log(&calls), ["setup keepalived"]);
    let want = set(&["192.0.2.100", "2001:db8::100"]);
    fw.add(1, "A", &want);
    assert_eq!(log(&calls), ["add [192.0.2.100, 2001:db8::100]"]);
    // Again (a reload while MASTER): nothing new, nothing sent.
    fw.add(1, "A", &want);
    assert!(log(&calls).is_empty());
    assert_eq!(fw.held(1), want);
    fw.remove(1, "A", &BTreeSet::new());
    assert_eq!(log(&calls), ["del [192.0.2.100, 2001:db8::100]"]);
    assert!(fw.held(1).is_empty());
    fw.teardown();
    assert_eq!(log(&calls), ["teardown"]);
}

#[test]
fn a_reload_adds_new_vips_and_removes_dropped_ones_only() {
    let (mut fw, calls) = firewall();
    fw.configure(Some(cfg("keepalived")));
    log(&calls);
    fw.add(1, "A", &set(&["192.0.2.100", "192.0.2.101"]));
    log(&calls);
    let next = set(&["192.0.2.101", "192.0.2.102"]);
    fw.add(1, "A", &next);
    fw.remove(1, "A", &next);
    assert_eq!(log(&calls), ["add [192.0.2.102]", "del [192.0.2.100]"]);
    assert_eq!(fw.held(1), next);
}

#[test]
fn a_shared_vip_stays_until_its_last_instance_lets_go() {
    let (mut fw, calls) = firewall();
    fw.configure(Some(cfg("keepalived")));
    log(&calls);
    fw.add(1, "A", &set(&["192.0.2.100", "192.0.2.101"]));
    fw.add(2, "B", &set(&["192.0.2.100"]));
    assert_eq!(log(&calls), ["add [192.0.2.100, 192.0.2.101]"]);
    fw.remove(1, "A", &BTreeSet::new());
    assert_eq!(log(&calls), ["del [192.0.2.101]"]);
    fw.remove(2, "B", &BTreeSet::new());
    assert_eq!(log(&calls), ["del [192.0.2.100]"]);
}

#[test]
fn link_local_vips_go_through_their_own_call() {
    let (mut fw, calls) = firewall();
    fw.configure(Some(cfg("keepalived")));
    log(&calls);
    let mut want = set(&["2001:db8::100"]);
    want.insert(Block::LinkLocal(
        "fe80::100".parse().unwrap(),
        Link::Index(2),
    ));
    fw.add(1, "A", &want);
    assert_eq!(
        log(&calls),
        ["add [2001:db8::100]", "add_ll [(fe80::100, Index(2))]"]
    );
    fw.remove(1, "A", &BTreeSet::new());
    assert_eq!(
        log(&calls),
        ["del [2001:db8::100]", "del_ll [(fe80::100, Index(2))]"]
    );
}

#[test]
fn a_failed_add_is_logged_and_not_recorded() {
    let (mut fw, calls) = firewall();
    fw.configure(Some(cfg("keepalived")));
    log(&calls);
    calls.borrow_mut().fail = Some("add");
    fw.add(1, "A", &set(&["192.0.2.100"]));
    assert!(fw.held(1).is_empty());
    // The next MASTER tries again.
    calls.borrow_mut().fail = None;
    fw.add(1, "A", &set(&["192.0.2.100"]));
    assert_eq!(log(&calls), ["add [192.0.2.100]"]);
}

#[test]
fn a_failed_removal_stays_recorded_so_that_it_is_tried_again() {
    let (mut fw, calls) = firewall();
    fw.configure(Some(cfg("keepalived")));
    fw.add(1, "A", &set(&["192.0.2.100"]));
    log(&calls);
    calls.borrow_mut().fail = Some("del");
    fw.remove(1, "A", &BTreeSet::new());
    assert_eq!(fw.held(1), set(&["192.0.2.100"]));
    calls.borrow_mut().fail = None;
    fw.remove(1, "A", &BTreeSet::new());
    assert_eq!(log(&calls), ["del [192.0.2.100]"]);
}

#[test]
fn a_socket_that_cannot_be_opened_leaves_the_protocol_running() {
    let mut fw = Firewall::new(Box::new(|| {
        Err(NftError::Socket {
            op: "socket",
            source: std::io::Error::from_raw_os_error(libc::EPERM),
        })
    }));
    fw.configure(Some(cfg("keepalived")));
    fw.add(1, "A", &set(&["192.0.2.100"]));
    fw.remove(1, "A", &BTreeSet::new());
    assert!(fw.held(1).is_empty());
    fw.teardown();
}

#[test]
fn a_failed_setup_is_logged_and_adds_are_skipped() {
    let (mut fw, calls) = firewall();
    calls.borrow_mut().fail = Some("setup");
    fw.configure(Some(cfg("keepalived")));
    fw.add(1, "A", &set(&["192.0.2.100"]));
    assert!(log(&calls).is_empty());
    assert!(fw.held(1).is_empty());
}

#[test]
fn new_settings_set_up_afresh_and_none_tears_down() {
    let (mut fw, calls) = firewall();
    fw.configure(Some(cfg("keepalived")));
    fw.add(1, "A", &set(&["192.0.2.100"]));
    log(&calls);
    // Same settings: nothing happens, the sets stay.
    fw.configure(Some(cfg("keepalived")));
    assert!(log(&calls).is_empty());
    assert_eq!(fw.held(1), set(&["192.0.2.100"]));
    // Another table: set up again with empty sets; the runtime adds again.
    fw.configure(Some(cfg("other")));
    assert_eq!(log(&calls), ["setup other"]);
    assert!(fw.held(1).is_empty());
    fw.add(1, "A", &set(&["192.0.2.100"]));
    assert_eq!(log(&calls), ["add [192.0.2.100]"]);
    fw.configure(None);
    assert_eq!(log(&calls), ["teardown"]);
    assert_eq!(fw.config(), None);
}
