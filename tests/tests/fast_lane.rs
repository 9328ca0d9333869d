//! The flusher's fast lane (macro call sites' records written by plan,
//! straight from the ring's bytes) writes the bytes of the generic path.
//!
//! Each run of records goes through two child processes under one
//! simulated clock: one with the lane open (the default: JSON only, no
//! console, no redaction), one with it closed by a redaction rule for a key
//! no record has. Every file must be the same byte for byte (`tid`, `pid`
//! and a timed call's real `elapsed_ns` and `children` aside), and so must
//! the counters; the first child must have written records by plan, the
//! second none. The first run mixes what the lane takes (`trade!` sites
//! with every value type, strings needing escapes, a service with its own
//! file, levels held by the backtrace ring and written before an `ERROR`,
//! two threads of one name, `log` records with key-values, repeated keys
//! and messages that change now and then) with what it leaves to the
//! generic path (message arguments, bound context, `perf!`). The others:
//! odd call sites (sites sharing a line, changing levels, keys and
//! messages, long and huge messages, `tracing` events, a thread's records
//! after its ring was released), records cut short, other JSON options with
//! rotation, the rate cap and `set_filter`, more sites than the caches
//! keep; and where the lane must stay closed.

mod common;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use logger::__private::{Callsite, LogValue, push};
use logger::{FileSpec, Kind, Level, RedactAction, ServiceSpec, SimulatedClock, perf, trade};

/// 2026-11-21T23:59:59.5Z: the run crosses a second and the day.
const START_NS: u64 = 1_795_305_599_500_000_000;

#[test]
fn the_lane_writes_the_generic_paths_bytes() {
    if common::is_child() {
        return child();
    }
    compare("the_lane_writes_the_generic_paths_bytes", &[], 1_000, 4);
}

/// Runs test `test` as two children, the lane open then closed (with the
/// extra environment `env`), and checks that the lane wrote at least
/// `min_by_plan` records, that every file (see [`normalise`]) and the
/// counters are the same, and that at least `min_files` files are not
/// empty.
fn compare(test: &str, env: &[(&str, &str)], min_by_plan: u64, min_files: usize) {
    let run = |mode: &str| {
        let dir = tempfile::tempdir().unwrap();
        let mut cmd = common::child_command(test, env);
        cmd.env("LANE_DIR", dir.path()).env("LANE_MODE", mode);
        let out = common::run_child(cmd, Duration::from_secs(60));
        assert!(out.status.success(), "{}\n{}", out.stdout, out.stderr);
        let by_plan: u64 = out.number("by_plan");
        (dir, by_plan, out.value("counters"))
    };
    let (open, open_by_plan, open_counters) = run("open");
    let (closed, closed_by_plan, closed_counters) = run("closed");
    assert!(
        open_by_plan >= min_by_plan,
        "{test} {env:?}: the lane wrote {open_by_plan} records by plan: it was not taken"
    );
    assert_eq!(closed_by_plan, 0, "the lane was open with a redaction rule");
    assert_eq!(
        open_counters, closed_counters,
        "{test} {env:?}: the counters differ (lane, generic)"
    );
    let files = |dir: &Path| {
        let mut stems: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter_map(|n| n.strip_suffix(".log").map(str::to_string))
            .filter(|n| !n.contains('.'))
            .collect();
        stems.sort();
        stems
            .into_iter()
            .flat_map(|stem| {
                let files = common::files_of(dir, &stem);
                let n = files.len();
                files
                    .into_iter()
                    .enumerate()
                    .map(move |(i, f)| (format!("{stem} ({} of {n})", i + 1), f))
            })
            .collect::<Vec<_>>()
    };
    let (got, want) = (files(open.path()), files(closed.path()));
    let names =
        |v: &[(String, std::path::PathBuf)]| v.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(
        names(&got),
        names(&want),
        "{test} {env:?}: files (lane, generic)"
    );
    let mut written = 0;
    for ((name, got), (_, want)) in got.iter().zip(&want) {
        let got = normalise(&common::read_bytes(got));
        let want = normalise(&common::read_bytes(want));
        written += usize::from(!want.is_empty());
        common::compare_lines(&format!("{test} {env:?}: {name}"), &got, &want);
    }
    assert!(
        written >= min_files,
        "{test} {env:?}: {written} files written: {:?}",
        names(&got)
    );
}

