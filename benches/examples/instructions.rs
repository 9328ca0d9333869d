//! One hot-path case in a loop, for instruction counts with callgrind:
//! `instructions <case> <iterations>`. Run it twice (N and 2N iterations)
//! under `valgrind --tool=callgrind --separate-threads=yes` and divide
//! the main thread's difference by N: `benches/callgrind.sh` does that.
//!
//! Cases without the `tracing` feature: `empty`, `trade`, `trade-4` (the
//! four fields every trade has) and `trade-4-u64`, `trade-4-str`,
//! `trade-4-f64` (one field of that kind more), `log-static`,
//! `log-3args`, `log-5kv`, their `logger::info!` twins `info-static`,
//! `info-3args`, `info-5kv`, `info-disabled` (`logger::trace!` below the
//! level: the level check alone), `fmt-3args` (`log-3args`' message
//! through `core::fmt` into a reused `String`, no logger: the floor under
//! any `log` backend), `log-2kv-1line` (two `log` calls on one
//! line, two records an iteration), `log-2kv-2lines` (the same calls on
//! two lines), `correlation` (a guard made and dropped),
//! `bind-2` (`bind!` of two fields), `log-performance` (a call of a
//! `#[log_performance]` function: one record), `log-performance-args`
//! (the same with one argument recorded), `log-performance-mem` (with the
//! `mem` option, no counting allocator installed: the option's own cost).
//! With it (`--features tracing`):
//! `span-registry` (enter and exit a span with two fields, registry only),
//! `span` (the same with our layer), `span-perf` (the same with
//! `span_perf(true)`), `span-log` (the same span with a static
//! `log::info!` inside), `span-1` (a span with only a
//! `correlation_id`, our layer), `span-nested` (the two-field span as the
//! child of a span entered outside the loop, our layer), `tracing-5kv`
//! (an event with the five fields inside two entered spans),
//! `tracing-5kv-0` (the same event outside any span).
//!
//! With `INSTRUCTIONS_MAIN_ONLY=1` only the main file is open (no trades,
//! perf or errors file) and the records written are checked at the end:
//! `benches/callgrind-flusher.sh` counts the flusher thread's instructions
//! per record that way. With `INSTRUCTIONS_JSON_OPTIONS=1` the JSON
//! format leaves out `module`, `file`, `line`, `pid` and `host`, renames
//! `ts`, `msg` and `level`, and writes milliseconds in local time
//! (`json_options`): the options' cost on the flusher. With
//! `INSTRUCTIONS_FORMAT` set to `text`, `logfmt`, `xml`, `pattern` (the
//! seed's pattern with the fields) or `strftime` (JSON with a `strftime`
//! timestamp), the files are in that format.
//! With `INSTRUCTIONS_SECOND_FILE=json` a second file (`copy.log`, every
//! level, in the errors file's place) takes every record in the default
//! formatter (one line, copied twice); with `=text` it is written with a
//! named text formatter (each record formatted twice): the cost of a
//! per-file formatter on the flusher. With `INSTRUCTIONS_LANE_CLOSED=1`
//! a redaction rule for a key no record has closes the flusher's fast
//! lane (every record the generic way, plus the rule's miss).

use std::hint::black_box;

