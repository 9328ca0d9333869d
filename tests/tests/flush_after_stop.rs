//! `flush()` after the guard was dropped returns `FlushError::Stopped`,
//! not `Ok`: the records logged since are dropped, so there is nothing it
//! could confirm. Before install it returns `Ok` (nothing was logged).
//! The scenario runs in a child process (the logger installs once per
//! process); the parent checks what the child printed and its file.

mod common;

use std::time::Duration;

use logger::FlushError;

#[test]
fn child_flush_across_the_lifecycle() {
    if !common::is_child() {
        return;
    }
    let dir = std::env::var("LOGGER_TEST_DIR").unwrap();
    println!("BEFORE_INSTALL={:?}", logger::flush());
    let guard = logger::builder().dir(dir).install().unwrap();
    log::info!(i = 0; "while running");
    println!("RUNNING={:?}", logger::flush());
    drop(guard);
    log::info!(i = 1; "after the guard was dropped");
    let after = logger::flush();
    println!("AFTER_STOP={after:?}");
    if let Err(e) = &after {
        println!("AFTER_STOP_MESSAGE={e}");
    }
    println!("DROPPED={}", logger::metrics().records_dropped);
    // A second call says the same: the state does not change.
    println!("AGAIN={:?}", logger::flush());
}

#[test]
fn flush_after_the_guard_was_dropped_says_the_logger_is_stopped() {
    if common::is_child() {
        return;
    }
    let (dir, out) = common::run_child_in_dir(
        "child_flush_across_the_lifecycle",
        "LOGGER_TEST_DIR",
        Duration::from_secs(60),
    );
    assert_eq!(out.value("BEFORE_INSTALL"), "Ok(())");
    assert_eq!(out.value("RUNNING"), "Ok(())");
    assert_eq!(
        out.value("AFTER_STOP"),
        format!("{:?}", Err::<(), _>(FlushError::Stopped))
    );
    let message = out.value("AFTER_STOP_MESSAGE");
    assert!(
        message.starts_with("the logger is stopped (its guard was dropped")
            && message.contains("records logged since are dropped"),
        "{message}"
    );
    assert_eq!(out.value("AGAIN"), out.value("AFTER_STOP"));
    assert_eq!(out.number("DROPPED"), 1);
    let records = common::records(dir.path(), "app");
    let mine: Vec<_> = records
        .iter()
        .filter(|r| r["fields"]["i"].is_u64())
        .collect();
    assert_eq!(
        mine.len(),
        1,
        "only the record logged while running: {records:?}"
    );
    assert_eq!(mine[0]["msg"], "while running");
}
