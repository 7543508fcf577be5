//! The control socket between vigilctl and vigild: one JSON request per line, one JSON
//! answer per line, then the connection closes. The socket is root's alone (mode
//! 0600): anyone who can talk to it can stop the suite.

use crate::status::StatusView;
use mio::net::{UnixListener, UnixStream};
use mio::{Interest, Registry, Token};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// The longest request line accepted.
pub const MAX_REQUEST: usize = 4096;

/// Which child a command names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChildName {
    /// vigil-vrrpd.
    Vrrp,
    /// vigil-checkerd.
    Checker,
}

/// What vigilctl asks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum Request {
    /// The status of everything.
    Status,
    /// Reload the configuration file.
    Reload,
    /// Restart one child.
    Restart {
        /// Which.
        child: ChildName,
    },
    /// Stop the suite.
    Stop,
}

/// How a reload ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReloadOutcome {
    /// True when the new configuration is in force.
    pub applied: bool,
    /// The generation in force afterwards.
    pub generation: u64,
    /// Every diagnostic or refusal, one per line (file:line for the parser's).
    pub errors: Vec<String>,
}

/// What vigild answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "answer", rename_all = "snake_case")]
pub enum Response {
    /// To `Status`.
    Status(StatusView),
    /// To `Reload`.
    Reload(ReloadOutcome),
    /// Done.
    Ok {
        /// What was done.
        message: String,
    },
    /// Refused or failed.
    Error {
        /// Why.
        message: String,
    },
}

/// Parses one request line (pure).
pub fn parse_request(line: &[u8]) -> Result<Request, String> {
    serde_json::from_slice(line).map_err(|e| format!("bad request: {e}"))
}

/// Encodes a response as one line.
pub fn encode_response(r: &Response) -> Vec<u8> {
    let mut v = serde_json::to_vec(r).unwrap_or_else(|e| {
        format!("{{\"answer\":\"error\",\"message\":\"cannot encode answer: {e}\"}}").into_bytes()
    });
    v.push(b'\n');
    v
}

/// Takes a complete request line from `buf`: `Ok(None)` while incomplete.
pub fn take_line(buf: &[u8]) -> Result<Option<&[u8]>, String> {
    match buf.iter().position(|b| *b == b'\n') {
        Some(i) => Ok(Some(&buf[..i])),
        None if buf.len() > MAX_REQUEST => Err("request line too long".into()),
        None => Ok(None),
    }
}

/// The first token of control connections; listener has its own.
pub const CONN_BASE: usize = 1000;
/// How many connections at once (further ones are dropped at accept).
pub const MAX_CONNS: usize = 64;

struct Conn {
    stream: UnixStream,
    inbuf: Vec<u8>,
    outbuf: Vec<u8>,
    answered: bool,
}

/// The listening socket and its connections.
pub struct ControlServer {
    listener: UnixListener,
    path: PathBuf,
    conns: HashMap<Token, Conn>,
    next: usize,
}

/// A request from connection `token`, to be answered with [`ControlServer::answer`].
#[derive(Debug)]
pub struct Incoming {
    /// The connection.
    pub token: Token,
    /// What it asks.
    pub request: Result<Request, String>,
}

impl ControlServer {
    /// Binds `path` (replacing a stale socket) with mode 0600 and registers it.
    pub fn bind(path: &Path, registry: &Registry, token: Token) -> io::Result<Self> {
        if let Ok(meta) = std::fs::symlink_metadata(path) {
            use std::os::unix::fs::FileTypeExt;
            if meta.file_type().is_socket() {
                std::fs::remove_file(path)?;
            } else {
                return Err(io::Error::new(
                    io::ErrorKind::AlreadyExists,
                    format!("{} exists and is not a socket", path.display()),
                ));
            }
        }
        // Created under a restrictive umask-independent mode: bind, then chmod before
        // anything is accepted (the loop has not run yet).
        let mut listener = UnixListener::bind(path)?;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
        registry.register(&mut listener, token, Interest::READABLE)?;
        Ok(ControlServer {
            listener,
            path: path.to_path_buf(),
            conns: HashMap::new(),
            next: CONN_BASE,
        })
    }

    /// Whether `t` is one of this server's connections.
    pub fn owns(&self, t: Token) -> bool {
        self.conns.contains_key(&t)
    }

