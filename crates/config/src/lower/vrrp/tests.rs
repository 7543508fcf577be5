//! Tests of the VRRP part. Each test names the keepalived.conf(5) section or the
//! keepalived source check it follows; "kt:" notes what `keepalived -t` (2.2.7) said.

use crate::model::common::Timer;
use crate::model::vrrp::*;
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

/// `line:col: message` of every diagnostic of `sev`.
fn diags(l: &Loaded, sev: Severity) -> Vec<String> {
    l.diags
        .iter()
        .filter(|d| d.severity == sev)
        .map(|d| match d.span {
            Some(s) => format!("{}:{}: {}", s.line, s.col, d.message),
            None => d.message.clone(),
        })
        .collect()
}

fn errors(l: &Loaded) -> Vec<String> {
    diags(l, Severity::Error)
}

/// Warnings, less the whole-file script-security one (tested in `semantic`).
fn warnings(l: &Loaded) -> Vec<String> {
    diags(l, Severity::Warning)
        .into_iter()
        .filter(|w| !w.contains("enable_script_security"))
        .collect()
}

/// Loads `text`, asserting there is no error.
fn ok(text: &str) -> Loaded {
    let l = load(text);
    assert!(errors(&l).is_empty(), "unexpected errors: {:?}", errors(&l));
    l
}

/// Asserts that some error contains `needle`.
fn has_error(text: &str, needle: &str) -> Loaded {
    let l = load(text);
    let e = errors(&l);
    assert!(
        e.iter().any(|m| m.contains(needle)),
        "no error containing {needle:?} in {e:?}"
    );
    l
}

/// A minimal instance with `body` added.
fn inst(name: &str, vrid: u8, body: &str) -> String {
    format!(
        "vrrp_instance {name} {{\n  interface eth0\n  virtual_router_id {vrid}\n{body}\n  virtual_ipaddress {{\n    192.0.2.{vrid}/24\n  }}\n}}\n"
    )
}

// ----- vrrp_instance basics -----

#[test]
fn instance_defaults_keepalived_conf5_vrrp_instance() {
    let l = ok(&inst("VI_1", 51, ""));
    let i = &l.config.vrrp.instances[0];
    assert_eq!(i.name, "VI_1");
    assert_eq!(i.interface.as_deref(), Some("eth0"));
    assert_eq!(i.virtual_router_id, 51);
    assert_eq!(i.priority, 100);
    assert_eq!(i.advert_int, Timer::secs(1));
    assert_eq!(i.state, InitialState::Backup);
    assert_eq!(i.family, Family::V4);
    assert_eq!(i.down_timer_adverts, 3);
    assert_eq!(i.version, None);
    assert!(!i.nopreempt);
}

#[test]
fn priority_out_of_range_is_an_error_vrrp_prio_handler() {
    // kt: "number '256' outside range [1, 255]" (exit 5).
    let l = load(&inst("A", 1, "  priority 256"));
    assert_eq!(
        errors(&l),
        vec!["4:12: `priority` must be a number from 1 to 255, not `256`"]
    );
}

#[test]
fn virtual_router_id_is_required_vrrp_c() {
    let l = load(
        "vrrp_instance A {\n  interface eth0\n  virtual_ipaddress {\n    192.0.2.1/24\n  }\n}\n",
    );
    assert_eq!(
        errors(&l),
        vec!["1:15: vrrp_instance `A` has no `virtual_router_id`"]
    );
}

#[test]
fn an_instance_needs_a_vip_vrrp_c_no_vip_specified() {
    // kt: "(A) No VIP specified; at least one is sensible" (exit 5).
    let l = load("vrrp_instance A {\n  interface eth0\n  virtual_router_id 1\n}\n");
    assert_eq!(
        errors(&l),
        vec!["1:15: vrrp_instance `A` has no virtual_ipaddress"]
    );
}

#[test]
fn state_must_be_master_or_backup_vrrp_state_handler() {
    has_error(
        &inst("A", 1, "  state foo"),
        "`state` must be one of MASTER, BACKUP",
    );
    let l = has_error(
        &inst("A", 1, "  state MASTER\n  state BACKUP"),
        "`state BACKUP` after `state MASTER`",
    );
    assert_eq!(l.config.vrrp.instances[0].state, InitialState::Master);
}

#[test]
fn advert_int_range_vrrp_adv_handler() {
    // kt: "number '0.001' outside range [0.010000, 255.000000]".
    has_error(
        &inst("A", 1, "  advert_int 0.001"),
        "`advert_int` must be from 0.01 to 255",
    );
    has_error(
        &inst("A", 1, "  advert_int 256"),
        "`advert_int` must be from 0.01 to 255",
    );
    let l = ok(&inst("A", 1, "  version 3\n  advert_int 0.05"));
    assert_eq!(l.config.vrrp.instances[0].advert_int, Timer::millis(50));
}

#[test]
fn sub_second_advert_int_with_version_2_is_an_error_vrrp_c() {
    // kt: "(A) VRRPv2 advertisement interval 0.500000s must be an integer. rounding".
    let l = load(&inst("A", 1, "  version 2\n  advert_int 0.5"));
    assert_eq!(
        errors(&l),
        vec!["5:14: with VRRP version 2 `advert_int` must be whole seconds, not 0.5"]
    );
    has_error(
        &inst("A", 1, "  version 2\n  advert_int 1.5"),
        "whole seconds",
    );
}

#[test]
fn version_conflicts_vrrp_version_handler() {
    has_error(
        &inst("A", 1, "  version 2\n  version 3"),
        "`version 3` after `version 2`",
    );
    has_error(
        "vrrp_instance A {\n interface eth0\n virtual_router_id 1\n unicast_src_ip 2001:db8::1\n version 2\n unicast_peer {\n  2001:db8::2\n }\n virtual_ipaddress {\n  2001:db8::10/64\n }\n}\n",
        "`version 2` for an IPv6 instance",
    );
    // kt: version 2 before the IPv6 addresses is accepted and becomes version 3.
    let l = ok("vrrp_instance A {\n interface eth0\n virtual_router_id 1\n version 2\n virtual_ipaddress {\n  2001:db8::10/64\n }\n}\n");
    let i = &l.config.vrrp.instances[0];
    assert_eq!((i.family, i.version), (Family::V6, Some(3)));
    assert_eq!(warnings(&l).len(), 1);
}

#[test]
fn authentication_vrrp_auth_handlers() {
    let l = ok(&inst(
        "A",
        1,
        "  authentication {\n    auth_type PASS\n    auth_pass secret\n  }",
    ));
    assert_eq!(
        l.config.vrrp.instances[0].authentication,
        Some(Authentication {
            auth_type: AuthType::Pass,
            password: "secret".into()
        })
    );
    // kt: "Truncating auth_pass to 8 characters" (exit 5).
    has_error(
        &inst(
            "A",
            1,
            "  authentication {\n    auth_type PASS\n    auth_pass secret123\n  }",
        ),
        "longer than 8 characters",
    );
    // kt: "unknown authentication type 'FOO'".
    has_error(
        &inst("A", 1, "  authentication {\n    auth_type FOO\n  }"),
        "`auth_type` must be one of PASS, AH",
    );
}

