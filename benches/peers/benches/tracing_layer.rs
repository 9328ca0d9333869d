//! `tracing` events into our logger (through `logger::tracing_layer()`,
//! inside two spans) against `log::info!` into our logger and against
//! `tracing-appender`'s non-blocking writer (without and with the same
//! two spans), in one run, with the harness of `logger-benches`.
//!
//! `cargo bench --manifest-path benches/peers/Cargo.toml --bench tracing_layer [filter]`
//! (`latency` as the filter skips the throughput runs). Writes
//! `target/bench-results/tracing-layer.json`. See docs/tracing.md.

use logger_benches::runner;
use logger_peer_benches::jobs_of;
use logger_peer_benches::peer::{logger_tracing, tracing};

fn main() {
    let mut jobs = jobs_of::<logger_tracing::LoggerLog>();
    jobs.extend(jobs_of::<logger_tracing::LoggerTracing>());
    jobs.extend(jobs_of::<tracing::Tracing>());
    jobs.extend(jobs_of::<tracing::TracingSpans>());
    let rows = runner::run(jobs);
    runner::finish("tracing-layer", &rows);
}
