#!/usr/bin/env bash
# Run one bench RUNS times and report each run's exit status and its target lines: a flaky bench
# shows up as a run that failed. Each run's whole output is kept in
# target/bench-repeat/<bench>-<time>/run-<i>.log.
#
#   scripts/bench-repeat.sh BENCH [RUNS] [-- BENCH ARGS...]
#   scripts/bench-repeat.sh obs_latency 10
#   scripts/bench-repeat.sh spine 5 -- --quick latency
#
# RUNS defaults to 10. The bench is built once first (`cargo bench --no-run`). Exits non-zero
# unless every run passed.
set -euo pipefail

if [ $# -lt 1 ]; then
    echo "usage: $0 BENCH [RUNS] [-- BENCH ARGS...]" >&2
    exit 2
fi
bench="$1"
shift
runs=10
if [ $# -gt 0 ] && [ "$1" != "--" ]; then
    runs="$1"
    shift
fi
if [ $# -gt 0 ] && [ "$1" = "--" ]; then
    shift
fi
case "$runs" in
'' | *[!0-9]*)
    echo "RUNS must be a whole number, got '$runs'" >&2
    exit 2
    ;;
esac

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
logs="$root/target/bench-repeat/$bench-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$logs"
cargo bench --bench "$bench" --no-run

passed=0
for i in $(seq 1 "$runs"); do
    log="$logs/run-$i.log"
    started=$(date +%s)
    if cargo bench --bench "$bench" -- "$@" >"$log" 2>&1; then
        verdict=pass
        passed=$((passed + 1))
    else
        verdict="FAIL (exit $?)"
    fi
    echo "run $i/$runs: $verdict in $(($(date +%s) - started)) s ($log)"
    grep -E '^target |panicked|^Error' "$log" | sed 's/^/    /' || true
done
echo "$passed of $runs runs passed; logs in $logs"
[ "$passed" -eq "$runs" ]
