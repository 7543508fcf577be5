//! `vrrp_instance NAME { ... }` (keepalived.conf(5), "VRRP instance(s)"; vrrp_parser.c,
//! with unicast peers and VIPs in vrrp_data.c and the end-of-instance checks of
//! vrrp.c). Checks between instances are in crate::semantic::vrrp.

use super::{block_name, set_notify, track, Seen};
use crate::lexer::Word;
use crate::lower::ctx::{Ctx, Kind};
use crate::lower::ipaddr;
use crate::model::common::Timer;
use crate::model::global::GlobalDefs;
use crate::model::vrrp::{
    AuthType, Authentication, Family, GarpExtraIf, InitialState, Instance, Ipvlan, IpvlanMode,
    OldChecksum, UnicastPeer, Vmac, VmacAddress,
};
use crate::model::Config;
use crate::source::Span;
use crate::tree::Node;
use std::collections::HashMap;
use std::net::IpAddr;

/// Every keyword of a vrrp_instance block, for "did you mean".
pub(super) const KEYWORDS: &[&str] = &[
    "use_vmac",
    "use_vmac_addr",
    "vmac_xmit_base",
    "use_ipvlan",
    "unicast_peer",
    "unicast_fault_no_peer",
    "check_unicast_src",
    "old_unicast_checksum",
    "native_ipv6",
    "state",
    "interface",
    "vrf",
    "dont_track_primary",
    "track_interface",
    "track_script",
    "track_file",
    "track_process",
    "track_bfd",
    "mcast_src_ip",
    "unicast_src_ip",
    "mcast_dst_ip",
    "track_src_ip",
    "virtual_router_id",
    "unicast_ttl",
    "version",
    "priority",
    "advert_int",
    "virtual_ipaddress",
    "virtual_ipaddress_excluded",
    "promote_secondaries",
    "linkbeat_use_polling",
    "virtual_routes",
    "virtual_rules",
    "accept",
    "no_accept",
    "skip_check_adv_addr",
    "strict_mode",
    "preempt",
    "nopreempt",
    "preempt_delay",
    "debug",
    "notify_backup",
    "notify_master",
    "notify_fault",
    "notify_stop",
    "notify_deleted",
    "notify",
    "notify_master_rx_lower_pri",
    "smtp_alert",
    "notify_priority_changes",
    "lvs_sync_daemon_interface",
    "garp_master_delay",
    "garp_master_refresh",
    "garp_master_repeat",
    "garp_master_refresh_repeat",
    "garp_lower_prio_delay",
    "garp_lower_prio_repeat",
    "down_timer_adverts",
    "garp_extra_if",
    "vmac_garp_intvl",
    "lower_prio_no_advert",
    "higher_prio_send_advert",
    "kernel_rx_buf_size",
    "authentication",
];

/// The place key of an instance's item (`name`, `virtual_router_id`, ...).
pub(crate) fn place_key(instance: &str, item: &str) -> String {
    format!("vrrp_instance\u{0}{instance}\u{0}{item}")
}

/// Longest interface name the kernel takes (IFNAMSIZ - 1).
const IFNAME_MAX: usize = 15;

struct Builder<'n> {
    inst: Instance,
    /// Where the family was decided, and by which keyword.
    family: Option<(Family, Span, &'static str)>,
    seen: Seen,
    notify_first: HashMap<String, Span>,
    /// The first keyword that asks for unicast (vrrp_parser.c sets
    /// VRRP_FLAG_UNICAST_CONFIGURED for these).
    unicast_keyword: Option<&'n Node>,
    vrid: Option<Span>,
    vip_lines: usize,
    version_node: Option<&'n Node>,
    advert_node: Option<&'n Node>,
    auth_node: Option<&'n Node>,
    ttl_node: Option<&'n Node>,
    vmac_node: Option<&'n Node>,
    accept_node: Option<&'n Node>,
    /// The last statement of each keyword, for the end-of-block checks.
    at: HashMap<&'n str, &'n Node>,
}

/// Lowers a `vrrp_instance` block.
pub(super) fn lower(node: &Node, ctx: &mut Ctx, cfg: &mut Config) {
    let Some(name) = block_name(node, ctx) else {
        return;
    };
    let declared = ctx.declare(Kind::Instance, name);
    let Some(children) = ctx.need_block(node) else {
        return;
    };
    let mut b = Builder {
        inst: Instance::new(name.text.clone()),
        family: None,
        seen: Seen::default(),
        notify_first: HashMap::new(),
        unicast_keyword: None,
        vrid: None,
        vip_lines: 0,
        version_node: None,
        advert_node: None,
        auth_node: None,
        ttl_node: None,
        vmac_node: None,
        accept_node: None,
        at: HashMap::new(),
    };
    for child in children {
        b.statement(ctx, child);
    }
    b.finish(ctx, name, &cfg.global);
    if declared {
        ctx.remember(place_key(&name.text, "name"), name.span);
        if let Some(v) = b.vrid {
            ctx.remember(place_key(&name.text, "virtual_router_id"), v);
        }
        cfg.vrrp.instances.push(Box::new(b.inst));
    }
}

