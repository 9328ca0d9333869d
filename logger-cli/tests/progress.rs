//! What depends on a terminal (a pseudo-terminal made by util-linux
//! `script`): the progress bar of long scans, drawn on stderr when it is a
//! terminal, never when stderr is piped, and not with `--no-progress`;
//! `logger ship`'s progress line (records shipped, rate, lag), the same
//! way; colors by level on a terminal, none with `NO_COLOR` set.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use common::{arg, lines_of, stderr};

#[test]
fn child_writer() {
    common::child_main();
}

/// Runs `logger ARGS` on a pseudo-terminal; returns what it printed there.
fn on_terminal(args: &[&str]) -> String {
    on_terminal_with(args, &[])
}

/// [`on_terminal`] with more environment variables.
fn on_terminal_with(args: &[&str], env: &[(&str, &str)]) -> String {
    let cmd = std::iter::once(env!("CARGO_BIN_EXE_logger"))
        .chain(args.iter().copied())
        .map(|a| format!("'{a}'"))
        .collect::<Vec<_>>()
        .join(" ");
    let out = Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .env("TERM", "xterm")
        .env_remove("NO_COLOR")
        .envs(env.iter().copied())
        .output()
        .expect("util-linux `script` runs");
    assert!(out.status.success(), "{out:?}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_bar_on_a_terminal_never_when_piped() {
    let dir = common::write_logs("bar");
    // One file of more than 16,384 lines (the bar moves every 16,384).
    let lines = lines_of(dir.path(), "app");
    let big = tempfile::tempdir().unwrap();
    let mut text = String::new();
    while text.lines().count() < 40_000 {
        for l in &lines {
            text.push_str(l);
            text.push('\n');
        }
    }
    std::fs::write(big.path().join("app.log"), text).unwrap();
    let d = arg(big.path());

    let shown = on_terminal(&["stats", d]);
    assert!(
        shown.contains(" records ("),
        "no bar on a terminal: {shown}"
    );
    assert!(shown.contains("Latency per operation"), "{shown}");
    let quiet = on_terminal(&["stats", "--no-progress", d]);
    assert!(!quiet.contains(" records ("), "{quiet}");

    let piped = common::cli(&["stats", d]);
    assert!(piped.status.success());
    assert!(
        stderr(&piped).is_empty(),
        "a bar on a pipe: {}",
        stderr(&piped)
    );
}

#[test]
fn colors_on_a_terminal_unless_no_color() {
    let dir = common::write_logs("color");
    let d = arg(dir.path());
    let colored = on_terminal(&["cat", "--level", "warn", d]);
    assert!(colored.contains("WARN"), "{colored}");
    assert!(
        colored.contains("\x1b["),
        "no color on a terminal: {colored}"
    );
    let plain = on_terminal_with(&["cat", "--level", "warn", d], &[("NO_COLOR", "1")]);
    assert!(plain.contains("WARN"), "{plain}");
    assert!(!plain.contains("\x1b["), "colored with NO_COLOR: {plain}");
}

/// A TCP receiver of JSON lines (the shipper's `net` destination) held by
/// the test: counts the lines it got, over every connection.
fn tcp_receiver() -> (
    std::net::SocketAddr,
    std::sync::Arc<std::sync::atomic::AtomicU64>,
) {
    use std::io::Read;
    use std::sync::atomic::Ordering;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let lines = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let counted = lines.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { return };
            let counted = counted.clone();
            std::thread::spawn(move || {
                let mut buf = [0u8; 65536];
                while let Ok(n) = conn.read(&mut buf) {
                    if n == 0 {
                        return;
                    }
                    let nl = buf[..n].iter().filter(|&&b| b == b'\n').count();
                    counted.fetch_add(nl as u64, Ordering::Relaxed);
                }
            });
        }
    });
    (addr, lines)
}

/// A ship configuration for the `app` files of `logs`, into `addr` over
/// TCP, with its state (checkpoints, dead letters) in `state`.
fn ship_config(logs: &Path, state: &Path, addr: std::net::SocketAddr) -> PathBuf {
    let config = state.join("ship.toml");
    std::fs::write(
        &config,
        format!(
            "paths = [{:?}]\npoll_interval_ms = 20\ncheckpoint_dir = {:?}\n\
             dead_letter = {:?}\n[net]\naddress = \"{addr}\"\nprotocol = \"tcp\"\n\
             batch_timeout_ms = 50\n",
            arg(logs),
            arg(state),
            arg(&state.join("dead.jsonl")),
        ),
    )
    .unwrap();
    config
}

