//! `cat` and `trace` over a directory whose rotated files were moved into
//! `archive/` (gzipped) and whose services have their own files: every
//! record once, in time order, read back through `archive/`.

mod common;

use std::io::Read;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::{arg, cli, stderr, stdout};
use serde_json::Value;

const CHILD_VAR: &str = "LOGGER_CLI_TEST_ARCHIVE_DIR";
const ORDERS: u64 = 300;

/// The child: small files that rotate often, every rotated file archived at
/// once, two services with their own files.
#[test]
fn child_archiving_writer() {
    let Some(dir) = std::env::var_os(CHILD_VAR) else {
        return;
    };
    let dir = Path::new(&dir);
    let guard = logger::builder()
        .dir(dir)
        .max_file_bytes(Some(16 << 10))
        .window_bytes(64 << 10)
        .archive_after_days(Some(0))
        .service_spec(
            logger::ServiceSpec::new("execution")
                .prefix("desk::execution")
                .file(logger::FileSpec::new("execution")),
        )
        .service_spec(
            logger::ServiceSpec::new("risk")
                .prefix("desk::risk")
                .level(log::LevelFilter::Warn)
                .file(logger::FileSpec::new("risk")),
        )
        .install()
        .expect("install");
    for i in 0..ORDERS {
        let id = format!("a-{i}");
        let _corr = logger::correlation(id.as_str());
        log::info!(target: "desk::execution::orders", order_id = i; "order placed");
        log::info!(target: "desk::risk", order_id = i; "checked");
        if i % 30 == 29 {
            log::warn!(target: "desk::risk::limits", order_id = i; "limit near");
        }
        log::info!(target: "desk::strategy", order_id = i; "signal");
        if i % 50 == 49 {
            // Rotations in different milliseconds get different names.
            std::thread::sleep(Duration::from_millis(2));
        }
    }
    logger::flush().expect("flush");
    // Wait (bounded) for the housekeeper to archive a rotated app file.
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline && archived(dir, "app").is_empty() {
        std::thread::sleep(Duration::from_millis(20));
    }
    drop(guard);
}

/// The archived files of `stem`.
fn archived(dir: &Path, stem: &str) -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(dir.join("archive"))
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| {
                    let n = p.file_name().unwrap().to_string_lossy().into_owned();
                    n.starts_with(&format!("{stem}.")) && n.ends_with(".log.gz")
                })
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// Every line of `stem`: archived files (gunzipped), then rotated files
/// still in the directory, then the active file; read without the reader.
fn all_lines(dir: &Path, stem: &str) -> Vec<String> {
    let mut out = Vec::new();
    for p in archived(dir, stem) {
        let mut text = String::new();
        flate2::read::GzDecoder::new(std::fs::File::open(&p).unwrap())
            .read_to_string(&mut text)
            .unwrap();
        out.extend(text.lines().map(String::from));
    }
    out.extend(common::lines_of(dir, stem));
    out
}

fn write_logs() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "child_archiving_writer",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_VAR, dir.path())
        .env_remove("RUST_LOG")
        .env_remove("LOGGER_LEVEL")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "writer child failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    dir
}

#[test]
fn cat_and_trace_read_archive_and_service_files() {
    if std::env::var_os(CHILD_VAR).is_some() {
        return;
    }
    let dir = write_logs();
    let d = dir.path();
    assert!(
        archived(d, "app").len() >= 2,
        "the writer archived too few app files: {:?}",
        std::fs::read_dir(d.join("archive")).map(|r| r.count())
    );
    let app = all_lines(d, "app");
    // 2 records per order (the risk service's `info` ones are below its
    // level), plus the risk warnings.
    assert_eq!(app.len() as u64, 2 * ORDERS + ORDERS / 30);
    let execution = all_lines(d, "execution");
    assert_eq!(execution.len() as u64, ORDERS);
    assert_eq!(all_lines(d, "risk").len() as u64, ORDERS / 30);

    let out = cli(&["cat", "--output", "json", arg(d)]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let mut printed: Vec<&str> = text.lines().collect();
    // Every record once, whatever files hold it (app.log and a service's).
    let mut expected: Vec<&str> = app.iter().map(String::as_str).collect();
    expected.sort_unstable();
    let in_order = printed.clone();
    printed.sort_unstable();
    assert_eq!(printed, expected);
    let ts = |l: &str| {
        serde_json::from_str::<Value>(l).unwrap()["ts"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert!(
        in_order.windows(2).all(|w| ts(w[0]) <= ts(w[1])),
        "cat is in time order"
    );

    // The first order's records are in an archived file.
    let first = archived(d, "app")[0].clone();
    let mut head = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(&first).unwrap())
        .read_to_string(&mut head)
        .unwrap();
    assert!(head.contains("\"correlation_id\":\"a-0\""), "{head:.300}");
    let out = cli(&["trace", "a-0", "--output", "json", arg(d)]);
    assert!(out.status.success(), "{}", stderr(&out));
    let traced: Vec<Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let msgs: Vec<&str> = traced.iter().map(|r| r["msg"].as_str().unwrap()).collect();
    assert_eq!(msgs, ["order placed", "signal"], "{traced:?}");
    assert_eq!(traced[0]["service"], "execution");
}
