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

/// Child: logs `RECORDS` records through 16 KiB files, encrypted to
/// `LOGGER_READ_RECIPIENT` unless it is empty.
#[test]
fn child_logs_encrypted() {
    let Ok(dir) = std::env::var("LOGGER_READ_CHILD_DIR") else {
        return;
    };
    let recipient = std::env::var("LOGGER_READ_RECIPIENT").unwrap();
    let compress = std::env::var("LOGGER_READ_COMPRESS").unwrap() == "1";
    let encryption = (!recipient.is_empty()).then(|| logger::Encryption::recipients([recipient]));
    let guard = logger::builder()
        .dir(dir)
        .max_file_bytes(Some(16 * 1024))
        .compress(compress)
        .encryption(encryption)
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

/// Every line of `f`'s batches until a poll finds nothing new, with the
/// errors met; fails if a file is lost.
fn drain(f: &mut logger_read::Follower, ids: &mut Vec<u64>, errors: &mut Vec<String>) {
    loop {
        let batch = f.poll().unwrap();
        assert!(batch.gaps.is_empty(), "{:?}", batch.gaps);
        errors.extend(batch.errors.iter().map(|e| e.to_string()));
        if batch.is_empty() {
            return;
        }
        for line in batch.lines() {
            let v: serde_json::Value = serde_json::from_slice(line.bytes).unwrap();
            ids.push(v["fields"]["i"].as_u64().unwrap());
        }
    }
}

fn key_file(dir: &Path, name: &str) -> (PathBuf, age::x25519::Identity) {
    let id = age::x25519::Identity::generate();
    let path = dir.join(name);
    std::fs::write(&path, format!("{}\n", id.to_string().expose_secret())).unwrap();
    (path, id)
}

#[test]
fn merge_and_follower_read_encrypted_files_with_identities_and_report_them_without() {
    if std::env::var("LOGGER_READ_CHILD_DIR").is_ok() {
        return;
    }
    let keys = tempfile::tempdir().unwrap();
    let (key, id) = key_file(keys.path(), "key.txt");
    let (wrong, _) = key_file(keys.path(), "wrong.txt");
    let identities = Identities::from_files(&[wrong.clone(), key]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    run_child(dir.path(), &id.to_public().to_string(), true);
    let all: Vec<u64> = (0..RECORDS).collect();
    let encrypted = files(dir.path()).len() - 1;

    let merged = |keys: Option<Identities>| {
        let dests = logger_read::discover(&[dir.path().to_path_buf()]).unwrap();
        let mut m = logger_read::Merge::new(dests).identities(keys);
        let (mut got, mut errors) = (Vec::new(), Vec::new());
        while let Some(item) = m.next_line() {
            match item {
                Ok(l) => {
                    let v: serde_json::Value = serde_json::from_slice(l.line.bytes).unwrap();
                    got.push(v["fields"]["i"].as_u64().unwrap());
                }
                Err(e) => errors.push(e),
            }
        }
        (got, errors)
    };
    let (got, errors) = merged(Some(identities.clone()));
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(got, all);
    let (got, errors) = merged(None);
    assert_eq!(errors.len(), encrypted);
    for e in &errors {
        assert!(matches!(e.kind(), logger_read::ErrorKind::Encrypted), "{e}");
        assert!(e.path().unwrap().to_string_lossy().ends_with(".log.gz.age"));
    }
    assert!(!got.is_empty() && got == all[all.len() - got.len()..]);
    let (got, errors) = merged(Some(Identities::from_file(&wrong).unwrap()));
    assert_eq!(errors.len(), encrypted);
    for e in &errors {
        assert!(
            matches!(e.kind(), logger_read::ErrorKind::Decrypt(_)),
            "{e}"
        );
        assert!(e.to_string().contains("wrong.txt"), "{e}");
    }
    assert_eq!(got, all[all.len() - got.len()..]);

    let mut f = logger_read::Follower::new(dir.path(), "app").identities(Some(identities));
    let (mut got, mut errors) = (Vec::new(), Vec::new());
    drain(&mut f, &mut got, &mut errors);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(got, all);
    let mut f = logger_read::Follower::new(dir.path(), "app");
    let (mut got, mut errors) = (Vec::new(), Vec::new());
    drain(&mut f, &mut got, &mut errors);
    assert_eq!(errors.len(), encrypted, "each encrypted file reported once");
    assert!(
        errors.iter().all(|e| e.contains("--identity")),
        "{errors:?}"
    );
    assert_eq!(got, all[all.len() - got.len()..]);
}

/// A rotated file encrypted while a follower is half-way through it is
/// read on from the same position: every record once, no gap.
#[test]
fn follower_reads_on_in_a_file_encrypted_under_it() {
    if std::env::var("LOGGER_READ_CHILD_DIR").is_ok() {
        return;
    }
    let keys = tempfile::tempdir().unwrap();
    let (key, id) = key_file(keys.path(), "key.txt");
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["child_logs_encrypted", "--exact", "--test-threads=1"])
        .env("LOGGER_READ_CHILD_DIR", dir.path())
        .env("LOGGER_READ_RECIPIENT", "")
        .env("LOGGER_READ_COMPRESS", "0")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let mut f = logger_read::Follower::new(dir.path(), "app")
        .identities(Some(Identities::from_file(&key).unwrap()))
        .max_batch(50, 1 << 20);
    let mut got = Vec::new();
    for line in f.poll().unwrap().lines() {
        let v: serde_json::Value = serde_json::from_slice(line.bytes).unwrap();
        got.push(v["fields"]["i"].as_u64().unwrap());
    }
    assert_eq!(got.len(), 50);
    // Encrypt every rotated file (the first one gzip'ed first), as the
    // logger's housekeeping does, and remove the plain ones.
    let rotated: Vec<PathBuf> = files(dir.path())
        .into_iter()
        .filter(|p| !p.ends_with("app.log"))
        .collect();
    assert!(rotated.len() >= 3, "{rotated:?}");
    for (n, p) in rotated.iter().enumerate() {
        let mut plain = std::fs::read(p).unwrap();
        let mut name = format!("{}", p.display());
        if n == 0 {
            use std::io::Write;
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            gz.write_all(&plain).unwrap();
            plain = gz.finish().unwrap();
            name.push_str(".gz");
        }
        let recipient = id.to_public();
        let enc =
            age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
                .unwrap();
        let mut w = enc
            .wrap_output(std::fs::File::create(format!("{name}.age")).unwrap())
            .unwrap();
        std::io::Write::write_all(&mut w, &plain).unwrap();
        w.finish().unwrap();
        std::fs::remove_file(p).unwrap();
    }
    let mut errors = Vec::new();
    drain(&mut f, &mut got, &mut errors);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(got, (0..RECORDS).collect::<Vec<_>>());
}

/// The shipper's `identity_file`: loaded when the configuration is
/// checked; a missing or malformed file is an error naming the option and
/// the file.
#[test]
fn ship_config_identity_file_is_checked() {
    if std::env::var("LOGGER_READ_CHILD_DIR").is_ok() {
        return;
    }
    use logger_read::ship::ShipConfig;
    let keys = tempfile::tempdir().unwrap();
    let (key, _) = key_file(keys.path(), "key.txt");
    let bogus = keys.path().join("bogus.txt");
    std::fs::write(&bogus, "# a comment\nnot a key\n").unwrap();
    let conf = |path: &Path| {
        let text = format!(
            "paths = [\"logs\"]\nidentity_file = {:?}\n[postgres]\nurl = \"postgres://u@127.0.0.1/db\"\n",
            path.display().to_string()
        );
        ShipConfig::from_toml(&text, Path::new("ship.toml"))
    };
    let c = conf(&key).unwrap();
    assert_eq!(c.identities().unwrap().unwrap().sources(), [key]);
    for (bad, why) in [
        (bogus, "line 2: not an age identity"),
        (keys.path().join("missing.txt"), "no such file"),
    ] {
        let e = conf(&bad).unwrap_err().to_string();
        assert!(
            e.contains("ship.toml") && e.contains("identity_file"),
            "{e}"
        );
        assert!(
            e.contains(&bad.display().to_string()) && e.contains(why),
            "{e}"
        );
    }
}
