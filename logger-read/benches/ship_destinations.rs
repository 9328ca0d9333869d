//! Records/s and lag of each remote destination on loopback, and the
//! `trade!` latency on the application's thread with a shipper running
//! and without, in one run.
//!
//! `cargo bench -p logger-read --bench ship_destinations` (`SHIP_BENCH_N`
//! records per destination, default 100000).
//!
//! Each destination ships the same files from the beginning to a local
//! receiver that reads as fast as it can: a TCP and a UDP socket, a TLS
//! server (rustls, a CA made by rcgen), an HTTP server (tiny_http) for the
//! webhook and OTLP. Records/s: records delivered over the wall time from
//! the shipper's start to its last delivery (polling and batching
//! included); lag: the shipper's `lag_seconds` seen at the end.

use std::io::{BufRead, BufReader, Read};
use std::net::{TcpListener, UdpSocket};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use logger::trade;
use logger_read::ship::net::{NetConfig, Protocol};
use logger_read::ship::otlp::OtlpConfig;
use logger_read::ship::syslog::SyslogConfig;
use logger_read::ship::tls::TlsOptions;
use logger_read::ship::webhook::WebhookConfig;
use logger_read::ship::{ShipConfig, start};

fn tcp_sink() -> String {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let a = l.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        for s in l.incoming().flatten() {
            std::thread::spawn(move || for _ in BufReader::new(s).split(b'\n') {});
        }
    });
    a
}

fn udp_sink() -> String {
    let s = UdpSocket::bind("127.0.0.1:0").unwrap();
    let a = s.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        let mut buf = vec![0; 65_536];
        while s.recv(&mut buf).is_ok() {}
    });
    a
}

fn tls_sink(dir: &Path) -> (String, std::path::PathBuf) {
    let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let ca_file = dir.join("bench-ca.pem");
    std::fs::write(&ca_file, ca_cert.pem()).unwrap();
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = rcgen::CertificateParams::new(vec!["localhost".to_string()])
        .unwrap()
        .signed_by(&key, &ca_cert, &ca_key)
        .unwrap();
    let certs = vec![cert.der().clone()];
    let key = rustls::pki_types::PrivateKeyDer::try_from(key.serialize_der()).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = Arc::new(
        rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .unwrap(),
    );
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for s in l.incoming().flatten() {
            let config = config.clone();
            std::thread::spawn(move || {
                let conn = rustls::ServerConnection::new(config).unwrap();
                let mut tls = rustls::StreamOwned::new(conn, s);
                let mut buf = vec![0; 65_536];
                while matches!(tls.read(&mut buf), Ok(n) if n > 0) {}
            });
        }
    });
    (format!("localhost:{port}"), ca_file)
}

fn http_sink() -> String {
    let s = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let a = s.server_addr().to_ip().unwrap().to_string();
    std::thread::spawn(move || {
        for mut r in s.incoming_requests() {
            let mut b = Vec::new();
            let _ = r.as_reader().read_to_end(&mut b);
            let _ = r.respond(tiny_http::Response::empty(200));
        }
    });
    a
}

/// Ships `dir`'s files with `c` until `n` records went out: (records/s, lag s).
fn measure(c: ShipConfig, n: u64) -> (f64, f64) {
    let start_t = Instant::now();
    let h = start(c).unwrap();
    loop {
        let m = h.metrics()[0].clone();
        if m.records_sent + m.abandoned >= n {
            let secs = start_t.elapsed().as_secs_f64();
            let lag = m.lag_seconds;
            h.stop().unwrap();
            return (n as f64 / secs, lag);
        }
        assert!(start_t.elapsed() < Duration::from_secs(600), "stuck: {m:?}");
        std::thread::sleep(Duration::from_millis(1));
    }
}

fn base(dir: &Path, state: &Path) -> ShipConfig {
    let mut c = ShipConfig::new(vec![dir.to_owned()]);
    c.poll_interval_ms = 10;
    c.checkpoint_dir = Some(state.to_owned());
    c.dead_letter = Some(state.join("dead.jsonl"));
    c
}

