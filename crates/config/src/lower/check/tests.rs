//! Checker tests: blocks parsed from text and lowered with [`super::checker`] directly
//! (real_server lowering lives elsewhere), then printed and parsed again.

use super::checker;
use crate::diag::{Diagnostics, Severity};
use crate::lower::ctx::{Ctx, Kind};
use crate::model::check::*;
use crate::model::common::Timer;
use crate::preprocess::{preprocess_str, Options};
use crate::print::Printer;
use crate::source::SourceMap;
use crate::tree::build;
use std::path::Path;

struct Out {
    checkers: Vec<Checker>,
    ctx: Ctx,
    sources: SourceMap,
}

impl Out {
    fn errors(&self) -> Vec<String> {
        self.lines(Severity::Error)
    }
    fn warnings(&self) -> Vec<String> {
        self.lines(Severity::Warning)
    }
    fn lines(&self, sev: Severity) -> Vec<String> {
        self.ctx
            .diags
            .iter()
            .filter(|d| d.severity == sev)
            .map(|d| d.short(&self.sources))
            .collect()
    }
    fn one(&self) -> &Checker {
        assert_eq!(self.checkers.len(), 1, "{:?}", self.ctx.diags);
        &self.checkers[0]
    }
}

/// Lowers every top-level node of `text` as a checker block.
fn lower(text: &str) -> Out {
    let mut sources = SourceMap::new();
    let mut diags = Diagnostics::new();
    let opts = Options {
        config_id: "x".into(),
    };
    let lines = preprocess_str(Path::new("t.conf"), text, &opts, &mut sources, &mut diags);
    let nodes = build(lines, &mut diags);
    let mut ctx = Ctx::new(diags);
    let checkers = nodes.iter().filter_map(|n| checker(n, &mut ctx)).collect();
    Out {
        checkers,
        ctx,
        sources,
    }
}

fn print(cs: &[Checker]) -> String {
    let mut p = Printer::new();
    for c in cs {
        crate::print::check::checker(c, &mut p);
    }
    p.finish()
}

/// load → print → load gives the same checkers, with no diagnostics either time
/// other than `expected_warnings` on the first load and `reprinted_warnings` on the
/// second (deprecated forms the canonical text still needs, such as SMTP `host`).
fn round_trip(text: &str, expected_warnings: usize, reprinted_warnings: usize) -> Vec<Checker> {
    let a = lower(text);
    assert!(a.errors().is_empty(), "{:?}", a.errors());
    assert_eq!(a.warnings().len(), expected_warnings, "{:?}", a.warnings());
    let printed = print(&a.checkers);
    let b = lower(&printed);
    assert!(b.errors().is_empty(), "{printed}\n{:?}", b.errors());
    assert_eq!(
        b.warnings().len(),
        reprinted_warnings,
        "{printed}\n{:?}",
        b.warnings()
    );
    assert_eq!(a.checkers, b.checkers, "{printed}");
    assert_eq!(print(&b.checkers), printed);
    a.checkers
}

// ----- common options (keepalived.conf(5) CHECKER_TYPE; check_api.c) -----

#[test]
fn common_options_are_inherited_when_absent() {
    let o = lower("TCP_CHECK {\n}\n");
    assert_eq!(o.one(), &Checker::Tcp(TcpCheck::default()));
    assert_eq!(o.one().default_retry(), 1);
    assert_eq!(o.one().default_delay_before_retry(), Some(Timer::secs(1)));
}