fn main() {
    let mut args = std::env::args().skip(1);
    let case = args.next().unwrap_or_else(|| usage("missing <case>"));
    let n: u64 = args
        .next()
        .unwrap_or_else(|| usage("missing <iterations>"))
        .parse()
        .unwrap_or_else(|e| usage(&format!("<iterations>: {e}")));
    let dir = std::env::temp_dir().join(format!("logger-instructions-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let main_only = std::env::var_os("INSTRUCTIONS_MAIN_ONLY").is_some();
    let mut builder = logger::builder().dir(&dir).level(log::LevelFilter::Info);
    if main_only {
        builder = builder.trades_file(None).perf_file(None).errors_file(None);
    }
    match std::env::var("INSTRUCTIONS_SECOND_FILE").as_deref() {
        Ok("json") => {
            let copy = logger::FileSpec::new("copy").level(log::LevelFilter::Trace);
            builder = builder.errors_file(Some(copy));
        }
        Ok("text") => {
            let copy = logger::FileSpec::new("copy")
                .level(log::LevelFilter::Trace)
                .formatter("text");
            builder = builder
                .formatter("text", logger::FormatterSpec::text())
                .errors_file(Some(copy));
        }
        Ok(other) => usage(&format!("INSTRUCTIONS_SECOND_FILE={other:?}: json or text")),
        Err(_) => {}
    }
    if std::env::var_os("INSTRUCTIONS_JSON_OPTIONS").is_some() {
        let json = logger::JsonOptions {
            include_module: false,
            include_location: false,
            include_pid: false,
            include_host: false,
            timestamp: logger::TimestampFormat::Rfc3339Millis,
            timestamp_zone: logger::TimeZone::Local,
            ..Default::default()
        }
        .rename("ts", "timestamp")
        .rename("msg", "message")
        .rename("level", "severity");
        builder = builder.json_options(json);
    }
    if let Ok(format) = std::env::var("INSTRUCTIONS_FORMAT") {
        builder = match format.as_str() {
            "text" => builder.format(logger::Format::Text),
            "logfmt" => builder.format(logger::Format::Logfmt),
            "xml" => builder.format(logger::Format::Xml),
            "pattern" => builder.format(logger::Format::Pattern(logger::Pattern::new(
                "{time:YYYY-MM-DD HH:mm:ss.SSS} | {level: <8} | {name}:{function}:{line} | {message} {fields}",
            ))),
            "strftime" => builder.json_options(logger::JsonOptions {
                timestamp: logger::TimestampFormat::Strftime(logger::Strftime::new(
                    "%Y-%m-%d %H:%M:%S%.3f",
                )),
                ..Default::default()
            }),
            other => usage(&format!("unknown INSTRUCTIONS_FORMAT {other:?}")),
        };
    }
    if std::env::var_os("INSTRUCTIONS_LANE_CLOSED").is_some() {
        // A rule for a key no record has: the flusher's fast lane closes.
        builder = builder.redact("no_record_has_this_key", logger::RedactAction::Mask);
    }
    let guard = builder.install().unwrap();
    logger::preallocate();
    if !run(&case, n) {
        usage(&format!("unknown case {case:?}"));
    }
    if main_only {
        // Every record must have reached the file (the default overflow
        // policy waits for room): else the count would be of fewer records.
        logger::flush().unwrap();
        let m = logger::metrics();
        if m.records_dropped != 0 || m.records_written < n {
            eprintln!(
                "instructions: {} records written, {} dropped, of {n}",
                m.records_written, m.records_dropped
            );
            std::process::exit(1);
        }
    }
    drop(guard);
    let _ = std::fs::remove_dir_all(&dir);
}

fn usage(why: &str) -> ! {
    eprintln!("instructions: {why}\nusage: instructions <case> <iterations> (cases in the source)");
    std::process::exit(2)
}

#[logger::log_performance]
fn timed_call(i: u64) -> u64 {
    black_box(i)
}

#[logger::log_performance(mem)]
fn timed_call_mem(i: u64) -> u64 {
    black_box(i)
}

/// Runs `case` `n` times; false for an unknown case.
#[inline(never)]
fn run(case: &str, n: u64) -> bool {
    match case {
        "empty" => (0..n).for_each(|i| {
            black_box(i);
        }),
        "trade" => (0..n).for_each(|i| {
            logger::trade!(
                symbol = "AAPL",
                side = "buy",
                qty = black_box(i),
                price = 187.5,
                order_id = i
            );
        }),
        // The four fields every trade has, then one kind more: what a
        // field of each kind costs the flusher (callgrind-flusher.sh).
        "trade-4" => (0..n).for_each(|i| {
            logger::trade!(symbol = "AAPL", side = "buy", qty = black_box(i), price = 187.5)
        }),
        "trade-4-u64" => (0..n).for_each(|i| {
            logger::trade!(symbol = "AAPL", side = "buy", qty = black_box(i), price = 187.5, id = i)
        }),
        "trade-4-str" => (0..n).for_each(|i| {
            logger::trade!(symbol = "AAPL", side = "buy", qty = black_box(i), price = 187.5, venue = "XNAS")
        }),
        "trade-4-f64" => (0..n).for_each(|i| {
            logger::trade!(symbol = "AAPL", side = "buy", qty = black_box(i), price = 187.5, px = 187.25)
        }),
        "log-static" => (0..n).for_each(|_| log::info!("order sent")),
        "log-3args" => (0..n).for_each(|i| log::info!("order {} {} at {}", i, "AAPL", 187.5)),
        // The floor under `log-3args`: the same message through `core::fmt`
        // into a reused `String`, no logger.
        "fmt-3args" => {
            use std::fmt::Write as _;
            let mut text = String::with_capacity(128);
            (0..n).for_each(|i| {
                text.clear();
                // The same arguments as `log-3args`, the literal included.
                #[allow(clippy::write_literal)]
                let _ = write!(text, "order {} {} at {}", i, "AAPL", 187.5);
                black_box(&text);
            })
        }
        "log-5kv" => (0..n).for_each(|i| {
            log::info!(symbol = "AAPL", side = "buy", qty = i, price = 187.5, order_id = i; "order")
        }),
        // The deferred twins of the three `log` cases above, and a
        // disabled call site (the level check alone).
        "info-static" => (0..n).for_each(|_| logger::info!("order sent")),
        "info-3args" => (0..n).for_each(|i| {
            logger::info!("order {} {} at {}", black_box(i), "AAPL", 187.5)
        }),
        "info-5kv" => (0..n).for_each(|i| {
            logger::info!(symbol = "AAPL", side = "buy", qty = i, price = 187.5, order_id = i; "order")
        }),
        "info-disabled" => (0..n).for_each(|i| logger::trace!("never {}", black_box(i))),
        "log-2kv-1line" => (0..n).for_each(|i| two_on_one_line(black_box(i))),
        "log-2kv-2lines" => (0..n).for_each(|i| two_on_two_lines(black_box(i))),
        "correlation" => (0..n).for_each(|i| {
            let _c = logger::correlation(black_box(i));
        }),
        "log-performance" => (0..n).for_each(|i| {
            black_box(timed_call(i));
        }),
        "log-performance-mem" => (0..n).for_each(|i| {
            black_box(timed_call_mem(i));
        }),
        "bind-2" => (0..n).for_each(|i| {
            let _c = logger::bind!(correlation_id = black_box(i), venue = "XNAS");
        }),
        "log-performance-args" => (0..n).for_each(|i| {
            black_box(timed(black_box(i)));
        }),
        _ => return tracing_cases::run(case, n),
    }
    true
}

/// The `log-2kv-1line` case: two `log` calls on one line (as a
/// `macro_rules!` wrapper expanding to two calls makes them), with keys of
/// their own: one site for the flusher's fast lane and for the JSON
/// formatter's cache, whose keys change on every record.
#[rustfmt::skip]
fn two_on_one_line(i: u64) {
    log::info!(a = i; "order"); log::info!(b = i; "order");
}

/// The `log-2kv-2lines` case: the calls of `log-2kv-1line` on two lines.
fn two_on_two_lines(i: u64) {
    log::info!(a = i; "order");
    log::info!(b = i; "order");
}

/// The `log-performance-args` case: a timed call recording its argument.
#[logger::log_performance(args(qty))]
#[inline(never)]
fn timed(qty: u64) -> u64 {
    qty.wrapping_mul(3)
}

#[cfg(not(feature = "tracing"))]
mod tracing_cases {
    pub fn run(_case: &str, _n: u64) -> bool {
        false
    }
}

#[cfg(feature = "tracing")]
mod tracing_cases {
    use std::hint::black_box;

    use tracing_subscriber::prelude::*;

    pub fn run(case: &str, n: u64) -> bool {
        match case {
            "span-registry" => {
                let _d = tracing::subscriber::set_default(tracing_subscriber::registry());
                spans(n);
            }
            "span" => {
                let _d = tracing::subscriber::set_default(
                    tracing_subscriber::registry().with(logger::tracing_layer()),
                );
                spans(n);
            }
            "span-perf" => {
                let _d = tracing::subscriber::set_default(
                    tracing_subscriber::registry().with(logger::tracing_layer().span_perf(true)),
                );
                spans(n);
            }
            "span-log" => {
                let _d = tracing::subscriber::set_default(
                    tracing_subscriber::registry().with(logger::tracing_layer()),
                );
                let span = tracing::info_span!("order", correlation_id = 42_u64, venue = "XNAS");
                (0..n).for_each(|_| {
                    let _e = span.enter();
                    log::info!("order accepted");
                });
            }
            "span-1" => {
                let _d = tracing::subscriber::set_default(
                    tracing_subscriber::registry().with(logger::tracing_layer()),
                );
                let span = tracing::info_span!("order", correlation_id = 42_u64);
                (0..n).for_each(|i| {
                    let _e = span.enter();
                    black_box(i);
                });
            }
            "span-nested" => {
                let _d = tracing::subscriber::set_default(
                    tracing_subscriber::registry().with(logger::tracing_layer()),
                );
                let outer = tracing::info_span!("strategy", strategy = "mm1");
                let _o = outer.enter();
                spans(n);
            }
            "tracing-5kv" => {
                let _d = tracing::subscriber::set_default(
                    tracing_subscriber::registry().with(logger::tracing_layer()),
                );
                let _a =
                    tracing::info_span!("strategy", strategy = "mm1", account = 7_u64).entered();
                let _b =
                    tracing::info_span!("order", correlation_id = 42_u64, leg = 1_u64).entered();
                events(n);
            }
            "tracing-5kv-0" => {
                let _d = tracing::subscriber::set_default(
                    tracing_subscriber::registry().with(logger::tracing_layer()),
                );
                events(n);
            }
            _ => return false,
        }
        true
    }

    /// `tracing::info!` with the five order fields, `n` times.
    #[inline(never)]
    fn events(n: u64) {
        (0..n).for_each(|i| {
            tracing::info!(
                symbol = "AAPL",
                side = "buy",
                qty = i,
                price = 187.5,
                order_id = i,
                "order"
            )
        });
    }

    /// Enters and exits one span with two fields, `n` times.
    #[inline(never)]
    fn spans(n: u64) {
        let span = tracing::info_span!("order", correlation_id = 42_u64, venue = "XNAS");
        (0..n).for_each(|i| {
            let _e = span.enter();
            black_box(i);
        });
    }
}
