//! The logger's own resource metrics: memory of rings (grown ones too)
//! and buffers, the flusher's CPU time, I/O calls and the compression
//! ratio of rotated files, in `logger::metrics()`, and the periodic record
//! of kind `metrics` in the main file. Each scenario runs in a child.

mod common;

use std::time::{Duration, Instant};

use serde_json::Value;

fn run(test: &str) -> (tempfile::TempDir, common::ChildOutput) {
    common::run_child_in_dir(test, "METRICS_DIR", Duration::from_secs(60))
}

fn child_dir() -> Option<String> {
    common::is_child().then(|| std::env::var("METRICS_DIR").unwrap())
}

fn metrics_records(dir: &std::path::Path) -> Vec<Value> {
    common::records(dir, "app")
        .into_iter()
        .filter(|r| r["kind"] == "metrics")
        .collect()
}

#[test]
fn child_periodic_record() {
    let Some(dir) = child_dir() else { return };
    let path = std::path::Path::new(&dir).join("logger.json");
    std::fs::write(
        &path,
        r#"{"metrics_interval": "20ms", "max_file_bytes": 65536, "compress": true}"#,
    )
    .unwrap();
    let guard = logger::builder()
        .dir(&dir)
        .config_file(&path)
        .install()
        .unwrap();
    let start = Instant::now();
    let mut i = 0u64;
    while start.elapsed() < Duration::from_millis(200) {
        log::info!(order_id = i, venue = "XNAS"; "order routed to the venue gateway");
        logger::trade!(symbol = "AAPL", side = "buy", qty = i, price = 187.5);
        i += 1;
        if i.is_multiple_of(100) {
            std::thread::sleep(Duration::from_millis(1));
        }
    }
    logger::flush().unwrap();
    // The housekeeping thread gzips the rotated files: wait (bounded).
    let deadline = Instant::now() + Duration::from_secs(20);
    while logger::metrics().compressed_output_bytes == 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    let m = logger::metrics();
    println!("RING_BYTES={}", m.ring_bytes);
    println!("BUFFER_BYTES={}", m.buffer_bytes);
    println!("FLUSHER_CPU_NS={}", m.flusher_cpu_ns);
    println!("WRITE_CALLS={}", m.write_calls);
    println!("COMPRESSED_IN={}", m.compressed_input_bytes);
    println!("COMPRESSED_OUT={}", m.compressed_output_bytes);
    println!(
        "RATIO_X100={}",
        (m.compression_ratio().unwrap_or(0.0) * 100.0) as u64
    );
    drop(guard);
    let after = logger::metrics();
    println!("CPU_AFTER_STOP={}", after.flusher_cpu_ns);
}

#[test]
fn counters_and_the_periodic_record() {
    if common::is_child() {
        return;
    }
    let (dir, out) = run("child_periodic_record");
    // One ring (this thread) of the default size, and the flusher's buffers.
    assert!(out.number("RING_BYTES") >= logger::DEFAULT_RING_BYTES as u64);
    assert!(out.number("BUFFER_BYTES") > 0);
    let cpu = out.number("FLUSHER_CPU_NS");
    assert!(cpu > 0);
    assert!(out.number("CPU_AFTER_STOP") >= cpu, "kept after the stop");
    assert!(out.number("WRITE_CALLS") > 0);
    let (plain, gz) = (out.number("COMPRESSED_IN"), out.number("COMPRESSED_OUT"));
    assert!(plain >= 65536 && gz > 0 && gz < plain, "{plain} -> {gz}");
    // Repetitive log lines compress several times over.
    assert!(out.number("RATIO_X100") > 300, "{}", out.stdout);

    // Main file only; 200 ms at 20 ms: several records (the flusher may
    // be held up on a loaded machine, so not exactly 10).
    let recs = metrics_records(dir.path());
    assert!(recs.len() >= 2, "{recs:?}");
    for name in ["trades", "perf", "errors"] {
        let stray: Vec<Value> = common::records(dir.path(), name)
            .into_iter()
            .filter(|r| r["kind"] == "metrics")
            .collect();
        assert!(stray.is_empty(), "{name}: {stray:?}");
    }
    let r = &recs[recs.len() - 1];
    assert_eq!(r["level"], "INFO");
    assert_eq!(r["target"], "logger");
    assert_eq!(r["msg"], "metrics");
    let f = &r["fields"];
    assert_eq!(f["interval_ns"], 20_000_000);
    assert_eq!(
        f["memory_bytes"].as_u64().unwrap(),
        f["ring_bytes"].as_u64().unwrap() + f["buffer_bytes"].as_u64().unwrap()
    );
    for key in [
        "rings",
        "flusher_cpu_ns",
        "records_created",
        "records_written",
        "bytes_written",
        "write_calls",
    ] {
        assert!(f[key].as_u64().unwrap() > 0, "{key}: {f}");
    }
    let pct = f["flusher_cpu_percent"].as_f64().unwrap();
    assert!((0.0..=100.0).contains(&pct), "{pct}");
    // Counters only grow from one record to the next.
    for w in recs.windows(2) {
        for key in ["records_written", "write_calls", "flusher_cpu_ns"] {
            assert!(w[0]["fields"][key].as_u64() <= w[1]["fields"][key].as_u64());
        }
    }
}

#[test]
fn child_grown_ring() {
    let Some(dir) = child_dir() else { return };
    let guard = logger::builder()
        .dir(&dir)
        .ring_bytes(logger::MIN_RING_BYTES)
        .overflow(logger::OverflowPolicy::Grow { cap_bytes: 1 << 20 })
        // The flusher sleeps long between idle cycles: the burst below
        // fills the 4 KiB ring before it looks.
        .idle_sleep(Duration::from_secs(1))
        .install()
        .unwrap();
    std::thread::sleep(Duration::from_millis(50));
    for i in 0..2_000u64 {
        log::info!(order_id = i; "order routed to the venue gateway");
    }
    // `ring_bytes` is as of the flusher's last cycle: flush first.
    logger::flush().unwrap();
    let m = logger::metrics();
    println!("GROWN={}", m.rings_grown);
    println!("RING_BYTES={}", m.ring_bytes);
    drop(guard);
}

#[test]
fn a_grown_ring_is_counted() {
    if common::is_child() {
        return;
    }
    let (dir, out) = run("child_grown_ring");
    assert!(out.number("GROWN") >= 1, "{}", out.stdout);
    // The ring now in use is larger than the one the thread started with.
    assert!(
        out.number("RING_BYTES") > logger::MIN_RING_BYTES as u64,
        "{}",
        out.stdout
    );
    assert_eq!(common::records(dir.path(), "app").len(), 2_000);
}

#[test]
fn the_interval_is_checked() {
    for (json, what) in [
        (r#"{"metrics_interval": "5ms"}"#, "out of range"),
        (r#"{"metrics_interval": "soon"}"#, "metrics_interval"),
        (r#"{"metrics_interval": 10}"#, "metrics_interval"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("logger.json");
        std::fs::write(&file, json).unwrap();
        let e = logger::builder()
            .dir(dir.path())
            .config_file(&file)
            .install()
            .err()
            .unwrap_or_else(|| panic!("{json} was accepted"));
        let text = e.to_string();
        assert!(text.contains("metrics_interval"), "{json}: {text}");
        assert!(text.contains(what), "{json}: {text}");
        assert!(text.contains("logger.json"), "{json}: {text}");
    }
    let e = logger::builder()
        .metrics_interval(Some(Duration::from_secs(2 * 24 * 3600)))
        .validate()
        .unwrap_err();
    assert!(e.to_string().contains("metrics_interval"), "{e}");
}