#[test]
fn common_option_values() {
    let o = lower(
        "TCP_CHECK {\n connect_ip 192.0.2.3\n connect_port 8080\n bindto 192.0.2.4\n bind_port 1024\n bind_if eth0\n connect_timeout 0.5\n fwmark 7\n retry 0\n delay_before_retry 0\n warmup 2\n delay_loop 0.000001\n alpha\n log_all_failures yes\n}\n",
    );
    assert!(o.errors().is_empty(), "{:?}", o.errors());
    let Checker::Tcp(t) = o.one() else { panic!() };
    let c = &t.options.connection;
    assert_eq!(c.connect_ip, Some("192.0.2.3".parse().expect("address")));
    assert_eq!(c.connect_port, Some(8080));
    assert_eq!(c.bind_port, Some(1024));
    assert_eq!(c.bind_if.as_deref(), Some("eth0"));
    assert_eq!(c.connect_timeout, Some(Timer(500_000)));
    assert_eq!(c.fwmark, Some(7));
    let tm = &t.options.timing;
    assert_eq!(tm.retry, Some(0));
    assert_eq!(tm.delay_before_retry, Some(Timer(0)));
    assert_eq!(tm.warmup, Some(Timer::secs(2)));
    assert_eq!(tm.delay_loop, Some(Timer(1)));
    assert_eq!(tm.alpha, Some(true));
    assert!(tm.log_all_failures);
}

/// check_api.c: the ranges keepalived 2.2.7 enforces, with exact messages and places.
#[test]
fn common_option_errors() {
    let o = lower(
        "TCP_CHECK {\n connect_ip 192.0.2.300\n connect_port 0\n bind_port 65536\n connect_timeout 0\n fwmark -1\n retry -1\n delay_loop 0\n alpha maybe\n bind_if abcdefghijklmnopq\n connect_timeout 4294.967296\n}\n",
    );
    assert_eq!(
        o.errors(),
        vec![
            "t.conf:2:13: error: `connect_ip`: `192.0.2.300` is not an IP address",
            "t.conf:3:15: error: `connect_port` must be a number from 1 to 65535, not `0`",
            "t.conf:4:12: error: `bind_port` must be a number from 1 to 65535, not `65536`",
            "t.conf:5:18: error: `connect_timeout` must be from 0.000001 to 4294.967295 seconds, not `0`",
            "t.conf:6:9: error: `fwmark` must be a number from 0 to 4294967295, not `-1`",
            "t.conf:7:8: error: `retry` must be a number from 0 to 4294967295, not `-1`",
            "t.conf:8:13: error: `delay_loop` must be from 0.000001 to 18446744073709.551615 seconds, not `0`",
            "t.conf:9:8: error: `alpha` takes on/off, true/false or yes/no, not `maybe`",
            "t.conf:10:10: error: `bind_if`: `abcdefghijklmnopq` is not a valid interface name (1 to 15 characters)",
            "t.conf:11:18: error: `connect_timeout` must be from 0.000001 to 4294.967295 seconds, not `4294.967296`",
        ]
    );
}

/// check_api.c co_ip_handler / co_srcip_handler: one address family.
#[test]
fn connect_ip_and_bindto_family() {
    let o = lower("PING_CHECK {\n bindto 2001:db8::1\n connect_ip 192.0.2.1\n}\n");
    assert_eq!(
        o.errors(),
        vec!["t.conf:3:13: error: `connect_ip` is not of the same address family as `bindto`"]
    );
}

/// check_api.c check_conn_opts: a link-local connect_ip needs bind_if.
#[test]
fn link_local_needs_bind_if() {
    let o = lower("TCP_CHECK {\n connect_ip fe80::1\n}\n");
    assert_eq!(
        o.errors(),
        vec!["t.conf:2:13: error: link-local `connect_ip` fe80::1 needs `bind_if`"]
    );
    assert!(
        lower("TCP_CHECK {\n connect_ip fe80::1\n bind_if eth0\n}\n")
            .errors()
            .is_empty()
    );
}

#[test]
fn unknown_keyword_is_a_warning_with_a_suggestion() {
    let o = lower("TCP_CHECK {\n conect_port 80\n nb_get_retry 3\n}\n");
    assert!(o.errors().is_empty());
    assert_eq!(
        o.warnings(),
        vec![
            "t.conf:2:2: warning: unknown keyword `conect_port` in TCP_CHECK; ignored",
            "t.conf:3:2: warning: unknown keyword `nb_get_retry` in TCP_CHECK; ignored",
        ]
    );
    assert_eq!(
        o.ctx
            .diags
            .iter()
            .next()
            .and_then(|d| d.help.clone())
            .as_deref(),
        Some("did you mean `connect_port`?")
    );
}