impl<'n> Builder<'n> {
    fn statement(&mut self, ctx: &mut Ctx, child: &'n Node) {
        self.at.insert(child.keyword(), child);
        match child.keyword() {
            "use_vmac" => {
                self.seen.check(ctx, child);
                ctx.no_block(child);
                self.vmac_node = Some(child);
                self.inst.use_vmac = Some(vmac(ctx, child));
            }
            "use_vmac_addr" => {
                ctx.bare_flag(child);
                self.inst.use_vmac_addr = true;
            }
            "vmac_xmit_base" => {
                ctx.bare_flag(child);
                self.inst.vmac_xmit_base = true;
            }
            "use_ipvlan" => {
                // vrrp_parser.c: "use_ipvlan already specified".
                if let Some(first) = self.seen.first("use_ipvlan") {
                    ctx.diags
                        .error(child.name.span, "`use_ipvlan` is given twice")
                        .related(first, "first given here");
                    return;
                }
                self.seen.check(ctx, child);
                ctx.no_block(child);
                self.vmac_node = self.vmac_node.or(Some(child));
                let ipvlan = self.ipvlan(ctx, child);
                self.inst.use_ipvlan = Some(ipvlan);
            }
            "unicast_peer" => {
                self.unicast(child);
                self.unicast_peers(ctx, child);
            }
            "unicast_fault_no_peer" => {
                self.unicast(child);
                ctx.bare_flag(child);
                self.inst.unicast_fault_no_peer = true;
            }
            "check_unicast_src" => {
                self.unicast(child);
                ctx.bare_flag(child);
                self.inst.check_unicast_src = true;
            }
            "old_unicast_checksum" => {
                self.unicast(child);
                self.seen.check(ctx, child);
                ctx.no_block(child);
                ctx.at_most(child, 1);
                self.inst.old_unicast_checksum = match child.args.first() {
                    None => Some(OldChecksum::Use),
                    Some(w) => ctx
                        .choice("old_unicast_checksum", w, &["never"])
                        .map(|_| OldChecksum::Never),
                };
            }
            "native_ipv6" => {
                ctx.bare_flag(child);
                // vrrp_parser.c: "Cannot specify native_ipv6 with IPv4 addresses".
                if self.set_family(ctx, Family::V6, &child.name, "native_ipv6") {
                    self.inst.native_ipv6 = true;
                }
                ctx.diags
                    .warning(child.name.span, "`native_ipv6` is deprecated")
                    .help("the addresses decide the family; IPv6 addresses make an IPv6 instance");
            }
            "state" => {
                ctx.no_block(child);
                let Some(w) = ctx.arg(child, 0, "MASTER or BACKUP") else {
                    return;
                };
                ctx.at_most(child, 1);
                match ctx.choice("state", w, &["MASTER", "BACKUP"]) {
                    Some("MASTER") => self.inst.state = InitialState::Master,
                    // vrrp_parser.c: "state previously set as MASTER - ignoring BACKUP".
                    Some(_) if self.inst.state == InitialState::Master => {
                        let d = ctx
                            .diags
                            .error(w.span, "`state BACKUP` after `state MASTER`");
                        if let Some(f) = self.seen.first("state") {
                            d.related(f, "MASTER set here");
                        }
                    }
                    Some(_) | None => {}
                }
                self.seen.0.entry("state".into()).or_insert(child.name.span);
            }
            "interface" => {
                self.seen.check(ctx, child);
                if let Some(i) = ctx.string(child) {
                    if ifname_ok(ctx, &child.args[0]) {
                        if let Some(v) = self.seen.first("vrf") {
                            vrf_conflict(ctx, child.name.span, v);
                        }
                        self.inst.interface = Some(i);
                    }
                }
            }
            "vrf" => {
                self.seen.check(ctx, child);
                if let Some(v) = ctx.string(child) {
                    if ifname_ok(ctx, &child.args[0]) {
                        // vrrp_parser.c: "Cannot specify VRF interface and interface".
                        if let Some(i) = self.seen.first("interface") {
                            vrf_conflict(ctx, child.name.span, i);
                        }
                        self.inst.vrf = Some(v);
                    }
                }
            }
            "dont_track_primary" => {
                ctx.bare_flag(child);
                self.inst.dont_track_primary = true;
            }
            "track_interface" => track::track_interfaces(
                ctx,
                child,
                Some(&self.inst.name),
                &mut self.inst.track_interfaces,
            ),
            "track_script" => track::track_refs(
                ctx,
                child,
                Kind::VrrpScript,
                (-253, 253),
                Some(&self.inst.name),
                &mut self.inst.track_scripts,
            ),
            "track_file" => track::track_refs(
                ctx,
                child,
                Kind::TrackFile,
                (-254, 254),
                Some(&self.inst.name),
                &mut self.inst.track_files,
            ),
            "track_process" => track::track_refs(
                ctx,
                child,
                Kind::TrackProcess,
                (-254, 254),
                Some(&self.inst.name),
                &mut self.inst.track_processes,
            ),
            "track_bfd" => track::track_refs(
                ctx,
                child,
                Kind::BfdInstance,
                (-253, 253),
                Some(&self.inst.name),
                &mut self.inst.track_bfds,
            ),
            "mcast_src_ip" | "unicast_src_ip" => {
                if child.keyword() == "unicast_src_ip" {
                    self.unicast(child);
                }
                // One setting in keepalived (vrrp->saddr).
                if let Some(first) = self
                    .seen
                    .first("mcast_src_ip")
                    .or(self.seen.first("unicast_src_ip"))
                {
                    ctx.repeated(child, first);
                }
                self.seen.check(ctx, child);
                if let Some(a) = ctx.ip_arg(child) {
                    let kw = if child.keyword() == "mcast_src_ip" {
                        "mcast_src_ip"
                    } else {
                        "unicast_src_ip"
                    };
                    if self.set_family(ctx, Family::of(&a), &child.args[0], kw) {
                        self.inst.src_ip = Some(a);
                    }
                }
            }
            "mcast_dst_ip" => {
                self.seen.check(ctx, child);
                if let Some(a) = ctx.ip_arg(child) {
                    self.mcast_dst(ctx, child, a);
                }
            }
            "track_src_ip" => {
                ctx.bare_flag(child);
                self.inst.track_src_ip = true;
            }
            "virtual_router_id" => {
                self.seen.check(ctx, child);
                if let Some(v) = ctx.number_arg::<u8>(child, 1, 255) {
                    self.inst.virtual_router_id = v;
                }
                // Given, even if invalid: no second "has no virtual_router_id" error.
                self.vrid = Some(child.args.first().map_or(child.name.span, |a| a.span));
            }
            "unicast_ttl" => {
                self.seen.check(ctx, child);
                if let Some(v) = ctx.number_arg::<u8>(child, 0, 255) {
                    self.inst.unicast_ttl = Some(v);
                    self.ttl_node = Some(child);
                }
            }
            "version" => self.version(ctx, child),
            "priority" => {
                self.seen.check(ctx, child);
                if let Some(v) = ctx.number_arg::<u8>(child, 1, 255) {
                    self.inst.priority = v;
                }
            }
            "advert_int" => {
                self.seen.check(ctx, child);
                if let Some(t) = ctx.timer_arg(child, Timer::millis(10), Timer::secs(255)) {
                    self.inst.advert_int = t;
                    self.advert_node = Some(child);
                }
            }
            "virtual_ipaddress" => self.addresses(ctx, child, true),
            "virtual_ipaddress_excluded" => self.addresses(ctx, child, false),
            "promote_secondaries" => {
                ctx.bare_flag(child);
                self.inst.promote_secondaries = true;
            }
            "linkbeat_use_polling" => {
                // keepalived complains that it is deprecated and keeps it; vigil follows
                // link state through netlink only.
                ctx.not_acted_on(
                    child,
                    "deprecated in keepalived; use a linkbeat_interfaces block",
                );
            }
            "virtual_routes" => {
                if let Some(lines) = ctx.need_block(child) {
                    ctx.no_args(child);
                    for l in lines {
                        if let Some(r) = ipaddr::route(l, ctx) {
                            self.inst.virtual_routes.push(r);
                        }
                    }
                }
            }
            "virtual_rules" => {
                if let Some(lines) = ctx.need_block(child) {
                    ctx.no_args(child);
                    for l in lines {
                        if let Some(r) = ipaddr::rule(l, ctx) {
                            self.inst.virtual_rules.push(r);
                        }
                    }
                }
            }
            "accept" | "no_accept" => {
                ctx.bare_flag(child);
                self.inst.accept = Some(child.keyword() == "accept");
                self.accept_node = Some(child);
            }
            "skip_check_adv_addr" => {
                self.seen.check(ctx, child);
                if let Some(v) = ctx.flag(child) {
                    self.inst.skip_check_adv_addr = Some(v);
                }
            }
            "strict_mode" => {
                self.seen.check(ctx, child);
                if let Some(v) = ctx.flag(child) {
                    self.inst.strict_mode = Some(v);
                }
            }
            "preempt" | "nopreempt" => {
                ctx.bare_flag(child);
                self.inst.nopreempt = child.keyword() == "nopreempt";
            }
            "preempt_delay" => {
                self.seen.check(ctx, child);
                if let Some(t) = ctx.timer_arg(child, Timer(0), Timer::secs(1000)) {
                    self.inst.preempt_delay = t;
                }
            }
            "debug" => {
                if ctx.number_arg::<u8>(child, 0, 4).is_some() {
                    ctx.not_acted_on(child, "keepalived does not implement it either");
                }
            }
            "notify_master" => set_notify(
                ctx,
                child,
                &mut self.inst.notify.master,
                &mut self.notify_first,
            ),
            "notify_backup" => set_notify(
                ctx,
                child,
                &mut self.inst.notify.backup,
                &mut self.notify_first,
            ),
            "notify_fault" => set_notify(
                ctx,
                child,
                &mut self.inst.notify.fault,
                &mut self.notify_first,
            ),
            "notify_stop" => set_notify(
                ctx,
                child,
                &mut self.inst.notify.stop,
                &mut self.notify_first,
            ),
            "notify" => set_notify(
                ctx,
                child,
                &mut self.inst.notify.any,
                &mut self.notify_first,
            ),
            "notify_master_rx_lower_pri" => set_notify(
                ctx,
                child,
                &mut self.inst.notify_master_rx_lower_pri,
                &mut self.notify_first,
            ),
            "notify_deleted" => {
                if let Some(f) = self.notify_first.get("notify_deleted") {
                    ctx.diags
                        .error(child.name.span, "`notify_deleted` is given twice")
                        .related(*f, "first given here");
                    return;
                }
                self.notify_first
                    .insert("notify_deleted".into(), child.name.span);
                self.inst.notify_deleted = true;
                if !child.args.is_empty() {
                    self.inst.notify_deleted_script = super::notify_script(ctx, child);
                } else {
                    ctx.no_block(child);
                }
            }
            "smtp_alert" => {
                self.seen.check(ctx, child);
                if let Some(v) = ctx.flag(child) {
                    self.inst.smtp_alert = Some(v);
                }
            }
            "notify_priority_changes" => {
                self.seen.check(ctx, child);
                if let Some(v) = ctx.flag(child) {
                    self.inst.notify_priority_changes = Some(v);
                }
            }
            "lvs_sync_daemon_interface" => {
                ctx.not_acted_on(
                    child,
                    "deprecated since keepalived 1.2.19; use `lvs_sync_daemon` in global_defs",
                );
            }
            "garp_master_delay" => {
                self.seen.check(ctx, child);
                if let Some(s) = ctx.number_arg::<u64>(child, 0, u32::MAX as u64 / 1_000_000) {
                    self.inst.garp_master_delay = Some(Timer::secs(s));
                }
            }
            "garp_master_refresh" => {
                self.seen.check(ctx, child);
                if let Some(s) = ctx.number_arg::<u64>(child, 0, u32::MAX as u64) {
                    self.inst.garp_master_refresh = Some(Timer::secs(s));
                }
            }
            "garp_master_repeat" => {
                self.seen.check(ctx, child);
                // keepalived: "garp_master_repeat must be greater than 0, setting to 1".
                if let Some(n) = ctx.number_arg::<u32>(child, 1, u32::MAX) {
                    self.inst.garp_master_repeat = Some(n);
                }
            }
            "garp_master_refresh_repeat" => {
                self.seen.check(ctx, child);
                if let Some(n) = ctx.number_arg::<u32>(child, 1, u32::MAX) {
                    self.inst.garp_master_refresh_repeat = Some(n);
                }
            }
            "garp_lower_prio_delay" => {
                self.seen.check(ctx, child);
                if let Some(s) = ctx.number_arg::<u64>(child, 0, u32::MAX as u64 / 1_000_000) {
                    self.inst.garp_lower_prio_delay = Some(Timer::secs(s));
                }
            }
            "garp_lower_prio_repeat" => {
                self.seen.check(ctx, child);
                if let Some(n) = ctx.number_arg::<u32>(child, 0, i32::MAX as u32) {
                    self.inst.garp_lower_prio_repeat = Some(n);
                }
            }
            "down_timer_adverts" => {
                self.seen.check(ctx, child);
                if let Some(n) = ctx.number_arg::<u8>(child, 1, 100) {
                    self.inst.down_timer_adverts = n;
                }
            }
            "garp_extra_if" | "vmac_garp_intvl" => {
                if child.keyword() == "vmac_garp_intvl" {
                    ctx.diags
                        .warning(child.name.span, "`vmac_garp_intvl` is deprecated")
                        .help("write `garp_extra_if`, its current name");
                }
                if let Some(first) = self
                    .seen
                    .first("garp_extra_if")
                    .or(self.seen.first("vmac_garp_intvl"))
                {
                    ctx.repeated(child, first);
                }
                self.seen
                    .0
                    .entry(child.keyword().into())
                    .or_insert(child.name.span);
                if let Some(g) = garp_extra_if(ctx, child) {
                    self.inst.garp_extra_if = Some(g);
                }
            }
            "lower_prio_no_advert" => {
                self.seen.check(ctx, child);
                if let Some(v) = ctx.flag(child) {
                    self.inst.lower_prio_no_advert = Some(v);
                }
            }
            "higher_prio_send_advert" => {
                self.seen.check(ctx, child);
                if let Some(v) = ctx.flag(child) {
                    self.inst.higher_prio_send_advert = Some(v);
                }
            }
            "kernel_rx_buf_size" => {
                self.seen.check(ctx, child);
                if let Some(n) = ctx.number_arg::<u32>(child, 0, u32::MAX) {
                    self.inst.kernel_rx_buf_size = Some(n);
                }
            }
            "authentication" => {
                self.seen.check(ctx, child);
                self.auth_node = Some(child);
                self.inst.authentication = authentication(ctx, child);
            }
            _ => ctx.unknown(child, "vrrp_instance", KEYWORDS),
        }
    }

