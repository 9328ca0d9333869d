#!/usr/bin/env bash
# Instructions per record on the flusher thread, main file only, counted
# by callgrind: each case of examples/instructions.rs runs with N and 2N
# records (`INSTRUCTIONS_MAIN_ONLY=1`: trades, perf and errors files off,
# every record checked written), and the flusher thread's difference over
# N is the per-record count (start-up, shutdown and idle polling cancel
# out, up to the idle cycles' noise). Needs valgrind. See
# docs/performance.md, "Flusher instructions per record".
#
# ALL_FILES=1 keeps the builder's default files (a trade also goes to the
# trades file, an error to the errors file).
#
#   benches/callgrind-flusher.sh [case...]   # default: trade log-5kv log-3args; N = 100000, or $N
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-100000}
cargo build --release -p logger-benches --example instructions >&2
bin=target/release/examples/instructions
cases=("$@")
[ ${#cases[@]} -gt 0 ] || cases=(trade log-5kv log-3args)
main_only=(INSTRUCTIONS_MAIN_ONLY=1)
[ -z "${ALL_FILES:-}" ] || main_only=()
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
flusher_ir() { # case records -> instructions of the flusher thread
    local prefix="$out/cg.$1.$2"
    env "${main_only[@]}" valgrind --tool=callgrind --separate-threads=yes \
        --callgrind-out-file="$prefix" "$bin" "$1" "$2" >/dev/null 2>"$out/err" ||
        { cat "$out/err" >&2; echo "case $1 failed" >&2; exit 1; }
    # The flusher's file is the one whose functions include Flusher::cycle
    # (the largest, should another name it too).
    grep -l 'Flusher::cycle' "$prefix"-* | while read -r f; do
        grep -m1 '^totals:\|^summary:' "$f" | awk '{print $2}'
    done | sort -n | tail -1
}
printf '| case | flusher instructions per record |\n| --- | --: |\n'
for c in "${cases[@]}"; do
    a=$(flusher_ir "$c" "$N") && b=$(flusher_ir "$c" $((2 * N))) || exit 1
    printf '| %s | %s |\n' "$c" "$(( (b - a) / N ))"
done
