//! Records logged late in a thread's or the process's life (the rules are
//! in `docs/reliability.md`, "Late records"), each in a child process:
//!
//! - from the `Drop` of a `thread_local!` that the thread touched before
//!   its first record (so destroyed after anything registered at that
//!   record), and from one whose thread never logged before: written,
//!   with the thread's name, nothing dropped;
//! - from the main thread's `thread_local!` destructors during
//!   `std::process::exit`, with the guard alive: written before the
//!   process ends;
//! - after the guard was dropped: dropped, counted, and reported on
//!   stderr when the process exits.

mod common;

use std::time::Duration;

/// Logs its message when dropped.
struct LogsOnDrop(&'static str);

impl Drop for LogsOnDrop {
    fn drop(&mut self) {
        log::info!(from = "drop"; "{}", self.0);
    }
}

thread_local! {
    static EARLY: LogsOnDrop = const { LogsOnDrop("destructor of a thread-local touched first") };
    static ONLY: LogsOnDrop = const { LogsOnDrop("destructor on a thread that never logged") };
}

fn builder(dir: &str) -> logger::Builder {
    logger::builder()
        .dir(dir)
        .window_bytes(64 * 1024)
        .trades_file(None)
        .perf_file(None)
        .errors_file(None)
}

fn messages(dir: &std::path::Path) -> Vec<(String, String)> {
    common::records(dir, "app")
        .iter()
        .filter(|r| r["target"] != "logger")
        .map(|r| {
            (
                r["thread"].as_str().unwrap().to_string(),
                r["msg"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn child_thread_exit() {
    if !common::is_child() {
        return;
    }
    let dir = std::env::var("LOGGER_TEST_DIR").unwrap();
    let _guard = builder(&dir).install().unwrap();
    std::thread::Builder::new()
        .name("touched-first".into())
        .spawn(|| {
            EARLY.with(|_| {});
            log::info!("plain record");
        })
        .unwrap()
        .join()
        .unwrap();
    std::thread::Builder::new()
        .name("never-logged".into())
        .spawn(|| ONLY.with(|_| {}))
        .unwrap()
        .join()
        .unwrap();
    println!("FLUSH={:?}", logger::flush());
    println!("DROPPED={}", logger::metrics().records_dropped);
}

#[test]
fn thread_exit() {
    if common::is_child() {
        return;
    }
    let (dir, out) = common::run_child_in_dir(
        "child_thread_exit",
        "LOGGER_TEST_DIR",
        Duration::from_secs(60),
    );
    assert_eq!(out.value("FLUSH"), "Ok(())");
    assert_eq!(out.number("DROPPED"), 0, "{}", out.stdout);
    let got = messages(dir.path());
    let want = [
        ("touched-first", "plain record"),
        (
            "touched-first",
            "destructor of a thread-local touched first",
        ),
        ("never-logged", "destructor on a thread that never logged"),
    ];
    let want: Vec<(String, String)> = want
        .iter()
        .map(|(t, m)| (t.to_string(), m.to_string()))
        .collect();
    assert_eq!(got, want);
}

#[test]
fn child_process_exit() {
    if !common::is_child() {
        return;
    }
    let dir = std::env::var("LOGGER_TEST_DIR").unwrap();
    let guard = builder(&dir).install().unwrap();
    EARLY.with(|_| {});
    log::info!("plain record");
    std::mem::forget(guard);
    // Runs this thread's thread-local destructors, then the logger's
    // exit handler; the guard is never dropped.
    std::process::exit(0);
}

#[test]
fn process_exit() {
    if common::is_child() {
        return;
    }
    let (dir, out) = common::run_child_in_dir(
        "child_process_exit",
        "LOGGER_TEST_DIR",
        Duration::from_secs(60),
    );
    let got: Vec<String> = messages(dir.path()).into_iter().map(|(_, m)| m).collect();
    assert_eq!(
        got,
        ["plain record", "destructor of a thread-local touched first"],
        "{}",
        out.stderr
    );
}

#[test]
fn child_after_the_guard_is_dropped() {
    if !common::is_child() {
        return;
    }
    let dir = std::env::var("LOGGER_TEST_DIR").unwrap();
    let guard = builder(&dir).install().unwrap();
    log::info!("before the guard is dropped");
    drop(guard);
    log::info!("after the guard is dropped");
    log::info!("after the guard is dropped, again");
    println!("DROPPED={}", logger::metrics().records_dropped);
    std::process::exit(0);
}

#[test]
fn after_the_guard_is_dropped() {
    if common::is_child() {
        return;
    }
    let (dir, out) = common::run_child_in_dir(
        "child_after_the_guard_is_dropped",
        "LOGGER_TEST_DIR",
        Duration::from_secs(60),
    );
    assert_eq!(out.number("DROPPED"), 2);
    assert!(
        out.stderr.contains(
            "logger: 2 records were logged after the logger stopped (its guard was dropped) \
             and were dropped, not written"
        ),
        "{}",
        out.stderr
    );
    let got: Vec<String> = messages(dir.path()).into_iter().map(|(_, m)| m).collect();
    assert_eq!(got, ["before the guard is dropped"]);
}