    /// Notes a keyword that asks for unicast.
    fn unicast(&mut self, node: &'n Node) {
        if self.unicast_keyword.is_none() {
            self.unicast_keyword = Some(node);
        }
    }

    /// keepalived fixes the family with the first address it reads (VIP, source,
    /// peer, multicast group, ipvlan address) and refuses the others' mismatches.
    /// Returns false (after an error) on a mismatch.
    fn set_family(&mut self, ctx: &mut Ctx, fam: Family, word: &Word, kw: &'static str) -> bool {
        match self.family {
            None => {
                self.family = Some((fam, word.span, kw));
                self.inst.family = fam;
                true
            }
            Some((f, _, _)) if f == fam => true,
            Some((f, span, by)) => {
                ctx.diags
                    .error(
                        word.span,
                        format!(
                            "`{kw}`: `{}` is {}, but vrrp_instance `{}` is {} (decided by `{by}`)",
                            word.text,
                            fam.name(),
                            self.inst.name,
                            f.name()
                        ),
                    )
                    .related(span, "the family was decided here")
                    .help("an instance is IPv4 or IPv6; use virtual_ipaddress_excluded for addresses of the other family, or a second instance");
                false
            }
        }
    }

    fn unicast_peers(&mut self, ctx: &mut Ctx, node: &Node) {
        let Some(lines) = ctx.need_block(node) else {
            return;
        };
        ctx.no_args(node);
        for line in lines {
            if let Some(b) = &line.block {
                ctx.diags.error(b.open, "a block is not expected here");
            }
            let Some(addr) = ctx.ip("unicast_peer", &line.name) else {
                continue;
            };
            if !self.set_family(ctx, Family::of(&addr), &line.name, "unicast_peer") {
                continue;
            }
            let mut peer = UnicastPeer {
                address: addr,
                min_ttl: 0,
                max_ttl: 255,
            };
            let mut ok = true;
            let mut args = line.args.iter();
            while let Some(opt) = args.next() {
                let is_min = match opt.text.as_str() {
                    "min_ttl" => true,
                    "max_ttl" => false,
                    _ => {
                        ctx.diags.error(
                            opt.span,
                            format!(
                                "unknown unicast_peer option `{}`; expected min_ttl or max_ttl",
                                opt.text
                            ),
                        );
                        ok = false;
                        break;
                    }
                };
                let Some(v) = args.next() else {
                    ctx.diags
                        .error(opt.span, format!("`{}` needs a value", opt.text));
                    ok = false;
                    break;
                };
                match ctx.number::<u8>(&opt.text, v, 0, 255) {
                    Some(n) if is_min => peer.min_ttl = n,
                    Some(n) => peer.max_ttl = n,
                    None => ok = false,
                }
                // vrrp_data.c: a TTL limit turns on check_unicast_src.
                self.inst.check_unicast_src = true;
            }
            if peer.min_ttl > peer.max_ttl {
                ctx.diags.error(
                    line.span(),
                    format!(
                        "min_ttl {} is greater than max_ttl {}: every advert would be dropped",
                        peer.min_ttl, peer.max_ttl
                    ),
                );
                ok = false;
            }
            if ok {
                self.inst.unicast_peers.push(peer);
            }
        }
    }

