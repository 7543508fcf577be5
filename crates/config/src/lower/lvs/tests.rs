//! Tests of the LVS section. References: keepalived.conf(5) LVS CONFIGURATION, and
//! keepalived 2.2.7 check_parser.c / check_data.c (behaviour confirmed with `keepalived -t`).

use crate::model::common::Timer;
use crate::model::lvs::*;
use crate::{load_str, Loaded, Options, Severity};
use std::net::IpAddr;
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

/// `line:col: message` of every error.
fn errors(l: &Loaded) -> Vec<String> {
    l.diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| match d.span {
            Some(s) => format!("{}:{}: {}", s.line, s.col, d.message),
            None => d.message.clone(),
        })
        .collect()
}

fn warnings(l: &Loaded) -> Vec<String> {
    l.diags
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .map(|d| d.message.clone())
        .collect()
}

fn clean(text: &str) -> Loaded {
    let l = load(text);
    assert!(errors(&l).is_empty(), "unexpected errors: {:?}", errors(&l));
    l
}

fn ip(s: &str) -> IpAddr {
    s.parse().expect("test address")
}

/// A minimal valid virtual server around `body`.
fn vs(body: &str) -> String {
    format!(
        "virtual_server 192.0.2.1 80 {{\n lvs_sched rr\n lvs_method NAT\n protocol TCP\n{body}\n real_server 198.51.100.1 80 {{\n }}\n}}\n"
    )
}

fn has_error(l: &Loaded, needle: &str) -> bool {
    errors(l).iter().any(|e| e.contains(needle))
}

// ----- virtual_server basics -----

#[test]
fn minimal_virtual_server_defaults() {
    // keepalived.conf(5): delay_loop 60 s, connect_timeout 5 s, quorum 1, weight 1.
    let l = clean(&vs(""));
    let v = &l.config.lvs.virtual_servers[0];
    assert_eq!(
        v.service,
        Service::Address {
            address: ip("192.0.2.1"),
            port: Some(80)
        }
    );
    assert_eq!(v.scheduler, Scheduler::Rr);
    assert_eq!(v.lvs_method, Some(Forwarding::Nat));
    assert_eq!(v.protocol, Some(Protocol::Tcp));
    assert_eq!(v.delay_loop, Timer::secs(60));
    assert_eq!(v.connect_timeout, Timer::secs(5));
    assert_eq!(v.quorum, 1);
    let rs = &v.real_servers[0];
    assert_eq!(rs.weight, 1);
    assert_eq!(rs.lvs_method, Forwarding::Nat);
    assert_eq!(rs.delay_loop, Timer::secs(60));
}

#[test]
fn missing_sched_method_protocol_are_errors_check_data_validate() {
    // check_data.c validate_check_config: "no protocol set", "no scheduler set",
    // "no forwarding method set" are configuration errors in keepalived -t.
    let l = load("virtual_server 192.0.2.1 80 {\n real_server 198.51.100.1 80 {\n }\n}\n");
    assert_eq!(
        errors(&l),
        vec![
            "1:1: virtual_server has no `lvs_sched`",
            "1:1: virtual_server has no `lvs_method`",
            "1:1: virtual_server has no `protocol`",
        ]
    );
}

#[test]
fn lvs_method_may_come_from_every_real_server() {
    let l = clean(
        "virtual_server 192.0.2.1 80 {\n lvs_sched rr\n protocol TCP\n real_server 198.51.100.1 80 {\n  lvs_method DR\n }\n}\n",
    );
    let v = &l.config.lvs.virtual_servers[0];
    assert_eq!(v.lvs_method, None);
    assert_eq!(v.real_servers[0].lvs_method, Forwarding::Dr);
}

#[test]
fn schedulers_check_parser_lvs_schedulers() {
    for s in [
        "rr", "wrr", "lc", "wlc", "lblc", "sh", "mh", "dh", "fo", "ovf", "lblcr", "sed", "nq",
        "twos",
    ] {
        let l = clean(&vs(&format!(" lvs_sched {s}")));
        assert_eq!(l.config.lvs.virtual_servers[0].scheduler.name(), s);
    }
    let l = load(&vs(" lvs_sched rrr"));
    assert!(has_error(&l, "`lvs_sched` must be one of"));
}

