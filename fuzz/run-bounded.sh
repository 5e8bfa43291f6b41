#!/bin/sh
# Bounded fuzz run for CI: every target for SECONDS (default 60), with memory limits, so a
# crash, a leak or an unbounded allocation fails the run.
#
#   fuzz/run-bounded.sh [SECONDS] [RUNS] [TARGET...]
#
# RUNS bounds the number of inputs per target instead (or as well): the one-off long run is
# `fuzz/run-bounded.sh 0 10000000` (0 seconds = no time limit). The final stats line of each
# target (`stat::number_of_executed_units`, `stat::average_exec_per_sec`) gives the exact count.
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`). cargo fuzz passes nightly-only flags to rustc;
# on a stable toolchain RUSTC_BOOTSTRAP=1 allows them (set here).
#
# FUZZ_SANITIZER (default `none`): the code under test is safe Rust (no `unsafe` in
# src/protocol, src/match_state.rs, src/store/codec.rs), so AddressSanitizer mostly costs speed
# (match_state_apply: ~1 000 exec/s with `address`, ~6 600 without, and 9x the memory). Set
# FUZZ_SANITIZER=address to check the dependencies' unsafe code too.
set -eu
secs="${1:-60}"
runs="${2:--1}"
shift $(( $# < 2 ? $# : 2 ))
targets="${*:-parse_datagram match_state_apply}"
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

# Seeds: the example match, one datagram per file for the parser, whole for the match state.
seed_parse="fuzz/corpus/parse_datagram"
seed_apply="fuzz/corpus/match_state_apply"
mkdir -p "$seed_parse" "$seed_apply"
example="tests/fixtures/example-match.pss"
if [ -f "$example" ]; then
    grep -v '^#' "$example" | awk -v d="$seed_parse" 'NF { f = sprintf("%s/seed-%03d", d, NR); printf "%s", $0 > f; close(f) }'
    grep -v '^#' "$example" > "$seed_apply/seed-example-match"
    # The same match as TkStrike sends it: no trailing ';', CRLF.
    grep -v '^#' "$example" | sed 's/;$//; s/$/\r/' > "$seed_apply/seed-example-match-crlf"
fi

for target in $targets; do
    echo "== fuzzing $target for ${secs}s (0 = unbounded), runs ${runs} (-1 = unbounded) =="
    # -rss_limit_mb: total memory; -malloc_limit_mb: any single allocation bigger than this is
    # reported as a crash (inputs are at most -max_len bytes, so nothing should come close).
    RUSTC_BOOTSTRAP=1 cargo fuzz run -s "${FUZZ_SANITIZER:-none}" "$target" "fuzz/corpus/$target" -- \
        -max_total_time="$secs" -runs="$runs" -max_len=4096 -rss_limit_mb=512 -malloc_limit_mb=64 \
        -print_final_stats=1
done
