//! SMTP_CHECK: for each connection in turn, the 220 greeting, `HELO helo_name` answered
//! with 250, then `QUIT` (keepalived/check/check_smtp.c). Every connection must pass.

use super::{connect, poll_error, Progress, StartError};
use crate::plan::{Endpoint, SmtpPlan};
use mio::{Interest, Registry, Token};
use std::io::{ErrorKind, Read, Write};
use std::os::fd::OwnedFd;

/// The longest reply accepted: a server that talks more is not an SMTP server.
const MAX_REPLY: usize = 64 * 1024;

/// The code of a complete SMTP reply (the last line is `NNN ` or just `NNN`), `None`
/// while more lines are to come.
pub fn reply_code(buf: &[u8]) -> Option<Result<u16, String>> {
    let text = String::from_utf8_lossy(buf);
    if !text.ends_with('\n') {
        return None;
    }
    let last = text
        .trim_end_matches(['\r', '\n'])
        .rsplit('\n')
        .next()
        .unwrap_or("");
    let last = last.trim_end_matches('\r');
    if last.len() > 3 && last.as_bytes()[3] == b'-' {
        return None; // continuation: `NNN-...`
    }
    Some(
        last.get(..3)
            .and_then(|c| c.parse::<u16>().ok())
            .ok_or_else(|| format!("not an SMTP reply: {last:?}")),
    )
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Connecting,
    Greeting,
    Helo,
    Quit,
}

#[derive(Debug)]
struct Conn {
    stream: mio::net::TcpStream,
    stage: Stage,
    out: Vec<u8>,
    written: usize,
    input: Vec<u8>,
}

/// An SMTP check in progress.
#[derive(Debug)]
pub struct SmtpProbe {
    plan: SmtpPlan,
    index: usize,
    conn: Conn,
}

fn open(
    ep: &Endpoint,
    given: Option<OwnedFd>,
    registry: &Registry,
    token: Token,
) -> Result<Conn, StartError> {
    let mut stream = connect::tcp(ep, given).map_err(|e| e.context("SMTP"))?;
    registry
        .register(&mut stream, token, Interest::READABLE | Interest::WRITABLE)
        .map_err(poll_error)?;
    Ok(Conn {
        stream,
        stage: Stage::Connecting,
        out: Vec::new(),
        written: 0,
        input: Vec::new(),
    })
}

enum Step {
    Wait,
    Again,
    Done,
}

impl SmtpProbe {
    /// Connects to the first endpoint.
    pub fn start(
        plan: &SmtpPlan,
        given: Option<OwnedFd>,
        registry: &Registry,
        token: Token,
    ) -> Result<SmtpProbe, StartError> {
        let first = plan
            .endpoints
            .first()
            .ok_or_else(|| StartError::Local("SMTP_CHECK without a connection".to_string()))?;
        Ok(SmtpProbe {
            conn: open(first, given, registry, token)?,
            plan: plan.clone(),
            index: 0,
        })
    }

    /// Handles readiness: greeting, HELO, QUIT; then the next connection.
    pub fn ready(&mut self, registry: &Registry, token: Token) -> Progress {
        loop {
            match self.step() {
                Ok(Step::Wait) => return Progress::Pending,
                Ok(Step::Again) => {}
                Ok(Step::Done) => {
                    self.index += 1;
                    let Some(ep) = self.plan.endpoints.get(self.index) else {
                        return Progress::Done(Ok(()));
                    };
                    let _ = registry.deregister(&mut self.conn.stream);
                    match open(ep, None, registry, token) {
                        Ok(c) => self.conn = c,
                        Err(StartError::Local(e) | StartError::Failed(e)) => {
                            return Progress::Done(Err(e))
                        }
                    }
                    return Progress::Pending;
                }
                Err(e) => return Progress::Done(Err(e)),
            }
        }
    }

    fn target(&self) -> String {
        self.plan
            .endpoints
            .get(self.index)
            .map(|e| e.to_string())
            .unwrap_or_default()
    }

    fn step(&mut self) -> Result<Step, String> {
        let target = self.target();
        let c = &mut self.conn;
        if c.stage == Stage::Connecting {
            return match connect::tcp_connected(&c.stream) {
                Ok(true) => {
                    c.stage = Stage::Greeting;
                    Ok(Step::Again)
                }
                Ok(false) => Ok(Step::Wait),
                Err(e) => Err(format!("SMTP connection to {target} failed: {e}")),
            };
        }
        // Writing what is queued comes first.
        while c.written < c.out.len() {
            match c.stream.write(&c.out[c.written..]) {
                Ok(n) => c.written += n,
                Err(e) if e.kind() == ErrorKind::WouldBlock => return Ok(Step::Wait),
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(format!("SMTP to {target} failed: {e}")),
            }
        }
        if c.stage == Stage::Quit {
            return Ok(Step::Done);
        }
        let mut buf = [0u8; 4096];
        match c.stream.read(&mut buf) {
            Ok(0) => return Err(format!("SMTP server {target} closed the connection")),
            Ok(n) => {
                if c.input.len() + n > MAX_REPLY {
                    return Err(format!("SMTP reply from {target} too long"));
                }
                c.input.extend_from_slice(&buf[..n]);
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => return Ok(Step::Wait),
            Err(e) if e.kind() == ErrorKind::Interrupted => return Ok(Step::Again),
            Err(e) => return Err(format!("SMTP from {target} failed: {e}")),
        }
        let Some(code) = reply_code(&c.input) else {
            return Ok(Step::Again);
        };
        let code = code?;
        c.input.clear();
        match c.stage {
            Stage::Greeting if code == 220 => {
                c.out = format!("HELO {}\r\n", self.plan.helo_name).into_bytes();
                c.written = 0;
                c.stage = Stage::Helo;
            }
            Stage::Helo if code == 250 => {
                c.out = b"QUIT\r\n".to_vec();
                c.written = 0;
                c.stage = Stage::Quit;
            }
            Stage::Greeting => {
                return Err(format!("SMTP greeting {code} from {target}, 220 expected"))
            }
            _ => {
                return Err(format!(
                    "SMTP HELO answered {code} by {target}, 250 expected"
                ))
            }
        }
        Ok(Step::Again)
    }

    /// Releases the socket.
    pub fn stop(&mut self, registry: &Registry) {
        let _ = registry.deregister(&mut self.conn.stream);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_smtp_single_and_multiline_replies() {
        assert_eq!(reply_code(b"220 mail ESMTP\r\n"), Some(Ok(220)));
        assert_eq!(reply_code(b"250-first\r\n"), None);
        assert_eq!(reply_code(b"250-first\r\n250 last\r\n"), Some(Ok(250)));
        assert_eq!(reply_code(b"220 partial"), None);
        assert!(matches!(reply_code(b"hello\r\n"), Some(Err(_))));
    }
}