#[test]
fn lb_algo_and_lb_kind_are_accepted_silently_like_keepalived() {
    // keepalived's own samples use the old names; it says nothing about them.
    let l = clean(&vs(" lb_algo wrr\n lb_kind DR"));
    let v = &l.config.lvs.virtual_servers[0];
    assert_eq!(v.scheduler, Scheduler::Wrr);
    assert_eq!(v.lvs_method, Some(Forwarding::Dr));
    assert!(
        !warnings(&l).iter().any(|w| w.contains("old name")),
        "{:?}",
        warnings(&l)
    );
}

#[test]
fn sched_flags_follow_the_scheduler_lbflags_handler() {
    let l = clean(&vs(" lvs_sched sh\n sh-port\n sh-fallback\n flag-3"));
    let f = l.config.lvs.virtual_servers[0].sched_flags;
    assert!(f.flag_1 && f.flag_2 && f.flag_3);
    // keepalived: "sh-port only applies to sh scheduler".
    let l = load(&vs(" sh-port"));
    assert!(has_error(
        &l,
        "`sh-port` applies only to the sh and mh schedulers"
    ));
    let l = load(&vs(" hashed"));
    assert!(has_error(&l, "`hashed` applies only"));
    let l = clean(&vs(" lvs_sched mh\n mh-port\n flag-1"));
    let f = l.config.lvs.virtual_servers[0].sched_flags;
    assert!(f.flag_1 && f.flag_2 && !f.flag_3);
}

#[test]
fn vs_level_flags_refuse_arguments_keepalived_ignores() {
    // check_parser.c vs_alpha_handler: `alpha off` at virtual server level turns alpha on
    // in keepalived; vigil refuses the argument rather than do the opposite of it.
    let l = clean(&vs(" alpha\n omega\n ha_suspend\n inhibit_on_failure"));
    let v = &l.config.lvs.virtual_servers[0];
    assert!(v.alpha && v.omega && v.ha_suspend && v.inhibit_on_failure);
    assert!(v.real_servers[0].alpha && v.real_servers[0].inhibit_on_failure);
    let l = load(&vs(" alpha off"));
    assert_eq!(
        errors(&l),
        vec!["5:8: `alpha` takes no argument; keepalived would ignore `off` and turn it on"]
    );
}

#[test]
fn tunnel_options_svr_forwarding_handler() {
    let l = clean(&vs(" lvs_method TUN type gue port 6080 csum"));
    assert_eq!(
        l.config.lvs.virtual_servers[0].lvs_method,
        Some(Forwarding::Tun(Tunnel {
            kind: TunnelKind::Gue { port: 6080 },
            checksum: TunnelChecksum::Csum
        }))
    );
    assert!(has_error(
        &load(&vs(" lvs_method TUN type gue")),
        "a gue tunnel needs `port N`"
    ));
    assert!(has_error(
        &load(&vs(" lvs_method TUN type gre remcsum")),
        "gre tunnels do not support"
    ));
    assert!(has_error(
        &load(&vs(" lvs_method TUN type ipip csum")),
        "ipip tunnels have no checksum"
    ));
    assert!(has_error(
        &load(&vs(" lvs_method TUN port 5")),
        "`port` applies only to `type gue`"
    ));
    assert!(has_error(
        &load(&vs(" lvs_method nat")),
        "`lvs_method` must be one of NAT, DR, TUN"
    ));
}

#[test]
fn persistence_pto_pgr_pengine_handlers() {
    // persistence_timeout without a value is 360 s; range 1..2678400.
    let l = clean(&vs(" persistence_timeout"));
    assert_eq!(
        l.config.lvs.virtual_servers[0].persistence_timeout,
        Some(360)
    );
    assert!(has_error(
        &load(&vs(" persistence_timeout 0")),
        "from 1 to 2678400"
    ));
    // A granularity makes the service persistent.
    let l = clean(&vs(
        " persistence_granularity 255.255.255.0\n persistence_engine sip",
    ));
    let v = &l.config.lvs.virtual_servers[0];
    assert_eq!(v.persistence_timeout, Some(360));
    assert_eq!(
        v.persistence_granularity,
        Some(Granularity::Netmask("255.255.255.0".parse().expect("mask")))
    );
    assert!(has_error(
        &load(&vs(" persistence_engine abcdefghijklmnop")),
        "1 to 15 characters"
    ));
}

