//! HTTP_GET and SSL_GET (the same over TLS, see `tls`): for each `url` in turn, a new connection, `GET path`, the whole response
//! read to the end; the status code must be one of `status_code` and, when `digest` is
//! given, the MD5 of the body must match (keepalived/check/check_http.c; the digest is
//! what `genhash` prints). Every URL must pass.

use super::{connect, poll_error, tls, Progress, StartError, Verdict};
use crate::plan::{HttpPlan, UrlPlan};
use md5::{Digest, Md5};
use mio::{Interest, Registry, Token};
use rustls::{ClientConfig, ClientConnection};
use std::io::{ErrorKind, Read, Write};
use std::os::fd::OwnedFd;
use std::sync::Arc;
use vigil_config::model::check::HttpProtocol;

/// The most of a response kept: a body larger than this fails the check rather than
/// letting a real server make the checker allocate without bound.
pub const MAX_RESPONSE: usize = 16 * 1024 * 1024;

/// The request line and headers for `url` (check_http.c's request template).
pub fn request(plan: &HttpPlan, url: &UrlPlan) -> Vec<u8> {
    let port = plan.endpoint.target.port();
    let host = if port == 80 {
        url.host.clone()
    } else {
        format!("{}:{port}", url.host)
    };
    let (version, close) = match plan.protocol {
        HttpProtocol::V1_0 => ("1.0", false),
        HttpProtocol::V1_0C => ("1.0", true),
        HttpProtocol::V1_1 => ("1.1", true),
    };
    let mut r = format!(
        "GET {} HTTP/{version}\r\nUser-Agent: KeepAliveClient\r\nHost: {host}\r\n",
        url.path
    );
    if close {
        r.push_str("Connection: close\r\n");
    }
    r.push_str("\r\n");
    r.into_bytes()
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Splits a response into status code, headers and body.
fn parse(response: &[u8]) -> Result<(u16, &[u8], &[u8]), String> {
    let (head, body) = match find(response, b"\r\n\r\n") {
        Some(i) => (&response[..i], &response[i + 4..]),
        None => match find(response, b"\n\n") {
            Some(i) => (&response[..i], &response[i + 2..]),
            None => return Err("incomplete HTTP response (no end of headers)".into()),
        },
    };
    let line_end = find(head, b"\n").unwrap_or(head.len());
    let line = String::from_utf8_lossy(&head[..line_end]);
    let mut words = line.split_whitespace();
    let version = words.next().unwrap_or("");
    if !version.starts_with("HTTP/") {
        return Err(format!("not an HTTP response: {:?}", line.trim_end()));
    }
    let code = words
        .next()
        .and_then(|c| c.parse::<u16>().ok())
        .ok_or_else(|| format!("no status code in {:?}", line.trim_end()))?;
    Ok((code, &head[line_end.min(head.len())..], body))
}

fn is_chunked(headers: &[u8]) -> bool {
    String::from_utf8_lossy(headers).lines().any(|l| {
        let l = l.to_ascii_lowercase();
        l.starts_with("transfer-encoding:") && l.contains("chunked")
    })
}

/// Decodes a chunked body (an HTTP/1.1 server may send one).
fn dechunk(mut body: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    loop {
        let Some(eol) = find(body, b"\r\n") else {
            return Err("truncated chunked body".into());
        };
        let size_text = String::from_utf8_lossy(&body[..eol]);
        let size_text = size_text.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_text, 16)
            .map_err(|_| format!("bad chunk size {size_text:?}"))?;
        body = &body[eol + 2..];
        if size == 0 {
            return Ok(out);
        }
        if body.len() < size {
            return Err("truncated chunked body".into());
        }
        out.extend_from_slice(&body[..size]);
        body = &body[size..];
        body = body.strip_prefix(b"\r\n").unwrap_or(body);
    }
}

