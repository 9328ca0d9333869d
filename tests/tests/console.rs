//! The console destination, end to end: a child process (this binary,
//! re-run) installs a console and logs; its stderr is read back. Colors
//! forced on (`ConsoleColor::Always`), off (`Never`), and automatic, which
//! is off here because stderr is a pipe.

use std::process::Command;

const CHILD: &str = "LOGGER_TEST_CONSOLE_CHILD";

/// Runs only as the child: the mode comes from the environment.
#[test]
fn child() {
    let Ok(mode) = std::env::var(CHILD) else {
        return;
    };
    let color = match mode.as_str() {
        "always" => logger::ConsoleColor::Always,
        "never" => logger::ConsoleColor::Never,
        _ => logger::ConsoleColor::Auto,
    };
    let dir = tempfile::tempdir().unwrap();
    let guard = logger::builder()
        .dir(dir.path())
        .level(log::LevelFilter::Debug)
        .console(Some(log::LevelFilter::Info))
        .console_color(color)
        .install()
        .unwrap();
    log::error!(target: "console_test", "boom {}", 1);
    log::warn!(target: "console_test", "careful");
    log::info!(target: "console_test", side = "BUY"; "filled");
    log::debug!(target: "console_test", "below the console level");
    logger::trade!(target: "console_test", symbol = "A", side = "b", qty = 1, price = 2.5);
    drop(guard); // drains the rings: every line is on stderr
    // The debug record reached the file, not the console.
    let app = std::fs::read_to_string(dir.path().join("app.log")).unwrap();
    assert!(app.contains("below the console level"));
}

fn run(mode: &str) -> Vec<String> {
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child", "--nocapture", "--test-threads=1"])
        .env(CHILD, mode)
        .env_remove("NO_COLOR")
        .env_remove("RUST_LOG")
        .env_remove("LOGGER_LEVEL")
        .env_remove("LOGGER_CONFIG")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stderr)
        .unwrap()
        .lines()
        .filter(|l| l.contains("console_test"))
        .map(str::to_string)
        .collect()
}

#[test]
fn colors_on() {
    let lines = run("always");
    assert_eq!(lines.len(), 4, "{lines:#?}");
    let colors = ["\x1b[1;31m", "\x1b[33m", "\x1b[32m", "\x1b[32m"];
    for (line, color) in lines.iter().zip(colors) {
        assert!(line.starts_with(color), "{line:?}");
        assert!(line.ends_with("\x1b[0m"), "{line:?}");
    }
    assert!(lines[0].contains("| ERROR | console_test:"), "{}", lines[0]);
    assert!(lines[0].contains("| boom 1"), "{}", lines[0]);
    assert!(lines[2].contains("filled side=BUY"), "{}", lines[2]);
    assert!(lines[3].contains("symbol=A"), "{}", lines[3]);
}

#[test]
fn colors_off() {
    for mode in ["never", "auto"] {
        let lines = run(mode);
        assert_eq!(lines.len(), 4, "{mode}: {lines:#?}");
        for line in &lines {
            assert!(!line.contains('\x1b'), "{mode}: {line:?}");
        }
        assert!(lines[1].contains("| WARN  | console_test:"), "{}", lines[1]);
        assert!(lines[1].ends_with("| careful"), "{}", lines[1]);
    }
}