#[test]
fn port_zero_needs_persistence() {
    // "zero port only valid for persistent services".
    let l = load("virtual_server 192.0.2.1 0 {\n lvs_sched rr\n lvs_method NAT\n protocol TCP\n real_server 198.51.100.1 80 {\n }\n}\n");
    assert_eq!(
        errors(&l),
        vec!["1:1: a virtual_server without a port must be persistent"]
    );
    clean("virtual_server 192.0.2.1 {\n lvs_sched rr\n lvs_method NAT\n protocol TCP\n persistence_timeout 60\n real_server 198.51.100.1 {\n }\n}\n");
}

#[test]
fn fwmark_service_rejects_protocol_and_ha_suspend() {
    let l = clean("virtual_server fwmark 7 {\n lvs_sched rr\n lvs_method NAT\n real_server 198.51.100.1 80 {\n }\n}\n");
    assert_eq!(l.config.lvs.virtual_servers[0].service, Service::Fwmark(7));
    let l = load("virtual_server fwmark 7 {\n lvs_sched rr\n lvs_method NAT\n protocol TCP\n ha_suspend\n real_server 198.51.100.1 {\n }\n}\n");
    assert_eq!(
        errors(&l),
        vec![
            "5:2: `ha_suspend` cannot be used with fwmark services",
            "4:2: `protocol` does not apply to a fwmark service",
        ]
    );
    assert!(has_error(
        &load("virtual_server fwmark 0 {\n lvs_sched rr\n lvs_method NAT\n real_server 198.51.100.1 {\n }\n}\n"),
        "must be a number from 1 to 4294967295"
    ));
}

#[test]
fn ops_requires_udp() {
    assert_eq!(
        errors(&load(&vs(" ops"))),
        vec!["5:2: `ops` (one-packet scheduling) requires `protocol UDP`"]
    );
}

#[test]
fn no_real_servers_is_an_error() {
    let l =
        load("virtual_server 192.0.2.1 80 {\n lvs_sched rr\n lvs_method NAT\n protocol TCP\n}\n");
    assert_eq!(errors(&l), vec!["1:1: virtual_server has no real servers"]);
}

// ----- real servers -----

#[test]
fn real_server_inherits_and_overrides() {
    let l = clean(
        "virtual_server 192.0.2.1 80 {\n lvs_sched rr\n lvs_method DR\n protocol TCP\n delay_loop 10\n retry 4\n weight 3\n virtualhost a.example\n real_server 198.51.100.1 {\n }\n real_server 198.51.100.2 80 {\n  weight 0\n  delay_loop 2.5\n  virtualhost b.example\n  lvs_method TUN\n  alpha\n }\n}\n",
    );
    let v = &l.config.lvs.virtual_servers[0];
    let (a, b) = (&v.real_servers[0], &v.real_servers[1]);
    assert_eq!(
        (a.weight, a.delay_loop, a.retry),
        (3, Timer::secs(10), Some(4))
    );
    assert_eq!(a.virtualhost.as_deref(), Some("a.example"));
    assert_eq!(a.lvs_method, Forwarding::Dr);
    assert_eq!((b.weight, b.delay_loop), (0, Timer(2_500_000)));
    assert_eq!(b.virtualhost.as_deref(), Some("b.example"));
    assert!(b.alpha);
    assert_eq!(b.lvs_method, Forwarding::Tun(Tunnel::default()));
}

#[test]
fn real_server_weight_range_rs_weight_handler() {
    let l = load(&vs("").replace(
        " real_server 198.51.100.1 80 {\n",
        " real_server 198.51.100.1 80 {\n  weight -1\n",
    ));
    assert_eq!(
        errors(&l),
        vec!["7:10: `weight` must be a number from 0 to 2147483647, not `-1`"]
    );
}

