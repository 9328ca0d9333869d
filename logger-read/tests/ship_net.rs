//! JSON lines over TCP, UDP and TLS (a rustls server with a test CA made
//! by rcgen; mutual TLS), and the faults: a refused connection then
//! recovery, an unresolvable name, an expired or wrong-host certificate
//! (refused, nothing sent in clear, records in the dead-letter file after
//! the retry limit), a record larger than a datagram (cut, valid JSON).

mod common;
mod dest;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream, UdpSocket};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use logger_read::ship::net::{NetConfig, Protocol};
use logger_read::ship::tls::TlsOptions;
use logger_read::ship::{DestinationState, ShipConfig};
use serde_json::Value;

const N: u64 = 50;

/// The records, written by the real logger in a child process running
/// `test`; `None` in that child (after writing them).
fn logs(test: &str) -> Option<tempfile::TempDir> {
    if common::is_child() {
        dest::log_mixed(Path::new(&std::env::var("DIR").unwrap()), N, 100_000);
        return None;
    }
    let logs = tempfile::tempdir().unwrap();
    common::run_child(test, &[("DIR", logs.path().display().to_string())]);
    Some(logs)
}

type Lines = Arc<Mutex<Vec<String>>>;

/// A TCP server collecting lines.
fn tcp_server(listener: TcpListener) -> Lines {
    let lines: Lines = Arc::default();
    let l = lines.clone();
    std::thread::spawn(move || {
        for s in listener.incoming().flatten() {
            let l = l.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(s).lines().map_while(Result::ok) {
                    l.lock().unwrap().push(line);
                }
            });
        }
    });
    lines
}

/// Records every byte read from the socket.
struct Tee {
    s: TcpStream,
    raw: Arc<Mutex<Vec<u8>>>,
}

impl Read for Tee {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.s.read(buf)?;
        self.raw.lock().unwrap().extend_from_slice(&buf[..n]);
        Ok(n)
    }
}

impl Write for Tee {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.s.write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.s.flush()
    }
}

struct TlsServer {
    port: u16,
    lines: Lines,
    raw: Arc<Mutex<Vec<u8>>>,
    errors: Arc<Mutex<Vec<String>>>,
}

/// A TLS server with `cert`/`key`; when `client_ca` is given, it demands
/// a client certificate signed by it.
fn tls_server(cert: &str, key: &str, client_ca: Option<&Path>) -> TlsServer {
    let certs: Vec<_> = rustls_pemfile::certs(&mut cert.as_bytes())
        .collect::<Result<_, _>>()
        .unwrap();
    let key = rustls_pemfile::private_key(&mut key.as_bytes())
        .unwrap()
        .unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .unwrap();
    let builder = match client_ca {
        Some(ca) => {
            let mut roots = rustls::RootCertStore::empty();
            for c in rustls_pemfile::certs(&mut &std::fs::read(ca).unwrap()[..]) {
                roots.add(c.unwrap()).unwrap();
            }
            let v = rustls::server::WebPkiClientVerifier::builder_with_provider(
                Arc::new(roots),
                provider,
            )
            .build()
            .unwrap();
            builder.with_client_cert_verifier(v)
        }
        None => builder.with_no_client_auth(),
    };
    let config = Arc::new(builder.with_single_cert(certs, key).unwrap());
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = TlsServer {
        port,
        lines: Arc::default(),
        raw: Arc::default(),
        errors: Arc::default(),
    };
    let (lines, raw, errors) = (
        server.lines.clone(),
        server.raw.clone(),
        server.errors.clone(),
    );
    std::thread::spawn(move || {
        for s in listener.incoming().flatten() {
            let (config, lines, raw, errors) =
                (config.clone(), lines.clone(), raw.clone(), errors.clone());
            std::thread::spawn(move || {
                let conn = rustls::ServerConnection::new(config).unwrap();
                let mut tls = rustls::StreamOwned::new(conn, Tee { s, raw });
                let mut buf = String::new();
                let mut r = BufReader::new(&mut tls);
                loop {
                    buf.clear();
                    match r.read_line(&mut buf) {
                        Ok(0) => break,
                        Ok(_) => lines.lock().unwrap().push(buf.trim_end().to_owned()),
                        Err(e) => {
                            if !buf.is_empty() {
                                lines.lock().unwrap().push(buf.trim_end().to_owned());
                            }
                            errors.lock().unwrap().push(e.to_string());
                            break;
                        }
                    }
                }
            });
        }
    });
    server
}

