//! Property tests: random bytes and damaged records through every reader
//! entry point. Nothing panics; lines never hold a newline or NUL; offsets
//! add up; the scanner and `serde_json` agree on what they both read.

use std::io::Cursor;

use logger_read::{FileId, Level, LineReader, Prefilter, ReaderOptions, RecordView};
use proptest::prelude::*;

const RECORD: &str = r#"{"ts":"2026-11-21T11:07:51.545259128Z","level":"WARN","kind":"log","target":"execution::orders","service":"execution","msg":"order \"x\" rejected","module":"demo","file":"demo.rs","line":172,"thread":"strategy-0","tid":10287,"pid":10278,"host":"vm","correlation_id":74999,"context":{"strategy":"mm1"},"fields":{"order_id":74999,"reason":"band"}}"#;

/// Bytes biased towards the ones that matter to the reader: about half
/// random, the rest newlines, NULs and JSON punctuation.
fn biased(raw: Vec<u8>) -> Vec<u8> {
    const SPECIAL: &[u8] = b"\n\n\n\0\0\"\\{},:";
    raw.chunks(2)
        .map(|p| match p {
            [sel, b] if sel % 2 == 0 => SPECIAL[*b as usize % SPECIAL.len()],
            [_, b] | [b] => *b,
            _ => 0,
        })
        .collect()
}

fn bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..2 * max).prop_map(biased)
}

/// Everything a consumer may call on a line: must not panic.
fn exercise(line: &[u8]) {
    let _ = FileId::of_first_line(line);
    for f in [
        Prefilter::new().min_level(Level::Info),
        Prefilter::new().kind("trade"),
        Prefilter::new().correlation_id("74999"),
    ] {
        let _ = f.matches(line);
    }
    if let Ok(r) = RecordView::parse(line) {
        let _ = (
            r.ts(),
            r.ts_raw(),
            r.level(),
            r.kind().to_str(),
            r.target().to_str(),
        );
        let _ = (r.service(), r.msg().map(|m| m.to_str()));
        let _ = (
            r.module(),
            r.file(),
            r.source_line(),
            r.function(),
            r.thread(),
        );
        let _ = (
            r.tid(),
            r.pid(),
            r.host(),
            r.correlation_id().map(|c| c.as_text()),
        );
        for p in [
            "fields.order_id",
            "context.strategy",
            "fields",
            "thread",
            "a.b.c",
            "",
            ".",
        ] {
            if let Some(v) = r.get(p) {
                let _ = (v.as_str(), v.as_f64(), v.as_u64(), v.to_value());
            }
        }
        // Where serde_json reads the whole line, it agrees with the scanner.
        if let Ok(v) = r.value() {
            assert_eq!(v["level"].as_str(), Some(r.level().as_str()));
            assert_eq!(v["kind"].as_str(), Some(&*r.kind().to_str()));
        }
    }
}

fn read_all(data: Vec<u8>, buffer_bytes: usize, max_line_bytes: usize) {
    let len = data.len() as u64;
    let opts = ReaderOptions {
        buffer_bytes,
        max_line_bytes,
    };
    let mut r = LineReader::from_reader("random", Box::new(Cursor::new(data)), opts);
    let mut last_next = 0;
    let mut lines = Vec::new();
    while let Some(item) = r.next_line() {
        match item {
            Ok(l) => {
                assert!(!l.bytes.contains(&b'\n') && !l.bytes.contains(&0));
                assert_eq!(l.offset + l.bytes.len() as u64 + 1, l.next);
                assert!(l.offset >= last_next && l.next <= len);
                last_next = l.next;
                lines.push(l.bytes.to_vec());
            }
            Err(e) => assert!(e.to_string().starts_with("random: "), "{e}"),
        }
    }
    if let Some(t) = r.tail() {
        assert!(t.offset + t.nul_bytes + t.partial_bytes <= len);
    }
    for l in &lines {
        exercise(l);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(data in bytes(6000), buf in 4096usize..9000, cap in 1usize..3000) {
        read_all(data, buf, cap);
    }

    #[test]
    fn damaged_records_never_panic(cuts in prop::collection::vec((0usize..RECORD.len(), bytes(1)), 0..6), truncate in 0usize..=RECORD.len()) {
        let mut line = RECORD.as_bytes().to_vec();
        for (at, b) in cuts {
            line[at] = b.first().copied().unwrap_or(b'"');
        }
        line.truncate(truncate.max(1));
        exercise(&line);
        let mut data = line.clone();
        data.push(b'\n');
        data.extend_from_slice(RECORD.as_bytes());
        data.push(b'\n');
        read_all(data, 4096, 1 << 20);
    }

    #[test]
    fn random_gzip_input_is_an_error_not_a_panic(data in prop::collection::vec(any::<u8>(), 0..2000), keep in 0usize..100) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.20261121T103045.123.log.gz");
        // Either random bytes, or a real gzip stream cut short.
        let bytes = if keep % 2 == 0 {
            data
        } else {
            use std::io::Write;
            let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            enc.write_all(&data).unwrap();
            let full = enc.finish().unwrap();
            full[..full.len() * keep / 100].to_vec()
        };
        std::fs::write(&path, bytes).unwrap();
        let mut r = LineReader::open_path(&path).unwrap();
        while let Some(item) = r.next_line() {
            if let Err(e) = item {
                prop_assert!(e.to_string().contains("app.20261121T103045.123.log.gz"), "{}", e);
            }
        }
    }
}

#[test]
fn the_record_used_above_is_valid() {
    let r = RecordView::parse(RECORD.as_bytes()).unwrap();
    assert_eq!(r.level(), Level::Warn);
    assert!(r.value().is_ok());
}
