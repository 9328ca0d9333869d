//! Time rotation at a short interval: a new file per interval, timestamped
//! names, no record lost.

mod common;

use std::time::{Duration, Instant};

#[test]
fn rotates_at_each_interval() {
    let dir = tempfile::tempdir().unwrap();
    let guard = logger::builder()
        .dir(dir.path())
        .rotation_time(logger::TimeRotation::Every(Duration::from_secs(1)))
        .install()
        .unwrap();
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < Duration::from_millis(2_600) {
        log::info!(i = n; "tick");
        n += 1;
        std::thread::sleep(Duration::from_millis(10));
    }
    logger::flush().unwrap();
    drop(guard);

    let files = common::files_of(dir.path(), "app");
    assert!(
        files.len() >= 3,
        "2.6 s at 1 s intervals gives at least 3 files: {files:?}"
    );
    for f in &files[..files.len() - 1] {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            name.starts_with("app.20"),
            "rotated name {name} carries the date"
        );
    }
    // Each file holds records of one interval only.
    for f in &files {
        let recs = common::parse_lines(&common::read_bytes(f), "file");
        let secs: std::collections::BTreeSet<_> = recs
            .iter()
            .map(|r| r["ts"].as_str().unwrap()[..19].to_string())
            .collect();
        assert!(
            secs.len() <= 1,
            "{} spans several seconds: {secs:?}",
            f.display()
        );
    }
    let records = common::records(dir.path(), "app");
    assert_eq!(records.len() as u64, n);
}