#[test]
fn authentication_with_version_3_is_an_error_vrrp_c() {
    // kt: "(A) VRRP version 3 does not support authentication. Ignoring." for AH and PASS.
    let l = load(&inst(
        "A",
        1,
        "  version 3\n  authentication {\n    auth_type AH\n    auth_pass x\n  }",
    ));
    assert_eq!(
        errors(&l),
        vec!["5:3: VRRP version 3 has no authentication"]
    );
    has_error(
        "vrrp_instance A {\n interface eth0\n virtual_router_id 1\n authentication {\n  auth_type PASS\n  auth_pass x\n }\n virtual_ipaddress {\n  2001:db8::1/64\n }\n}\n",
        "VRRP version 3 has no authentication",
    );
}

// ----- address family -----

#[test]
fn vip_family_must_match_the_first_address_vrrp_data_alloc_vrrp_vip() {
    // kt: "(A): address family must match VRRP instance [2001:db8::1/64] - ignoring".
    let l = load("vrrp_instance A {\n interface eth0\n virtual_router_id 1\n virtual_ipaddress {\n  192.0.2.1/24\n  2001:db8::1/64\n }\n}\n");
    let e = errors(&l);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].starts_with("6:3: `virtual_ipaddress`: `2001:db8::1/64` is IPv6, but vrrp_instance `A` is IPv4 (decided by `virtual_ipaddress`)"), "{e:?}");
    let d = l.diags.iter().find(|d| d.severity == Severity::Error);
    assert_eq!(
        d.and_then(|d| d.related.as_ref()).map(|r| r.0.line),
        Some(5)
    );
    // Excluded addresses may mix families (keepalived.conf(5), virtual_ipaddress_excluded).
    ok("vrrp_instance A {\n interface eth0\n virtual_router_id 1\n virtual_ipaddress {\n  192.0.2.1/24\n }\n virtual_ipaddress_excluded {\n  2001:db8::1/64\n }\n}\n");
}

#[test]
fn source_and_peer_family_must_match_vrrp_srcip_handler() {
    // kt: "VRRP instance[A] and unicast peer address[192.0.2.3] MUST be of the same family".
    let l = has_error(
        &inst("A", 1, "  unicast_src_ip 2001:db8::1\n  unicast_peer {\n    192.0.2.3\n  }"),
        "`unicast_peer`: `192.0.2.3` is IPv4, but vrrp_instance `A` is IPv6 (decided by `unicast_src_ip`)",
    );
    assert_eq!(l.config.vrrp.instances.len(), 1);
}

#[test]
fn native_ipv6_with_ipv4_is_an_error_vrrp_native_ipv6_handler() {
    has_error(
        "vrrp_instance A {\n interface eth0\n virtual_router_id 1\n mcast_src_ip 192.0.2.5\n native_ipv6\n virtual_ipaddress {\n  192.0.2.1/24\n }\n}\n",
        "`native_ipv6`: `native_ipv6` is IPv6",
    );
}

#[test]
fn mcast_dst_ip_must_be_multicast_vrrp_mcast_dstip_handler() {
    // kt: "(A) mcast_dst_ip 192.0.2.5 not multicast. Skipping...".
    has_error(
        &inst("A", 1, "  mcast_dst_ip 192.0.2.5"),
        "is not a multicast address",
    );
    let l = ok(&inst("A", 1, "  mcast_dst_ip 224.0.0.100"));
    assert_eq!(
        l.config.vrrp.instances[0].mcast_dst_ip,
        Some("224.0.0.100".parse().expect("address"))
    );
}

// ----- unicast -----

#[test]
fn unicast_peers_with_ttl_limits_vrrp_data_alloc_vrrp_unicast_peer() {
    let l = ok(&inst(
        "A",
        1,
        "  unicast_src_ip 192.0.2.10\n  unicast_peer {\n    192.0.2.2 min_ttl 250\n    192.0.2.3\n  }",
    ));
    let i = &l.config.vrrp.instances[0];
    assert_eq!(i.unicast_peers.len(), 2);
    assert_eq!(
        (i.unicast_peers[0].min_ttl, i.unicast_peers[0].max_ttl),
        (250, 255)
    );
    assert!(
        i.check_unicast_src,
        "a TTL limit turns on check_unicast_src"
    );
    // kt: "min_ttl 10 > max_ttl 5 - all packets will be discarded", "unknown unicast_peer
    // option foo", "max_ttl is missing a value".
    has_error(
        &inst(
            "A",
            1,
            "  unicast_peer {\n    192.0.2.3 min_ttl 10 max_ttl 5\n  }",
        ),
        "min_ttl 10 is greater than max_ttl 5",
    );
    has_error(
        &inst("A", 1, "  unicast_peer {\n    192.0.2.3 foo 3\n  }"),
        "unknown unicast_peer option `foo`",
    );
    has_error(
        &inst("A", 1, "  unicast_peer {\n    192.0.2.3 max_ttl\n  }"),
        "`max_ttl` needs a value",
    );
}

#[test]
fn unicast_keyword_without_peers_is_an_error_vrrp_c() {
    // kt: "A unicast keyword has been specified without any unicast peers. Defaulting to
    // multicast." (exit 5); unicast_fault_no_peer makes it intended.
    has_error(
        &inst("A", 1, "  check_unicast_src"),
        "`check_unicast_src` asks for unicast",
    );
    ok(&inst(
        "A",
        1,
        "  unicast_fault_no_peer\n  unicast_src_ip 192.0.2.10",
    ));
    // kt: "Cannot use unicast_ttl without unicast peers - resetting".
    has_error(
        &inst("A", 1, "  unicast_ttl 5"),
        "`unicast_ttl` needs unicast peers",
    );
}

#[test]
fn vmac_with_unicast_needs_xmit_base_vrrp_end_handler() {
    // kt: "(A) unicast with use_vmac requires vmac_xmit_base - setting" (exit 5).
    has_error(
        &inst("A", 1, "  use_vmac\n  unicast_peer {\n    192.0.2.5\n  }"),
        "`use_vmac` with unicast peers needs `vmac_xmit_base`",
    );
    ok(&inst(
        "A",
        1,
        "  use_vmac\n  vmac_xmit_base\n  unicast_peer {\n    192.0.2.5\n  }",
    ));
}

