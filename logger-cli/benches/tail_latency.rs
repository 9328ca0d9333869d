//! How long after `logger::flush()` returns `logger tail -f` prints the
//! record: p50, p90, p99 and max over `TAIL_BENCH_RECORDS` records (default
//! 400), one at a time, at random gaps of 5-45 ms (so that a record lands
//! anywhere in the follower's wait), with the default poll interval.
//!
//! ```text
//! cargo bench -p logger-cli --bench tail_latency
//! TAIL_BENCH_RECORDS=1000 TAIL_BENCH_ARGS="--poll-ms 5" cargo bench -p logger-cli --bench tail_latency
//! TAIL_BENCH_LOGGER=/path/to/an/older/logger cargo bench -p logger-cli --bench tail_latency
//! ```
//!
//! This process installs the logger (files in a temporary directory) and
//! runs the real `logger tail -f --output json DIR`; a thread reads its
//! stdout and stamps each line as it arrives. The latency of a record is
//! its arrival minus the instant its `flush()` returned.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;

/// `logger tail -f`, killed at the end.
struct Tail(Child);

impl Drop for Tail {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The `seq` field of a JSON line printed by the tail.
fn seq_of(line: &str) -> Option<u64> {
    let v: serde_json::Value = serde_json::from_str(line).ok()?;
    v["fields"]["seq"].as_u64()
}

fn start_tail(dir: &std::path::Path, extra: &[String]) -> (Tail, Receiver<(Instant, u64)>) {
    // TAIL_BENCH_LOGGER: another build of `logger` to measure (a "before").
    let bin = std::env::var("TAIL_BENCH_LOGGER")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_logger").to_string());
    let mut child = Command::new(bin)
        .args(["tail", "-f", "-n", "0", "--output", "json"])
        .args(extra)
        .arg(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start logger tail -f");
    let out = child.stdout.take().expect("piped stdout");
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines() {
            let Ok(line) = line else { break };
            let at = Instant::now();
            if let Some(seq) = seq_of(&line) {
                if tx.send((at, seq)).is_err() {
                    break;
                }
            }
        }
    });
    (Tail(child), rx)
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` runs it once, briefly.
    let quick = !std::env::args().any(|a| a == "--bench");
    let records: u64 = std::env::var("TAIL_BENCH_RECORDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if quick { 20 } else { 400 });
    let extra: Vec<String> = std::env::var("TAIL_BENCH_ARGS")
        .map(|a| a.split_whitespace().map(String::from).collect())
        .unwrap_or_default();
    let dir = tempfile::tempdir().expect("temporary directory");
    let _guard = logger::builder()
        .dir(dir.path())
        .install()
        .expect("install the logger");
    let (tail, rx) = start_tail(dir.path(), &extra);

    // Warm-up: the tail places itself at the end of the files at its first
    // poll, so records before that are not shown: log until one arrives.
    let mut warm = u64::MAX;
    loop {
        log::info!(seq = warm; "warm-up");
        logger::flush().expect("flush");
        if rx.recv_timeout(Duration::from_millis(200)).is_ok() {
            break;
        }
        warm -= 1;
        assert!(
            u64::MAX - warm < 100,
            "logger tail -f printed nothing in 20 s"
        );
    }
    while rx.recv_timeout(Duration::from_millis(100)).is_ok() {}

    let mut hist = Histogram::<u64>::new(3).expect("histogram");
    // xorshift64: the gaps need not be good random numbers, only spread.
    let mut rng = 0x9e37_79b9_7f4a_7c15u64;
    for seq in 0..records {
        log::info!(seq = seq; "tail latency probe {seq}");
        logger::flush().expect("flush");
        let t0 = Instant::now();
        let (at, got) = rx
            .recv_timeout(Duration::from_secs(10))
            .unwrap_or_else(|_| panic!("record {seq} not printed within 10 s"));
        assert_eq!(got, seq, "records arrive in order, each once");
        hist.record(at.duration_since(t0).as_micros().max(1) as u64)
            .expect("in range");
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        std::thread::sleep(Duration::from_micros(5_000 + rng % 40_000));
    }
    drop(tail);
    let ms = |q: f64| hist.value_at_quantile(q) as f64 / 1000.0;
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "logger tail -f {}: {} records, flush() -> printed: p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms (load average {})",
        extra.join(" "),
        hist.len(),
        ms(0.5),
        ms(0.9),
        ms(0.99),
        hist.max() as f64 / 1000.0,
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
}