#[test]
fn notify_scripts_given_twice_are_errors() {
    let l = load(&vs("").replace(
        " real_server 198.51.100.1 80 {\n",
        " real_server 198.51.100.1 80 {\n  notify_up \"/bin/up a\" nobody\n  notify_up /bin/up2\n",
    ));
    assert_eq!(
        errors(&l),
        vec!["8:3: `notify_up` is given twice; keepalived keeps the first"]
    );
    let rs = &l.config.lvs.virtual_servers[0].real_servers[0];
    assert_eq!(
        rs.notify_up.as_ref().map(|s| s.command.as_str()),
        Some("/bin/up a")
    );
    assert_eq!(
        rs.notify_up.as_ref().and_then(|s| s.user.as_deref()),
        Some("nobody")
    );
}

#[test]
fn duplicate_real_server_points_at_second() {
    // check_data.c: "real server ... is duplicated - removing second rs".
    let l = load("virtual_server 192.0.2.1 80 {\n lvs_sched rr\n lvs_method NAT\n protocol TCP\n real_server 198.51.100.1 80 {\n }\n real_server 198.51.100.1 {\n }\n}\n");
    assert_eq!(
        errors(&l),
        vec!["7:2: real_server 198.51.100.1 is listed twice in this virtual_server"]
    );
    let d = l
        .diags
        .iter()
        .find(|d| d.severity == Severity::Error)
        .expect("an error");
    assert_eq!(d.related.as_ref().map(|(s, _)| s.line), Some(5));
}

#[test]
fn family_mismatch_unless_tunnelled_rs_end_handler() {
    let l = load(&vs("").replace("198.51.100.1 80", "2001:db8::1 80"));
    assert_eq!(
        errors(&l),
        vec!["6:2: real_server 2001:db8::1 is IPv6 but the virtual server is IPv4"]
    );
    clean(&vs("").replace(
        "198.51.100.1 80 {\n",
        "2001:db8::1 80 {\n  lvs_method TUN\n",
    ));
    let l = load(&vs(" sorry_server 2001:db8::9 80"));
    assert!(has_error(&l, "sorry_server 2001:db8::9 is IPv6"));
    clean(&vs(
        " sorry_server 2001:db8::9 80\n sorry_server_lvs_method TUN",
    ));
}

#[test]
fn dr_port_must_match_validate_check_config() {
    // "virtual server ... and real server ... ports don't match - resetting".
    let l = load(
        &vs("")
            .replace("lvs_method NAT", "lvs_method DR")
            .replace("198.51.100.1 80", "198.51.100.1 8080"),
    );
    assert_eq!(
        errors(&l),
        vec!["6:2: real_server port 8080 differs from the virtual server's port 80"]
    );
    // NAT may map ports.
    clean(&vs("").replace("198.51.100.1 80", "198.51.100.1 8080"));
    let l = load("virtual_server fwmark 1 {\n lvs_sched rr\n lvs_method DR\n real_server 198.51.100.1 80 {\n }\n}\n");
    assert!(has_error(
        &l,
        "real_server of a fwmark service cannot have a port with DR"
    ));
}

#[test]
fn quorum_and_hysteresis() {
    // "quorum ... exceeds total weight of real servers" and "hysteresis >= quorum" are
    // configuration errors in keepalived -t.
    let l = load(&vs(" quorum 5"));
    assert_eq!(
        errors(&l),
        vec!["5:2: quorum 5 exceeds the total weight 1 of the real servers"]
    );
    let l = load(&vs(" quorum 1\n hysteresis 1"));
    assert_eq!(
        errors(&l),
        vec!["6:2: hysteresis 1 must be less than quorum 1"]
    );
    assert!(has_error(
        &load(&vs(" quorum 0")),
        "`quorum` must be a number from 1"
    ));
}

