//! Records/s and lag of each remote destination on loopback, and the
//! `trade!` latency on the application's thread with a shipper running
//! and without, in one run.
//!
//! `cargo bench -p logger-read --bench ship_destinations` (`SHIP_BENCH_N`
//! records per destination, default 100000; `SHIP_BENCH_LIVE` records
//! logged live, default 20000, at `SHIP_BENCH_RATE` records/s, default 20000).
//!
//! Each destination ships to a local receiver that reads as fast as it
//! can: a TCP and a UDP socket, a TLS server (rustls, a CA made by rcgen),
//! an HTTP server (tiny_http) for the webhook and OTLP.
//! - Records/s: the same files shipped from the beginning; records
//!   delivered over the wall time from the shipper's start to its last
//!   delivery (polling and batching included).
//! - Lag: the shipper follows the end of the files while this process logs
//!   `SHIP_BENCH_LIVE` records at a steady rate; the receiver takes each
//!   record's time (`ts` in JSON, the RFC 5424 TIMESTAMP, OTLP's
//!   `time_unix_nano`) from the clock at its arrival: p50 and p99 of that
//!   write-to-arrival time, with each destination's default batching.

use std::io::{BufRead, BufReader, Read};
use std::net::{TcpListener, UdpSocket};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use logger::trade;
use logger_read::ship::net::{NetConfig, Protocol};
use logger_read::ship::otlp::OtlpConfig;
use logger_read::ship::syslog::SyslogConfig;
use logger_read::ship::tls::TlsOptions;
use logger_read::ship::webhook::WebhookConfig;
use logger_read::ship::{ShipConfig, start};

/// Write-to-arrival times of the records a receiver got.
struct Arrivals {
    micros: Mutex<hdrhistogram::Histogram<u64>>,
    count: AtomicU64,
}

impl Arrivals {
    fn new() -> Arc<Self> {
        Arc::new(Self {
            micros: Mutex::new(
                hdrhistogram::Histogram::new_with_bounds(1, 3_600_000_000, 3).unwrap(),
            ),
            count: AtomicU64::new(0),
        })
    }

    /// One record written at `ts` (RFC 3339) arrived now.
    fn arrived(&self, ts: &str) {
        let Ok(t) = chrono::DateTime::parse_from_rfc3339(ts) else {
            return;
        };
        let Some(written) = t.timestamp_nanos_opt() else {
            return;
        };
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_nanos() as i64;
        let us = (now - written).max(0) as u64 / 1_000;
        self.micros.lock().unwrap().saturating_record(us);
        self.count.fetch_add(1, Ordering::Relaxed);
    }

    /// Every JSON record (`"ts":"..."`) in `bytes`.
    fn json(&self, bytes: &[u8]) {
        let text = String::from_utf8_lossy(bytes);
        for part in text.split("\"ts\":\"").skip(1) {
            if let Some(ts) = part.split('"').next() {
                self.arrived(ts);
            }
        }
    }

    /// One RFC 5424 message: `<PRI>1 TIMESTAMP ...`.
    fn syslog(&self, msg: &[u8]) {
        let text = String::from_utf8_lossy(msg);
        if let Some(ts) = text
            .split_once(">1 ")
            .and_then(|(_, r)| r.split(' ').next())
        {
            self.arrived(ts);
        }
    }

    /// An OTLP/HTTP protobuf request.
    fn otlp(&self, body: &[u8]) {
        use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
        use prost::Message;
        let Ok(req) = ExportLogsServiceRequest::decode(body) else {
            return;
        };
        for r in req
            .resource_logs
            .iter()
            .flat_map(|r| &r.scope_logs)
            .flat_map(|s| &s.log_records)
        {
            let t = chrono::DateTime::from_timestamp_nanos(r.time_unix_nano as i64);
            self.arrived(&t.to_rfc3339());
        }
    }

    /// (records, p50 ms, p99 ms).
    fn summary(&self) -> (u64, f64, f64) {
        let h = self.micros.lock().unwrap();
        (
            self.count.load(Ordering::Relaxed),
            h.value_at_quantile(0.5) as f64 / 1e3,
            h.value_at_quantile(0.99) as f64 / 1e3,
        )
    }
}

/// How a stream receiver cuts messages.
#[derive(Clone, Copy)]
enum Framing {
    /// JSON lines.
    Lines,
    /// RFC 6587 octet counting (`LEN SP MSG`), for syslog.
    OctetCounted,
}

