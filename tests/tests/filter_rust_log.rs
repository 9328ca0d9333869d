//! Without `LOGGER_LEVEL`, `RUST_LOG` replaces the builder's level.

#[test]
fn rust_log_is_the_fallback() {
    let dir = tempfile::tempdir().unwrap();
    // SAFETY: the only test of this binary; no other thread reads the
    // environment while it is changed.
    unsafe {
        std::env::remove_var("LOGGER_LEVEL");
        std::env::set_var("RUST_LOG", "error,filter_rust_log::kept=info");
    }
    let _guard = logger::builder()
        .dir(dir.path())
        .level(log::LevelFilter::Trace)
        .install()
        .unwrap();
    assert_eq!(log::max_level(), log::LevelFilter::Info);
    log::warn!("dropped-1");
    log::info!(target: "filter_rust_log::kept", "kept-2");
    log::error!("kept-3");
    logger::flush().unwrap();
    let text = std::fs::read_to_string(dir.path().join("app.log")).unwrap();
    assert!(!text.contains("dropped-1"));
    assert!(text.contains("kept-2") && text.contains("kept-3"));
}
