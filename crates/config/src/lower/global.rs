//! GLOBAL CONFIGURATION (keepalived.conf(5)): `global_defs`, the top-level global
//! keywords, `linkbeat_interfaces`, `track_group` and the static address, route and
//! rule blocks. Ranges and defaults follow keepalived 2.2.7 (`global_parser.c`, checked
//! against `keepalived -t`).

use crate::lower::ctx::{Ctx, Kind};
use crate::lower::ipaddr::{self, parse_base0, parse_dec};
use crate::model::common::{Script, Timer};
use crate::model::global::{
    DynamicInterfaces, Fifo, FlushOnStop, GarpExtraIf, GlobalDefs, IncludeCheck, IpvsNamespace,
    LinkbeatInterface, LinkbeatMethod, LvsSyncDaemon, LvsTimeouts, ProcessTuning, RcvBuf,
    ReloadFile, RxBufsPolicy, ScriptUser, SmtpHost, SmtpServer, TrackGroup,
};
use crate::model::Config;
use crate::tree::Node;
use std::net::IpAddr;

/// Top-level keywords this module handles.
pub const TOP_KEYWORDS: &[&str] = &[
    "global_defs",
    "net_namespace",
    "net_namespace_ipvs",
    "namespace_with_ipsets",
    "instance",
    "use_pid_dir",
    "linkbeat_use_polling",
    "child_wait_time",
    "linkbeat_interfaces",
    "track_group",
    "static_ipaddress",
    "static_routes",
    "static_rules",
];

/// Keywords of `global_defs` (keepalived 2.2.7's, and vigil's `vrrp_user`,
/// `checker_user`, `control_socket`).
pub const GLOBAL_DEFS_KEYWORDS: &[&str] = &[
    "tmp_config_directory",
    "config_save_dir",
    "process_names",
    "process_name",
    "vrrp_process_name",
    "checker_process_name",
    "lvs_process_name",
    "bfd_process_name",
    "startup_script",
    "startup_script_timeout",
    "shutdown_script",
    "shutdown_script_timeout",
    "notification_email",
    "notification_email_from",
    "smtp_server",
    "smtp_helo_name",
    "smtp_connect_timeout",
    "smtp_alert",
    "smtp_alert_vrrp",
    "smtp_alert_checker",
    "checker_log_all_failures",
    "no_email_faults",
    "router_id",
    "vrrp_mcast_group4",
    "vrrp_mcast_group6",
    "default_interface",
    "lvs_sync_daemon",
    "lvs_timeouts",
    "lvs_flush",
    "lvs_flush_on_stop",
    "lvs_flush_onstop",
    "vrrp_garp_master_delay",
    "vrrp_garp_master_repeat",
    "vrrp_garp_lower_prio_delay",
    "vrrp_down_timer_adverts",
    "vrrp_garp_lower_prio_repeat",
    "vrrp_garp_master_refresh",
    "vrrp_garp_master_refresh_repeat",
    "vrrp_garp_interval",
    "vrrp_gna_interval",
    "vrrp_min_garp",
    "vrrp_garp_extra_if",
    "vrrp_vmac_garp_intvl",
    "vrrp_lower_prio_no_advert",
    "vrrp_higher_prio_send_advert",
    "vrrp_version",
    "nftables",
    "nftables_priority",
    "nftables_counters",
    "nftables_ifindex",
    "nftables_ipvs",
    "nftables_ipvs_priority",
    "nftables_ipvs_start_fwmark",
    "vrrp_iptables",
    "vrrp_ipsets",
    "disable_local_igmp",
    "vrrp_check_unicast_src",
    "vrrp_skip_check_adv_addr",
    "vrrp_strict",
    "vrrp_notify_priority_changes",
    "max_auto_priority",
    "min_auto_priority_delay",
    "vrrp_priority",
    "checker_priority",
    "bfd_priority",
    "vrrp_no_swap",
    "checker_no_swap",
    "bfd_no_swap",
    "vrrp_cpu_affinity",
    "checker_cpu_affinity",
    "bfd_cpu_affinity",
    "vrrp_rt_priority",
    "checker_rt_priority",
    "bfd_rt_priority",
    "vrrp_rlimit_rttime",
    "checker_rlimit_rttime",
    "bfd_rlimit_rttime",
    "vrrp_rlimit_rtime",
    "checker_rlimit_rtime",
    "bfd_rlimit_rtime",
    "snmp_socket",
    "enable_snmp_vrrp",
    "enable_snmp_keepalived",
    "enable_snmp_checker",
    "enable_snmp_rfc",
    "enable_snmp_rfcv2",
    "enable_snmp_rfcv3",
    "enable_traps",
    "enable_dbus",
    "dbus_service_name",
    "script_user",
    "enable_script_security",
    "notify_fifo",
    "notify_fifo_script",
    "vrrp_notify_fifo",
    "vrrp_notify_fifo_script",
    "lvs_notify_fifo",
    "lvs_notify_fifo_script",
    "fifo_write_vrrp_states_on_reload",
    "dynamic_interfaces",
    "vrrp_netlink_cmd_rcv_bufs",
    "vrrp_netlink_cmd_rcv_bufs_force",
    "vrrp_netlink_monitor_rcv_bufs",
    "vrrp_netlink_monitor_rcv_bufs_force",
    "lvs_netlink_cmd_rcv_bufs",
    "lvs_netlink_cmd_rcv_bufs_force",
    "lvs_netlink_monitor_rcv_bufs",
    "lvs_netlink_monitor_rcv_bufs_force",
    "process_monitor_rcv_bufs",
    "process_monitor_rcv_bufs_force",
    "vrrp_rx_bufs_policy",
    "vrrp_rx_bufs_multiplier",
    "rs_init_notifies",
    "no_checker_emails",
    "umask",
    "vrrp_startup_delay",
    "log_unknown_vrids",
    "vmac_prefix",
    "vmac_addr_prefix",
    "random_seed",
    "reload_check_config",
    "include_check",
    "reload_time_file",
    "reload_repeat",
    "reload_file",
    "data_use_instance",
    "vrrp_user",
    "checker_user",
    "control_socket",
];

/// Lowers one top-level statement; false when the keyword is not this module's.
pub fn lower_top(node: &Node, ctx: &mut Ctx, cfg: &mut Config) -> bool {
    let g = &mut cfg.global;
    match node.keyword() {
        "global_defs" => {
            if let Some(children) = ctx.need_block(node) {
                ctx.no_args(node);
                for c in children {
                    global_def(c, ctx, g);
                }
            }
        }
        "net_namespace" => {
            once(ctx, node);
            if let Some(s) = ctx.string(node) {
                g.net_namespace = Some(s);
            }
        }
        "net_namespace_ipvs" => {
            once(ctx, node);
            ctx.no_block(node);
            ctx.at_most(node, 1);
            g.net_namespace_ipvs = Some(match node.args.first() {
                Some(w) => IpvsNamespace::Named(w.text.clone()),
                None => IpvsNamespace::Default,
            });
        }
        "namespace_with_ipsets" => {
            ctx.flag(node);
            ctx.not_acted_on(node, "vigil uses nftables, not ipsets");
        }
        "instance" => {
            once(ctx, node);
            if let Some(s) = ctx.string(node) {
                g.instance = Some(s);
            }
        }
        "use_pid_dir" => {
            if let Some(b) = ctx.flag(node) {
                g.use_pid_dir = b;
            }
        }
        "linkbeat_use_polling" => {
            if let Some(b) = ctx.flag(node) {
                g.linkbeat_use_polling = b;
            }
        }
        "child_wait_time" => {
            once(ctx, node);
            if let Some(t) = secs_arg(ctx, node, 0, u64::from(u32::MAX)) {
                g.child_wait_time = t;
            }
        }
        "linkbeat_interfaces" => linkbeat(node, ctx, cfg),
        "track_group" => track_group(node, ctx, cfg),
        "static_ipaddress" => {
            ctx.no_args(node);
            if let Some(children) = ctx.need_block(node) {
                for c in children {
                    if let Some(a) = ipaddr::static_address(c, ctx) {
                        cfg.statics.addresses.push(a);
                    }
                }
            }
        }
        "static_routes" => {
            ctx.no_args(node);
            if let Some(children) = ctx.need_block(node) {
                for c in children {
                    if let Some(r) = ipaddr::static_route(c, ctx) {
                        cfg.statics.routes.push(r);
                    }
                }
            }
        }
        "static_rules" => {
            ctx.no_args(node);
            if let Some(children) = ctx.need_block(node) {
                for c in children {
                    if let Some(r) = ipaddr::static_rule(c, ctx) {
                        cfg.statics.rules.push(r);
                    }
                }
            }
        }
        _ => return false,
    }
    true
}

/// Warns when a single-valued keyword is given again (the last one wins, as in
/// keepalived).
fn once(ctx: &mut Ctx, node: &Node) {
    let key = format!("global:{}", node.keyword());
    if let Some(first) = ctx.place(&key) {
        ctx.repeated(node, first);
    }
    ctx.remember(key, node.name.span);
}

/// `keyword TIMER` as [`Ctx::timer_arg`], but refusing more than six decimals as
/// keepalived does ("has too many decimal places") rather than truncating.
fn timer_arg(ctx: &mut Ctx, node: &Node, min: Timer, max: Timer) -> Option<Timer> {
    ctx.timer_arg(node, min, max)
}

