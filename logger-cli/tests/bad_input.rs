//! Bad input: a clear message naming the path, line or argument, a non-zero
//! exit code, never a panic; a closed stdout ends the command quietly.

mod common;

use std::io::Read;
use std::process::{Command, Stdio};

use common::{arg, cli, stderr, stdout};

#[test]
fn child_writer() {
    common::child_main();
}

/// Never a panic: Rust's panic message and exit code 101 are both absent.
fn no_panic(o: &std::process::Output) {
    assert_ne!(o.status.code(), Some(101), "{}", stderr(o));
    assert!(!stderr(o).contains("panicked"), "{}", stderr(o));
}

#[test]
fn missing_paths_and_directories_without_logs() {
    let out = cli(&["cat", "/no/such/dir"]);
    no_panic(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("/no/such/dir: no such file or directory"),
        "{}",
        stderr(&out)
    );

    let empty = tempfile::tempdir().unwrap();
    std::fs::write(empty.path().join("notes.txt"), "not a log").unwrap();
    for cmd in ["cat", "stats", "check", "trace"] {
        let mut args = vec![cmd];
        if cmd == "trace" {
            args.push("id-1");
        }
        args.push(arg(empty.path()));
        let out = cli(&args);
        no_panic(&out);
        assert_eq!(out.status.code(), Some(1), "{cmd}");
        assert!(
            stderr(&out).contains("no log files"),
            "{cmd}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn files_of_another_format_name_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("app.log");
    std::fs::write(
        &text,
        "2026-11-21 10:30:45.123456789 | WARN  | risk:42 | limit breached\nsecond line\n",
    )
    .unwrap();
    // Recognised from its first lines and skipped with one message (see
    // "Files in another format" in docs/configuration.md), not a message
    // per line; with nothing else to read, an error.
    let out = cli(&["cat", arg(&text)]);
    no_panic(&out);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "{}: 1 file written in the text format",
            text.display()
        )),
        "{err}"
    );
    assert!(
        err.contains("no log files in the standard JSON lines format"),
        "{err}"
    );
    assert!(!err.contains("not a record:"), "{err}");

    // `check` reports it as one problem.
    let out = cli(&["check", arg(dir.path())]);
    no_panic(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains(&format!(
            "{}: written in the text format, not the standard JSON lines: not checked",
            text.display()
        )),
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out).contains("1 files in another format"),
        "{}",
        stdout(&out)
    );

    // Random bytes, newlines and NULs among them.
    let mut seed = 0x9e3779b97f4a7c15u64;
    let bytes: Vec<u8> = (0..20_000)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 56) as u8
        })
        .collect();
    let random = dir.path().join("random.log");
    std::fs::write(&random, &bytes).unwrap();
    for cmd in ["cat", "stats", "check"] {
        let out = cli(&[cmd, arg(&random)]);
        no_panic(&out);
        assert_eq!(out.status.code(), Some(1), "{cmd}");
    }
    // A JSON line without the record's keys: JSON with renamed keys.
    let json = dir.path().join("other.log");
    std::fs::write(&json, "{\"time\":1,\"message\":\"hi\"}\n").unwrap();
    let out = cli(&["cat", arg(&json)]);
    no_panic(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out)
            .contains("other.log: 1 file JSON with renamed keys (`message` is not a record key)"),
        "{}",
        stderr(&out)
    );
    // One damaged line among records is still reported as a line.
    let mixed = dir.path().join("mixed.log");
    std::fs::write(
        &mixed,
        "{\"time\":1}\n{\"ts\":\"2026-11-21T10:30:45Z\",\"level\":\"INFO\",\"kind\":\"log\",\"target\":\"a\",\"msg\":\"ok\"}\n",
    )
    .unwrap();
    let out = cli(&["cat", arg(&mixed)]);
    no_panic(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("mixed.log: line 1: not a record"),
        "{}",
        stderr(&out)
    );
    assert!(stdout(&out).contains(" ok"), "{}", stdout(&out));
}

#[test]
fn a_truncated_gzip_names_the_file_after_the_lines_it_could_read() {
    let dir = common::write_logs("z");
    let gz = common::files_of(dir.path(), "app")
        .into_iter()
        .find(|p| p.extension().is_some_and(|e| e == "gz"))
        .unwrap();
    let bytes = std::fs::read(&gz).unwrap();
    std::fs::write(&gz, &bytes[..bytes.len() / 2]).unwrap();
    let out = cli(&["cat", "--output", "json", arg(dir.path())]);
    no_panic(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains(&gz.display().to_string()),
        "{}",
        stderr(&out)
    );
    // Every other file's records still came out.
    assert!(stdout(&out).lines().count() > 500);
}

