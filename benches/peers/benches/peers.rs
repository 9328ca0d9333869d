//! Ours and the peers in one run: every latency case and throughput run
//! of `logger-benches`, then each peer logger (latency, throughput from 1
//! and 2 threads), each in child processes of its own.
//!
//! `cargo bench --manifest-path benches/peers/Cargo.toml` (or
//! `benches/run-all.sh`). Prints the table and a summary of ratios, and
//! writes `target/bench-results/all.json`. See docs/performance.md.

use logger_benches::{ours, runner};
use logger_peer_benches::peer;
use logger_peer_benches::{jobs_of, summary};

fn main() {
    let mut jobs = ours::jobs();
    jobs.extend(jobs_of::<peer::quicklog::Quicklog>());
    jobs.extend(jobs_of::<peer::low_latency_log::LowLatencyLog>());
    jobs.extend(jobs_of::<peer::ring_log::RingLog>());
    jobs.extend(jobs_of::<peer::ftlog::Ftlog>());
    jobs.extend(jobs_of::<peer::spdlog::Spdlog>());
    jobs.extend(jobs_of::<peer::fast_log::FastLog>());
    jobs.extend(jobs_of::<peer::tracing::Tracing>());
    jobs.extend(jobs_of::<peer::slog::Slog>());
    jobs.extend(jobs_of::<peer::flexi_logger::FlexiLogger>());
    jobs.extend(jobs_of::<peer::logforth::Logforth>());
    jobs.extend(jobs_of::<peer::log4rs::Log4rs>());
    let rows = runner::run(jobs);
    runner::finish("all", &rows);
    println!("\n{}", summary(&rows));
}