fn read_stream(s: impl Read, framing: Framing, at: &Arrivals) {
    match framing {
        Framing::Lines => {
            for l in BufReader::new(s).split(b'\n').map_while(Result::ok) {
                at.json(&l);
            }
        }
        Framing::OctetCounted => {
            let mut r = BufReader::new(s);
            let mut len = Vec::new();
            while matches!(r.read_until(b' ', &mut len), Ok(n) if n > 0) {
                let n: usize = String::from_utf8_lossy(&len).trim().parse().unwrap_or(0);
                let mut msg = vec![0; n];
                if r.read_exact(&mut msg).is_err() {
                    return;
                }
                at.syslog(&msg);
                len.clear();
            }
        }
    }
}

fn tcp_sink(framing: Framing, at: Arc<Arrivals>) -> String {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let a = l.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        for s in l.incoming().flatten() {
            let at = at.clone();
            std::thread::spawn(move || read_stream(s, framing, &at));
        }
    });
    a
}

fn udp_sink(framing: Framing, at: Arc<Arrivals>) -> String {
    let s = UdpSocket::bind("127.0.0.1:0").unwrap();
    let a = s.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        let mut buf = vec![0; 65_536];
        while let Ok(n) = s.recv(&mut buf) {
            match framing {
                Framing::Lines => at.json(&buf[..n]),
                Framing::OctetCounted => at.syslog(&buf[..n]),
            }
        }
    });
    a
}

fn tls_sink(dir: &Path, at: Arc<Arrivals>) -> (String, std::path::PathBuf) {
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
            let at = at.clone();
            std::thread::spawn(move || {
                let conn = rustls::ServerConnection::new(config).unwrap();
                read_stream(rustls::StreamOwned::new(conn, s), Framing::Lines, &at);
            });
        }
    });
    (format!("localhost:{port}"), ca_file)
}

fn http_sink(otlp: bool, at: Arc<Arrivals>) -> String {
    let s = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let a = s.server_addr().to_ip().unwrap().to_string();
    std::thread::spawn(move || {
        for mut r in s.incoming_requests() {
            let mut b = Vec::new();
            let _ = r.as_reader().read_to_end(&mut b);
            if otlp {
                at.otlp(&b);
            } else {
                at.json(&b);
            }
            let _ = r.respond(tiny_http::Response::empty(200));
        }
    });
    a
}

