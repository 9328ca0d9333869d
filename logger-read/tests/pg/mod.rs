//! Helpers of the PostgreSQL tests: a database per test on the server that
//! `scripts/test-all.sh` starts, a private cluster for tests that restart
//! it, a producer process that logs a demo-like workload with the real
//! logger, and the `logger-ship` binary as a child process.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use postgres::{Client, NoTls};

/// The superuser URL of the shared test server.
pub fn server_url() -> String {
    std::env::var("LOGGER_TEST_PG_URL").unwrap_or_else(|_| {
        panic!(
            "LOGGER_TEST_PG_URL is not set: run the tests through scripts/test-all.sh, \
             which starts a throwaway PostgreSQL (scripts/services/postgres.sh)"
        )
    })
}

/// `url` with its database replaced by `db`.
pub fn with_db(url: &str, db: &str) -> String {
    let (base, _) = url.rsplit_once('/').expect("URL with a database");
    format!("{base}/{db}")
}

/// A fresh database named `name` (dropped first if a previous run left it)
/// on the server at `url`; returns its URL.
pub fn fresh_db(url: &str, name: &str) -> String {
    let mut c = Client::connect(url, NoTls).unwrap_or_else(|e| panic!("connecting to {url}: {e}"));
    c.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .unwrap();
    c.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
    with_db(url, name)
}

/// A client of `url`.
pub fn connect(url: &str) -> Client {
    Client::connect(url, NoTls).unwrap_or_else(|e| panic!("connecting to {url}: {e}"))
}

/// (rows with a `seq` field, distinct seqs) in `system_logs`: equal unless
/// a record was loaded twice.
pub fn seq_counts(client: &mut Client) -> Result<(i64, i64), postgres::Error> {
    let r = client.query_one(
        "SELECT count(*), count(DISTINCT data->'fields'->>'seq') FROM logging.system_logs \
         WHERE data->'fields' ? 'seq'",
        &[],
    )?;
    Ok((r.get(0), r.get(1)))
}

/// A PostgreSQL cluster of this test alone (so that it may restart or kill
/// it), run as the OS user the shared one runs as.
pub struct PrivateServer {
    pub data: PathBuf,
    pub port: u16,
    pub url: String,
    bin: PathBuf,
    user: String,
    /// Server options (`-c name=value ...`) beyond port and socket.
    options: String,
    _dir: tempfile::TempDir,
}

fn need(var: &str) -> String {
    std::env::var(var).unwrap_or_else(|_| {
        panic!("{var} is not set: run the tests through scripts/test-all.sh (scripts/services/postgres.sh)")
    })
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl PrivateServer {
    /// initdb and start a cluster on a free loopback port.
    pub fn start() -> Self {
        Self::start_with("")
    }

    /// [`PrivateServer::start`] with server `options` (`-c name=value ...`),
    /// kept across restarts.
    pub fn start_with(options: &str) -> Self {
        let bin = PathBuf::from(need("LOGGER_TEST_PG_BIN"));
        let user = need("LOGGER_TEST_PG_USER");
        let dir = tempfile::Builder::new()
            .prefix("logger-pg-")
            .tempdir()
            .unwrap();
        let base = dir.path().to_owned();
        let data = base.join("data");
        chown(&base, &user);
        run_as(
            &user,
            Command::new(bin.join("initdb")).args([
                "-D",
                data.to_str().unwrap(),
                "-U",
                "postgres",
                // Trust on its private loopback port: a debug-built shipper
                // then connects in milliseconds, where SCRAM's key derivation
                // takes 0.4 s unoptimised (kill rounds would mostly hit it).
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
            ]),
        );
        let port = free_port();
        let s = Self {
            url: format!("postgres://postgres:pw@127.0.0.1:{port}/postgres"),
            data,
            port,
            bin,
            user,
            options: options.to_owned(),
            _dir: dir,
        };
        s.pg_ctl_start();
        s
    }

    fn pg_ctl_start(&self) {
        let opts = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 {}",
            self.port,
            self.data.display(),
            self.options
        );
        run_as(
            &self.user,
            Command::new(self.bin.join("pg_ctl")).args([
                "-D",
                self.data.to_str().unwrap(),
                "-w",
                "-t",
                "60",
                "-l",
                self.data.join("server.log").to_str().unwrap(),
                "-o",
                &opts,
                "start",
            ]),
        );
    }

    /// Stops the server the way a crash would (`-m immediate`: no
    /// checkpoint, crash recovery at the next start), then starts it again.
    pub fn crash_and_restart(&self) {
        self.stop("immediate");
        self.pg_ctl_start();
    }

    /// Stops the server (`fast` or `immediate`).
    pub fn stop(&self, mode: &str) {
        run_as(
            &self.user,
            Command::new(self.bin.join("pg_ctl")).args([
                "-D",
                self.data.to_str().unwrap(),
                "-m",
                mode,
                "-w",
                "stop",
            ]),
        );
    }

    /// Starts the server again after `stop`.
    pub fn start_again(&self) {
        self.pg_ctl_start();
    }
}