/// True when `response` holds a whole message by its own framing (Content-Length, or
/// the last chunk): a server that keeps the connection open despite `Connection:
/// close` is then judged at once instead of at the timeout. Without framing, the end
/// of the connection ends the body.
pub fn is_complete(response: &[u8]) -> bool {
    let Ok((_, headers, body)) = parse(response) else {
        return false;
    };
    if is_chunked(headers) {
        return dechunk(body).is_ok();
    }
    let text = String::from_utf8_lossy(headers);
    let length = text.lines().find_map(|l| {
        let (name, value) = l.split_once(':')?;
        name.trim()
            .eq_ignore_ascii_case("content-length")
            .then(|| value.trim().parse::<usize>().ok())
            .flatten()
    });
    length.is_some_and(|n| body.len() >= n)
}

/// Lowercase hex MD5 of `data`.
pub fn md5_hex(data: &[u8]) -> String {
    Md5::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether a whole response passes `url`'s status codes and digest.
pub fn evaluate(url: &UrlPlan, response: &[u8]) -> Verdict {
    let (code, headers, body) = parse(response)?;
    if !url
        .status_codes
        .iter()
        .any(|r| (r.from..=r.to).contains(&code))
    {
        return Err(format!("HTTP status code {code} for {}", url.path));
    }
    if let Some(want) = &url.digest {
        let got = if is_chunked(headers) {
            md5_hex(&dechunk(body)?)
        } else {
            md5_hex(body)
        };
        if !got.eq_ignore_ascii_case(want) {
            return Err(format!("MD5 digest mismatch for {}: got {got}", url.path));
        }
    }
    Ok(())
}

#[derive(Debug, PartialEq, Eq)]
enum Stage {
    Connecting,
    Writing,
    Reading,
}

#[derive(Debug)]
struct Connection {
    stream: mio::net::TcpStream,
    stage: Stage,
    request: Vec<u8>,
    written: usize,
    response: Vec<u8>,
    /// SSL_GET: the TLS session over `stream`.
    tls: Option<Box<ClientConnection>>,
    /// The socket reached end of stream (TLS only; plain reads see it directly).
    eof: bool,
}

/// An HTTP check in progress.
#[derive(Debug)]
pub struct HttpProbe {
    plan: HttpPlan,
    tls_config: Option<Arc<ClientConfig>>,
    url: usize,
    conn: Connection,
}

fn open(
    plan: &HttpPlan,
    tls_config: Option<&Arc<ClientConfig>>,
    url: &UrlPlan,
    given: Option<OwnedFd>,
    registry: &Registry,
    token: Token,
) -> Result<Connection, StartError> {
    let tls = match (plan.tls, tls_config) {
        (Some(t), Some(config)) => Some(Box::new(
            tls::connection(config.clone(), t.sni, &url.host, plan.endpoint.target.ip())
                .map_err(StartError::Local)?,
        )),
        _ => None,
    };
    let mut stream = connect::tcp(&plan.endpoint, given).map_err(|e| e.context("HTTP"))?;
    registry
        .register(&mut stream, token, Interest::WRITABLE)
        .map_err(poll_error)?;
    Ok(Connection {
        stream,
        stage: Stage::Connecting,
        request: request(plan, url),
        written: 0,
        response: Vec::new(),
        tls,
        eof: false,
    })
}

impl HttpProbe {
    /// Starts the first URL.
    pub fn start(
        plan: &HttpPlan,
        given: Option<OwnedFd>,
        registry: &Registry,
        token: Token,
    ) -> Result<HttpProbe, StartError> {
        let first = plan
            .urls
            .first()
            .ok_or_else(|| StartError::Local("HTTP_GET without url".to_string()))?;
        let tls_config = match plan.tls {
            Some(_) => Some(tls::client_config().map_err(StartError::Local)?),
            None => None,
        };
        let conn = open(plan, tls_config.as_ref(), first, given, registry, token)?;
        Ok(HttpProbe {
            plan: plan.clone(),
            tls_config,
            url: 0,
            conn,
        })
    }

    /// Handles readiness: connect, write the request, read to the end, judge; then
    /// the next URL.
    pub fn ready(&mut self, registry: &Registry, token: Token) -> Progress {
        loop {
            match self.step(registry, token) {
                Ok(Step::Wait) => return Progress::Pending,
                Ok(Step::Again) => continue,
                Ok(Step::UrlDone) => {
                    self.url += 1;
                    let Some(url) = self.plan.urls.get(self.url) else {
                        return Progress::Done(Ok(()));
                    };
                    let _ = registry.deregister(&mut self.conn.stream);
                    match open(
                        &self.plan,
                        self.tls_config.as_ref(),
                        url,
                        None,
                        registry,
                        token,
                    ) {
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

    fn judge(&self) -> Result<Step, String> {
        let url = self
            .plan
            .urls
            .get(self.url)
            .ok_or_else(|| "no such url".to_string())?;
        evaluate(url, &self.conn.response).map(|()| Step::UrlDone)
    }

    fn step(&mut self, registry: &Registry, token: Token) -> Result<Step, String> {
        let target = self.plan.endpoint.target;
        let c = &mut self.conn;
        match (&c.stage, c.tls.is_some()) {
            (Stage::Connecting, _) => match connect::tcp_connected(&c.stream) {
                Ok(true) => {
                    c.stage = Stage::Writing;
                    if c.tls.is_some() {
                        // TLS reads and writes in every stage.
                        registry
                            .reregister(
                                &mut c.stream,
                                token,
                                Interest::READABLE | Interest::WRITABLE,
                            )
                            .map_err(|e| format!("cannot poll the socket: {e}"))?;
                    }
                    Ok(Step::Again)
                }
                Ok(false) => Ok(Step::Wait),
                Err(e) => Err(format!("HTTP connection to {target} failed: {e}")),
            },
            (Stage::Writing, false) => match c.stream.write(&c.request[c.written..]) {
                Ok(n) => {
                    c.written += n;
                    if c.written >= c.request.len() {
                        c.stage = Stage::Reading;
                        registry
                            .reregister(&mut c.stream, token, Interest::READABLE)
                            .map_err(|e| format!("cannot poll the socket: {e}"))?;
                    }
                    Ok(Step::Again)
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => Ok(Step::Wait),
                Err(e) if e.kind() == ErrorKind::Interrupted => Ok(Step::Again),
                Err(e) => Err(format!("HTTP request to {target} failed: {e}")),
            },
            (Stage::Reading, false) => {
                let mut buf = [0u8; 16 * 1024];
                match c.stream.read(&mut buf) {
                    Ok(0) => self.judge(),
                    Ok(n) => {
                        if c.response.len() + n > MAX_RESPONSE {
                            return Err(format!(
                                "HTTP response from {target} exceeds {MAX_RESPONSE} bytes"
                            ));
                        }
                        c.response.extend_from_slice(&buf[..n]);
                        if is_complete(&c.response) {
                            return self.judge();
                        }
                        Ok(Step::Again)
                    }
                    Err(e) if e.kind() == ErrorKind::WouldBlock => Ok(Step::Wait),
                    Err(e) if e.kind() == ErrorKind::Interrupted => Ok(Step::Again),
                    Err(e) => Err(format!("HTTP response from {target} failed: {e}")),
                }
            }
            (Stage::Writing, true) => {
                let Some(t) = c.tls.as_mut() else {
                    return Err("TLS state lost".into());
                };
                if c.written == 0 {
                    // rustls keeps it until the handshake is done.
                    t.writer()
                        .write_all(&c.request)
                        .map_err(|e| format!("TLS: {e}"))?;
                    c.written = c.request.len();
                }
                let p = tls::pump(t, &mut c.stream)?;
                if !t.is_handshaking() && !t.wants_write() {
                    c.stage = Stage::Reading;
                    c.eof = p.eof;
                    return Ok(Step::Again);
                }
                if p.eof {
                    return Err(format!(
                        "TLS connection to {target} closed during the handshake"
                    ));
                }
                Ok(if p.moved { Step::Again } else { Step::Wait })
            }
            (Stage::Reading, true) => {
                let Some(t) = c.tls.as_mut() else {
                    return Err("TLS state lost".into());
                };
                let mut buf = [0u8; 16 * 1024];
                match t.reader().read(&mut buf) {
                    // close_notify: the end of the body.
                    Ok(0) => self.judge(),
                    Ok(n) => {
                        if c.response.len() + n > MAX_RESPONSE {
                            return Err(format!(
                                "HTTPS response from {target} exceeds {MAX_RESPONSE} bytes"
                            ));
                        }
                        c.response.extend_from_slice(&buf[..n]);
                        if is_complete(&c.response) {
                            return self.judge();
                        }
                        Ok(Step::Again)
                    }
                    Err(e) if e.kind() == ErrorKind::WouldBlock => {
                        if c.eof {
                            // Closed without close_notify: many servers do; take what came.
                            return self.judge();
                        }
                        let p = tls::pump(t, &mut c.stream)?;
                        c.eof = p.eof;
                        Ok(if p.moved || p.eof {
                            Step::Again
                        } else {
                            Step::Wait
                        })
                    }
                    Err(e) if e.kind() == ErrorKind::UnexpectedEof => self.judge(),
                    Err(e) => Err(format!("HTTPS response from {target} failed: {e}")),
                }
            }
        }
    }

    /// Releases the socket.
    pub fn stop(&mut self, registry: &Registry) {
        let _ = registry.deregister(&mut self.conn.stream);
    }
}

enum Step {
    Wait,
    Again,
    UrlDone,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Endpoint;
    use vigil_config::model::check::StatusRange;

    fn url(digest: Option<&str>) -> UrlPlan {
        UrlPlan {
            path: "/health".into(),
            digest: digest.map(str::to_string),
            status_codes: vec![StatusRange { from: 200, to: 299 }],
            host: "198.51.100.7".into(),
        }
    }

    #[test]
    fn check_http_request_is_http_1_0_get_with_host_and_port() {
        let plan = HttpPlan {
            tls: None,
            endpoint: Endpoint {
                target: "198.51.100.7:8080".parse().expect("address"),
                bind: None,
                privileged: false,
            },
            protocol: HttpProtocol::V1_0,
            urls: vec![url(None)],
        };
        assert_eq!(
            request(&plan, &plan.urls[0]),
            b"GET /health HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\nHost: 198.51.100.7:8080\r\n\r\n"
        );
    }

    #[test]
    fn keepalived_conf_status_code_default_200_299() {
        assert_eq!(
            evaluate(&url(None), b"HTTP/1.0 204 No Content\r\n\r\n"),
            Ok(())
        );
        assert!(evaluate(&url(None), b"HTTP/1.0 500 Oops\r\n\r\n").is_err());
        assert!(evaluate(&url(None), b"HTTP/1.0 301 Moved\r\n\r\n").is_err());
    }

    #[test]
    fn genhash_digest_is_md5_of_the_body_only() {
        let body = b"hello\n";
        let d = md5_hex(body);
        assert_eq!(d, "b1946ac92492d2347c6235b4d2611184");
        let resp = b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nhello\n";
        assert_eq!(evaluate(&url(Some(&d)), resp), Ok(()));
        assert!(evaluate(&url(Some("00000000000000000000000000000000")), resp).is_err());
    }

    #[test]
    fn chunked_body_is_decoded_before_the_digest() {
        let resp = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhel\r\n3\r\nlo\n\r\n0\r\n\r\n";
        let d = md5_hex(b"hello\n");
        assert_eq!(evaluate(&url(Some(&d)), resp), Ok(()));
    }

    #[test]
    fn framing_tells_when_a_response_is_complete() {
        assert!(is_complete(
            b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"
        ));
        assert!(!is_complete(
            b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nabc"
        ));
        assert!(
            !is_complete(b"HTTP/1.0 200 OK\r\n\r\nabc"),
            "no framing: wait for EOF"
        );
        assert!(is_complete(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\n\r\n"
        ));
        assert!(!is_complete(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n"
        ));
        assert!(!is_complete(b"HTTP/1.1 200 OK\r\nContent-Le"));
    }

    #[test]
    fn garbage_and_truncated_responses_fail() {
        assert!(evaluate(&url(None), b"").is_err());
        assert!(evaluate(&url(None), b"SSH-2.0-OpenSSH\r\n\r\n").is_err());
        assert!(evaluate(&url(None), b"HTTP/1.0 200 OK\r\n").is_err());
    }
}