/// Ships `dir`'s files with `c` until `n` records went out: records/s.
fn measure(c: ShipConfig, n: u64) -> f64 {
    let start_t = Instant::now();
    let h = start(c).unwrap();
    loop {
        let m = h.metrics()[0].clone();
        if m.records_sent + m.abandoned >= n {
            let secs = start_t.elapsed().as_secs_f64();
            h.stop().unwrap();
            return n as f64 / secs;
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
    let n: u64 = env_or("SHIP_BENCH_N", 100_000);
    let dir = tempfile::tempdir().unwrap();
    // The system clock: the receivers compare each record's `ts` with
    // their own reading of it.
    let guard = logger::builder()
        .dir(dir.path())
        .clock(logger::ClockSource::System)
        .install()
        .unwrap();
    for i in 0..n {
        log::info!(target: "bench", i, qty = i * 10, px = 1.5; "record {i}");
    }
    logger::flush().unwrap();

    let live: u64 = env_or("SHIP_BENCH_LIVE", 20_000);
    let rate: u64 = env_or("SHIP_BENCH_RATE", 20_000);
    println!(
        "load average before: {}; {n} records shipped from the files, then {live} logged live at {rate}/s",
        load_average()
    );
    println!("destination      records/s   live: received   lag p50 (ms)   lag p99 (ms)");
    let certs = tempfile::tempdir().unwrap();
    type Setup = Box<dyn Fn(&mut ShipConfig, Arc<Arrivals>)>;
    let tls_dir = certs.path().to_owned();
    let runs: Vec<(&str, Setup)> = vec![
        (
            "net tcp",
            Box::new(|c: &mut ShipConfig, at| {
                c.net = Some(NetConfig::new(&tcp_sink(Framing::Lines, at), Protocol::Tcp))
            }),
        ),
        (
            "net udp",
            Box::new(|c: &mut ShipConfig, at| {
                c.net = Some(NetConfig::new(&udp_sink(Framing::Lines, at), Protocol::Udp))
            }),
        ),
        (
            "net tls",
            Box::new(move |c: &mut ShipConfig, at| {
                let (addr, ca) = tls_sink(&tls_dir, at);
                let mut x = NetConfig::new(&addr, Protocol::Tls);
                x.tls = Some(TlsOptions {
                    ca_file: Some(ca),
                    ..TlsOptions::default()
                });
                c.net = Some(x);
            }),
        ),
        (
            "syslog tcp",
            Box::new(|c: &mut ShipConfig, at| {
                c.syslog = Some(SyslogConfig::new(
                    &tcp_sink(Framing::OctetCounted, at),
                    Protocol::Tcp,
                ))
            }),
        ),
        (
            "syslog udp",
            Box::new(|c: &mut ShipConfig, at| {
                c.syslog = Some(SyslogConfig::new(
                    &udp_sink(Framing::OctetCounted, at),
                    Protocol::Udp,
                ))
            }),
        ),
        (
            "webhook",
            Box::new(|c: &mut ShipConfig, at| {
                let http = http_sink(false, at);
                let mut w = WebhookConfig::new(&format!("http://{http}/hook"));
                w.min_level = Some("INFO".into());
                w.max_per_minute = Some(u64::MAX);
                c.webhook = Some(w);
            }),
        ),
        (
            "otlp protobuf",
            Box::new(|c: &mut ShipConfig, at| {
                let http = http_sink(true, at);
                c.otlp = Some(OtlpConfig::new(&format!("http://{http}/v1/logs")));
            }),
        ),
    ];
    for (name, set) in runs {
        let state = tempfile::tempdir().unwrap();
        let mut c = base(dir.path(), state.path());
        set(&mut c, Arrivals::new());
        let records_s = measure(c, n);

        // Live: follow the end of the files while this thread logs.
        let state = tempfile::tempdir().unwrap();
        let mut c = base(dir.path(), state.path());
        c.start = logger_read::ship::StartAt::End;
        let at = Arrivals::new();
        set(&mut c, at.clone());
        let h = start(c).unwrap();
        // It has found the end of the files once it saved that position.
        let t = Instant::now();
        while std::fs::read_dir(state.path()).unwrap().flatten().all(|e| {
            !e.file_name()
                .to_string_lossy()
                .ends_with(".checkpoint.json")
        }) {
            assert!(
                t.elapsed() < Duration::from_secs(30),
                "{name}: no checkpoint"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        let t0 = Instant::now();
        for i in 0..live {
            log::info!(target: "bench", i, qty = i * 10, px = 1.5; "live {i}");
            // Steady rate: wait for record i's slot.
            let due = Duration::from_secs_f64((i + 1) as f64 / rate as f64);
            while t0.elapsed() < due {
                std::thread::sleep(Duration::from_micros(200));
            }
        }
        logger::flush().unwrap();
        let t = Instant::now();
        while at.count.load(Ordering::Relaxed) < live && t.elapsed() < Duration::from_secs(30) {
            std::thread::sleep(Duration::from_millis(5));
        }
        h.stop().unwrap();
        let (got, p50, p99) = at.summary();
        println!("{name:<16} {records_s:>9.0}   {got:>14}   {p50:>12.1}   {p99:>12.1}");
    }
    println!("load average after: {}", load_average());

    // trade! on this thread, shipper off, then on (following the live files).
    let calls = 200_000;
    let off = trade_latency(calls);
    let state = tempfile::tempdir().unwrap();
    let mut c = base(dir.path(), state.path());
    c.start = logger_read::ship::StartAt::End;
    c.stems = vec!["trades".into()];
    c.net = Some(NetConfig::new(
        &tcp_sink(Framing::Lines, Arrivals::new()),
        Protocol::Tcp,
    ));
    let h = start(c).unwrap();
    let on = trade_latency(calls);
    let m = h.stop().unwrap();
    println!(
        "trade! per call (ns, Instant-timed)  p50 / p99 / p99.9: shipper off {:.0} / {:.0} / {:.0}, on {:.0} / {:.0} / {:.0} (shipped {} trade records meanwhile)",
        off[0], off[1], off[2], on[0], on[1], on[2], m[0].records_sent
    );
    drop(guard);
}

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// `/proc/loadavg`'s first three fields.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}
