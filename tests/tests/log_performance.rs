//! `#[log_performance]` end to end: every supported kind of function, the
//! outcomes ok / err / panic, early returns, options, and async wall vs
//! busy time, read back from the files.

mod macros_support;

use std::fmt;
use std::time::{Duration, Instant};

use logger::log_performance;
use macros_support::{block_on, dir, only_op, operation, sleep};

fn spin(d: Duration) {
    let t = Instant::now();
    while t.elapsed() < d {
        std::hint::spin_loop();
    }
}

fn elapsed_ns(r: &serde_json::Value) -> u64 {
    r["fields"]["elapsed_ns"].as_u64().unwrap()
}

// ------------------------------------------------------------ free fns --

#[log_performance]
fn plain_free_fn(x: u64) -> u64 {
    spin(Duration::from_micros(200));
    x * 2
}

#[test]
fn free_fn_every_key_of_the_record() {
    dir();
    assert_eq!(plain_free_fn(21), 42);
    let r = only_op("plain_free_fn");
    // Line 27: the line of the function's name.
    assert_call_site!(
        r,
        kind = "perf",
        level = "INFO",
        msg = "plain_free_fn",
        line = 27,
        function = "plain_free_fn"
    );
    let f = r["fields"].as_object().unwrap();
    // operation, elapsed_ns, outcome, and the flusher's span_id.
    assert_eq!(f.len(), 4, "{f:?}");
    assert_eq!(f["outcome"], "ok");
    assert!(f["span_id"].as_u64().unwrap() > 0, "{f:?}");
    let ns = elapsed_ns(&r);
    assert!((200_000..100_000_000).contains(&ns), "{ns}");
    assert_eq!(operation("app", "plain_free_fn").len(), 1);
}

#[derive(Debug)]
struct RiskError(&'static str);

impl fmt::Display for RiskError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "risk limit: {}", self.0)
    }
}

fn check(ok: bool) -> Result<(), RiskError> {
    if ok {
        Ok(())
    } else {
        Err(RiskError("notional"))
    }
}

#[log_performance(name = "risk_ok")]
fn risk_ok() -> Result<u32, RiskError> {
    check(true)?;
    Ok(7)
}

#[log_performance(name = "risk_err")]
fn risk_err() -> Result<u32, RiskError> {
    spin(Duration::from_micros(300));
    check(false)?; // early return through `?`
    spin(Duration::from_millis(50));
    Ok(7)
}

#[test]
fn outcome_ok_and_err_with_the_errors_display() {
    dir();
    assert_eq!(risk_ok().unwrap(), 7);
    assert!(risk_err().is_err());
    let r = only_op("risk_ok");
    assert_eq!(r["fields"]["outcome"], "ok");
    assert!(r["fields"].get("error").is_none());
    let r = only_op("risk_err");
    assert_eq!(r["fields"]["outcome"], "err");
    assert_eq!(r["fields"]["error"], "risk limit: notional");
    let ns = elapsed_ns(&r);
    assert!(
        (300_000..40_000_000).contains(&ns),
        "timed to the `?`, not past it: {ns}"
    );
}

struct Opaque;

#[log_performance(name = "opaque_err")]
fn opaque_err() -> Result<(), Opaque> {
    Err(Opaque)
}

#[test]
fn err_without_display_has_no_message() {
    dir();
    assert!(opaque_err().is_err());
    let r = only_op("opaque_err");
    assert_eq!(r["fields"]["outcome"], "err");
    assert!(r["fields"].get("error").is_none());
}

#[log_performance(name = "early_return")]
fn early_return(stop: bool) -> u32 {
    spin(Duration::from_micros(500));
    if stop {
        return 1;
    }
    spin(Duration::from_millis(100));
    2
}

#[test]
fn early_return_is_timed_to_the_return() {
    dir();
    assert_eq!(early_return(true), 1);
    let ns = elapsed_ns(&only_op("early_return"));
    assert!((500_000..80_000_000).contains(&ns), "{ns}");
}

#[log_performance(name = "panics")]
fn panics(n: u32) -> u32 {
    spin(Duration::from_micros(200));
    if n > 0 {
        panic!("boom {n}");
    }
    n
}