fn net(address: &str, protocol: Protocol) -> NetConfig {
    let mut n = NetConfig::new(address, protocol);
    n.batch_records = Some(8);
    n.batch_timeout_ms = Some(10);
    n.timeout_ms = Some(2_000);
    n
}

fn ship(logs: &Path, n: NetConfig) -> (ShipConfig, tempfile::TempDir) {
    let state = tempfile::tempdir().unwrap();
    let mut c = dest::config(logs, state.path());
    c.net = Some(n);
    (c, state)
}

fn check_records(lines: &[String]) {
    let mut seen: Vec<u64> = lines
        .iter()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .map(|v| v["fields"]["i"].as_u64().unwrap())
        .collect();
    seen.sort();
    seen.dedup();
    assert_eq!(seen, (0..N).collect::<Vec<_>>());
}

#[test]
fn tcp_refused_then_recovering_delivers_every_record() {
    let Some(logs) = logs("tcp_refused_then_recovering_delivers_every_record") else {
        return;
    };
    // A port with nothing listening: refused, counted, retried.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let (c, _state) = ship(
        logs.path(),
        net(&format!("127.0.0.1:{port}"), Protocol::Tcp),
    );
    let handle = logger_read::ship::start(c).unwrap();
    while handle.metrics()[0].errors < 2 {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_ne!(handle.metrics()[0].state, DestinationState::Active);
    let lines = tcp_server(TcpListener::bind(("127.0.0.1", port)).unwrap());
    let m = dest::run_until(handle, Duration::from_secs(60), |m| m.records_sent >= N);
    assert_eq!(m.state, DestinationState::Active);
    assert!(m.retries >= 1 && m.abandoned == 0, "{m:?}");
    std::thread::sleep(Duration::from_millis(200));
    check_records(&lines.lock().unwrap());
}

#[test]
fn udp_cuts_a_record_larger_than_a_datagram_into_valid_json() {
    let Some(logs) = logs("udp_cuts_a_record_larger_than_a_datagram_into_valid_json") else {
        return;
    };
    let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut n = net(&sock.local_addr().unwrap().to_string(), Protocol::Udp);
    n.max_datagram_bytes = Some(4_096);
    let (c, _state) = ship(logs.path(), n);
    let m = dest::run_until(
        logger_read::ship::start(c).unwrap(),
        Duration::from_secs(30),
        |m| m.records_sent >= N,
    );
    assert_eq!(m.abandoned, 0);
    let mut lines = Vec::new();
    let mut buf = vec![0; 65_536];
    while (lines.len() as u64) < N {
        let n = sock.recv(&mut buf).expect("a datagram");
        assert!(n <= 4_096, "datagram of {n} bytes");
        lines.push(String::from_utf8(buf[..n].to_vec()).unwrap());
    }
    let cut: Vec<Value> = lines
        .iter()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|v| v.get("truncated_from_bytes").is_some())
        .collect();
    assert_eq!(cut.len(), 1);
    assert!(cut[0]["msg"].as_str().unwrap().ends_with("…[truncated]"));
    assert!(cut[0]["truncated_from_bytes"].as_u64().unwrap() > 100_000);
    assert_eq!(lines.len() as u64, N);
}