#[test]
fn use_vmac_name_and_mac_vrrp_vmac_handler() {
    let l = ok(&inst("A", 7, "  use_vmac vrrp7 02:11:22:33:44"));
    assert_eq!(
        l.config.vrrp.instances[0].use_vmac,
        Some(Vmac {
            name: Some("vrrp7".into()),
            mac: Some(VmacAddress::Prefix([2, 0x11, 0x22, 0x33, 0x44]))
        })
    );
    // kt: "VMAC MAC address not allowed to be RFC5798 address (00:00:5e:00:01:01)".
    has_error(&inst("A", 1, "  use_vmac v1 00:00:5e:00:01:01"), "RFC 5798");
    has_error(
        &inst("A", 1, "  use_vmac v1 01:00:00:00:00:01"),
        "multicast MAC",
    );
    has_error(
        &inst("A", 1, "  use_vmac averyveryverylongname"),
        "not a valid interface name",
    );
    has_error(
        &format!(
            "{}{}",
            inst("A", 1, "  use_vmac vm"),
            inst("B", 2, "  use_vmac vm")
        ),
        "interface name `vm` is already used by another instance",
    );
}

#[test]
fn use_ipvlan_vrrp_ipvlan_handler() {
    let l = ok(&inst("A", 1, "  use_ipvlan ipv1 192.0.2.50/24 private"));
    let v = l.config.vrrp.instances[0]
        .use_ipvlan
        .clone()
        .expect("use_ipvlan");
    assert_eq!(v.name.as_deref(), Some("ipv1"));
    assert_eq!(v.prefix, Some(24));
    assert_eq!(v.mode, IpvlanMode::Private);
    has_error(
        &inst("A", 1, "  use_ipvlan a\n  use_ipvlan b"),
        "`use_ipvlan` is given twice",
    );
    has_error(
        &inst("A", 1, "  use_ipvlan 2001:db8::5"),
        "is IPv4, but vrrp_instance `A` is IPv6 (decided by `use_ipvlan`)",
    );
}

// ----- tracking -----

#[test]
fn track_weights_and_reverse_vrrp_track_c() {
    let text = format!(
        "vrrp_script chk {{\n  script /bin/true\n  weight 10\n}}\ntrack_file tf {{\n  file /run/tf\n}}\nvrrp_track_process tp {{\n  process haproxy\n}}\n{}",
        inst(
            "A",
            1,
            "  track_interface {\n    eth1 weight -10 reverse\n    eth2\n  }\n  track_script {\n    chk weight 20 noreverse\n  }\n  track_file {\n    tf weight 254 reverse\n  }\n  track_process {\n    tp\n  }"
        )
    );
    let l = ok(&text);
    let i = &l.config.vrrp.instances[0];
    assert_eq!(
        i.track_interfaces[0],
        TrackInterface {
            interface: "eth1".into(),
            weight: -10,
            reverse: true
        }
    );
    assert_eq!(i.track_interfaces[1].weight, 0);
    assert_eq!(i.track_scripts[0].weight, Some(20));
    assert_eq!(i.track_scripts[0].reverse, Some(false));
    assert_eq!(i.track_files[0].weight, Some(254));
    assert_eq!(i.track_processes[0].weight, None);
}

#[test]
fn track_weight_limits_alloc_track_if_and_script() {
    // kt: "(A) weight for eth1 cannot be +/-254. Setting to +/-253" (exit 5).
    has_error(
        &inst("A", 1, "  track_interface {\n    eth1 weight 254\n  }"),
        "`weight` must be a number from -253 to 253, not `254`",
    );
    // kt: "unknown track_interace eth1 weight option noreverse".
    has_error(
        &inst(
            "A",
            1,
            "  track_interface {\n    eth1 weight 10 noreverse\n  }",
        ),
        "only `reverse` may follow",
    );
    // kt: "duplicate track_interface eth1 - ignoring".
    has_error(
        &inst("A", 1, "  track_interface {\n    eth1\n    eth1\n  }"),
        "interface `eth1` is tracked twice",
    );
}

#[test]
fn no_reverse_of_the_man_page_is_not_a_keyword_alloc_track_script() {
    // keepalived.conf(5) shows `[reverse|no_reverse]`; kt: "unknown track_script s weight
    // option no_reverse - ignoring".
    let l = has_error(
        &format!(
            "vrrp_script s {{\n  script /bin/true\n}}\n{}",
            inst("A", 1, "  track_script {\n    s weight 10 no_reverse\n  }")
        ),
        "not `no_reverse`",
    );
    let d = l.diags.iter().find(|d| d.severity == Severity::Error);
    assert!(d
        .and_then(|d| d.help.clone())
        .unwrap_or_default()
        .contains("noreverse"));
}

#[test]
fn tracked_names_must_exist_and_come_first_find_script_by_name() {
    // Never defined: the central resolution.
    has_error(
        &inst("A", 1, "  track_script {\n    nosuch\n  }"),
        "`track_script` names `nosuch`, but no vrrp_script of that name is defined",
    );
    // kt: defined below the instance: "(A) track script s not found, ignoring...".
    let l = load(&format!(
        "{}vrrp_script s {{\n  script /bin/true\n}}\n",
        inst("A", 1, "  track_script {\n    s\n  }")
    ));
    assert_eq!(
        errors(&l),
        vec!["5:5: `track_script` names `s`, which is defined further down the file"]
    );
}

#[test]
fn bfd_and_process_references_use_their_kinds() {
    has_error(
        &inst("A", 1, "  track_bfd {\n    b1 weight 10\n  }"),
        "no bfd_instance of that name",
    );
    has_error(
        &inst("A", 1, "  track_process {\n    p1\n  }"),
        "no vrrp_track_process of that name",
    );
}

// ----- vrrp_script -----

#[test]
fn vrrp_script_values_and_defaults_keepalived_conf5_vrrp_script() {
    let l = ok("vrrp_script chk {\n  script \"/usr/bin/check -p 'a b'\"\n  interval 2\n  timeout 3\n  weight -20 reverse\n  rise 2\n  fall 3\n  user nobody nogroup\n  init_fail\n}\n");
    let s = &l.config.vrrp.scripts[0];
    assert_eq!(s.script.command, "/usr/bin/check -p 'a b'");
    assert_eq!(s.script.user.as_deref(), Some("nobody"));
    assert_eq!(s.script.group.as_deref(), Some("nogroup"));
    assert_eq!(
        (s.interval, s.timeout),
        (Timer::secs(2), Some(Timer::secs(3)))
    );
    assert_eq!(
        (s.weight, s.weight_reverse, s.rise, s.fall),
        (-20, true, 2, 3)
    );
    assert!(s.init_fail);
    let l = ok("vrrp_script c {\n  script /bin/true\n}\n");
    let s = &l.config.vrrp.scripts[0];
    assert_eq!(
        (s.interval, s.timeout, s.weight, s.rise, s.fall),
        (Timer::secs(1), None, 0, 1, 1)
    );
}

#[test]
fn vrrp_script_extra_words_are_dropped_like_keepalived() {
    // keepalived 2.2.7 runs `/usr/bin/true` alone for `script /bin/true a b` (checked
    // with `keepalived -d`): only the first word is the command.
    let l = ok("vrrp_script c {\n  script /bin/true a b\n}\n");
    assert_eq!(l.config.vrrp.scripts[0].script.command, "/bin/true");
    assert_eq!(
        warnings(&l),
        vec!["2:20: `script` uses only its first word; `a` and what follows are ignored"]
    );
}

