//! TCP, UDP and TLS: the connection every stream destination shares
//! ([`Endpoint`], [`Conn`]), and the JSON-lines destination over it
//! ([`NetDestination`], section `[net]`).
//!
//! ```toml
//! [net]
//! address = "logs.example.com:5170"   # host:port, port 1-65535
//! protocol = "tls"                    # tcp, udp or tls
//! format = "json"                     # json (the record's line) or text
//! max_datagram_bytes = 65507          # UDP: larger records are cut, with the marker
//! [net.tls]
//! ca_file = "/etc/ssl/receiver-ca.pem"
//! ```
//!
//! Over TCP and TLS each record is its line plus `\n`, on one connection
//! kept open; a batch is delivered when every byte was written (the
//! kernel took it: TCP has no application acknowledgement, so a receiver
//! that dies with bytes in its buffers loses them; TLS and TCP are at least
//! once up to that point). Over UDP each record is one datagram; a record
//! larger than `max_datagram_bytes` is sent as a valid JSON object with its
//! message cut and `"truncated_from_bytes"` (the full record stays in the
//! files), never as a cut line.

use std::io::Write;
use std::net::{SocketAddr, TcpStream, ToSocketAddrs, UdpSocket};
use std::os::unix::net::UnixDatagram;
use std::sync::Arc;
use std::time::Duration;

use rustls::ClientConfig;
use rustls::pki_types::ServerName;
use serde::Deserialize;
use serde_json::Value;

use super::destination::{Batch, Delivery, Destination};
use super::error::ShipError;
use super::options::{Options, RetryLimit, raw_options};
use super::tls::{self, TlsOptions, TlsStream};

/// Marker at the end of a message cut to fit a datagram (the logger's own).
pub const CUT_MARKER: &str = "…[truncated]";

/// How a stream destination reaches its receiver.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    /// A TCP connection.
    Tcp,
    /// One datagram per record.
    Udp,
    /// TLS 1.2+ over TCP, the server's certificate verified.
    Tls,
    /// A local datagram socket (syslog's `/dev/log`); `address` is its path.
    Unix,
}

/// Where and how to connect, checked once at start.
#[derive(Clone)]
pub struct Endpoint {
    dest: String,
    address: String,
    host: String,
    port: u16,
    protocol: Protocol,
    tls: Option<(Arc<ClientConfig>, ServerName<'static>)>,
    timeout: Duration,
}

impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Endpoint")
            .field("address", &self.address)
            .field("protocol", &self.protocol)
            .finish_non_exhaustive()
    }
}

/// Splits `host:port` (`[v6]:port` too), with the port in 1-65535.
fn host_port(section: &str, address: &str) -> Result<(String, u16), ShipError> {
    let bad = |why: &str| {
        ShipError::fatal(
            "config",
            format!("{section}.address {address:?}: {why} (expected host:port, port 1-65535)"),
        )
    };
    let (host, port) = address.rsplit_once(':').ok_or_else(|| bad("no port"))?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.is_empty() {
        return Err(bad("no host"));
    }
    let port: u16 = port
        .parse()
        .map_err(|_| bad("the port is not a number in 1-65535"))?;
    if port == 0 {
        return Err(bad("port 0"));
    }
    Ok((host.to_owned(), port))
}

impl Endpoint {
    /// Checks `address` for `protocol` (and builds the TLS client).
    ///
    /// # Errors
    /// `Fatal` naming `<section>.address`, `<section>.protocol` or the TLS option.
    pub fn new(
        dest: &str,
        section: &str,
        address: &str,
        protocol: Protocol,
        tls: Option<&TlsOptions>,
        timeout: Duration,
    ) -> Result<Self, ShipError> {
        let (host, port) = if protocol == Protocol::Unix {
            if address.is_empty() {
                return Err(ShipError::fatal(
                    "config",
                    format!("{section}.address: give the socket's path (e.g. /dev/log)"),
                ));
            }
            (String::new(), 0)
        } else {
            host_port(section, address)?
        };
        if tls.is_some() && protocol != Protocol::Tls {
            return Err(ShipError::fatal(
                "config",
                format!(
                    "{section}.tls is set but {section}.protocol is {protocol:?}: use protocol = \"tls\""
                ),
            ));
        }
        let tls = match protocol {
            Protocol::Tls => {
                let opts = tls.cloned().unwrap_or_default();
                Some((opts.client_config(dest)?, opts.server_name(dest, &host)?))
            }
            _ => None,
        };
        Ok(Self {
            dest: dest.to_owned(),
            address: address.to_owned(),
            host,
            port,
            protocol,
            tls,
            timeout,
        })
    }