    fn mcast_dst(&mut self, ctx: &mut Ctx, node: &Node, a: IpAddr) {
        let w = &node.args[0];
        let ok = match a {
            IpAddr::V4(v4) => v4.is_multicast(),
            // IN6_IS_ADDR_MC_LINKLOCAL: ffX2::/16.
            IpAddr::V6(v6) => v6.segments()[0] & 0xff0f == 0xff02,
        };
        if !ok {
            let what = if a.is_ipv4() {
                "a multicast address"
            } else {
                "a link-local multicast address (ffX2::)"
            };
            ctx.diags.error(
                w.span,
                format!("`mcast_dst_ip`: `{}` is not {what}", w.text),
            );
            return;
        }
        if self.set_family(ctx, Family::of(&a), w, "mcast_dst_ip") {
            self.inst.mcast_dst_ip = Some(a);
        }
    }

    fn version(&mut self, ctx: &mut Ctx, node: &'n Node) {
        let Some(v) = ctx.number_arg::<u8>(node, 2, 3) else {
            return;
        };
        // vrrp_parser.c: "vrrp_version %d conflicts with configured or deduced version".
        let conflict = match (self.inst.version, self.family) {
            (Some(old), _) if old != v => Some(format!("`version {v}` after `version {old}`")),
            (_, Some((Family::V6, _, _))) if v == 2 => {
                Some("`version 2` for an IPv6 instance (IPv6 needs VRRPv3)".to_string())
            }
            _ => None,
        };
        if let Some(msg) = conflict {
            let d = ctx.diags.error(node.args[0].span, msg);
            if let Some(prev) = self.version_node {
                d.related(prev.name.span, "version given here");
            } else if let Some((_, span, _)) = self.family {
                d.related(span, "the family was decided here");
            }
            return;
        }
        self.inst.version = Some(v);
        self.version_node = Some(node);
    }

