//! Health checkers inside a `real_server` block (keepalived.conf(5), "Virtual server(s)",
//! the `CHECKER_TYPE` blocks; keepalived/check/check_*.c).
//!
//! Options that keepalived inherits from the real server or virtual server when the
//! checker does not set them (`retry`, `delay_loop`, `connect_timeout`, ...) are `Option`:
//! `None` means "inherit". The per-kind fallbacks that apply when neither the checker
//! nor the servers set them are given by [`Checker::default_retry`] and
//! [`Checker::default_delay_before_retry`].

use super::common::{Script, Timer};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::net::IpAddr;

/// One checker block.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Checker {
    /// `TCP_CHECK`: a TCP connect.
    Tcp(TcpCheck),
    /// `HTTP_GET`: HTTP requests for a list of URLs.
    Http(HttpCheck),
    /// `SSL_GET`: as `HTTP_GET`, over TLS.
    Ssl(HttpCheck),
    /// `SMTP_CHECK`: banner, HELO, QUIT.
    Smtp(SmtpCheck),
    /// `MISC_CHECK`: an external program.
    Misc(MiscCheck),
    /// `DNS_CHECK`: a DNS query over UDP.
    Dns(DnsCheck),
    /// `UDP_CHECK`: a UDP datagram, optionally a reply.
    Udp(UdpCheck),
    /// `PING_CHECK`: an ICMP echo.
    Ping(PingCheck),
    /// `FILE_CHECK`: the value in a tracked file.
    File(FileCheck),
    /// `BFD_CHECK`: the state of a `bfd_instance`.
    Bfd(BfdCheck),
}

impl Checker {
    /// The block keyword of this checker (`TCP_CHECK`, ...).
    pub fn keyword(&self) -> &'static str {
        match self {
            Checker::Tcp(_) => "TCP_CHECK",
            Checker::Http(_) => "HTTP_GET",
            Checker::Ssl(_) => "SSL_GET",
            Checker::Smtp(_) => "SMTP_CHECK",
            Checker::Misc(_) => "MISC_CHECK",
            Checker::Dns(_) => "DNS_CHECK",
            Checker::Udp(_) => "UDP_CHECK",
            Checker::Ping(_) => "PING_CHECK",
            Checker::File(_) => "FILE_CHECK",
            Checker::Bfd(_) => "BFD_CHECK",
        }
    }

    /// `retry` when neither checker nor servers set it: 3 for DNS_CHECK, 0 for
    /// MISC_CHECK, 1 otherwise (keepalived.conf(5); check_api.c, check_dns.c).
    pub fn default_retry(&self) -> u32 {
        match self {
            Checker::Dns(_) => 3,
            Checker::Misc(_) => 0,
            _ => 1,
        }
    }

    /// `delay_before_retry` when neither checker nor servers set it: 3 s for HTTP_GET
    /// and SSL_GET, the delay_loop for DNS_CHECK (`None` here), 1 s otherwise.
    pub fn default_delay_before_retry(&self) -> Option<Timer> {
        match self {
            Checker::Http(_) | Checker::Ssl(_) => Some(Timer::secs(3)),
            Checker::Dns(_) => None,
            _ => Some(Timer::secs(1)),
        }
    }
}

/// Where a checker connects from and to (`connect_ip` ... `fwmark`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Connection {
    /// `connect_ip`: address to check; the real server's address when absent.
    pub connect_ip: Option<IpAddr>,
    /// `connect_port`: port to check (1-65535); the real server's port when absent.
    pub connect_port: Option<u16>,
    /// `bindto`: source address.
    pub bindto: Option<IpAddr>,
    /// `bind_port`: source port (1-65535).
    pub bind_port: Option<u16>,
    /// `bind_if`: source interface (needed for an IPv6 link-local `connect_ip`).
    pub bind_if: Option<String>,
    /// `connect_timeout`: up to 4294.967295 s; inherited from the real/virtual server
    /// (default 5 s) when absent.
    pub connect_timeout: Option<Timer>,
    /// `fwmark`: mark set on the checker's packets.
    pub fwmark: Option<u32>,
}

impl Connection {
    /// True when no connection option is set.
    pub fn is_empty(&self) -> bool {
        *self == Connection::default()
    }
}