/// Installs `builder`, with a redaction rule for a key no record has when
/// `LANE_MODE` is `closed` (which closes the lane).
fn install(builder: logger::Builder) -> logger::LoggerGuard {
    let mut builder = builder.dir(std::env::var_os("LANE_DIR").unwrap());
    if std::env::var("LANE_MODE").unwrap() == "closed" {
        builder = builder.redact("no_record_has_this_key", RedactAction::Mask);
    }
    builder.install().unwrap()
}

/// Flushes, prints what the parent compares, and stops the logger.
fn finish(guard: logger::LoggerGuard) {
    logger::flush().unwrap();
    let m = logger::metrics();
    println!("by_plan={}", logger::__private::records_written_by_plan());
    println!(
        "counters=created {} written {} dropped {} rotations {} io_errors {} keys_cut {} late {} rate_limited {} over_cap {}",
        m.records_created,
        m.records_written,
        m.records_dropped,
        m.rotations,
        m.io_errors,
        m.keys_cut,
        m.late_records,
        m.records_rate_limited,
        m.records_over_cap
    );
    drop(guard);
}

/// `"tid":<n>`, `"pid":<n>` and `"elapsed_ns":<n>` (a timed call's real
/// time) with `n` replaced by 0, and no `,"children":[..]` (which the
/// real times decide, under a simulated clock).
fn normalise(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let rest = &bytes[i..];
        if rest.starts_with(b",\"children\":[") {
            i += rest.iter().position(|&b| b == b']').unwrap() + 1;
            continue;
        }
        let key = [&b"\"tid\":"[..], b"\"pid\":", b"\"elapsed_ns\":"]
            .into_iter()
            .find(|k| rest.starts_with(k));
        if let Some(key) = key {
            out.extend_from_slice(key);
            out.push(b'0');
            i += key.len();
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

fn child() {
    let clock = Arc::new(SimulatedClock::new(START_NS));
    let guard = install(
        logger::builder()
            .user_clock(clock.clone())
            .level(log::LevelFilter::Info)
            .backtrace(log::LevelFilter::Debug, 16)
            .service("desk::risk", "risk \"engine\"")
            .service_spec(
                ServiceSpec::new("execution")
                    .prefix("desk::execution")
                    .file(FileSpec::new("execution")),
            ),
    );
    let threads = [Some("exec \"1\"\t\u{e9}"), None, Some("exec \"1\"\t\u{e9}")];
    for name in threads {
        let c = clock.clone();
        let body = move || {
            run(&c);
            logger::flush().unwrap();
        };
        match name {
            Some(name) => std::thread::Builder::new()
                .name(name.to_string())
                .spawn(body)
                .unwrap(),
            None => std::thread::spawn(body),
        }
        .join()
        .unwrap();
    }
    finish(guard);
}

const SYMBOLS: [&str; 5] = ["AAPL", "quo\"te\\back", "ctl\n\u{1}", "\u{20ac}STOXX", ""];

fn run(clock: &SimulatedClock) {
    for i in 0..300u64 {
        clock.advance(Duration::from_nanos(1 + (i % 7) * 3_333_333));
        let symbol = SYMBOLS[(i % 5) as usize];
        let price = 100.0 + i as f64 * 0.125 - (i % 3) as f64 * 1e-9;
        trade!(
            symbol = symbol,
            side = if i % 2 == 0 { "buy" } else { "sell" },
            qty = i as i64 - 150,
            price = price,
            order_id = u64::MAX - i
        );
        trade!(target: "desk::execution::fills", symbol = symbol, side = "sell", qty = i, price = 1.5, filled = i % 3 == 0, venue = 'X'; "fill");
        trade!(target: "desk::risk", symbol = "", side = "", qty = 0u8, price = -price * 1e12, big = u128::MAX - u128::from(i), small = i128::MIN, odd = f64::NAN, inf = f64::INFINITY; "exposure");
        // Below the files' level: held by the backtrace ring, written
        // before the next `ERROR`.
        trade!(level: debug, symbol = symbol, side = "buy", qty = i, price = 2.0, step = i; "held");
        if i % 37 == 0 {
            trade!(level: error, symbol = symbol, side = "buy", qty = i, price = 3.25, reason = "limit \"hit\""; "rejected");
        }
        // `log` records: a plan per site while its message and keys stay.
        log::info!(symbol = symbol, qty = i, price = price; "order");
        log::info!(target: "desk::execution::orders", dup = 1, dup = i, s = symbol; "sent");
        if i % 3 == 0 {
            log::warn!(symbol = symbol; "order {} sent", i % 2);
        } else {
            log::warn!(symbol = symbol, n = i; "another site");
        }
        // A message that stays, then changes once: the plan is dropped.
        log::error!(code = i; "{}", if i == 150 { "changed" } else { "kept" });
        // The generic path's: message arguments, bound context, perf.
        if i % 5 == 0 {
            trade!(symbol = symbol, side = "buy", qty = i, price = 0.5; "partial fill {} of {}", i, symbol);
            let _b = logger::bind!(strategy = "mm1", account = i);
            trade!(symbol = symbol, side = "buy", qty = i, price = 0.25);
            perf!("risk_check", Duration::from_nanos(i * 977), stage = "pre");
            log::info!(qty = i; "a log record");
        }
    }
}

/// Call sites that share a line (two `log` calls, two `trade!` calls),
/// a `log` site whose level, keys or message change (and come back),
/// messages longer than the 256 bytes a site keeps, `{{`/`}}` and named
/// placeholders, `critical!`, `#[log_performance]` around `trade!`,
/// `log` records whose module and file are not `'static`, every `log`
/// value type, `tracing` events (explicit targets, inside spans with and
/// without fields) and records logged by a thread's destructors while it
/// exits (a ring of the kernel's, cut, thread name on the same tid).
#[test]
fn the_lane_writes_the_generic_paths_bytes_for_odd_sites() {
    if common::is_child() {
        return odd_sites_child();
    }
    compare(
        "the_lane_writes_the_generic_paths_bytes_for_odd_sites",
        &[],
        1_000,
        4,
    );
}

fn odd_sites_child() {
    use tracing_subscriber::layer::SubscriberExt;
    let clock = Arc::new(SimulatedClock::new(START_NS));
    let guard = install(
        logger::builder()
            .user_clock(clock.clone())
            .filter("trace")
            .service("fast_lane::odd", "odd")
            .service_spec(
                ServiceSpec::new("traced")
                    .prefix("lane::traced")
                    .file(FileSpec::new("traced")),
            ),
    );
    let subscriber = tracing_subscriber::registry().with(logger::tracing_layer());
    tracing::subscriber::set_global_default(subscriber).unwrap();
    for name in [Some("exec \"1\"\t\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}"), None] {
        let c = clock.clone();
        let body = move || {
            thread_local! {
                static ON_EXIT: LogsOnDrop = const { LogsOnDrop(7) };
            }
            ON_EXIT.with(|_| ());
            odd_sites(&c);
            log_after_release();
            logger::flush().unwrap();
        };
        match name {
            Some(name) => std::thread::Builder::new()
                .name(name.to_string())
                .spawn(body)
                .unwrap(),
            None => std::thread::spawn(body),
        }
        .join()
        .unwrap();
    }
    finish(guard);
}

/// Logs a few records of sites the thread logged before, from a
/// thread-local destructor.
struct LogsOnDrop(u64);

impl Drop for LogsOnDrop {
    fn drop(&mut self) {
        for i in 0..3 {
            log::info!(qty = i, price = 1.5; "order");
            trade!(symbol = "AAPL", side = "buy", qty = i + self.0, price = 2.5);
        }
    }
}

/// Registers a POSIX thread-specific value whose destructor logs: it
/// runs after the logger's own (its key is newer), so its records go
/// through a new ring of the same thread id, named by the kernel (the
/// name cut to 15 bytes).
fn log_after_release() {
    extern "C" fn logs(_: *mut libc::c_void) {
        for i in 0..3u64 {
            log::info!(qty = i, price = 1.5; "order");
            trade!(symbol = "AAPL", side = "buy", qty = i, price = 2.5);
        }
    }
    let mut key: libc::pthread_key_t = 0;
    // SAFETY: `key` is written by the call; `logs` may run on any thread.
    let created = unsafe { libc::pthread_key_create(&mut key, Some(logs)) };
    assert_eq!(created, 0);
    // A non-null value, so that the destructor runs; never dereferenced.
    let value = std::ptr::dangling::<libc::c_void>();
    // SAFETY: `key` is a live key.
    let set = unsafe { libc::pthread_setspecific(key, value) };
    assert_eq!(set, 0);
}

const LONG: &str = "a message longer than the 256 bytes a call site keeps: \
    0123456789abcdefghijklmnopqrstuvwxyz 0123456789abcdefghijklmnopqrstuvwxyz \
    0123456789abcdefghijklmnopqrstuvwxyz 0123456789abcdefghijklmnopqrstuvwxyz \
    0123456789abcdefghijklmnopqrstuvwxyz \"quoted\" and \\ end";

#[logger::log_performance]
fn priced(i: u64) -> u64 {
    trade!(symbol = "IN", side = "buy", qty = i, price = 0.5; "inside {i}");
    i * 2
}

/// Call sites that share a line: two `log` calls with the same keys, two
/// with other keys of the same number, two `trade!` calls (one site each
/// for the lane, one site for the JSON formatter's cache).
#[rustfmt::skip]
fn on_one_line(i: u64, s: &str) {
    log::info!(k = i; "first"); log::info!(k = s; "second");
    log::info!(a = i; "third"); log::info!(b = i; "third");
    trade!(symbol = s, side = "buy", qty = i, price = 1.0; "one"); trade!(symbol = s, side = "sell", qty = i, price = 2.0, extra = i; "two");
    trade!(symbol = s, side = "buy", qty = i, price = 1.0; "same"); trade!(symbol = s, side = "sell", qty = i, price = 2.0; "same");
}

fn odd_sites(clock: &SimulatedClock) {
    static MODULE: &str = "fast_lane::odd::built";
    static FILE: &str = "built.rs";
    for i in 0..40u64 {
        clock.advance(Duration::from_nanos(1 + (i % 5) * 7_777_777));
        let s = SYMBOLS[(i % 5) as usize];
        on_one_line(i, s);
        // One `log` site, its level changing.
        let level = [log::Level::Info, log::Level::Warn, log::Level::Debug][(i % 3) as usize];
        log::log!(level, n = i; "dynamic level");
        // Messages that change and come back; long ones.
        log::info!(n = i; "{}", if i % 4 == 0 { "b" } else { "a" });
        log::info!(n = i; "{}", if i % 3 == 0 { LONG } else { "short" });
        log::info!(n = i; "{LONG}");
        trade!(symbol = s, side = "buy", qty = i, price = 3.0; "a message longer than the 256 bytes a call site keeps: 0123456789abcdefghijklmnopqrstuvwxyz 0123456789abcdefghijklmnopqrstuvwxyz 0123456789abcdefghijklmnopqrstuvwxyz 0123456789abcdefghijklmnopqrstuvwxyz 0123456789abcdefghijklmnopqrstuvwxyz end");
        trade!(symbol = s, side = "buy", qty = i, price = 3.0; "{{literal}} {s} and {s} }} {{}} {}", i);
        trade!(symbol = s, side = "buy", qty = i, price = 3.0; "{{only braces}}");
        // Keys that need escaping, repeated keys.
        log::info!(dup = i, dup = s, dup = 1.5, r#"q"uote"# = s; "dups");
        // Every `log` value type.
        let v = i as i64;
        log::warn!(u = i, i = -v, f = v as f64 / 3.0, nan = f64::NAN, b = i % 2 == 0, c = 'x', s = s, st = "static", big = u128::MAX - u128::from(i), small = i128::MIN + i128::from(v), dbg:? = (i, s), disp:% = i, none = Option::<u8>::None; "types");
        // Records larger than the lane's buffers keep (64 KiB), some cut
        // to fit the ring.
        if i % 20 == 0 {
            let huge = format!("{s}{}", "x\"y".repeat(23_000));
            trade!(symbol = s, side = "buy", qty = i, price = 1.0, note = huge.as_str(); "huge");
            log::info!(n = i; "{huge}");
        }
        // Error chains (JSON values; a backtrace each, so not often),
        // shown values.
        if i % 8 == 0 {
            let e = std::io::Error::other(format!("refused \"{s}\" {}", i % 3));
            log::error!(err:err = e, n = i; "order failed");
            trade!(symbol = s, side = "buy", qty = i, price = 1.0, err = logger::error_chain(&e), shown = logger::display(&i); "failed");
        }
        logger::critical!(n = i; "halted {}", i % 2);
        logger::critical!(n = i; "halted");
        priced(i);
        // Module and file not `'static`: the generic path's.
        let module = format!("fast_lane::odd::{}", i % 2);
        log::logger().log(
            &log::Record::builder()
                .args(format_args!("built"))
                .level(log::Level::Info)
                .target(&module)
                .module_path(Some(&module))
                .file(Some("dynamic.rs"))
                .line(Some(7))
                .build(),
        );
        // Static module and file, the target the module (as `log`'s
        // macros make it), the line changing.
        log::logger().log(
            &log::Record::builder()
                .args(format_args!("static"))
                .level(log::Level::Info)
                .target(MODULE)
                .module_path_static(Some(MODULE))
                .file_static(Some(FILE))
                .line(Some((i % 4) as u32))
                .build(),
        );
        // `tracing` events: static target (a service with its own file),
        // inside spans with and without fields.
        tracing::info!(target: "lane::traced", qty = i, sym = s, "traced {}", i % 2);
        tracing::warn!(qty = i, "plain traced");
        if i % 7 == 0 {
            let span = tracing::info_span!("order", id = i);
            let _e = span.enter();
            tracing::info!(target: "lane::traced", qty = i, sym = s, "traced {}", i % 2);
            let empty = tracing::info_span!("empty");
            let _e2 = empty.enter();
            tracing::warn!(qty = i, "plain traced");
        }
    }
}

/// Records the generic path drops as malformed (a macro call site's
/// record cut short: a field or a message argument missing) and records
/// with values past those the site names, between well-formed records of
/// the same sites: the lane drops and writes the same ones (through the
/// router, and straight into the only file that takes a site's records,
/// where it takes back the part it wrote). Also a site of
/// kind `metrics` and a `perf` site without `elapsed_ns`.
#[test]
fn the_lane_drops_what_the_generic_path_drops() {
    if common::is_child() {
        return malformed_child();
    }
    compare("the_lane_drops_what_the_generic_path_drops", &[], 200, 3);
    // With a backtrace ring: an `ERROR` record found malformed must not
    // write out the ring's records before it is dropped.
    let ring = [("LANE_BACKTRACE", "1")];
    compare("the_lane_drops_what_the_generic_path_drops", &ring, 200, 3);
}

/// A call site of the malformed-records test: `kind` at `level`, its
/// `line`, `message` with `message_args` arguments, and `fields`.
const fn site(
    kind: Kind,
    level: Level,
    line: u32,
    message: &'static str,
    message_args: usize,
    fields: &'static [&'static str],
) -> Callsite {
    Callsite {
        kind,
        level,
        target: "lane::malformed",
        module: "fast_lane",
        file: "tests/tests/fast_lane.rs",
        line,
        message,
        message_args,
        fields,
        function: None,
    }
}

static PLAIN: Callsite = site(Kind::Trade, Level::Info, 1, "plain", 0, &["a", "b"]);

/// Of kind `log` at `INFO`: only the main file takes it, which the lane
/// writes into directly (taking back a record found malformed half-way).
static PLAIN_LOG: Callsite = site(Kind::Log, Level::Info, 5, "plain log", 0, &["a", "b"]);

/// An `ERROR` site (which writes out the backtrace ring's records), and
/// a `DEBUG` one (whose records the ring holds).
static PLAIN_ERROR: Callsite = site(Kind::Log, Level::Error, 6, "plain error", 0, &["a", "b"]);

static PLAIN_DEBUG: Callsite = site(Kind::Log, Level::Debug, 7, "plain debug", 0, &["a"]);

static TEMPLATE: Callsite = site(Kind::Log, Level::Warn, 2, "x {} y {} {{z}}", 2, &["a"]);

static METRICS: Callsite = site(Kind::Metrics, Level::Info, 3, "metrics", 0, &["n"]);

static UNTIMED: Callsite = site(Kind::Perf, Level::Info, 4, "untimed", 0, &["n"]);

fn malformed_child() {
    let clock = Arc::new(SimulatedClock::new(START_NS));
    let mut builder = logger::builder().user_clock(clock.clone());
    let ring = std::env::var_os("LANE_BACKTRACE").is_some();
    if ring {
        builder = builder.backtrace(log::LevelFilter::Debug, 16);
    }
    let guard = install(builder);
    for i in 0..100u64 {
        clock.advance(Duration::from_nanos(3_333_333));
        let s = LogValue::Str(SYMBOLS[(i % 5) as usize]);
        let u = LogValue::U64(i);
        match i % 4 {
            0 => push(&PLAIN, &[u, s]),
            1 => push(&PLAIN, &[u]),
            2 => push(&PLAIN, &[u, s, LogValue::F64(0.5)]),
            _ => push(&PLAIN, &[]),
        }
        push(&PLAIN, &[s, u]);
        match i % 3 {
            0 => push(&PLAIN_LOG, &[u, s]),
            1 => push(&PLAIN_LOG, &[u]),
            _ => push(&PLAIN_LOG, &[s]),
        }
        if ring {
            push(&PLAIN_DEBUG, &[u]);
            match i % 3 {
                0 => push(&PLAIN_ERROR, &[u, s]),
                1 => push(&PLAIN_ERROR, &[u]),
                _ => push(&PLAIN_ERROR, &[s]),
            }
        }
        match i % 3 {
            0 => push(&TEMPLATE, &[u, s, u]),
            1 => push(&TEMPLATE, &[u, s]),
            _ => push(&TEMPLATE, &[u, s, u, LogValue::Char('c')]),
        }
        push(&TEMPLATE, &[s, LogValue::Bool(true), LogValue::Null]);
        push(&METRICS, &[u]);
        push(&UNTIMED, &[u]);
    }
    finish(guard);
}

/// The lane under other JSON options (renamed keys, keys left out, the
/// timestamp as epoch nanoseconds, a `strftime` layout in local time, in
/// milliseconds), size rotation, the rate cap, the backtrace ring and
/// level changes at run time (`set_filter`).
#[test]
fn the_lane_writes_the_generic_paths_bytes_under_options() {
    if common::is_child() {
        return options_child();
    }
    for opts in ["epoch", "strftime", "millis"] {
        compare(
            "the_lane_writes_the_generic_paths_bytes_under_options",
            &[("LANE_OPTS", opts)],
            500,
            3,
        );
    }
}

fn options_child() {
    let clock = Arc::new(SimulatedClock::new(START_NS));
    let opts = std::env::var("LANE_OPTS").unwrap();
    let mut json = logger::JsonOptions::default();
    let mut builder = logger::builder()
        .user_clock(clock.clone())
        .service_spec(
            ServiceSpec::new("execution")
                .prefix("desk::execution")
                .file(FileSpec::new("execution")),
        )
        .max_records_per_second(Some(400));
    match opts.as_str() {
        "epoch" => {
            json.timestamp = logger::TimestampFormat::EpochNanos;
            json = json
                .rename("ts", "time")
                .rename("msg", "message")
                .rename("fields", "attrs")
                .rename("level", "severity")
                .rename("thread", "thr \"name\"");
            json.include_pid = false;
            json.include_tid = false;
            json.include_host = false;
            json.include_module = false;
            // Equal bytes in both runs (no pid or tid): equal rotations.
            builder = builder.max_file_bytes(Some(24 << 10)).filter("debug");
        }
        "strftime" => {
            json.timestamp = logger::TimestampFormat::Strftime(logger::Strftime::new(
                "%Y-%m-%d %H:%M:%S%.3f %:z",
            ));
            json.timestamp_zone = logger::TimeZone::Local;
            json.include_thread = false;
            json.include_location = false;
            json.include_function = false;
            json.include_service = false;
            json.include_pid = false;
            json.include_tid = false;
            builder = builder.max_file_bytes(Some(16 << 10));
        }
        _ => {
            json.timestamp = logger::TimestampFormat::Rfc3339Millis;
            builder = builder
                .level(log::LevelFilter::Info)
                .backtrace(log::LevelFilter::Debug, 4);
        }
    }
    let guard = install(builder.json_options(json));
    let runtime_filter = opts != "millis";
    for t in 0..2 {
        let c = clock.clone();
        std::thread::Builder::new()
            .name(format!("t{t}"))
            .spawn(move || {
                for i in 0..150u64 {
                    c.advance(Duration::from_nanos(1 + (i % 9) * 1_111_111));
                    if runtime_filter && i % 50 == 25 {
                        let spec = ["warn", "trace", "info,fast_lane=debug"][(i / 50) as usize];
                        logger::set_filter(spec).unwrap();
                    }
                    let s = SYMBOLS[(i % 5) as usize];
                    trade!(symbol = s, side = "buy", qty = i, price = 1.25);
                    trade!(level: debug, symbol = s, side = "sell", qty = i, price = 0.5; "held {}", i % 2);
                    trade!(target: "desk::execution::fills", symbol = s, side = "sell", qty = i, price = 1.5, t = t; "fill");
                    log::info!(qty = i, s = s; "order");
                    log::debug!(qty = i; "debug order");
                    log::trace!(qty = i; "trace order");
                    if i % 25 == 0 {
                        log::error!(qty = i; "rejected");
                    }
                }
                logger::flush().unwrap();
            })
            .unwrap()
            .join()
            .unwrap();
    }
    finish(guard);
}

/// More call sites on threads than the lane keeps plans for (4096) and
/// the JSON formatter keeps entries for (4096): `log` records of 2,100
/// lines of one module and file, twice on each of two threads, with a
/// macro call site between them; both caches start again empty on the
/// second thread, and the records still match.
#[test]
fn the_lane_writes_the_generic_paths_bytes_past_its_limits() {
    if common::is_child() {
        return limits_child();
    }
    compare(
        "the_lane_writes_the_generic_paths_bytes_past_its_limits",
        &[],
        2_100,
        2,
    );
}

fn limits_child() {
    static MODULE: &str = "fast_lane::many";
    static FILE: &str = "many.rs";
    let clock = Arc::new(SimulatedClock::new(START_NS));
    let guard = install(logger::builder().user_clock(clock.clone()));
    for t in 0..2 {
        let c = clock.clone();
        std::thread::Builder::new()
            .name(format!("many{t}"))
            .spawn(move || {
                for pass in 0..2u64 {
                    for line in 0..2_100u32 {
                        c.advance(Duration::from_nanos(997));
                        let kv = [("k", u64::from(line) + pass)];
                        log::logger().log(
                            &log::Record::builder()
                                .args(format_args!("many"))
                                .level(log::Level::Info)
                                .target(MODULE)
                                .module_path_static(Some(MODULE))
                                .file_static(Some(FILE))
                                .line(Some(line))
                                .key_values(&kv)
                                .build(),
                        );
                        if line % 50 == 0 {
                            trade!(symbol = "AAPL", side = "buy", qty = line, price = 1.5);
                        }
                    }
                    logger::flush().unwrap();
                }
            })
            .unwrap()
            .join()
            .unwrap();
    }
    finish(guard);
}

/// The lane stays closed wherever something besides the JSON files needs
/// the record's view: a console, the text format, a second formatter (a
/// file naming a JSON one of its own), a redaction rule. With it open,
/// a console would miss lines and another format would get JSON.
#[test]
fn the_lane_stays_closed_where_the_view_is_needed() {
    if common::is_child() {
        return closed_child();
    }
    for case in ["console", "text", "named", "redaction", "none"] {
        let dir = tempfile::tempdir().unwrap();
        let mut cmd = common::child_command("the_lane_stays_closed_where_the_view_is_needed", &[]);
        cmd.env("LANE_DIR", dir.path()).env("LANE_CASE", case);
        let out = common::run_child(cmd, Duration::from_secs(60));
        assert!(out.status.success(), "{}\n{}", out.stdout, out.stderr);
        let by_plan = out.number("by_plan");
        if case == "none" {
            assert!(by_plan >= 90, "{case}: {by_plan} records by plan");
        } else {
            assert_eq!(by_plan, 0, "{case}: the lane was open");
        }
        if case == "console" {
            let lines = out.stderr.lines().filter(|l| l.contains("order")).count();
            assert_eq!(lines, 100, "{case}: console lines\n{}", out.stderr);
        }
    }
}

fn closed_child() {
    let builder = logger::builder().dir(std::env::var_os("LANE_DIR").unwrap());
    let builder = match std::env::var("LANE_CASE").unwrap().as_str() {
        "console" => builder.console(Some(log::LevelFilter::Info)),
        "text" => builder.format(logger::Format::Text),
        "named" => builder
            .formatter(
                "lean",
                logger::FormatterSpec::json(logger::JsonOptions {
                    include_host: false,
                    ..Default::default()
                }),
            )
            .trades_file(Some(FileSpec::new("trades").formatter("lean"))),
        "redaction" => builder.redact("secret", RedactAction::Mask),
        _ => builder,
    };
    let guard = builder.install().unwrap();
    for i in 0..100u64 {
        log::info!(qty = i; "order");
    }
    logger::flush().unwrap();
    println!("by_plan={}", logger::__private::records_written_by_plan());
    drop(guard);
}
