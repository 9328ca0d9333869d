//! Costs of the security options (docs/security.md, "Costs").
//!
//! `cargo bench -p logger-benches --bench security` runs, in alternating
//! child processes (the logger installs once per process), 1,000,000
//! `log::info!` records with 5 key-values through 8 MiB files, with the
//! encryption of rotated files off and on, and prints per run:
//!
//! - the flusher's throughput: records from the first call until `flush()`
//!   returned, per second (the housekeeping thread encrypts meanwhile);
//! - the housekeeping thread's encryption throughput:
//!   [`logger::encryption_stats`] plaintext bytes over its busy time
//!   (wall) and over the thread's CPU time during it.
//!
//! With `BENCH_SECURITY_CHILD=redact:<rules>:<records>` it is instead one
//! child that logs `<records>` records with redaction rules `none`, `hit`
//! (3 rules matching 3 of the 5 fields: mask, hash, keep last 4) or
//! `miss` (3 rules matching none), for `benches/callgrind-redaction.sh`,
//! which counts the flusher's instructions per record with callgrind.

use std::process::Command;
use std::time::{Duration, Instant};

use logger::{Encryption, RedactAction};

const RECORDS: u64 = 1_000_000;
const ROUNDS: usize = 3;

fn main() {
    // `cargo bench` passes `--bench`; nothing else is taken.
    match std::env::var("BENCH_SECURITY_CHILD") {
        Ok(mode) if mode.starts_with("redact:") => redact_child(&mode),
        Ok(mode) => encryption_child(mode == "on"),
        Err(_) => parent(),
    }
}

fn parent() {
    let exe = std::env::current_exe().unwrap();
    println!(
        "encryption | flusher M records/s | files encrypted | MiB encrypted | MB/s (wall) | MB/s (CPU)"
    );
    println!("--- | --: | --: | --: | --: | --:");
    for _ in 0..ROUNDS {
        for mode in ["off", "on"] {
            let out = Command::new(&exe)
                .env("BENCH_SECURITY_CHILD", mode)
                .output()
                .unwrap();
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(
                out.status.success(),
                "{text}\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
            print!("{text}");
        }
    }
}

fn dir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!(
        "logger-bench-security-{name}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn encryption_child(on: bool) {
    let d = dir("encryption");
    let recipient = age::x25519::Identity::generate().to_public().to_string();
    let guard = logger::builder()
        .dir(&d)
        .trades_file(None)
        .perf_file(None)
        .errors_file(None)
        .flusher_cpu(Some(1))
        .max_file_bytes(Some(8 << 20))
        .backup_count(Some(8))
        .flush_timeout(Duration::from_secs(300))
        .encryption(on.then(|| Encryption::recipients([recipient])))
        .install()
        .unwrap();
    logger::preallocate();
    let start = Instant::now();
    for i in 0..RECORDS {
        log::info!(symbol = "AAPL", side = "buy", qty = i % 1000, price = 187.25, order_id = i; "order");
    }
    logger::flush().unwrap();
    let rps = RECORDS as f64 / start.elapsed().as_secs_f64();
    // Dropping the guard waits for the housekeeping queue.
    drop(guard);
    let s = logger::encryption_stats();
    let per = |t: Duration| {
        if t.is_zero() {
            0.0
        } else {
            s.plaintext_bytes as f64 / t.as_secs_f64() / 1e6
        }
    };
    println!(
        "{} | {:.2} | {} | {:.0} | {:.0} | {:.0}",
        if on { "on" } else { "off" },
        rps / 1e6,
        s.files,
        s.plaintext_bytes as f64 / f64::from(1 << 20),
        per(s.busy),
        per(s.cpu)
    );
    let _ = std::fs::remove_dir_all(&d);
}

fn redact_child(mode: &str) {
    let mut parts = mode.split(':').skip(1);
    let rules = parts.next().unwrap_or("none");
    let records: u64 = parts.next().and_then(|n| n.parse().ok()).unwrap_or(20_000);
    let d = dir(&format!("redact-{rules}"));
    let mut b = logger::builder()
        .dir(&d)
        .trades_file(None)
        .perf_file(None)
        .errors_file(None)
        .redact_key(*b"a 32-byte key for the redaction!");
    b = match rules {
        "none" => b,
        "hit" => b
            .redact("password", RedactAction::Mask)
            .redact("client*", RedactAction::Hash)
            .redact("account", RedactAction::KeepLast(4)),
        "miss" => b
            .redact("secret", RedactAction::Mask)
            .redact("token*", RedactAction::Hash)
            .redact("iban", RedactAction::KeepLast(4)),
        other => panic!("rules {other:?}: expected none, hit or miss"),
    };
    let guard = b.install().unwrap();
    for i in 0..records {
        log::info!(account = "DE89370400440532013000", password = "hunter2", client_id = "ACME-77", qty = i, price = 1.5; "order");
    }
    logger::flush().unwrap();
    drop(guard);
    let _ = std::fs::remove_dir_all(&d);
}
