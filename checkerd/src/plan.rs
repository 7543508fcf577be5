//! From the configuration model to what the checker runs: per checker its effective
//! timings (checker, else real server, else keepalived's default for that kind), its
//! target address and what kind of probe it is; per real server and virtual server the
//! specs the health logic takes. Pure: no sockets.

use crate::health::CheckerParams;
use crate::service::{ServerSpec, ServiceSpec};
use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;
use vigil_config::model::check::{
    CheckOptions, Checker, DnsCheck, HttpCheck, HttpProtocol, StatusRange, Timing, UdpCheck,
};
use vigil_config::model::lvs::{Protocol, RealServer, Service, SorryServer, VirtualServer};
use vigil_config::Config;

/// The shortest interval between two runs of a checker.
pub const MIN_INTERVAL: Duration = Duration::from_millis(1);

/// Where a connecting checker goes and comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// `connect_ip`/`connect_port`, else the real server's address and port.
    pub target: SocketAddr,
    /// `bindto` and `bind_port` (port 0 when only an address is given).
    pub bind: Option<SocketAddr>,
    /// The source needs privilege (`bind_port` below 1024, `bind_if`): the supervisor
    /// makes the bound socket (`SocketRequest BoundSource`).
    pub privileged: bool,
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.target)
    }
}

/// One `url` of HTTP_GET.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlPlan {
    /// `path`.
    pub path: String,
    /// `digest`: lowercase hex MD5 of the body.
    pub digest: Option<String>,
    /// `status_code`s accepted.
    pub status_codes: Vec<StatusRange>,
    /// The Host header (url, checker, real server or virtual server `virtualhost`;
    /// else the target address).
    pub host: String,
}

/// The TLS of SSL_GET.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TlsPlan {
    /// `enable_sni`: send the URL's host name as SNI.
    pub sni: bool,
}

/// HTTP_GET and SSL_GET.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpPlan {
    /// Where to connect.
    pub endpoint: Endpoint,
    /// SSL_GET: over TLS.
    pub tls: Option<TlsPlan>,
    /// `http_protocol`.
    pub protocol: HttpProtocol,
    /// The URLs; every one must pass.
    pub urls: Vec<UrlPlan>,
}

/// SMTP_CHECK: each endpoint must answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpPlan {
    /// The connections to check (the checker's own and each `host` block).
    pub endpoints: Vec<Endpoint>,
    /// `helo_name`.
    pub helo_name: String,
}

/// What kind of probe a checker is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// TCP_CHECK.
    Tcp(Endpoint),
    /// HTTP_GET and SSL_GET.
    Http(HttpPlan),
    /// MISC_CHECK: the supervisor runs the script.
    Misc {
        /// `misc_dynamic`.
        dynamic: bool,
        /// How long to wait for the supervisor's answer before counting a failure:
        /// the script's timeout plus a margin for the supervisor's own work.
        answer_within: Duration,
    },
    /// SMTP_CHECK.
    Smtp(SmtpPlan),
    /// UDP_CHECK.
    Udp {
        /// Where to send.
        endpoint: Endpoint,
        /// The check block.
        check: UdpCheck,
    },
    /// DNS_CHECK.
    Dns {
        /// Where to send.
        endpoint: Endpoint,
        /// The check block.
        check: DnsCheck,
    },
    /// PING_CHECK: the socket comes from the supervisor.
    Ping {
        /// `connect_ip`, else the real server's address.
        target: IpAddr,
    },
    /// A checker vigil does not run (yet): it stays at its initial state, and the
    /// configuration says so in the log.
    NotRun {
        /// Why.
        reason: String,
    },
}

/// One checker, ready to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckPlan {
    /// The block keyword (`TCP_CHECK`, ...).
    pub keyword: &'static str,
    /// What to probe.
    pub kind: Kind,
    /// `retry` and `alpha`.
    pub params: CheckerParams,
    /// `delay_loop`.
    pub delay_loop: Duration,
    /// `delay_before_retry`.
    pub delay_before_retry: Duration,
    /// `warmup`: the first check comes after a random delay up to this.
    pub warmup: Duration,
    /// `connect_timeout`: the longest a probe may take.
    pub connect_timeout: Duration,
    /// `log_all_failures`.
    pub log_all_failures: bool,
}

