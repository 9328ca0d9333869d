//! Following a destination: while the real logger writes, rotates and
//! gzips (with restarts from a saved checkpoint), a file deleted before it
//! was read, a line completed later, a file recreated under the same name.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use logger_read::follow::{Follower, Start};
use logger_read::{CheckpointStore, ErrorKind, FileCheckpointStore, FollowBatch};

const N: u64 = 20_000;

/// Child: logs `N` records into `FOLLOW_DIR` with 48 KiB size rotation and
/// gzip, pausing now and then so the follower catches up mid-file.
#[test]
fn child_slow_writer() {
    if !common::is_child() {
        return;
    }
    let dir = PathBuf::from(std::env::var("FOLLOW_DIR").unwrap());
    common::log_records(&dir, 0, N, 48 * 1024, true, |i| {
        if i % 500 == 0 {
            logger::flush().unwrap();
            std::thread::sleep(Duration::from_millis(2));
        }
    });
}

fn lines_of(batch: &FollowBatch) -> Vec<u64> {
    batch.lines().map(|l| common::field_i(l.bytes)).collect()
}

#[test]
fn follows_rotation_and_gzip_while_writing_and_restarts_from_checkpoints() {
    if common::is_child() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let state = tempfile::tempdir().unwrap();
    let mut store = FileCheckpointStore::new(state.path().join("app.checkpoint"));
    let mut writer = common::child(
        "child_slow_writer",
        &[("FOLLOW_DIR", dir.path().display().to_string())],
    )
    .spawn()
    .unwrap();
    let mut follower = Follower::new(dir.path(), "app").max_batch(700, 1 << 20);
    let mut seen = Vec::new();
    let mut batches = 0u32;
    let deadline = Instant::now() + Duration::from_secs(90);
    let mut writer_done = false;
    while (seen.len() as u64) < N {
        assert!(
            Instant::now() < deadline,
            "only {} of {N} records followed; first missing {:?}; at {:?}",
            seen.len(),
            (0..N).find(|i| !seen.contains(i)),
            follower.checkpoint()
        );
        let batch = follower.next_batch(Duration::from_millis(200)).unwrap();
        assert!(batch.gaps.is_empty(), "{:?}", batch.gaps);
        assert!(batch.errors.is_empty(), "{:?}", batch.errors);
        // Each line's checkpoint is after it, and the last is the batch's.
        if let (Some(last), Some(cp)) = (batch.lines().last(), batch.checkpoint()) {
            if cp.file_id == last.checkpoint.file_id {
                assert_eq!(cp, last.checkpoint);
            } else {
                assert_eq!(cp.offset, 0, "moved on to the start of the next file");
            }
        }
        seen.extend(lines_of(&batch));
        if let Some(cp) = batch.checkpoint() {
            store.save(&cp).unwrap();
        }
        batches += 1;
        // Now and then the consumer restarts from its saved checkpoint.
        if batches % 7 == 0 {
            let cp = store.load().unwrap().expect("saved");
            follower = Follower::new(dir.path(), "app")
                .start(Start::At(cp))
                .max_batch(700, 1 << 20);
        }
        if !writer_done {
            writer_done = writer.try_wait().unwrap().is_some();
        }
    }
    assert!(writer.wait().unwrap().success());
    assert_eq!(
        seen,
        (0..N).collect::<Vec<_>>(),
        "every record once, in order"
    );
    let rotated = std::fs::read_dir(dir.path())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".log.gz")
        })
        .count();
    assert!(
        rotated > 10,
        "the test rotated and compressed ({rotated} .gz files)"
    );
    // Nothing more comes.
    assert_eq!(follower.poll().unwrap().len(), 0);
}

fn record(i: u64) -> String {
    format!(
        r#"{{"ts":"2026-11-21T10:30:{:02}.{:09}Z","level":"INFO","kind":"log","target":"t","msg":"m","fields":{{"i":{i}}}}}"#,
        i / 1_000_000 % 60,
        i % 1_000_000_000
    )
}

fn append(path: &Path, text: &[u8]) {
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .unwrap();
    f.write_all(text).unwrap();
}

fn lines(range: std::ops::Range<u64>) -> String {
    range.map(|i| record(i) + "\n").collect()
}

