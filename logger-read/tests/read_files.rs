//! Reading files the real logger wrote: rotated and gzip'ed files in order,
//! two processes' directories merged by time with trades read once, a crash
//! tail, and the errors for files that are not logs.

mod common;

use std::io::Write;
use std::path::PathBuf;

use logger_read::{
    Compression, ErrorKind, FileState, Level, LineReader, Merge, Prefilter, RecordView, discover,
};

const N: u64 = 6_000;

/// Child: logs `N` records from `READ_FIRST` into `READ_DIR` with 32 KiB
/// size rotation and gzip.
#[test]
fn child_writer() {
    if !common::is_child() {
        return;
    }
    let dir = PathBuf::from(std::env::var("READ_DIR").unwrap());
    // With `READ_GO`, start when that file appears, and pause now and then,
    // so that two writers run at the same time.
    let go = std::env::var_os("READ_GO").map(PathBuf::from);
    if let Some(go) = &go {
        while !go.exists() {
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
    }
    let first = common::env_u64("READ_FIRST");
    common::log_records(&dir, first, N, 32 * 1024, true, |i| {
        if go.is_some() && i % 300 == 0 {
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
    });
}

fn write(dir: &std::path::Path, first: u64) {
    common::run_child(
        "child_writer",
        &[
            ("READ_DIR", dir.display().to_string()),
            ("READ_FIRST", first.to_string()),
        ],
    );
}

#[test]
fn rotated_and_gzipped_files_are_read_in_order_exactly_once() {
    if common::is_child() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), 0);
    let dests = discover(&[dir.path().to_path_buf()]).unwrap();
    let stems: Vec<_> = dests.iter().map(|d| d.stem.as_str()).collect();
    assert_eq!(stems, ["app", "errors", "perf", "trades"]);
    let app = &dests[0];
    assert!(
        app.files.len() > 5,
        "expected rotations, got {:?}",
        app.files
    );
    let last = app.files.last().unwrap();
    assert_eq!(last.state, FileState::Active);
    assert!(
        app.files[..app.files.len() - 1]
            .iter()
            .all(|f| f.state == FileState::Rotated && f.compression == Compression::Gzip),
        "{:?}",
        app.files
    );

    let mut m = Merge::new(vec![app.clone()]);
    let mut seen = Vec::new();
    let mut prev = None;
    while let Some(l) = m.next_line() {
        let l = l.unwrap();
        assert!(prev <= Some(l.ts), "ts order");
        prev = Some(l.ts);
        let r = RecordView::parse(l.line.bytes).unwrap();
        assert_eq!(r.ts(), l.ts);
        // The scanner agrees with serde_json on every key it reads.
        let v = r.value().unwrap();
        assert_eq!(v["level"], r.level().as_str());
        assert_eq!(v["kind"], *r.kind().to_str());
        assert_eq!(v["target"], *r.target().to_str());
        assert_eq!(v["msg"], *r.msg().unwrap().to_str());
        assert_eq!(v["pid"], r.pid().unwrap());
        assert_eq!(
            v.get("correlation_id").and_then(|c| c.as_str()),
            r.correlation_id().and_then(|c| c.as_str()).as_deref()
        );
        seen.push(common::field_i(l.line.bytes));
    }
    assert!(m.tails().is_empty(), "{:?}", m.tails());
    assert_eq!(seen, (0..N).collect::<Vec<_>>());

    // The prefilter gives the same records as the full view.
    type Expected = fn(u64) -> bool;
    let cases: [(Prefilter, Expected); 4] = [
        (Prefilter::new().min_level(Level::Warn), |i| {
            i % 10 != 0 && i % 13 == 0
        }),
        (Prefilter::new().kind("trade"), |i| i % 10 == 0),
        (Prefilter::new().correlation_id("c700"), |i| i == 700),
        (Prefilter::new().correlation_id("c701"), |_| false),
    ];
    for (f, want) in cases {
        let mut fast = Merge::new(vec![app.clone()]).prefilter(f.clone());
        let mut got = Vec::new();
        while let Some(l) = fast.next_line() {
            let l = l.unwrap();
            if f.matches(l.line.bytes) {
                got.push(common::field_i(l.line.bytes));
            }
        }
        assert_eq!(
            got,
            (0..N).filter(|&i| want(i)).collect::<Vec<_>>(),
            "{f:?}"
        );
    }
}