#[test]
fn panic_is_recorded_while_unwinding() {
    dir();
    let result = std::panic::catch_unwind(|| panics(3));
    assert!(result.is_err());
    let r = only_op("panics");
    assert_eq!(r["fields"]["outcome"], "panic");
    assert!(elapsed_ns(&r) >= 200_000);
}

// ------------------------------------------------- methods and generics --

#[derive(Default)]
struct Book {
    levels: Vec<u64>,
}

trait Venue {
    fn name(&self) -> &str;
    #[log_performance(name = "trait_default")]
    fn describe(&self) -> String {
        format!("venue {}", self.name())
    }
}

impl Venue for Book {
    #[log_performance(name = "trait_impl")]
    fn name(&self) -> &str {
        "book"
    }
}

impl Book {
    #[log_performance(name = "by_ref")]
    fn depth(&self) -> usize {
        self.levels.len()
    }

    #[log_performance(name = "by_mut")]
    fn top(&mut self) -> &mut u64 {
        if self.levels.is_empty() {
            self.levels.push(0);
        }
        &mut self.levels[0]
    }

    #[log_performance(name = "by_value")]
    fn into_levels(self) -> Vec<u64> {
        self.levels
    }

    #[log_performance(name = "generic_method")]
    fn extend_from<I: IntoIterator<Item = u64>>(&mut self, items: I) -> usize {
        self.levels.extend(items);
        self.levels.len()
    }
}

#[log_performance(name = "generic_fn")]
fn largest<T: PartialOrd + Copy>(items: &[T]) -> Option<T> {
    let mut it = items.iter().copied();
    let first = it.next()?;
    Some(it.fold(first, |a, b| if b > a { b } else { a }))
}

#[log_performance(name = "impl_trait")]
fn evens(n: u64) -> impl Iterator<Item = u64> {
    (0..n).filter(|x| x % 2 == 0)
}

#[log_performance(name = "impl_trait_in_result")]
fn parsed(s: &str) -> Result<impl fmt::Display + use<>, std::num::ParseIntError> {
    let n: u64 = s.parse()?;
    Ok(n + 1)
}

#[test]
fn methods_generics_and_impl_trait() {
    dir();
    let mut book = Book::default();
    assert_eq!(book.depth(), 0);
    *book.top() += 5;
    assert_eq!(book.extend_from([1, 2]), 3);
    assert_eq!(book.name(), "book");
    assert_eq!(book.describe(), "venue book");
    assert_eq!(book.into_levels(), vec![5, 1, 2]);
    assert_eq!(largest(&[3, 9, 2]), Some(9));
    assert_eq!(largest::<u8>(&[]), None);
    assert_eq!(evens(5).collect::<Vec<_>>(), vec![0, 2, 4]);
    assert_eq!(parsed("41").unwrap().to_string(), "42");
    assert!(parsed("x").is_err());

    for (op, function, calls) in [
        ("by_ref", "Book::depth", 1),
        ("by_mut", "Book::top", 1),
        ("by_value", "Book::into_levels", 1),
        ("generic_method", "Book::extend_from", 1),
        // Called directly, then by `describe`.
        (
            "trait_impl",
            "<log_performance::Book as log_performance::Venue>::name",
            2,
        ),
        ("trait_default", "log_performance::Venue::describe", 1),
    ] {
        let all = operation("perf", op);
        assert_eq!(all.len(), calls, "{op}: {all:#?}");
        let r = &all[0];
        assert_eq!(r["fields"]["outcome"], "ok", "{op}");
        let f = r["function"].as_str().unwrap();
        assert!(f.ends_with(function), "{op}: {f}");
    }
    assert_eq!(operation("perf", "generic_fn").len(), 2);
    assert_eq!(
        only_op("impl_trait")["function"],
        concat!(module_path!(), "::evens")
    );
    let r = operation("perf", "impl_trait_in_result");
    assert_eq!(r.len(), 2);
    assert_eq!(r[0]["fields"]["outcome"], "ok");
    assert_eq!(r[1]["fields"]["outcome"], "err");
    // A `std::error::Error`: its `Display` and its (empty) source chain
    // (and a backtrace when RUST_BACKTRACE is set).
    let error = &r[1]["fields"]["error"];
    assert_eq!(error["message"], "invalid digit found in string");
    assert_eq!(error["sources"], serde_json::json!([]));
}

