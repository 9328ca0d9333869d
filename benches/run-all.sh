#!/usr/bin/env bash
# Ours and every peer logger in one run: one table on stdout (plus a
# summary of ratios), and target/bench-results/all.json.
#
#   benches/run-all.sh            # everything (about 10 minutes)
#   benches/run-all.sh tracing    # only the jobs whose name contains "tracing"
#
# Knobs (environment): BENCH_BURSTS (10000), BENCH_CALLS (200000),
# BENCH_RECORDS (1000000), BENCH_CASES (only our latency cases whose name
# contains it). See docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."
exec cargo bench --manifest-path benches/peers/Cargo.toml --bench peers -- "$@"