#[test]
fn vrrp_script_errors_vrrp_vscript_handlers() {
    // kt: "No script set for vrrp_script s - removing".
    has_error(
        "vrrp_script s {\n  interval 2\n}\n",
        "vrrp_script `s` has no `script`",
    );
    // kt: "vrrp script interval must be greater than 0, setting to 1" and the like.
    has_error(
        "vrrp_script s {\n  script /bin/true\n  interval 0\n}\n",
        "`interval` must be a number from 1 to 4294",
    );
    has_error(
        "vrrp_script s {\n  script /bin/true\n  rise 0\n}\n",
        "`rise` must be a number from 1",
    );
    // kt: "vrrp_script s weight 254 must be in [-253, 253]".
    has_error(
        "vrrp_script s {\n  script /bin/true\n  weight 254\n}\n",
        "from -253 to 253",
    );
}

// ----- notify scripts -----

#[test]
fn notify_scripts_keep_the_command_word_and_user_notify_script_init() {
    let l = ok(&inst(
        "A",
        1,
        "  notify_master \"/bin/notify.sh MASTER 'a b'\" root wheel\n  notify /bin/n\n  notify_deleted\n  notify_master_rx_lower_pri /bin/rx",
    ));
    let i = &l.config.vrrp.instances[0];
    let m = i.notify.master.clone().expect("notify_master");
    assert_eq!(m.command, "/bin/notify.sh MASTER 'a b'");
    assert_eq!(
        (m.user.as_deref(), m.group.as_deref()),
        (Some("root"), Some("wheel"))
    );
    assert_eq!(
        i.notify.any.as_ref().map(|s| s.command.as_str()),
        Some("/bin/n")
    );
    assert!(i.notify_deleted && i.notify_deleted_script.is_none());
    assert!(i.notify_master_rx_lower_pri.is_some());
}

#[test]
fn notify_unquoted_words_are_user_and_group() {
    // keepalived reads `notify_master /bin/x a b` as script /bin/x, user a, group b, and
    // ignores a fourth word (kt: exit 0).
    let l = ok(&inst("A", 1, "  notify_master /bin/x a b c"));
    let m = l.config.vrrp.instances[0]
        .notify
        .master
        .clone()
        .expect("notify_master");
    assert_eq!(
        (m.command.as_str(), m.user.as_deref(), m.group.as_deref()),
        ("/bin/x", Some("a"), Some("b"))
    );
    assert_eq!(warnings(&l).len(), 1);
}

#[test]
fn notify_given_twice_is_an_error_vrrp_notify_master_handler() {
    let l = load(&inst(
        "A",
        1,
        "  notify_master /bin/a\n  notify_master /bin/b",
    ));
    assert_eq!(errors(&l), vec!["5:3: `notify_master` is given twice"]);
    assert_eq!(
        l.config.vrrp.instances[0]
            .notify
            .master
            .as_ref()
            .map(|s| s.command.as_str()),
        Some("/bin/a")
    );
}

// ----- conflicts between instances -----

#[test]
fn same_vrid_on_same_interface_and_family_is_an_error() {
    // kt: "A and B both use VRID 1 with IPv4 on interface eth0" (exit 5).
    let l = load(&format!("{}{}", inst("A", 1, ""), inst("B", 1, "")));
    assert_eq!(
        errors(&l),
        vec!["11:21: vrrp_instance `A` and `B` both use VRID 1 with IPv4 on interface eth0"]
    );
    let d = l.diags.iter().find(|d| d.severity == Severity::Error);
    assert_eq!(
        d.and_then(|d| d.related.as_ref())
            .map(|r| (r.0.line, r.0.col)),
        Some((3, 21))
    );
}

#[test]
fn same_vrid_allowed_with_disjoint_unicast_peers_or_other_group_or_family() {
    // kt: exit 0 for each of these.
    ok(&format!(
        "{}{}",
        inst("A", 1, "  unicast_peer {\n    192.0.2.1\n  }"),
        inst("B", 1, "  unicast_peer {\n    192.0.2.2\n  }")
    ));
    ok(&format!(
        "{}{}",
        inst("A", 1, "  mcast_dst_ip 224.0.0.100"),
        inst("B", 1, "")
    ));
    ok(&format!(
        "{}vrrp_instance B {{\n interface eth0\n virtual_router_id 1\n virtual_ipaddress {{\n  2001:db8::2/64\n }}\n}}\n",
        inst("A", 1, "")
    ));
    ok(&format!(
        "{}{}",
        inst("A", 1, ""),
        inst("B", 1, "  unicast_peer {\n    192.0.2.7\n  }")
    ));
    // kt: "(A) duplicate VRID conflict with B VRID 1".
    has_error(
        &format!(
            "{}{}",
            inst("A", 1, "  unicast_peer {\n    192.0.2.1\n  }"),
            inst("B", 1, "  unicast_peer {\n    192.0.2.1\n  }")
        ),
        "share unicast peers",
    );
}

#[test]
fn duplicate_instance_names_are_an_error_vrrp_handler() {
    has_error(
        &format!("{}{}", inst("A", 1, ""), inst("A", 2, "")),
        "vrrp_instance `A` is defined twice",
    );
}

// ----- sync groups -----

fn two() -> String {
    format!("{}{}", inst("A", 1, ""), inst("B", 2, ""))
}

#[test]
fn sync_group_members_and_options_keepalived_conf5_vrrp_sync_group() {
    let l = ok(&format!(
        "{}vrrp_sync_group G {{\n  group {{\n    A\n    B\n  }}\n  notify_master /bin/m\n  smtp_alert\n  global_tracking\n}}\n",
        two()
    ));
    let g = &l.config.vrrp.sync_groups[0];
    assert_eq!(g.members, vec!["A", "B"]);
    assert_eq!(g.smtp_alert, Some(true));
    assert!(g.tracking_weight);
    assert_eq!(warnings(&l), vec!["24:3: `global_tracking` is deprecated"]);
}

#[test]
fn sync_group_of_one_is_an_error_vrrp_sync_c() {
    // kt: "Sync group G has only 1 virtual router(s) - this probably isn't what you want".
    let l = load(&format!(
        "{}vrrp_sync_group G {{ group {{ A }} }}\n",
        inst("A", 1, "")
    ));
    assert_eq!(
        errors(&l),
        vec!["9:17: vrrp_sync_group `G` has only one instance"]
    );
}

#[test]
fn instance_in_two_sync_groups_is_an_error_vrrp_sync_c() {
    // kt: "Virtual router A cannot exist in more than one sync group; ignoring H".
    let l = load(&format!(
        "{}vrrp_sync_group G {{\n group {{\n  A\n  B\n }}\n}}\nvrrp_sync_group H {{\n group {{\n  A\n  B\n }}\n}}\n",
        two()
    ));
    let e = errors(&l);
    assert!(e.contains(&"25:3: vrrp_instance `A` is already in vrrp_sync_group `G`; an instance can be in one sync group only".to_string()), "{e:?}");
    let d = l.diags.iter().find(|d| d.severity == Severity::Error);
    assert_eq!(
        d.and_then(|d| d.related.as_ref()).map(|r| r.0.line),
        Some(19)
    );
}

