//! HTTP_GET: placeholder, filled in below.

use super::Progress;
use crate::plan::HttpPlan;
use mio::{Registry, Token};

/// An HTTP check in progress.
#[derive(Debug)]
pub struct HttpProbe {}

impl HttpProbe {
    /// Starts the first URL.
    pub fn start(_h: &HttpPlan, _registry: &Registry, _token: Token) -> Result<HttpProbe, String> {
        Err("HTTP_GET not yet".into())
    }

    /// Handles readiness.
    pub fn ready(&mut self, _registry: &Registry, _token: Token) -> Progress {
        Progress::Done(Err("HTTP_GET not yet".into()))
    }

    /// Releases the socket.
    pub fn stop(&mut self, _registry: &Registry) {}
}
