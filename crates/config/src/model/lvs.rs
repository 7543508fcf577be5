//! The LVS part of the configuration: virtual server groups, virtual servers, their real
//! servers and the SSL context of SSL_GET checkers (keepalived.conf(5), LVS CONFIGURATION).
//!
//! Where an option can be set on a virtual server and on a real server, the real server's
//! field holds the effective value (its own setting, or the virtual server's); checkers
//! take their defaults from the real server.

use super::check::Checker;
use super::common::{Script, Timer};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::net::IpAddr;

/// keepalived's default `delay_loop` (60 seconds).
pub const DEFAULT_DELAY_LOOP: Timer = Timer::secs(60);
/// keepalived's default `connect_timeout` (5 seconds).
pub const DEFAULT_CONNECT_TIMEOUT: Timer = Timer::secs(5);
/// `persistence_timeout` without a value, and the timeout implied by
/// `persistence_granularity` (IPVS_SVC_PERSISTENT_TIMEOUT, 6 minutes).
pub const DEFAULT_PERSISTENCE_TIMEOUT: u32 = 360;
/// The largest `persistence_timeout` keepalived accepts (LVS_MAX_TIMEOUT, 31 days).
pub const MAX_PERSISTENCE_TIMEOUT: u32 = 2_678_400;
/// The largest real server weight (IPVS_WEIGHT_LIMIT).
pub const MAX_WEIGHT: u32 = i32::MAX as u32;

/// Everything under LVS CONFIGURATION.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Lvs {
    /// The `SSL { ... }` block: the TLS context for SSL_GET checkers; auto-generated
    /// when absent or empty.
    pub ssl: Option<Ssl>,
    /// `virtual_server_group NAME { ... }` blocks, in file order.
    pub virtual_server_groups: Vec<VirtualServerGroup>,
    /// `virtual_server ... { ... }` blocks, in file order.
    pub virtual_servers: Vec<VirtualServer>,
}

/// `SSL { password ca certificate key }`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Ssl {
    /// `password`: the private key's password.
    pub password: Option<String>,
    /// `ca`: CA certificate file.
    pub ca: Option<String>,
    /// `certificate`: certificate file.
    pub certificate: Option<String>,
    /// `key`: private key file.
    pub key: Option<String>,
}

/// An address family (`inet`, `inet6`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Family {
    /// IPv4 (`inet`).
    Inet,
    /// IPv6 (`inet6`).
    Inet6,
}

impl Family {
    /// The family of an address.
    pub fn of(a: &IpAddr) -> Family {
        match a {
            IpAddr::V4(_) => Family::Inet,
            IpAddr::V6(_) => Family::Inet6,
        }
    }
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Family::Inet => "inet",
            Family::Inet6 => "inet6",
        })
    }
}

/// `virtual_server_group NAME { ... }`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VirtualServerGroup {
    /// The group's name, used by `virtual_server group NAME`.
    pub name: String,
    /// Address ranges and firewall marks, in file order.
    pub entries: Vec<VsgEntry>,
}

/// One line of a `virtual_server_group`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum VsgEntry {
    /// `<IPADDR>[-<END>|/<LEN>] [<PORT>]`: the addresses `first..=last` (one address
    /// when equal), same family.
    Range {
        /// First address of the range.
        first: IpAddr,
        /// Last address of the range (equal to `first` for a single address).
        last: IpAddr,
        /// The port; `None` (or 0 in the file) for persistent services without a port.
        port: Option<u16>,
    },
    /// `fwmark <INTEGER> [inet|inet6]`.
    Fwmark {
        /// The firewall mark.
        mark: u32,
        /// The family, needed only when every real server is tunnelled.
        family: Option<Family>,
    },
}

/// What a virtual server balances: the words after `virtual_server`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Service {
    /// `virtual_server <IPADDR> [<PORT>]`.
    Address {
        /// The virtual address.
        address: IpAddr,
        /// The port; `None` when omitted or 0 (persistent services only).
        port: Option<u16>,
    },
    /// `virtual_server fwmark <INTEGER>`.
    Fwmark(u32),
    /// `virtual_server group <NAME>`.
    Group(String),
}