/// `keyword SECS` with whole seconds in `[min, max]`.
fn secs_arg(ctx: &mut Ctx, node: &Node, min: u64, max: u64) -> Option<Timer> {
    ctx.number_arg::<u64>(node, min, max).map(Timer::secs)
}

/// `keyword [BOOL]`.
/// `keyword FIFO [USER [GROUP]]`.
fn fifo(ctx: &mut Ctx, node: &Node) -> Option<Fifo> {
    ctx.no_block(node);
    let p = ctx.arg(node, 0, "a FIFO path")?;
    let f = Fifo {
        path: p.text.clone(),
        user: node.args.get(1).map(|w| w.text.clone()),
        group: node.args.get(2).map(|w| w.text.clone()),
    };
    ctx.at_most(node, 3);
    Some(f)
}

fn script(ctx: &mut Ctx, node: &Node) -> Option<Script> {
    ctx.script(node)
}

fn global_def(node: &Node, ctx: &mut Ctx, g: &mut GlobalDefs) {
    let kw = node.keyword();
    // Single-valued keywords: a second one wins, with a warning.
    if !matches!(kw, "notification_email") && GLOBAL_DEFS_KEYWORDS.contains(&kw) {
        once(ctx, node);
    }
    match kw {
        // ----- configuration handling -----
        "tmp_config_directory" | "config_save_dir" => {
            ctx.string(node);
            ctx.not_acted_on(
                node,
                "vigil's supervisor parses the configuration once and sends it to its children",
            );
        }
        "process_names" => {
            ctx.no_args(node);
            ctx.no_block(node);
            g.process_names.defaults = true;
        }
        "process_name" => set_string(ctx, node, &mut g.process_names.parent),
        "vrrp_process_name" => set_string(ctx, node, &mut g.process_names.vrrp),
        "checker_process_name" => set_string(ctx, node, &mut g.process_names.checker),
        "lvs_process_name" => {
            deprecated(ctx, node, "checker_process_name");
            set_string(ctx, node, &mut g.process_names.checker)
        }
        "bfd_process_name" => set_string(ctx, node, &mut g.process_names.bfd),
        "startup_script" => g.startup_script = script(ctx, node).or(g.startup_script.take()),
        "shutdown_script" => g.shutdown_script = script(ctx, node).or(g.shutdown_script.take()),
        "startup_script_timeout" => {
            if let Some(t) = secs_arg(ctx, node, 1, 1000) {
                g.startup_script_timeout = t;
            }
        }
        "shutdown_script_timeout" => {
            if let Some(t) = secs_arg(ctx, node, 1, 1000) {
                g.shutdown_script_timeout = t;
            }
        }

        // ----- notification -----
        "notification_email" => {
            ctx.no_args(node);
            if let Some(children) = ctx.need_block(node) {
                for c in children {
                    ctx.no_block(c);
                    for w in c.words() {
                        g.notification_email.push(w.text.clone());
                    }
                }
            }
        }
        "notification_email_from" => set_string(ctx, node, &mut g.notification_email_from),
        "smtp_server" => {
            if let Some(s) = smtp_server(ctx, node) {
                g.smtp_server = Some(s);
            }
        }
        "smtp_helo_name" => set_string(ctx, node, &mut g.smtp_helo_name),
        "smtp_connect_timeout" => {
            if let Some(t) = secs_arg(ctx, node, 1, 4294) {
                g.smtp_connect_timeout = t;
            }
        }
        "smtp_alert" => set_opt_bool(ctx, node, &mut g.smtp_alert),
        "smtp_alert_vrrp" => set_opt_bool(ctx, node, &mut g.smtp_alert_vrrp),
        "smtp_alert_checker" => set_opt_bool(ctx, node, &mut g.smtp_alert_checker),
        "checker_log_all_failures" => set_bool(ctx, node, &mut g.checker_log_all_failures),
        "no_email_faults" => set_bool(ctx, node, &mut g.no_email_faults),
        "router_id" => set_string(ctx, node, &mut g.router_id),
        "rs_init_notifies" => set_bool(ctx, node, &mut g.rs_init_notifies),
        "no_checker_emails" => set_bool(ctx, node, &mut g.no_checker_emails),

        // ----- VRRP -----
        "vrrp_mcast_group4" => {
            if let Some(a) = ctx.ip_arg(node) {
                match a {
                    IpAddr::V4(v) if v.is_multicast() => g.vrrp_mcast_group4 = v,
                    _ => bad_value(ctx, node, "an IPv4 multicast address"),
                }
            }
        }
        "vrrp_mcast_group6" => {
            if let Some(a) = ctx.ip_arg(node) {
                match a {
                    IpAddr::V6(v) if v.is_multicast() => g.vrrp_mcast_group6 = v,
                    _ => bad_value(ctx, node, "an IPv6 multicast address"),
                }
            }
        }
        "default_interface" => {
            if let Some(s) = ctx.string(node) {
                g.default_interface = s;
            }
        }
        "vrrp_garp_master_delay" => {
            if let Some(t) = secs_arg(ctx, node, 0, 4294) {
                g.vrrp_garp_master_delay = t;
            }
        }
        "vrrp_garp_lower_prio_delay" => {
            if let Some(t) = secs_arg(ctx, node, 0, 4294) {
                g.vrrp_garp_lower_prio_delay = Some(t);
            }
        }
        "vrrp_garp_master_repeat" => {
            if let Some(n) = ctx.number_arg::<u32>(node, 1, u32::MAX) {
                g.vrrp_garp_master_repeat = n;
            }
        }
        "vrrp_garp_lower_prio_repeat" => {
            if let Some(n) = ctx.number_arg::<u32>(node, 0, u32::MAX) {
                g.vrrp_garp_lower_prio_repeat = Some(n);
            }
        }
        "vrrp_garp_master_refresh" => {
            if let Some(t) = secs_arg(ctx, node, 0, u64::from(u32::MAX)) {
                g.vrrp_garp_master_refresh = t;
            }
        }
        "vrrp_garp_master_refresh_repeat" => {
            if let Some(n) = ctx.number_arg::<u32>(node, 1, u32::MAX) {
                g.vrrp_garp_master_refresh_repeat = n;
            }
        }
        "vrrp_garp_interval" => {
            // keepalived: "number '0' outside range [0.000001, ...]".
            if let Some(t) = timer_arg(ctx, node, Timer(1), Timer(u64::from(u32::MAX))) {
                g.vrrp_garp_interval = t;
            }
        }
        "vrrp_gna_interval" => {
            // keepalived: "number '0' outside range [0.000001, ...]".
            if let Some(t) = timer_arg(ctx, node, Timer(1), Timer(u64::from(u32::MAX))) {
                g.vrrp_gna_interval = t;
            }
        }
        "vrrp_min_garp" => set_bool(ctx, node, &mut g.vrrp_min_garp),
        "vrrp_garp_extra_if" | "vrrp_vmac_garp_intvl" => {
            if kw == "vrrp_vmac_garp_intvl" {
                deprecated(ctx, node, "vrrp_garp_extra_if");
            }
            if let Some(x) = garp_extra_if(ctx, node) {
                g.vrrp_garp_extra_if = Some(x);
            }
        }
        "vrrp_down_timer_adverts" => {
            if let Some(n) = ctx.number_arg::<u32>(node, 1, 100) {
                g.vrrp_down_timer_adverts = n;
            }
        }
        "vrrp_lower_prio_no_advert" => set_opt_bool(ctx, node, &mut g.vrrp_lower_prio_no_advert),
        "vrrp_higher_prio_send_advert" => set_bool(ctx, node, &mut g.vrrp_higher_prio_send_advert),
        "vrrp_version" => {
            if let Some(n) = ctx.number_arg::<u8>(node, 2, 3) {
                g.vrrp_version = n;
            }
        }
        "vrrp_check_unicast_src" => set_bool(ctx, node, &mut g.vrrp_check_unicast_src),
        "vrrp_skip_check_adv_addr" => set_bool(ctx, node, &mut g.vrrp_skip_check_adv_addr),
        "vrrp_strict" => set_bool(ctx, node, &mut g.vrrp_strict),
        "vrrp_notify_priority_changes" => set_bool(ctx, node, &mut g.vrrp_notify_priority_changes),
        "vrrp_startup_delay" => {
            if let Some(t) = timer_arg(ctx, node, Timer(1_000), Timer(4_294_967_295)) {
                g.vrrp_startup_delay = Some(t);
            }
        }
        "log_unknown_vrids" => set_bool(ctx, node, &mut g.log_unknown_vrids),
        "vmac_prefix" => {
            if let Some(s) = ctx.string(node) {
                g.vmac_prefix = s;
            }
        }
        "vmac_addr_prefix" => set_string(ctx, node, &mut g.vmac_addr_prefix),
        "disable_local_igmp" => set_bool(ctx, node, &mut g.disable_local_igmp),
        "dynamic_interfaces" => {
            ctx.no_block(node);
            ctx.at_most(node, 1);
            match node.args.first() {
                None => g.dynamic_interfaces = DynamicInterfaces::On,
                Some(w) => {
                    if ctx.choice(kw, w, &["allow_if_changes"]).is_some() {
                        g.dynamic_interfaces = DynamicInterfaces::AllowIfChanges;
                    }
                }
            }
        }
        "fifo_write_vrrp_states_on_reload" => {
            set_bool(ctx, node, &mut g.fifo_write_vrrp_states_on_reload)
        }
        "vrrp_rx_bufs_policy" => {
            ctx.no_block(node);
            if let Some(w) = ctx.arg(node, 0, "MTU, ADVERT or a size") {
                let p = match w.text.to_ascii_uppercase().as_str() {
                    "MTU" => Some(RxBufsPolicy::Mtu),
                    "ADVERT" => Some(RxBufsPolicy::Advert),
                    _ => parse_dec(&w.text)
                        .and_then(|n| u32::try_from(n).ok())
                        .map(RxBufsPolicy::Size),
                };
                match p {
                    Some(p) => g.vrrp_rx_bufs_policy = Some(p),
                    None => {
                        ctx.diags.error(
                            w.span,
                            format!(
                                "`vrrp_rx_bufs_policy` must be MTU, ADVERT or a number from 0 to {}, not `{}`",
                                u32::MAX,
                                w.text
                            ),
                        );
                    }
                }
            }
            ctx.at_most(node, 1);
        }
        "vrrp_rx_bufs_multiplier" => {
            if let Some(n) = ctx.number_arg::<u32>(node, 1, u32::MAX) {
                g.vrrp_rx_bufs_multiplier = n;
            }
        }

        // ----- firewall -----
        "nftables" => {
            ctx.no_block(node);
            ctx.at_most(node, 1);
            g.nftables = Some(
                node.args
                    .first()
                    .map(|w| w.text.clone())
                    .unwrap_or_else(|| "keepalived".into()),
            );
        }
        "nftables_priority" => {
            if let Some(n) = ctx.number_arg::<i32>(node, i32::MIN, i32::MAX) {
                g.nftables_priority = n;
            }
        }
        "nftables_counters" => set_bool(ctx, node, &mut g.nftables_counters),
        "nftables_ifindex" => set_bool(ctx, node, &mut g.nftables_ifindex),
        "nftables_ipvs" => {
            ctx.no_block(node);
            ctx.at_most(node, 1);
            g.nftables_ipvs = Some(
                node.args
                    .first()
                    .map(|w| w.text.clone())
                    .unwrap_or_else(|| "keepalived_ipvs".into()),
            );
        }
        "nftables_ipvs_priority" => {
            if let Some(n) = ctx.number_arg::<i32>(node, i32::MIN, i32::MAX) {
                g.nftables_ipvs_priority = Some(n);
            }
        }
        "nftables_ipvs_start_fwmark" => {
            if let Some(n) = ctx.number_arg::<u32>(node, 1, u32::MAX) {
                g.nftables_ipvs_start_fwmark = n;
            }
        }
        "vrrp_iptables" => {
            ctx.no_block(node);
            ctx.at_most(node, 2);
            ctx.not_acted_on(node, "vigil uses nftables; see the `nftables` keyword");
        }
        "vrrp_ipsets" => {
            ctx.no_block(node);
            ctx.at_most(node, 5);
            ctx.not_acted_on(node, "vigil uses nftables, not iptables with ipsets");
        }

        // ----- LVS -----
        "lvs_sync_daemon" => {
            if let Some(s) = lvs_sync_daemon(ctx, node) {
                g.lvs_sync_daemon = Some(s);
            }
        }
        "lvs_timeouts" => {
            if let Some(t) = lvs_timeouts(ctx, node) {
                g.lvs_timeouts = Some(t);
            }
        }
        "lvs_flush" => set_bool(ctx, node, &mut g.lvs_flush),
        "lvs_flush_on_stop" | "lvs_flush_onstop" => {
            if kw == "lvs_flush_onstop" {
                deprecated(ctx, node, "lvs_flush_on_stop");
            }
            ctx.no_block(node);
            ctx.at_most(node, 1);
            match node.args.first() {
                None => g.lvs_flush_on_stop = Some(FlushOnStop::All),
                Some(w) => {
                    if ctx.choice(kw, w, &["VS"]).is_some() {
                        g.lvs_flush_on_stop = Some(FlushOnStop::VirtualServers);
                    }
                }
            }
        }

        // ----- processes -----
        "max_auto_priority" => {
            ctx.no_block(node);
            match node.args.first() {
                None => g.max_auto_priority = 99,
                Some(w) => {
                    if let Some(n) = ctx.number::<i32>(kw, w, -1, 99) {
                        g.max_auto_priority = n;
                    }
                }
            }
            ctx.at_most(node, 1);
        }
        "min_auto_priority_delay" => {
            if let Some(n) = ctx.number_arg::<u32>(node, 1, 10_000_000) {
                g.min_auto_priority_delay = n;
            }
        }
        "umask" => {
            if let Some(m) = umask(ctx, node) {
                g.umask = m;
            }
        }
        k if process_keyword(k).is_some() => {
            if let Some((which, what)) = process_keyword(k) {
                let t = match which {
                    "vrrp" => &mut g.vrrp_process,
                    "checker" => &mut g.checker_process,
                    _ => &mut g.bfd_process,
                };
                process(ctx, node, what, t);
            }
        }
        k if rcv_buf_keyword(k).is_some() => {
            if let Some((which, force)) = rcv_buf_keyword(k) {
                let b: &mut RcvBuf = match which {
                    "vrrp_netlink_cmd" => &mut g.rcv_bufs.vrrp_netlink_cmd,
                    "vrrp_netlink_monitor" => &mut g.rcv_bufs.vrrp_netlink_monitor,
                    "lvs_netlink_cmd" => &mut g.rcv_bufs.lvs_netlink_cmd,
                    "lvs_netlink_monitor" => &mut g.rcv_bufs.lvs_netlink_monitor,
                    _ => &mut g.rcv_bufs.process_monitor,
                };
                if force {
                    set_bool(ctx, node, &mut b.force);
                } else if let Some(n) = ctx.number_arg::<u32>(node, 0, u32::MAX) {
                    b.size = Some(n);
                }
            }
        }

        // ----- SNMP, DBus -----
        "snmp_socket" => {
            ctx.string(node);
            ctx.not_acted_on(node, "vigil has no SNMP support");
        }
        "enable_snmp_vrrp"
        | "enable_snmp_keepalived"
        | "enable_snmp_checker"
        | "enable_snmp_rfc"
        | "enable_snmp_rfcv2"
        | "enable_snmp_rfcv3"
        | "enable_traps" => {
            ctx.no_args(node);
            ctx.no_block(node);
            ctx.not_acted_on(node, "vigil has no SNMP support");
        }
        "enable_dbus" => {
            ctx.no_args(node);
            ctx.no_block(node);
            ctx.not_acted_on(node, "vigil has no DBus interface; use vigilctl");
        }
        "dbus_service_name" => {
            ctx.string(node);
            ctx.not_acted_on(node, "vigil has no DBus interface; use vigilctl");
        }

        // ----- scripts and FIFOs -----
        "script_user" => {
            ctx.no_block(node);
            if let Some(u) = ctx.arg(node, 0, "a user name") {
                g.script_user = Some(ScriptUser {
                    user: u.text.clone(),
                    group: node.args.get(1).map(|w| w.text.clone()),
                });
            }
            ctx.at_most(node, 2);
        }
        "enable_script_security" => set_bool(ctx, node, &mut g.enable_script_security),
        "notify_fifo" => g.notify_fifo = fifo(ctx, node).or(g.notify_fifo.take()),
        "vrrp_notify_fifo" => g.vrrp_notify_fifo = fifo(ctx, node).or(g.vrrp_notify_fifo.take()),
        "lvs_notify_fifo" => g.lvs_notify_fifo = fifo(ctx, node).or(g.lvs_notify_fifo.take()),
        "notify_fifo_script" => {
            g.notify_fifo_script = script(ctx, node).or(g.notify_fifo_script.take())
        }
        "vrrp_notify_fifo_script" => {
            g.vrrp_notify_fifo_script = script(ctx, node).or(g.vrrp_notify_fifo_script.take())
        }
        "lvs_notify_fifo_script" => {
            g.lvs_notify_fifo_script = script(ctx, node).or(g.lvs_notify_fifo_script.take())
        }

        // ----- reload and files -----
        "random_seed" => {
            if let Some(n) = ctx.number_arg::<u32>(node, 0, u32::MAX) {
                g.random_seed = Some(n);
            }
        }
        "include_check" => {
            if let Some(c) = include_check(ctx, node) {
                g.include_check = Some(c);
            }
        }
        "reload_check_config" => {
            ctx.no_block(node);
            ctx.at_most(node, 1);
            ctx.not_acted_on(
                node,
                "vigil always checks a new configuration before reloading and keeps the old one if it has errors",
            );
        }
        "reload_time_file" => set_string(ctx, node, &mut g.reload_time_file),
        "reload_repeat" => set_bool(ctx, node, &mut g.reload_repeat),
        "reload_file" => {
            ctx.no_block(node);
            ctx.at_most(node, 1);
            g.reload_file = Some(match node.args.first() {
                Some(w) => ReloadFile::Path(w.text.clone()),
                None => ReloadFile::Default,
            });
        }
        "data_use_instance" => {
            ctx.flag(node);
            ctx.not_acted_on(
                node,
                "vigil does not write keepalived's SIGUSR1 .data dumps",
            );
        }

        // ----- vigil extensions -----
        "vrrp_user" => set_string(ctx, node, &mut g.vrrp_user),
        "checker_user" => set_string(ctx, node, &mut g.checker_user),
        "control_socket" => {
            if let Some(s) = ctx.string(node) {
                if s.starts_with('/') {
                    g.control_socket = s;
                } else if let Some(w) = node.args.first() {
                    ctx.diags.error(
                        w.span,
                        format!("`control_socket` must be an absolute path, not `{s}`"),
                    );
                }
            }
        }

        _ => ctx.unknown(node, "global_defs", GLOBAL_DEFS_KEYWORDS),
    }
}