    fn addresses(&mut self, ctx: &mut Ctx, node: &Node, vip: bool) {
        let Some(lines) = ctx.need_block(node) else {
            return;
        };
        ctx.no_args(node);
        for line in lines {
            if vip {
                self.vip_lines += 1;
                // vrrp_data.c `alloc_vrrp_vip`: "address family must match VRRP instance".
                let text = line.name.text.split('/').next().unwrap_or("");
                if let Ok(a) = text.parse::<IpAddr>() {
                    if !self.set_family(ctx, Family::of(&a), &line.name, "virtual_ipaddress") {
                        continue;
                    }
                }
            }
            if let Some(a) = ipaddr::address(line, ctx) {
                if vip {
                    self.inst.virtual_ipaddresses.push(a);
                } else {
                    self.inst.virtual_ipaddresses_excluded.push(a);
                }
            }
        }
    }

    /// `use_ipvlan [NAME] [ADDRESS[/PREFIX]] [bridge|private|vepa]`.
    fn ipvlan(&mut self, ctx: &mut Ctx, node: &Node) -> Ipvlan {
        let mut ipv = Ipvlan::default();
        let mut mode_seen = false;
        for w in &node.args {
            let mode = match w.text.as_str() {
                "bridge" => Some(IpvlanMode::Bridge),
                "private" => Some(IpvlanMode::Private),
                "vepa" => Some(IpvlanMode::Vepa),
                _ => None,
            };
            if let Some(m) = mode {
                if mode_seen {
                    ctx.diags.error(
                        w.span,
                        format!("ipvlan mode given twice; `{}` refused", w.text),
                    );
                } else {
                    ipv.mode = m;
                    mode_seen = true;
                }
                continue;
            }
            if let Some((addr, prefix)) = addr_prefix(&w.text) {
                if ipv.address.is_some() {
                    ctx.diags.error(
                        w.span,
                        format!("ipvlan address given twice; `{}` refused", w.text),
                    );
                    continue;
                }
                let max = if addr.is_ipv4() { 32 } else { 128 };
                if prefix.is_some_and(|p| p > max) {
                    ctx.diags.error(
                        w.span,
                        format!("`use_ipvlan`: bad prefix length in `{}`", w.text),
                    );
                    continue;
                }
                if self.set_family(ctx, Family::of(&addr), w, "use_ipvlan") {
                    ipv.address = Some(addr);
                    ipv.prefix = prefix;
                }
                continue;
            }
            if ipv.name.is_some() {
                ctx.diags.error(
                    w.span,
                    format!("ipvlan interface name given twice; `{}` refused", w.text),
                );
                continue;
            }
            if ifname_ok(ctx, w) {
                ipv.name = Some(w.text.clone());
            }
        }
        ipv
    }