/// `lvs_sched` / `lb_algo`: the IPVS scheduler.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[allow(missing_docs)]
pub enum Scheduler {
    Rr,
    Wrr,
    Lc,
    /// keepalived's default (IPVS_DEF_SCHED).
    #[default]
    Wlc,
    Lblc,
    Lblcr,
    Sh,
    Mh,
    Dh,
    Fo,
    Ovf,
    Sed,
    Nq,
    Twos,
}

impl Scheduler {
    /// Every scheduler with its configuration name.
    pub const ALL: &'static [(&'static str, Scheduler)] = &[
        ("rr", Scheduler::Rr),
        ("wrr", Scheduler::Wrr),
        ("lc", Scheduler::Lc),
        ("wlc", Scheduler::Wlc),
        ("lblc", Scheduler::Lblc),
        ("sh", Scheduler::Sh),
        ("mh", Scheduler::Mh),
        ("dh", Scheduler::Dh),
        ("fo", Scheduler::Fo),
        ("ovf", Scheduler::Ovf),
        ("lblcr", Scheduler::Lblcr),
        ("sed", Scheduler::Sed),
        ("nq", Scheduler::Nq),
        ("twos", Scheduler::Twos),
    ];

    /// The configuration (and kernel) name.
    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, s)| *s == self)
            .map(|(n, _)| *n)
            .unwrap_or("wlc")
    }
}

impl fmt::Display for Scheduler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The scheduler flags (`-b` of ipvsadm). `sh-fallback`/`mh-fallback` are flag 1,
/// `sh-port`/`mh-port` flag 2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SchedFlags {
    /// `flag-1` (`sh-fallback`, `mh-fallback`).
    pub flag_1: bool,
    /// `flag-2` (`sh-port`, `mh-port`).
    pub flag_2: bool,
    /// `flag-3`.
    pub flag_3: bool,
}

/// `protocol TCP|UDP|SCTP`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Protocol {
    /// TCP.
    Tcp,
    /// UDP.
    Udp,
    /// SCTP.
    Sctp,
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Protocol::Tcp => "TCP",
            Protocol::Udp => "UDP",
            Protocol::Sctp => "SCTP",
        })
    }
}

/// `lvs_method` / `lb_kind`: how IPVS forwards to a real server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Forwarding {
    /// `NAT` (masquerading).
    Nat,
    /// `DR` (direct routing).
    Dr,
    /// `TUN [type ...] [csum option]` (tunnelling).
    Tun(Tunnel),
}

/// The tunnel of `lvs_method TUN`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Tunnel {
    /// `type ipip|gue port N|gre`; ipip by default.
    pub kind: TunnelKind,
    /// `nocsum|csum|remcsum`; nocsum by default (and always for ipip).
    pub checksum: TunnelChecksum,
}

/// A tunnel type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum TunnelKind {
    /// IP in IP (the default).
    #[default]
    Ipip,
    /// Generic UDP Encapsulation to `port` (Linux 5.2+).
    Gue {
        /// The UDP port of the tunnel.
        port: u16,
    },
    /// GRE (Linux 5.3+).
    Gre,
}

/// The checksum option of a GUE or GRE tunnel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum TunnelChecksum {
    /// `nocsum` (the default).
    #[default]
    NoCsum,
    /// `csum`.
    Csum,
    /// `remcsum` (GUE only).
    RemCsum,
}

impl Forwarding {
    /// The words of `lvs_method` for this method.
    pub fn words(&self) -> Vec<String> {
        match self {
            Forwarding::Nat => vec!["NAT".into()],
            Forwarding::Dr => vec!["DR".into()],
            Forwarding::Tun(t) => {
                let mut w = vec!["TUN".to_string()];
                match t.kind {
                    TunnelKind::Ipip => {}
                    TunnelKind::Gue { port } => {
                        w.extend(["type".into(), "gue".into(), "port".into(), port.to_string()]);
                    }
                    TunnelKind::Gre => w.extend(["type".into(), "gre".into()]),
                }
                match t.checksum {
                    TunnelChecksum::NoCsum => {}
                    TunnelChecksum::Csum => w.push("csum".into()),
                    TunnelChecksum::RemCsum => w.push("remcsum".into()),
                }
                w
            }
        }
    }