#[test]
fn sorry_server_options_need_sorry_server_first() {
    let l = load(&vs(" sorry_server_inhibit\n sorry_server 198.51.100.9 80"));
    assert_eq!(
        errors(&l),
        vec!["5:2: `sorry_server_inhibit` needs a `sorry_server` before it"]
    );
    let l = clean(&vs(
        " sorry_server 198.51.100.9 8080\n sorry_server_inhibit",
    ));
    let s = l.config.lvs.virtual_servers[0]
        .sorry_server
        .clone()
        .expect("sorry server");
    assert_eq!(
        (s.port, s.inhibit, s.lvs_method),
        (Some(8080), true, Forwarding::Nat)
    );
    // A DR sorry server cannot be on another port.
    let l = load(&vs(
        " sorry_server 198.51.100.9 8080\n sorry_server_lvs_method DR",
    ));
    assert_eq!(
        errors(&l),
        vec!["5:2: sorry_server port 8080 differs from the virtual server's port 80"]
    );
}

#[test]
fn checker_keywords_are_handed_over_and_misplaced_ones_flagged() {
    // Checker contents are another module's; here only that the keyword is routed.
    let l = load(&vs("").replace(
        " real_server 198.51.100.1 80 {\n",
        " real_server 198.51.100.1 80 {\n  TCP_CHECK {\n  }\n",
    ));
    assert!(!warnings(&l)
        .iter()
        .any(|w| w.contains("unknown keyword `TCP_CHECK`")));
    let l = load(&vs(" TCP_CHECK {\n }"));
    assert!(has_error(
        &l,
        "`TCP_CHECK` belongs inside a `real_server` block"
    ));
}

#[test]
fn unknown_keyword_warns_with_suggestion() {
    let l = clean(&vs(" delay_lop 5"));
    let d = l
        .diags
        .iter()
        .find(|d| d.message.contains("delay_lop"))
        .expect("warning");
    assert_eq!(d.severity, Severity::Warning);
    assert_eq!(d.help.as_deref(), Some("did you mean `delay_loop`?"));
}

#[test]
fn snmp_name_is_not_acted_on() {
    let l = clean(&vs(" snmp_name web"));
    assert!(warnings(&l)
        .iter()
        .any(|w| w.contains("`snmp_name` is understood but vigil does not act on it")));
}

#[test]
fn timer_ranges() {
    // connect_timeout 0.000001..4294.967295 s; delay_loop > 0; retry >= 1.
    assert!(has_error(
        &load(&vs(" connect_timeout 5000")),
        "`connect_timeout` must be from"
    ));
    assert!(has_error(
        &load(&vs(" delay_loop 0")),
        "`delay_loop` must be from"
    ));
    assert!(has_error(
        &load(&vs(" retry 0")),
        "`retry` must be a number from 1"
    ));
    let l = clean(&vs(" delay_before_retry 0\n warmup 0"));
    assert_eq!(l.config.lvs.virtual_servers[0].warmup, Some(Timer(0)));
}

// ----- groups -----

#[test]
fn group_entries_alloc_vsg_entry() {
    let l = clean(
        "virtual_server_group G {\n 192.0.2.1-10 80\n 192.0.2.250-192.0.3.10 80\n 192.0.2.8/29 443\n 2001:db8::1-ff 80\n fwmark 3 inet\n}\nvirtual_server group G {\n lvs_sched rr\n lvs_method TUN\n protocol TCP\n real_server 198.51.100.1 {\n }\n}\n",
    );
    let g = &l.config.lvs.virtual_server_groups[0];
    assert_eq!(
        g.entries[0],
        VsgEntry::Range {
            first: ip("192.0.2.1"),
            last: ip("192.0.2.10"),
            port: Some(80)
        }
    );
    assert_eq!(
        g.entries[2],
        VsgEntry::Range {
            first: ip("192.0.2.8"),
            last: ip("192.0.2.15"),
            port: Some(443)
        }
    );
    assert_eq!(
        g.entries[3],
        VsgEntry::Range {
            first: ip("2001:db8::1"),
            last: ip("2001:db8::ff"),
            port: Some(80)
        }
    );
    assert_eq!(
        g.entries[4],
        VsgEntry::Fwmark {
            mark: 3,
            family: Some(Family::Inet)
        }
    );
}