    /// The protocol.
    pub fn protocol(&self) -> Protocol {
        self.protocol
    }

    /// The address as configured.
    pub fn address(&self) -> &str {
        &self.address
    }

    fn resolve(&self) -> Result<Vec<SocketAddr>, ShipError> {
        let addrs: Vec<SocketAddr> = (self.host.as_str(), self.port)
            .to_socket_addrs()
            .map_err(|e| {
                ShipError::unavailable(&self.dest, format!("cannot resolve {:?}: {e}", self.host))
            })?
            .collect();
        if addrs.is_empty() {
            return Err(ShipError::unavailable(
                &self.dest,
                format!("{:?} resolves to no address", self.host),
            ));
        }
        Ok(addrs)
    }

    fn tcp(&self) -> Result<TcpStream, ShipError> {
        let mut last = None;
        for a in self.resolve()? {
            match TcpStream::connect_timeout(&a, self.timeout) {
                Ok(s) => {
                    let _ = s.set_nodelay(true);
                    let _ = s.set_write_timeout(Some(self.timeout));
                    let _ = s.set_read_timeout(Some(self.timeout));
                    return Ok(s);
                }
                Err(e) => last = Some(format!("cannot connect to {} ({a}): {e}", self.address)),
            }
        }
        Err(ShipError::unavailable(
            &self.dest,
            last.unwrap_or_else(|| format!("cannot connect to {}", self.address)),
        ))
    }

    /// Opens a connection (for TLS, with the handshake done).
    ///
    /// # Errors
    /// `Unavailable` naming the address: unresolvable name, refused or
    /// timed-out connection, refused certificate.
    pub fn connect(&self) -> Result<Conn, ShipError> {
        let unavailable = |what: &str, e: std::io::Error| {
            ShipError::unavailable(&self.dest, format!("{what} {}: {e}", self.address))
        };
        Ok(match self.protocol {
            Protocol::Tcp => Conn::Tcp(self.tcp()?),
            Protocol::Tls => {
                let (config, name) = self.tls.clone().expect("built with the protocol");
                Conn::Tls(Box::new(tls::handshake(
                    &self.dest,
                    &self.address,
                    config,
                    name,
                    self.tcp()?,
                )?))
            }
            Protocol::Udp => {
                let addr = self.resolve()?[0];
                let local = if addr.is_ipv4() {
                    "0.0.0.0:0"
                } else {
                    "[::]:0"
                };
                let s = UdpSocket::bind(local)
                    .map_err(|e| unavailable("cannot open a socket for", e))?;
                s.connect(addr)
                    .map_err(|e| unavailable("cannot reach", e))?;
                let _ = s.set_write_timeout(Some(self.timeout));
                Conn::Udp(s)
            }
            Protocol::Unix => {
                let s = UnixDatagram::unbound()
                    .map_err(|e| unavailable("cannot open a socket for", e))?;
                s.connect(&self.address)
                    .map_err(|e| unavailable("cannot connect to", e))?;
                let _ = s.set_write_timeout(Some(self.timeout));
                Conn::Unix(s)
            }
        })
    }
}

/// An open connection.
#[derive(Debug)]
pub enum Conn {
    /// TCP.
    Tcp(TcpStream),
    /// TLS over TCP.
    Tls(Box<TlsStream>),
    /// A connected UDP socket.
    Udp(UdpSocket),
    /// A connected local datagram socket.
    Unix(UnixDatagram),
}