// ----- HTTP_GET / SSL_GET (check_http.c) -----

#[test]
fn http_defaults() {
    let o = lower("HTTP_GET {\n url {\n  path /\n }\n}\n");
    let Checker::Http(h) = o.one() else { panic!() };
    assert_eq!(h.http_protocol, HttpProtocol::V1_0);
    assert_eq!(h.urls[0].status_codes, DEFAULT_STATUS_CODES.to_vec());
    assert_eq!(o.one().default_delay_before_retry(), Some(Timer::secs(3)));
}

/// keepalived drops an HTTP_GET without urls (2.2.7 even crashes on it under -t).
#[test]
fn http_needs_a_url_with_a_path() {
    let o = lower(
        "HTTP_GET {\n}\nSSL_GET {\n url {\n  digest 9b3a0c85a887a256d6939da88aabd8cd\n }\n}\n",
    );
    assert_eq!(
        o.errors(),
        vec![
            "t.conf:1:1: error: `HTTP_GET` needs at least one `url` block with a `path`",
            "t.conf:4:2: error: `url` needs a `path`",
            "t.conf:3:1: error: `SSL_GET` needs at least one `url` block with a `path`",
        ]
    );
}

/// check_http.c status_code_handler: codes and ranges from 100 to 599; all lines add up.
#[test]
fn http_status_codes() {
    let o = lower("HTTP_GET {\n url {\n  path /\n  status_code 200-201 404\n  status_code 202 500-599\n }\n}\n");
    let Checker::Http(h) = o.one() else { panic!() };
    let r = |from, to| StatusRange { from, to };
    assert_eq!(
        h.urls[0].status_codes,
        vec![r(200, 202), r(404, 404), r(500, 599)]
    );
    let o = lower("HTTP_GET {\n url {\n  path /\n  status_code 99 200-600 300-200 abc\n }\n}\n");
    assert_eq!(o.errors().len(), 4);
    assert_eq!(
        o.errors()[0],
        "t.conf:4:15: error: `status_code` must be a code or a range CODE-CODE from 100 to 599, not `99`"
    );
}

/// check_http.c digest_handler: 32 hex digits, once per url.
#[test]
fn http_digest() {
    let o =
        lower("HTTP_GET {\n url {\n  path /\n  digest 9B3A0C85A887A256D6939DA88AABD8CD\n }\n}\n");
    let Checker::Http(h) = o.one() else { panic!() };
    assert_eq!(
        h.urls[0].digest.as_deref(),
        Some("9b3a0c85a887a256d6939da88aabd8cd")
    );
    let o = lower("HTTP_GET {\n url {\n  path /\n  digest 9b3a0c85a887a256d6939da88aabd8c\n  digest 9b3a0c85a887a256d6939da88aabd8cd\n  digest 9b3a0c85a887a256d6939da88aabd8cd\n }\n}\n");
    assert_eq!(
        o.errors(),
        vec![
            "t.conf:4:10: error: `digest` must be 32 hexadecimal digits (an MD5 sum), not `9b3a0c85a887a256d6939da88aabd8c`",
            "t.conf:6:10: error: `digest` is given twice in this url",
        ]
    );
}

/// check_http.c http_protocol_handler: 1.0, 1.0C (or 1.0c), 1.1.
#[test]
fn http_protocol_versions() {
    let o = lower("SSL_GET {\n http_protocol 1.0c\n url {\n  path /\n }\n}\n");
    let Checker::Ssl(h) = o.one() else { panic!() };
    assert_eq!(h.http_protocol, HttpProtocol::V1_0C);
    let o = lower("HTTP_GET {\n http_protocol 2.0\n url {\n  path /\n }\n}\n");
    assert_eq!(
        o.errors(),
        vec!["t.conf:2:16: error: `http_protocol` must be one of 1.0, 1.0C, 1.1, not `2.0`"]
    );
}

