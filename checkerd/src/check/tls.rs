//! TLS for SSL_GET (rustls). As keepalived's SSL_GET, the server's certificate is not
//! checked against any authority: the check is about the service answering, and real
//! servers behind a load balancer commonly have certificates for the virtual name. The
//! handshake signatures are still verified, so the peer must hold the key of the
//! certificate it shows.

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, ClientConnection, DigitallySignedStruct, SignatureScheme};
use std::io::{self, ErrorKind};
use std::net::IpAddr;
use std::sync::Arc;

/// Accepts any certificate chain; verifies handshake signatures with the provider.
#[derive(Debug)]
struct AnyCertificate(Arc<CryptoProvider>);

impl ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// The client configuration of SSL_GET checks.
pub fn client_config() -> Result<Arc<ClientConfig>, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS configuration: {e}"))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(AnyCertificate(provider)))
        .with_no_client_auth();
    config.enable_sni = true;
    Ok(Arc::new(config))
}

/// A client connection to `host` (sent as SNI when `sni` and it is a name) at `ip`.
pub fn connection(
    config: Arc<ClientConfig>,
    sni: bool,
    host: &str,
    ip: IpAddr,
) -> Result<ClientConnection, String> {
    let name = if sni {
        ServerName::try_from(host.to_string()).unwrap_or(ServerName::IpAddress(ip.into()))
    } else {
        // An address as the name: rustls sends no SNI for it.
        ServerName::IpAddress(ip.into())
    };
    ClientConnection::new(config, name).map_err(|e| format!("TLS: {e}"))
}

/// What a [`pump`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pumped {
    /// The socket reached end of stream.
    pub eof: bool,
    /// Records moved.
    pub moved: bool,
}

/// Moves TLS records between rustls and the socket until neither side can go on.
pub fn pump(
    tls: &mut ClientConnection,
    sock: &mut (impl io::Read + io::Write),
) -> Result<Pumped, String> {
    let mut eof = false;
    let mut moved = false;
    loop {
        let mut progress = false;
        while tls.wants_write() {
            match tls.write_tls(sock) {
                Ok(_) => progress = true,
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(format!("TLS write: {e}")),
            }
        }
        if !eof && tls.wants_read() {
            match tls.read_tls(sock) {
                Ok(0) => eof = true,
                Ok(_) => {
                    progress = true;
                    tls.process_new_packets().map_err(|e| format!("TLS: {e}"))?;
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                Err(e) if e.kind() == ErrorKind::Interrupted => progress = true,
                Err(e) => return Err(format!("TLS read: {e}")),
            }
        }
        if !progress {
            return Ok(Pumped { eof, moved });
        }
        moved = true;
    }
}