#[test]
fn group_bad_entries() {
    let l = load("virtual_server_group G {\n 192.0.2.10-5 80\n 192.0.2.9/29 80\n 192.0.2.1-300\n fwmark 1 ipx\n}\n");
    assert_eq!(
        errors(&l),
        vec![
            "2:2: virtual_server_group: `192.0.2.10-5` has a range end that is not greater than its start",
            "3:2: virtual_server_group: `192.0.2.9/29` has host bits set beyond the prefix length",
            "4:2: virtual_server_group: `192.0.2.1-300` has an invalid range end `300` (must be a decimal number up to 255)",
            "5:11: `fwmark` must be one of inet, inet6, not `ipx`",
            "1:22: virtual_server_group `G` has no entries",
        ]
    );
}

#[test]
fn group_missing_is_a_reference_and_duplicate_a_declaration() {
    let l = load("virtual_server group NOPE {\n lvs_sched rr\n lvs_method NAT\n protocol TCP\n real_server 198.51.100.1 80 {\n }\n}\n");
    assert_eq!(errors(&l), vec!["1:22: `virtual_server group` names `NOPE`, but no virtual_server_group of that name is defined"]);
    let l = load(
        "virtual_server_group G {\n 192.0.2.1 80\n}\nvirtual_server_group G {\n 192.0.2.2 80\n}\n",
    );
    assert_eq!(
        errors(&l),
        vec!["4:22: virtual_server_group `G` is defined twice"]
    );
}

#[test]
fn group_with_both_families_and_bare_fwmark() {
    let l = load("virtual_server_group G {\n 192.0.2.1 80\n 2001:db8::1 80\n fwmark 1\n}\n");
    assert_eq!(
        errors(&l),
        vec![
            "4:2: virtual_server_group `G` has IPv4 and IPv6 entries, so its fwmarks need a family"
        ]
    );
}

#[test]
fn group_family_must_match_non_tunnelled_real_servers() {
    let l = load("virtual_server_group G {\n 2001:db8::1 80\n}\nvirtual_server group G {\n lvs_sched rr\n lvs_method NAT\n protocol TCP\n real_server 198.51.100.1 80 {\n }\n}\n");
    assert_eq!(
        errors(&l),
        vec!["8:2: real_server 198.51.100.1 is IPv4 but the virtual server is IPv6"]
    );
}

#[test]
fn group_of_fwmarks_takes_no_protocol_but_addresses_need_one() {
    let l = load("virtual_server_group G {\n 192.0.2.1 80\n}\nvirtual_server group G {\n lvs_sched rr\n lvs_method NAT\n real_server 198.51.100.1 80 {\n }\n}\n");
    assert_eq!(errors(&l), vec!["4:1: virtual_server has no `protocol`"]);
    let l = load("virtual_server_group G {\n fwmark 1\n}\nvirtual_server group G {\n lvs_sched rr\n lvs_method NAT\n protocol UDP\n real_server 198.51.100.1 80 {\n }\n}\n");
    assert_eq!(
        errors(&l),
        vec!["7:2: `protocol` does not apply to a fwmark service"]
    );
}

#[test]
fn duplicate_virtual_servers_point_at_second() {
    let one = vs("");
    let l = load(&format!("{one}{one}"));
    assert_eq!(
        errors(&l),
        vec!["9:1: a virtual_server for 192.0.2.1 port 80 TCP is already defined"]
    );
    let d = l
        .diags
        .iter()
        .find(|d| d.severity == Severity::Error)
        .expect("error");
    assert_eq!(d.related.as_ref().map(|(s, _)| s.line), Some(1));
    // Same address and port with another protocol is another service.
    clean(&format!("{one}{}", one.replace("TCP", "UDP")));
}

// ----- SSL -----