/// Per-call `trade!` latency in ns (each call timed alone), percentiles.
fn trade_latency(calls: usize) -> [f64; 3] {
    let mut t = Vec::with_capacity(calls);
    for i in 0..calls {
        let s = Instant::now();
        trade!(
            symbol = "AAPL",
            side = "buy",
            qty = i as u64,
            price = 101.25,
            order_id = i as u64
        );
        t.push(s.elapsed().as_nanos() as f64);
        if i % 20 == 19 {
            // Let the flusher keep up (quill's pause between bursts).
            let w = Instant::now();
            while w.elapsed() < Duration::from_micros(200) {}
        }
    }
    t.sort_by(f64::total_cmp);
    let p = |q: f64| t[((t.len() as f64 * q) as usize).min(t.len() - 1)];
    [p(0.5), p(0.99), p(0.999)]
}

fn main() {
    if std::env::args().any(|a| a == "--list" || a == "--test") {
        return;
    }
    let n: u64 = std::env::var("SHIP_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().unwrap();
    let guard = logger::builder().dir(dir.path()).install().unwrap();
    for i in 0..n {
        log::info!(target: "bench", i, qty = i * 10, px = 1.5; "record {i}");
    }
    logger::flush().unwrap();

    println!("destination       records/s   lag at the end (s)   ({n} records, loopback)");
    let certs = tempfile::tempdir().unwrap();
    let (tls_addr, ca) = tls_sink(certs.path());
    let http = http_sink();
    type Setup = Box<dyn Fn(&mut ShipConfig)>;
    let runs: Vec<(&str, Setup)> = vec![
        (
            "net tcp",
            Box::new(|c: &mut ShipConfig| c.net = Some(NetConfig::new(&tcp_sink(), Protocol::Tcp))),
        ),
        (
            "net udp",
            Box::new(|c: &mut ShipConfig| c.net = Some(NetConfig::new(&udp_sink(), Protocol::Udp))),
        ),
        (
            "net tls",
            Box::new(move |c: &mut ShipConfig| {
                let mut x = NetConfig::new(&tls_addr, Protocol::Tls);
                x.tls = Some(TlsOptions {
                    ca_file: Some(ca.clone()),
                    ..TlsOptions::default()
                });
                c.net = Some(x);
            }),
        ),
        (
            "syslog tcp",
            Box::new(|c: &mut ShipConfig| {
                c.syslog = Some(SyslogConfig::new(&tcp_sink(), Protocol::Tcp))
            }),
        ),
        (
            "syslog udp",
            Box::new(|c: &mut ShipConfig| {
                c.syslog = Some(SyslogConfig::new(&udp_sink(), Protocol::Udp))
            }),
        ),
        ("webhook", {
            let http = http.clone();
            Box::new(move |c: &mut ShipConfig| {
                let mut w = WebhookConfig::new(&format!("http://{http}/hook"));
                w.min_level = Some("INFO".into());
                w.max_per_minute = Some(u64::MAX);
                c.webhook = Some(w);
            })
        }),
        (
            "otlp protobuf",
            Box::new(move |c: &mut ShipConfig| {
                c.otlp = Some(OtlpConfig::new(&format!("http://{http}/v1/logs")));
            }),
        ),
    ];
    for (name, set) in runs {
        let state = tempfile::tempdir().unwrap();
        let mut c = base(dir.path(), state.path());
        set(&mut c);
        let (rate, lag) = measure(c, n);
        println!("{name:<16} {rate:>10.0}   {lag:>8.3}");
    }

    // trade! on this thread, shipper off, then on (following the live files).
    let calls = 200_000;
    let off = trade_latency(calls);
    let state = tempfile::tempdir().unwrap();
    let mut c = base(dir.path(), state.path());
    c.start = logger_read::ship::StartAt::End;
    c.stems = vec!["trades".into()];
    c.net = Some(NetConfig::new(&tcp_sink(), Protocol::Tcp));
    let h = start(c).unwrap();
    let on = trade_latency(calls);
    let m = h.stop().unwrap();
    println!(
        "trade! per call (ns, Instant-timed)  p50 / p99 / p99.9: shipper off {:.0} / {:.0} / {:.0}, on {:.0} / {:.0} / {:.0} (shipped {} trade records meanwhile)",
        off[0], off[1], off[2], on[0], on[1], on[2], m[0].records_sent
    );
    drop(guard);
}