/// `n` with a comma every three digits, as the progress line writes it.
fn with_commas(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Waits (bounded, a hang guard) until `done` is true; panics with
/// `what()`.
fn wait_until(what: impl Fn() -> String, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while !done() {
        assert!(Instant::now() < deadline, "hung: {}", what());
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// SIGTERM to `pid`, the shipper's way to stop (it delivers, then prints
/// its counters).
fn terminate(pid: i32) {
    // SAFETY: kill(2) on a process this test started.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
}

/// `logger ship --config CONFIG` running on a pseudo-terminal, and what
/// the terminal got so far (stderr and stdout, escape sequences included).
struct ShipOnTerminal {
    child: std::process::Child,
    shown: std::sync::Arc<std::sync::Mutex<Vec<u8>>>,
    reader: std::thread::JoinHandle<()>,
    pidfile: PathBuf,
}

impl ShipOnTerminal {
    fn start(config: &Path, state: &Path) -> ShipOnTerminal {
        let pidfile = state.join("ship.pid");
        let shell = format!(
            "'{}' ship --config '{}' & echo $! > '{}'; wait",
            env!("CARGO_BIN_EXE_logger"),
            arg(config),
            arg(&pidfile)
        );
        let mut child = Command::new("script")
            .args(["-qec", &shell, "/dev/null"])
            .env("TERM", "xterm")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("util-linux `script` runs");
        let shown = std::sync::Arc::new(std::sync::Mutex::new(Vec::<u8>::new()));
        let reader = {
            let shown = shown.clone();
            let mut out = child.stdout.take().unwrap();
            std::thread::spawn(move || {
                use std::io::Read;
                let mut buf = [0u8; 4096];
                while let Ok(k) = out.read(&mut buf) {
                    if k == 0 {
                        return;
                    }
                    shown.lock().unwrap().extend_from_slice(&buf[..k]);
                }
            })
        };
        ShipOnTerminal {
            child,
            shown,
            reader,
            pidfile,
        }
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.shown.lock().unwrap()).into_owned()
    }

    /// Waits until the terminal shows `wanted`.
    fn wait_for(&self, wanted: &str) {
        wait_until(
            || format!("{wanted:?} on the terminal: {}", self.text()),
            || self.text().contains(wanted),
        );
    }

    /// SIGTERM, then everything the terminal got.
    fn stop(mut self) -> String {
        let pidfile = self.pidfile.clone();
        wait_until(
            || "the pid file".into(),
            || std::fs::read_to_string(&pidfile).is_ok_and(|s| s.trim().parse::<i32>().is_ok()),
        );
        let pid: i32 = std::fs::read_to_string(&pidfile)
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        terminate(pid);
        let child = &mut self.child;
        wait_until(
            || "`logger ship` to end".into(),
            || child.try_wait().unwrap().is_some(),
        );
        self.reader.join().unwrap();
        String::from_utf8_lossy(&self.shown.lock().unwrap()).into_owned()
    }
}

/// `logger ship` on a terminal shows a line with each destination's
/// records shipped, rate and lag; the figure it ends on is the number of
/// records in the files, which the final counters on stdout confirm.
#[test]
fn ship_draws_its_figures_on_a_terminal() {
    let logs = common::write_logs("shipbar");
    let n = lines_of(logs.path(), "app").len() as u64;
    let state = tempfile::tempdir().unwrap();
    let (addr, received) = tcp_receiver();
    let config = ship_config(logs.path(), state.path(), addr);
    let ship = ShipOnTerminal::start(&config, state.path());
    ship.wait_for(&format!("tcp: {} records shipped (", with_commas(n)));
    assert_eq!(received.load(std::sync::atomic::Ordering::Relaxed), n);
    let text = ship.stop();
    assert!(text.contains("records/s), lag "), "{text}");
    // The final counters (stdout, on the same terminal) agree.
    let sent = text
        .lines()
        .find_map(|l| {
            let at = l.find("{\"destination\"")?;
            serde_json::from_str::<serde_json::Value>(l[at..].trim_end()).ok()
        })
        .unwrap_or_else(|| panic!("no final counters: {text}"));
    assert_eq!(sent["records_sent"], n, "{text}");
    assert_eq!(sent["lag_bytes"], 0, "{text}");
}

/// A state change while the line is drawn is printed above it, whole, on
/// a line of its own (the line is cleared first), and the line shows the
/// state: a receiver that refuses connections.
#[test]
fn ship_prints_its_warnings_above_the_line() {
    let logs = common::write_logs("shipwarn");
    let state = tempfile::tempdir().unwrap();
    // A port that refuses: bound, then closed.
    let addr = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let config = ship_config(logs.path(), state.path(), addr);
    let ship = ShipOnTerminal::start(&config, state.path());
    ship.wait_for("[degraded]");
    let text = ship.stop();
    let warning = "WARN logger ship: destination tcp: active -> degraded (cannot connect to";
    let at = text
        .find(warning)
        .unwrap_or_else(|| panic!("no warning: {text}"));
    // Before it: the line was cleared (`\r`, erase line), not left with
    // the figures for the warning to be written after them.
    assert!(
        text[..at].ends_with("\r\x1b[2K") || text[..at].ends_with('\n'),
        "the warning was written into the progress line: {:?}",
        &text[at.saturating_sub(100)..(at + warning.len()).min(text.len())]
    );
    assert!(text.contains("records shipped (0 records/s)"), "{text}");
}

/// With stderr piped (a script, systemd's journal), no progress line:
/// stderr stays empty, stdout has only the final counters.
#[test]
fn ship_draws_nothing_when_stderr_is_not_a_terminal() {
    let logs = common::write_logs("shippipe");
    let n = lines_of(logs.path(), "app").len() as u64;
    let state = tempfile::tempdir().unwrap();
    let (addr, received) = tcp_receiver();
    let config = ship_config(logs.path(), state.path(), addr);
    let child = Command::new(env!("CARGO_BIN_EXE_logger"))
        .args(["ship", "--config", arg(&config)])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    wait_until(
        || "every record at the receiver".into(),
        || received.load(std::sync::atomic::Ordering::Relaxed) >= n,
    );
    terminate(child.id() as i32);
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stderr(&out), "", "a progress line on a pipe");
    let counters = String::from_utf8(out.stdout).unwrap();
    let sent: serde_json::Value = serde_json::from_str(counters.trim()).unwrap();
    assert_eq!(sent["records_sent"], n, "{counters}");
}
