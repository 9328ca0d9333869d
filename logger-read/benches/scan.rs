//! Scan throughput of the reader, in MB/s of file read, over a large file
//! of records in the writer's exact schema (demo-like: several services and
//! threads, trades and perf records, correlation ids, bound context).
//!
//! `cargo bench -p logger-read --bench scan` (file size in MB:
//! `LOGGER_READ_BENCH_MB`, default 200; the file is generated once under
//! `target/bench-data/`). Under `cargo test --benches` it runs on 2 MB as a
//! smoke test. Each case reads the file from the page cache (one warm-up
//! read first), single-threaded, and prints the best of 5 runs by wall time
//! and by CPU time of the thread.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use logger_read::{Level, LineReader, Merge, Prefilter, RecordView, discover};

/// A tiny deterministic generator (xorshift), so the file is the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

const SERVICES: [&str; 4] = ["execution", "risk", "marketdata", "strategy"];
const SYMBOLS: [&str; 5] = ["AAPL", "MSFT", "ESZ6", "EURUSD", "BTC-USD"];
const OPS: [&str; 3] = ["risk_check", "send_order", "price_update"];

/// Writes `mb` MB of records to `path`.
fn generate(path: &Path, mb: u64) {
    let mut w = BufWriter::with_capacity(1 << 20, File::create(path).unwrap());
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut ns: u64 = 1_795_257_045_000_000_000;
    let mut written = 0u64;
    let mut i = 0u64;
    while written < mb * 1_000_000 {
        i += 1;
        ns += 1 + rng.next() % 20_000;
        let (secs, frac) = (ns / 1_000_000_000, ns % 1_000_000_000);
        let (sod, days) = (secs % 86_400, secs / 86_400);
        // 2026-11-21 is day 20_778 after the epoch; keep within that day range.
        let day = 21 + (days - 20_778).min(8);
        let ts = format!(
            "2026-11-{day:02}T{:02}:{:02}:{:02}.{frac:09}Z",
            sod / 3600,
            sod % 3600 / 60,
            sod % 60
        );
        let r = rng.next();
        let svc = SERVICES[(r % 4) as usize];
        let thread = r % 6;
        let level = match r % 1000 {
            0..=4 => "ERROR",
            5..=39 => "WARN",
            40..=299 => "DEBUG",
            _ => "INFO",
        };
        let corr = if r % 3 == 0 {
            String::new()
        } else {
            format!(",\"correlation_id\":{}", 70_000 + i / 8)
        };
        let line = match (r >> 20) % 10 {
            0 => {
                let sym = SYMBOLS[(r >> 8) as usize % 5];
                format!(
                    r#"{{"ts":"{ts}","level":"INFO","kind":"trade","target":"{svc}::orders","service":"{svc}","msg":"fill","module":"demo","file":"examples/examples/demo.rs","line":131,"function":"run_strategy","thread":"strategy-{thread}","tid":{},"pid":10278,"host":"vm"{corr},"context":{{"strategy":"mm{thread}"}},"fields":{{"symbol":"{sym}","side":"BUY","qty":{},"price":{}.25,"order_id":{i},"venue":"XNAS"}}}}"#,
                    10_280 + thread,
                    100 + r % 900,
                    100 + (r >> 12) % 400
                )
            }
            1 | 2 => {
                let op = OPS[(r >> 8) as usize % 3];
                format!(
                    r#"{{"ts":"{ts}","level":"DEBUG","kind":"perf","target":"{svc}::timing","service":"{svc}","msg":"{op}","module":"demo","file":"examples/examples/demo.rs","line":88,"function":"{op}","thread":"strategy-{thread}","tid":{},"pid":10278,"host":"vm"{corr},"fields":{{"operation":"{op}","elapsed_ns":{},"outcome":"ok"}}}}"#,
                    10_280 + thread,
                    2_000 + (r >> 16) % 90_000
                )
            }
            _ => format!(
                r#"{{"ts":"{ts}","level":"{level}","kind":"log","target":"{svc}::engine","service":"{svc}","msg":"order {i} state changed to \"acked\" after {} us","module":"demo","file":"examples/examples/demo.rs","line":172,"thread":"strategy-{thread}","tid":{},"pid":10278,"host":"vm"{corr},"context":{{"strategy":"mm{thread}"}},"fields":{{"order_id":{i},"reason":"venue ack"}}}}"#,
                r % 500,
                10_280 + thread
            ),
        };
        w.write_all(line.as_bytes()).unwrap();
        w.write_all(b"\n").unwrap();
        written += line.len() as u64 + 1;
    }
    w.flush().unwrap();
}

/// CPU time of this thread, in seconds: on a machine shared with other
/// work, MB per CPU-second says what the code costs; wall time says what a
/// user waited.
fn thread_cpu_secs() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec through a valid pointer.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9
}