fn deprecated(ctx: &mut Ctx, node: &Node, modern: &str) {
    ctx.diags.warning(
        node.name.span,
        format!("`{}` is deprecated; use `{modern}`", node.keyword()),
    );
}

fn bad_value(ctx: &mut Ctx, node: &Node, what: &str) {
    if let Some(w) = node.args.first() {
        ctx.diags.error(
            w.span,
            format!("`{}` must be {what}, not `{}`", node.keyword(), w.text),
        );
    }
}

fn set_string(ctx: &mut Ctx, node: &Node, field: &mut Option<String>) {
    if let Some(s) = ctx.string(node) {
        *field = Some(s);
    }
}

fn set_bool(ctx: &mut Ctx, node: &Node, field: &mut bool) {
    if let Some(b) = ctx.flag(node) {
        *field = b;
    }
}

fn set_opt_bool(ctx: &mut Ctx, node: &Node, field: &mut Option<bool>) {
    if let Some(b) = ctx.flag(node) {
        *field = Some(b);
    }
}

/// `smtp_server HOST [PORT]`: an IP address or a host name (resolved when mail is
/// sent; keepalived resolves it at startup).
fn smtp_server(ctx: &mut Ctx, node: &Node) -> Option<SmtpServer> {
    ctx.no_block(node);
    let h = ctx.arg(node, 0, "a host")?;
    let host = match h.text.parse::<IpAddr>() {
        Ok(a) => SmtpHost::Ip(a),
        Err(_) => {
            let valid = !h.text.is_empty()
                && h.text
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '_');
            if !valid {
                ctx.diags.error(
                    h.span,
                    format!(
                        "`smtp_server`: `{}` is neither an IP address nor a host name",
                        h.text
                    ),
                );
                return None;
            }
            SmtpHost::Name(h.text.clone())
        }
    };
    let port = match node.args.get(1) {
        Some(w) => ctx.number::<u16>("smtp_server", w, 1, 65535)?,
        None => 25,
    };
    ctx.at_most(node, 2);
    Some(SmtpServer { host, port })
}