/// check_http.c: `nb_get_retry` is a deprecated alias of `retry`.
#[test]
fn http_nb_get_retry_maps_to_retry() {
    let o = lower("HTTP_GET {\n nb_get_retry 4\n url {\n  path /\n }\n}\n");
    let Checker::Http(h) = o.one() else { panic!() };
    assert_eq!(h.options.timing.retry, Some(4));
    assert_eq!(
        o.warnings(),
        vec!["t.conf:2:2: warning: `nb_get_retry` is deprecated"]
    );
}

/// check_http.c url_check: regex parameters need a regex; min offset <= max offset;
/// regex_stack start <= max; unknown regex options are ignored (a warning here).
#[test]
fn http_regex_rules() {
    let o = lower("HTTP_GET {\n url {\n  path /\n  regex_no_match\n }\n url {\n  path /\n  regex ok\n  regex_min_offset 10\n  regex_max_offset 5\n  regex_stack 10 5\n  regex_options caseles\n }\n}\n");
    assert_eq!(
        o.errors(),
        vec![
            "t.conf:4:3: error: regex parameters are given without a `regex`",
            "t.conf:11:15: error: `regex_stack`: the start size cannot exceed the maximum",
            "t.conf:10:3: error: `regex_max_offset` 5 is below `regex_min_offset` 10",
        ]
    );
    assert_eq!(
        o.warnings(),
        vec!["t.conf:12:17: warning: unknown `regex_options` option `caseles`; ignored"]
    );
}

// ----- SMTP_CHECK (check_smtp.c) -----

#[test]
fn smtp_default_helo_and_hosts() {
    let o = lower("SMTP_CHECK {\n connect_timeout 3\n host {\n  connect_ip 192.0.2.5\n  retry 2\n }\n connect_port 25\n host {\n  connect_port 2525\n }\n}\n");
    let Checker::Smtp(s) = o.one() else { panic!() };
    assert_eq!(s.helo_name, DEFAULT_HELO_NAME);
    // A host copies the connection options given before it; its timing is the checker's.
    assert_eq!(s.hosts.len(), 2);
    assert_eq!(s.hosts[0].connect_timeout, Some(Timer::secs(3)));
    assert_eq!(s.hosts[0].connect_port, None);
    assert_eq!(s.hosts[1].connect_port, Some(2525));
    assert_eq!(s.options.timing.retry, Some(2));
    assert_eq!(
        o.warnings(),
        vec![
            "t.conf:3:2: warning: the `host` block of SMTP_CHECK is deprecated",
            "t.conf:8:2: warning: the `host` block of SMTP_CHECK is deprecated",
        ]
    );
}

#[test]
fn smtp_helo_name_needs_a_value() {
    let o = lower("SMTP_CHECK {\n helo_name\n}\n");
    assert_eq!(
        o.errors(),
        vec!["t.conf:2:2: error: `helo_name` needs a value"]
    );
}

// ----- MISC_CHECK (check_misc.c) -----

#[test]
fn misc_script_user_and_defaults() {
    let o = lower("MISC_CHECK {\n misc_path \"/usr/bin/check --fast\"\n user nobody nogroup\n misc_timeout 0\n misc_dynamic\n}\n");
    let Checker::Misc(m) = o.one() else { panic!() };
    assert_eq!(m.script.command, "/usr/bin/check --fast");
    assert_eq!(m.script.user.as_deref(), Some("nobody"));
    assert_eq!(m.script.group.as_deref(), Some("nogroup"));
    assert_eq!(m.timeout, Some(0));
    assert!(m.dynamic);
    assert_eq!(o.one().default_retry(), 0);
    // check_misc.c misc_path_handler (keepalived 2.2.7, observed with gdb): the line is
    // split again with quotes and escapes; the word after the keyword is the command and
    // further words are ignored (a warning here), not a user.
    let o = lower("MISC_CHECK {\n misc_path /bin/check daemon \"a b\"\n}\n");
    let Checker::Misc(m) = o.one() else { panic!() };
    assert_eq!(m.script.command, "/bin/check");
    assert_eq!(m.script.user, None);
    let o = lower("MISC_CHECK {\n misc_path '/bin/check daemon \"a b\"'\n}\n");
    let Checker::Misc(m) = o.one() else { panic!() };
    assert_eq!(m.script.command, "/bin/check daemon \"a b\"");
}