#[test]
fn a_file_deleted_before_it_was_read_is_a_gap() {
    if common::is_child() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    append(
        &d.join("app.20261121T000001.000.log"),
        lines(0..100).as_bytes(),
    );
    append(
        &d.join("app.20261121T000002.000.log"),
        lines(100..200).as_bytes(),
    );
    append(
        &d.join("app.20261121T000003.000.log"),
        lines(200..300).as_bytes(),
    );
    append(&d.join("app.log"), lines(300..350).as_bytes());
    let mut f = Follower::new(d, "app").max_batch(10, 1 << 20);
    assert_eq!(lines_of(&f.poll().unwrap()), (0..10).collect::<Vec<_>>());
    // Retention removes the two oldest files before they were read.
    std::fs::remove_file(d.join("app.20261121T000001.000.log")).unwrap();
    std::fs::remove_file(d.join("app.20261121T000002.000.log")).unwrap();
    let b = f.poll().unwrap();
    assert!(
        b.is_empty(),
        "a file is declared lost at the second poll that misses it"
    );
    let b = f.poll().unwrap();
    assert_eq!(b.gaps.len(), 1, "{:?}", b.gaps);
    assert_eq!(
        b.gaps[0].path.as_deref(),
        Some(d.join("app.20261121T000001.000.log").as_path())
    );
    assert_eq!(b.gaps[0].offset, lines(0..10).len() as u64);
    // The second file is gone too, but it was never started: the follower
    // goes on with the first file still there.
    assert_eq!(lines_of(&b), (200..210).collect::<Vec<_>>());
    assert_eq!(f.gaps(), 1);
    let mut rest = Vec::new();
    loop {
        let b = f.poll().unwrap();
        if b.is_empty() {
            break;
        }
        rest.extend(lines_of(&b));
    }
    assert_eq!(rest, (210..350).collect::<Vec<_>>());
}

#[test]
fn a_partial_line_is_returned_once_complete() {
    if common::is_child() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    let r1 = record(1);
    let r2 = record(2);
    append(&path, format!("{r1}\n{}", &r2[..20]).as_bytes());
    // A mapped window: NUL padding after the written bytes.
    append(&path, &[0u8; 4096]);
    let mut f = Follower::new(dir.path(), "app");
    assert_eq!(lines_of(&f.poll().unwrap()), [1]);
    assert_eq!(f.poll().unwrap().len(), 0);
    // The writer goes on inside its window.
    let file = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
    let at = (r1.len() + 1 + 20) as u64;
    std::os::unix::fs::FileExt::write_at(&file, format!("{}\n", &r2[20..]).as_bytes(), at).unwrap();
    let b = f.poll().unwrap();
    assert_eq!(lines_of(&b), [2]);
    assert_eq!(
        b.checkpoint().unwrap().offset,
        (r1.len() + r2.len() + 2) as u64
    );
    assert!(b.errors.is_empty());
}

#[test]
fn a_nul_hole_in_the_active_file_is_waited_for_once_then_reported() {
    if common::is_child() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    append(&path, format!("{}\ncut", record(1)).as_bytes());
    append(&path, &[0u8; 10]);
    append(&path, format!("{}\n", record(2)).as_bytes());
    let mut f = Follower::new(dir.path(), "app");
    let b = f.poll().unwrap();
    assert_eq!(lines_of(&b), [1], "stops before the hole the first time");
    assert!(b.errors.is_empty());
    let b = f.poll().unwrap();
    assert_eq!(lines_of(&b), [2]);
    assert_eq!(b.errors.len(), 1);
    assert!(
        matches!(b.errors[0].kind(), ErrorKind::CutLine { bytes: 3 }),
        "{}",
        b.errors[0]
    );
}

#[test]
fn a_recreated_file_of_the_same_name_is_a_new_file() {
    if common::is_child() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    append(&path, lines(0..50).as_bytes());
    let mut f = Follower::new(dir.path(), "app");
    assert_eq!(lines_of(&f.poll().unwrap()), (0..50).collect::<Vec<_>>());
    // Deleted and created again (the inode number is often reused), with
    // fewer bytes than the offset reached in the old file.
    std::fs::remove_file(&path).unwrap();
    append(&path, lines(1000..1003).as_bytes());
    assert!(f.poll().unwrap().is_empty());
    let b = f.poll().unwrap();
    assert_eq!(b.gaps.len(), 1, "the old file vanished: {:?}", b.gaps);
    assert_eq!(lines_of(&b), [1000, 1001, 1002]);
}

#[test]
fn start_at_the_end_reads_only_new_lines() {
    if common::is_child() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    append(&path, lines(0..10).as_bytes());
    let mut f = Follower::new(dir.path(), "app").start(Start::End);
    assert_eq!(f.poll().unwrap().len(), 0);
    append(&path, lines(10..12).as_bytes());
    assert_eq!(lines_of(&f.poll().unwrap()), [10, 11]);
}
