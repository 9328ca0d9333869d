#!/usr/bin/env bash
# Throughput of `logger cat --level error`, `logger trace`, `logger stats`
# over one ~1 GB JSON-lines file of the demo's records, beside jq, lnav
# (with logger-cli/lnav/logger_json.json) and grep -c in the same run.
#
#   logger-cli/benches/throughput.sh            # builds, makes the file once, measures
#   BENCH_DIR=/data BENCH_MB=2048 logger-cli/benches/throughput.sh
#   ONLY_LOGGER=1 logger-cli/benches/throughput.sh   # without jq, lnav, grep
#
# The file: the demo (`cargo run --release --example demo`) run again and
# again, each run's app files (rotated .gz, then the active file) appended
# in order, until the file holds BENCH_MB MiB. It is kept in BENCH_DIR and
# reused. Each command runs once per round (ROUNDS, default 2) and the best
# round counts. Two rates: the file's size over the wall time, and over the
# CPU time (user + system) the command used: on a shared, loaded machine
# the wall time mostly measures the wait for a core, the CPU time what the
# command costs. Peak memory is the maximum resident set size (GNU time's %M).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
WORK=${BENCH_DIR:-/tmp/logger-cli-bench}
MB=${BENCH_MB:-1024}
ROUNDS=${ROUNDS:-2}
FILE=$WORK/demo.log

for tool in jq lnav /usr/bin/time; do
    command -v "$tool" >/dev/null || { echo "throughput.sh: $tool is missing (apt-get install jq lnav time)" >&2; exit 1; }
done

cargo build --release -q -p logger-cli --bin logger
cargo build --release -q -p logger-examples --example demo
LOGGER=$ROOT/target/release/logger
DEMO=$ROOT/target/release/examples/demo

mkdir -p "$WORK"
size() { stat -c %s "$1" 2>/dev/null || echo 0; }
if [ "$(size "$FILE")" -lt $((MB << 20)) ]; then
    : > "$FILE"
    while [ "$(size "$FILE")" -lt $((MB << 20)) ]; do
        rm -rf "$WORK/run" && mkdir -p "$WORK/run"
        (cd "$WORK/run" && "$DEMO" > /dev/null)
        for f in $(ls "$WORK/run/logs"/app.2*.log.gz 2>/dev/null | sort); do zcat "$f" >> "$FILE"; done
        tr -d '\000' < "$WORK/run/logs/app.log" >> "$FILE"
    done
    rm -rf "$WORK/run"
fi
BYTES=$(size "$FILE")
LINES=$(wc -l < "$FILE")
ERRORS=$(grep -c '"level":"ERROR"' "$FILE")
# An order's correlation id from the middle of the file (strategy 1, order 50000).
ID=$(( (1 << 40) | 50000 ))

export HOME_LNAV=$WORK/lnav-home
mkdir -p "$HOME_LNAV"
HOME=$HOME_LNAV lnav -i "$ROOT/logger-cli/lnav/logger_json.json" > /dev/null

echo "file: $FILE, $BYTES bytes, $LINES lines, $ERRORS ERROR records; $(nproc) cores"
printf '| %-62s | %7s | %8s | %7s | %9s | %8s | %s\n' command "wall s" "wall MB/s" "CPU s" "CPU MB/s" "peak RSS" "output lines"
printf '|%s|%s|%s|%s|%s|%s|%s\n' "$(printf -- '-%.0s' {1..64})" --------- ---------- --------- ----------- ---------- ---------------
run() {
    local name=$1; shift
    local best="" cpu="" rss="" out=""
    for _ in $(seq "$ROUNDS"); do
        /usr/bin/time -f '%e %U %S %M' -o "$WORK/time" "$@" > "$WORK/out" 2> "$WORK/err" || true
        read -r secs user sys kb < "$WORK/time"
        if [ -z "$best" ] || [ "$(echo "$secs < $best" | bc)" = 1 ]; then best=$secs; fi
        local c; c=$(echo "$user + $sys" | bc)
        if [ -z "$cpu" ] || [ "$(echo "$c < $cpu" | bc)" = 1 ]; then cpu=$c; fi
        rss=$kb
        out=$(wc -l < "$WORK/out")
    done
    printf '| %-62s | %7.2f | %9.0f | %7.2f | %9.0f | %4d MiB | %s\n' "$name" "$best" \
        "$(echo "$BYTES / 1048576 / $best" | bc -l)" "$cpu" "$(echo "$BYTES / 1048576 / ($cpu + 0.001)" | bc -l)" \
        $((rss / 1024)) "$out"
}
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
run "logger cat --level error --output json" "$LOGGER" cat --level error --output json --no-progress "$FILE"
run "logger trace $ID --output json" "$LOGGER" trace "$ID" --output json --no-progress "$FILE"
run "logger stats" "$LOGGER" stats --no-progress "$FILE"
run "logger cat --kind trade --where fields.qty>=500 --output json" "$LOGGER" cat --kind trade --where 'fields.qty>=500' --output json --no-progress "$FILE"
if [ -z "${ONLY_LOGGER:-}" ]; then  # ONLY_LOGGER=1: the logger rows alone
    run "jq -c 'select(.level==\"ERROR\")'" jq -c 'select(.level=="ERROR")' "$FILE"
    run "lnav -n (format file): count of error records" env HOME="$HOME_LNAV" lnav -n -c ';SELECT count(*) FROM logger_json WHERE log_level = "error"' "$FILE"
    run "grep -c '\"level\":\"ERROR\"'" grep -c '"level":"ERROR"' "$FILE"
fi
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
