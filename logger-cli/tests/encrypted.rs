//! Encrypted rotated files (`.log.age`, `.log.gz.age`) through the real
//! `logger` binary: with `--identity` (or `LOGGER_AGE_IDENTITY`) they read
//! in time order with the plain files, for files encrypted by the logger
//! and by the `age` tool; without an identity each is reported, naming the
//! file and the option, and the plain files are still read; a wrong or
//! malformed identity is a clear error. The logger writes in a child
//! process (it installs once per process).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{arg, stderr, stdout};

const RECORDS: u64 = 1500;
const DIR_VAR: &str = "LOGGER_CLI_AGE_DIR";
const RECIPIENT_VAR: &str = "LOGGER_CLI_AGE_RECIPIENT";
const COMPRESS_VAR: &str = "LOGGER_CLI_AGE_COMPRESS";

#[test]
fn child_writer() {
    common::child_main();
}

/// Child: logs `RECORDS` records through 16 KiB files; rotated files are
/// gzip'ed when asked and encrypted to the recipient when one is given.
#[test]
fn child_encrypted_writer() {
    let Ok(dir) = std::env::var(DIR_VAR) else {
        return;
    };
    let recipient = std::env::var(RECIPIENT_VAR).unwrap_or_default();
    let mut b = logger::builder()
        .dir(dir)
        .max_file_bytes(Some(16 * 1024))
        .compress(std::env::var(COMPRESS_VAR).is_ok_and(|v| v == "1"));
    if !recipient.is_empty() {
        b = b.encryption(Some(logger::Encryption::recipients([recipient])));
    }
    let guard = b.install().unwrap();
    for i in 0..RECORDS {
        let _corr = logger::correlation(format!("c-{}", i % 10).as_str());
        log::info!(i = i; "order {i} accepted");
    }
    logger::flush().unwrap();
    drop(guard);
}

fn write(dir: &Path, recipient: &str, compress: bool) {
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "child_encrypted_writer",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(DIR_VAR, dir)
        .env(RECIPIENT_VAR, recipient)
        .env(COMPRESS_VAR, if compress { "1" } else { "0" })
        .env_remove("RUST_LOG")
        .env_remove("LOGGER_LEVEL")
        .output()
        .unwrap();
    assert!(out.status.success(), "writer child failed: {out:?}");
}

/// A tool of the Debian package `age`; fails naming the script that installs it.
fn age_tool(name: &str) -> PathBuf {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    });
    found.unwrap_or_else(|| {
        panic!(
            "`{name}` (Debian package `age`) is not installed: run the tests through \
             scripts/test-all.sh, which installs it (scripts/services/age.sh)"
        )
    })
}

/// A new identity file from the real `age-keygen`: its path and public key.
fn keygen(dir: &Path, name: &str) -> (PathBuf, String) {
    let key = dir.join(name);
    let out = Command::new(age_tool("age-keygen"))
        .arg("-o")
        .arg(&key)
        .output()
        .unwrap();
    assert!(out.status.success(), "age-keygen: {out:?}");
    let text = std::fs::read_to_string(&key).unwrap();
    let public = text
        .lines()
        .find_map(|l| l.strip_prefix("# public key: "))
        .expect("age-keygen writes a `# public key:` line")
        .to_string();
    (key, public)
}

/// The names in `dir` that end in `ending`, sorted.
fn named(dir: &Path, ending: &str) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(ending))
        .collect();
    v.sort();
    v
}

/// Runs `logger` with `args` and the environment `env`.
fn logger(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_logger"));
    c.args(args).env_remove("LOGGER_AGE_IDENTITY");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap()
}

/// `fields.i` of each JSON line of `out`.
fn ids(out: &Output) -> Vec<u64> {
    stdout(out)
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["fields"]["i"].as_u64().unwrap()
        })
        .collect()
}