/// One real server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerPlan {
    /// `[address]:port` for log lines.
    pub name: String,
    /// What makes it the same server across a reload: address and port.
    pub key: (IpAddr, Option<u16>),
    /// What the health logic needs.
    pub spec: ServerSpec,
    /// Its checkers.
    pub checks: Vec<CheckPlan>,
}

/// One virtual server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServicePlan {
    /// As keepalived names it in log lines.
    pub name: String,
    /// What makes it the same virtual server across a reload.
    pub key: (Service, Option<Protocol>),
    /// The sorry server, compared across a reload.
    pub sorry: Option<SorryServer>,
    /// `omega`: run the down notifiers on shutdown.
    pub omega: bool,
    /// What the health logic needs (its `servers` are empty here; see `servers`).
    pub spec: ServiceSpec,
    /// Its real servers.
    pub servers: Vec<ServerPlan>,
}

impl Kind {
    /// True when each run needs a bound socket from the supervisor.
    pub fn needs_source_socket(&self) -> bool {
        match self {
            Kind::Tcp(e) | Kind::Udp { endpoint: e, .. } | Kind::Dns { endpoint: e, .. } => {
                e.privileged
            }
            Kind::Http(h) => h.endpoint.privileged,
            Kind::Smtp(s) => s.endpoints.iter().any(|e| e.privileged),
            Kind::Misc { .. } | Kind::Ping { .. } | Kind::NotRun { .. } => false,
        }
    }
}

/// The reason a checker with several connections and a privileged source is not run.
const ONE_PRIVILEGED_CONNECTION: &str = "a privileged source (bind_port below 1024, bind_if) is supported for one connection per check; this checker makes several (not yet done)";

impl ServicePlan {
    /// The health logic's spec with the servers' specs filled in.
    pub fn full_spec(&self) -> ServiceSpec {
        let mut spec = self.spec.clone();
        spec.servers = self.servers.iter().map(|s| s.spec.clone()).collect();
        spec
    }
}

/// The whole checker configuration.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Plan {
    /// The virtual servers, in configuration order.
    pub services: Vec<ServicePlan>,
    /// Configured things this checker does not apply, for the log.
    pub warnings: Vec<String>,
}

impl Plan {
    /// Builds the plan of a configuration.
    pub fn new(config: &Config) -> Plan {
        let services: Vec<ServicePlan> = config
            .lvs
            .virtual_servers
            .iter()
            .map(service_plan)
            .collect();
        let mut warnings = Vec::new();
        for (vs, sp) in config.lvs.virtual_servers.iter().zip(&services) {
            if vs.ha_suspend {
                warnings.push(format!(
                    "ha_suspend of virtual server {} is not applied by vigil: its checkers always run",
                    sp.name
                ));
            }
        }
        if let Some(ssl) = &config.lvs.ssl {
            if ssl.certificate.is_some() || ssl.key.is_some() || ssl.ca.is_some() {
                warnings.push(
                    "SSL { ca certificate key } is not used by vigil: SSL_GET sends no client certificate and, as keepalived, does not verify the server's"
                        .to_string(),
                );
            }
        }
        Plan { services, warnings }
    }

    /// Every checker that is configured but not run, with where it is, for the log.
    pub fn not_run(&self) -> Vec<String> {
        let mut v = Vec::new();
        for s in &self.services {
            for r in &s.servers {
                for c in &r.checks {
                    if let Kind::NotRun { reason } = &c.kind {
                        v.push(format!(
                            "{} of real server {} of virtual server {}: {reason}",
                            c.keyword, r.name, s.name
                        ));
                    }
                }
            }
        }
        v
    }
}

fn service_name(s: &Service, protocol: Option<Protocol>) -> String {
    let proto = protocol.map(|p| p.to_string()).unwrap_or_default();
    match s {
        Service::Address { address, port } => {
            format!("[{address}]:{}:{}", proto, port.unwrap_or(0))
        }
        Service::Fwmark(m) => format!("FWM {m}"),
        Service::Group(g) => format!("[{g}]:{proto}"),
    }
}

fn service_port(s: &Service) -> Option<u16> {
    match s {
        Service::Address { port, .. } => *port,
        _ => None,
    }
}

