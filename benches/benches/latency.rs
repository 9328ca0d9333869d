//! Latency of our logger: quill's burst method and the per-call mode.
//!
//! `cargo bench -p logger-benches --bench latency` (add a filter as the
//! first free argument, e.g. `-- latency`). Prints a table and writes
//! `target/bench-results/latency.json`. See docs/performance.md.

use logger_benches::{ours, runner};

fn main() {
    let jobs = ours::jobs()
        .into_iter()
        .filter(|j| j.name == "logger-latency")
        .collect();
    let rows = runner::run(jobs);
    runner::finish("latency", &rows);
}
