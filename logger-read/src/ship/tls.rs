//! The TLS client every network destination shares (rustls, TLS 1.2 and
//! 1.3 only): the server's certificate verified against a CA file or the
//! Mozilla roots (`webpki-roots`), its name checked against the host
//! connected to (or `server_name`), and an optional client certificate for
//! mutual TLS. A certificate that is expired, for another host or from an
//! unknown CA fails the handshake with an error naming the address and
//! the reason; nothing is ever sent in clear instead.
//!
//! ```toml
//! [syslog.tls]
//! ca_file = "/etc/ssl/receiver-ca.pem"   # default: the Mozilla roots
//! client_cert = "/etc/ssl/me.pem"         # mutual TLS: both or neither
//! client_key = "/etc/ssl/me.key"
//! server_name = "logs.example.com"        # default: the address's host
//! ```

use std::io::BufReader;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::{ClientConfig, ClientConnection, RootCertStore, StreamOwned};
use serde::Deserialize;

use super::error::ShipError;

/// TLS settings of one destination.
///
/// ```
/// use logger_read::ship::tls::TlsOptions;
/// let t = TlsOptions::default();
/// assert!(t.client_config("syslog").is_ok()); // the Mozilla roots
/// let bad = TlsOptions { ca_file: Some("/nonexistent/ca.pem".into()), ..TlsOptions::default() };
/// let e = bad.client_config("syslog").unwrap_err();
/// assert!(e.to_string().contains("/nonexistent/ca.pem"));
/// ```
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct TlsOptions {
    /// PEM file of the CA certificates to trust (default: the Mozilla roots).
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// PEM file of the client certificate chain, for mutual TLS.
    #[serde(default)]
    pub client_cert: Option<PathBuf>,
    /// PEM file of the client certificate's private key.
    #[serde(default)]
    pub client_key: Option<PathBuf>,
    /// The name the server's certificate must carry (default: the host of
    /// the address).
    #[serde(default)]
    pub server_name: Option<String>,
}

fn read_pem(dest: &str, what: &str, path: &Path) -> Result<Vec<u8>, ShipError> {
    std::fs::read(path).map_err(|e| {
        ShipError::fatal(
            dest,
            format!("tls.{what}: cannot read {}: {e}", path.display()),
        )
    })
}

impl TlsOptions {
    /// The rustls client configuration: TLS 1.2+, the roots, the client
    /// certificate.
    ///
    /// # Errors
    /// `Fatal` naming the option and the file when a file cannot be read,
    /// holds no certificate or key, or only one of `client_cert` and
    /// `client_key` is given.
    pub fn client_config(&self, dest: &str) -> Result<Arc<ClientConfig>, ShipError> {
        let mut roots = RootCertStore::empty();
        match &self.ca_file {
            Some(path) => {
                let pem = read_pem(dest, "ca_file", path)?;
                let certs: Vec<CertificateDer<'static>> =
                    rustls_pemfile::certs(&mut BufReader::new(&pem[..]))
                        .collect::<Result<_, _>>()
                        .map_err(|e| {
                            ShipError::fatal(
                                dest,
                                format!("tls.ca_file {}: not PEM: {e}", path.display()),
                            )
                        })?;
                if certs.is_empty() {
                    return Err(ShipError::fatal(
                        dest,
                        format!("tls.ca_file {}: no certificate in it", path.display()),
                    ));
                }
                for c in certs {
                    roots.add(c).map_err(|e| {
                        ShipError::fatal(dest, format!("tls.ca_file {}: {e}", path.display()))
                    })?;
                }
            }
            None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = ClientConfig::builder_with_provider(provider)
            .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
            .map_err(|e| ShipError::fatal(dest, format!("tls: {e}")))?
            .with_root_certificates(roots);
        let config = match (&self.client_cert, &self.client_key) {
            (None, None) => builder.with_no_client_auth(),
            (Some(cert), Some(key)) => {
                let pem = read_pem(dest, "client_cert", cert)?;
                let chain: Vec<CertificateDer<'static>> =
                    rustls_pemfile::certs(&mut BufReader::new(&pem[..]))
                        .collect::<Result<_, _>>()
                        .map_err(|e| {
                            ShipError::fatal(
                                dest,
                                format!("tls.client_cert {}: not PEM: {e}", cert.display()),
                            )
                        })?;
                if chain.is_empty() {
                    return Err(ShipError::fatal(
                        dest,
                        format!("tls.client_cert {}: no certificate in it", cert.display()),
                    ));
                }
                let pem = read_pem(dest, "client_key", key)?;
                let key_der: PrivateKeyDer<'static> =
                    rustls_pemfile::private_key(&mut BufReader::new(&pem[..]))
                        .ok()
                        .flatten()
                        .ok_or_else(|| {
                            ShipError::fatal(
                                dest,
                                format!("tls.client_key {}: no private key in it", key.display()),
                            )
                        })?;
                builder
                    .with_client_auth_cert(chain, key_der)
                    .map_err(|e| ShipError::fatal(dest, format!("tls.client_key: {e}")))?
            }
            _ => {
                return Err(ShipError::fatal(
                    dest,
                    "tls: give both client_cert and client_key (mutual TLS), or neither",
                ));
            }
        };
        Ok(Arc::new(config))
    }

    /// The name to verify for `host` (an address's host part).
    ///
    /// # Errors
    /// `Fatal` when the name is neither a DNS name nor an IP address.
    pub fn server_name(&self, dest: &str, host: &str) -> Result<ServerName<'static>, ShipError> {
        let name = self.server_name.as_deref().unwrap_or(host);
        ServerName::try_from(name.to_owned())
            .map_err(|e| ShipError::fatal(dest, format!("tls.server_name {name:?}: {e}")))
    }
}

/// A TLS stream over TCP whose handshake has completed.
pub type TlsStream = StreamOwned<ClientConnection, TcpStream>;

/// Runs the handshake over `sock` at once, so that a refused certificate
/// is reported here (naming `addr` and rustls' reason: "invalid peer
/// certificate: Expired", "... NotValidForName", "... UnknownIssuer")
/// before any record is written.
///
/// # Errors
/// `Unavailable`: the receiver may be fixed, and the records wait in the
/// files meanwhile.
pub fn handshake(
    dest: &str,
    addr: &str,
    config: Arc<ClientConfig>,
    name: ServerName<'static>,
    mut sock: TcpStream,
) -> Result<TlsStream, ShipError> {
    let mut conn = ClientConnection::new(config, name)
        .map_err(|e| ShipError::fatal(dest, format!("tls: {e}")))?;
    while conn.is_handshaking() {
        conn.complete_io(&mut sock).map_err(|e| {
            ShipError::unavailable(
                dest,
                format!("TLS handshake with {addr} failed: {e}; nothing was sent"),
            )
        })?;
    }
    Ok(StreamOwned::new(conn, sock))
}
