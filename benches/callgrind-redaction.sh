#!/usr/bin/env bash
# Instructions per record on the flusher thread, with redaction rules
# `none`, `hit` (3 rules matching 3 of 5 fields: mask, hash, keep last 4)
# and `miss` (3 rules matching none), counted by callgrind: each case runs
# with N and 2N records, and the flusher thread's difference over N is the
# per-record count (start-up, shutdown and idle polling cancel out, up to
# the idle cycles' noise). Needs valgrind. See docs/security.md, "Costs".
#
#   benches/callgrind-redaction.sh [N]     # default N = 20000
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-20000}
bin=$(cargo bench -p logger-benches --bench security --no-run --message-format=json 2>/dev/null |
    grep -o '"executable":"[^"]*security[^"]*"' | tail -1 | cut -d'"' -f4)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
flusher_ir() { # rules records
    local prefix="$out/cg.$1.$2"
    BENCH_SECURITY_CHILD="redact:$1:$2" valgrind --tool=callgrind --separate-threads=yes \
        --callgrind-out-file="$prefix.%p" "$bin" >/dev/null 2>&1
    # The flusher's file is the one whose functions include Flusher::cycle
    # (the largest, should another name it too).
    grep -l 'Flusher::cycle' "$prefix".* | while read -r f; do
        grep -m1 '^totals:' "$f" | awk '{print $2}'
    done | sort -n | tail -1
}
echo "rules | flusher instructions per record"
echo "--- | --:"
for rules in none miss hit; do
    a=$(flusher_ir "$rules" "$n")
    b=$(flusher_ir "$rules" $((2 * n)))
    echo "$rules | $(( (b - a) / n ))"
done