    /// Accepts waiting connections.
    pub fn accept(&mut self, registry: &Registry) {
        loop {
            match self.listener.accept() {
                Ok((mut stream, _)) => {
                    if self.conns.len() >= MAX_CONNS {
                        log::warn!("control socket: too many connections, one dropped");
                        continue;
                    }
                    let token = Token(self.next);
                    self.next = if self.next >= CONN_BASE + 100_000 {
                        CONN_BASE
                    } else {
                        self.next + 1
                    };
                    if let Err(e) = registry.register(
                        &mut stream,
                        token,
                        Interest::READABLE | Interest::WRITABLE,
                    ) {
                        log::warn!("control socket: {e}");
                        continue;
                    }
                    self.conns.insert(
                        token,
                        Conn {
                            stream,
                            inbuf: Vec::new(),
                            outbuf: Vec::new(),
                            answered: false,
                        },
                    );
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    log::warn!("control socket accept: {e}");
                    return;
                }
            }
        }
    }

    /// Reads and writes connection `t`; returns its request once complete.
    pub fn on_event(&mut self, registry: &Registry, t: Token) -> Option<Incoming> {
        let conn = self.conns.get_mut(&t)?;
        let mut close = false;
        let mut incoming = None;
        if !conn.answered && !conn.inbuf.contains(&b'\n') {
            let mut buf = [0u8; 1024];
            loop {
                match conn.stream.read(&mut buf) {
                    Ok(0) => {
                        close = true;
                        break;
                    }
                    Ok(n) => conn.inbuf.extend_from_slice(&buf[..n]),
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(_) => {
                        close = true;
                        break;
                    }
                }
                if conn.inbuf.len() > MAX_REQUEST {
                    break;
                }
            }
            match take_line(&conn.inbuf) {
                Ok(Some(line)) => {
                    incoming = Some(Incoming {
                        token: t,
                        request: parse_request(line),
                    });
                    // Read no more from it: one request per connection.
                    conn.inbuf.push(b'\n');
                    close = false;
                }
                Ok(None) => {}
                Err(e) => {
                    incoming = Some(Incoming {
                        token: t,
                        request: Err(e),
                    });
                    close = false;
                }
            }
        }
        if close {
            self.close(registry, t);
            return None;
        }
        self.flush(registry, t);
        incoming
    }

    /// Sends `r` on connection `t` and closes it once written.
    pub fn answer(&mut self, registry: &Registry, t: Token, r: &Response) {
        if let Some(conn) = self.conns.get_mut(&t) {
            conn.outbuf.extend_from_slice(&encode_response(r));
            conn.answered = true;
        }
        self.flush(registry, t);
    }

    fn flush(&mut self, registry: &Registry, t: Token) {
        let Some(conn) = self.conns.get_mut(&t) else {
            return;
        };
        while !conn.outbuf.is_empty() {
            match conn.stream.write(&conn.outbuf) {
                Ok(n) => {
                    conn.outbuf.drain(..n);
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => {
                    conn.outbuf.clear();
                    break;
                }
            }
        }
        if conn.answered {
            self.close(registry, t);
        }
    }

    fn close(&mut self, registry: &Registry, t: Token) {
        if let Some(mut conn) = self.conns.remove(&t) {
            let _ = registry.deregister(&mut conn.stream);
        }
    }

    /// Removes the socket file.
    pub fn remove(&self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_tagged_json() {
        assert_eq!(
            parse_request(br#"{"command":"restart","child":"checker"}"#),
            Ok(Request::Restart {
                child: ChildName::Checker
            })
        );
        assert_eq!(
            parse_request(br#"{"command":"status"}"#),
            Ok(Request::Status)
        );
        assert!(parse_request(b"rm -rf /").is_err());
    }

    #[test]
    fn lines_are_taken_whole_and_bounded() {
        assert_eq!(take_line(b"abc"), Ok(None));
        assert_eq!(take_line(b"abc\nx"), Ok(Some(&b"abc"[..])));
        assert!(take_line(&[b'a'; MAX_REQUEST + 1]).is_err());
    }

    #[test]
    fn responses_round_trip() {
        let r = Response::Reload(ReloadOutcome {
            applied: false,
            generation: 1,
            errors: vec!["k.conf:3: bad".into()],
        });
        let line = encode_response(&r);
        assert_eq!(line.last(), Some(&b'\n'));
        let back: Response = serde_json::from_slice(&line).expect("decode");
        assert_eq!(back, r);
    }
}
