//! A panic in any thread writes an error record (message, location,
//! thread) and flushes what was logged before it.

mod common;

#[test]
fn panic_is_recorded_with_location_and_thread() {
    let dir = tempfile::tempdir().unwrap();
    let guard = logger::builder().dir(dir.path()).install().unwrap();
    let panicked = std::thread::Builder::new()
        .name("order-gateway".into())
        .spawn(|| {
            log::info!(order_id = 7u64; "sending order");
            let venue: Option<&str> = std::hint::black_box(None);
            venue.expect("venue session lost");
        })
        .unwrap()
        .join();
    assert!(panicked.is_err());
    // The hook flushed before the thread finished unwinding: no flush here.
    let errors = common::records(dir.path(), "errors");
    drop(guard);
    let app = common::records(dir.path(), "app");
    assert!(app.iter().any(|r| r["msg"] == "sending order"));
    assert_eq!(errors.len(), 1, "{errors:?}");
    let r = &errors[0];
    assert_eq!(r["level"], "ERROR");
    assert_eq!(r["target"], "panic");
    assert_eq!(r["thread"], "order-gateway");
    let msg = r["msg"].as_str().unwrap();
    assert!(msg.contains("venue session lost"), "{msg}");
    assert!(msg.contains("order-gateway"), "{msg}");
    assert!(
        r["fields"]["panic_file"]
            .as_str()
            .unwrap()
            .ends_with("panic_record.rs")
    );
    assert!(r["fields"]["panic_line"].as_u64().unwrap() > 0);
}