/// Runs `f` `runs` times over the file; prints the best MB/s by wall time
/// and by CPU time, and `f`'s count.
fn case(name: &str, bytes: u64, runs: usize, f: impl Fn() -> u64) {
    let (mut wall, mut cpu) = (f64::MAX, f64::MAX);
    let mut count = 0;
    for _ in 0..runs {
        let (t, c) = (Instant::now(), thread_cpu_secs());
        count = std::hint::black_box(f());
        wall = wall.min(t.elapsed().as_secs_f64());
        cpu = cpu.min(thread_cpu_secs() - c);
    }
    println!(
        "{name:<48} {:>6.0} MB/s wall {:>6.0} MB/s CPU  {count} matched",
        bytes as f64 / wall / 1e6,
        bytes as f64 / cpu / 1e6,
    );
}

fn main() {
    let bench = std::env::args().any(|a| a == "--bench");
    let mb: u64 = if bench {
        std::env::var("LOGGER_READ_BENCH_MB")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(200)
    } else {
        2
    };
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/bench-data");
    std::fs::create_dir_all(&dir).unwrap();
    let sub = dir.join(format!("scan-{mb}mb"));
    std::fs::create_dir_all(&sub).unwrap();
    let path = sub.join("app.log");
    if std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0) < mb * 1_000_000 {
        generate(&path, mb);
    }
    let bytes = std::fs::metadata(&path).unwrap().len();
    let runs = if bench { 5 } else { 1 };
    println!("file: {} ({:.0} MB)", path.display(), bytes as f64 / 1e6);

    let lines = || {
        let mut r = LineReader::open_path(&path).unwrap();
        let mut n = 0;
        while let Some(l) = r.next_line() {
            l.unwrap();
            n += 1;
        }
        n
    };
    lines(); // warm the page cache
    case("count lines (LineReader)", bytes, runs, lines);

    let filtered = |f: Prefilter| {
        let mut r = LineReader::open_path(&path).unwrap();
        let mut n = 0;
        while let Some(l) = r.next_line() {
            let l = l.unwrap();
            if f.might_match(l.bytes) && f.matches(l.bytes) {
                n += 1;
            }
        }
        n
    };
    case(
        "level >= ERROR (Prefilter, view on matches)",
        bytes,
        runs,
        || filtered(Prefilter::new().min_level(Level::Error)),
    );
    case("correlation_id == 70100 (Prefilter)", bytes, runs, || {
        filtered(Prefilter::new().correlation_id("70100"))
    });
    case("kind == trade (Prefilter)", bytes, runs, || {
        filtered(Prefilter::new().kind("trade"))
    });

    let dests = discover(std::slice::from_ref(&sub)).unwrap();
    case(
        "Merge + prefilter level >= ERROR (cat path)",
        bytes,
        runs,
        || {
            let mut m =
                Merge::new(dests.clone()).prefilter(Prefilter::new().min_level(Level::Error));
            let mut n = 0;
            while let Some(l) = m.next_line() {
                l.unwrap();
                n += 1;
            }
            n
        },
    );
    case(
        "Merge, every line with its ts (cat, no filter)",
        bytes,
        runs,
        || {
            let mut m = Merge::new(dests.clone());
            let mut n = 0;
            while let Some(l) = m.next_line() {
                l.unwrap();
                n += 1;
            }
            n
        },
    );
    case("RecordView of every line (head keys)", bytes, runs, || {
        let mut r = LineReader::open_path(&path).unwrap();
        let mut n = 0;
        while let Some(l) = r.next_line() {
            let v = RecordView::parse(l.unwrap().bytes).unwrap();
            n += u64::from(v.level() >= Level::Warn);
        }
        n
    });
    case(
        "perf fields.elapsed_ns via get (stats path)",
        bytes,
        runs,
        || {
            let f = Prefilter::new().kind("perf");
            let mut r = LineReader::open_path(&path).unwrap();
            let mut sum = 0;
            while let Some(l) = r.next_line() {
                let l = l.unwrap();
                if f.might_match(l.bytes) {
                    let v = RecordView::parse(l.bytes).unwrap();
                    sum += v
                        .get("fields.elapsed_ns")
                        .and_then(|x| x.as_u64())
                        .unwrap_or(0)
                        / 1000;
                    let _ = v.function();
                }
            }
            sum
        },
    );
    let gz = sub.join("gz").join("app.20261121T000000.000.log.gz");
    if !gz.exists() {
        std::fs::create_dir_all(gz.parent().unwrap()).unwrap();
        let mut enc = flate2::write::GzEncoder::new(
            BufWriter::new(File::create(&gz).unwrap()),
            flate2::Compression::fast(),
        );
        std::io::copy(&mut File::open(&path).unwrap(), &mut enc).unwrap();
        enc.finish().unwrap().flush().unwrap();
    }
    case(
        "count lines, same file gzip'ed (MB uncompressed)",
        bytes,
        runs,
        || {
            let mut r = LineReader::open_path(&gz).unwrap();
            let mut n = 0;
            while let Some(l) = r.next_line() {
                l.unwrap();
                n += 1;
            }
            n
        },
    );
    case(
        "full serde_json::Value parse of every line",
        bytes,
        runs,
        || {
            let mut r = LineReader::open_path(&path).unwrap();
            let mut n = 0;
            while let Some(l) = r.next_line() {
                let v: serde_json::Value = serde_json::from_slice(l.unwrap().bytes).unwrap();
                n += u64::from(v["level"] == "ERROR");
            }
            n
        },
    );
}
