//! `decrypt::open` reads the encrypted rotated files the logger writes
//! (`.log.age` and `.log.gz.age`) given the identity file; a wrong key and
//! a truncated file are errors, never lines. The logger runs in a child
//! process (it installs once per process).

use std::path::{Path, PathBuf};
use std::process::Command;

use age::secrecy::ExposeSecret;
use logger_read::decrypt::{self, Identities};
use logger_read::{LineReader, LogFile, ReaderOptions};

const RECORDS: u64 = 3000;

/// Child: logs `RECORDS` records through 16 KiB files, encrypted.
#[test]
fn child_logs_encrypted() {
    let Ok(dir) = std::env::var("LOGGER_READ_CHILD_DIR") else {
        return;
    };
    let recipient = std::env::var("LOGGER_READ_RECIPIENT").unwrap();
    let compress = std::env::var("LOGGER_READ_COMPRESS").unwrap() == "1";
    let guard = logger::builder()
        .dir(dir)
        .max_file_bytes(Some(16 * 1024))
        .compress(compress)
        .encryption(Some(logger::Encryption::recipients([recipient])))
        .install()
        .unwrap();
    for i in 0..RECORDS {
        log::info!(i = i; "record {i}");
    }
    logger::flush().unwrap();
    drop(guard);
}

fn run_child(dir: &Path, recipient: &str, compress: bool) {
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "child_logs_encrypted",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("LOGGER_READ_CHILD_DIR", dir)
        .env("LOGGER_READ_RECIPIENT", recipient)
        .env("LOGGER_READ_COMPRESS", if compress { "1" } else { "0" })
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
}

/// Rotated files of `app`, oldest first, then the active file.
fn files(dir: &Path) -> Vec<PathBuf> {
    let dest = logger_read::files::destination(dir, "app").unwrap();
    dest.files.iter().map(|f| f.path.clone()).collect()
}

fn ids(r: &mut LineReader) -> Vec<u64> {
    let mut out = Vec::new();
    while let Some(line) = r.next_line() {
        let v: serde_json::Value = serde_json::from_slice(line.unwrap().bytes).unwrap();
        out.push(v["fields"]["i"].as_u64().unwrap());
    }
    out
}

#[test]
fn encrypted_rotated_files_read_back_in_order() {
    if std::env::var("LOGGER_READ_CHILD_DIR").is_ok() {
        return;
    }
    let keys = tempfile::tempdir().unwrap();
    let id = age::x25519::Identity::generate();
    let key_file = keys.path().join("key.txt");
    std::fs::write(
        &key_file,
        format!("# test\n{}\n", id.to_string().expose_secret()),
    )
    .unwrap();
    let identities = Identities::from_file(&key_file).unwrap();
    for compress in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        run_child(dir.path(), &id.to_public().to_string(), compress);
        let paths = files(dir.path());
        let ending = if compress { ".log.gz.age" } else { ".log.age" };
        assert!(paths.len() >= 4, "{paths:?}");
        let mut got = Vec::new();
        for p in &paths {
            let file = LogFile::from_path(p);
            if p.to_string_lossy().ends_with("app.log") {
                assert!(!file.encrypted);
            } else {
                assert!(p.to_string_lossy().ends_with(ending), "{p:?}");
                assert!(file.encrypted, "{p:?}");
                assert!(
                    LineReader::open(&file).is_err(),
                    "the plain reader refuses it"
                );
            }
            let mut r = decrypt::open(&file, &identities, ReaderOptions::default()).unwrap();
            got.extend(ids(&mut r));
        }
        assert_eq!(got, (0..RECORDS).collect::<Vec<_>>(), "compress {compress}");

        // A wrong key: an error naming the file, no lines.
        let other = keys.path().join("other.txt");
        let wrong = age::x25519::Identity::generate();
        std::fs::write(&other, format!("{}\n", wrong.to_string().expose_secret())).unwrap();
        let file = LogFile::from_path(&paths[0]);
        let e = decrypt::open(
            &file,
            &Identities::from_file(&other).unwrap(),
            ReaderOptions::default(),
        )
        .err()
        .expect("a wrong key is an error");
        assert!(e.to_string().contains("cannot decrypt"), "{e}");

        // A truncated file: lines up to the cut at most, then an error.
        let cut = dir.path().join(format!("cut{ending}"));
        let bytes = std::fs::read(&paths[0]).unwrap();
        std::fs::write(&cut, &bytes[..bytes.len() - 100]).unwrap();
        let mut cut_file = LogFile::from_path(&paths[0]);
        cut_file.path = cut;
        let mut r = decrypt::open(&cut_file, &identities, ReaderOptions::default()).unwrap();
        let mut failed = false;
        while let Some(line) = r.next_line() {
            if line.is_err() {
                failed = true;
                break;
            }
        }
        assert!(failed, "a truncated age file ends in an error");
    }
    assert!(Identities::from_file(keys.path().join("missing")).is_err());
}