impl Drop for PrivateServer {
    fn drop(&mut self) {
        let _ = Command::new("runuser")
            .args(["-u", &self.user, "--"])
            .arg(self.bin.join("pg_ctl"))
            .args(["-D", self.data.to_str().unwrap(), "-m", "immediate", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

fn chown(path: &Path, user: &str) {
    let ok = Command::new("chown")
        .arg(user)
        .arg(path)
        .status()
        .unwrap()
        .success();
    assert!(ok, "chown {user} {}", path.display());
}

fn run_as(user: &str, cmd: &mut Command) {
    let prog = cmd.get_program().to_owned();
    let args: Vec<_> = cmd.get_args().map(|a| a.to_owned()).collect();
    let out = Command::new("runuser")
        .args(["-u", user, "--"])
        .arg(&prog)
        .args(&args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{} {:?} failed: {}{}",
        prog.to_string_lossy(),
        args,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The `logger-ship` binary built with these tests.
pub fn ship_command() -> Command {
    Command::new(env!("CARGO_BIN_EXE_logger-ship"))
}

/// Writes a shipper configuration for `dir` into `dir/../ship.toml`.
pub fn write_config(path: &Path, dir: &Path, url: &str, extra_top: &str, extra_pg: &str) {
    let text = format!(
        "paths = [{dir:?}]\nbatch_records = 2000\nbatch_timeout_ms = 100\npoll_interval_ms = 20\n\
         dead_letter = {dl:?}\n{extra_top}\n[postgres]\nurl = {url:?}\n{extra_pg}\n",
        dir = dir.display().to_string(),
        dl = dir
            .parent()
            .unwrap()
            .join("dead-letter.jsonl")
            .display()
            .to_string(),
    );
    std::fs::write(path, text).unwrap();
}

/// Starts `logger-ship CONFIG` with stdout and stderr sent to files beside it.
pub fn spawn_shipper(config: &Path) -> Child {
    let out = std::fs::File::create(config.with_extension("out")).unwrap();
    let err = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(config.with_extension("err"))
        .unwrap();
    ship_command()
        .arg(config)
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .unwrap()
}

/// Sends SIGTERM and waits for the exit.
pub fn terminate(child: &mut Child) {
    // SAFETY: kill(2) on our own child's pid.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGTERM);
    }
    child.wait().unwrap();
}

/// Polls `query` (one bigint) until it returns `want` or `limit` passes;
/// returns the last value.
pub fn wait_for_count(client: &mut Client, query: &str, want: i64, limit: Duration) -> i64 {
    let end = Instant::now() + limit;
    loop {
        let n: i64 = client.query_one(query, &[]).map(|r| r.get(0)).unwrap_or(-1);
        if n >= want || Instant::now() > end {
            return n;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Runs this test binary again as a child running only `test`, with
/// `LOGGER_TEST_CHILD=1` and `env`.
pub fn spawn_child(test: &str, env: &[(&str, &str)]) -> Child {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env("LOGGER_TEST_CHILD", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.spawn().unwrap()
}

/// True in a child started by `spawn_child`.
pub fn is_child() -> bool {
    std::env::var_os("LOGGER_TEST_CHILD").is_some()
}

/// What the demo-like workload of `produce` logs for `n` ids.
pub struct Workload {
    pub n: u64,
}

impl Workload {
    /// Records of id `i` that are trades.
    pub fn is_trade(i: u64) -> bool {
        i % 5 == 0
    }
    /// Records of id `i` that are perf records.
    pub fn is_perf(i: u64) -> bool {
        i % 5 == 1
    }
    /// How many trades.
    pub fn trades(&self) -> i64 {
        (0..self.n).filter(|&i| Self::is_trade(i)).count() as i64
    }
    /// How many perf records.
    pub fn perfs(&self) -> i64 {
        (0..self.n).filter(|&i| Self::is_perf(i)).count() as i64
    }
}

impl Workload {
    /// Records logged in all (a trade iteration logs an order and its trade).
    pub fn records(&self) -> i64 {
        self.n as i64 + self.trades()
    }
}

/// The trade sides, as the demo records them.
#[derive(logger::Loggable, Clone, Copy)]
#[loggable(rename_all = "UPPERCASE")]
pub enum Side {
    /// Buy.
    Buy,
    /// Sell.
    Sell,
}

const SYMBOLS: [&str; 6] = ["AAPL", "MSFT", "NVDA", "AMZN", "TSLA", "META"];

/// The demo-like workload, in the calling (child) process: installs the
/// logger into `dir` and logs `n` iterations with the real macros; every
/// record has a unique `seq` field. Iteration `i` runs under correlation id
/// `i`; a trade iteration logs "order placed" then the trade (`trade_id` =
/// the correlation id), a perf iteration a `perf!` record, the others a log
/// record at a level that cycles through TRACE..ERROR. Sleeps `pause_us`
/// every 100 iterations (0: full speed).
pub fn produce(
    dir: &Path,
    n: u64,
    max_file_bytes: Option<u64>,
    backup_count: Option<usize>,
    pause_us: u64,
) {
    let guard = logger::builder()
        .dir(dir)
        .create_dir(true)
        .level(log::LevelFilter::Trace)
        .max_file_bytes(max_file_bytes)
        .backup_count(backup_count)
        .compress(true)
        .install()
        .expect("install the logger");
    workload_iterations(n, pause_us);
    logger::flush().expect("flush");
    drop(guard);
}

/// The loop of [`produce`], into whatever logger is installed.
pub fn workload_iterations(n: u64, pause_us: u64) {
    use logger::{perf, trade};
    let mut seq = 0u64;
    for i in 0..n {
        let _c = logger::correlation(i);
        if Workload::is_trade(i) {
            log::info!(target: "demo::execution", seq = seq; "order {i} placed");
            seq += 1;
            let symbol = SYMBOLS[(i / 5 % 6) as usize];
            let side = if i % 2 == 0 { Side::Buy } else { Side::Sell };
            let qty = 100 + i % 7;
            let price = 100.25 + (i % 10) as f64;
            trade!(target: "demo::execution", symbol = symbol, side, qty, price, order_id = i, venue = "XNAS", seq = seq; "filled {qty} {symbol}");
        } else if Workload::is_perf(i) {
            perf!(target: "demo::strategy", "price_book", 1_000 + i * 10, seq = seq);
        } else {
            match i % 5 {
                2 => log::info!(target: "demo::risk", seq = seq; "exposure checked {i}"),
                3 if i % 3 == 0 => {
                    log::error!(target: "demo::risk", seq = seq; "limit breached {i}")
                }
                3 => log::warn!(target: "demo::risk", seq = seq; "near limit {i}"),
                _ => log::debug!(target: "demo::market", seq = seq; "tick {i}"),
            }
        }
        seq += 1;
        if pause_us > 0 && i % 100 == 99 {
            std::thread::sleep(Duration::from_micros(pause_us));
        }
    }
}

/// `produce` with its arguments from the environment (in a child process):
/// `PRODUCE_DIR`, `PRODUCE_N`, `PRODUCE_MAX_BYTES`, `PRODUCE_BACKUPS`, `PRODUCE_PAUSE_US`.
pub fn produce_from_env() {
    let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let dir = PathBuf::from(var("PRODUCE_DIR").expect("PRODUCE_DIR"));
    let n = var("PRODUCE_N").expect("PRODUCE_N").parse().unwrap();
    let max = var("PRODUCE_MAX_BYTES").map(|v| v.parse().unwrap());
    let backups = var("PRODUCE_BACKUPS").map(|v| v.parse().unwrap());
    let pause = var("PRODUCE_PAUSE_US").map_or(0, |v| v.parse().unwrap());
    produce(&dir, n, max, backups, pause);
}

/// Starts a producer child (test `producer` of the calling test binary).
pub fn spawn_producer(
    dir: &Path,
    n: u64,
    max_bytes: Option<u64>,
    backups: Option<usize>,
    pause_us: u64,
) -> Child {
    let n = n.to_string();
    let max = max_bytes.map(|m| m.to_string()).unwrap_or_default();
    let backups = backups.map(|b| b.to_string()).unwrap_or_default();
    let pause = pause_us.to_string();
    spawn_child(
        "producer",
        &[
            ("PRODUCE_DIR", dir.to_str().unwrap()),
            ("PRODUCE_N", &n),
            ("PRODUCE_MAX_BYTES", &max),
            ("PRODUCE_BACKUPS", &backups),
            ("PRODUCE_PAUSE_US", &pause),
        ],
    )
}

/// Checks that every record of the workload is in the tables exactly once:
/// `system_logs` holds each `seq` once, the trades and perf tables their
/// counts, and the sets of ids are complete.
pub fn assert_exactly_once(client: &mut Client, w: &Workload) {
    let row = client
        .query_one(
            "SELECT count(*), count(DISTINCT (data->'fields'->>'seq')::bigint),              min((data->'fields'->>'seq')::bigint), max((data->'fields'->>'seq')::bigint)              FROM logging.system_logs WHERE data->'fields' ? 'seq'",
            &[],
        )
        .unwrap();
    let (count, distinct, min, max): (i64, i64, Option<i64>, Option<i64>) =
        (row.get(0), row.get(1), row.get(2), row.get(3));
    let want = w.records();
    assert_eq!(
        count, want,
        "system_logs rows with a seq (duplicates or losses)"
    );
    assert_eq!(distinct, want, "distinct seqs");
    assert_eq!(
        (min, max),
        (Some(0), Some(want - 1)),
        "the seqs are 0..{want}"
    );
    let trades: i64 = client
        .query_one("SELECT count(*) FROM logging.trading_logs", &[])
        .unwrap()
        .get(0);
    assert_eq!(trades, w.trades(), "trading_logs rows");
    let distinct_trades: i64 = client
        .query_one(
            "SELECT count(DISTINCT trade_id) FROM logging.trading_logs",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(distinct_trades, w.trades(), "distinct trade ids");
    let perfs: i64 = client
        .query_one("SELECT count(*) FROM logging.performance_logs", &[])
        .unwrap()
        .get(0);
    assert_eq!(perfs, w.perfs(), "performance_logs rows");
}

/// A record line as the logger writes it (README "Record schema").
pub fn record_line(
    ts: &str,
    level: &str,
    kind: &str,
    target: &str,
    msg: &str,
    corr: Option<&str>,
    fields: &str,
) -> String {
    let service = target.split("::").next().unwrap();
    let corr = corr
        .map(|c| format!(",\"correlation_id\":{c:?}"))
        .unwrap_or_default();
    let fields = if fields.is_empty() {
        String::new()
    } else {
        format!(",\"fields\":{fields}")
    };
    format!(
        "{{\"ts\":\"{ts}\",\"level\":\"{level}\",\"kind\":\"{kind}\",\"target\":\"{target}\",\"service\":\"{service}\",\
         \"msg\":{msg:?},\"module\":\"{target}\",\"file\":\"src/main.rs\",\"line\":7,\"thread\":\"main\",\"tid\":11,\"pid\":10,\
         \"host\":\"vm\"{corr}{fields}}}\n"
    )
}

/// An RFC 3339 UTC time with nanoseconds, `days` days and `extra_ns` ns before now.
pub fn ts_days_ago(days: u64, extra_ns: u64) -> String {
    let t = chrono::Utc::now()
        - chrono::Duration::days(days as i64)
        - chrono::Duration::nanoseconds(extra_ns as i64);
    t.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)
}

/// Ships `logs` in-process with `ship::start` (batches of 500, 50 ms
/// timeout, 20 ms polls), the dead-letter file beside `logs`.
pub fn ship_in_process(
    logs: &Path,
    url: &str,
    prefix: Option<&str>,
) -> logger_read::ship::ShipHandle {
    let mut c = logger_read::ship::ShipConfig::postgres(vec![logs.to_owned()], url);
    c.batch_records = 500;
    c.batch_timeout_ms = 50;
    c.poll_interval_ms = 20;
    c.dead_letter = Some(logs.parent().unwrap().join("dead-letter.jsonl"));
    if let Some(p) = prefix {
        c.postgres.as_mut().unwrap().table_prefix = Some(p.into());
    }
    logger_read::ship::start(c).expect("start shipping")
}