#[test]
fn sync_group_without_group_is_an_error_and_members_must_exist() {
    // kt: "Sync group G has no virtual router(s). removing".
    has_error(
        "vrrp_sync_group G {\n  notify_master /bin/true\n}\n",
        "has no `group` of instances",
    );
    // kt: "Virtual router X specified in sync group G doesn't exist - ignoring".
    has_error(
        &format!(
            "{}vrrp_sync_group G {{\n group {{\n  A\n  X\n }}\n}}\n",
            inst("A", 1, "")
        ),
        "`group` names `X`, but no vrrp_instance of that name is defined",
    );
}

// ----- track files and processes -----

#[test]
fn track_file_keepalived_conf5_track_files() {
    let l =
        ok("track_file tf {\n  file /run/tf\n  weight -5 reverse\n  init_file 3 overwrite\n}\n");
    let t = &l.config.vrrp.track_files[0];
    assert_eq!(
        (t.file.as_str(), t.weight, t.weight_reverse),
        ("/run/tf", -5, true)
    );
    assert_eq!(
        t.init,
        Some(TrackFileInit {
            value: 3,
            overwrite: true
        })
    );
    let l = ok("vrrp_track_file tf {\n  file /run/tf\n}\n");
    assert_eq!(l.config.vrrp.track_files[0].weight, 1);
    assert_eq!(warnings(&l), vec!["1:1: `vrrp_track_file` is deprecated"]);
    // kt: "Weight (1000) for track_file f must be between [-254..254]" (the man page's
    // ±2147483647 is not what keepalived accepts).
    has_error(
        "track_file f {\n  file /x\n  weight 1000\n}\n",
        "from -254 to 254",
    );
    // kt: "No file set for track_file f - ignoring".
    has_error(
        "track_file f {\n  weight 2\n}\n",
        "track_file `f` has no `file`",
    );
}

#[test]
fn track_process_keepalived_conf5_vrrp_track_processes() {
    let l = ok("vrrp_track_process p {\n  process haproxy -f \"a b\"\n  param_match partial\n  weight 254 reverse\n  quorum 2\n  quorum_max 3\n  delay 0.5\n  fork_delay 1\n}\n");
    let t = &l.config.vrrp.track_processes[0];
    assert_eq!(t.process, "haproxy");
    assert_eq!(t.params, vec!["-f", "a b"]);
    assert_eq!(t.param_match, ParamMatch::Partial);
    assert!(t.full_command);
    assert_eq!(
        (t.weight, t.weight_reverse, t.quorum, t.quorum_max),
        (254, true, 2, Some(3))
    );
    assert_eq!(
        (t.fork_delay, t.terminate_delay),
        (Timer::secs(1), Timer::millis(500))
    );
    // Parameters alone imply an exact match of the full command line.
    let l = ok("vrrp_track_process p {\n  process x y\n}\n");
    assert_eq!(
        l.config.vrrp.track_processes[0].param_match,
        ParamMatch::Exact
    );
    // kt: "quorum_max is less than quorum - ignoring".
    has_error(
        "vrrp_track_process p {\n  process x\n  quorum 5\n  quorum_max 2\n}\n",
        "is greater than `quorum_max`",
    );
    // kt: "track process 'p' process name not specified".
    has_error(
        "vrrp_track_process p {\n  weight 1\n}\n",
        "has no `process`",
    );
    has_error(
        "vrrp_track_process p {\n  process x\n  delay 0\n}\n",
        "`delay` must be from 0.000001 to 3600",
    );
}

// ----- garp groups, delays -----

#[test]
fn garp_group_keepalived_conf5_garp_group() {
    let l = ok("garp_group {\n  garp_interval 0.001\n  gna_interval 0.002\n  interface eth0\n}\ngarp_group {\n  garp_interval 0.01\n  interfaces {\n    eth1\n    eth2\n  }\n}\n");
    let g = &l.config.vrrp.garp_groups;
    assert_eq!(g[0].garp_interval, Some(Timer::millis(1)));
    assert_eq!(g[1].interfaces, vec!["eth1", "eth2"]);
    // kt: "garp group 0 does not have any delay set - removing".
    has_error("garp_group {\n  interface eth0\n}\n", "sets neither");
    // vrrp_parser.c: "garp_group already specified for %s - ignoring".
    has_error(
        "garp_group {\n  garp_interval 1\n  interface eth0\n}\ngarp_group {\n  gna_interval 1\n  interface eth0\n}\n",
        "interface `eth0` is already in a garp_group",
    );
}

#[test]
fn interface_up_down_delays_keepalived_conf5_debouncing() {
    let l = ok("interface_up_down_delays {\n  eth0 1.5\n  eth1 2 0.25\n}\n");
    let d = &l.config.vrrp.interface_up_down_delays;
    assert_eq!((d[0].down, d[0].up), (Timer::millis(1500), None));
    assert_eq!(
        (d[1].down, d[1].up),
        (Timer::secs(2), Some(Timer::millis(250)))
    );
    // kt: "number '256' outside range [0.000000, 255.000000]".
    has_error(
        "interface_up_down_delays {\n  eth0 256\n}\n",
        "from 0 to 255 seconds",
    );
}

// ----- keywords keepalived knows that vigil does not act on, deprecations -----

#[test]
fn not_acted_on_and_deprecated_keywords() {
    let l = ok(&inst(
        "A",
        1,
        "  debug 2\n  linkbeat_use_polling\n  lvs_sync_daemon_interface eth0\n  vmac_garp_intvl 30",
    ));
    let w = warnings(&l);
    assert_eq!(w.len(), 4, "{w:?}");
    assert!(w[0].contains("`debug` is understood but vigil does not act on it"));
    assert_eq!(
        l.config.vrrp.instances[0].garp_extra_if,
        Some(GarpExtraIf {
            all: false,
            interval: Timer::secs(30)
        })
    );
    has_error(
        &inst("A", 1, "  debug 5"),
        "`debug` must be a number from 0 to 4",
    );
}

#[test]
fn unknown_keyword_warns_with_a_suggestion() {
    let l = ok(&inst("A", 1, "  prority 50"));
    let d = l.diags.iter().find(|d| d.severity == Severity::Warning);
    assert_eq!(
        d.and_then(|d| d.help.clone()).as_deref(),
        Some("did you mean `priority`?")
    );
}

// ----- VIP contents (need crate::lower::ipaddr) -----

