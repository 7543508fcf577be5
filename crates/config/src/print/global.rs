//! Printing the global part: top-level keywords, `global_defs` (non-default values
//! only, in model field order), `linkbeat_interfaces`, `track_group` blocks and the
//! static blocks.

use super::Printer;
use crate::model::common::{Script, Timer};
use crate::model::global::{
    DynamicInterfaces, Fifo, FlushOnStop, GlobalDefs, IpvsNamespace, LinkbeatMethod, ProcessTuning,
    RcvBuf, ReloadFile, RxBufsPolicy, SmtpHost,
};
use crate::model::Config;

/// Prints this module's part of the configuration.
pub fn print(cfg: &Config, p: &mut Printer) {
    let g = &cfg.global;
    let d = GlobalDefs::default();
    let top = g.net_namespace.is_some()
        || g.net_namespace_ipvs.is_some()
        || g.instance.is_some()
        || g.use_pid_dir
        || g.linkbeat_use_polling
        || g.child_wait_time != d.child_wait_time;
    p.opt("net_namespace", &g.net_namespace);
    match &g.net_namespace_ipvs {
        Some(IpvsNamespace::Default) => p.word("net_namespace_ipvs"),
        Some(IpvsNamespace::Named(n)) => p.value("net_namespace_ipvs", n),
        None => {}
    }
    p.opt("instance", &g.instance);
    p.flag("use_pid_dir", g.use_pid_dir);
    p.flag("linkbeat_use_polling", g.linkbeat_use_polling);
    if g.child_wait_time != d.child_wait_time {
        p.value("child_wait_time", g.child_wait_time.micros() / 1_000_000);
    }
    if top {
        p.blank();
    }

    let body = global_defs(g, &d);
    if !body.is_empty() {
        p.open_block("global_defs");
        for line in body {
            line(p);
        }
        p.close();
        p.blank();
    }

    let s = &cfg.statics;
    if !s.linkbeat_interfaces.is_empty() {
        p.open_block("linkbeat_interfaces");
        for l in &s.linkbeat_interfaces {
            let m = l.method.map(|m| match m {
                LinkbeatMethod::Mii => "MII",
                LinkbeatMethod::Ethtool => "ETHTOOL",
                LinkbeatMethod::Ioctl => "IOCTL",
            });
            p.words(std::iter::once(l.name.as_str()).chain(m));
        }
        p.close();
        p.blank();
    }
    for t in &s.track_groups {
        p.open("track_group", [&t.name]);
        p.open_block("group");
        for i in &t.instances {
            p.words([i]);
        }
        p.close();
        p.close();
        p.blank();
    }
    if !s.addresses.is_empty() {
        p.open_block("static_ipaddress");
        for a in &s.addresses {
            super::ipaddr::address(a, p);
        }
        p.close();
        p.blank();
    }
    if !s.routes.is_empty() {
        p.open_block("static_routes");
        for r in &s.routes {
            super::ipaddr::route(r, p);
        }
        p.close();
        p.blank();
    }
    if !s.rules.is_empty() {
        p.open_block("static_rules");
        for r in &s.rules {
            super::ipaddr::rule(r, p);
        }
        p.close();
        p.blank();
    }
}

type Line = Box<dyn Fn(&mut Printer)>;

fn secs(t: Timer) -> u64 {
    t.micros() / 1_000_000
}

fn script_line(k: &'static str, s: &Option<Script>) -> Option<Line> {
    let s = s.clone()?;
    Some(Box::new(move |p: &mut Printer| {
        let mut args = vec![s.command.clone()];
        args.extend(s.user.clone());
        args.extend(s.group.clone());
        p.script_line(k, args);
    }))
}

fn fifo_line(k: &'static str, f: &Option<Fifo>) -> Option<Line> {
    let f = f.clone()?;
    Some(Box::new(move |p: &mut Printer| {
        let mut args = vec![f.path.clone()];
        args.extend(f.user.clone());
        args.extend(f.group.clone());
        p.line(k, args);
    }))
}

