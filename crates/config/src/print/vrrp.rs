//! Printing the VRRP part: scripts, tracked files and processes, garp groups, instances,
//! sync groups and interface delays, in that order (a tracked object must come before
//! the instances that name it, as keepalived reads the file in one pass).

use super::Printer;
use crate::model::common::{Script, Timer};
use crate::model::vrrp::{
    AuthType, InitialState, Instance, IpvlanMode, Notify, OldChecksum, ParamMatch, SyncGroup,
    TrackInterface, TrackRef, VmacAddress,
};
use crate::model::Config;

/// Prints this module's part of the configuration.
pub fn print(cfg: &Config, p: &mut Printer) {
    let v = &cfg.vrrp;
    for s in &v.scripts {
        p.open("vrrp_script", [&s.name]);
        p.script_line("script", [&s.script.command]);
        p.non_default("interval", &s.interval, &Timer::secs(1));
        p.opt("timeout", &s.timeout);
        weight_line(p, s.weight, s.weight_reverse, 0);
        p.non_default("rise", &s.rise, &1);
        p.non_default("fall", &s.fall, &1);
        if let Some(u) = &s.script.user {
            p.line(
                "user",
                [Some(u), s.script.group.as_ref()].into_iter().flatten(),
            );
        }
        p.flag("init_fail", s.init_fail);
        p.close();
        p.blank();
    }
    for f in &v.track_files {
        p.open("track_file", [&f.name]);
        p.value("file", &f.file);
        weight_line(p, f.weight, f.weight_reverse, 1);
        if let Some(init) = &f.init {
            let mut words = vec![init.value.to_string()];
            if init.overwrite {
                words.push("overwrite".into());
            }
            p.line("init_file", words);
        }
        p.close();
        p.blank();
    }
    for t in &v.track_processes {
        p.open("vrrp_track_process", [&t.name]);
        p.line(
            "process",
            std::iter::once(&t.process).chain(t.params.iter()),
        );
        match t.param_match {
            ParamMatch::None => {}
            ParamMatch::Exact => {
                if t.params.is_empty() {
                    p.word("param_match");
                }
            }
            ParamMatch::Partial => p.value("param_match", "partial"),
            ParamMatch::Initial => p.value("param_match", "initial"),
        }
        weight_line(p, t.weight, t.weight_reverse, 0);
        if t.quorum_max != Some(0) {
            p.non_default("quorum", &t.quorum, &1);
        }
        p.opt("quorum_max", &t.quorum_max);
        p.non_default("fork_delay", &t.fork_delay, &Timer(0));
        p.non_default("terminate_delay", &t.terminate_delay, &Timer(0));
        let implied = !t.params.is_empty() || t.param_match != ParamMatch::None;
        p.flag("full_command", t.full_command && !implied);
        p.close();
        p.blank();
    }
    for g in &v.garp_groups {
        p.open_block("garp_group");
        p.opt("garp_interval", &g.garp_interval);
        p.opt("gna_interval", &g.gna_interval);
        p.opt("interface", &g.interface);
        if !g.interfaces.is_empty() {
            p.open_block("interfaces");
            for i in &g.interfaces {
                p.words([i]);
            }
            p.close();
        }
        p.close();
        p.blank();
    }
    for i in &v.instances {
        instance(i, p);
        p.blank();
    }
    for g in &v.sync_groups {
        sync_group(g, p);
        p.blank();
    }
    if !v.interface_up_down_delays.is_empty() {
        p.open_block("interface_up_down_delays");
        for d in &v.interface_up_down_delays {
            let mut words = vec![d.interface.clone(), d.down.to_string()];
            if let Some(up) = d.up {
                words.push(up.to_string());
            }
            p.words(words);
        }
        p.close();
        p.blank();
    }
}

fn weight_line(p: &mut Printer, weight: i32, reverse: bool, default: i32) {
    if weight != default || reverse {
        let mut words = vec![weight.to_string()];
        if reverse {
            words.push("reverse".into());
        }
        p.line("weight", words);
    }
}

fn on_off(b: bool) -> &'static str {
    if b {
        "on"
    } else {
        "off"
    }
}

fn bool_opt(p: &mut Printer, kw: &str, v: Option<bool>) {
    if let Some(b) = v {
        p.value(kw, on_off(b));
    }
}

fn script_line(p: &mut Printer, kw: &str, s: &Option<Script>) {
    if let Some(s) = s {
        p.script_line(kw, script_words(s));
    }
}

