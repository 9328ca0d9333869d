//! The logger's own records (here a drop warning) carry the thread id of
//! the thread that writes them, the flusher, not 0.

mod common;

use std::time::Duration;

/// The OS thread id of this process's thread named `name`.
fn tid_of(name: &str) -> u64 {
    std::fs::read_dir("/proc/self/task")
        .unwrap()
        .filter_map(Result::ok)
        .find(|t| {
            std::fs::read_to_string(t.path().join("comm")).is_ok_and(|c| c.trim_end() == name)
        })
        .unwrap_or_else(|| panic!("no thread named {name}"))
        .file_name()
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn child_drop_warning() {
    if !common::is_child() {
        return;
    }
    let dir = std::env::var("LOGGER_TEST_DIR").unwrap();
    let _guard = logger::builder()
        .dir(&dir)
        .window_bytes(64 * 1024)
        .ring_bytes(4096)
        .overflow(logger::OverflowPolicy::DropNewest)
        .idle_sleep(Duration::from_millis(200))
        .trades_file(None)
        .perf_file(None)
        .errors_file(None)
        .install()
        .unwrap();
    // Far more than a 4 KiB ring holds while the flusher sleeps.
    for i in 0..2_000u64 {
        log::info!(i = i; "filling the ring");
    }
    println!("FLUSH={:?}", logger::flush());
    println!("DROPPED={}", logger::metrics().records_dropped);
    println!("FLUSHER_TID={}", tid_of("logger-flusher"));
}

#[test]
fn drop_warning_has_the_flusher_tid() {
    if common::is_child() {
        return;
    }
    let (dir, out) = common::run_child_in_dir(
        "child_drop_warning",
        "LOGGER_TEST_DIR",
        Duration::from_secs(60),
    );
    assert!(out.number("DROPPED") > 0, "{}", out.stdout);
    let flusher = out.number("FLUSHER_TID");
    let warnings: Vec<_> = common::records(dir.path(), "app")
        .into_iter()
        .filter(|r| r["target"] == "logger")
        .collect();
    assert!(!warnings.is_empty());
    for w in warnings {
        assert_eq!(w["tid"].as_u64(), Some(flusher), "{w}");
        assert_eq!(w["thread"], "logger-flusher");
    }
}
