//! Encryption at rest of rotated files: the real `age -d` gives back what
//! was logged (compressed or not); SIGKILL while rotated files are being
//! encrypted, 20 rounds, loses no record acknowledged by `flush()`, and
//! the next start removes leftover temporary files and encrypts what a
//! crash left plain. Each scenario installs the logger in a child process.

mod common;
mod security_support;

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use security_support::{age_decrypt_cli, gunzip_if, identity_of, ids, keygen, names, plaintext};

const RECORDS: u64 = 4000;

fn builder(dir: &str, compress: bool, recipient: &str) -> logger::Builder {
    logger::builder()
        .dir(dir)
        .max_file_bytes(Some(32 * 1024))
        .compress(compress)
        .encryption(Some(logger::Encryption::recipients([recipient])))
}

/// Child: logs `RECORDS` records through several rotations, then stops.
#[test]
fn child_logs_and_stops() {
    if !common::is_child() {
        return;
    }
    let env = |k: &str| std::env::var(k).unwrap();
    let compress = env("LOGGER_TEST_COMPRESS") == "1";
    let guard = builder(
        &env("LOGGER_TEST_DIR"),
        compress,
        &env("LOGGER_TEST_RECIPIENT"),
    )
    .install()
    .unwrap();
    for i in 0..RECORDS {
        log::info!(i = i, side = "buy"; "order {i} accepted by the venue");
    }
    logger::flush().unwrap();
    drop(guard);
}

#[test]
fn age_cli_decrypts_rotated_files_to_what_was_logged() {
    if common::is_child() {
        return;
    }
    let keys = tempfile::tempdir().unwrap();
    let (key, recipient) = keygen(keys.path());
    for compress in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let out = common::run_child(
            common::child_command(
                "child_logs_and_stops",
                &[
                    ("LOGGER_TEST_DIR", dir.path().to_str().unwrap()),
                    ("LOGGER_TEST_COMPRESS", if compress { "1" } else { "0" }),
                    ("LOGGER_TEST_RECIPIENT", &recipient),
                ],
            ),
            Duration::from_secs(60),
        );
        assert!(out.status.success(), "{}\n{}", out.stdout, out.stderr);
        let ending = if compress { ".log.gz.age" } else { ".log.age" };
        let all = names(dir.path());
        let mut rotated: Vec<&String> = all.iter().filter(|n| n.starts_with("app.2")).collect();
        // `<stamp>.log`, then `<stamp>-1.log`, ...
        rotated.sort_by_key(|n| {
            let stem = &n[..n.find(".log").unwrap()];
            match stem.rsplit_once('-') {
                Some((stamp, seq)) => (stamp.to_string(), seq.parse::<u32>().unwrap()),
                None => (stem.to_string(), 0),
            }
        });
        assert!(rotated.len() >= 3, "{all:?}");
        assert!(rotated.iter().all(|n| n.ends_with(ending)), "{all:?}");
        let mut bytes = Vec::new();
        for name in &rotated {
            let clear = age_decrypt_cli(&dir.path().join(name), &key);
            bytes.extend(gunzip_if(clear, compress));
        }
        bytes.extend(std::fs::read(dir.path().join("app.log")).unwrap());
        let records = common::parse_lines(&bytes, "decrypted files");
        let got: Vec<u64> = records
            .iter()
            .map(|r| r["fields"]["i"].as_u64().unwrap())
            .collect();
        let first_wrong = got.iter().zip(0..).position(|(&g, i)| g != i);
        assert_eq!(
            first_wrong, None,
            "compress {compress}: out of order or missing"
        );
        assert_eq!(got.len() as u64, RECORDS, "compress {compress}");
        assert!(records.iter().all(|r| r["fields"]["side"] == "buy"));
        // The plaintext is nowhere but in the active file.
        for name in rotated {
            let raw = std::fs::read(dir.path().join(name)).unwrap();
            assert!(raw.starts_with(b"age-encryption.org/v1\n"), "{name}");
            assert!(!raw.windows(8).any(|w| w == b"accepted"), "{name}");
        }
    }
}

