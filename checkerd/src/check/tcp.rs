//! TCP_CHECK: a TCP connect to the target within `connect_timeout`
//! (keepalived/check/check_tcp.c). Success is the completed three-way handshake; the
//! connection is closed at once.

use super::{connect, poll_error, Progress, StartError};
use crate::plan::Endpoint;
use mio::{Interest, Registry, Token};
use std::os::fd::OwnedFd;

/// A TCP connect in progress.
#[derive(Debug)]
pub struct TcpProbe {
    stream: mio::net::TcpStream,
    target: std::net::SocketAddr,
}

impl TcpProbe {
    /// Starts connecting to `ep`.
    pub fn start(
        ep: &Endpoint,
        given: Option<OwnedFd>,
        registry: &Registry,
        token: Token,
    ) -> Result<TcpProbe, StartError> {
        let mut stream = connect::tcp(ep, given).map_err(|e| e.context("TCP"))?;
        registry
            .register(&mut stream, token, Interest::WRITABLE)
            .map_err(poll_error)?;
        Ok(TcpProbe {
            stream,
            target: ep.target,
        })
    }

    /// Handles writability: the connect finished one way or the other.
    pub fn ready(&mut self) -> Progress {
        match connect::tcp_connected(&self.stream) {
            Ok(true) => Progress::Done(Ok(())),
            Ok(false) => Progress::Pending,
            Err(e) => Progress::Done(Err(format!(
                "TCP connection to {} failed: {e}",
                self.target
            ))),
        }
    }

    /// Releases the socket.
    pub fn stop(&mut self, registry: &Registry) {
        let _ = registry.deregister(&mut self.stream);
    }
}