fn service_plan(vs: &VirtualServer) -> ServicePlan {
    let servers = vs
        .real_servers
        .iter()
        .map(|rs| server_plan(vs, rs))
        .collect();
    ServicePlan {
        name: service_name(&vs.service, vs.protocol),
        key: (vs.service.clone(), vs.protocol),
        sorry: vs.sorry_server.clone(),
        omega: vs.omega,
        spec: ServiceSpec {
            quorum: vs.quorum,
            hysteresis: vs.hysteresis,
            sorry_server: vs.sorry_server.is_some(),
            quorum_up: vs.quorum_up.is_some(),
            quorum_down: vs.quorum_down.is_some(),
            servers: Vec::new(),
        },
        servers,
    }
}

fn server_plan(vs: &VirtualServer, rs: &RealServer) -> ServerPlan {
    let port = rs.port.or_else(|| service_port(&vs.service));
    let checks: Vec<CheckPlan> = rs
        .checkers
        .iter()
        .map(|c| check_plan(vs, rs, port, c))
        .collect();
    ServerPlan {
        name: format!("[{}]:{}", rs.address, port.unwrap_or(0)),
        key: (rs.address, rs.port),
        spec: ServerSpec {
            weight: rs.weight,
            inhibit: rs.inhibit_on_failure,
            notify_up: rs.notify_up.is_some(),
            notify_down: rs.notify_down.is_some(),
            checkers: checks.iter().map(|c| c.params).collect(),
        },
        checks,
    }
}

fn timing_of(c: &Checker) -> Option<&Timing> {
    match c {
        Checker::Tcp(t) => Some(&t.options.timing),
        Checker::Http(h) | Checker::Ssl(h) => Some(&h.options.timing),
        Checker::Smtp(s) => Some(&s.options.timing),
        Checker::Misc(m) => Some(&m.timing),
        Checker::Dns(d) => Some(&d.options.timing),
        Checker::Udp(u) => Some(&u.options.timing),
        Checker::Ping(p) => Some(&p.options.timing),
        Checker::File(_) | Checker::Bfd(_) => None,
    }
}

fn options_of(c: &Checker) -> Option<&CheckOptions> {
    match c {
        Checker::Tcp(t) => Some(&t.options),
        Checker::Http(h) | Checker::Ssl(h) => Some(&h.options),
        Checker::Smtp(s) => Some(&s.options),
        Checker::Dns(d) => Some(&d.options),
        Checker::Udp(u) => Some(&u.options),
        Checker::Ping(p) => Some(&p.options),
        Checker::Misc(_) | Checker::File(_) | Checker::Bfd(_) => None,
    }
}

fn check_plan(vs: &VirtualServer, rs: &RealServer, port: Option<u16>, c: &Checker) -> CheckPlan {
    let default = Timing::default();
    let t = timing_of(c).unwrap_or(&default);
    // A zero interval would spin the loop: at least a millisecond.
    let delay_loop = t
        .delay_loop
        .unwrap_or(rs.delay_loop)
        .duration()
        .max(MIN_INTERVAL);
    let alpha = match c {
        Checker::Bfd(b) => b.alpha.unwrap_or(rs.alpha),
        _ => t.alpha.unwrap_or(rs.alpha),
    };
    let connect_timeout = options_of(c)
        .and_then(|o| o.connection.connect_timeout)
        .unwrap_or(rs.connect_timeout)
        .duration();
    CheckPlan {
        keyword: c.keyword(),
        kind: kind_of(vs, rs, port, c, delay_loop),
        params: CheckerParams {
            retry: t.retry.or(rs.retry).unwrap_or_else(|| c.default_retry()),
            alpha,
        },
        delay_loop,
        delay_before_retry: t
            .delay_before_retry
            .or(rs.delay_before_retry)
            .or_else(|| c.default_delay_before_retry())
            .map(|d| d.duration().max(MIN_INTERVAL))
            .unwrap_or(delay_loop),
        warmup: t
            .warmup
            .or(rs.warmup)
            .map(|w| w.duration())
            .unwrap_or(delay_loop),
        connect_timeout,
        log_all_failures: t.log_all_failures,
    }
}