fn garp_extra_if(ctx: &mut Ctx, node: &Node) -> Option<GarpExtraIf> {
    ctx.no_block(node);
    let mut args = node.args.iter();
    let mut all = false;
    let mut w = args.next();
    if w.is_some_and(|w| w.text == "all") {
        all = true;
        w = args.next();
    }
    let Some(w) = w else {
        ctx.diags.error(
            node.span(),
            format!("`{}` needs an interval in seconds", node.keyword()),
        );
        return None;
    };
    let n = ctx.number::<u64>(node.keyword(), w, 1, 86400)?;
    if let Some(extra) = args.next() {
        ctx.diags.error(
            extra.span,
            format!("`{}`: unexpected `{}`", node.keyword(), extra.text),
        );
        return None;
    }
    Some(GarpExtraIf {
        interval: Timer::secs(n),
        all,
    })
}

fn lvs_sync_daemon(ctx: &mut Ctx, node: &Node) -> Option<LvsSyncDaemon> {
    ctx.no_block(node);
    let ifw = ctx.arg(node, 0, "an interface")?;
    let mut s = LvsSyncDaemon {
        interface: ifw.text.clone(),
        instance: None,
        syncid: None,
        maxlen: None,
        port: None,
        ttl: None,
        group: None,
    };
    let mut ok = true;
    let mut i = 1;
    let args = &node.args;
    while i < args.len() {
        let w = &args[i];
        let kw = w.text.as_str();
        let needs_value = matches!(kw, "inst" | "id" | "maxlen" | "port" | "ttl" | "group");
        if needs_value {
            let Some(v) = args.get(i + 1) else {
                ctx.diags
                    .error(w.span, format!("`lvs_sync_daemon`: `{kw}` needs a value"));
                return None;
            };
            match kw {
                "inst" => {
                    ctx.reference(Kind::Instance, v, "lvs_sync_daemon");
                    s.instance = Some(v.text.clone());
                }
                "id" => {
                    s.syncid = ctx.number("lvs_sync_daemon id", v, 0, 255).or_else(|| {
                        ok = false;
                        None
                    })
                }
                "maxlen" => {
                    s.maxlen = ctx
                        .number("lvs_sync_daemon maxlen", v, 1, 65507)
                        .or_else(|| {
                            ok = false;
                            None
                        })
                }
                "port" => {
                    s.port = ctx.number("lvs_sync_daemon port", v, 1, 65535).or_else(|| {
                        ok = false;
                        None
                    })
                }
                "ttl" => {
                    s.ttl = ctx.number("lvs_sync_daemon ttl", v, 1, 255).or_else(|| {
                        ok = false;
                        None
                    })
                }
                _ => match v.text.parse::<IpAddr>() {
                    Ok(a) if a.is_multicast() => s.group = Some(a),
                    _ => {
                        ctx.diags.error(
                            v.span,
                            format!(
                                "`lvs_sync_daemon group` must be a multicast address, not `{}`",
                                v.text
                            ),
                        );
                        ok = false;
                    }
                },
            }
            i += 2;
        } else if i == 1 {
            // keepalived's older form: the instance without `inst`.
            ctx.reference(Kind::Instance, w, "lvs_sync_daemon");
            s.instance = Some(w.text.clone());
            i += 1;
        } else {
            let d = ctx.diags.error(
                w.span,
                format!("`lvs_sync_daemon`: unexpected `{}`", w.text),
            );
            if parse_dec(&w.text).is_some() {
                d.help("write the sync id as `id N`");
            } else {
                d.help("options are inst, id, maxlen, port, ttl, group");
            }
            ok = false;
            i += 1;
        }
    }
    ok.then_some(s)
}

fn lvs_timeouts(ctx: &mut Ctx, node: &Node) -> Option<LvsTimeouts> {
    ctx.no_block(node);
    if node.args.is_empty() {
        ctx.diags.error(
            node.span(),
            "`lvs_timeouts` needs at least one of tcp, tcpfin, udp",
        );
        return None;
    }
    let mut t = LvsTimeouts {
        tcp: None,
        tcpfin: None,
        udp: None,
    };
    let mut ok = true;
    let mut it = node.args.iter();
    while let Some(w) = it.next() {
        let field = match w.text.as_str() {
            "tcp" => &mut t.tcp,
            "tcpfin" => &mut t.tcpfin,
            "udp" => &mut t.udp,
            _ => {
                ctx.choice("lvs_timeouts", w, &["tcp", "tcpfin", "udp"]);
                ok = false;
                continue;
            }
        };
        match it.next() {
            Some(v) => match ctx.number::<u32>(&format!("lvs_timeouts {}", w.text), v, 0, u32::MAX)
            {
                Some(n) => *field = Some(n),
                None => ok = false,
            },
            None => {
                ctx.diags.error(
                    w.span,
                    format!("`lvs_timeouts {}` needs a number of seconds", w.text),
                );
                ok = false;
            }
        }
    }
    ok.then_some(t)
}

/// `vrrp_priority` -> ("vrrp", "priority"); the old `*_rlimit_rtime` spelling too.
fn process_keyword(k: &str) -> Option<(&'static str, &'static str)> {
    let (which, rest) = if let Some(r) = k.strip_prefix("vrrp_") {
        ("vrrp", r)
    } else if let Some(r) = k.strip_prefix("checker_") {
        ("checker", r)
    } else if let Some(r) = k.strip_prefix("bfd_") {
        ("bfd", r)
    } else {
        return None;
    };
    let what = match rest {
        "priority" => "priority",
        "no_swap" => "no_swap",
        "cpu_affinity" => "cpu_affinity",
        "rt_priority" => "rt_priority",
        "rlimit_rttime" => "rlimit_rttime",
        "rlimit_rtime" => "rlimit_rtime",
        _ => return None,
    };
    Some((which, what))
}

