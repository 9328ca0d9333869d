//! Helpers of the reader's integration tests: files written by the real
//! logger in a child process (the logger installs once per process).
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};

use logger::trade;

/// True in a child started by [`run_child`].
pub fn is_child() -> bool {
    std::env::var_os("LOGGER_READ_CHILD").is_some()
}

/// A command running only `test` of this test binary as a child, with `env`.
pub fn child(test: &str, env: &[(&str, String)]) -> Command {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env("LOGGER_READ_CHILD", "1")
        .stdin(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

/// Runs `test` as a child to completion; fails the test if the child fails.
pub fn run_child(test: &str, env: &[(&str, String)]) {
    let out = child(test, env).output().unwrap();
    assert!(
        out.status.success(),
        "child {test} failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A number from the child's environment.
pub fn env_u64(name: &str) -> u64 {
    std::env::var(name).unwrap().parse().unwrap()
}

/// In a child: installs the logger in `dir` (size rotation at `max_bytes`
/// when non-zero, gzip when `compress`), then logs `n` records numbered
/// `fields.i` from `first` on: every 10th a trade (so it is also in
/// `trades.log`), every 7th with a correlation id `c<i>`, every 13th a
/// warning. `each` runs after every record (to pace or acknowledge).
pub fn log_records(
    dir: &Path,
    first: u64,
    n: u64,
    max_bytes: u64,
    compress: bool,
    mut each: impl FnMut(u64),
) {
    let guard = logger::builder()
        .dir(dir)
        .max_file_bytes((max_bytes > 0).then_some(max_bytes))
        .window_bytes(16 * 1024)
        .compress(compress)
        .backup_count(Some(100_000))
        .install()
        .unwrap();
    for i in first..first + n {
        let _corr = (i % 7 == 0).then(|| logger::correlation(format!("c{i}")));
        if i % 10 == 0 {
            trade!(symbol = "AAPL", side = "BUY", qty = i, price = 1.5, i = i; "fill {}", i);
        } else if i % 13 == 0 {
            log::warn!(i = i, pad = "x".repeat((i % 40) as usize); "warning {i}");
        } else {
            log::info!(i = i, pad = "y".repeat((i % 60) as usize); "record \"{i}\"");
        }
        each(i);
    }
    logger::flush().unwrap();
    drop(guard);
}

/// `fields.i` of a record line.
pub fn field_i(line: &[u8]) -> u64 {
    let r = logger_read::RecordView::parse(line)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(line)));
    r.get("fields.i")
        .and_then(|v| v.as_u64())
        .unwrap_or_else(|| panic!("no fields.i: {}", String::from_utf8_lossy(line)))
}

/// Asserts that `seen` holds each of `expected` exactly once.
pub fn assert_exactly_once(seen: &[u64], expected: impl IntoIterator<Item = u64>) {
    let mut count: BTreeMap<u64, u32> = BTreeMap::new();
    for &i in seen {
        *count.entry(i).or_default() += 1;
    }
    let dup: Vec<_> = count
        .iter()
        .filter(|(_, c)| **c > 1)
        .map(|(i, _)| *i)
        .take(10)
        .collect();
    assert!(dup.is_empty(), "records read more than once: {dup:?}");
    let missing: Vec<_> = expected
        .into_iter()
        .filter(|i| !count.contains_key(i))
        .take(10)
        .collect();
    assert!(missing.is_empty(), "records never read: {missing:?}");
}