#[test]
fn logger_encrypted_files_read_with_an_identity_and_reported_without() {
    if std::env::var(DIR_VAR).is_ok() {
        return;
    }
    let keys = tempfile::tempdir().unwrap();
    let (key, recipient) = keygen(keys.path(), "key.txt");
    let (wrong, _) = keygen(keys.path(), "wrong.txt");
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), &recipient, true);
    let d = arg(dir.path());
    let encrypted = named(dir.path(), ".log.gz.age");
    assert!(encrypted.len() >= 3, "{encrypted:?}");
    let plain: Vec<String> = named(dir.path(), ".log")
        .into_iter()
        .filter(|n| n.starts_with("app."))
        .collect();
    assert_eq!(plain, ["app.log"], "only the active file is plain");
    let all: Vec<u64> = (0..RECORDS).collect();

    // --identity (repeatable: the wrong key first does no harm).
    let k = arg(&key);
    let out = logger(
        &[
            "cat",
            "--output",
            "json",
            "-i",
            arg(&wrong),
            "--identity",
            k,
            d,
        ],
        &[],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(ids(&out), all);
    // LOGGER_AGE_IDENTITY.
    let out = logger(
        &["cat", "--output", "json", d],
        &[("LOGGER_AGE_IDENTITY", k)],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(ids(&out), all);

    // No identity: each encrypted file named with the option; the plain
    // active file is still read; exit code 1.
    let out = logger(&["cat", "--output", "json", d], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    for name in encrypted.iter().take(10) {
        assert!(err.contains(name.as_str()), "{name} not named in: {err}");
    }
    assert!(err.contains("--identity"), "{err}");
    let plain = ids(&out);
    assert!(!plain.is_empty() && plain.len() < all.len());
    assert_eq!(plain, all[all.len() - plain.len()..]);

    // A wrong identity: the file and why, exit 1.
    let out = logger(&["cat", "-i", arg(&wrong), d], &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains(encrypted[0].as_str()), "{err}");
    assert!(err.contains("cannot decrypt"), "{err}");
    assert!(err.contains("wrong.txt"), "names the identity tried: {err}");

    // Not an identity file, or none there: a usage error naming the option.
    let bogus = keys.path().join("bogus.txt");
    std::fs::write(&bogus, "age1notasecretkey\n").unwrap();
    for bad in [bogus, keys.path().join("missing.txt")] {
        let out = logger(&["cat", "-i", arg(&bad), d], &[]);
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.contains("--identity") && err.contains(arg(&bad)),
            "{err}"
        );
    }

    // The other reading commands take it too.
    let out = logger(&["check", "-i", k, d], &[]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    assert!(
        stdout(&out).contains(&format!("{RECORDS} lines")),
        "{}",
        stdout(&out)
    );
    let out = logger(&["check", d], &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("--identity"), "{}", stdout(&out));

    let out = logger(&["trace", "--output", "json", "c-3", "-i", k, d], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let want: Vec<u64> = all.iter().copied().filter(|i| i % 10 == 3).collect();
    assert_eq!(ids(&out), want);

    let out = logger(&["tail", "-n", "5", "--output", "json", "-i", k, d], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(ids(&out), all[all.len() - 5..]);

    let out = logger(&["stats", "--json", "-i", k, d], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["records"], RECORDS, "{v}");
}

#[test]
fn files_encrypted_by_the_age_tool_read_in_order_with_plain_ones() {
    if std::env::var(DIR_VAR).is_ok() {
        return;
    }
    let keys = tempfile::tempdir().unwrap();
    let (key, recipient) = keygen(keys.path(), "key.txt");
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "", false);
    let rotated: Vec<String> = named(dir.path(), ".log")
        .into_iter()
        .filter(|n| n.starts_with("app.2"))
        .collect();
    assert!(rotated.len() >= 4, "{rotated:?}");
    // The first rotated file as `age -r` makes it; the second gzip'ed, then
    // encrypted; the others stay plain.
    let age = |input: &Path, output: &Path| {
        let out = Command::new(age_tool("age"))
            .arg("-r")
            .arg(&recipient)
            .arg("-o")
            .arg(output)
            .arg(input)
            .output()
            .unwrap();
        assert!(out.status.success(), "age: {out:?}");
    };
    let first = dir.path().join(&rotated[0]);
    age(&first, &dir.path().join(format!("{}.age", rotated[0])));
    std::fs::remove_file(&first).unwrap();
    let second = dir.path().join(&rotated[1]);
    let gz = dir.path().join(format!("{}.gz", rotated[1]));
    let status = Command::new("gzip").arg(&second).status().unwrap();
    assert!(status.success());
    age(&gz, &dir.path().join(format!("{}.gz.age", rotated[1])));
    std::fs::remove_file(&gz).unwrap();

    let d = arg(dir.path());
    let out = logger(&["cat", "--output", "json", "-i", arg(&key), d], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(ids(&out), (0..RECORDS).collect::<Vec<_>>());

    let out = logger(&["cat", "--output", "json", d], &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains(&format!("{}.age", rotated[0])), "{err}");
    assert!(err.contains(&format!("{}.gz.age", rotated[1])), "{err}");
    let got = ids(&out);
    assert!(got.windows(2).all(|w| w[0] < w[1]), "in order");
    assert_eq!(*got.last().unwrap(), RECORDS - 1);
}
