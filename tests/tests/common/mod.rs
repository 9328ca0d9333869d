//! Helpers shared by the integration tests: reading the files back.
#![allow(dead_code)]

use std::io::Read;
use std::path::{Path, PathBuf};

use serde_json::Value;

/// Every file of destination `name` in `dir`, oldest first: rotated files
/// (plain or gzip) by name, then the active `<name>.log`.
pub fn files_of(dir: &Path, name: &str) -> Vec<PathBuf> {
    let prefix = format!("{name}.");
    let mut rotated: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            let f = p.file_name().unwrap().to_string_lossy().into_owned();
            f.starts_with(&prefix)
                && f[prefix.len()..].starts_with(|c: char| c.is_ascii_digit())
                && (f.ends_with(".log") || f.ends_with(".log.gz"))
        })
        .collect();
    // `<name>.<stamp>[-<seq>].log[.gz]`: by stamp, then by sequence number.
    rotated.sort_by_key(|p| {
        let f = p.file_name().unwrap().to_string_lossy().into_owned();
        let rest = &f[prefix.len()..];
        let rest = rest.trim_end_matches(".gz").trim_end_matches(".log");
        match rest.split_once('-') {
            Some((stamp, seq)) => (stamp.to_string(), seq.parse::<u32>().unwrap_or(0)),
            None => (rest.to_string(), 0),
        }
    });
    let active = dir.join(format!("{name}.log"));
    if active.exists() {
        rotated.push(active);
    }
    rotated
}

/// The bytes of a file, decompressed when it ends in `.gz`.
pub fn read_bytes(path: &Path) -> Vec<u8> {
    let raw = std::fs::read(path).unwrap();
    if path.extension().is_some_and(|e| e == "gz") {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&raw[..])
            .read_to_end(&mut out)
            .unwrap();
        out
    } else {
        raw
    }
}

/// Parses every line of `bytes`; panics naming the first line that is not JSON.
///
/// A file still open (or left by a crash) ends in the zero padding of its
/// reserved window: like every reader of these files, skip it.
pub fn parse_lines(bytes: &[u8], what: &str) -> Vec<Value> {
    let end = bytes.iter().rposition(|&b| b != 0).map_or(0, |p| p + 1);
    let bytes = &bytes[..end];
    let text = std::str::from_utf8(bytes).unwrap_or_else(|e| panic!("{what}: not UTF-8: {e}"));
    if !text.is_empty() {
        assert!(text.ends_with('\n'), "{what}: does not end with a newline");
    }
    text.lines()
        .enumerate()
        .map(|(i, l)| {
            serde_json::from_str(l)
                .unwrap_or_else(|e| panic!("{what}: line {} is not JSON ({e}): {l:?}", i + 1))
        })
        .collect()
}

/// Every record of destination `name`, oldest file first.
pub fn records(dir: &Path, name: &str) -> Vec<Value> {
    files_of(dir, name)
        .iter()
        .flat_map(|p| parse_lines(&read_bytes(p), &p.display().to_string()))
        .collect()
}

/// Runs this test binary again as a child, running only `test` with
/// `LOGGER_TEST_CHILD=1` and the given extra environment.
pub fn spawn_child(test: &str, env: &[(&str, &str)]) -> std::process::Child {
    let mut cmd = std::process::Command::new(std::env::current_exe().unwrap());
    cmd.args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env("LOGGER_TEST_CHILD", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::inherit());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.spawn().unwrap()
}

/// True in the child process started by [`spawn_child`].
pub fn is_child() -> bool {
    std::env::var_os("LOGGER_TEST_CHILD").is_some()
}
