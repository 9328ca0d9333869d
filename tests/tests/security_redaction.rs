//! Redaction: configured field values (in `log` key-values, `trade!`
//! fields and bound context) never reach a file or the console; hashed
//! values are the keyed HMAC-SHA-256 of the value, equal for equal inputs.
//! The logger is installed in a child process.

mod common;
mod security_support;

use std::collections::BTreeMap;
use std::io::Read;
use std::time::Duration;

use hmac::{Hmac, Mac};
use logger::RedactAction;
use sha2::Sha256;

const KEY: &[u8] = b"a 32-byte key for the redaction!";
const PASSWORD: &str = "pw-Tr0ub4dor&3";
const ACCOUNT: &str = "DE89370400440532013000";
const CLIENTS: [&str; 2] = ["client-ACME-77", "client-Initech-12"];

/// Child: logs secrets in every place a field can be, through rotation and
/// compression, with a console on stderr.
#[test]
fn child_logs_secrets() {
    if !common::is_child() {
        return;
    }
    let dir = std::env::var("LOGGER_TEST_DIR").unwrap();
    let key_file = std::path::Path::new(&dir).join("..").join("redact.key");
    std::fs::write(&key_file, [KEY, b"\n"].concat()).unwrap();
    let guard = logger::builder()
        .dir(&dir)
        .max_file_bytes(Some(16 * 1024))
        .compress(true)
        .console(Some(log::LevelFilter::Info))
        .console_color(logger::ConsoleColor::Never)
        .redact("password", RedactAction::Mask)
        .redact("client*", RedactAction::Hash)
        .redact("account", RedactAction::KeepLast(4))
        .redact_key_file(&key_file)
        .install()
        .unwrap();
    for i in 0..400u64 {
        let client = CLIENTS[(i % 2) as usize];
        let _cx = logger::bind!(client_id = client, desk = "rates");
        log::info!(i = i, password = PASSWORD, account = ACCOUNT; "login");
        logger::trade!(
            symbol = "AAPL",
            side = "buy",
            qty = i,
            price = 1.5,
            account = ACCOUNT,
            client = client
        );
    }
    logger::flush().unwrap();
    drop(guard);
}

fn hmac_hex(value: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(KEY).unwrap();
    mac.update(value.as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn secrets_never_reach_a_file_or_the_console() {
    if common::is_child() {
        return;
    }
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("logs");
    std::fs::create_dir(&dir).unwrap();
    let out = common::run_child(
        common::child_command(
            "child_logs_secrets",
            &[("LOGGER_TEST_DIR", dir.to_str().unwrap())],
        ),
        Duration::from_secs(60),
    );
    assert!(out.status.success(), "{}\n{}", out.stdout, out.stderr);
    let secrets = [PASSWORD, ACCOUNT, CLIENTS[0], CLIENTS[1]];

    // Every byte of every file in the directory, raw and gunzipped.
    let files = security_support::names(&dir);
    assert!(files.iter().any(|f| f.ends_with(".log.gz")), "{files:?}");
    let mut records = Vec::new();
    for f in &files {
        let raw = std::fs::read(dir.join(f)).unwrap();
        let clear = if f.ends_with(".gz") {
            let mut v = Vec::new();
            flate2::read::GzDecoder::new(&raw[..])
                .read_to_end(&mut v)
                .unwrap();
            v
        } else {
            raw.clone()
        };
        for s in secrets {
            for bytes in [&raw, &clear] {
                assert!(
                    !bytes.windows(s.len()).any(|w| w == s.as_bytes()),
                    "{s:?} found in {f}"
                );
            }
        }
        if f.starts_with("app.") {
            records.extend(common::parse_lines(&clear, f));
        }
    }
    for s in secrets {
        assert!(!out.stderr.contains(s), "{s:?} on the console");
    }
    assert!(
        out.stderr.contains("password=***"),
        "console lines are redacted too"
    );

    // 400 log records and 400 trades, each redacted the same way.
    assert_eq!(records.len(), 800);
    let mut hash_of: BTreeMap<String, String> = BTreeMap::new();
    for r in &records {
        let fields = &r["fields"];
        assert_eq!(fields["account"], "3000", "{r}");
        if r["kind"] == "log" {
            assert_eq!(fields["password"], "***", "{r}");
        }
        let i = fields
            .get("i")
            .or_else(|| fields.get("qty"))
            .and_then(|v| v.as_u64())
            .unwrap();
        let client = CLIENTS[(i % 2) as usize];
        let in_context = r["context"]["client_id"].as_str().unwrap().to_string();
        assert_eq!(in_context, hmac_hex(client), "{r}");
        if r["kind"] == "trade" {
            assert_eq!(fields["client"].as_str().unwrap(), in_context, "{r}");
        }
        assert_eq!(r["context"]["desk"], "rates", "unmatched fields are kept");
        hash_of
            .entry(client.to_string())
            .and_modify(|h| assert_eq!(*h, in_context, "equal values, equal hashes"))
            .or_insert(in_context);
    }
    assert_eq!(hash_of.len(), 2);
    assert_ne!(hash_of[CLIENTS[0]], hash_of[CLIENTS[1]]);
}

/// Child: installs with the options in `LOGGER_TEST_CASE`, prints the error.
#[test]
fn child_installs_bad_options() {
    if !common::is_child() {
        return;
    }
    let b = logger::builder().dir(std::env::var("LOGGER_TEST_DIR").unwrap());
    let b = match std::env::var("LOGGER_TEST_CASE").unwrap().as_str() {
        "pattern" => b.redact("acct id", RedactAction::Mask),
        "no key" => b.redact("acct", RedactAction::Hash),
        "key file" => b
            .redact("acct", RedactAction::Hash)
            .redact_key_file("/nonexistent/redact.key"),
        "recipient" => b.encryption(Some(logger::Encryption::recipients(["age1wrong"]))),
        "mode" => b.file_mode(0o1640),
        other => panic!("{other}"),
    };
    match b.install() {
        Ok(_) => println!("RESULT=installed"),
        Err(logger::InitError::InvalidOption { option, .. }) => println!("RESULT={option}"),
        Err(e) => println!("RESULT=other: {e}"),
    }
}

#[test]
fn bad_security_options_fail_install_naming_the_option() {
    if common::is_child() {
        return;
    }
    for (case, option) in [
        ("pattern", "redact"),
        ("no key", "redact_key"),
        ("key file", "redact_key_file"),
        ("recipient", "encryption"),
        ("mode", "file_mode"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let out = common::run_child(
            common::child_command(
                "child_installs_bad_options",
                &[
                    ("LOGGER_TEST_DIR", dir.path().to_str().unwrap()),
                    ("LOGGER_TEST_CASE", case),
                ],
            ),
            Duration::from_secs(60),
        );
        assert!(out.status.success(), "{}\n{}", out.stdout, out.stderr);
        assert_eq!(out.value("RESULT"), option, "{case}");
    }
}