#[test]
fn ssl_block() {
    let l = clean(
        "SSL {\n password secret\n ca /etc/ca.pem\n certificate /etc/c.pem\n key /etc/k.pem\n}\n",
    );
    let s = l.config.lvs.ssl.clone().expect("ssl");
    assert_eq!(s.ca.as_deref(), Some("/etc/ca.pem"));
    let l = load("SSL {\n}\nSSL {\n}\n");
    assert_eq!(
        errors(&l),
        vec!["3:1: `SSL` is given twice; keepalived replaces the first"]
    );
}

// ----- round trip -----
// EVERYTHING passes `keepalived -t` (2.2.7) cleanly with `global_defs { script_user root
// enable_script_security }` in front of it.

const EVERYTHING: &str = r#"
SSL {
    password "pass word"
    ca /etc/ssl/ca.pem
    certificate /etc/ssl/cert.pem
    key /etc/ssl/key.pem
}
virtual_server_group WEB {
    192.0.2.1-10 80
    192.0.2.250-192.0.3.10 80
    192.0.2.32/30 80
    2001:db8::1-2001:db8::ff 80
    fwmark 5 inet6
    fwmark 6 inet
}
virtual_server_group MARKS {
    fwmark 9
}
virtual_server 192.0.2.100 443 {
    ip_family inet
    lb_algo sh
    sh-port
    sh-fallback
    flag-3
    lb_kind DR
    persistence_timeout 600
    persistence_engine sip
    persistence_granularity 255.255.255.0
    protocol tcp
    ha_suspend
    smtp_alert off
    virtualhost www.example.com
    snmp_name web
    alpha
    omega
    quorum 3
    hysteresis 1
    quorum_up "/bin/true arg" root root
    quorum_down /bin/false
    weight 2
    sorry_server 198.51.100.200 443
    sorry_server_inhibit
    sorry_server_lvs_method TUN type gre csum
    connect_timeout 2.5
    retry 4
    delay_before_retry 0.5
    warmup 3
    delay_loop 7
    inhibit_on_failure
    real_server 198.51.100.1 443 {
        weight 5
        lvs_method TUN type gue port 6080 remcsum
        notify_up "/bin/true 1"
        notify_down /bin/false root root
        uthreshold 100
        lthreshold 10
        smtp_alert
        virtualhost api.example.com
        snmp_name rs1
        alpha off
        connect_timeout 1
        retry 2
        delay_before_retry 1
        warmup 0
        delay_loop 3
        inhibit_on_failure no
    }
    real_server 198.51.100.2 {
    }
}
virtual_server fwmark 9 {
    lvs_sched mh
    mh-port
    mh-fallback
    lvs_method NAT
    ip_family inet
    real_server 198.51.100.3 8080 {
    }
}
virtual_server group WEB {
    lvs_sched wlc
    lvs_method TUN
    protocol UDP
    ops
    flag-1
    flag-2
    real_server 198.51.100.4 {
    }
    real_server 2001:db8::4 {
    }
}
virtual_server 192.0.2.200 {
    lvs_sched twos
    protocol SCTP
    persistence_timeout
    real_server 198.51.100.5 {
        lvs_method NAT
    }
    real_server 2001:db8::6 {
        lvs_method TUN
    }
}
"#;

#[test]
fn round_trip_every_keyword() {
    let first = load(EVERYTHING);
    assert!(errors(&first).is_empty(), "{:?}", errors(&first));
    let text = crate::print::print_config(&first.config);
    let second = load(&text);
    assert!(errors(&second).is_empty(), "{:?}\n{text}", errors(&second));
    assert_eq!(first.config.lvs, second.config.lvs, "\n{text}");
    // Spot checks of effective values.
    let v = &first.config.lvs.virtual_servers[0];
    let rs = &v.real_servers[1];
    assert_eq!(
        (rs.weight, rs.delay_loop, rs.retry),
        (2, Timer::secs(7), Some(4))
    );
    assert!(rs.alpha && rs.inhibit_on_failure);
    assert!(!v.real_servers[0].alpha);
    assert_eq!(
        v.sorry_server
            .as_ref()
            .map(|s| s.lvs_method.to_string())
            .as_deref(),
        Some("TUN type gre csum")
    );
    let text2 = crate::print::print_config(&second.config);
    assert_eq!(text, text2, "printing is canonical");
}
