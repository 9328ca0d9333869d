//! Soak: 4 threads log as fast as they can for `LOGGER_SOAK_SECS` seconds
//! (default 20) through size rotation (small files) and gzip compression,
//! under `Block`. At the end the files, rotated, compressed or not, hold
//! exactly the records logged: each thread's `0, 1, 2, ...`, nothing
//! missing, nothing twice.
//!
//! `LOGGER_SOAK_SECS=600 cargo test --release -p logger-tests --test soak`
//! for a long run.

mod common;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

const THREADS: u64 = 4;

/// The `t` and `i` of a line ending in `"fields":{"t":T,"i":I}}`, read
/// without a JSON parser (millions of lines).
fn t_and_i(line: &[u8]) -> Option<(u64, u64)> {
    const KEY: &[u8] = b"\"fields\":{\"t\":";
    let at = line.windows(KEY.len()).rposition(|w| w == KEY)? + KEY.len();
    let rest = std::str::from_utf8(&line[at..]).ok()?;
    let rest = rest.strip_suffix("}}")?;
    let (t, i) = rest.split_once(",\"i\":")?;
    Some((t.parse().ok()?, i.parse().ok()?))
}

#[test]
fn four_threads_through_rotation_and_compression_lose_nothing() {
    let secs: u64 = std::env::var("LOGGER_SOAK_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20);
    common::watchdog(Duration::from_secs(secs * 3 + 120), "soak");
    let dir = tempfile::tempdir().unwrap();
    let guard = logger::builder()
        .dir(dir.path())
        .max_file_bytes(Some(4 << 20))
        .window_bytes(1 << 20)
        .compress(true)
        .ring_bytes(256 * 1024)
        .trades_file(None)
        .perf_file(None)
        .errors_file(None)
        .flush_timeout(Duration::from_secs(30))
        .install()
        .unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let threads: Vec<_> = (0..THREADS)
        .map(|t| {
            let stop = stop.clone();
            std::thread::Builder::new()
                .name(format!("soak-{t}"))
                .spawn(move || {
                    let mut i = 0u64;
                    while !stop.load(Ordering::Relaxed) {
                        log::info!(t = t, i = i; "soak");
                        i += 1;
                    }
                    (t, i)
                })
                .unwrap()
        })
        .collect();
    let started = Instant::now();
    std::thread::sleep(Duration::from_secs(secs));
    stop.store(true, Ordering::Relaxed);
    let logged: HashMap<u64, u64> = threads.into_iter().map(|h| h.join().unwrap()).collect();
    let elapsed = started.elapsed();
    logger::flush().unwrap();
    let m = logger::metrics();
    drop(guard);

    let total: u64 = logged.values().sum();
    let files = common::files_of(dir.path(), "app");
    let gz = files
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "gz"))
        .count();
    println!(
        "{total} records in {elapsed:?} ({:.0}/s), {} files ({gz} compressed), {} rotations",
        total as f64 / elapsed.as_secs_f64(),
        files.len(),
        m.rotations
    );
    assert_eq!(m.records_dropped, 0);
    assert_eq!(m.io_errors, 0);
    assert!(m.rotations >= 2, "the soak did not rotate");
    assert!(gz >= 1, "no rotated file was compressed");

    let mut next: HashMap<u64, u64> = HashMap::new();
    let mut count = 0u64;
    for path in &files {
        let bytes = common::read_bytes(path);
        assert!(
            bytes.last().is_none_or(|&b| b == b'\n'),
            "{}",
            path.display()
        );
        for (n, line) in bytes
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .enumerate()
        {
            // Every line is checked to be JSON now and then, every
            // record's identity always.
            if n % 997 == 0 {
                serde_json::from_slice::<serde_json::Value>(line)
                    .unwrap_or_else(|e| panic!("{}: not JSON ({e})", path.display()));
            }
            let (t, i) = t_and_i(line).unwrap_or_else(|| {
                panic!(
                    "{}: unexpected line {:?}",
                    path.display(),
                    String::from_utf8_lossy(line)
                )
            });
            let expected = next.entry(t).or_insert(0);
            assert_eq!(
                i,
                *expected,
                "thread {t}: gap or duplicate in {}",
                path.display()
            );
            *expected += 1;
            count += 1;
        }
    }
    assert_eq!(count, total, "records in the files vs logged");
    assert_eq!(next, logged);
}