impl Conn {
    /// Writes `bytes`: all of a stream, or one datagram.
    ///
    /// # Errors
    /// The socket's error (a write that timed out included).
    pub fn send(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        match self {
            Conn::Tcp(s) => s.write_all(bytes),
            Conn::Tls(s) => {
                s.write_all(bytes)?;
                s.flush()
            }
            Conn::Udp(s) => s.send(bytes).map(drop),
            Conn::Unix(s) => s.send(bytes).map(drop),
        }
    }

    /// Flushes a stream.
    ///
    /// # Errors
    /// The socket's error.
    pub fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Conn::Tcp(s) => s.flush(),
            Conn::Tls(s) => s.flush(),
            Conn::Udp(_) | Conn::Unix(_) => Ok(()),
        }
    }
}

impl Drop for Conn {
    /// Ends a TLS session with its `close_notify` alert, so that the
    /// receiver knows nothing was cut.
    fn drop(&mut self) {
        if let Conn::Tls(s) = self {
            s.conn.send_close_notify();
            let _ = s.flush();
        }
    }
}

/// Cuts `s` to at most `max` bytes at a character boundary.
pub(crate) fn cut_str(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// A record too large for one datagram as a valid JSON object of at most
/// `max` bytes: its header keys, its message cut with [`CUT_MARKER`], and
/// `truncated_from_bytes`; `None` when even that does not fit.
pub fn cut_record(line: &[u8], max: usize) -> Option<Vec<u8>> {
    let full: Value = serde_json::from_slice(line).ok()?;
    let mut small = serde_json::Map::new();
    for key in [
        "ts",
        "level",
        "kind",
        "target",
        "service",
        "host",
        "pid",
        "correlation_id",
    ] {
        if let Some(v) = full.get(key) {
            small.insert(key.into(), v.clone());
        }
    }
    small.insert("truncated_from_bytes".into(), Value::from(line.len()));
    small.insert("msg".into(), Value::from(CUT_MARKER));
    let base = serde_json::to_vec(&Value::Object(small.clone()))
        .ok()?
        .len();
    if base > max {
        return None;
    }
    let msg = full.get("msg").and_then(Value::as_str).unwrap_or("");
    // Escaping may lengthen the text: shrink until it fits.
    let mut room = max - base;
    loop {
        let cut = cut_str(msg, room);
        small.insert("msg".into(), Value::from(format!("{cut}{CUT_MARKER}")));
        let out = serde_json::to_vec(&Value::Object(small.clone())).ok()?;
        if out.len() <= max {
            return Some(out);
        }
        if room == 0 {
            return None;
        }
        room = room.saturating_sub((out.len() - max).max(1));
    }
}

/// The payload of each record.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LineFormat {
    /// The record's JSON line as written (default).
    #[default]
    Json,
    /// `<ts> <LEVEL> <target>: <msg> key=value ...`.
    Text,
}

/// A record as one text line (the `text` format).
pub(crate) fn text_line(line: &[u8]) -> Option<String> {
    let v: Value = serde_json::from_slice(line).ok()?;
    let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("");
    let mut out = format!("{} {} {}: {}", s("ts"), s("level"), s("target"), s("msg"));
    if let Some(Value::Object(fields)) = v.get("fields") {
        for (k, val) in fields {
            match val {
                Value::String(t) => out.push_str(&format!(" {k}={t:?}")),
                other => out.push_str(&format!(" {k}={other}")),
            }
        }
    }
    Some(out)
}

