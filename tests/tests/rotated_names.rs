//! Rotated names sort by time in plain byte order, also for rotations in
//! the same millisecond (`.500.log`, then `.500_0001.log`, ...; earlier
//! versions' `.500-1.log` sorted before `.500.log`); and a `.gz` keeps the
//! permission bits of the rotated file it was made from (a `0600` file
//! gives a `0600` `.gz`, not the umask's `0644`).

mod common;

use std::os::unix::fs::PermissionsExt;

#[test]
fn rotated_names_sort_by_time_and_gz_keeps_the_mode() {
    let dir = tempfile::tempdir().unwrap();
    let guard = logger::builder()
        .dir(dir.path())
        .max_file_bytes(Some(4096))
        .window_bytes(4096)
        .compress(true)
        .trades_file(None)
        .perf_file(None)
        .errors_file(None)
        .install()
        .unwrap();
    log::info!(i = 0u64; "a record in a file made private");
    logger::flush().unwrap();
    let active = dir.path().join("app.log");
    std::fs::set_permissions(&active, std::fs::Permissions::from_mode(0o600)).unwrap();
    // A burst: many size rotations within one millisecond.
    let n = 800u64;
    for i in 1..n {
        log::info!(i = i; "a burst of records");
    }
    logger::flush().unwrap();
    drop(guard);

    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|f| f != "app.log")
        .collect();
    names.sort();
    assert!(names.iter().all(|f| f.ends_with(".log.gz")), "{names:?}");
    // Plain byte order of the names, then the active file: every record,
    // in order.
    let mut seen = 0u64;
    for f in names.iter().map(|f| dir.path().join(f)).chain([active]) {
        let bytes = common::read_bytes(&f);
        for r in common::parse_lines(&bytes, &f.display().to_string()) {
            assert_eq!(
                r["fields"]["i"].as_u64().unwrap(),
                seen,
                "{}: names in byte order are not rotation order",
                f.display()
            );
            seen += 1;
        }
    }
    assert_eq!(seen, n);
    assert!(
        names.iter().any(|f| f.contains("_0001.log")),
        "no two rotations in one millisecond: {names:?}"
    );
    // The first rotated file is the one made 0600, and so is its .gz.
    let first = dir.path().join(&names[0]);
    let mode = std::fs::metadata(&first).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "{}", first.display());
    let second = dir.path().join(&names[1]);
    let mode = std::fs::metadata(&second).unwrap().permissions().mode() & 0o777;
    assert_ne!(
        mode, 0o600,
        "later files are not private: the test needs the first"
    );
}