    /// The checks keepalived makes at the end of the block (vrrp_parser.c
    /// `vrrp_end_handler`) and when completing the instance (vrrp.c).
    fn finish(&mut self, ctx: &mut Ctx, name: &Word, global: &GlobalDefs) {
        // The effective version and strictness: the instance's own, else the global
        // `vrrp_version` / `vrrp_strict` (IPv6 is always version 3). keepalived applies
        // them when it completes an instance; vigil sees the global_defs read so far,
        // which is all of it whenever global_defs comes first, as it does in practice.
        let version = match (self.inst.version, self.inst.family) {
            (Some(v), _) => v,
            (None, Family::V6) => 3,
            (None, _) => global.vrrp_version,
        };
        let strict = self.inst.strict_mode.unwrap_or(global.vrrp_strict);
        let inst = &mut self.inst;
        if inst.state == InitialState::Master && !self.at.contains_key("priority") {
            // vrrp.c: `state MASTER` without a priority makes the address owner
            // (`keepalived -d` shows "Priority = 255").
            inst.priority = 255;
        }
        if self.vrid.is_none() {
            // vrrp.c: "the virtual router id must be set".
            ctx.diags.error(
                name.span,
                format!("vrrp_instance `{}` has no `virtual_router_id`", inst.name),
            );
        }
        if inst.interface.is_none() && inst.vrf.is_none() {
            // vrrp.c: "(%s) Unknown interface!" — keepalived 2.2.7 refuses an instance
            // without `interface`, unicast ones included (observed with keepalived -t).
            ctx.diags
                .error(
                    name.span,
                    format!("vrrp_instance `{}` has no `interface`", inst.name),
                )
                .help("add `interface NAME`; keepalived refuses it too (\"Unknown interface!\")");
        }
        if self.vip_lines == 0 {
            // vrrp.c: "No VIP specified; at least one is sensible".
            ctx.diags
                .error(
                    name.span,
                    format!("vrrp_instance `{}` has no virtual_ipaddress", inst.name),
                )
                .help("keepalived refuses an instance without VIPs too; add a virtual_ipaddress block");
        }
        if inst.family == Family::V6 && inst.version == Some(2) {
            // vrrp.c: "cannot use IPv6 with VRRP version 2; setting version 3".
            if let Some(v) = self.version_node {
                ctx.diags.warning(
                    v.args[0].span,
                    "IPv6 instances use VRRP version 3; `version 2` is ignored",
                );
            }
            inst.version = Some(3);
        }
        if let (Some(a), Some(auth)) = (self.auth_node, &inst.authentication) {
            if inst.family == Family::V6 || version == 3 {
                // vrrp.c: "VRRP version 3 does not support authentication. Ignoring."
                ctx.diags
                    .error(a.name.span, "VRRP version 3 has no authentication")
                    .help(if inst.family == Family::V6 {
                        "this instance is IPv6, which always runs VRRPv3; remove the authentication block"
                    } else {
                        "remove the authentication block or use version 2"
                    });
            } else if auth.auth_type == AuthType::Ah
                && inst.state == InitialState::Master
                && inst.priority != 255
            {
                // vrrp.c: "Initial state master is incompatible with AH authentication
                // - clearing" (not for the address owner).
                ctx.diags
                    .error(
                        a.name.span,
                        "with AH authentication only the address owner (priority 255) may start as MASTER",
                    )
                    .help("use `state BACKUP`; keepalived clears `state MASTER` and complains");
            }
        }
        if version == 2 && !inst.advert_int.micros().is_multiple_of(1_000_000) {
            if let Some(n) = self.advert_node {
                // vrrp.c: "VRRPv2 advertisement interval %s must be an integer. rounding".
                ctx.diags
                    .error(
                        n.args[0].span,
                        format!("with VRRP version 2 `advert_int` must be whole seconds, not {}", inst.advert_int),
                    )
                    .help("VRRPv2 adverts carry the interval in whole seconds; use version 3 for sub-second intervals");
            }
        }
        if version == 2 && strict && inst.accept == Some(true) {
            if let Some(n) = self.accept_node {
                // vrrp.c: "accept mode for VRRP version 2 does not comply with RFC3768".
                ctx.diags.error(
                    n.name.span,
                    "`accept` with VRRP version 2 is not allowed in strict mode (RFC 3768 has no accept mode)",
                );
            }
        }
        if let Some(u) = self.unicast_keyword {
            if inst.unicast_peers.is_empty() && !inst.unicast_fault_no_peer {
                // vrrp.c: "A unicast keyword has been specified without any unicast
                // peers. Defaulting to multicast."
                ctx.diags
                    .error(
                        u.name.span,
                        format!("`{}` asks for unicast, but there is no unicast peer", u.keyword()),
                    )
                    .help("add a unicast_peer block, or `unicast_fault_no_peer` to stay in FAULT without peers");
            }
        }
        if let Some(t) = self.ttl_node {
            if inst.unicast_peers.is_empty() {
                // vrrp_parser.c: "Cannot use unicast_ttl without unicast peers".
                ctx.diags
                    .error(t.name.span, "`unicast_ttl` needs unicast peers");
            }
        }
        self.preemption_checks(ctx);
        self.combination_checks(ctx);
        if strict {
            self.strict_checks(ctx);
        }
        if version == 3 && self.inst.advert_int > Timer(40_950_000) {
            // vrrp.c: "VRRPv3 advertisement interval %fs out of range. Must be less
            // than 40.96s" (12 bits of centiseconds, RFC 5798 §5.2.7).
            if let Some(n) = self.advert_node {
                ctx.diags.error(
                    n.args[0].span,
                    format!(
                        "with VRRP version 3 `advert_int` must be at most 40.95 seconds, not {}",
                        self.inst.advert_int
                    ),
                );
            }
        }
        let inst = &mut self.inst;
        if let Some(v) = self.vmac_node {
            if self.unicast_keyword.is_some()
                && inst.unicast_peers.len() + usize::from(inst.unicast_fault_no_peer) > 0
            {
                if inst.interface.is_none() {
                    // vrrp_parser.c: "Cannot use VMAC/ipvlan with unicast and no interface".
                    ctx.diags.error(
                        v.name.span,
                        format!("`{}` with unicast needs an `interface`", v.keyword()),
                    );
                } else if inst.use_vmac.is_none() {
                    // keepalived 2.2.7 asks for vmac_xmit_base with unicast ("unicast
                    // with use_vmac requires vmac_xmit_base - setting") and then refuses
                    // it without a VMAC ("vmac_xmit_base is only valid with a vmac").
                    ctx.diags
                        .error(v.name.span, "`use_ipvlan` cannot be used with unicast peers")
                        .help("keepalived 2.2.7 complains about this combination whatever else is set");
                } else if !inst.vmac_xmit_base {
                    // vrrp_parser.c: "unicast with use_vmac requires vmac_xmit_base - setting".
                    ctx.diags
                        .error(
                            v.name.span,
                            "`use_vmac` with unicast peers needs `vmac_xmit_base`",
                        )
                        .help("add `vmac_xmit_base` (keepalived sets it and complains)");
                }
            }
            if let Some(Vmac { name: Some(n), .. }) = &inst.use_vmac {
                claim_vmac_name(ctx, n, v, &inst.name);
            }
            if let Some(Ipvlan { name: Some(n), .. }) = &inst.use_ipvlan {
                claim_vmac_name(ctx, n, v, &inst.name);
            }
        }
    }
}

impl<'n> Builder<'n> {
    /// An error at the keyword of the last `kw` statement, if there is one.
    fn complain(&self, ctx: &mut Ctx, kw: &str, msg: String, help: &str) {
        if let Some(n) = self.at.get(kw) {
            let d = ctx.diags.error(n.name.span, msg);
            if !help.is_empty() {
                d.help(help.to_string());
            }
        }
    }

    /// vrrp.c, `vrrp_complete_instance`: preemption settings that cannot work.
    fn preemption_checks(&self, ctx: &mut Ctx) {
        let i = &self.inst;
        if i.nopreempt && self.at.contains_key("nopreempt") {
            if i.priority == 255 {
                // "nopreempt is incompatible with priority 255. resetting nopreempt".
                self.complain(
                    ctx,
                    "nopreempt",
                    "`nopreempt` cannot be used with priority 255 (the address owner always preempts)".into(),
                    "",
                );
            } else if i.state == InitialState::Master {
                // "Warning - nopreempt will not work with initial state MASTER - clearing".
                self.complain(
                    ctx,
                    "nopreempt",
                    "`nopreempt` does not work with `state MASTER`".into(),
                    "use `state BACKUP` on every router with nopreempt",
                );
            }
        }
        if i.preempt_delay != Timer(0) {
            if i.state == InitialState::Master {
                // "Warning - preempt delay will not work with initial state MASTER - clearing".
                self.complain(
                    ctx,
                    "preempt_delay",
                    "`preempt_delay` does not work with `state MASTER`".into(),
                    "use `state BACKUP`",
                );
            } else if i.nopreempt {
                // "preempt_delay is incompatible with nopreempt mode - resetting".
                self.complain(
                    ctx,
                    "preempt_delay",
                    "`preempt_delay` cannot be used with `nopreempt`".into(),
                    "",
                );
            }
        }
    }