/// The `[net]` section.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct NetConfig {
    /// `host:port`.
    pub address: String,
    /// `tcp`, `udp` or `tls`.
    pub protocol: Protocol,
    /// `json` (default) or `text`.
    #[serde(default)]
    pub format: LineFormat,
    /// Largest UDP datagram (default 65507, IPv4's limit).
    #[serde(default)]
    pub max_datagram_bytes: Option<usize>,
    /// TLS settings (protocol `tls`).
    #[serde(default)]
    pub tls: Option<TlsOptions>,
    /// On or off (default on).
    #[serde(default)]
    pub enabled: Option<bool>,
    /// Minimum level (default: every level).
    #[serde(default)]
    pub min_level: Option<String>,
    /// Kinds (default: every kind).
    #[serde(default)]
    pub kinds: Option<Vec<String>>,
    /// Records per batch (default 1000).
    #[serde(default)]
    pub batch_records: Option<usize>,
    /// Batch age limit (ms, default 1000).
    #[serde(default)]
    pub batch_timeout_ms: Option<u64>,
    /// Failed attempts of one batch before the dead-letter file (default 10).
    #[serde(default)]
    pub max_retries: Option<u32>,
    /// Connect and write timeout (ms, default 5000).
    #[serde(default)]
    pub timeout_ms: Option<u64>,
}

impl NetConfig {
    /// A configuration with defaults.
    pub fn new(address: &str, protocol: Protocol) -> Self {
        Self {
            address: address.to_owned(),
            protocol,
            format: LineFormat::Json,
            max_datagram_bytes: None,
            tls: None,
            enabled: None,
            min_level: None,
            kinds: None,
            batch_records: None,
            batch_timeout_ms: None,
            max_retries: None,
            timeout_ms: None,
        }
    }

    /// The common options, checked.
    ///
    /// # Errors
    /// `Fatal` naming the key.
    pub fn options(&self) -> Result<Options, ShipError> {
        raw_options!(self).validate("net", None, 1_000)
    }

    /// Checks every value.
    ///
    /// # Errors
    /// `Fatal` naming the key.
    pub fn validate(&self) -> Result<(), ShipError> {
        self.options()?;
        if self.protocol == Protocol::Unix {
            return Err(ShipError::fatal(
                "config",
                "net.protocol \"unix\": use tcp, udp or tls (the local socket is syslog's)",
            ));
        }
        if self.max_datagram_bytes == Some(0) || self.max_datagram_bytes > Some(65_507) {
            return Err(ShipError::fatal(
                "config",
                "net.max_datagram_bytes: must be 1 to 65507",
            ));
        }
        let timeout = self.options()?.timeout;
        Endpoint::new(
            "net",
            "net",
            &self.address,
            self.protocol,
            self.tls.as_ref(),
            timeout,
        )?;
        Ok(())
    }
}

/// JSON lines (or text lines) over TCP, UDP or TLS.
#[derive(Debug)]
pub struct NetDestination {
    name: String,
    endpoint: Endpoint,
    format: LineFormat,
    max_datagram: usize,
    conn: Option<Conn>,
    retry: RetryLimit,
    buf: Vec<u8>,
}

impl NetDestination {
    /// A destination for `config` (nothing is connected before the first batch).
    ///
    /// # Errors
    /// `Fatal` for an invalid configuration.
    pub fn new(config: &NetConfig) -> Result<Self, ShipError> {
        config.validate()?;
        let options = config.options()?;
        let name = match config.protocol {
            Protocol::Udp => "udp",
            Protocol::Tls => "tls",
            _ => "tcp",
        };
        Ok(Self {
            name: name.to_owned(),
            endpoint: Endpoint::new(
                name,
                "net",
                &config.address,
                config.protocol,
                config.tls.as_ref(),
                options.timeout,
            )?,
            format: config.format,
            max_datagram: config.max_datagram_bytes.unwrap_or(65_507),
            conn: None,
            retry: RetryLimit::new(options.max_retries),
            buf: Vec::new(),
        })
    }

    fn payload(&self, line: &[u8]) -> Vec<u8> {
        match self.format {
            LineFormat::Json => line.to_vec(),
            LineFormat::Text => text_line(line)
                .map(String::into_bytes)
                .unwrap_or_else(|| line.to_vec()),
        }
    }