#[test]
fn two_processes_merged_by_time_with_trades_once() {
    if common::is_child() {
        return;
    }
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    // Both processes log at the same time, so their records interleave.
    let go = a.path().join("go");
    let spawn = |dir: &std::path::Path, first: u64| {
        common::child(
            "child_writer",
            &[
                ("READ_DIR", dir.display().to_string()),
                ("READ_FIRST", first.to_string()),
                ("READ_GO", go.display().to_string()),
            ],
        )
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap()
    };
    let (mut ca, mut cb) = (spawn(a.path(), 0), spawn(b.path(), N));
    std::fs::write(&go, b"").unwrap();
    assert!(ca.wait().unwrap().success() && cb.wait().unwrap().success());
    let dests = discover(&[b.path().to_path_buf(), a.path().to_path_buf()]).unwrap();
    assert_eq!(dests.len(), 8);
    let mut m = Merge::new(dests).dedup(true);
    let mut seen = Vec::new();
    let mut prev = None;
    let mut switches = 0;
    while let Some(l) = m.next_line() {
        let l = l.unwrap();
        assert!(prev <= Some(l.ts), "ts order");
        prev = Some(l.ts);
        let i = common::field_i(l.line.bytes);
        if seen.last().is_some_and(|&p: &u64| (p < N) != (i < N)) {
            switches += 1;
        }
        seen.push(i);
    }
    assert!(
        switches > 2,
        "the two processes' records interleave ({switches} switches)"
    );
    // Each process's own records stay in their order.
    let a_order: Vec<u64> = seen.iter().copied().filter(|&i| i < N).collect();
    assert!(a_order.windows(2).all(|w| w[0] < w[1]));
    common::assert_exactly_once(&seen, 0..2 * N);
    assert_eq!(seen.len() as u64, 2 * N);
    assert_eq!(
        m.duplicates(),
        2 * N / 10,
        "every trade is in app.log and trades.log"
    );
}

/// Child: logs, prints `ACK <n>` after a flush, then logs until killed.
#[test]
fn child_crasher() {
    if !common::is_child() {
        return;
    }
    let dir = PathBuf::from(std::env::var("READ_DIR").unwrap());
    common::log_records(&dir, 0, u64::MAX / 2, 0, false, |i| {
        if i == 2_000 {
            logger::flush().unwrap();
            println!("ACK {i}");
            std::io::stdout().flush().unwrap();
        }
    });
}

#[test]
fn a_crash_tail_is_padding_and_every_complete_line_reads() {
    if common::is_child() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut child = common::child(
        "child_crasher",
        &[("READ_DIR", dir.path().display().to_string())],
    )
    .stdout(std::process::Stdio::piped())
    .spawn()
    .unwrap();
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    while !line.contains("ACK") {
        line.clear();
        assert!(
            std::io::BufRead::read_line(&mut out, &mut line).unwrap() > 0,
            "child ended"
        );
    }
    // SAFETY: kill(2) on the pid of our own child, which has not been waited for.
    unsafe { libc::kill(child.id() as i32, libc::SIGKILL) };
    child.wait().unwrap();

    // Append what a second crash would leave after a cut line: a record
    // cut half-way, NUL padding, then a complete record.
    let path = dir.path().join("app.log");
    let good = br#"{"ts":"2099-01-01T00:00:00.000000000Z","level":"INFO","kind":"log","target":"t","msg":"after","fields":{"i":999999999}}"#;
    {
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        f.write_all(b"{\"ts\":\"2099-01-01T00:00:00.0").unwrap();
        f.write_all(&[0u8; 100]).unwrap();
        f.write_all(good).unwrap();
        f.write_all(b"\n{\"ts\":\"cut").unwrap();
        f.write_all(&[0u8; 4000]).unwrap();
    }

    let mut r = LineReader::open_path(&path).unwrap();
    let mut seen = Vec::new();
    let mut cut = Vec::new();
    while let Some(l) = r.next_line() {
        match l {
            Ok(l) => seen.push(common::field_i(l.bytes)),
            Err(e) => cut.push(e),
        }
    }
    assert!(seen.len() > 2_000);
    assert_eq!(*seen.last().unwrap(), 999_999_999);
    // Every record up to the acknowledged one is there, in order, once.
    assert_eq!(&seen[..2_001], &(0..=2_000).collect::<Vec<_>>()[..]);
    // The crash's own tail: NULs and maybe a cut line, inside the content now.
    assert!(r.skipped().nul_bytes >= 100);
    let ours = cut.last().expect("the cut record is reported");
    // 28 bytes of ours, and whatever the kill cut.
    assert!(
        matches!(ours.kind(), ErrorKind::CutLine { bytes } if *bytes >= 28),
        "{ours}"
    );
    assert_eq!(ours.path(), Some(path.as_path()));
    assert!(ours.line().is_some() && ours.offset().is_some(), "{ours}");
    let tail = r.tail().unwrap();
    assert_eq!((tail.partial_bytes, tail.nul_bytes), (10, 4000));
}

