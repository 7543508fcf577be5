//! Canonical printing of the LVS part: `SSL`, `virtual_server_group`, `virtual_server`.
//! Real server options equal to the virtual server's are left out (they are inherited).

use super::Printer;
use crate::model::common::Script;
use crate::model::lvs::{
    Scheduler, Service, VirtualServer, VirtualServerGroup, VsgEntry, DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_DELAY_LOOP,
};
use crate::model::Config;

/// Prints this module's part of the configuration.
pub fn print(cfg: &Config, p: &mut Printer) {
    let lvs = &cfg.lvs;
    if let Some(ssl) = &lvs.ssl {
        p.open_block("SSL");
        p.opt("password", &ssl.password);
        p.opt("ca", &ssl.ca);
        p.opt("certificate", &ssl.certificate);
        p.opt("key", &ssl.key);
        p.close();
        p.blank();
    }
    for g in &lvs.virtual_server_groups {
        group(g, p);
        p.blank();
    }
    for vs in &lvs.virtual_servers {
        virtual_server(vs, p);
        p.blank();
    }
}

fn group(g: &VirtualServerGroup, p: &mut Printer) {
    p.open("virtual_server_group", [&g.name]);
    for e in &g.entries {
        match e {
            VsgEntry::Range { first, last, port } => {
                let mut words = vec![if first == last {
                    first.to_string()
                } else {
                    format!("{first}-{last}")
                }];
                words.extend(port.map(|x| x.to_string()));
                p.words(words);
            }
            VsgEntry::Fwmark { mark, family } => {
                let mut words = vec!["fwmark".to_string(), mark.to_string()];
                words.extend(family.map(|f| f.to_string()));
                p.words(words);
            }
        }
    }
    p.close();
}

fn script(p: &mut Printer, kw: &str, s: &Option<Script>) {
    if let Some(s) = s {
        let mut words = vec![s.command.clone()];
        words.extend(s.user.clone());
        words.extend(s.group.clone());
        p.script_line(kw, words);
    }
}

fn virtual_server(vs: &VirtualServer, p: &mut Printer) {
    let head: Vec<String> = match &vs.service {
        Service::Address { address, port } => {
            let mut w = vec![address.to_string()];
            w.extend(port.map(|x| x.to_string()));
            w
        }
        Service::Fwmark(m) => vec!["fwmark".into(), m.to_string()],
        Service::Group(g) => vec!["group".into(), g.clone()],
    };
    p.open("virtual_server", head);
    p.opt("ip_family", &vs.ip_family);
    p.value("lvs_sched", vs.scheduler);
    let (f1, f2) = match vs.scheduler {
        Scheduler::Sh => ("sh-fallback", "sh-port"),
        Scheduler::Mh => ("mh-fallback", "mh-port"),
        _ => ("flag-1", "flag-2"),
    };
    p.flag(f1, vs.sched_flags.flag_1);
    p.flag(f2, vs.sched_flags.flag_2);
    p.flag("flag-3", vs.sched_flags.flag_3);
    p.flag("ops", vs.ops);
    if let Some(m) = &vs.lvs_method {
        p.line("lvs_method", m.words());
    }
    p.opt("persistence_timeout", &vs.persistence_timeout);
    p.opt("persistence_engine", &vs.persistence_engine);
    p.opt("persistence_granularity", &vs.persistence_granularity);
    p.opt("protocol", &vs.protocol);
    p.flag("ha_suspend", vs.ha_suspend);
    p.opt("smtp_alert", &vs.smtp_alert);
    p.opt("virtualhost", &vs.virtualhost);
    p.flag("alpha", vs.alpha);
    p.flag("omega", vs.omega);
    p.non_default("quorum", &vs.quorum, &1);
    p.non_default("hysteresis", &vs.hysteresis, &0);
    script(p, "quorum_up", &vs.quorum_up);
    script(p, "quorum_down", &vs.quorum_down);
    p.non_default("weight", &vs.weight, &1);
    if let Some(s) = &vs.sorry_server {
        let mut w = vec![s.address.to_string()];
        w.extend(s.port.map(|x| x.to_string()));
        p.line("sorry_server", w);
        p.flag("sorry_server_inhibit", s.inhibit);
        if Some(s.lvs_method) != vs.lvs_method {
            p.line("sorry_server_lvs_method", s.lvs_method.words());
        }
    }
    p.non_default(
        "connect_timeout",
        &vs.connect_timeout,
        &DEFAULT_CONNECT_TIMEOUT,
    );
    p.opt("retry", &vs.retry);
    p.opt("delay_before_retry", &vs.delay_before_retry);
    p.opt("warmup", &vs.warmup);
    p.non_default("delay_loop", &vs.delay_loop, &DEFAULT_DELAY_LOOP);
    p.flag("inhibit_on_failure", vs.inhibit_on_failure);
    for rs in &vs.real_servers {
        let mut w = vec![rs.address.to_string()];
        w.extend(rs.port.map(|x| x.to_string()));
        p.open("real_server", w);
        p.non_default("weight", &rs.weight, &vs.weight);
        if Some(rs.lvs_method) != vs.lvs_method {
            p.line("lvs_method", rs.lvs_method.words());
        }
        script(p, "notify_up", &rs.notify_up);
        script(p, "notify_down", &rs.notify_down);
        p.non_default("uthreshold", &rs.uthreshold, &0);
        p.non_default("lthreshold", &rs.lthreshold, &0);
        p.opt("smtp_alert", &rs.smtp_alert);
        if rs.virtualhost != vs.virtualhost {
            p.opt("virtualhost", &rs.virtualhost);
        }
        p.non_default("alpha", &rs.alpha, &vs.alpha);
        p.non_default("connect_timeout", &rs.connect_timeout, &vs.connect_timeout);
        if rs.retry != vs.retry {
            p.opt("retry", &rs.retry);
        }
        if rs.delay_before_retry != vs.delay_before_retry {
            p.opt("delay_before_retry", &rs.delay_before_retry);
        }
        if rs.warmup != vs.warmup {
            p.opt("warmup", &rs.warmup);
        }
        p.non_default("delay_loop", &rs.delay_loop, &vs.delay_loop);
        p.non_default(
            "inhibit_on_failure",
            &rs.inhibit_on_failure,
            &vs.inhibit_on_failure,
        );
        for c in &rs.checkers {
            crate::print::check::checker(c, p);
        }
        p.close();
    }
    p.close();
}