/// Child: logs until killed, printing `ACK=<i>` after each `flush()` that
/// returned (every record up to `i` is in a file).
#[test]
fn child_logs_until_killed() {
    if !common::is_child() {
        return;
    }
    let env = |k: &str| std::env::var(k).unwrap();
    let _guard = builder(&env("LOGGER_TEST_DIR"), true, &env("LOGGER_TEST_RECIPIENT"))
        .install()
        .unwrap();
    for i in 0u64.. {
        log::info!(i = i; "order {i} accepted by the venue, a line to fill the files");
        if i % 100 == 99 {
            logger::flush().unwrap();
            println!("ACK={i}");
            // About 20,000 records a second: a 32 KiB file every ~20 ms,
            // so a kill often lands while one is being encrypted, and the
            // test has little to decrypt afterwards.
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

/// Child: installs with the same options and stops at once: the start-up
/// sweep deletes temporary files and encrypts plain rotated files.
#[test]
fn child_restarts() {
    if !common::is_child() {
        return;
    }
    let env = |k: &str| std::env::var(k).unwrap();
    let guard = builder(&env("LOGGER_TEST_DIR"), true, &env("LOGGER_TEST_RECIPIENT"))
        .install()
        .unwrap();
    drop(guard);
}

/// Every record id in the files of `dir` (every form, complete lines).
fn all_ids(dir: &Path, identity: &age::x25519::Identity) -> BTreeSet<u64> {
    names(dir)
        .iter()
        .filter(|n| n.starts_with("app.") && !n.ends_with(".tmp"))
        .flat_map(|n| ids(&plaintext(&dir.join(n), identity)))
        .collect()
}

#[test]
fn sigkill_during_encryption_loses_nothing_20_rounds() {
    if common::is_child() {
        return;
    }
    let keys = tempfile::tempdir().unwrap();
    let (key, recipient) = keygen(keys.path());
    let identity = identity_of(&key);
    let mut rng = common::Rng::from_env("LOGGER_TEST_SEED");
    let mut caught_mid_way = 0;
    for round in 0..20 {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().to_str().unwrap();
        let env = [
            ("LOGGER_TEST_DIR", d),
            ("LOGGER_TEST_RECIPIENT", &recipient),
        ];
        let mut child = common::spawn_child("child_logs_until_killed", &env);
        let (tx, rx) = mpsc::channel();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        let reader = std::thread::spawn(move || {
            for line in stdout.lines().map_while(Result::ok) {
                if let Some(at) = line.find("ACK=") {
                    let _ = tx.send(line[at + 4..].trim().parse::<u64>().unwrap());
                }
            }
        });
        // Wait for some rotations, then kill at a random moment.
        let first = rx.recv_timeout(Duration::from_secs(30)).expect("no ACK");
        std::thread::sleep(Duration::from_millis(rng.range(50, 400)));
        // SAFETY: plain FFI call with the pid of our own child.
        unsafe { libc::kill(child.id() as i32, libc::SIGKILL) };
        assert!(!child.wait().unwrap().success());
        reader.join().unwrap();
        let acked = rx.try_iter().last().unwrap_or(first);

        let after_kill = names(dir.path());
        let mid_way = after_kill.iter().any(|n| n.ends_with(".age.tmp"))
            || after_kill.iter().any(|n| {
                n.starts_with("app.2")
                    && n.ends_with(".gz")
                    && after_kill.contains(&format!("{n}.age"))
            });
        caught_mid_way += usize::from(mid_way);
        let got = all_ids(dir.path(), &identity);
        let missing: Vec<u64> = (0..=acked).filter(|i| !got.contains(i)).collect();
        assert!(
            missing.is_empty(),
            "round {round}: {} acknowledged records lost (first {:?}); files {after_kill:?}",
            missing.len(),
            &missing[..missing.len().min(5)]
        );

        let out = common::run_child(
            common::child_command("child_restarts", &env),
            Duration::from_secs(60),
        );
        assert!(out.status.success(), "{}\n{}", out.stdout, out.stderr);
        let after = names(dir.path());
        for n in after.iter().filter(|n| n.starts_with("app.2")) {
            assert!(
                n.ends_with(".log.gz.age"),
                "round {round}: {n} left after restart: {after:?}"
            );
        }
        let again = all_ids(dir.path(), &identity);
        let missing = (0..=acked).filter(|i| !again.contains(i)).count();
        assert_eq!(missing, 0, "round {round}: lost after restart: {after:?}");
    }
    println!("rounds killed while a rotated file was being encrypted: {caught_mid_way} of 20");
}