#[test]
fn vip_contents_are_kept_in_order() {
    let l = ok("vrrp_instance A {\n interface eth0\n virtual_router_id 1\n virtual_ipaddress {\n  192.0.2.1/24 dev eth0\n  192.0.2.2/24 label eth0:1\n }\n virtual_ipaddress_excluded {\n  2001:db8::1/64\n }\n virtual_routes {\n  198.51.100.0/24 via 192.0.2.254 dev eth0\n }\n virtual_rules {\n  from 192.0.2.0/24 table 100 preference 100\n }\n}\n");
    let i = &l.config.vrrp.instances[0];
    assert_eq!(i.virtual_ipaddresses.len(), 2);
    assert_eq!(i.virtual_ipaddresses_excluded.len(), 1);
    assert_eq!(i.virtual_routes.len(), 1);
    assert_eq!(i.virtual_rules.len(), 1);
}

// ----- printing -----

/// A configuration using every keyword of this section.
const EVERYTHING: &str = r#"
vrrp_script chk_haproxy {
    script "/usr/bin/killall -0 'ha proxy'"
    interval 2
    timeout 5
    weight -20 reverse
    rise 3
    fall 2
    user nobody nogroup
    init_fail
}
vrrp_script chk_2 {
    script /bin/true
}
track_file tf {
    file /run/vigil/tf
    weight 3 reverse
    init_file 7 overwrite
}
vrrp_track_file tf2 {
    file "/run/vigil/tf 2"
}
vrrp_track_process tp {
    process haproxy -f /etc/haproxy.cfg
    param_match initial
    weight 10 reverse
    quorum 2
    quorum_max 4
    fork_delay 0.5
    terminate_delay 1.25
}
vrrp_track_process tp2 {
    process sshd
    param_match
    full_command
    quorum_max 0
    delay 2
}
garp_group {
    garp_interval 0.002
    gna_interval 0.003
    interface eth0
}
garp_group {
    garp_interval 0.5
    interfaces {
        eth1
        eth2
    }
}
vrrp_instance VI_1 {
    interface eth0
    use_vmac vrrp51 02:00:00:00:00:33
    use_vmac_addr
    vmac_xmit_base
    dont_track_primary
    track_interface {
        eth1
        eth2 weight 0 reverse
        eth3 weight -30
    }
    track_script {
        chk_haproxy
        chk_2 weight 5 noreverse
    }
    track_file {
        tf weight -254 reverse
        tf2
    }
    track_process {
        tp
        tp2 weight 3
    }
    unicast_src_ip 192.0.2.10
    track_src_ip
    version 3
    check_unicast_src
    unicast_peer {
        192.0.2.11
        192.0.2.12 min_ttl 200 max_ttl 254
    }
    unicast_fault_no_peer
    unicast_ttl 64
    old_unicast_checksum never
    garp_master_delay 10
    garp_master_repeat 2
    garp_lower_prio_delay 5
    garp_lower_prio_repeat 3
    garp_master_refresh 60
    garp_master_refresh_repeat 2
    garp_extra_if all 100
    down_timer_adverts 4
    lower_prio_no_advert on
    higher_prio_send_advert off
    virtual_router_id 51
    priority 150
    advert_int 0.25
    virtual_ipaddress {
        192.0.2.100/24 dev eth0
    }
    virtual_ipaddress_excluded {
        2001:db8::100/64
    }
    virtual_routes {
        198.51.100.0/24 via 192.0.2.254 dev eth0
    }
    virtual_rules {
        from 192.0.2.0/24 table 100 preference 100
    }
    no_accept
    nopreempt
    skip_check_adv_addr yes
    strict_mode off
    notify_master "/etc/vigil/notify.sh MASTER" root root
    notify_backup /etc/vigil/backup.sh
    notify_fault /etc/vigil/fault.sh nobody
    notify_stop /etc/vigil/stop.sh
    notify /etc/vigil/any.sh
    notify_deleted /etc/vigil/deleted.sh
    notify_master_rx_lower_pri /etc/vigil/rx.sh
    notify_priority_changes true
    smtp_alert false
    kernel_rx_buf_size 262144
}
vrrp_instance VI_2 {
    state MASTER
    interface eth1
    use_ipvlan ipv2 2001:db8::7/64 vepa
    virtual_router_id 52
    mcast_dst_ip ff02::12
    accept
    virtual_ipaddress {
        2001:db8::200/64
    }
}
vrrp_instance VI_3 {
    interface eth2
    virtual_router_id 53
    mcast_src_ip 198.51.100.1
    version 2
    authentication {
        auth_type AH
        auth_pass secret
    }
    notify_deleted
    promote_secondaries
    preempt_delay 4.5
    virtual_ipaddress {
        198.51.100.100/24
    }
}
vrrp_instance VI_4 {
    vrf vrf_blue
    virtual_router_id 54
    unicast_peer {
        203.0.113.5
    }
    authentication {
        auth_type PASS
        auth_pass pw
    }
    virtual_ipaddress {
        203.0.113.100/24
    }
}
vrrp_sync_group SG {
    group {
        VI_1
        VI_3
    }
    track_interface {
        eth4 weight 10
    }
    track_script {
        chk_2 weight -3 reverse
    }
    track_file {
        tf
    }
    track_process {
        tp weight 1
    }
    notify_master /etc/vigil/g_master.sh
    notify_backup /etc/vigil/g_backup.sh
    notify_fault /etc/vigil/g_fault.sh
    notify_stop /etc/vigil/g_stop.sh
    notify /etc/vigil/g_any.sh
    notify_priority_changes
    smtp_alert on
    sync_group_tracking_weight
}
interface_up_down_delays {
    eth0 1.5
    eth1 2 0.5
}
"#;

#[test]
fn everything_round_trips_print_then_parse() {
    let first = load(EVERYTHING);
    assert!(errors(&first).is_empty(), "{:?}", errors(&first));
    let v = &first.config.vrrp;
    assert_eq!(
        (
            v.scripts.len(),
            v.track_files.len(),
            v.track_processes.len()
        ),
        (2, 2, 2)
    );
    assert_eq!(
        (v.garp_groups.len(), v.instances.len(), v.sync_groups.len()),
        (2, 4, 1)
    );
    assert_eq!(v.interface_up_down_delays.len(), 2);
    assert_eq!(v.instances[1].family, Family::V6);

    let text = crate::print::print_config(&first.config);
    let second = load(&text);
    let e2 = errors(&second);
    assert!(e2.is_empty(), "{e2:?}\n{text}");
    assert_eq!(second.config.vrrp, first.config.vrrp, "\n{text}");
    // Printing is stable.
    assert_eq!(crate::print::print_config(&second.config), text);
}

#[test]
fn printed_text_is_canonical() {
    let l = ok(&inst(
        "A",
        1,
        "  priority 100\n  advert_int 1\n  state BACKUP\n  nopreempt",
    ));
    let text = crate::print::print_config(&l.config);
    assert!(
        text.contains("vrrp_instance A {\n    interface eth0\n    virtual_router_id 1\n"),
        "{text}"
    );
    assert!(
        !text.contains("priority"),
        "defaults are not printed: {text}"
    );
    assert!(text.contains("    nopreempt\n"), "{text}");
}

// ----- end-of-instance checks (vrrp.c, vrrp_complete_instance) -----

