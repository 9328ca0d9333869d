//! Benchmark harness shared by the `latency` and `throughput` benches of
//! this crate and by the peer benches in `benches/peers`.
//!
//! - [`tsc`]: `rdtsc` / `rdtscp` reads and their calibration to nanoseconds
//!   against `CLOCK_MONOTONIC`.
//! - [`measure`]: quill's hot-path method (bursts of 20 calls timed as a
//!   whole, 2.0-2.2 ms busy wait between bursts) and a per-call mode.
//! - [`throughput`]: N records back to back from 1 or more threads, until
//!   they are in the file.
//! - [`report`]: result rows, the stdout table, the JSON file.
//! - [`runner`]: every logger installs globally once per process, so each
//!   logger/configuration runs in a child process (the bench binary
//!   re-executed with `--child NAME`), which prints its rows on stdout.
//! - [`ours`]: the cases of this crate's logger.
//!
//! Environment knobs (defaults are the method of issue 4):
//! `BENCH_BURSTS` (10000), `BENCH_CALLS` (200000), `BENCH_RECORDS`
//! (1000000), `BENCH_FILTER` (run only the children whose name contains it).

pub mod measure;
pub mod ours;
mod ours_macros;
pub mod report;
pub mod runner;
pub mod sys;
pub mod throughput;
pub mod tsc;

/// The content of one order-like record, the same for every logger:
/// symbol and side strings, quantity, price and order id.
#[derive(Clone, Copy, Debug)]
pub struct Order {
    /// Instrument symbol.
    pub symbol: &'static str,
    /// `BUY` or `SELL`.
    pub side: &'static str,
    /// Quantity.
    pub qty: u64,
    /// Limit price.
    pub price: f64,
    /// Order id.
    pub order_id: u64,
}

const SYMBOLS: [&str; 4] = ["AAPL", "MSFT", "NVDA", "ESZ6"];

/// The `i`-th order: every field varies with `i`, so nothing is constant
/// at the call site.
#[inline(always)]
pub fn order(i: u64) -> Order {
    let i = std::hint::black_box(i);
    Order {
        symbol: SYMBOLS[(i & 3) as usize],
        side: if i & 1 == 0 { "BUY" } else { "SELL" },
        qty: 100 + (i & 0xff),
        price: 100.0 + (i & 0xffff) as f64 * 0.25,
        order_id: 1_000_000 + i,
    }
}

/// Reads a numeric environment knob.
pub fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}
