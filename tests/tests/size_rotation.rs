//! Size rotation with gzip and a backup count: no file over the limit, no
//! record split or lost across files, at most `backup_count` rotated files,
//! and compressed files decompress to the exact records.

mod common;

const LIMIT: u64 = 64 * 1024;

#[test]
fn rotates_by_size_without_losing_or_splitting_records() {
    let dir = tempfile::tempdir().unwrap();
    let guard = logger::builder()
        .dir(dir.path())
        .max_file_bytes(Some(LIMIT))
        .window_bytes(16 * 1024)
        .compress(true)
        .backup_count(Some(1000))
        .install()
        .unwrap();
    let n = 20_000u64;
    for i in 0..n {
        log::info!(i = i, pad = "x".repeat((i % 50) as usize); "record {i}");
    }
    logger::flush().unwrap();
    let m = logger::metrics();
    drop(guard);

    let files = common::files_of(dir.path(), "app");
    assert!(
        files.len() > 10,
        "expected many rotations, got {} files",
        files.len()
    );
    assert!(m.rotations as usize >= files.len() - 1);
    let mut seen = 0u64;
    for f in &files {
        let bytes = common::read_bytes(f);
        assert!(
            bytes.len() as u64 <= LIMIT,
            "{} holds {} bytes, over the {LIMIT} limit",
            f.display(),
            bytes.len()
        );
        for r in common::parse_lines(&bytes, &f.display().to_string()) {
            assert_eq!(
                r["fields"]["i"].as_u64().unwrap(),
                seen,
                "record lost or reordered"
            );
            seen += 1;
        }
    }
    assert_eq!(seen, n);
    let gz = files
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "gz"))
        .count();
    assert_eq!(gz, files.len() - 1, "every rotated file is compressed");
}