// ------------------------------------------------------------- options --

#[log_performance(name = "leveled", level = "warn")]
fn leveled() {}

/// In a module of its own, so that its target alone can be turned down
/// while the binary's other tests run.
mod quiet {
    use logger::log_performance;

    #[log_performance(name = "too_fine", level = "trace")]
    pub fn too_fine() -> u32 {
        7
    }
}
use quiet::too_fine;

#[test]
fn level_option_and_disabled_level() {
    dir();
    leveled();
    assert_eq!(only_op("leveled")["level"], "WARN");
    logger::set_filter("trace,log_performance::quiet=debug").unwrap();
    assert_eq!(too_fine(), 7, "the body runs when its level is disabled");
    logger::set_filter("trace").unwrap(); // as installed
    assert!(operation("perf", "too_fine").is_empty());
}

#[log_performance(name = "mem_without_counting_alloc", mem)]
fn mem_without_counting_alloc() -> Vec<u8> {
    vec![0; 64]
}

#[test]
fn mem_is_null_without_the_counting_allocator() {
    dir();
    assert_eq!(mem_without_counting_alloc().len(), 64);
    let r = only_op("mem_without_counting_alloc");
    assert!(r["fields"]["alloc_bytes"].is_null(), "{r}");
    assert!(r["fields"]["allocs"].is_null(), "{r}");
}

#[log_performance(name = "thresholded", threshold = "1ms")]
fn thresholded(slow: bool, fail: bool) -> Result<(), String> {
    if slow {
        spin(Duration::from_millis(2));
    }
    if fail { Err("nope".into()) } else { Ok(()) }
}

#[test]
fn threshold_records_only_slower_calls_and_every_error() {
    dir();
    thresholded(false, false).unwrap();
    thresholded(true, false).unwrap();
    thresholded(false, true).unwrap_err();
    let r = operation("perf", "thresholded");
    assert_eq!(r.len(), 2, "{r:#?}");
    assert_eq!(r[0]["fields"]["outcome"], "ok");
    assert!(elapsed_ns(&r[0]) >= 1_000_000);
    assert_eq!(r[1]["fields"]["outcome"], "err");
    assert_eq!(r[1]["fields"]["error"], "nope");
}

#[log_performance(name = "sampled", sample = 3)]
fn sampled(i: u32) -> u32 {
    i
}

#[test]
fn sample_records_one_call_in_n() {
    dir();
    let handle = std::thread::spawn(|| {
        for i in 0..7 {
            assert_eq!(sampled(i), i);
        }
    });
    handle.join().unwrap();
    assert_eq!(operation("perf", "sampled").len(), 3, "calls 1, 4 and 7");
}

#[log_performance(name = "with_args", args(symbol, qty, side))]
fn with_args(symbol: String, qty: u64, side: &'static str, unused_px: f64) -> usize {
    let _ = unused_px;
    let moved = symbol; // the body consumes the argument
    moved.len() + qty as usize + side.len()
}

#[log_performance(name = "pattern_args", args(a, b))]
fn pattern_args((a, b): (u8, i8)) -> i16 {
    i16::from(a) + i16::from(b)
}

#[test]
fn args_are_recorded_as_fields() {
    dir();
    assert_eq!(with_args("AAPL".into(), 10, "buy", 1.0), 17);
    let r = only_op("with_args");
    let f = &r["fields"];
    assert_eq!(f["symbol"], "AAPL");
    assert_eq!(f["qty"], 10);
    assert_eq!(f["side"], "buy");
    assert!(f.get("unused_px").is_none());
    assert_eq!(pattern_args((1, -3)), -2);
    let r = only_op("pattern_args");
    assert_eq!(r["fields"]["a"], 1);
    assert_eq!(r["fields"]["b"], -3);
}

#[log_performance(name = "cpu_spin", cpu)]
fn cpu_spin() {
    spin(Duration::from_millis(3));
}

#[log_performance(name = "cpu_sleep", cpu)]
fn cpu_sleep() {
    std::thread::sleep(Duration::from_millis(20));
}