fn value<T: std::fmt::Display + 'static>(k: &'static str, v: T) -> Line {
    Box::new(move |p: &mut Printer| p.value(k, &v))
}

fn word(k: &'static str) -> Line {
    Box::new(move |p: &mut Printer| p.word(k))
}

fn words(k: &'static str, args: Vec<String>) -> Line {
    Box::new(move |p: &mut Printer| p.line(k, args.clone()))
}

fn onoff(b: bool) -> &'static str {
    if b {
        "on"
    } else {
        "off"
    }
}

/// The lines of `global_defs`, in model order.
fn global_defs(g: &GlobalDefs, d: &GlobalDefs) -> Vec<Line> {
    let mut out: Vec<Line> = Vec::new();
    macro_rules! flag {
        ($k:literal, $v:expr) => {
            if $v {
                out.push(word($k));
            }
        };
    }
    macro_rules! opt {
        ($k:literal, $v:expr) => {
            if let Some(v) = $v.clone() {
                out.push(value($k, v));
            }
        };
    }
    macro_rules! nondef {
        ($k:literal, $v:expr, $d:expr) => {
            if $v != $d {
                out.push(value($k, $v.clone()));
            }
        };
    }
    macro_rules! optbool {
        ($k:literal, $v:expr) => {
            if let Some(b) = $v {
                out.push(value($k, onoff(b)));
            }
        };
    }

    let n = &g.process_names;
    flag!("process_names", n.defaults);
    opt!("process_name", n.parent);
    opt!("vrrp_process_name", n.vrrp);
    opt!("checker_process_name", n.checker);
    opt!("bfd_process_name", n.bfd);
    out.extend(script_line("startup_script", &g.startup_script));
    if g.startup_script_timeout != d.startup_script_timeout {
        out.push(value(
            "startup_script_timeout",
            secs(g.startup_script_timeout),
        ));
    }
    out.extend(script_line("shutdown_script", &g.shutdown_script));
    if g.shutdown_script_timeout != d.shutdown_script_timeout {
        out.push(value(
            "shutdown_script_timeout",
            secs(g.shutdown_script_timeout),
        ));
    }

    if !g.notification_email.is_empty() {
        let emails = g.notification_email.clone();
        out.push(Box::new(move |p: &mut Printer| {
            p.open_block("notification_email");
            for e in &emails {
                p.words([e]);
            }
            p.close();
        }));
    }
    opt!("notification_email_from", g.notification_email_from);
    if let Some(s) = &g.smtp_server {
        let host = match &s.host {
            SmtpHost::Ip(a) => a.to_string(),
            SmtpHost::Name(n) => n.clone(),
        };
        let mut args = vec![host];
        if s.port != 25 {
            args.push(s.port.to_string());
        }
        out.push(words("smtp_server", args));
    }
    opt!("smtp_helo_name", g.smtp_helo_name);
    if g.smtp_connect_timeout != d.smtp_connect_timeout {
        out.push(value("smtp_connect_timeout", secs(g.smtp_connect_timeout)));
    }
    optbool!("smtp_alert", g.smtp_alert);
    optbool!("smtp_alert_vrrp", g.smtp_alert_vrrp);
    optbool!("smtp_alert_checker", g.smtp_alert_checker);
    flag!("checker_log_all_failures", g.checker_log_all_failures);
    flag!("no_email_faults", g.no_email_faults);
    opt!("router_id", g.router_id);
    flag!("rs_init_notifies", g.rs_init_notifies);
    flag!("no_checker_emails", g.no_checker_emails);

    nondef!(
        "vrrp_mcast_group4",
        g.vrrp_mcast_group4,
        d.vrrp_mcast_group4
    );
    nondef!(
        "vrrp_mcast_group6",
        g.vrrp_mcast_group6,
        d.vrrp_mcast_group6
    );
    nondef!(
        "default_interface",
        g.default_interface,
        d.default_interface
    );
    if g.vrrp_garp_master_delay != d.vrrp_garp_master_delay {
        out.push(value(
            "vrrp_garp_master_delay",
            secs(g.vrrp_garp_master_delay),
        ));
    }
    nondef!(
        "vrrp_garp_master_repeat",
        g.vrrp_garp_master_repeat,
        d.vrrp_garp_master_repeat
    );
    if let Some(t) = g.vrrp_garp_lower_prio_delay {
        out.push(value("vrrp_garp_lower_prio_delay", secs(t)));
    }
    opt!("vrrp_garp_lower_prio_repeat", g.vrrp_garp_lower_prio_repeat);
    if g.vrrp_garp_master_refresh != d.vrrp_garp_master_refresh {
        out.push(value(
            "vrrp_garp_master_refresh",
            secs(g.vrrp_garp_master_refresh),
        ));
    }
    nondef!(
        "vrrp_garp_master_refresh_repeat",
        g.vrrp_garp_master_refresh_repeat,
        d.vrrp_garp_master_refresh_repeat
    );
    nondef!(
        "vrrp_garp_interval",
        g.vrrp_garp_interval,
        d.vrrp_garp_interval
    );
    nondef!(
        "vrrp_gna_interval",
        g.vrrp_gna_interval,
        d.vrrp_gna_interval
    );
    flag!("vrrp_min_garp", g.vrrp_min_garp);
    if let Some(x) = g.vrrp_garp_extra_if {
        let mut args = Vec::new();
        if x.all {
            args.push("all".to_string());
        }
        args.push(secs(x.interval).to_string());
        out.push(words("vrrp_garp_extra_if", args));
    }
    nondef!(
        "vrrp_down_timer_adverts",
        g.vrrp_down_timer_adverts,
        d.vrrp_down_timer_adverts
    );
    optbool!("vrrp_lower_prio_no_advert", g.vrrp_lower_prio_no_advert);
    flag!(
        "vrrp_higher_prio_send_advert",
        g.vrrp_higher_prio_send_advert
    );
    nondef!("vrrp_version", g.vrrp_version, d.vrrp_version);
    flag!("vrrp_check_unicast_src", g.vrrp_check_unicast_src);
    flag!("vrrp_skip_check_adv_addr", g.vrrp_skip_check_adv_addr);
    flag!("vrrp_strict", g.vrrp_strict);
    flag!(
        "vrrp_notify_priority_changes",
        g.vrrp_notify_priority_changes
    );
    opt!("vrrp_startup_delay", g.vrrp_startup_delay);
    flag!("log_unknown_vrids", g.log_unknown_vrids);
    nondef!("vmac_prefix", g.vmac_prefix, d.vmac_prefix);
    opt!("vmac_addr_prefix", g.vmac_addr_prefix);
    flag!("disable_local_igmp", g.disable_local_igmp);
    match g.dynamic_interfaces {
        DynamicInterfaces::Off => {}
        DynamicInterfaces::On => out.push(word("dynamic_interfaces")),
        DynamicInterfaces::AllowIfChanges => {
            out.push(value("dynamic_interfaces", "allow_if_changes"))
        }
    }
    flag!(
        "fifo_write_vrrp_states_on_reload",
        g.fifo_write_vrrp_states_on_reload
    );
    match g.vrrp_rx_bufs_policy {
        None => {}
        Some(RxBufsPolicy::Mtu) => out.push(value("vrrp_rx_bufs_policy", "MTU")),
        Some(RxBufsPolicy::Advert) => out.push(value("vrrp_rx_bufs_policy", "ADVERT")),
        Some(RxBufsPolicy::Size(n)) => out.push(value("vrrp_rx_bufs_policy", n)),
    }
    nondef!(
        "vrrp_rx_bufs_multiplier",
        g.vrrp_rx_bufs_multiplier,
        d.vrrp_rx_bufs_multiplier
    );

    opt!("nftables", g.nftables);
    nondef!(
        "nftables_priority",
        g.nftables_priority,
        d.nftables_priority
    );
    flag!("nftables_counters", g.nftables_counters);
    flag!("nftables_ifindex", g.nftables_ifindex);
    opt!("nftables_ipvs", g.nftables_ipvs);
    opt!("nftables_ipvs_priority", g.nftables_ipvs_priority);
    nondef!(
        "nftables_ipvs_start_fwmark",
        g.nftables_ipvs_start_fwmark,
        d.nftables_ipvs_start_fwmark
    );

    if let Some(s) = &g.lvs_sync_daemon {
        let mut a = vec![s.interface.clone()];
        if let Some(i) = &s.instance {
            a.extend(["inst".to_string(), i.clone()]);
        }
        let mut kv = |k: &str, v: Option<String>| {
            if let Some(v) = v {
                a.push(k.into());
                a.push(v);
            }
        };
        kv("id", s.syncid.map(|x| x.to_string()));
        kv("maxlen", s.maxlen.map(|x| x.to_string()));
        kv("port", s.port.map(|x| x.to_string()));
        kv("ttl", s.ttl.map(|x| x.to_string()));
        kv("group", s.group.map(|x| x.to_string()));
        out.push(words("lvs_sync_daemon", a));
    }
    if let Some(t) = &g.lvs_timeouts {
        let mut a = Vec::new();
        for (k, v) in [("tcp", t.tcp), ("tcpfin", t.tcpfin), ("udp", t.udp)] {
            if let Some(v) = v {
                a.push(k.to_string());
                a.push(v.to_string());
            }
        }
        out.push(words("lvs_timeouts", a));
    }
    flag!("lvs_flush", g.lvs_flush);
    match g.lvs_flush_on_stop {
        None => {}
        Some(FlushOnStop::All) => out.push(word("lvs_flush_on_stop")),
        Some(FlushOnStop::VirtualServers) => out.push(value("lvs_flush_on_stop", "VS")),
    }

    for (name, t) in [
        ("vrrp", &g.vrrp_process),
        ("checker", &g.checker_process),
        ("bfd", &g.bfd_process),
    ] {
        process_lines(&mut out, name, t);
    }
    if g.max_auto_priority != d.max_auto_priority {
        out.push(value("max_auto_priority", g.max_auto_priority));
    }
    nondef!(
        "min_auto_priority_delay",
        g.min_auto_priority_delay,
        d.min_auto_priority_delay
    );
    let r = &g.rcv_bufs;
    for (k, b) in [
        ("vrrp_netlink_cmd_rcv_bufs", r.vrrp_netlink_cmd),
        ("vrrp_netlink_monitor_rcv_bufs", r.vrrp_netlink_monitor),
        ("lvs_netlink_cmd_rcv_bufs", r.lvs_netlink_cmd),
        ("lvs_netlink_monitor_rcv_bufs", r.lvs_netlink_monitor),
        ("process_monitor_rcv_bufs", r.process_monitor),
    ] {
        rcv_lines(&mut out, k, b);
    }
    if g.umask != d.umask {
        out.push(value("umask", format!("0{:o}", g.umask)));
    }

    if let Some(u) = &g.script_user {
        let mut a = vec![u.user.clone()];
        a.extend(u.group.clone());
        out.push(words("script_user", a));
    }
    flag!("enable_script_security", g.enable_script_security);
    out.extend(fifo_line("notify_fifo", &g.notify_fifo));
    out.extend(script_line("notify_fifo_script", &g.notify_fifo_script));
    out.extend(fifo_line("vrrp_notify_fifo", &g.vrrp_notify_fifo));
    out.extend(script_line(
        "vrrp_notify_fifo_script",
        &g.vrrp_notify_fifo_script,
    ));
    out.extend(fifo_line("lvs_notify_fifo", &g.lvs_notify_fifo));
    out.extend(script_line(
        "lvs_notify_fifo_script",
        &g.lvs_notify_fifo_script,
    ));

    opt!("random_seed", g.random_seed);
    if let Some(c) = g.include_check {
        // The levels that are on, by name (parsing starts from none); `-match` alone
        // for none at all, since a bare `include_check` means all.
        let mut a: Vec<String> = [
            (c.readable, "read"),
            (c.matched, "match"),
            (c.wildcard_match, "wildcard_match"),
            (c.brace_match, "brace_match"),
        ]
        .iter()
        .filter(|(on, _)| *on)
        .map(|(_, k)| k.to_string())
        .collect();
        if a.is_empty() {
            a.push("-match".into());
        }
        out.push(words("include_check", a));
    }
    opt!("reload_time_file", g.reload_time_file);
    flag!("reload_repeat", g.reload_repeat);
    match &g.reload_file {
        None => {}
        Some(ReloadFile::Default) => out.push(word("reload_file")),
        Some(ReloadFile::Path(x)) => out.push(value("reload_file", x.clone())),
    }

    opt!("vrrp_user", g.vrrp_user);
    opt!("checker_user", g.checker_user);
    nondef!("control_socket", g.control_socket, d.control_socket);
    out
}

