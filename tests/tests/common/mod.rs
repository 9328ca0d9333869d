//! Helpers shared by the integration tests: reading the files back.
#![allow(dead_code)]

use std::io::Read;
use std::path::{Path, PathBuf};

use serde_json::Value;

/// Every file of destination `name` in `dir`, oldest first: rotated files
/// (plain or gzip) in plain byte order of their names, then the active
/// `<name>.log`.
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
    // `<name>.<stamp>[_<seq>].log[.gz]`: plain byte order is rotation order.
    rotated.sort();
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

/// A command that runs this test binary again as a child, running only
/// `test` with `LOGGER_TEST_CHILD=1`, the given environment, and stdout
/// and stderr piped.
pub fn child_command(test: &str, env: &[(&str, &str)]) -> std::process::Command {
    let mut cmd = std::process::Command::new(std::env::current_exe().unwrap());
    cmd.args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env("LOGGER_TEST_CHILD", "1")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

/// What a finished child left: its exit status, stdout and stderr.
pub struct ChildOutput {
    pub status: std::process::ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl ChildOutput {
    /// The value of the first `KEY=value` line of stdout.
    pub fn value(&self, key: &str) -> String {
        let prefix = format!("{key}=");
        self.stdout
            .lines()
            // libtest may print "test name ... " before the child's first line.
            .find_map(|l| l.find(&prefix).map(|at| &l[at + prefix.len()..]))
            .unwrap_or_else(|| {
                panic!(
                    "{key} missing in child output:\n{}\nstderr:\n{}",
                    self.stdout, self.stderr
                )
            })
            .to_string()
    }

    /// The value of `KEY=value` parsed as a number.
    pub fn number(&self, key: &str) -> u64 {
        self.value(key).parse().unwrap()
    }
}

/// Runs test `test` of this binary as a child (see [`child_command`])
/// with a fresh temporary directory in the environment variable `var`;
/// fails unless the child succeeds within `limit`. Returns the directory
/// and what the child printed.
pub fn run_child_in_dir(
    test: &str,
    var: &str,
    limit: std::time::Duration,
) -> (tempfile::TempDir, ChildOutput) {
    let dir = tempfile::tempdir().unwrap();
    let out = run_child(
        child_command(test, &[(var, dir.path().to_str().unwrap())]),
        limit,
    );
    assert!(out.status.success(), "{}\n{}", out.stdout, out.stderr);
    (dir, out)
}

/// Runs `cmd` (stdout and stderr piped) to completion, reading both pipes
/// at once so a chatty child never blocks on a full pipe. The child is
/// killed (and the test fails) if it runs longer than `limit`.
pub fn run_child(cmd: std::process::Command, limit: std::time::Duration) -> ChildOutput {
    try_run_child(cmd, limit).unwrap()
}

/// [`run_child`], with the error of starting the child.
pub fn try_run_child(
    mut cmd: std::process::Command,
    limit: std::time::Duration,
) -> std::io::Result<ChildOutput> {
    let mut child = cmd.spawn()?;
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = out.read_to_end(&mut s);
        String::from_utf8_lossy(&s).into_owned()
    });
    let err = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = err.read_to_end(&mut s);
        String::from_utf8_lossy(&s).into_owned()
    });
    let deadline = std::time::Instant::now() + limit;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            let stdout = out.join().unwrap();
            let stderr = err.join().unwrap();
            panic!("child hung for {limit:?}: killed\nstdout:\n{stdout}\nstderr:\n{stderr}");
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    };
    Ok(ChildOutput {
        status,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    })
}

/// Reads a file the way the logger repairs it: trailing zero padding and
/// a partial last line are not content. Returns every complete line from
/// byte `from` on, parsed (panics naming a line that is not JSON), and
/// the offset just past the last complete line.
pub fn read_repaired(path: &Path, from: usize) -> (Vec<Value>, usize) {
    let raw = std::fs::read(path).unwrap_or_default();
    let end = raw.iter().rposition(|&b| b != 0).map_or(0, |p| p + 1);
    let end = raw[..end]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    assert!(
        end >= from,
        "{}: content shrank from {from} to {end} bytes",
        path.display()
    );
    let lines = raw[from..end]
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .enumerate()
        .map(|(i, l)| {
            serde_json::from_slice(l).unwrap_or_else(|e| {
                panic!(
                    "{} (from byte {from}): line {} is not JSON ({e}): {:?}",
                    path.display(),
                    i + 1,
                    String::from_utf8_lossy(l)
                )
            })
        })
        .collect();
    (lines, end)
}

/// A small deterministic random generator (xorshift64*), seeded from the
/// environment variable `var` when set, else from the clock; the seed is
/// printed so that a failure can be replayed.
pub struct Rng(u64);

impl Rng {
    pub fn from_env(var: &str) -> Rng {
        let seed = std::env::var(var)
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_nanos() as u64
            })
            | 1;
        println!("random seed: {var}={seed}");
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform-ish in `lo..hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo).max(1)
    }
}

/// Ends the process (exit code 99) if the test is still running after
/// `limit`: a hang fails the test instead of stalling CI.
pub fn watchdog(limit: std::time::Duration, what: &'static str) {
    std::thread::spawn(move || {
        std::thread::sleep(limit);
        eprintln!("watchdog: {what} still running after {limit:?}: hung");
        std::process::exit(99);
    });
}

/// Fails at the first line that differs, showing both.
pub fn compare_lines(name: &str, got: &[u8], want: &[u8]) {
    let got_lines: Vec<&[u8]> = got.split(|&b| b == b'\n').collect();
    let want_lines: Vec<&[u8]> = want.split(|&b| b == b'\n').collect();
    for (i, (g, w)) in got_lines.iter().zip(&want_lines).enumerate() {
        assert!(
            g == w,
            "{name} line {}:\n got: {}\nwant: {}",
            i + 1,
            String::from_utf8_lossy(g),
            String::from_utf8_lossy(w)
        );
    }
    assert_eq!(
        got_lines.len(),
        want_lines.len(),
        "{name}: the line counts differ"
    );
}

/// Replaces the values of `"tid"`, `"pid"` and `"host"` of JSON lines
/// (which differ between runs) with `0`, `0` and `"host"`.
pub fn normalise_ids(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let rest = &bytes[i..];
        if let Some(key) = [&b",\"tid\":"[..], b",\"pid\":"]
            .into_iter()
            .find(|k| rest.starts_with(k))
        {
            out.extend_from_slice(key);
            out.push(b'0');
            i += key.len();
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
        } else if rest.starts_with(b",\"host\":\"") {
            out.extend_from_slice(b",\"host\":\"host\"");
            i += b",\"host\":\"".len();
            // Host names hold no quote or backslash.
            while i < bytes.len() && bytes[i] != b'"' {
                i += 1;
            }
            i += 1;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}