#[test]
fn cpu_time_is_thread_cpu_time() {
    dir();
    cpu_spin();
    cpu_sleep();
    let spin = only_op("cpu_spin");
    let cpu = spin["fields"]["cpu_ns"].as_u64().unwrap();
    assert!(cpu >= 1_000_000, "spinning 3 ms used {cpu} ns of CPU");
    let sleep = only_op("cpu_sleep");
    let cpu = sleep["fields"]["cpu_ns"].as_u64().unwrap();
    let wall = elapsed_ns(&sleep);
    assert!(
        wall >= 20_000_000 && cpu < wall / 4,
        "cpu {cpu} wall {wall}"
    );
}

// --------------------------------------------------------------- async --

#[log_performance(name = "async_sleep")]
async fn async_sleep(ms: u64) -> u64 {
    spin(Duration::from_micros(300));
    sleep(Duration::from_millis(ms)).await;
    spin(Duration::from_micros(300));
    ms
}

struct Gateway {
    venue: &'static str,
}

impl Gateway {
    #[log_performance(name = "async_method", args(id), cpu)]
    async fn send(&self, id: u64) -> Result<&'static str, RiskError> {
        sleep(Duration::from_millis(5)).await;
        check(id != 0)?;
        Ok(self.venue)
    }
}

#[log_performance(name = "async_panic")]
async fn async_panic() {
    sleep(Duration::from_millis(1)).await;
    panic!("async boom");
}

#[log_performance(name = "async_cancelled")]
async fn async_cancelled() {
    sleep(Duration::from_secs(60)).await;
}

#[test]
fn async_wall_time_versus_busy_time() {
    dir();
    assert_eq!(block_on(async_sleep(30)), 30);
    let r = only_op("async_sleep");
    let f = &r["fields"];
    assert_eq!(f["outcome"], "ok");
    let wall = f["elapsed_ns"].as_u64().unwrap();
    let busy = f["busy_ns"].as_u64().unwrap();
    let polls = f["polls"].as_u64().unwrap();
    assert!(wall >= 30_000_000, "wall {wall}");
    assert!(busy >= 600_000, "busy {busy}");
    assert!(busy < wall / 4, "busy {busy} is far below wall {wall}");
    assert!(polls >= 2, "polls {polls}");
    assert_eq!(r["function"], concat!(module_path!(), "::async_sleep"));
}

#[test]
fn async_methods_outcomes_args_and_cpu() {
    dir();
    let gw = Gateway { venue: "XNAS" };
    assert_eq!(block_on(gw.send(1)).unwrap(), "XNAS");
    assert!(block_on(gw.send(0)).is_err());
    let r = operation("perf", "async_method");
    assert_eq!(r.len(), 2);
    assert_eq!(r[0]["fields"]["outcome"], "ok");
    assert_eq!(r[0]["fields"]["id"], 1);
    assert!(
        r[0]["fields"]["cpu_ns"].as_u64().unwrap() < r[0]["fields"]["elapsed_ns"].as_u64().unwrap()
    );
    assert_eq!(r[1]["fields"]["outcome"], "err");
    assert_eq!(r[1]["fields"]["error"], "risk limit: notional");
    assert!(
        r[1]["function"]
            .as_str()
            .unwrap()
            .ends_with("Gateway::send")
    );
}

#[test]
fn async_panic_and_cancellation() {
    dir();
    let result = std::panic::catch_unwind(|| block_on(async_panic()));
    assert!(result.is_err());
    let r = only_op("async_panic");
    assert_eq!(r["fields"]["outcome"], "panic");
    assert!(r["fields"]["polls"].as_u64().unwrap() >= 2);

    // Poll once, then drop: the call is recorded as cancelled.
    {
        let fut = async_cancelled();
        let mut fut = std::pin::pin!(fut);
        let waker = std::task::Waker::noop();
        let mut cx = std::task::Context::from_waker(waker);
        assert!(fut.as_mut().poll(&mut cx).is_pending());
    }
    let r = only_op("async_cancelled");
    assert_eq!(r["fields"]["outcome"], "cancelled");
    assert_eq!(r["fields"]["polls"], 1);
}

#[test]
fn async_future_is_send() {
    fn assert_send<T: Send>(_: &T) {}
    let gw = Gateway { venue: "XNAS" };
    let fut = gw.send(1);
    assert_send(&fut);
    let fut = async_sleep(1);
    assert_send(&fut);
}