/// Scheduling options every checker except FILE_CHECK and BFD_CHECK has
/// (`retry` ... `log_all_failures`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Timing {
    /// `retry` (alias `nb_get_retry` in HTTP_GET/SSL_GET): retries before failing;
    /// inherited when absent (see [`Checker::default_retry`]).
    pub retry: Option<u32>,
    /// `delay_before_retry`; inherited when absent.
    pub delay_before_retry: Option<Timer>,
    /// `warmup`: maximum random delay before the first check; inherited when absent
    /// (keepalived's default is the delay_loop).
    pub warmup: Option<Timer>,
    /// `delay_loop`: interval between checks; inherited when absent (default 60 s).
    pub delay_loop: Option<Timer>,
    /// `alpha`: start in the failed state; inherited when absent.
    pub alpha: Option<bool>,
    /// `log_all_failures`: log every failure, not only the state change.
    pub log_all_failures: bool,
}

/// The options shared by the checkers that open a connection (TCP, HTTP, SSL, SMTP,
/// DNS, UDP, PING).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CheckOptions {
    /// Connection options.
    pub connection: Connection,
    /// Scheduling options.
    pub timing: Timing,
}

/// `TCP_CHECK`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TcpCheck {
    /// Common options.
    pub options: CheckOptions,
}

/// `PING_CHECK`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PingCheck {
    /// Common options.
    pub options: CheckOptions,
}

/// `http_protocol`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum HttpProtocol {
    /// `1.0` (the default).
    #[default]
    V1_0,
    /// `1.0C`: 1.0 with `Connection: close`.
    V1_0C,
    /// `1.1`.
    V1_1,
}

impl fmt::Display for HttpProtocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            HttpProtocol::V1_0 => "1.0",
            HttpProtocol::V1_0C => "1.0C",
            HttpProtocol::V1_1 => "1.1",
        })
    }
}

/// `HTTP_GET` and `SSL_GET`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct HttpCheck {
    /// Common options.
    pub options: CheckOptions,
    /// `virtualhost`: Host header; the real/virtual server's when absent.
    pub virtualhost: Option<String>,
    /// `http_protocol`.
    pub http_protocol: HttpProtocol,
    /// `enable_sni`: send SNI in the TLS handshake.
    pub enable_sni: bool,
    /// `fast_recovery`: check all URLs without delay after a failure or at start.
    pub fast_recovery: bool,
    /// `url` blocks, at least one.
    pub urls: Vec<Url>,
}

/// An inclusive range of HTTP status codes (100-599).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct StatusRange {
    /// First code.
    pub from: u16,
    /// Last code.
    pub to: u16,
}

impl fmt::Display for StatusRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.from == self.to {
            write!(f, "{}", self.from)
        } else {
            write!(f, "{}-{}", self.from, self.to)
        }
    }
}

/// The status codes accepted when none are configured: 200-299.
pub const DEFAULT_STATUS_CODES: [StatusRange; 1] = [StatusRange { from: 200, to: 299 }];

/// One `url` block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Url {
    /// `path` (required).
    pub path: String,
    /// `digest`: MD5 of the body, 32 lowercase hex digits.
    pub digest: Option<String>,
    /// `status_code`: accepted codes, sorted and merged; 200-299 when none given.
    pub status_codes: Vec<StatusRange>,
    /// `virtualhost`: Host header for this URL.
    pub virtualhost: Option<String>,
    /// `regex` and its options.
    pub regex: Option<Regex>,
}

/// PCRE2 options accepted by `regex_options` (keepalived.conf(5)).
pub const REGEX_OPTIONS: &[&str] = &[
    "allow_empty_class",
    "alt_bsux",
    "auto_callout",
    "caseless",
    "dollar_endonly",
    "dotall",
    "dupnames",
    "extended",
    "firstline",
    "match_unset_backref",
    "multiline",
    "never_ucp",
    "never_utf",
    "no_auto_capture",
    "no_auto_possess",
    "no_dotstar_anchor",
    "no_start_optimize",
    "ucp",
    "ungreedy",
    "utf",
    "never_backslash_c",
    "alt_circumflex",
    "alt_verbnames",
    "use_offset_limit",
];

/// A body regular expression (`regex` ... `regex_stack`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Regex {
    /// `regex`: the PCRE2 pattern.
    pub pattern: String,
    /// `regex_no_match`: a match fails the check.
    pub no_match: bool,
    /// `regex_options`: names from [`REGEX_OPTIONS`], in that table's order, no repeats.
    pub options: Vec<String>,
    /// `regex_min_offset`: first offset searched.
    pub min_offset: u64,
    /// `regex_max_offset`: last offset a match may start at.
    pub max_offset: Option<u64>,
    /// `regex_stack START MAX`: JIT stack sizes in bytes.
    pub stack: Option<(u64, u64)>,
}