/// A connecting checker's endpoint, or why it cannot run unprivileged.
fn endpoint(o: &CheckOptions, rs: &RealServer, port: Option<u16>) -> Result<Endpoint, String> {
    let c = &o.connection;
    let ip = c.connect_ip.unwrap_or(rs.address);
    let Some(port) = c.connect_port.or(port) else {
        return Err("no port to connect to (set connect_port)".into());
    };
    let privileged = c.bind_port.is_some_and(|p| p < 1024) || c.bind_if.is_some();
    if c.fwmark.is_some() {
        return Err(
            "fwmark needs SO_MARK (CAP_NET_ADMIN), which this process lacks (not yet done)".into(),
        );
    }
    let bind = match (c.bindto, c.bind_port) {
        (Some(a), p) => Some(SocketAddr::new(a, p.unwrap_or(0))),
        (None, Some(p)) => Some(SocketAddr::new(unspecified(&ip), p)),
        (None, None) => None,
    };
    Ok(Endpoint {
        target: SocketAddr::new(ip, port),
        bind,
        privileged,
    })
}

fn unspecified(like: &IpAddr) -> IpAddr {
    match like {
        IpAddr::V4(_) => IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED),
        IpAddr::V6(_) => IpAddr::V6(std::net::Ipv6Addr::UNSPECIFIED),
    }
}

fn http_plan(vs: &VirtualServer, rs: &RealServer, h: &HttpCheck, ep: Endpoint) -> HttpPlan {
    let default_host = h
        .virtualhost
        .clone()
        .or_else(|| rs.virtualhost.clone())
        .or_else(|| vs.virtualhost.clone());
    let addr_host = match ep.target.ip() {
        IpAddr::V4(a) => a.to_string(),
        IpAddr::V6(a) => format!("[{a}]"),
    };
    HttpPlan {
        tls: None,
        protocol: h.http_protocol,
        urls: h
            .urls
            .iter()
            .map(|u| UrlPlan {
                path: u.path.clone(),
                digest: u.digest.clone(),
                status_codes: if u.status_codes.is_empty() {
                    vigil_config::model::check::DEFAULT_STATUS_CODES.to_vec()
                } else {
                    u.status_codes.clone()
                },
                host: u
                    .virtualhost
                    .clone()
                    .or_else(|| default_host.clone())
                    .unwrap_or_else(|| addr_host.clone()),
            })
            .collect(),
        endpoint: ep,
    }
}

fn not_run(reason: impl Into<String>) -> Kind {
    Kind::NotRun {
        reason: reason.into(),
    }
}

