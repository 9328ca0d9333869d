//! A process with a running logger forks. The child has no flusher thread
//! (fork copies only the calling thread), so the logger is stopped in the
//! child by a `pthread_atfork` handler: its records are dropped and
//! counted, `flush()` returns `FlushError::Stopped` at once, and nothing it does reaches the
//! parent's files. Without that rule a child logging under `Block` fills
//! its ring and waits forever.

mod common;

use std::time::{Duration, Instant};

use logger::trade;

const CHILD_RECORDS: u64 = 5_000;

fn write_stdout(s: &str) {
    // SAFETY: write(2) on stdout with a valid buffer; no Rust stdout lock,
    // which another thread may have held when the process forked.
    unsafe { libc::write(1, s.as_ptr().cast(), s.len()) };
}

/// The process that forks (itself a child of the test, so that the fork
/// happens outside the test harness).
#[test]
fn forking_child() {
    if !common::is_child() {
        return;
    }
    let dir = std::env::var("LOGGER_TEST_DIR").unwrap();
    let guard = logger::builder()
        .dir(dir)
        .ring_bytes(16 * 1024)
        .install()
        .unwrap();
    for i in 0..100u64 {
        log::info!(phase = "before", i = i; "parent before fork");
    }
    logger::flush().unwrap();

    // SAFETY: fork; the child only logs (which the rule turns into a
    // counted drop), reads counters, writes to stdout and `_exit`s.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork failed");
    if pid == 0 {
        for i in 0..CHILD_RECORDS {
            log::info!(phase = "forked", i = i; "logged in the forked child");
        }
        trade!(symbol = "AAPL", side = "BUY", qty = 1, price = 1.5);
        let flushed = logger::flush();
        let dropped = logger::metrics().records_dropped;
        write_stdout(&format!(
            "FORKED_FLUSH={flushed:?}\nFORKED_DROPPED={dropped}\n"
        ));
        // SAFETY: ends the forked child without running the parent's
        // destructors (the guard) or atexit handlers.
        unsafe { libc::_exit(0) };
    }

    let deadline = Instant::now() + Duration::from_secs(20);
    let mut status = 0;
    loop {
        // SAFETY: waitpid on our own child with a valid status pointer.
        let r = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
        if r == pid {
            println!(
                "FORKED_EXIT={}",
                libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0
            );
            break;
        }
        if Instant::now() > deadline {
            // SAFETY: kill and reap our own child.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
                libc::waitpid(pid, &mut status, 0);
            }
            println!("FORKED_EXIT=hung");
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }

    for i in 0..100u64 {
        log::info!(phase = "after", i = i; "parent after fork");
    }
    logger::flush().unwrap();
    println!("PARENT_DROPPED={}", logger::metrics().records_dropped);
    drop(guard);
}

#[test]
fn a_forked_child_drops_and_counts_its_records() {
    if common::is_child() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap().to_string();
    let out = common::run_child(
        common::child_command("forking_child", &[("LOGGER_TEST_DIR", &d)]),
        Duration::from_secs(60),
    );
    println!("{}", out.stdout);
    assert!(out.status.success(), "{:?}\n{}", out.status, out.stderr);
    assert_eq!(
        out.value("FORKED_EXIT"),
        "true",
        "the forked child hung or failed"
    );
    // Nothing the child logged can reach a file: flush says so.
    assert_eq!(out.value("FORKED_FLUSH"), "Err(Stopped)");
    assert_eq!(out.number("FORKED_DROPPED"), CHILD_RECORDS + 1);
    assert_eq!(out.number("PARENT_DROPPED"), 0);

    let records = common::records(dir.path(), "app");
    assert_eq!(records.len(), 200, "only the parent's records");
    let pid = records[0]["pid"].as_u64().unwrap();
    assert!(records.iter().all(|r| r["pid"].as_u64() == Some(pid)));
    assert!(records.iter().all(|r| r["fields"]["phase"] != "forked"));
    assert!(common::records(dir.path(), "trades").is_empty());
}
