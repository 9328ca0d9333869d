#!/usr/bin/env bash
# Instructions per loop iteration on the logging thread, counted by
# callgrind: each case of examples/instructions.rs at N and 2N
# iterations, the main thread's difference divided by N.
#   benches/callgrind.sh [case...]     (N = 20000, or $N)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-20000}
cargo build --release -p logger-benches --features tracing --example instructions >&2
bin=target/release/examples/instructions
cases=("$@")
[ ${#cases[@]} -gt 0 ] || cases=(empty trade log-static log-3args log-5kv log-performance log-performance-args log-performance-mem correlation bind-2 span-registry span span-perf span-log span-1 span-nested tracing-5kv tracing-5kv-0)
out=$(mktemp -d)
ir() { # case iterations -> instructions of the main thread
    valgrind --tool=callgrind --separate-threads=yes --callgrind-out-file="$out/cg.$1.$2" \
        "$bin" "$1" "$2" >/dev/null 2>"$out/err" ||
        { cat "$out/err" >&2; echo "case $1 failed" >&2; exit 1; }
    grep -h '^summary:\|^totals:' "$out/cg.$1.$2-01" | head -1 | awk '{print $2}'
}
printf '| case | instructions per iteration |\n| --- | --: |\n'
for c in "${cases[@]}"; do
    a=$(ir "$c" "$N") && b=$(ir "$c" $((2 * N))) || exit 1
    printf '| %s | %s |\n' "$c" "$(( (b - a) / N ))"
done
rm -rf "$out"