    /// True for tunnelling, where the real server's family may differ from the virtual
    /// server's.
    pub fn is_tunnel(&self) -> bool {
        matches!(self, Forwarding::Tun(_))
    }
}

impl fmt::Display for Forwarding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.words().join(" "))
    }
}

/// `persistence_granularity`: a netmask for IPv4 services, a prefix length for IPv6.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Granularity {
    /// An IPv4 netmask such as 255.255.255.0.
    Netmask(std::net::Ipv4Addr),
    /// An IPv6 prefix length, 1 to 128.
    Prefix(u8),
}

impl fmt::Display for Granularity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Granularity::Netmask(m) => write!(f, "{m}"),
            Granularity::Prefix(p) => write!(f, "{p}"),
        }
    }
}

/// `virtual_server ... { ... }`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VirtualServer {
    /// What is balanced: address and port, firewall mark, or group.
    pub service: Service,
    /// `ip_family`: the family of a fwmark or group service whose real servers are all
    /// tunnelled.
    pub ip_family: Option<Family>,
    /// `lvs_sched` (alias `lb_algo`).
    pub scheduler: Scheduler,
    /// `flag-1`, `flag-2`, `flag-3` and their sh/mh names.
    pub sched_flags: SchedFlags,
    /// `ops`: one-packet scheduling (UDP only).
    pub ops: bool,
    /// `lvs_method` (alias `lb_kind`): the default for the real and sorry servers;
    /// `None` when every one of them sets its own.
    pub lvs_method: Option<Forwarding>,
    /// `persistence_timeout` in seconds; `None` for a non-persistent service.
    pub persistence_timeout: Option<u32>,
    /// `persistence_engine` (the kernel knows `sip`).
    pub persistence_engine: Option<String>,
    /// `persistence_granularity`.
    pub persistence_granularity: Option<Granularity>,
    /// `protocol`; `None` for fwmark services, where it does not apply.
    pub protocol: Option<Protocol>,
    /// `ha_suspend`: suspend checkers while the virtual address is not configured.
    pub ha_suspend: bool,
    /// `smtp_alert`: mail on quorum changes; `None` follows global_defs (default off).
    pub smtp_alert: Option<bool>,
    /// `virtualhost`: default Host header for HTTP_GET/SSL_GET.
    pub virtualhost: Option<String>,
    /// `alpha`: start with every real server down.
    pub alpha: bool,
    /// `omega`: run quorum and real server down notifiers on shutdown.
    pub omega: bool,
    /// `quorum`: minimum total weight of live servers (default 1).
    pub quorum: u32,
    /// `hysteresis`: weight tolerance around the quorum (default 0).
    pub hysteresis: u32,
    /// `quorum_up`: script run when the quorum is gained.
    pub quorum_up: Option<Script>,
    /// `quorum_down`: script run when the quorum is lost.
    pub quorum_down: Option<Script>,
    /// `weight` (undocumented): the default weight of the real servers (default 1).
    pub weight: u32,
    /// `sorry_server` and its options.
    pub sorry_server: Option<SorryServer>,
    /// `connect_timeout`: default for the checkers (5 s).
    pub connect_timeout: Timer,
    /// `retry`: default for the checkers; `None` leaves each checker's own default.
    pub retry: Option<u32>,
    /// `delay_before_retry`: default for the checkers; `None` leaves each checker's own.
    pub delay_before_retry: Option<Timer>,
    /// `warmup`: default for the checkers; `None` means the checker's delay_loop.
    pub warmup: Option<Timer>,
    /// `delay_loop`: default checker interval (60 s).
    pub delay_loop: Timer,
    /// `inhibit_on_failure`: default for the real servers.
    pub inhibit_on_failure: bool,
    /// The `real_server` blocks, in file order.
    pub real_servers: Vec<RealServer>,
}