#[test]
fn files_that_are_not_logs_get_errors_naming_file_and_line() {
    if common::is_child() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // A text-format log.
    let text = dir.path().join("text.log");
    std::fs::write(
        &text,
        "2026-11-21 10:30:45.123456789 | WARN  | risk:42 | limit breached\n\
         2026-11-21 10:30:46.123456789 | INFO  | risk:43 | ok\n",
    )
    .unwrap();
    let mut r = LineReader::open_path(&text).unwrap();
    let l = r.next_line().unwrap().unwrap();
    assert_eq!(l.number, 1);
    let e = RecordView::parse(l.bytes).unwrap_err();
    assert!(e.to_string().starts_with("not a JSON object"), "{e}");

    // A truncated gzip: the lines before the cut, then an error naming it.
    let gz = dir.path().join("app.20261121T103045.123.log.gz");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    for i in 0..20_000 {
        writeln!(enc, r#"{{"ts":"2026-11-21T10:30:45.123456789Z","level":"INFO","kind":"log","target":"t","msg":"{i}"}}"#).unwrap();
    }
    let bytes = enc.finish().unwrap();
    std::fs::write(&gz, &bytes[..bytes.len() / 2]).unwrap();
    let mut r = LineReader::open_path(&gz).unwrap();
    let mut n = 0;
    let err = loop {
        match r.next_line() {
            Some(Ok(_)) => n += 1,
            Some(Err(e)) => break e,
            None => panic!("truncated gzip read without error after {n} lines"),
        }
    };
    assert!(n > 1_000, "{n}");
    assert!(matches!(err.kind(), ErrorKind::Gzip(_)), "{err}");
    assert!(
        err.to_string()
            .starts_with(&format!("{}: byte ", gz.display())),
        "{err}"
    );
    assert!(r.next_line().is_none());

    // Missing paths and directories without logs.
    let e = discover(&[dir.path().join("nope")]).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "{}: no such file or directory",
            dir.path().join("nope").display()
        )
    );
    let empty = tempfile::tempdir().unwrap();
    std::fs::write(empty.path().join("notes.txt"), "x").unwrap();
    let e = discover(&[empty.path().to_path_buf()]).unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::NoLogFiles), "{e}");
    assert!(
        e.to_string()
            .starts_with(&empty.path().display().to_string())
    );

    // An empty file: no line, no tail.
    let e = dir.path().join("empty.log");
    std::fs::write(&e, "").unwrap();
    let mut r = LineReader::open_path(&e).unwrap();
    assert!(r.next_line().is_none() && r.tail().is_none());
}

#[test]
fn a_file_truncated_or_replaced_during_a_read_ends_cleanly() {
    if common::is_child() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    let line = r#"{"ts":"2026-11-21T10:30:45.123456789Z","level":"INFO","kind":"log","target":"t","msg":"m"}"#;
    std::fs::write(&path, format!("{line}\n").repeat(50_000)).unwrap();
    let opts = logger_read::ReaderOptions {
        buffer_bytes: 64 * 1024,
        ..Default::default()
    };
    let file = logger_read::LogFile::from_path(&path);
    let mut r = LineReader::open_at(&file, 0, opts).unwrap();
    for _ in 0..10 {
        r.next_line().unwrap().unwrap();
    }
    // Truncated under the reader (copytruncate-style): the reader stops at
    // what it had, with complete lines only.
    std::fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .unwrap()
        .set_len(1000)
        .unwrap();
    let mut n = 10;
    while let Some(l) = r.next_line() {
        assert_eq!(l.unwrap().bytes, line.as_bytes());
        n += 1;
    }
    assert!(n < 50_000, "{n}");
    // Replaced by a rename: the open reader goes on with the file it opened.
    std::fs::write(&path, format!("{line}\n").repeat(20)).unwrap();
    let mut r = LineReader::open_at(&file, 0, opts).unwrap();
    r.next_line().unwrap().unwrap();
    let other = dir.path().join("new.log");
    std::fs::write(&other, b"not a log\n").unwrap();
    std::fs::rename(&other, &path).unwrap();
    let mut n = 1;
    while let Some(l) = r.next_line() {
        assert_eq!(l.unwrap().bytes, line.as_bytes());
        n += 1;
    }
    assert_eq!(n, 20);
}