/// check_misc.c: misc_path is required, misc_timeout is 0..4294, no connection options.
/// check_misc.c misc_dynamic_handler (and check_http.c regex_no_match_handler) ignore
/// arguments: `misc_dynamic off` still turns it on there; vigil refuses the argument.
#[test]
fn flags_that_ignore_arguments() {
    let o = lower("MISC_CHECK {\n misc_path /bin/true\n misc_dynamic\n}\n");
    let Checker::Misc(m) = o.one() else { panic!() };
    assert!(m.dynamic);
    let o = lower("MISC_CHECK {\n misc_path /bin/true\n misc_dynamic off\n}\n");
    assert_eq!(
        o.errors(),
        vec!["t.conf:3:15: error: `misc_dynamic` takes no argument; keepalived would ignore `off` and turn it on"]
    );
}

#[test]
fn misc_errors() {
    let o = lower("MISC_CHECK {\n misc_timeout 4295\n connect_ip 192.0.2.1\n}\n");
    assert_eq!(
        o.errors(),
        vec![
            "t.conf:2:15: error: `misc_timeout` must be a number from 0 to 4294, not `4295`",
            "t.conf:1:1: error: `MISC_CHECK` needs a `misc_path`",
        ]
    );
    assert_eq!(
        o.warnings(),
        vec!["t.conf:3:2: warning: unknown keyword `connect_ip` in MISC_CHECK; ignored"]
    );
}

// ----- DNS_CHECK (check_dns.c) -----

#[test]
fn dns_defaults_and_types() {
    let o = lower("DNS_CHECK {\n}\nDNS_CHECK {\n type aaaa\n name example.com.\n}\n");
    assert_eq!(o.checkers.len(), 2);
    let Checker::Dns(d) = &o.checkers[0] else {
        panic!()
    };
    assert_eq!((d.query_type, d.name.as_str()), (DnsType::Soa, "."));
    assert_eq!(o.checkers[0].default_retry(), 3);
    assert_eq!(o.checkers[0].default_delay_before_retry(), None);
    let Checker::Dns(d) = &o.checkers[1] else {
        panic!()
    };
    assert_eq!(
        (d.query_type, d.name.as_str()),
        (DnsType::Aaaa, "example.com.")
    );
}

#[test]
fn dns_errors() {
    let o = lower(
        "DNS_CHECK {\n type BOGUS\n name a..b\n name .a\n}\nDNS_CHECK {\n name .\n name x\n}\n",
    );
    assert_eq!(
        o.errors(),
        vec![
            "t.conf:2:7: error: `type` must be one of A, NS, CNAME, SOA, MX, TXT, AAAA, RRSIG, DNSKEY, not `BOGUS`",
            "t.conf:3:7: error: DNS_CHECK `name` `a..b` has an empty label",
            "t.conf:4:7: error: DNS_CHECK `name` `.a` has an empty label",
            "t.conf:8:7: error: DNS_CHECK `name` is given twice",
        ]
    );
}

// ----- UDP_CHECK (check_udp.c) -----

/// keepalived.conf(5) UDP_CHECK: "Ab12f 3 456 546443123" is AB 12 0F 03 45 06 54 64 43 12 03.
#[test]
fn udp_hex_strings() {
    let o = lower("UDP_CHECK {\n payload Ab12f 3 456 546443123\n require_reply 01x2X\n}\n");
    let Checker::Udp(u) = o.one() else { panic!() };
    assert_eq!(
        u.payload.as_deref(),
        Some(&[0xab, 0x12, 0x0f, 0x03, 0x45, 0x06, 0x54, 0x64, 0x43, 0x12, 0x03][..])
    );
    assert!(u.require_reply);
    let r = u.reply.as_ref().expect("reply");
    assert_eq!(r.data, vec![0x01, 0x02, 0x00]);
    assert_eq!(r.mask, vec![0x00, 0xf0, 0x0f]);
    assert_eq!((u.min_reply_length, u.max_reply_length), (0, 255));
}