#[test]
fn tls_with_a_test_ca_and_mutual_tls() {
    let Some(logs) = logs("tls_with_a_test_ca_and_mutual_tls") else {
        return;
    };
    let certs = tempfile::tempdir().unwrap();
    let pki = dest::TestPki::new(
        certs.path(),
        &["localhost"],
        dest::now() - 60,
        dest::now() + 3600,
    );
    let (client_cert, client_key) = pki.issue(&["shipper"]);
    std::fs::write(certs.path().join("client.pem"), client_cert).unwrap();
    std::fs::write(certs.path().join("client.key"), client_key).unwrap();
    let server = tls_server(&pki.cert_pem, &pki.key_pem, Some(&pki.ca_file));
    let mut n = net(&format!("localhost:{}", server.port), Protocol::Tls);
    n.tls = Some(TlsOptions {
        ca_file: Some(pki.ca_file.clone()),
        client_cert: Some(certs.path().join("client.pem")),
        client_key: Some(certs.path().join("client.key")),
        server_name: None,
    });
    let (c, _state) = ship(logs.path(), n);
    let m = dest::run_until(
        logger_read::ship::start(c).unwrap(),
        Duration::from_secs(30),
        |m| m.records_sent >= N,
    );
    assert_eq!((m.errors, m.abandoned), (0, 0), "{m:?}");
    std::thread::sleep(Duration::from_millis(200));
    check_records(&server.lines.lock().unwrap());
    let raw = server.raw.lock().unwrap();
    assert!(
        !raw.windows(6).any(|w| w == b"record"),
        "a record crossed in clear"
    );
}

/// A bad certificate: refused, counted, never sent in clear, and after
/// `max_retries` the records are in the dead-letter file.
fn refused_certificate(test: &str, names: &[&str], not_before: i64, not_after: i64, why: &str) {
    let Some(logs) = logs(test) else {
        return;
    };
    let certs = tempfile::tempdir().unwrap();
    let pki = dest::TestPki::new(certs.path(), names, not_before, not_after);
    let server = tls_server(&pki.cert_pem, &pki.key_pem, None);
    let mut n = net(&format!("localhost:{}", server.port), Protocol::Tls);
    n.batch_records = Some(1_000);
    n.max_retries = Some(1);
    n.tls = Some(TlsOptions {
        ca_file: Some(pki.ca_file.clone()),
        ..TlsOptions::default()
    });
    let (c, state) = ship(logs.path(), n);
    let m = dest::run_until(
        logger_read::ship::start(c).unwrap(),
        Duration::from_secs(30),
        |m| m.abandoned >= N,
    );
    assert_eq!(m.records_sent, 0, "{m:?}");
    assert_eq!(m.errors, 2, "{m:?}");
    let dead = dest::dead_letters(state.path());
    assert_eq!(dead.len() as u64, N);
    let reason = dead[0]["reason"].as_str().unwrap();
    assert!(
        reason.contains("abandoned after 2 failed attempts"),
        "{reason}"
    );
    assert!(reason.contains("TLS handshake with localhost"), "{reason}");
    assert!(reason.contains(why), "{reason}");
    assert!(server.lines.lock().unwrap().is_empty());
    let raw = server.raw.lock().unwrap();
    assert!(
        !raw.windows(6).any(|w| w == b"record"),
        "a record crossed in clear"
    );
}

#[test]
fn an_expired_certificate_is_refused() {
    refused_certificate(
        "an_expired_certificate_is_refused",
        &["localhost"],
        dest::now() - 7200,
        dest::now() - 3600,
        "certificate expired",
    );
}

#[test]
fn a_certificate_for_another_host_is_refused() {
    refused_certificate(
        "a_certificate_for_another_host_is_refused",
        &["other.example"],
        dest::now() - 60,
        dest::now() + 3600,
        "certificate not valid for name \"localhost\"",
    );
}

#[test]
fn an_unresolvable_name_is_counted_and_reported() {
    let Some(logs) = logs("an_unresolvable_name_is_counted_and_reported") else {
        return;
    };
    let mut n = net("no-such-host.invalid:5170", Protocol::Tcp);
    n.max_retries = Some(0);
    n.batch_records = Some(1_000);
    let (c, state) = ship(logs.path(), n);
    let m = dest::run_until(
        logger_read::ship::start(c).unwrap(),
        Duration::from_secs(30),
        |m| m.abandoned >= N,
    );
    assert!(m.errors >= 1 && m.records_sent == 0, "{m:?}");
    let dead = dest::dead_letters(state.path());
    let reason = dead[0]["reason"].as_str().unwrap();
    assert!(
        reason.contains("cannot resolve \"no-such-host.invalid\""),
        "{reason}"
    );
}