fn script_words(s: &Script) -> Vec<&String> {
    std::iter::once(&s.command)
        .chain(s.user.iter())
        .chain(s.user.as_ref().and(s.group.as_ref()))
        .collect()
}

fn notify(p: &mut Printer, n: &Notify) {
    script_line(p, "notify_master", &n.master);
    script_line(p, "notify_backup", &n.backup);
    script_line(p, "notify_fault", &n.fault);
    script_line(p, "notify_stop", &n.stop);
    script_line(p, "notify", &n.any);
}

fn track_interfaces(p: &mut Printer, list: &[TrackInterface]) {
    if list.is_empty() {
        return;
    }
    p.open_block("track_interface");
    for t in list {
        let mut words = vec![t.interface.clone()];
        if t.weight != 0 || t.reverse {
            words.push("weight".into());
            words.push(t.weight.to_string());
            if t.reverse {
                words.push("reverse".into());
            }
        }
        p.words(words);
    }
    p.close();
}

fn track_refs(p: &mut Printer, kw: &str, list: &[TrackRef]) {
    if list.is_empty() {
        return;
    }
    p.open_block(kw);
    for t in list {
        let mut words = vec![t.name.clone()];
        if let Some(w) = t.weight {
            words.push("weight".into());
            words.push(w.to_string());
            match t.reverse {
                Some(true) => words.push("reverse".into()),
                Some(false) => words.push("noreverse".into()),
                None => {}
            }
        }
        p.words(words);
    }
    p.close();
}