impl VirtualServer {
    /// A virtual server for `service` with keepalived's defaults.
    pub fn new(service: Service) -> Self {
        VirtualServer {
            service,
            ip_family: None,
            scheduler: Scheduler::default(),
            sched_flags: SchedFlags::default(),
            ops: false,
            lvs_method: None,
            persistence_timeout: None,
            persistence_engine: None,
            persistence_granularity: None,
            protocol: None,
            ha_suspend: false,
            smtp_alert: None,
            virtualhost: None,
            alpha: false,
            omega: false,
            quorum: 1,
            hysteresis: 0,
            quorum_up: None,
            quorum_down: None,
            weight: 1,
            sorry_server: None,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            retry: None,
            delay_before_retry: None,
            warmup: None,
            delay_loop: DEFAULT_DELAY_LOOP,
            inhibit_on_failure: false,
            real_servers: Vec::new(),
        }
    }
}

/// `sorry_server <IPADDR> [<PORT>]` with `sorry_server_inhibit` and
/// `sorry_server_lvs_method`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SorryServer {
    /// The address.
    pub address: IpAddr,
    /// The port; `None` when omitted or 0.
    pub port: Option<u16>,
    /// `sorry_server_inhibit`.
    pub inhibit: bool,
    /// The effective forwarding method (`sorry_server_lvs_method`, else the virtual
    /// server's).
    pub lvs_method: Forwarding,
}

/// `real_server <IPADDR> [<PORT>] { ... }`; inherited options hold effective values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RealServer {
    /// The address.
    pub address: IpAddr,
    /// The port; `None` when omitted or 0 (the virtual server's port then applies).
    pub port: Option<u16>,
    /// `weight` (else the virtual server's `weight`, default 1).
    pub weight: u32,
    /// The effective forwarding method (`lvs_method`, else the virtual server's).
    pub lvs_method: Forwarding,
    /// `notify_up`: script run when the server comes up.
    pub notify_up: Option<Script>,
    /// `notify_down`: script run when the server goes down.
    pub notify_down: Option<Script>,
    /// `uthreshold`: maximum connections (0: no limit).
    pub uthreshold: u32,
    /// `lthreshold`: connection count below which the server is used again.
    pub lthreshold: u32,
    /// `smtp_alert`: mail on state changes; `None` follows global_defs (default on).
    pub smtp_alert: Option<bool>,
    /// `virtualhost` (else the virtual server's).
    pub virtualhost: Option<String>,
    /// `alpha` (else the virtual server's).
    pub alpha: bool,
    /// `connect_timeout` (else the virtual server's).
    pub connect_timeout: Timer,
    /// `retry` (else the virtual server's; `None`: each checker's default).
    pub retry: Option<u32>,
    /// `delay_before_retry` (else the virtual server's).
    pub delay_before_retry: Option<Timer>,
    /// `warmup` (else the virtual server's).
    pub warmup: Option<Timer>,
    /// `delay_loop` (else the virtual server's).
    pub delay_loop: Timer,
    /// `inhibit_on_failure` (else the virtual server's): set weight 0 instead of removing.
    pub inhibit_on_failure: bool,
    /// Health checkers, in file order.
    pub checkers: Vec<Checker>,
}

impl RealServer {
    /// A real server of `vs` with everything inherited from it.
    pub fn inheriting(vs: &VirtualServer, address: IpAddr, port: Option<u16>) -> Self {
        RealServer {
            address,
            port,
            weight: vs.weight,
            lvs_method: vs.lvs_method.unwrap_or(Forwarding::Nat),
            notify_up: None,
            notify_down: None,
            uthreshold: 0,
            lthreshold: 0,
            smtp_alert: None,
            virtualhost: vs.virtualhost.clone(),
            alpha: vs.alpha,
            connect_timeout: vs.connect_timeout,
            retry: vs.retry,
            delay_before_retry: vs.delay_before_retry,
            warmup: vs.warmup,
            delay_loop: vs.delay_loop,
            inhibit_on_failure: vs.inhibit_on_failure,
            checkers: Vec::new(),
        }
    }
}