#[test]
fn state_master_without_priority_is_the_address_owner() {
    // `keepalived -d` shows "Priority = 255" for `state MASTER` without `priority`.
    let l = ok(&inst("A", 1, "  state MASTER"));
    assert_eq!(l.config.vrrp.instances[0].priority, 255);
    let l = ok(&inst("A", 1, "  state MASTER\n  priority 100"));
    assert_eq!(l.config.vrrp.instances[0].priority, 100);
    // The printer keeps the difference.
    let text = crate::print::print_config(&l.config);
    assert!(text.contains("    priority 100\n"), "{text}");
}

#[test]
fn ah_with_state_master_needs_the_address_owner() {
    // kt: "(VI_1) Initial state master is incompatible with AH authentication -
    // clearing" (exit 5) with priority 100; nothing without a priority (owner).
    let auth = "  authentication {\n    auth_type AH\n    auth_pass x\n  }";
    has_error(
        &inst("A", 1, &format!("  state MASTER\n  priority 100\n{auth}")),
        "only the address owner (priority 255) may start as MASTER",
    );
    ok(&inst("A", 1, &format!("  state MASTER\n{auth}")));
}

#[test]
fn preemption_settings_that_cannot_work() {
    // kt: "Warning - nopreempt will not work with initial state MASTER - clearing",
    // "Warning - preempt delay will not work with initial state MASTER - clearing",
    // "preempt_delay is incompatible with nopreempt mode - resetting",
    // "nopreempt is incompatible with priority 255. resetting nopreempt" (all exit 5).
    has_error(
        &inst("A", 1, "  state MASTER\n  priority 100\n  nopreempt"),
        "`nopreempt` does not work with `state MASTER`",
    );
    has_error(
        &inst("A", 1, "  state MASTER\n  priority 100\n  preempt_delay 5"),
        "`preempt_delay` does not work with `state MASTER`",
    );
    has_error(
        &inst("A", 1, "  nopreempt\n  preempt_delay 5"),
        "`preempt_delay` cannot be used with `nopreempt`",
    );
    has_error(
        &inst("A", 1, "  priority 255\n  nopreempt"),
        "`nopreempt` cannot be used with priority 255",
    );
    let l = ok(&inst("A", 1, "  nopreempt\n  preempt"));
    assert!(!l.config.vrrp.instances[0].nopreempt);
}

#[test]
fn settings_keepalived_refuses_together() {
    // kt: "promote_secondaries is automatically set for vmacs - ignoring",
    // "vmac_xmit_base is only valid with a vmac", "multicast destination specified with
    // unicast - ignoring", "VRRPv3 advertisement interval 0.015000s must be in units of
    // 10ms", "Ignoring track_interface eth0 since own interface" (all exit 5).
    has_error(
        &inst("A", 1, "  use_vmac\n  promote_secondaries"),
        "`promote_secondaries` is implied by `use_vmac`",
    );
    has_error(
        &inst("A", 1, "  vmac_xmit_base"),
        "`vmac_xmit_base` needs `use_vmac`",
    );
    has_error(
        &inst(
            "A",
            1,
            "  mcast_dst_ip 224.0.0.50\n  unicast_peer {\n    192.0.2.9\n  }",
        ),
        "`mcast_dst_ip` cannot be used with unicast peers",
    );
    has_error(
        &inst("A", 1, "  version 3\n  advert_int 0.015"),
        "multiple of 0.01 seconds",
    );
    has_error(
        &inst("A", 1, "  track_interface {\n    eth0\n  }"),
        "the instance's own interface",
    );
}

#[test]
fn strict_mode_refusals() {
    // vrrp.c: "Strict mode does not support authentication", "preempt_delay is
    // incompatible with strict mode" (kt: exit 5). kt: strict_mode with unicast peers is
    // accepted (exit 0), although vrrp.c has "Unicast peers are not supported in strict
    // mode" (it applies to the global vrrp_strict only).
    ok(&inst(
        "A",
        1,
        "  strict_mode\n  unicast_peer {\n    192.0.2.9\n  }",
    ));
    has_error(
        &inst(
            "A",
            1,
            "  strict_mode on\n  authentication {\n    auth_type PASS\n    auth_pass x\n  }",
        ),
        "authentication is not allowed in strict mode",
    );
    has_error(
        &inst("A", 1, "  strict_mode\n  preempt_delay 1"),
        "not allowed in strict mode",
    );
    ok(&inst("A", 1, "  strict_mode off\n  preempt_delay 1"));
}

#[test]
fn auth_type_needs_a_password_and_ipv4_ipvlan_an_address() {
    // kt: "(A) Authentication specified but no password given. Ignoring" (exit 5).
    has_error(
        &inst("A", 1, "  authentication {\n    auth_type PASS\n  }"),
        "has `auth_type` but no `auth_pass`",
    );
    // kt: "IPv4 ipvlan requires a source ip address to be configured" (exit 5).
    has_error(&inst("A", 1, "  use_ipvlan ipv1"), "needs an address");
}

#[test]
fn tracking_weights_of_owners_and_sync_group_members() {
    // kt: "(A) ignoring tracked script s with weights due to SYNC group", "ignoring weight
    // from tracked file f due to SYNC group. specify weight 0", "ignoring eth1 tracked
    // interface weight due to SYNC group" (exit 5); nothing with
    // sync_group_tracking_weight.
    let head =
        "vrrp_script s {\n  script /bin/true\n  weight 10\n}\ntrack_file f {\n  file /run/f\n}\n";
    let body = "  track_script {\n    s\n  }\n  track_file {\n    f\n  }\n  track_interface {\n    eth1 weight 5\n  }";
    let text = format!(
        "{head}{}{}vrrp_sync_group G {{\n  group {{\n    A\n    B\n  }}\n}}\n",
        inst("A", 1, body),
        inst("B", 2, "")
    );
    let l = load(&text);
    let e = errors(&l);
    assert_eq!(e.len(), 3, "{e:?}");
    assert!(e[0].contains("the weight (5) of `track_interface` entry `eth1` would be ignored because it is in vrrp_sync_group `G`"), "{e:?}");
    ok(&text.replace(
        "    B\n  }\n}",
        "    B\n  }\n  sync_group_tracking_weight\n}",
    ));
    // The address owner: the track file's own weight (1) counts; `weight 0` is fine.
    has_error(
        &format!(
            "{head}{}",
            inst("A", 1, "  priority 255\n  track_file {\n    f\n  }")
        ),
        "because it is the address owner",
    );
    ok(&format!(
        "{head}{}",
        inst(
            "A",
            1,
            "  priority 255\n  track_file {\n    f weight 0\n  }"
        )
    ));
}

#[test]
fn empty_notify_script_is_ignored_like_keepalived() {
    // kt: `notify_master ""` is accepted (exit 0); `script ""` in a vrrp_script is not.
    let l = ok(&inst("A", 1, "  notify_master \"\""));
    assert!(l.config.vrrp.instances[0].notify.master.is_none());
    assert_eq!(warnings(&l).len(), 1);
    has_error(
        "vrrp_script s {\n  script \"\"\n}\n",
        "`script`: the script is empty",
    );
}