fn mac(m: &VmacAddress) -> String {
    let octets: &[u8] = match m {
        VmacAddress::Full(o) => o,
        VmacAddress::Prefix(o) => o,
    };
    octets
        .iter()
        .map(|o| format!("{o:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

fn instance(i: &Instance, p: &mut Printer) {
    p.open("vrrp_instance", [&i.name]);
    if i.state == InitialState::Master {
        p.value("state", "MASTER");
    }
    p.opt("interface", &i.interface);
    p.opt("vrf", &i.vrf);
    p.flag("native_ipv6", i.native_ipv6);
    if let Some(v) = &i.use_vmac {
        let mut words: Vec<String> = v.name.iter().cloned().collect();
        words.extend(v.mac.as_ref().map(mac));
        p.line("use_vmac", words);
    }
    p.flag("use_vmac_addr", i.use_vmac_addr);
    p.flag("vmac_xmit_base", i.vmac_xmit_base);
    if let Some(v) = &i.use_ipvlan {
        let mut words: Vec<String> = v.name.iter().cloned().collect();
        if let Some(a) = v.address {
            words.push(match v.prefix {
                Some(pl) => format!("{a}/{pl}"),
                None => a.to_string(),
            });
        }
        match v.mode {
            IpvlanMode::Bridge => {}
            IpvlanMode::Private => words.push("private".into()),
            IpvlanMode::Vepa => words.push("vepa".into()),
        }
        p.line("use_ipvlan", words);
    }
    p.flag("dont_track_primary", i.dont_track_primary);
    track_interfaces(p, &i.track_interfaces);
    track_refs(p, "track_script", &i.track_scripts);
    track_refs(p, "track_file", &i.track_files);
    track_refs(p, "track_process", &i.track_processes);
    track_refs(p, "track_bfd", &i.track_bfds);
    if let Some(a) = &i.src_ip {
        let kw = if i.is_unicast() || i.unicast_fault_no_peer {
            "unicast_src_ip"
        } else {
            "mcast_src_ip"
        };
        p.value(kw, a);
    }
    p.opt("mcast_dst_ip", &i.mcast_dst_ip);
    p.flag("track_src_ip", i.track_src_ip);
    p.opt("version", &i.version);
    let ttl_implied = i
        .unicast_peers
        .iter()
        .any(|u| u.min_ttl != 0 || u.max_ttl != 255);
    p.flag("check_unicast_src", i.check_unicast_src && !ttl_implied);
    if !i.unicast_peers.is_empty() {
        p.open_block("unicast_peer");
        for u in &i.unicast_peers {
            let mut words = vec![u.address.to_string()];
            if u.min_ttl != 0 {
                words.push("min_ttl".into());
                words.push(u.min_ttl.to_string());
            }
            if u.max_ttl != 255 {
                words.push("max_ttl".into());
                words.push(u.max_ttl.to_string());
            }
            p.words(words);
        }
        p.close();
    }
    p.flag("unicast_fault_no_peer", i.unicast_fault_no_peer);
    p.opt("unicast_ttl", &i.unicast_ttl);
    match i.old_unicast_checksum {
        None => {}
        Some(OldChecksum::Use) => p.word("old_unicast_checksum"),
        Some(OldChecksum::Never) => p.value("old_unicast_checksum", "never"),
    }
    p.opt("garp_master_delay", &i.garp_master_delay);
    p.opt("garp_master_repeat", &i.garp_master_repeat);
    p.opt("garp_lower_prio_delay", &i.garp_lower_prio_delay);
    p.opt("garp_lower_prio_repeat", &i.garp_lower_prio_repeat);
    p.opt("garp_master_refresh", &i.garp_master_refresh);
    p.opt("garp_master_refresh_repeat", &i.garp_master_refresh_repeat);
    if let Some(g) = &i.garp_extra_if {
        let mut words = Vec::new();
        if g.all {
            words.push("all".to_string());
        }
        words.push(g.interval.to_string());
        p.line("garp_extra_if", words);
    }
    p.non_default("down_timer_adverts", &i.down_timer_adverts, &3);
    bool_opt(p, "lower_prio_no_advert", i.lower_prio_no_advert);
    bool_opt(p, "higher_prio_send_advert", i.higher_prio_send_advert);
    p.value("virtual_router_id", i.virtual_router_id);
    // `state MASTER` without a priority means 255, so a MASTER always says its priority.
    if i.priority != 100 || i.state == InitialState::Master {
        p.value("priority", i.priority);
    }
    p.non_default("advert_int", &i.advert_int, &Timer::secs(1));
    if let Some(a) = &i.authentication {
        p.open_block("authentication");
        p.value(
            "auth_type",
            match a.auth_type {
                AuthType::Pass => "PASS",
                AuthType::Ah => "AH",
            },
        );
        if !a.password.is_empty() {
            p.value("auth_pass", &a.password);
        }
        p.close();
    }
    if !i.virtual_ipaddresses.is_empty() {
        p.open_block("virtual_ipaddress");
        for a in &i.virtual_ipaddresses {
            super::ipaddr::address(a, p);
        }
        p.close();
    }
    if !i.virtual_ipaddresses_excluded.is_empty() {
        p.open_block("virtual_ipaddress_excluded");
        for a in &i.virtual_ipaddresses_excluded {
            super::ipaddr::address(a, p);
        }
        p.close();
    }
    p.flag("promote_secondaries", i.promote_secondaries);
    if !i.virtual_routes.is_empty() {
        p.open_block("virtual_routes");
        for r in &i.virtual_routes {
            super::ipaddr::route(r, p);
        }
        p.close();
    }
    if !i.virtual_rules.is_empty() {
        p.open_block("virtual_rules");
        for r in &i.virtual_rules {
            super::ipaddr::rule(r, p);
        }
        p.close();
    }
    match i.accept {
        Some(true) => p.word("accept"),
        Some(false) => p.word("no_accept"),
        None => {}
    }
    p.flag("nopreempt", i.nopreempt);
    p.non_default("preempt_delay", &i.preempt_delay, &Timer(0));
    bool_opt(p, "skip_check_adv_addr", i.skip_check_adv_addr);
    bool_opt(p, "strict_mode", i.strict_mode);
    notify(p, &i.notify);
    if i.notify_deleted {
        match &i.notify_deleted_script {
            Some(s) => p.line("notify_deleted", script_words(s)),
            None => p.word("notify_deleted"),
        }
    }
    script_line(
        p,
        "notify_master_rx_lower_pri",
        &i.notify_master_rx_lower_pri,
    );
    bool_opt(p, "notify_priority_changes", i.notify_priority_changes);
    bool_opt(p, "smtp_alert", i.smtp_alert);
    p.opt("kernel_rx_buf_size", &i.kernel_rx_buf_size);
    p.close();
}

fn sync_group(g: &SyncGroup, p: &mut Printer) {
    p.open("vrrp_sync_group", [&g.name]);
    p.open_block("group");
    for m in &g.members {
        p.words([m]);
    }
    p.close();
    track_interfaces(p, &g.track_interfaces);
    track_refs(p, "track_script", &g.track_scripts);
    track_refs(p, "track_file", &g.track_files);
    track_refs(p, "track_process", &g.track_processes);
    track_refs(p, "track_bfd", &g.track_bfds);
    notify(p, &g.notify);
    bool_opt(p, "notify_priority_changes", g.notify_priority_changes);
    bool_opt(p, "smtp_alert", g.smtp_alert);
    p.flag("sync_group_tracking_weight", g.tracking_weight);
    p.close();
}