#[test]
fn udp_errors() {
    let o = lower("UDP_CHECK {\n payload\n payload 0x\n require_reply zz\n min_reply_length 70000\n min_reply_length 10\n max_reply_length 5\n}\n");
    assert_eq!(
        o.errors(),
        vec![
            "t.conf:2:2: error: `payload` needs a hexadecimal string",
            "t.conf:3:10: error: `payload` must be hexadecimal digits",
            "t.conf:4:16: error: `require_reply` must be hexadecimal digits (or x for an ignored digit)",
            "t.conf:5:19: error: `min_reply_length` must be a number from 0 to 65535, not `70000`",
            "t.conf:7:2: error: `min_reply_length` 10 exceeds `max_reply_length` 5; the check would always fail",
        ]
    );
}

// ----- FILE_CHECK (check_file.c) and BFD_CHECK (check_bfd.c) -----

#[test]
fn file_check_references_track_file() {
    let o = lower("FILE_CHECK {\n track_file TF\n weight -5 reverse\n dynamic\n}\n");
    let Checker::File(f) = o.one() else { panic!() };
    assert_eq!(
        (f.track_file.as_str(), f.weight, f.reverse),
        ("TF", Some(-5), true)
    );
    assert_eq!(o.ctx.references.len(), 1);
    assert_eq!(o.ctx.references[0].kind, Kind::TrackFile);
    assert_eq!(o.warnings().len(), 1);
    assert!(o.warnings()[0].contains("`dynamic` is understood but vigil does not act on it"));
}

#[test]
fn file_check_errors() {
    let o = lower("FILE_CHECK {\n weight 2147483648\n weight 3 bogus\n}\n");
    assert_eq!(
        o.errors(),
        vec![
            "t.conf:2:9: error: `weight` must be a number from -2147483647 to 2147483647, not `2147483648`",
            "t.conf:3:11: error: `weight` must be one of reverse, noreverse, not `bogus`",
            "t.conf:1:1: error: `FILE_CHECK` needs a `track_file`",
        ]
    );
}

#[test]
fn bfd_check_references_bfd_instance() {
    let o = lower(
        "BFD_CHECK {\n name B1\n alpha\n}\nBFD_CHECK {\n}\nBFD_CHECK {\n name B1\n weight 3\n}\n",
    );
    assert_eq!(o.checkers.len(), 2);
    assert_eq!(
        o.checkers[0],
        Checker::Bfd(BfdCheck {
            name: "B1".into(),
            alpha: Some(true)
        })
    );
    assert_eq!(o.ctx.references.len(), 2);
    assert_eq!(o.ctx.references[0].kind, Kind::BfdInstance);
    assert_eq!(
        o.errors(),
        vec!["t.conf:5:1: error: `BFD_CHECK` needs a `name`"]
    );
    // keepalived 2.2.7 does not know `weight` in BFD_CHECK.
    assert_eq!(
        o.warnings(),
        vec!["t.conf:9:2: warning: unknown keyword `weight` in BFD_CHECK; ignored"]
    );
}

// ----- round trip over every keyword -----