// ----- properties -----

/// Statements that may appear in an instance, each valid on its own.
const POOL: &[&str] = &[
    "state MASTER",
    "state BACKUP",
    "priority 200",
    "priority 255",
    "advert_int 2",
    "advert_int 0.5",
    "version 2",
    "version 3",
    "nopreempt",
    "preempt",
    "preempt_delay 3",
    "use_vmac",
    "use_vmac vm1",
    "vmac_xmit_base",
    "unicast_src_ip 192.0.2.10",
    "mcast_src_ip 192.0.2.11",
    "unicast_peer {\n 192.0.2.20\n}",
    "unicast_fault_no_peer",
    "unicast_ttl 10",
    "check_unicast_src",
    "mcast_dst_ip 224.0.0.99",
    "strict_mode",
    "accept",
    "no_accept",
    "authentication {\n auth_type PASS\n auth_pass pw\n}",
    "authentication {\n auth_type AH\n auth_pass pw\n}",
    "track_interface {\n eth1 weight 5\n}",
    "track_script {\n chk\n}",
    "track_file {\n tf weight 0\n}",
    "promote_secondaries",
    "garp_extra_if 5",
    "notify_master /bin/m",
    "notify_deleted",
    "smtp_alert off",
    "lower_prio_no_advert",
    "higher_prio_send_advert on",
    "down_timer_adverts 5",
    "skip_check_adv_addr",
];

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

    /// Any combination keepalived's rules accept prints to text that loads back to the
    /// same model; no combination panics.
    #[test]
    fn any_valid_instance_round_trips(picks in proptest::collection::vec(0..POOL.len(), 0..8)) {
        let body: Vec<&str> = picks.iter().map(|i| POOL[*i]).collect();
        let text = format!(
            "vrrp_script chk {{\n script /bin/true\n}}\ntrack_file tf {{\n file /run/tf\n}}\n{}",
            inst("A", 9, &body.join("\n"))
        );
        let first = load(&text);
        if errors(&first).is_empty() {
            let printed = crate::print::print_config(&first.config);
            let second = load(&printed);
            let mut e2 = errors(&second);
            e2.retain(|m| !m.contains("has no virtual_ipaddress"));
            proptest::prop_assert!(e2.is_empty(), "{:?}\n{}", e2, printed);
            proptest::prop_assert_eq!(&second.config.vrrp, &first.config.vrrp);
        }
    }

    /// Arbitrary words in a vrrp_instance never panic the lowering.
    #[test]
    fn arbitrary_words_do_not_panic(words in proptest::collection::vec("[a-z_0-9:./{}-]{0,12}", 0..20)) {
        let text = format!("vrrp_instance X {{\n{}\n}}\nvrrp_sync_group G {{\n{}\n}}\n", words.join(" "), words.join("\n"));
        let l = load(&text);
        let _ = crate::print::print_config(&l.config);
    }
}

#[test]
fn debounce_delays_must_be_shorter_than_the_down_timer() {
    // keepalived logs "A: interface eth0 debounce timer(s) not less that 2 * advert_int
    // - resetting" (exit 0): a warning.
    let l = ok(&format!(
        "interface_up_down_delays {{\n  eth0 2\n}}\n{}",
        inst("A", 1, "")
    ));
    assert_eq!(warnings(&l).len(), 1, "{:?}", warnings(&l));
    let l = ok(&format!(
        "interface_up_down_delays {{\n  eth0 1.5\n}}\n{}",
        inst("A", 1, "")
    ));
    assert!(warnings(&l).is_empty());
}

#[test]
fn ipvlan_and_unicast_cannot_be_combined_in_keepalived_2_2_7() {
    // kt: without vmac_xmit_base "unicast with use_vmac requires vmac_xmit_base"; with it
    // "vmac_xmit_base is only valid with a vmac" (exit 5 both ways).
    let peers = "  unicast_peer {\n    192.0.2.9\n  }";
    has_error(
        &inst("A", 1, &format!("  use_ipvlan ipv1 192.0.2.50/24\n{peers}")),
        "`use_ipvlan` cannot be used with unicast peers",
    );
    has_error(
        &inst("A", 1, "  use_ipvlan ipv1 192.0.2.50/24\n  vmac_xmit_base"),
        "`vmac_xmit_base` needs `use_vmac`",
    );
}

// ----- effects of global_defs on instances (review findings) -----

#[test]
fn global_vrrp_strict_applies_strict_checks_keepalived_vrrp_c() {
    // vrrp.c: "preempt_delay is incompatible with strict mode" also under the global
    // `vrrp_strict`, not only an instance's `strict_mode`.
    let text = format!(
        "global_defs {{\n  vrrp_strict\n}}\n{}",
        inst("VI_1", 1, "  state BACKUP\n  preempt_delay 5")
    );
    has_error(&text, "`preempt_delay` is not allowed in strict mode");
}

#[test]
fn default_version_2_refuses_sub_second_advert_int_rfc3768_5_3_7() {
    // No `version` line and no global vrrp_version: version 2, whole seconds only.
    has_error(
        &inst("VI_1", 1, "  advert_int 0.5"),
        "with VRRP version 2 `advert_int` must be whole seconds",
    );
    let v3 = format!(
        "global_defs {{\n  vrrp_version 3\n}}\n{}",
        inst("VI_1", 1, "  advert_int 0.5")
    );
    ok(&v3);
}

#[test]
fn global_version_3_refuses_authentication_rfc5798() {
    let text = format!(
        "global_defs {{\n  vrrp_version 3\n}}\n{}",
        inst(
            "VI_1",
            1,
            "  authentication {\n    auth_type PASS\n    auth_pass x\n  }"
        )
    );
    has_error(&text, "VRRP version 3 has no authentication");
}

#[test]
fn v3_advert_int_fits_twelve_bits_of_centiseconds_rfc5798_5_2_7() {
    has_error(
        &inst("VI_1", 1, "  version 3\n  advert_int 41"),
        "with VRRP version 3 `advert_int` must be at most 40.95 seconds",
    );
    ok(&inst("VI_1", 1, "  version 3\n  advert_int 40.95"));
}

#[test]
fn instance_without_interface_is_refused_keepalived_unknown_interface() {
    has_error(
        "vrrp_instance A {\n  virtual_router_id 51\n  virtual_ipaddress {\n    192.0.2.1/24\n  }\n}\n",
        "vrrp_instance `A` has no `interface`",
    );
}

#[test]
fn timers_refuse_more_than_six_decimals_keepalived_too_many_decimal_places() {
    has_error(
        &inst("VI_1", 1, "  version 3\n  advert_int 1.0000001"),
        "has more than six decimals",
    );
}

#[test]
fn unterminated_quote_is_an_error_keepalived_unmatched_quote() {
    let l = load("global_defs {\n  router_id \"abc\n}\n");
    assert_eq!(errors(&l), vec!["2:3: unterminated quote"]);
}