#[test]
fn bad_configuration_names_the_key() {
    for (toml, key) in [
        (
            "[net]\naddress = \"h:0\"\nprotocol = \"tcp\"\n",
            "net.address",
        ),
        (
            "[net]\naddress = \"h:514\"\nprotocol = \"sctp\"\n",
            "unknown variant `sctp`",
        ),
        (
            "[net]\naddress = \"h:514\"\nprotocol = \"tcp\"\nbatch_records = 0\n",
            "net.batch_records",
        ),
        (
            "[net]\naddress = \"h:514\"\nprotocol = \"udp\"\nbatch_timeout_ms = 0\n",
            "net.batch_timeout_ms",
        ),
        (
            "[net]\naddress = \"h:514\"\nprotocol = \"tcp\"\n[net.tls]\nca_file = \"/x\"\n",
            "net.tls is set",
        ),
        (
            "[syslog]\naddress = \"h:514\"\nprotocol = \"tls\"\n[syslog.tls]\nca_file = \"/nonexistent.pem\"\n",
            "/nonexistent.pem",
        ),
        ("[webhook]\nurl = \"ftp://h\"\n", "webhook.url"),
        (
            "[otlp]\nendpoint = \"http://h:4318/v1/logs\"\nencoding = \"xml\"\n",
            "unknown variant `xml`",
        ),
        (
            "[otlp]\nendpoint = \"http://h:4318/v1/logs\"\nmin_level = \"LOUD\"\n",
            "otlp.min_level",
        ),
    ] {
        let text = format!("paths = [\"/tmp\"]\n{toml}");
        let e = ShipConfig::from_toml(&text, "ship.toml".as_ref())
            .unwrap_err()
            .to_string();
        assert!(e.contains("ship.toml") && e.contains(key), "{toml}: {e}");
    }
}

#[test]
fn syslog_over_tls_is_octet_counted() {
    let Some(logs) = logs("syslog_over_tls_is_octet_counted") else {
        return;
    };
    let certs = tempfile::tempdir().unwrap();
    let pki = dest::TestPki::new(
        certs.path(),
        &["localhost"],
        dest::now() - 60,
        dest::now() + 3600,
    );
    let server = tls_server(&pki.cert_pem, &pki.key_pem, None);
    let state = tempfile::tempdir().unwrap();
    let mut c = dest::config(logs.path(), state.path());
    let mut s = logger_read::ship::syslog::SyslogConfig::new(
        &format!("localhost:{}", server.port),
        Protocol::Tls,
    );
    s.tls = Some(TlsOptions {
        ca_file: Some(pki.ca_file.clone()),
        ..TlsOptions::default()
    });
    c.syslog = Some(s);
    let m = dest::run_until(
        logger_read::ship::start(c).unwrap(),
        Duration::from_secs(30),
        |m| m.records_sent >= N,
    );
    assert_eq!(m.errors, 0);
    // The connection closes when the shipper stops: the server has it all.
    let start = std::time::Instant::now();
    while server.lines.lock().unwrap().is_empty() && start.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(20));
    }
    let stream = server.lines.lock().unwrap().join("\n");
    let mut rest = stream.as_str();
    let mut frames = 0;
    while !rest.is_empty() {
        let (len, tail) = rest.split_once(' ').expect("MSG-LEN SP");
        let len: usize = len.parse().expect("a length");
        let (msg, tail) = tail.split_at(len);
        assert!(msg.starts_with('<') && msg.contains(">1 "), "{msg:.80}");
        frames += 1;
        rest = tail;
    }
    assert_eq!(frames, N);
}
