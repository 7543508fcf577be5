//! Property tests: the parser never panics, and print → parse is the identity.

use proptest::prelude::*;
use std::path::Path;
use vigil_config::{load_str, print::print_config, Options};

fn opts() -> Options {
    Options {
        config_id: "node1".into(),
    }
}

/// Words that make up keepalived configurations, to reach deep into the parser.
const WORDS: &[&str] = &[
    "global_defs",
    "vrrp_instance",
    "vrrp_script",
    "vrrp_sync_group",
    "virtual_server",
    "virtual_server_group",
    "real_server",
    "TCP_CHECK",
    "HTTP_GET",
    "SSL_GET",
    "MISC_CHECK",
    "DNS_CHECK",
    "UDP_CHECK",
    "PING_CHECK",
    "FILE_CHECK",
    "BFD_CHECK",
    "SMTP_CHECK",
    "url",
    "bfd_instance",
    "static_ipaddress",
    "static_routes",
    "static_rules",
    "state",
    "MASTER",
    "BACKUP",
    "interface",
    "eth0",
    "virtual_router_id",
    "priority",
    "advert_int",
    "version",
    "authentication",
    "auth_type",
    "PASS",
    "AH",
    "auth_pass",
    "virtual_ipaddress",
    "virtual_routes",
    "virtual_rules",
    "track_script",
    "track_interface",
    "weight",
    "dev",
    "brd",
    "scope",
    "label",
    "unicast_peer",
    "unicast_src_ip",
    "nopreempt",
    "preempt_delay",
    "lb_algo",
    "lb_kind",
    "rr",
    "DR",
    "NAT",
    "protocol",
    "TCP",
    "UDP",
    "quorum",
    "group",
    "fwmark",
    "delay_loop",
    "connect_timeout",
    "path",
    "status_code",
    "digest",
    "script",
    "interval",
    "fall",
    "rise",
    "notify",
    "router_id",
    "192.0.2.1",
    "192.0.2.1/24",
    "2001:db8::1",
    "2001:db8::/64",
    "80",
    "1",
    "0",
    "255",
    "256",
    "0.01",
    "-1",
    "x",
    "{",
    "}",
    "{",
    "}",
    "\"a b\"",
    "'c'",
    "#",
    "!",
    "@node1",
    "@^node1",
    "$A=1",
    "$A",
    "${A}",
    "~SEQ(I,1,3)",
    "~LST(J,a,b)",
    "${_HASH}",
    "include",
    "\\",
    "on",
    "off",
];

fn config_text() -> impl Strategy<Value = String> {
    let word = prop_oneof![
        8 => proptest::sample::select(WORDS).prop_map(str::to_string),
        1 => "[ -~]{0,12}",
    ];
    let line = proptest::collection::vec(word, 0..7).prop_map(|w| w.join(" "));
    proptest::collection::vec(line, 0..40).prop_map(|l| l.join("\n"))
}

/// The valid corpus, as (name, text), with include-free files only (the text is
/// parsed from memory).
fn corpus() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/corpus/valid");
    let mut v: Vec<(String, String)> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "conf"))
                .filter_map(|p| {
                    let t = std::fs::read_to_string(&p).ok()?;
                    (!t.contains("include")).then(|| (p.display().to_string(), t))
                })
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// A corpus file with some brace-free lines dropped: a stream of realistic, mostly
/// valid configurations that use every keyword the corpus uses.
fn mutated_corpus() -> impl Strategy<Value = String> {
    let files = corpus();
    assert!(!files.is_empty(), "valid corpus missing");
    (
        0..files.len(),
        proptest::collection::vec(any::<bool>(), 0..400),
    )
        .prop_map(move |(i, drop)| {
            files[i]
                .1
                .lines()
                .enumerate()
                .filter(|(n, l)| {
                    l.contains('{') || l.contains('}') || !drop.get(*n).copied().unwrap_or(false)
                })
                .map(|(_, l)| l)
                .collect::<Vec<_>>()
                .join("\n")
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, .. ProptestConfig::default() })]

    #[test]
    fn print_then_parse_is_identity_on_mutated_corpus(text in mutated_corpus()) {
        let first = load_str(Path::new("p.conf"), &text, &opts());
        if first.is_valid() {
            let printed = print_config(&first.config);
            let second = load_str(Path::new("printed.conf"), &printed, &opts());
            prop_assert!(second.is_valid(), "printed form invalid:\n{}\n{}", printed,
                second.diags.render(&second.sources));
            prop_assert_eq!(&second.config, &first.config, "printed:\n{}", printed);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, .. ProptestConfig::default() })]

    #[test]
    fn parser_never_panics_on_keepalived_like_text(text in config_text()) {
        let _ = load_str(Path::new("p.conf"), &text, &opts());
    }

    #[test]
    fn parser_never_panics_on_arbitrary_text(text in "\\PC{0,400}") {
        let _ = load_str(Path::new("p.conf"), &text, &opts());
    }

    #[test]
    fn print_then_parse_is_identity(text in config_text()) {
        let first = load_str(Path::new("p.conf"), &text, &opts());
        if first.is_valid() {
            let printed = print_config(&first.config);
            let second = load_str(Path::new("printed.conf"), &printed, &opts());
            prop_assert!(second.is_valid(), "printed form invalid:\n{}\n{}", printed,
                second.diags.render(&second.sources));
            prop_assert_eq!(&second.config, &first.config, "printed:\n{}", printed);
        }
    }
}