    /// vrrp.c, `vrrp_complete_instance`: other settings that keepalived refuses
    /// together.
    fn combination_checks(&self, ctx: &mut Ctx) {
        let i = &self.inst;
        if i.promote_secondaries && i.use_vmac.is_some() {
            // "promote_secondaries is automatically set for vmacs - ignoring".
            self.complain(
                ctx,
                "promote_secondaries",
                "`promote_secondaries` is implied by `use_vmac`".into(),
                "remove it; keepalived sets it on VMACs and complains about it",
            );
        }
        if i.vmac_xmit_base && i.use_vmac.is_none() {
            // "vmac_xmit_base is only valid with a vmac" (an ipvlan does not count).
            self.complain(
                ctx,
                "vmac_xmit_base",
                "`vmac_xmit_base` needs `use_vmac`".into(),
                "",
            );
        }
        if let Some(v) = &i.use_ipvlan {
            if i.family == Family::V4 && v.address.is_none() && i.src_ip.is_none() {
                // vrrp.c: "IPv4 ipvlan requires a source ip address to be configured.
                // setting instance to fault state".
                self.complain(
                    ctx,
                    "use_ipvlan",
                    "`use_ipvlan` on an IPv4 instance needs an address".into(),
                    "give the ipvlan address: `use_ipvlan NAME 192.0.2.5/24`",
                );
            }
        }
        if i.mcast_dst_ip.is_some() && i.is_unicast() {
            // "multicast destination specified with unicast - ignoring".
            self.complain(
                ctx,
                "mcast_dst_ip",
                "`mcast_dst_ip` cannot be used with unicast peers".into(),
                "",
            );
        }
        if !i.advert_int.micros().is_multiple_of(10_000) {
            // "VRRPv3 advertisement interval %fs must be in units of 10ms - rounding"
            // (and VRRPv2 needs whole seconds).
            if let Some(n) = self.advert_node {
                ctx.diags.error(
                    n.args[0].span,
                    format!(
                        "`advert_int` must be a multiple of 0.01 seconds, not {}",
                        i.advert_int
                    ),
                );
            }
        }
        if let (Some(own), Some(t)) = (&i.interface, self.at.get("track_interface")) {
            // "Ignoring track_interface %s since own interface".
            for line in t.children() {
                if &line.name.text == own {
                    ctx.diags
                        .error(
                            line.name.span,
                            format!("`track_interface` names `{own}`, the instance's own interface"),
                        )
                        .help("the own interface is always tracked (unless dont_track_primary); remove it");
                }
            }
        }
    }

    /// vrrp.c, `vrrp_complete_instance` with strict mode (RFC conformance).
    fn strict_checks(&self, ctx: &mut Ctx) {
        let i = &self.inst;
        let help = "strict mode follows RFC 5798/3768 to the letter";
        if i.authentication.is_some() {
            // "Strict mode does not support authentication. Ignoring."
            self.complain(
                ctx,
                "authentication",
                "authentication is not allowed in strict mode".into(),
                help,
            );
        }
        if matches!(&i.use_vmac, Some(Vmac { mac: Some(_), .. })) {
            // "cannot specify MAC address with strict mode - clearing".
            self.complain(
                ctx,
                "use_vmac",
                "a VMAC address is not allowed in strict mode".into(),
                help,
            );
        }
        if i.preempt_delay != Timer(0) {
            // "preempt_delay is incompatible with strict mode - resetting".
            self.complain(
                ctx,
                "preempt_delay",
                "`preempt_delay` is not allowed in strict mode".into(),
                help,
            );
        }
        if i.down_timer_adverts != 3 {
            // "down_timer_adverts is incompatible with strict mode - resetting".
            self.complain(
                ctx,
                "down_timer_adverts",
                "`down_timer_adverts` is not allowed in strict mode".into(),
                help,
            );
        }
        if i.vmac_xmit_base {
            // "xmit_base is incompatible with strict mode - resetting".
            self.complain(
                ctx,
                "vmac_xmit_base",
                "`vmac_xmit_base` is not allowed in strict mode".into(),
                help,
            );
        }
        if i.lower_prio_no_advert == Some(false) {
            // "Strict mode requires no lower priority advert. resetting".
            self.complain(
                ctx,
                "lower_prio_no_advert",
                "strict mode needs `lower_prio_no_advert` on".into(),
                help,
            );
        }
        if i.higher_prio_send_advert == Some(true) {
            // "strict mode requires higher_prio_send_advert to be clear. resetting".
            self.complain(
                ctx,
                "higher_prio_send_advert",
                "strict mode needs `higher_prio_send_advert` off".into(),
                help,
            );
        }
    }
}

/// Two instances cannot create the same VMAC/ipvlan interface (vrrp_parser.c: "VRRP
/// instance %s is already using %s - ignoring name").
fn claim_vmac_name(ctx: &mut Ctx, ifname: &str, node: &Node, instance: &str) {
    let key = format!("vrrp-vmac-name\u{0}{ifname}");
    if let Some(first) = ctx.place(&key) {
        if first != node.name.span {
            ctx.diags
                .error(
                    node.name.span,
                    format!("vrrp_instance `{instance}`: interface name `{ifname}` is already used by another instance"),
                )
                .related(first, "first used here");
        }
        return;
    }
    ctx.remember(key, node.name.span);
}

fn vrf_conflict(ctx: &mut Ctx, second: Span, first: Span) {
    ctx.diags
        .error(second, "`vrf` and `interface` cannot both be given")
        .related(first, "the other is here")
        .help("`vrf` is for unicast instances without an interface");
}