    fn try_deliver(&mut self, batch: &Batch) -> Result<Delivery, ShipError> {
        if self.conn.is_none() {
            self.conn = Some(self.endpoint.connect()?);
        }
        let udp = self.endpoint.protocol() == Protocol::Udp;
        let mut delivery = Delivery::default();
        self.buf.clear();
        for (i, line) in batch.lines().enumerate() {
            let mut payload = self.payload(line);
            if udp {
                if payload.len() > self.max_datagram {
                    match (self.format, cut_record(line, self.max_datagram)) {
                        (LineFormat::Json, Some(cut)) => payload = cut,
                        _ => {
                            let cut = cut_str(
                                &String::from_utf8_lossy(&payload),
                                self.max_datagram.saturating_sub(CUT_MARKER.len()),
                            )
                            .to_owned();
                            payload = format!("{cut}{CUT_MARKER}").into_bytes();
                            if payload.len() > self.max_datagram {
                                delivery.rejected.push(super::destination::Rejected {
                                    index: i,
                                    reason: format!(
                                        "record of {} bytes does not fit a datagram of {} bytes",
                                        line.len(),
                                        self.max_datagram
                                    ),
                                });
                                continue;
                            }
                        }
                    }
                }
                let conn = self.conn.as_mut().expect("connected above");
                conn.send(&payload).map_err(|e| {
                    ShipError::unavailable(
                        &self.name,
                        format!("sending to {}: {e}", self.endpoint.address()),
                    )
                })?;
            } else {
                self.buf.extend_from_slice(&payload);
                self.buf.push(b'\n');
            }
        }
        if !udp {
            let conn = self.conn.as_mut().expect("connected above");
            conn.send(&self.buf)
                .and_then(|()| conn.flush())
                .map_err(|e| {
                    ShipError::unavailable(
                        &self.name,
                        format!("writing to {}: {e}", self.endpoint.address()),
                    )
                })?;
        }
        Ok(delivery)
    }
}

impl Destination for NetDestination {
    fn name(&self) -> &str {
        &self.name
    }

    fn deliver(&mut self, batch: &Batch) -> Result<Delivery, ShipError> {
        if let Some(given_up) = self.retry.exhausted(batch) {
            return Ok(given_up);
        }
        match self.try_deliver(batch) {
            Ok(d) => {
                self.retry.succeeded();
                Ok(d)
            }
            Err(e) => {
                self.conn = None;
                Err(self.retry.failed(batch, e))
            }
        }
    }

    fn check(&mut self) -> Result<(), ShipError> {
        self.endpoint.connect().map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_checked_naming_the_key() {
        for (a, why) in [
            ("localhost", "no port"),
            (":514", "no host"),
            ("h:0", "port 0"),
            ("h:65536", "1-65535"),
            ("h:x", "1-65535"),
        ] {
            let e = host_port("syslog", a).unwrap_err().to_string();
            assert!(e.contains("syslog.address") && e.contains(why), "{a}: {e}");
        }
        assert_eq!(
            host_port("net", "[::1]:5170").unwrap(),
            ("::1".into(), 5170)
        );
    }

    #[test]
    fn a_cut_record_is_valid_json_within_the_limit() {
        let msg = "é".repeat(5_000);
        let line = serde_json::to_vec(&serde_json::json!({
            "ts": "2026-11-29T10:00:00.000000001Z", "level": "INFO", "kind": "log",
            "target": "app", "msg": msg, "fields": {"blob": "x".repeat(10_000)}
        }))
        .unwrap();
        for max in [200, 1_000, 8_192] {
            let cut = cut_record(&line, max).unwrap();
            assert!(cut.len() <= max, "{} > {max}", cut.len());
            let v: Value = serde_json::from_slice(&cut).unwrap();
            assert!(v["msg"].as_str().unwrap().ends_with(CUT_MARKER));
            assert_eq!(v["truncated_from_bytes"], line.len());
            assert_eq!(v["level"], "INFO");
        }
        assert!(cut_record(&line, 20).is_none());
    }
}
