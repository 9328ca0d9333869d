//! The PostgreSQL shipper against a bare binary `COPY` of the same rows into
//! the same tables, on a private server with default settings, in one run:
//! the bare `COPY` on one connection and on two, the shipper taking turns
//! (`pipeline = false`) and pipelined (the default); then the lag while a
//! demo-like producer logs at full speed.
//!
//! ```text
//! LOGGER_TEST_PG_BIN=/usr/lib/postgresql/15/bin LOGGER_TEST_PG_USER=postgres \
//!     cargo bench -p logger-read --bench postgres_ship
//! ```
//! (`scripts/test-all.sh` exports both; `BENCH_N` sets the iterations, default 100,000.)

#[path = "../tests/pg/mod.rs"]
mod pg;

use std::time::{Duration, Instant};

use logger_read::ship::postgres::{Layout, bench};
use logger_read::ship::{self, ShipConfig, StartAt};
use pg::*;

fn all_lines(dir: &std::path::Path) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for d in logger_read::discover(&[dir.to_owned()]).expect("discover") {
        if d.stem != "app" {
            continue;
        }
        for f in &d.files {
            let mut r = logger_read::LineReader::open(f).expect("open");
            while let Some(l) = r.next_line() {
                out.push(l.expect("line").bytes.to_vec());
            }
        }
    }
    out
}

/// CPU seconds (user + system) this process used so far.
fn own_cpu() -> f64 {
    // SAFETY: getrusage fills the struct we pass; RUSAGE_SELF is valid.
    let ru = unsafe {
        let mut ru: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_SELF, &mut ru);
        ru
    };
    let t = |tv: libc::timeval| tv.tv_sec as f64 + tv.tv_usec as f64 / 1e6;
    t(ru.ru_utime) + t(ru.ru_stime)
}

/// CPU seconds the server backends of application `logger-ship` used so far.
fn backend_cpu(url: &str) -> f64 {
    let tick = 100.0; // USER_HZ on Linux
    let pids: Vec<i32> = connect(url)
        .query(
            "SELECT pid FROM pg_stat_activity WHERE application_name = 'logger-ship'",
            &[],
        )
        .map(|rows| rows.iter().map(|r| r.get(0)).collect())
        .unwrap_or_default();
    pids.iter()
        .filter_map(|p| std::fs::read_to_string(format!("/proc/{p}/stat")).ok())
        .map(|st| {
            let f: Vec<&str> = st
                .rsplit_once(')')
                .map(|(_, r)| r)
                .unwrap_or("")
                .split_whitespace()
                .collect();
            let ut: f64 = f.get(11).and_then(|v| v.parse().ok()).unwrap_or(0.0);
            let stt: f64 = f.get(12).and_then(|v| v.parse().ok()).unwrap_or(0.0);
            (ut + stt) / tick
        })
        .sum()
}

fn count(url: &str) -> i64 {
    connect(url)
        .query_one("SELECT count(*) FROM logging.system_logs", &[])
        .map(|r| r.get(0))
        .unwrap_or(0)
}