/// An interface name the kernel accepts (vrrp_parser.c `dev_name_valid`).
fn ifname_ok(ctx: &mut Ctx, w: &Word) -> bool {
    let n = &w.text;
    let bad = n.is_empty()
        || n.len() > IFNAME_MAX
        || n == "."
        || n == ".."
        || n.chars().any(|c| c == '/' || c == ':' || c.is_whitespace());
    if bad {
        ctx.diags.error(
            w.span,
            format!("`{n}` is not a valid interface name (at most {IFNAME_MAX} characters, no `/`, `:` or spaces)"),
        );
    }
    !bad
}

/// `ADDRESS[/PREFIX]`.
fn addr_prefix(s: &str) -> Option<(IpAddr, Option<u8>)> {
    match s.split_once('/') {
        Some((a, p)) => Some((a.parse().ok()?, Some(p.parse().ok()?))),
        None => Some((s.parse().ok()?, None)),
    }
}

/// `use_vmac [NAME] [MAC]` (a word with `:` is the MAC, since interface names cannot
/// hold one).
fn vmac(ctx: &mut Ctx, node: &Node) -> Vmac {
    let mut v = Vmac::default();
    for w in &node.args {
        if w.text.contains(':') {
            if v.mac.is_some() {
                ctx.diags.error(w.span, "the VMAC address is given twice");
                continue;
            }
            v.mac = parse_vmac(ctx, w);
            continue;
        }
        if v.name.is_some() {
            ctx.diags
                .error(w.span, "the VMAC interface name is given twice");
            continue;
        }
        if ifname_ok(ctx, w) {
            v.name = Some(w.text.clone());
        }
    }
    v
}

fn parse_vmac(ctx: &mut Ctx, w: &Word) -> Option<VmacAddress> {
    let text = w.text.strip_suffix(':').unwrap_or(&w.text);
    let octets: Option<Vec<u8>> = text
        .split(':')
        .map(|p| {
            if p.is_empty() || p.len() > 2 {
                None
            } else {
                u8::from_str_radix(p, 16).ok()
            }
        })
        .collect();
    let mac = match octets.as_deref() {
        Some(&[a, b, c, d, e, f]) => VmacAddress::Full([a, b, c, d, e, f]),
        Some(&[a, b, c, d, e]) => VmacAddress::Prefix([a, b, c, d, e]),
        _ => {
            ctx.diags.error(
                w.span,
                format!(
                    "`use_vmac`: `{}` is not a MAC address (5 or 6 hex octets)",
                    w.text
                ),
            );
            return None;
        }
    };
    let first5 = match mac {
        VmacAddress::Full([a, b, c, d, e, _]) | VmacAddress::Prefix([a, b, c, d, e]) => {
            [a, b, c, d, e]
        }
    };
    if first5[0] & 1 == 1 {
        ctx.diags.error(
            w.span,
            format!("`use_vmac`: `{}` is a multicast MAC address", w.text),
        );
        return None;
    }
    if first5[..4] == [0x00, 0x00, 0x5e, 0x00] && (first5[4] == 1 || first5[4] == 2) {
        ctx.diags
            .error(
                w.span,
                format!(
                    "`use_vmac`: `{}` is an RFC 5798 virtual router MAC address",
                    w.text
                ),
            )
            .help("leave the MAC out to use the RFC 5798 address");
        return None;
    }
    Some(mac)
}

/// `garp_extra_if [all] SECONDS`.
fn garp_extra_if(ctx: &mut Ctx, node: &Node) -> Option<GarpExtraIf> {
    ctx.no_block(node);
    let mut all = false;
    let mut interval = None;
    for w in &node.args {
        if w.text == "all" {
            all = true;
        } else {
            interval = Some(ctx.number::<u64>(node.keyword(), w, 0, 86400)?);
        }
    }
    let Some(secs) = interval else {
        ctx.diags.error(
            node.span(),
            format!("`{}` needs an interval in seconds", node.keyword()),
        );
        return None;
    };
    Some(GarpExtraIf {
        all,
        interval: Timer::secs(secs),
    })
}

/// `authentication { auth_type PASS|AH; auth_pass PASSWORD }`.
fn authentication(ctx: &mut Ctx, node: &Node) -> Option<Authentication> {
    let children = ctx.need_block(node)?;
    ctx.no_args(node);
    let mut auth_type = None;
    let mut password = String::new();
    let mut pass_node = None;
    let mut seen = Seen::default();
    for child in children {
        match child.keyword() {
            "auth_type" => {
                seen.check(ctx, child);
                ctx.no_block(child);
                if let Some(w) = ctx.arg(child, 0, "PASS or AH") {
                    auth_type = match ctx.choice("auth_type", w, &["PASS", "AH"]) {
                        Some("PASS") => Some(AuthType::Pass),
                        Some(_) => Some(AuthType::Ah),
                        None => auth_type,
                    };
                }
                ctx.at_most(child, 1);
            }
            "auth_pass" => {
                seen.check(ctx, child);
                pass_node = Some(child);
                if let Some(p) = ctx.string(child) {
                    // vrrp_parser.c: "Truncating auth_pass to 8 characters".
                    if p.len() > 8 {
                        ctx.diags
                            .error(
                                child.args[0].span,
                                "`auth_pass` is longer than 8 characters",
                            )
                            .help("keepalived uses only the first 8 characters and complains");
                    } else {
                        password = p;
                    }
                }
            }
            _ => ctx.unknown(child, "authentication", &["auth_type", "auth_pass"]),
        }
    }
    match auth_type {
        Some(_) if pass_node.is_none() => {
            // vrrp.c: "Authentication specified but no password given. Ignoring".
            ctx.diags.error(
                node.name.span,
                "`authentication` has `auth_type` but no `auth_pass`",
            );
            None
        }
        Some(t) => Some(Authentication {
            auth_type: t,
            password,
        }),
        None => {
            if let Some(p) = pass_node {
                ctx.diags.warning(
                    p.name.span,
                    "`auth_pass` without `auth_type`: no authentication is used",
                );
            }
            None
        }
    }
}