#[test]
fn round_trip_every_checker_keyword() {
    let text = r#"
TCP_CHECK {
    connect_ip 2001:db8::5
    connect_port 8080
    bindto 2001:db8::6
    bind_port 40000
    bind_if eth0
    connect_timeout 2.5
    fwmark 9
    retry 2
    delay_before_retry 0.25
    warmup 0
    delay_loop 6
    alpha off
    log_all_failures
}
PING_CHECK {
    alpha
}
HTTP_GET {
    nb_get_retry 3
    virtualhost www.example.com
    http_protocol 1.1
    enable_sni
    fast_recovery
    url {
        path "/health check?x=1"
        digest 9b3a0c85a887a256d6939da88aabd8cd
        status_code 200-204 301 500-599
        virtualhost other.example.com
        regex "^OK \"quoted\" $"
        regex_no_match
        regex_options multiline caseless caseless
        regex_min_offset 5
        regex_max_offset 500
        regex_stack 1024 65536
    }
    url {
        path /
    }
}
SSL_GET {
    http_protocol 1.0C
    enable_sni off
    url {
        path /s
        status_code 200
    }
}
SMTP_CHECK {
    connect_ip 192.0.2.30
    host {
        connect_port 2525
        retry 5
    }
    bindto 192.0.2.31
    helo_name "mx.example.com"
}
MISC_CHECK {
    misc_path "/usr/local/bin/check arg"
    user nobody nogroup
    misc_timeout 10
    misc_dynamic
    warmup 1
    retry 0
    delay_loop 30
    log_all_failures on
}
DNS_CHECK {
    type mx
    name example.org
    connect_port 53
}
UDP_CHECK {
    payload Ab12f 3 456
    require_reply 0102xX
    min_reply_length 2
    max_reply_length 1400
}
UDP_CHECK {
    require_reply
}
FILE_CHECK {
    track_file TF
    weight -10 reverse
}
FILE_CHECK {
    track_file TF2
    weight 4 noreverse
}
BFD_CHECK {
    name B1
    alpha no
}
"#;
    // Expected warnings: nb_get_retry deprecated, SMTP host deprecated (which the
    // printed text keeps).
    let cs = round_trip(text, 2, 1);
    assert_eq!(cs.len(), 12);
    let Checker::Smtp(s) = &cs[4] else { panic!() };
    assert_eq!(
        s.hosts[0].connect_ip,
        Some("192.0.2.30".parse().expect("address"))
    );
    assert_eq!(s.hosts[0].bindto, None);
    assert_eq!(
        s.options.connection.bindto,
        Some("192.0.2.31".parse().expect("address"))
    );
    let Checker::Misc(m) = &cs[5] else { panic!() };
    assert_eq!(m.script.user.as_deref(), Some("nobody"));
}

/// Property: any checker text, however mangled, lowers without panicking.
#[test]
fn no_panics_on_junk() {
    let junk = [
        "HTTP_GET",
        "HTTP_GET {",
        "url",
        "url {",
        "status_code",
        "status_code -",
        "status_code 1-",
        "regex_stack 1",
        "payload x",
        "require_reply",
        "weight",
        "name",
        "}",
        "{",
        "host {",
        "connect_ip",
        "bind_if",
        "type",
        "misc_path",
        "user",
        "-",
    ];
    for a in junk {
        for b in junk {
            for kw in super::CHECKER_KEYWORDS {
                let _ = lower(&format!("{kw} {{\n {a} {b}\n {b}\n}}\n"));
            }
        }
    }
}

/// parser.c set_value(): `path`, `virtualhost` and `helo_name` take every word after
/// the keyword, joined by spaces (keepalived accepts `path /a b` without a word).
#[test]
fn set_value_strings_join_words() {
    let o = lower("HTTP_GET {\n virtualhost a b\n url {\n  path /a b\n }\n}\nSMTP_CHECK {\n helo_name mx example\n}\n");
    assert!(o.errors().is_empty(), "{:?}", o.errors());
    let Checker::Http(h) = &o.checkers[0] else {
        panic!()
    };
    assert_eq!(h.virtualhost.as_deref(), Some("a b"));
    assert_eq!(h.urls[0].path, "/a b");
    let Checker::Smtp(s) = &o.checkers[1] else {
        panic!()
    };
    assert_eq!(s.helo_name, "mx example");
    round_trip("HTTP_GET {\n url {\n  path /a b\n }\n}\n", 0, 0);
}