#[test]
fn bad_arguments_name_the_option_and_exit_2() {
    let dir = common::write_logs("arg");
    let d = arg(dir.path());
    for (args, want) in [
        (
            vec!["cat", "--where", "qty>5", d],
            "--where \"qty>5\": unknown field \"qty\"",
        ),
        (
            vec!["cat", "--where", "fields.qty>=", d],
            "no value after the operator",
        ),
        (
            vec!["cat", "--grep", "(unclosed", d],
            "--grep \"(unclosed\": invalid regular expression",
        ),
        (
            vec!["cat", "--since", "yesterday", d],
            "--since \"yesterday\": not a time",
        ),
        (
            vec!["cat", "--until", "2026-13-01T00:00:00Z", d],
            "--until \"2026-13-01T00:00:00Z\": not a time",
        ),
        (
            vec!["cat", "--level", "loud", d],
            "--level \"loud\": unknown level",
        ),
        (
            vec!["cat", "--columns", "ts,bogus", d],
            "--columns \"bogus\": unknown field",
        ),
        (
            vec!["stats", "--by", "week", d],
            "invalid value 'week' for '--by <WHAT>'",
        ),
        (
            vec!["cat", "--output", "yaml", d],
            "invalid value 'yaml' for '--output <OUTPUT>'",
        ),
    ] {
        let out = cli(&args);
        no_panic(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(want), "{args:?}: {}", stderr(&out));
        assert!(out.stdout.is_empty(), "{args:?} printed before failing");
    }
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let dir = common::write_logs("pipe");
    let mut child = Command::new(env!("CARGO_BIN_EXE_logger"))
        .args(["cat", "--no-dedup", arg(dir.path())])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // `| head -c 100`: read a little, then close the pipe.
    let mut out = child.stdout.take().unwrap();
    let mut first = [0u8; 100];
    out.read_exact(&mut first).unwrap();
    drop(out);
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "{err}");
    assert!(err.is_empty(), "{err}");

    // The same through a real shell pipeline: no "Broken pipe" message.
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "'{}' cat --no-dedup '{}' | head -n 2",
            env!("CARGO_BIN_EXE_logger"),
            arg(dir.path())
        ))
        .output()
        .unwrap();
    assert_eq!(stdout(&out).lines().count(), 2);
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
}

/// Unreadable paths (a file or a directory without read permission), for
/// a user the permissions apply to: the binary runs as `nobody` through
/// `runuser` (the tests run as root, whom permissions do not stop).
#[test]
fn unreadable_paths_name_the_path() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let set = |p: &std::path::Path, mode: u32| {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap()
    };
    set(dir.path(), 0o755);
    // A copy of the binary that `nobody` may run, whatever the build directory's modes.
    let bin = dir.path().join("logger");
    std::fs::copy(env!("CARGO_BIN_EXE_logger"), &bin).unwrap();
    set(&bin, 0o755);
    let logs = dir.path().join("logs");
    std::fs::create_dir(&logs).unwrap();
    let file = logs.join("app.log");
    std::fs::write(
        &file,
        "{\"ts\":\"2026-11-21T10:30:45Z\",\"level\":\"INFO\",\"kind\":\"log\",\"target\":\"t\",\"msg\":\"x\"}\n",
    )
    .unwrap();
    set(&logs, 0o755);
    set(&file, 0o000);
    let as_nobody = |path: &std::path::Path| {
        Command::new("runuser")
            .args(["-u", "nobody", "--"])
            .arg(&bin)
            .arg("cat")
            .arg(path)
            .output()
            .expect("runuser (util-linux) runs; the tests run as root")
    };
    let out = as_nobody(&logs);
    no_panic(&out);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!("{}: Permission denied", file.display())),
        "{}",
        stderr(&out)
    );
    set(&logs, 0o000);
    let out = as_nobody(&logs);
    no_panic(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains(&format!("{}: Permission denied", logs.display())),
        "{}",
        stderr(&out)
    );
    set(&logs, 0o755);
}
