//! The checkers, one file per kind (relayd's `check_*.c` habit): each probe owns its
//! socket, is driven by readiness events from the daemon's poll, and ends with a pass
//! or a failure with its reason. The daemon arms the probe's deadline
//! (`connect_timeout`); a probe past it has failed.

pub mod connect;
pub mod dns;
pub mod http;
pub mod misc;
pub mod ping;
pub mod smtp;
pub mod tcp;
pub mod tls;
pub mod udp;

use crate::plan::Kind;
use mio::{Registry, Token};
use std::os::fd::OwnedFd;

/// How a network probe ended.
pub type Verdict = Result<(), String>;

/// Why a probe did not start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StartError {
    /// A local problem (no socket, the bind failed): keepalived logs and tries again
    /// after delay_loop without changing the checker's state (check_tcp.c
    /// `tcp_connect_thread`).
    Local(String),
    /// The check failed at once (the connect or the send was refused).
    Failed(String),
}

impl StartError {
    /// The same error with `what` before its text.
    pub fn context(self, what: &str) -> StartError {
        match self {
            StartError::Local(s) => StartError::Local(format!("{what}: {s}")),
            StartError::Failed(s) => StartError::Failed(format!("{what} {s}")),
        }
    }
}

fn poll_error(e: std::io::Error) -> StartError {
    StartError::Local(format!("cannot poll the socket: {e}"))
}

/// A probe in progress.
#[derive(Debug)]
pub enum Probe {
    /// TCP_CHECK.
    Tcp(tcp::TcpProbe),
    /// HTTP_GET.
    Http(http::HttpProbe),
    /// SMTP_CHECK.
    Smtp(smtp::SmtpProbe),
    /// UDP_CHECK.
    Udp(udp::UdpProbe),
    /// DNS_CHECK.
    Dns(dns::DnsProbe),
    /// PING_CHECK (started by the daemon, which holds the supervisor's socket).
    Ping(ping::PingProbe),
}

/// What a readiness event did to a probe.
#[derive(Debug, PartialEq, Eq)]
pub enum Progress {
    /// Still waiting.
    Pending,
    /// Finished.
    Done(Verdict),
}

impl Probe {
    /// Starts a network probe of `kind`, registered with `token`, on the socket
    /// `given` by the supervisor if any; `None` for kinds that are not network probes
    /// here.
    pub fn start(
        kind: &Kind,
        given: Option<OwnedFd>,
        registry: &Registry,
        token: Token,
    ) -> Option<Result<Probe, StartError>> {
        Some(match kind {
            Kind::Tcp(ep) => tcp::TcpProbe::start(ep, given, registry, token).map(Probe::Tcp),
            Kind::Http(h) => http::HttpProbe::start(h, given, registry, token).map(Probe::Http),
            Kind::Smtp(s) => smtp::SmtpProbe::start(s, given, registry, token).map(Probe::Smtp),
            Kind::Udp { endpoint, check } => {
                udp::UdpProbe::start(endpoint, check, given, registry, token).map(Probe::Udp)
            }
            Kind::Dns { endpoint, check } => {
                dns::DnsProbe::start(endpoint, check, given, registry, token).map(Probe::Dns)
            }
            _ => return None,
        })
    }

    /// Handles readiness of the probe's socket.
    pub fn ready(&mut self, registry: &Registry, token: Token) -> Progress {
        match self {
            Probe::Tcp(p) => p.ready(),
            Probe::Http(p) => p.ready(registry, token),
            Probe::Smtp(p) => p.ready(registry, token),
            Probe::Udp(p) => p.ready(),
            Probe::Dns(p) => p.ready(),
            Probe::Ping(p) => p.ready(),
        }
    }

    /// True for probes whose `connect_timeout` applies to each step (connect, each
    /// read and write) as keepalived's HTTP_GET, SSL_GET and SMTP_CHECK; false where it
    /// bounds the whole probe (a stray datagram must not extend a DNS or UDP wait).
    pub fn timeout_per_io(&self) -> bool {
        matches!(self, Probe::Http(_) | Probe::Smtp(_))
    }

    /// The verdict when the deadline passes first: a timeout fails, except for a UDP
    /// check that needs no reply (silence is success there).
    pub fn expired(&self) -> Verdict {
        match self {
            Probe::Udp(p) => p.expired(),
            _ => Err("timeout".into()),
        }
    }

    /// Stops the probe and releases its socket.
    pub fn stop(&mut self, registry: &Registry) {
        match self {
            Probe::Tcp(p) => p.stop(registry),
            Probe::Http(p) => p.stop(registry),
            Probe::Smtp(p) => p.stop(registry),
            Probe::Udp(p) => p.stop(registry),
            Probe::Dns(p) => p.stop(registry),
            Probe::Ping(p) => p.stop(registry),
        }
    }
}
