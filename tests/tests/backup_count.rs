//! The backup count keeps only the newest rotated files.

mod common;

#[test]
fn keeps_only_backup_count_rotated_files() {
    let dir = tempfile::tempdir().unwrap();
    let guard = logger::builder()
        .dir(dir.path())
        .max_file_bytes(Some(8 * 1024))
        .window_bytes(4096)
        .backup_count(Some(3))
        .install()
        .unwrap();
    let n = 5_000u64;
    for i in 0..n {
        log::info!(i = i; "record {i}");
    }
    logger::flush().unwrap();
    drop(guard); // waits for the housekeeper

    let files = common::files_of(dir.path(), "app");
    assert_eq!(files.len(), 4, "3 backups plus the active file: {files:?}");
    // What is left is the newest records, contiguous up to the last one.
    let records = common::records(dir.path(), "app");
    let first = records[0]["fields"]["i"].as_u64().unwrap();

    for (k, r) in records.iter().enumerate() {
        assert_eq!(r["fields"]["i"].as_u64().unwrap(), first + k as u64);
    }
    assert_eq!(
        records.last().unwrap()["fields"]["i"].as_u64().unwrap(),
        n - 1
    );
}
