//! Shared by the CLI's integration tests: log directories written by the
//! real library (in a child process, since the logger installs once per
//! process), an independent reading of them, and running the real binary.
#![allow(dead_code)]

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use logger::{Loggable, log_performance, perf, trade};
use serde_json::Value;

/// Orders each writer process logs.
pub const ORDERS: u64 = 200;
/// Symbols, sides and venues cycle through these.
pub const SYMBOLS: [&str; 3] = ["AAPL", "MSFT", "NVDA"];
/// Venues of the trades.
pub const VENUES: [&str; 2] = ["XNAS", "ARCX"];

const CHILD_VAR: &str = "LOGGER_CLI_TEST_WRITER";
const DIR_VAR: &str = "LOGGER_CLI_TEST_DIR";

#[derive(Loggable, Clone, Copy)]
#[loggable(rename_all = "UPPERCASE")]
enum Side {
    Buy,
    Sell,
}

#[derive(Debug)]
struct Reject;

impl std::fmt::Display for Reject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("price band")
    }
}

#[log_performance(name = "send_order", args(order_id))]
fn send_order(order_id: u64) -> Result<u64, Reject> {
    if order_id % 10 == 9 {
        Err(Reject)
    } else {
        Ok(order_id)
    }
}

/// What the child writes: every record kind and level, correlation ids
/// `<tag>-<i>`, a bound context, small files so that they rotate, gzip.
fn write_session(dir: &Path, tag: &str) {
    let guard = logger::builder()
        .dir(dir)
        .level(log::LevelFilter::Trace)
        .max_file_bytes(Some(24 << 10))
        .window_bytes(64 << 10)
        .compress(true)
        .service("risk", "risk-engine")
        .install()
        .expect("install");
    log::info!(target: "session", tag = tag; "session starting");
    log::trace!(target: "session", "trace detail");
    log::debug!(target: "session", "debug detail");
    for i in 0..ORDERS {
        let id = format!("{tag}-{i}");
        let _corr = logger::correlation(id.as_str());
        let _cx = logger::bind!(strategy = "mm1");
        let symbol = SYMBOLS[(i % 3) as usize];
        let side = if i % 2 == 0 { Side::Buy } else { Side::Sell };
        let qty = 100 + (i % 5) * 100;
        log::info!(target: "strategy", order_id = i, qty = qty; "order placed");
        perf!("risk_check", Duration::from_nanos(1_000 + i * 10));
        let _ = send_order(i);
        trade!(symbol = symbol, side, qty, price = 10.0 + i as f64, venue = VENUES[(i % 2) as usize]; "filled {} {}", qty, symbol);
        if i % 50 == 49 {
            log::error!(target: "risk::limits", order_id = i; "exposure limit breached");
        }
        if i % 40 == 39 {
            log::warn!(target: "execution::orders", order_id = i; "order rejected");
        }
        if i % 20 == 19 {
            // Spread the session over several milliseconds, so that rotations
            // get different names (a rotated name is the rotating record's ms).
            std::thread::sleep(Duration::from_millis(2));
        }
    }
    log::info!(target: "session", "session finished");
    logger::flush().expect("flush");
    // Wait (bounded) for the housekeeper to gzip a rotated file of app.
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline && !has_gz(dir, "app") {
        std::thread::sleep(Duration::from_millis(20));
    }
    drop(guard);
}

fn has_gz(dir: &Path, stem: &str) -> bool {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok).any(|e| {
                let n = e.file_name().to_string_lossy().into_owned();
                n.starts_with(&format!("{stem}.")) && n.ends_with(".log.gz")
            })
        })
        .unwrap_or(false)
}

/// The child's body: a no-op unless the test binary was started as a writer.
/// Every test file calls it from a test named `child_writer`.
pub fn child_main() {
    if let (Ok(tag), Ok(dir)) = (std::env::var(CHILD_VAR), std::env::var(DIR_VAR)) {
        write_session(Path::new(&dir), &tag);
    }
}

/// Writes a session tagged `tag` into a new temporary directory, in a child process.
pub fn write_logs(tag: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write_logs_into(dir.path(), tag);
    dir
}

/// Writes a session tagged `tag` into `dir`, in a child process.
pub fn write_logs_into(dir: &Path, tag: &str) {
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["child_writer", "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_VAR, tag)
        .env(DIR_VAR, dir)
        .env_remove("RUST_LOG")
        .env_remove("LOGGER_LEVEL")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "writer child failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        has_gz(dir, "app"),
        "the writer left no gzip'ed rotated app file"
    );
}

/// The files of destination `stem` in `dir`, rotated (by name) then active.
pub fn files_of(dir: &Path, stem: &str) -> Vec<PathBuf> {
    let mut rotated: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy().into_owned();
            n.starts_with(&format!("{stem}."))
                && n.as_bytes()
                    .get(stem.len() + 1)
                    .is_some_and(u8::is_ascii_digit)
        })
        .collect();
    rotated.sort();
    let active = dir.join(format!("{stem}.log"));
    if active.exists() {
        rotated.push(active);
    }
    rotated
}

/// Every line of destination `stem`, decompressed, NUL padding dropped,
/// read without the reader under test.
pub fn lines_of(dir: &Path, stem: &str) -> Vec<String> {
    let mut out = Vec::new();
    for p in files_of(dir, stem) {
        let raw = std::fs::read(&p).unwrap();
        let bytes = if p.extension().is_some_and(|e| e == "gz") {
            let mut v = Vec::new();
            flate2::read::GzDecoder::new(&raw[..])
                .read_to_end(&mut v)
                .unwrap();
            v
        } else {
            raw
        };
        let text = String::from_utf8(bytes).unwrap();
        out.extend(text.trim_end_matches('\0').lines().map(String::from));
    }
    out
}

/// The records of destination `stem`, parsed.
pub fn records_of(dir: &Path, stem: &str) -> Vec<Value> {
    lines_of(dir, stem)
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Runs the real `logger` binary with `args` (NO_COLOR unset, no terminal).
pub fn cli(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_logger"))
        .args(args)
        .env_remove("NO_COLOR")
        .output()
        .unwrap()
}

/// stdout as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

/// stderr as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `p` as a `&str` argument.
pub fn arg(p: &Path) -> &str {
    p.to_str().unwrap()
}