fn process(ctx: &mut Ctx, node: &Node, what: &str, t: &mut ProcessTuning) {
    match what {
        "priority" => {
            if let Some(n) = ctx.number_arg::<i8>(node, -20, 19) {
                t.priority = n;
            }
        }
        "no_swap" => set_bool(ctx, node, &mut t.no_swap),
        "cpu_affinity" => {
            ctx.no_block(node);
            if node.args.is_empty() {
                ctx.diags.error(
                    node.span(),
                    format!("`{}` needs at least one CPU number", node.keyword()),
                );
                return;
            }
            let mut cpus = Vec::new();
            for w in &node.args {
                match ctx.number::<u16>(node.keyword(), w, 0, 4095) {
                    Some(n) => cpus.push(n),
                    None => return,
                }
            }
            t.cpu_affinity = cpus;
        }
        "rt_priority" => {
            if let Some(n) = ctx.number_arg::<u8>(node, 1, 99) {
                t.rt_priority = Some(n);
            }
        }
        _ => {
            if what == "rlimit_rtime" {
                let modern = node.keyword().replace("rlimit_rtime", "rlimit_rttime");
                deprecated(ctx, node, &modern);
            }
            if let Some(n) = ctx.number_arg::<u32>(node, 1, u32::MAX) {
                t.rlimit_rttime = n;
            }
        }
    }
}

/// `vrrp_netlink_cmd_rcv_bufs_force` -> ("vrrp_netlink_cmd", true).
fn rcv_buf_keyword(k: &str) -> Option<(&str, bool)> {
    let (base, force) = match k.strip_suffix("_force") {
        Some(b) => (b, true),
        None => (k, false),
    };
    let which = base.strip_suffix("_rcv_bufs")?;
    matches!(
        which,
        "vrrp_netlink_cmd"
            | "vrrp_netlink_monitor"
            | "lvs_netlink_cmd"
            | "lvs_netlink_monitor"
            | "process_monitor"
    )
    .then_some((which, force))
}

/// The umask bits by name.
const UMASK_BITS: &[(&str, u32)] = &[
    ("IRUSR", 0o400),
    ("IWUSR", 0o200),
    ("IXUSR", 0o100),
    ("IRGRP", 0o040),
    ("IWGRP", 0o020),
    ("IXGRP", 0o010),
    ("IROTH", 0o004),
    ("IWOTH", 0o002),
    ("IXOTH", 0o001),
];

/// `umask NUMBER` (hex, octal or decimal) or `umask BITS|BITS...`.
fn umask(ctx: &mut Ctx, node: &Node) -> Option<u32> {
    ctx.no_block(node);
    let first = ctx.arg(node, 0, "a number or bit names")?;
    if let Some(n) = parse_base0(&first.text) {
        ctx.at_most(node, 1);
        if n > 0o777 {
            ctx.diags.error(
                first.span,
                format!("`umask` must be at most 0777, not `{}`", first.text),
            );
            return None;
        }
        return Some(n as u32);
    }
    let text: String = node
        .args
        .iter()
        .map(|w| w.text.as_str())
        .collect::<Vec<_>>()
        .join("");
    let mut m = 0;
    for part in text.split('|') {
        match UMASK_BITS.iter().find(|(k, _)| *k == part) {
            Some((_, b)) => m |= b,
            None => {
                ctx.diags.error(
                    first.span,
                    format!(
                        "`umask`: unknown bit `{part}`; bits are I{{R,W,X}}{{USR,GRP,OTH}} joined by `|`"
                    ),
                );
                return None;
            }
        }
    }
    Some(m)
}

fn include_check(ctx: &mut Ctx, node: &Node) -> Option<IncludeCheck> {
    ctx.no_block(node);
    let all = IncludeCheck {
        readable: true,
        matched: true,
        wildcard_match: true,
        brace_match: true,
    };
    if node.args.is_empty() {
        return Some(all);
    }
    let mut c = IncludeCheck::default();
    for w in &node.args {
        let (on, name) = match w.text.strip_prefix('-') {
            Some(n) => (false, n),
            None => (true, w.text.strip_prefix('+').unwrap_or(&w.text)),
        };
        let field = match name {
            "read" | "readable" => &mut c.readable,
            "match" => &mut c.matched,
            "wildcard_match" => &mut c.wildcard_match,
            "brace_match" => &mut c.brace_match,
            _ => {
                ctx.diags.error(
                    w.span,
                    format!(
                        "`include_check` must be made of read, match, wildcard_match, brace_match (each with an optional + or -), not `{}`",
                        w.text
                    ),
                );
                return None;
            }
        };
        *field = on;
    }
    Some(c)
}

fn linkbeat(node: &Node, ctx: &mut Ctx, cfg: &mut Config) {
    ctx.no_args(node);
    let Some(children) = ctx.need_block(node) else {
        return;
    };
    for c in children {
        ctx.no_block(c);
        let method = match c.args.first() {
            None => None,
            Some(w) => match ctx.choice("linkbeat_interfaces", w, &["MII", "ETHTOOL", "IOCTL"]) {
                Some("MII") => Some(LinkbeatMethod::Mii),
                Some("ETHTOOL") => Some(LinkbeatMethod::Ethtool),
                Some(_) => Some(LinkbeatMethod::Ioctl),
                None => continue,
            },
        };
        ctx.at_most(c, 1);
        cfg.statics.linkbeat_interfaces.push(LinkbeatInterface {
            name: c.name.text.clone(),
            method,
        });
    }
}