fn kind_of(
    vs: &VirtualServer,
    rs: &RealServer,
    port: Option<u16>,
    c: &Checker,
    delay_loop: Duration,
) -> Kind {
    let ep = |o: &CheckOptions| endpoint(o, rs, port);
    match c {
        Checker::Tcp(t) => match ep(&t.options) {
            Ok(e) => Kind::Tcp(e),
            Err(r) => not_run(r),
        },
        Checker::Http(h) => {
            if h.urls.iter().any(|u| u.regex.is_some()) {
                return not_run("url regex is not yet supported by vigil");
            }
            match ep(&h.options) {
                Ok(e) if e.privileged && h.urls.len() > 1 => not_run(ONE_PRIVILEGED_CONNECTION),
                Ok(e) => Kind::Http(http_plan(vs, rs, h, e)),
                Err(r) => not_run(r),
            }
        }
        Checker::Misc(m) => {
            let script = match m.timeout {
                Some(t) if t > 0 => Duration::from_secs(u64::from(t)),
                _ => delay_loop,
            };
            Kind::Misc {
                dynamic: m.dynamic,
                answer_within: script + Duration::from_secs(5),
            }
        }
        Checker::Smtp(s) => {
            let mut conns = Vec::new();
            // check_smtp.c: the checker's own connection counts when it sets anything
            // or when there are no host blocks.
            if !s.options.connection.is_empty() || s.hosts.is_empty() {
                conns.push(s.options.clone());
            }
            for h in &s.hosts {
                conns.push(CheckOptions {
                    connection: h.clone(),
                    timing: s.options.timing.clone(),
                });
            }
            let mut endpoints = Vec::new();
            for o in &conns {
                let o = CheckOptions {
                    connection: vigil_config::model::check::Connection {
                        connect_port: o.connection.connect_port.or(Some(25)),
                        ..o.connection.clone()
                    },
                    timing: o.timing.clone(),
                };
                match ep(&o) {
                    Ok(e) => endpoints.push(e),
                    Err(r) => return not_run(r),
                }
            }
            if endpoints.len() > 1 && endpoints.iter().any(|e| e.privileged) {
                return not_run(ONE_PRIVILEGED_CONNECTION);
            }
            Kind::Smtp(SmtpPlan {
                endpoints,
                helo_name: s.helo_name.clone(),
            })
        }
        Checker::Udp(u) => match ep(&u.options) {
            Ok(e) => Kind::Udp {
                endpoint: e,
                check: u.clone(),
            },
            Err(r) => not_run(r),
        },
        Checker::Dns(d) => {
            let mut o = d.options.clone();
            o.connection.connect_port = o.connection.connect_port.or(Some(53));
            match ep(&o) {
                Ok(e) => Kind::Dns {
                    endpoint: e,
                    check: d.clone(),
                },
                Err(r) => not_run(r),
            }
        }
        Checker::Ssl(h) => {
            if h.urls.iter().any(|u| u.regex.is_some()) {
                return not_run("url regex is not yet supported by vigil");
            }
            match ep(&h.options) {
                Ok(e) if e.privileged && h.urls.len() > 1 => not_run(ONE_PRIVILEGED_CONNECTION),
                Ok(e) => {
                    let mut plan = http_plan(vs, rs, h, e);
                    plan.tls = Some(TlsPlan { sni: h.enable_sni });
                    Kind::Http(plan)
                }
                Err(r) => not_run(r),
            }
        }
        Checker::Ping(p) => Kind::Ping {
            target: p.options.connection.connect_ip.unwrap_or(rs.address),
        },
        Checker::File(_) => {
            not_run("FILE_CHECK is not yet run by vigil (the track file is not in the checker's configuration)")
        }
        Checker::Bfd(_) => not_run("BFD_CHECK is not yet run by vigil (no BFD sessions)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigil_config::model::check::{MiscCheck, TcpCheck};
    use vigil_config::model::common::{Script, Timer};

    fn vs() -> VirtualServer {
        VirtualServer::new(Service::Address {
            address: "192.0.2.1".parse().expect("address"),
            port: Some(80),
        })
    }

    #[test]
    fn keepalived_conf_connect_port_defaults_to_real_server_then_virtual_server_port() {
        let v = vs();
        let mut rs = RealServer::inheriting(&v, "198.51.100.5".parse().expect("address"), None);
        rs.checkers.push(Checker::Tcp(TcpCheck::default()));
        let p = server_plan(&v, &rs);
        assert_eq!(
            p.checks[0].kind,
            Kind::Tcp(Endpoint {
                target: "198.51.100.5:80".parse().expect("address"),
                bind: None,
                privileged: false,
            })
        );
    }

    #[test]
    fn check_api_timings_checker_over_real_server_over_kind_default() {
        let v = vs();
        let mut rs =
            RealServer::inheriting(&v, "198.51.100.5".parse().expect("address"), Some(8080));
        rs.delay_loop = Timer::millis(500);
        let mut t = TcpCheck::default();
        t.options.timing.retry = Some(4);
        rs.checkers.push(Checker::Tcp(t));
        rs.checkers.push(Checker::Misc(MiscCheck {
            timing: Timing::default(),
            script: Script {
                command: "/bin/true".into(),
                user: None,
                group: None,
            },
            timeout: None,
            dynamic: false,
        }));
        let p = server_plan(&v, &rs);
        assert_eq!(p.checks[0].params.retry, 4);
        assert_eq!(p.checks[0].delay_loop, Duration::from_millis(500));
        assert_eq!(p.checks[0].delay_before_retry, Duration::from_secs(1));
        assert_eq!(p.checks[0].warmup, Duration::from_millis(500));
        // keepalived.conf(5): MISC_CHECK retry defaults to 0.
        assert_eq!(p.checks[1].params.retry, 0);
    }

    #[test]
    fn unsupported_checkers_are_reported_not_run() {
        let v = vs();
        let mut rs =
            RealServer::inheriting(&v, "198.51.100.5".parse().expect("address"), Some(443));
        rs.checkers
            .push(Checker::Bfd(vigil_config::model::check::BfdCheck {
                name: "b".into(),
                alpha: None,
            }));
        let mut v2 = v.clone();
        v2.real_servers.push(rs);
        let plan = ServicePlan::clone(&service_plan(&v2));
        let p = Plan {
            services: vec![plan],
            warnings: Vec::new(),
        };
        assert_eq!(p.not_run().len(), 1);
        assert!(p.not_run()[0].contains("BFD_CHECK"));
    }
}
