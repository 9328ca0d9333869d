#!/usr/bin/env bash
# The C++ anchors (quill, fmtlog) and our `trade!` under the same burst
# method, alternately, on this machine: is issue 16's burst p50 target
# (<= 30 ns, the design's figure for fmtlog, measured on another machine)
# reachable here by the loggers it was set from? Not part of `cargo
# bench` nor of the tests (g++ and the anchors' sources are needed).
#
#   benches/anchors/run.sh              # 5 rounds of 5,000 bursts each
#   ROUNDS=9 BURSTS=10000 benches/anchors/run.sh
#
# Sources, at pinned commits, fetched into target/anchors/src unless
# there: quill 12.1.0, fmtlog (header-only) and the fmt it pins.
# ANCHOR_GIT replaces https://github.com (a local mirror: a directory
# holding odygrd/quill, MengRao/fmtlog, fmtlib/fmt as git repositories,
# read with `git archive`).
# Each round runs fmtlog, quill and ours once, the backend/flusher asleep
# 100 us when idle in all three; a table of medians ends the run. Ours is
# the latency bench with BENCH_CASES="trade! 5 fields" (a substring: the
# two correlation cases run too, and are not read), its JSON written to
# target/bench-results/latency-logger-latency.json.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${ROUNDS:-5}
BURSTS=${BURSTS:-5000}
GIT=${ANCHOR_GIT:-https://github.com}
OUT=target/anchors
SRC=$OUT/src
mkdir -p "$SRC"

# fetch NAME REPO COMMIT PATHS...: the PATHS of REPO at COMMIT into
# $SRC/NAME-COMMIT (kept: a later run with the same pin builds from it).
fetch() {
    local name=$1-$3 repo=$2 commit=$3
    shift 3
    [ -d "$SRC/$name" ] && return
    mkdir -p "$SRC/$name.part"
    if [ -d "$GIT/$repo" ]; then
        git -C "$GIT/$repo" archive "$commit" "$@" | tar -x -C "$SRC/$name.part"
    else
        local tmp
        tmp=$(mktemp -d)
        git -C "$tmp" init -q
        git -C "$tmp" fetch -q --depth 1 "$GIT/$repo" "$commit"
        git -C "$tmp" archive FETCH_HEAD "$@" | tar -x -C "$SRC/$name.part"
        rm -rf "$tmp"
    fi
    mv "$SRC/$name.part" "$SRC/$name"
}
QUILL=c4f3fa4e366d17010e87c0e5afb2e586f6404266
FMTLOG=308b2317d4e9c21d3b203d104007fde127dcdbfa
FMT=9cf9f38eded63e5e0fb95cd536ba51be601d7fa2
fetch quill odygrd/quill $QUILL include
fetch fmtlog MengRao/fmtlog $FMTLOG fmtlog.h fmtlog-inl.h
fetch fmt fmtlib/fmt $FMT include

CXX=${CXX:-g++}
FLAGS=(-std=c++17 -O3 -march=native -DNDEBUG -pthread)
"$CXX" "${FLAGS[@]}" -I"$SRC/quill-$QUILL/include" benches/anchors/quill_burst.cpp -o "$OUT/quill_burst"
"$CXX" "${FLAGS[@]}" -DFMT_HEADER_ONLY -I"$SRC/fmt-$FMT/include" -I"$SRC/fmtlog-$FMTLOG" \
    benches/anchors/fmtlog_burst.cpp -o "$OUT/fmtlog_burst"
cargo bench -p logger-benches --bench latency --no-run ||
    { echo "run.sh: the latency bench did not build" >&2; exit 1; }
ours=$(cargo bench -p logger-benches --bench latency --no-run --message-format=json 2>/dev/null |
    sed -n 's/.*"executable":"\([^"]*latency-[^"]*\)".*/\1/p' | tail -1)
[ -x "$ours" ] || { echo "run.sh: no latency bench executable in cargo's output" >&2; exit 1; }

echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
: >"$OUT/results.txt"
for r in $(seq "$ROUNDS"); do
    sync
    "$OUT/fmtlog_burst" "$BURSTS" 100000 "$OUT/fmtlog_burst.log" | tee -a "$OUT/results.txt"
    sync
    "$OUT/quill_burst" "$BURSTS" 100000 "$OUT/quill_burst.json" | tee -a "$OUT/results.txt"
    sync
    BENCH_CASES="trade! 5 fields" BENCH_BURSTS=$BURSTS BENCH_CALLS=20000 "$ours" --bench logger-latency 2>&1 |
        awk '/bursts after a wait without a preemption/ { calm = $(NF-1) }
             /logger \/ trade! 5 fields: burst/ {
                 printf "logger trade!: burst p50 %s ns, p99.9 %s ns; calm p50 %s ns\n", $9, $12, calm; exit }' |
        tee -a "$OUT/results.txt"
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
# median FIELD WHO: the median of one figure of WHO's rounds (the mean of
# the two middle ones for an even count), with its range; fails when a
# round has no such figure.
median() {
    local values
    values=$(grep "^$2" "$OUT/results.txt" | sed -n "s/.*$1 \([0-9.]*\) ns.*/\1/p" | sort -n)
    if [ "$(printf '%s\n' "$values" | grep -c .)" -ne "$ROUNDS" ]; then
        echo "run.sh: '$1' of '$2' missing from a round (see $OUT/results.txt)" >&2
        return 1
    fi
    printf '%s\n' "$values" | awk '{ v[NR] = $1 } END {
        m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        printf "%.1f ns (%s-%s)", m, v[1], v[NR] }'
}
echo "| logger | burst p50 | calm p50 | burst p99.9 |"
echo "| --- | --: | --: | --: |"
for who in fmtlog quill "logger trade!"; do
    p50=$(median 'burst p50' "$who") && calm=$(median 'calm p50' "$who") &&
        tail=$(median 'p99.9' "$who") || exit 1
    echo "| $who | $p50 | $calm | $tail |"
done
echo "(medians of $ROUNDS rounds of $BURSTS bursts, the range in brackets)"