fn process_lines(out: &mut Vec<Line>, name: &str, t: &ProcessTuning) {
    let d = ProcessTuning::default();
    let k = |s: &str| -> &'static str {
        // The keyword set is fixed; leak-free lookup from a static table.
        KEYS.iter()
            .find(|k| **k == s)
            .copied()
            .unwrap_or("vrrp_priority")
    };
    if t.priority != d.priority {
        out.push(value(k(&format!("{name}_priority")), t.priority));
    }
    if t.no_swap {
        out.push(word(k(&format!("{name}_no_swap"))));
    }
    if !t.cpu_affinity.is_empty() {
        out.push(words(
            k(&format!("{name}_cpu_affinity")),
            t.cpu_affinity.iter().map(|c| c.to_string()).collect(),
        ));
    }
    if let Some(r) = t.rt_priority {
        out.push(value(k(&format!("{name}_rt_priority")), r));
    }
    if t.rlimit_rttime != d.rlimit_rttime {
        out.push(value(k(&format!("{name}_rlimit_rttime")), t.rlimit_rttime));
    }
}

const KEYS: &[&str] = &[
    "vrrp_priority",
    "vrrp_no_swap",
    "vrrp_cpu_affinity",
    "vrrp_rt_priority",
    "vrrp_rlimit_rttime",
    "checker_priority",
    "checker_no_swap",
    "checker_cpu_affinity",
    "checker_rt_priority",
    "checker_rlimit_rttime",
    "bfd_priority",
    "bfd_no_swap",
    "bfd_cpu_affinity",
    "bfd_rt_priority",
    "bfd_rlimit_rttime",
];

fn rcv_lines(out: &mut Vec<Line>, k: &'static str, b: RcvBuf) {
    if let Some(n) = b.size {
        out.push(value(k, n));
    }
    if b.force {
        let fk = match k {
            "vrrp_netlink_cmd_rcv_bufs" => "vrrp_netlink_cmd_rcv_bufs_force",
            "vrrp_netlink_monitor_rcv_bufs" => "vrrp_netlink_monitor_rcv_bufs_force",
            "lvs_netlink_cmd_rcv_bufs" => "lvs_netlink_cmd_rcv_bufs_force",
            "lvs_netlink_monitor_rcv_bufs" => "lvs_netlink_monitor_rcv_bufs_force",
            _ => "process_monitor_rcv_bufs_force",
        };
        out.push(word(fk));
    }
}