fn main() {
    // `cargo test --benches` runs this binary without `--bench`: compile-check only.
    if !std::env::args().any(|a| a == "--bench") {
        println!("postgres_ship: run with `cargo bench` (see the file's header)");
        return;
    }
    let n: u64 = std::env::var("BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let server = PrivateServer::start();
    let tmp = tempfile::tempdir().unwrap();
    let logs = tmp.path().join("logs");
    std::fs::create_dir(&logs).unwrap();

    // The records: the demo-like workload, logged once by the real logger.
    let guard = logger::builder()
        .dir(&logs)
        .level(log::LevelFilter::Trace)
        .max_file_bytes(Some(64 << 20))
        .install()
        .unwrap();
    produce_with(&logs, n);
    let lines = all_lines(&logs);
    let bytes: usize = lines.iter().map(|l| l.len() + 1).sum();
    let rows = lines.len();
    println!(
        "workload: {rows} records, {:.1} MB in app*.log; load average {}",
        bytes as f64 / 1e6,
        load_average()
    );

    // 1. Bare binary COPY of the decoded rows, 10k-row transactions.
    let url_bare = fresh_db(&server.url, "bench_bare");
    let t = bench::bare_copy(&url_bare, &Layout::default(), &lines, 10_000);
    let bare = rows as f64 / t.as_secs_f64();
    println!(
        "bare COPY:        {rows} rows in {:.2} s = {bare:.0} rows/s",
        t.as_secs_f64()
    );

    // 1b. The same on two connections (system_logs on one, the other
    // tables on the second): what a second connection could give.
    let url_two = fresh_db(&server.url, "bench_two");
    let t = bench::bare_copy_two_connections(&url_two, &Layout::default(), &lines, 10_000);
    let two = rows as f64 / t.as_secs_f64();
    println!(
        "bare COPY, 2 connections: {rows} rows in {:.2} s = {two:.0} rows/s ({:.0}% of one)",
        t.as_secs_f64(),
        100.0 * two / bare
    );

    // 2. The shipper end to end: read, decode, route, encode, COPY,
    // checkpoint; first taking turns (read, then deliver: the shipper
    // before the reading thread), then pipelined (the default).
    let mut c = ShipConfig::postgres(vec![logs.clone()], "");
    c.batch_records = 10_000;
    c.dead_letter = Some(tmp.path().join("dead.jsonl"));
    for pipeline in [false, true] {
        c.pipeline = pipeline;
        let name = if pipeline {
            "bench_pipelined"
        } else {
            "bench_turns"
        };
        let url = fresh_db(&server.url, name);
        c.postgres.as_mut().unwrap().url = url.clone();
        let shipped = ship_all(&c, &url, rows);
        println!(
            "shipper, {}: {rows} rows = {shipped:.0} rows/s ({:.0}% of bare COPY)",
            if pipeline {
                "pipelined  "
            } else {
                "taking turns"
            },
            100.0 * shipped / bare
        );
    }
    println!("load average after: {}", load_average());

    // 3. Lag while the producer logs at full speed: ship from the end of the
    // files into a fresh database, then log another `n` iterations.
    let url_lag = fresh_db(&server.url, "bench_lag");
    c.postgres.as_mut().unwrap().url = url_lag.clone();
    let files_before = files_bytes(&logs);
    c.start = StartAt::End;
    ship::check(&c).unwrap();
    let h = ship::start(c).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let before = h.metrics()[0].records_sent;
    let t0 = Instant::now();
    let producer = std::thread::spawn({
        let logs = logs.clone();
        move || produce_with(&logs, n)
    });
    let mut max_lag_s = 0f64;
    let mut max_lag_bytes = 0u64;
    let mut over = 0u64;
    let mut produced_at = None;
    let want = before + rows as u64;
    loop {
        let m = &h.metrics()[0];
        max_lag_s = max_lag_s.max(m.lag_seconds);
        max_lag_bytes = max_lag_bytes.max(m.lag_bytes);
        // The lag can never exceed what was written since the start.
        let written = files_bytes(&logs).saturating_sub(files_before);
        if m.lag_bytes > written + (1 << 20) {
            over += 1;
        }
        if produced_at.is_none() && producer.is_finished() {
            produced_at = Some(t0.elapsed());
        }
        if m.records_sent >= want {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let done = t0.elapsed();
    let produced = produced_at.unwrap_or(done);
    h.stop().unwrap();
    println!(
        "live: producer logged {rows} records in {:.2} s ({:.0}/s); all loaded {:.2} s after the start \
         ({:.2} s after the producer finished); max lag {max_lag_s:.2} s, {:.1} MB \
         ({over} samples above the bytes written since the start)",
        produced.as_secs_f64(),
        rows as f64 / produced.as_secs_f64(),
        done.as_secs_f64(),
        done.saturating_sub(produced).as_secs_f64(),
        max_lag_bytes as f64 / 1e6
    );
    drop(guard);
    println!("load average at the end: {}", load_average());
}

/// `/proc/loadavg`'s first three fields.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// Plain bytes of every `app` file in `dir`, the unit of `lag_bytes` (a
/// `.gz` by its gzip trailer's uncompressed length; this bench does not
/// compress, so there are none unless that changes).
fn files_bytes(dir: &std::path::Path) -> u64 {
    use std::io::{Read, Seek, SeekFrom};
    let plain_len = |p: &std::path::Path| -> Option<u64> {
        if !p.to_string_lossy().ends_with(".gz") {
            return std::fs::metadata(p).ok().map(|m| m.len());
        }
        let mut f = std::fs::File::open(p).ok()?;
        let mut isize = [0u8; 4];
        f.seek(SeekFrom::End(-4)).ok()?;
        f.read_exact(&mut isize).ok()?;
        Some(u64::from(u32::from_le_bytes(isize)))
    };
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .filter(|e| e.file_name().to_string_lossy().starts_with("app"))
                .filter_map(|e| plain_len(&e.path()))
                .sum()
        })
        .unwrap_or(0)
}

/// Ships every record of `c`'s files into the fresh database at `url`;
/// returns rows/s and prints where the time went.
fn ship_all(c: &ShipConfig, url: &str, rows: usize) -> f64 {
    // Tables first, so that the run times loading only.
    ship::check(c).unwrap();
    let cpu0 = own_cpu();
    let start = Instant::now();
    let h = ship::start(c.clone()).unwrap();
    let mut server_cpu = 0.0;
    let mut sampled = Instant::now();
    while h.metrics()[0].records_sent < rows as u64 {
        // The backend's CPU time, read from /proc twice a second (a query
        // needs a connection of its own: not more often).
        if sampled.elapsed() >= Duration::from_millis(500) {
            server_cpu = backend_cpu(url).max(server_cpu);
            sampled = Instant::now();
        }
        assert!(!h.is_finished(), "the shipper stopped: {:?}", h.metrics());
        std::thread::sleep(Duration::from_millis(5));
    }
    server_cpu = backend_cpu(url).max(server_cpu);
    let t = start.elapsed();
    let client_cpu = own_cpu() - cpu0;
    println!(
        "  {:.2} s wall; shipper process {client_cpu:.2} s CPU (read, decode, route, encode); \
         server backend {server_cpu:.2} s CPU (parse, index, WAL)",
        t.as_secs_f64()
    );
    let metrics = h.stop().unwrap();
    check_loaded(url, rows, &metrics);
    rows as f64 / t.as_secs_f64()
}

/// Panics unless `url`'s `system_logs` holds exactly `rows` rows.
fn check_loaded(url: &str, rows: usize, metrics: &[ship::MetricsSnapshot]) {
    let loaded = count(url);
    if loaded != rows as i64 {
        panic!("{loaded} rows loaded for {rows} records; metrics {metrics:?}");
    }
}

/// `n` iterations of the workload into the installed logger.
fn produce_with(_dir: &std::path::Path, n: u64) {
    workload_iterations(n, 0);
    logger::flush().unwrap();
}