fn track_group(node: &Node, ctx: &mut Ctx, cfg: &mut Config) {
    let Some(name) = node.args.first() else {
        ctx.diags.error(node.span(), "`track_group` needs a name");
        return;
    };
    ctx.at_most(node, 1);
    let Some(children) = ctx.need_block(node) else {
        return;
    };
    let fresh = ctx.declare(Kind::StaticTrackGroup, name);
    let mut instances: Vec<String> = Vec::new();
    for c in children {
        if c.keyword() != "group" {
            ctx.unknown(c, "track_group", &["group"]);
            continue;
        }
        ctx.no_args(c);
        let Some(members) = ctx.need_block(c) else {
            continue;
        };
        if members.is_empty() {
            ctx.diags
                .error(
                    c.name.span,
                    format!("track group `{}` has an empty group block", name.text),
                )
                .help("list the VRRP instances that track the group's addresses, routes and rules");
        }
        for m in members {
            ctx.no_block(m);
            for w in m.words() {
                ctx.reference(Kind::Instance, w, "track_group");
                if instances.contains(&w.text) {
                    ctx.diags.warning(
                        w.span,
                        format!(
                            "`{}` is listed twice in track group `{}`",
                            w.text, name.text
                        ),
                    );
                } else {
                    instances.push(w.text.clone());
                }
            }
        }
    }
    if fresh {
        cfg.statics.track_groups.push(TrackGroup {
            name: name.text.clone(),
            instances,
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::model::common::Timer;
    use crate::model::global::*;
    use crate::{load_str, Loaded, Options, Severity};
    use std::path::Path;

    fn load(text: &str) -> Loaded {
        load_str(
            Path::new("t.conf"),
            text,
            &Options {
                config_id: "x".into(),
            },
        )
    }

    /// Every diagnostic as `severity line:col message`.
    fn diags(text: &str) -> Vec<String> {
        load(text)
            .diags
            .iter()
            .map(|d| {
                let sev = if d.severity == Severity::Error {
                    "error"
                } else {
                    "warning"
                };
                let (l, c) = d.span.map(|s| (s.line, s.col)).unwrap_or((0, 0));
                format!("{sev} {l}:{c} {}", d.message)
            })
            .collect()
    }

    fn errors(text: &str) -> Vec<String> {
        diags(text)
            .into_iter()
            .filter(|d| d.starts_with("error"))
            .collect()
    }

    fn global(text: &str) -> GlobalDefs {
        let l = load(text);
        assert!(!l.diags.has_errors(), "{:?}", diags(text));
        l.config.global
    }

    fn gd(body: &str) -> String {
        format!("global_defs {{\n{body}\n}}\n")
    }

    /// Errors other than references to VRRP instances, which another section declares.
    fn own_errors(l: &Loaded) -> Vec<String> {
        l.diags
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .filter(|d| !d.message.contains("no vrrp_instance of that name"))
            .map(|d| d.message.clone())
            .collect()
    }

    /// A configuration that uses every keyword of the global section with a
    /// non-default value.
    const EVERYTHING: &str = r#"
net_namespace blue
net_namespace_ipvs red
instance inst1
use_pid_dir
linkbeat_use_polling
child_wait_time 7
namespace_with_ipsets
global_defs {
    tmp_config_directory /tmp
    config_save_dir /var/tmp/ka
    process_names
    process_name ka
    vrrp_process_name ka_vrrp
    checker_process_name ka_check
    bfd_process_name ka_bfd
    startup_script "/usr/local/bin/start arg" root root
    startup_script_timeout 20
    shutdown_script /usr/local/bin/stop
    shutdown_script_timeout 30
    notification_email {
        ops@example.com
        noc@example.com
    }
    notification_email_from ha@example.com
    smtp_server 192.0.2.25 2525
    smtp_helo_name ha1.example.com
    smtp_connect_timeout 15
    smtp_alert on
    smtp_alert_vrrp off
    smtp_alert_checker true
    checker_log_all_failures
    no_email_faults
    router_id ha1
    rs_init_notifies
    no_checker_emails
    vrrp_mcast_group4 224.0.0.19
    vrrp_mcast_group6 ff02::13
    default_interface eth1
    vrrp_garp_master_delay 10
    vrrp_garp_master_repeat 2
    vrrp_garp_lower_prio_delay 4
    vrrp_garp_lower_prio_repeat 0
    vrrp_garp_master_refresh 60
    vrrp_garp_master_refresh_repeat 2
    vrrp_garp_interval 0.001
    vrrp_gna_interval 0.000001
    vrrp_min_garp
    vrrp_garp_extra_if all 100
    vrrp_down_timer_adverts 5
    vrrp_lower_prio_no_advert false
    vrrp_higher_prio_send_advert
    vrrp_version 3
    vrrp_check_unicast_src
    vrrp_skip_check_adv_addr
    vrrp_strict
    vrrp_notify_priority_changes
    vrrp_startup_delay 5.5
    log_unknown_vrids
    vmac_prefix vm
    vmac_addr_prefix va
    disable_local_igmp
    dynamic_interfaces allow_if_changes
    fifo_write_vrrp_states_on_reload
    vrrp_rx_bufs_policy ADVERT
    vrrp_rx_bufs_multiplier 4
    nftables vigil
    nftables_priority -5
    nftables_counters
    nftables_ifindex
    nftables_ipvs vigil_ipvs
    nftables_ipvs_priority -150
    nftables_ipvs_start_fwmark 2000
    vrrp_iptables in out
    vrrp_ipsets a b
    lvs_sync_daemon eth0 id 5 maxlen 1400 port 8849 ttl 3 group 224.0.0.82
    lvs_timeouts tcp 900 tcpfin 30 udp 60
    lvs_flush
    lvs_flush_on_stop VS
    max_auto_priority 50
    min_auto_priority_delay 500000
    vrrp_priority -5
    checker_priority 5
    bfd_priority -10
    vrrp_no_swap
    checker_no_swap
    bfd_no_swap
    vrrp_cpu_affinity 0 1
    checker_cpu_affinity 1
    bfd_cpu_affinity 0
    vrrp_rt_priority 50
    checker_rt_priority 40
    bfd_rt_priority 60
    vrrp_rlimit_rttime 20000
    checker_rlimit_rttime 30000
    bfd_rlimit_rttime 40000
    vrrp_netlink_cmd_rcv_bufs 100000
    vrrp_netlink_cmd_rcv_bufs_force on
    vrrp_netlink_monitor_rcv_bufs 200000
    vrrp_netlink_monitor_rcv_bufs_force
    lvs_netlink_cmd_rcv_bufs 300000
    lvs_netlink_cmd_rcv_bufs_force
    lvs_netlink_monitor_rcv_bufs 400000
    lvs_netlink_monitor_rcv_bufs_force
    process_monitor_rcv_bufs 500000
    process_monitor_rcv_bufs_force
    umask IWGRP|IWOTH|IROTH
    snmp_socket udp:192.0.2.1:705
    enable_snmp_vrrp
    enable_snmp_checker
    enable_snmp_rfc
    enable_snmp_rfcv2
    enable_snmp_rfcv3
    enable_traps
    enable_dbus
    dbus_service_name org.example.Vrrp
    script_user nobody nogroup
    enable_script_security
    notify_fifo /run/ka.fifo root root
    notify_fifo_script "/usr/local/bin/fifo all"
    vrrp_notify_fifo /run/ka_vrrp.fifo
    vrrp_notify_fifo_script /usr/local/bin/vfifo nobody
    lvs_notify_fifo /run/ka_lvs.fifo nobody
    lvs_notify_fifo_script /usr/local/bin/lfifo
    random_seed 42
    include_check +match -wildcard_match
    reload_check_config /tmp/check.log
    reload_time_file /run/ka.reload_time
    reload_repeat
    reload_file /run/ka.reload
    data_use_instance
    vrrp_user vigil
    checker_user vigil-check
    control_socket /run/vigil/other.ctl
}
linkbeat_interfaces {
    eth0
    eth1 ETHTOOL
}
track_group TG1 {
    group {
        VI_1
        VI_2
    }
}
static_ipaddress {
    192.0.2.1/24 brd + dev eth0 scope link label eth0:1 home -nodad mngtmpaddr noprefixroute autojoin no_track
    192.0.2.2 peer 192.0.2.3 track_group TG1 preferred_lft 100
    192.0.2.4/24 brd 192.0.2.255
    2001:db8::1/64 dev eth1 preferred_lft 0
    2001:db8::2 preferred_lft forever
}
static_routes {
    198.51.100.0/24 via 192.0.2.254 dev eth0 track_group TG1
    blackhole 203.0.113.0/24 no_track
    src 192.0.2.1 to 198.51.101.0/24 dev eth0 onlink table 6909 metric 12 scope link tos 0x04 protocol keepalived mtu lock 1000 hoplimit 100 advmss 101 rtt 102 rttvar lock 103ms reordering 104 window 105 cwnd 106 ssthresh lock 107 realms 3/0x14 rto_min 0.108s initcwnd 109 initrwnd 110 features ecn quickack 1 congctl lock cubic fastopen_no_cookie 0 ttl-propagate disabled encap ip id 1 dst 192.0.2.5 src 192.0.2.6 tos 3 ttl 4 flags 1 vrf blue append
    2001:db8:1::/64 from 2001:db8:2::/64 dev eth0 pref high expires 100 encap ip6 id 2 dst 2001:db8::9 tc 1 hoplimit 3
    198.51.102.0/24 dev eth0 table main encap mpls 100/200
    198.51.103.0/24 dev eth0 encap ila 2001:0:0:1 protocol bird no_track
    198.51.104.0/24 dev eth0 table 100 nexthop via 192.0.2.1 dev eth0 weight 2 onlink realms 5 encap mpls 7 nexthop via 192.0.2.2 dev eth1
    198.51.105.0/24 via 192.0.2.1 or 192.0.2.2 dev eth0
    default via 192.0.2.1 dev eth0 table 200
    inet6 default via 2001:db8::fe dev eth0 table 201
    unreachable 198.51.106.0/24 no_track
    prohibit 198.51.107.0/24 no_track
    throw 198.51.108.0/24 no_track
    local 198.51.109.0/24 dev eth0
    broadcast 198.51.110.0/24 dev eth0
    anycast 2001:db8:3::/64 dev eth0
    multicast 198.51.111.0/24 dev eth0
    nat 198.51.112.0/24 no_track
    xresolve 198.51.113.0/24 no_track
    unicast 198.51.114.0/24 oif eth0 gw 192.0.2.9
}
static_rules {
    from 192.0.2.0/24 table 1 preference 100 iif eth0 track_group TG1
    not from 198.51.100.0/24 to 203.0.113.0/26 tos 22 fwmark 24/12 priority 39 realms 30/20 oif eth1 table 40 suppress_prefixlength 8 suppress_ifgroup 3
    to 2001:db8:1::/112 from 2001:db8:2::/96 uidrange 10000-19999 order 5 protocol 18 ipproto udp sport 10-20 dport 20-30 tunnel-id 9 lookup main
    inet6 preference 6 l3mdev
    from all preference 7 goto 50
    preference 8 nop
    preference 9 blackhole
    preference 10 unreachable
    preference 11 type prohibit
    preference 12 dsfield 4 fwmark 0x10 dev eth0 table 5 no_track
}
"#;

    // keepalived.conf(5), GLOBAL CONFIGURATION: print -> parse gives the same model.
    #[test]
    fn round_trip_every_global_keyword() {
        let first = load(EVERYTHING);
        assert_eq!(own_errors(&first), Vec::<String>::new());
        let printed = crate::print::print_config(&first.config);
        let second = load(&printed);
        assert_eq!(own_errors(&second), Vec::<String>::new(), "{printed}");
        assert_eq!(first.config.global, second.config.global, "{printed}");
        assert_eq!(first.config.statics, second.config.statics, "{printed}");
        // Everything non-default was printed back.
        assert_ne!(first.config.global, GlobalDefs::default());
        assert_eq!(first.config.statics.routes.len(), 20);
        assert_eq!(first.config.statics.rules.len(), 10);
        // And printing is stable.
        assert_eq!(printed, crate::print::print_config(&second.config));
    }

    #[test]
    fn defaults_match_keepalived() {
        // keepalived.conf(5) "(default: ...)" notes; global_data.c init values.
        let g = global("global_defs {\n}\n");
        assert_eq!(g, GlobalDefs::default());
        assert_eq!(g.smtp_connect_timeout, Timer::secs(30));
        assert_eq!(g.vrrp_garp_master_delay, Timer::secs(5));
        assert_eq!(g.vrrp_garp_master_repeat, 5);
        assert_eq!(g.garp_lower_prio_delay(), Timer::secs(5));
        assert_eq!(g.garp_lower_prio_repeat(), 5);
        assert_eq!(g.vrrp_garp_master_refresh_repeat, 1);
        assert_eq!(g.vrrp_mcast_group4.to_string(), "224.0.0.18");
        assert_eq!(g.vrrp_mcast_group6.to_string(), "ff02::12");
        assert_eq!(g.default_interface, "eth0");
        assert_eq!(g.vrrp_version, 2);
        assert_eq!(g.child_wait_time, Timer::secs(5));
        assert_eq!(g.startup_script_timeout, Timer::secs(10));
        assert_eq!(g.nftables_priority, -1);
        assert_eq!(g.nftables_ipvs_start_fwmark, 1000);
        assert_eq!(g.vrrp_rx_bufs_multiplier, 3);
        assert_eq!(g.umask, 0o022);
        assert_eq!(g.control_socket, "/run/vigil/vigil.ctl");
        assert_eq!(g.vmac_prefix, "vrrp");
    }

    #[test]
    fn lower_prio_garp_defaults_follow_master_values() {
        // keepalived.conf(5): vrrp_garp_lower_prio_delay defaults to vrrp_garp_master_delay.
        let g = global(&gd("vrrp_garp_master_delay 8\nvrrp_garp_master_repeat 3"));
        assert_eq!(g.garp_lower_prio_delay(), Timer::secs(8));
        assert_eq!(g.garp_lower_prio_repeat(), 3);
    }

    #[test]
    fn strict_mode_implies_lower_prio_no_advert() {
        // keepalived.conf(5), vrrp_lower_prio_no_advert: "Defaults to false, unless strict_mode".
        assert!(global(&gd("vrrp_strict")).lower_prio_no_advert());
        assert!(!global(&gd("vrrp_strict\nvrrp_lower_prio_no_advert off")).lower_prio_no_advert());
    }

    #[test]
    fn flag_keywords_take_optional_bool() {
        // keepalived.conf(5), `vrrp_min_garp [<BOOL>]`.
        assert!(global(&gd("vrrp_min_garp")).vrrp_min_garp);
        assert!(!global(&gd("vrrp_min_garp off")).vrrp_min_garp);
        assert_eq!(
            errors(&gd("vrrp_min_garp maybe")),
            ["error 2:15 `vrrp_min_garp` takes on/off, true/false or yes/no, not `maybe`"]
        );
    }

    #[test]
    fn smtp_connect_timeout_range() {
        // keepalived 2.2.7: "smtp_connect_timeout must be in [0, 4294]", 0 is refused.
        assert_eq!(
            errors(&gd("smtp_connect_timeout 0")),
            ["error 2:22 `smtp_connect_timeout` must be a number from 1 to 4294, not `0`"]
        );
        assert_eq!(errors(&gd("smtp_connect_timeout 1.5")).len(), 1);
        assert_eq!(
            global(&gd("smtp_connect_timeout 4294")).smtp_connect_timeout,
            Timer::secs(4294)
        );
    }

    #[test]
    fn smtp_server_ip_or_name_and_port() {
        // keepalived.conf(5): "IP address or domain name with optional port number".
        let g = global(&gd("smtp_server 2001:db8::25 587"));
        let s = g.smtp_server.unwrap_or_else(|| panic!("no smtp_server"));
        assert_eq!(
            (s.host, s.port),
            (
                SmtpHost::Ip("2001:db8::25".parse().unwrap_or_else(|_| panic!())),
                587
            )
        );
        let g = global(&gd("smtp_server mail.example.com"));
        assert_eq!(g.smtp_server.map(|s| s.port), Some(25));
        assert_eq!(
            errors(&gd("smtp_server 192.0.2.1 70000")),
            ["error 2:23 `smtp_server` must be a number from 1 to 65535, not `70000`"]
        );
    }

    #[test]
    fn garp_repeat_ranges() {
        // keepalived 2.2.7: master_repeat and refresh_repeat must be > 0; lower_prio_repeat may be 0.
        assert_eq!(errors(&gd("vrrp_garp_master_repeat 0")).len(), 1);
        assert_eq!(errors(&gd("vrrp_garp_master_refresh_repeat 0")).len(), 1);
        assert_eq!(
            global(&gd("vrrp_garp_lower_prio_repeat 0")).garp_lower_prio_repeat(),
            0
        );
        assert_eq!(errors(&gd("vrrp_garp_master_delay 4295")).len(), 1);
        assert_eq!(errors(&gd("vrrp_garp_master_refresh 0.5")).len(), 1);
    }

    #[test]
    fn garp_interval_is_microseconds() {
        // keepalived.conf(5): vrrp_garp_interval "decimal, seconds (resolution usecs)".
        assert_eq!(
            global(&gd("vrrp_garp_interval 0.000001")).vrrp_garp_interval,
            Timer(1)
        );
        assert_eq!(
            errors(&gd("vrrp_gna_interval 1.0000001")),
            ["error 2:19 `vrrp_gna_interval`: `1.0000001` has more than six decimals (microseconds)"]
        );
    }

    #[test]
    fn mcast_groups_must_be_multicast_of_their_family() {
        // global_parser.c: "is not multicast" / "is not IPv4".
        assert_eq!(
            errors(&gd("vrrp_mcast_group4 192.0.2.1")),
            ["error 2:19 `vrrp_mcast_group4` must be an IPv4 multicast address, not `192.0.2.1`"]
        );
        assert_eq!(errors(&gd("vrrp_mcast_group6 224.0.0.18")).len(), 1);
    }

    #[test]
    fn vrrp_version_and_process_ranges() {
        // keepalived.conf(5): vrrp_version <2 or 3>; *_priority <-20 to 19>; *_rt_priority <1..99>.
        assert_eq!(errors(&gd("vrrp_version 1")).len(), 1);
        assert_eq!(errors(&gd("checker_priority -21")).len(), 1);
        assert_eq!(errors(&gd("bfd_rt_priority 100")).len(), 1);
        assert_eq!(errors(&gd("vrrp_rlimit_rttime 0")).len(), 1);
        let g = global(&gd("checker_cpu_affinity 0 2\nvrrp_rt_priority 99"));
        assert_eq!(g.checker_process.cpu_affinity, [0, 2]);
        assert_eq!(g.vrrp_process.rt_priority, Some(99));
    }

    #[test]
    fn auto_priority_ranges() {
        // keepalived.conf(5): max_auto_priority [<-1 to 99>], bare = maximum;
        // min_auto_priority_delay maximum 10000000.
        assert_eq!(global(&gd("max_auto_priority")).max_auto_priority, 99);
        assert_eq!(global(&gd("max_auto_priority -1")).max_auto_priority, -1);
        assert_eq!(errors(&gd("max_auto_priority -2")).len(), 1);
        assert_eq!(errors(&gd("min_auto_priority_delay 0")).len(), 1);
    }

    #[test]
    fn script_timeouts_range() {
        // keepalived.conf(5): startup_script_timeout range [1,1000].
        assert_eq!(
            errors(&gd("startup_script_timeout 1001")),
            ["error 2:24 `startup_script_timeout` must be a number from 1 to 1000, not `1001`"]
        );
    }

    #[test]
    fn startup_delay_range() {
        // keepalived 2.2.7: vrrp_startup_delay outside [0.001000, 4294.967295] is refused.
        assert_eq!(errors(&gd("vrrp_startup_delay 0")).len(), 1);
        assert_eq!(
            global(&gd("vrrp_startup_delay 5.5")).vrrp_startup_delay,
            Some(Timer(5_500_000))
        );
    }

    #[test]
    fn garp_extra_if_forms() {
        // keepalived.conf(5): vrrp_garp_extra_if [all] SECS, at most 86400.
        let g = global(&gd("vrrp_garp_extra_if all 100"));
        assert_eq!(
            g.vrrp_garp_extra_if,
            Some(GarpExtraIf {
                interval: Timer::secs(100),
                all: true
            })
        );
        assert_eq!(errors(&gd("vrrp_garp_extra_if 86401")).len(), 1);
        assert_eq!(
            errors(&gd("vrrp_garp_extra_if")),
            ["error 2:1 `vrrp_garp_extra_if` needs an interval in seconds"]
        );
    }

    #[test]
    fn deprecated_aliases_map_to_modern_fields() {
        // keepalived 2.2.7: "vrrp_vmac_garp_intvl is deprecated - please use vrrp_garp_extra_if";
        // lvs_flush_onstop, lvs_process_name, *_rlimit_rtime.
        let text =
            gd("vrrp_vmac_garp_intvl 5\nlvs_flush_onstop\nlvs_process_name lp\nbfd_rlimit_rtime 7");
        let d = diags(&text);
        assert!(
            d.contains(
                &"warning 2:1 `vrrp_vmac_garp_intvl` is deprecated; use `vrrp_garp_extra_if`"
                    .to_string()
            ),
            "{d:?}"
        );
        assert!(
            d.iter().any(|x| x.contains("use `bfd_rlimit_rttime`")),
            "{d:?}"
        );
        let g = global(&text);
        assert_eq!(
            g.vrrp_garp_extra_if.map(|x| x.interval),
            Some(Timer::secs(5))
        );
        assert_eq!(g.lvs_flush_on_stop, Some(FlushOnStop::All));
        assert_eq!(g.process_names.checker.as_deref(), Some("lp"));
        assert_eq!(g.bfd_process.rlimit_rttime, 7);
    }

    #[test]
    fn lvs_sync_daemon_options_and_ranges() {
        // keepalived.conf(5), lvs_sync_daemon: syncid 0..255, maxlen 1..65507, port, ttl 1..255,
        // group multicast.
        let g = global(&gd(
            "lvs_sync_daemon eth0 id 255 maxlen 65507 port 1 ttl 255 group ff02::5",
        ));
        let s = g.lvs_sync_daemon.unwrap_or_else(|| panic!("none"));
        assert_eq!(
            (s.syncid, s.maxlen, s.port, s.ttl),
            (Some(255), Some(65507), Some(1), Some(255))
        );
        assert_eq!(errors(&gd("lvs_sync_daemon eth0 id 256")).len(), 1);
        assert_eq!(errors(&gd("lvs_sync_daemon eth0 maxlen 65508")).len(), 1);
        assert_eq!(errors(&gd("lvs_sync_daemon eth0 group 192.0.2.1")).len(), 1);
        // "Please use keyword "id" before lvs_sync_daemon SYNCID".
        let e = errors(&gd("lvs_sync_daemon eth0 VI_1 5"));
        assert!(
            e.contains(&"error 2:27 `lvs_sync_daemon`: unexpected `5`".to_string()),
            "{e:?}"
        );
    }

    #[test]
    fn lvs_timeouts_need_an_option() {
        // keepalived.conf(5): "At least one value must be specified".
        assert_eq!(
            errors(&gd("lvs_timeouts")),
            ["error 2:1 `lvs_timeouts` needs at least one of tcp, tcpfin, udp"]
        );
        // keepalived reports both words: "Unknown option foo", "Unknown option 1".
        assert_eq!(errors(&gd("lvs_timeouts foo 1")).len(), 2);
        let t = global(&gd("lvs_timeouts udp 5")).lvs_timeouts;
        assert_eq!(
            t,
            Some(LvsTimeouts {
                tcp: None,
                tcpfin: None,
                udp: Some(5)
            })
        );
    }

    #[test]
    fn umask_numbers_and_bits() {
        // keepalived.conf(5): umask [NUMBER|BITS], hex, octal or decimal; BITS joined by '|'.
        assert_eq!(global(&gd("umask 0x12")).umask, 0o022);
        assert_eq!(global(&gd("umask 077")).umask, 0o077);
        assert_eq!(global(&gd("umask IWGRP | IWOTH")).umask, 0o022);
        assert_eq!(errors(&gd("umask 01000")).len(), 1);
        assert_eq!(errors(&gd("umask IWFOO")).len(), 1);
    }

    #[test]
    fn include_check_plus_minus() {
        // keepalived.conf(5), include_check: no option = all; '+' adds, '-' removes.
        let all = global(&gd("include_check"))
            .include_check
            .unwrap_or_default();
        assert!(all.readable && all.matched && all.wildcard_match && all.brace_match);
        let c = global(&gd("include_check +match -wildcard_match"))
            .include_check
            .unwrap_or_default();
        assert!(c.matched && !c.wildcard_match && !c.readable);
        assert_eq!(errors(&gd("include_check foo")).len(), 1);
    }

    #[test]
    fn rx_bufs_policy_forms() {
        // keepalived.conf(5): vrrp_rx_bufs_policy [MTU|ADVERT|NUMBER] (case-insensitive in 2.2.7).
        assert_eq!(
            global(&gd("vrrp_rx_bufs_policy mtu")).vrrp_rx_bufs_policy,
            Some(RxBufsPolicy::Mtu)
        );
        assert_eq!(
            global(&gd("vrrp_rx_bufs_policy 4096")).vrrp_rx_bufs_policy,
            Some(RxBufsPolicy::Size(4096))
        );
        assert_eq!(errors(&gd("vrrp_rx_bufs_policy foo")).len(), 1);
        assert_eq!(errors(&gd("vrrp_rx_bufs_multiplier 0")).len(), 1);
    }

    #[test]
    fn nftables_default_table_names() {
        // keepalived.conf(5): "Default tablename is keepalived".
        let g = global(&gd("nftables\nnftables_ipvs"));
        assert_eq!(g.nftables.as_deref(), Some("keepalived"));
        assert_eq!(g.nftables_ipvs.as_deref(), Some("keepalived_ipvs"));
        assert_eq!(errors(&gd("nftables_ipvs_start_fwmark 0")).len(), 1);
    }

    #[test]
    fn not_acted_on_keywords_warn() {
        // SNMP, DBus, iptables/ipsets, keepalived-internal files: understood, not acted on.
        for kw in [
            "enable_snmp_vrrp",
            "enable_traps",
            "enable_dbus",
            "vrrp_iptables",
            "vrrp_ipsets",
            "data_use_instance",
            "reload_check_config",
        ] {
            let d = diags(&gd(kw));
            assert_eq!(d.len(), 1, "{kw}: {d:?}");
            assert!(
                d[0].starts_with("warning 2:1") && d[0].contains("vigil does not act on it"),
                "{d:?}"
            );
        }
        let d = diags("namespace_with_ipsets\n");
        assert!(
            d[0].contains("vigil does not act on it (vigil uses nftables, not ipsets)"),
            "{d:?}"
        );
    }

    #[test]
    fn unknown_keyword_suggests() {
        let l = load(&gd("router_idd x"));
        let d: Vec<_> = l.diags.iter().collect();
        assert_eq!(d.len(), 1);
        assert_eq!(
            d[0].message,
            "unknown keyword `router_idd` in global_defs; ignored"
        );
        assert_eq!(d[0].help.as_deref(), Some("did you mean `router_id`?"));
    }

    #[test]
    fn repeated_keyword_last_wins() {
        // keepalived: a later router_id replaces the earlier one.
        let text = gd("router_id a\nrouter_id b");
        assert_eq!(global(&text).router_id.as_deref(), Some("b"));
        assert_eq!(
            diags(&text),
            ["warning 3:1 `router_id` given again; this one wins"]
        );
    }

    #[test]
    fn notification_email_accumulates() {
        let g = global(&gd("notification_email {\n a@example.com\n}\nnotification_email {\n b@example.com c@example.com\n}"));
        assert_eq!(
            g.notification_email,
            ["a@example.com", "b@example.com", "c@example.com"]
        );
    }

    #[test]
    fn vigil_extensions() {
        let g = global(&gd(
            "vrrp_user vigil\nchecker_user nobody\ncontrol_socket /run/x.ctl",
        ));
        assert_eq!(g.vrrp_user.as_deref(), Some("vigil"));
        assert_eq!(g.checker_user.as_deref(), Some("nobody"));
        assert_eq!(g.control_socket, "/run/x.ctl");
        assert_eq!(
            errors(&gd("control_socket x.ctl")),
            ["error 2:16 `control_socket` must be an absolute path, not `x.ctl`"]
        );
    }

    #[test]
    fn top_level_keywords() {
        // keepalived.conf(5), "Global definitions": keywords outside global_defs.
        let g = global("net_namespace ns1\nnet_namespace_ipvs\ninstance i1\nuse_pid_dir\nlinkbeat_use_polling\nchild_wait_time 100000\n");
        assert_eq!(g.net_namespace.as_deref(), Some("ns1"));
        assert_eq!(g.net_namespace_ipvs, Some(IpvsNamespace::Default));
        assert_eq!(g.instance.as_deref(), Some("i1"));
        assert!(g.use_pid_dir && g.linkbeat_use_polling);
        assert_eq!(g.child_wait_time, Timer::secs(100_000));
        // keepalived 2.2.7: "Invalid child_wait_time 1.5".
        assert_eq!(
            errors("child_wait_time 1.5\n"),
            ["error 1:17 `child_wait_time` must be a number from 0 to 4294967295, not `1.5`"]
        );
    }

    #[test]
    fn linkbeat_interfaces_methods() {
        // keepalived.conf(5), "Linkbeat interfaces": NAME [MII|ETHTOOL|IOCTL], upper case only.
        let l = load("linkbeat_interfaces {\n eth0\n eth1 IOCTL\n}\n");
        assert!(!l.diags.has_errors());
        let li = &l.config.statics.linkbeat_interfaces;
        assert_eq!(
            (li[0].method, li[1].method),
            (None, Some(LinkbeatMethod::Ioctl))
        );
        assert_eq!(
            errors("linkbeat_interfaces {\n eth0 mii\n}\n"),
            ["error 2:7 `linkbeat_interfaces` must be one of MII, ETHTOOL, IOCTL, not `mii`"]
        );
    }

    #[test]
    fn track_group_declares_and_is_referenced() {
        // keepalived 2.2.7: "track_group G not found" for an undefined group.
        let e = errors("static_ipaddress {\n 192.0.2.1 dev eth0 track_group G\n}\n");
        assert_eq!(e, ["error 2:33 `track_group` names `G`, but no static_track_group of that name is defined"]);
        // "track_group must have a name"; "track group G has empty group block".
        assert_eq!(
            errors("track_group {\n}\n"),
            ["error 1:1 `track_group` needs a name"]
        );
        assert_eq!(
            errors("track_group G {\n group {\n }\n}\n"),
            ["error 2:2 track group `G` has an empty group block"]
        );
        let l = load("track_group G {\n group {\n VI_1\n }\n}\ntrack_group G {\n}\n");
        let e = own_errors(&l);
        assert_eq!(e, ["static_track_group `G` is defined twice"]);
    }

    #[test]
    fn static_blocks_collect_lines() {
        let l = load("static_ipaddress {\n 192.0.2.1/24 dev eth0\n}\nstatic_routes {\n 198.51.100.0/24 via 192.0.2.254 dev eth0\n}\nstatic_rules {\n from 192.0.2.0/24 table 7 preference 70\n}\n");
        assert!(!l.diags.has_errors(), "{:?}", l.diags);
        let s = &l.config.statics;
        assert_eq!(
            (s.addresses.len(), s.routes.len(), s.rules.len()),
            (1, 1, 1)
        );
    }
}
