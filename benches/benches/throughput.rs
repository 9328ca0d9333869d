//! Throughput of our logger: 1,000,000 records back to back from one
//! thread and from two, until they are all in the file.
//!
//! `cargo bench -p logger-benches --bench throughput`. Prints a table and
//! writes `target/bench-results/throughput.json`. See docs/performance.md.

use logger_benches::{ours, runner};

fn main() {
    let jobs = ours::jobs()
        .into_iter()
        .filter(|j| j.name.starts_with("logger-tp-"))
        .collect();
    let rows = runner::run(jobs);
    runner::finish("throughput", &rows);
}