/// `SMTP_CHECK`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmtpCheck {
    /// Common options. The connection here is checked too when any of it is set or
    /// when there are no `host` blocks (check_smtp.c).
    pub options: CheckOptions,
    /// `helo_name`.
    pub helo_name: String,
    /// Deprecated `host` blocks: each is one more check with these connection options
    /// (each starts as a copy of the connection options given before it).
    pub hosts: Vec<Connection>,
}

/// keepalived's default HELO name (check_smtp.h, SMTP_DEFAULT_HELO).
pub const DEFAULT_HELO_NAME: &str = "smtpchecker.keepalived.org";

impl Default for SmtpCheck {
    fn default() -> Self {
        SmtpCheck {
            options: CheckOptions::default(),
            helo_name: DEFAULT_HELO_NAME.to_string(),
            hosts: Vec::new(),
        }
    }
}

/// `MISC_CHECK`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MiscCheck {
    /// Scheduling options (no connection options).
    pub timing: Timing,
    /// `misc_path` (with `user USER [GROUP]`): the program to run.
    pub script: Script,
    /// `misc_timeout`: seconds (0-4294); the delay_loop when absent or 0.
    pub timeout: Option<u32>,
    /// `misc_dynamic`: exit codes 2-255 set the weight.
    pub dynamic: bool,
}

/// DNS query types of `DNS_CHECK type` (check_dns.c).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum DnsType {
    /// A
    A,
    /// NS
    Ns,
    /// CNAME
    Cname,
    /// SOA (the default)
    #[default]
    Soa,
    /// MX
    Mx,
    /// TXT
    Txt,
    /// AAAA
    Aaaa,
    /// RRSIG
    Rrsig,
    /// DNSKEY
    Dnskey,
}

impl DnsType {
    /// Every type with its keyword.
    pub const ALL: [(DnsType, &'static str); 9] = [
        (DnsType::A, "A"),
        (DnsType::Ns, "NS"),
        (DnsType::Cname, "CNAME"),
        (DnsType::Soa, "SOA"),
        (DnsType::Mx, "MX"),
        (DnsType::Txt, "TXT"),
        (DnsType::Aaaa, "AAAA"),
        (DnsType::Rrsig, "RRSIG"),
        (DnsType::Dnskey, "DNSKEY"),
    ];

    /// The type's keyword.
    pub fn name(self) -> &'static str {
        DnsType::ALL
            .iter()
            .find(|(t, _)| *t == self)
            .map(|(_, n)| *n)
            .unwrap_or("SOA")
    }
}

impl fmt::Display for DnsType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// `DNS_CHECK`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DnsCheck {
    /// Common options.
    pub options: CheckOptions,
    /// `type`: the query type (default SOA).
    pub query_type: DnsType,
    /// `name`: the name queried (default `.`).
    pub name: String,
}

impl Default for DnsCheck {
    fn default() -> Self {
        DnsCheck {
            options: CheckOptions::default(),
            query_type: DnsType::Soa,
            name: ".".to_string(),
        }
    }
}

/// Expected reply bytes of `require_reply HEX`; a set bit in `mask` ignores that bit
/// (`x` nibbles).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyPattern {
    /// Expected bytes.
    pub data: Vec<u8>,
    /// Bits to ignore, same length as `data`.
    pub mask: Vec<u8>,
}

/// `UDP_CHECK`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UdpCheck {
    /// Common options.
    pub options: CheckOptions,
    /// `payload HEX`: data sent; random data when absent.
    pub payload: Option<Vec<u8>>,
    /// `require_reply`: a reply is needed for success.
    pub require_reply: bool,
    /// `require_reply HEX`: what the reply must start with.
    pub reply: Option<ReplyPattern>,
    /// `min_reply_length` (0-65535, default 0).
    pub min_reply_length: u16,
    /// `max_reply_length` (0-65535, default 255).
    pub max_reply_length: u16,
}

impl Default for UdpCheck {
    fn default() -> Self {
        UdpCheck {
            options: CheckOptions::default(),
            payload: None,
            require_reply: false,
            reply: None,
            min_reply_length: 0,
            max_reply_length: 255,
        }
    }
}

/// `FILE_CHECK`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileCheck {
    /// `track_file`: name of a `vrrp_track_file` block.
    pub track_file: String,
    /// `weight` (-2147483647..2147483647); the track file's weight when absent.
    pub weight: Option<i32>,
    /// `weight ... reverse`.
    pub reverse: bool,
}

/// `BFD_CHECK`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BfdCheck {
    /// `name`: a `bfd_instance`.
    pub name: String,
    /// `alpha`; inherited when absent.
    pub alpha: Option<bool>,
}
