#!/bin/sh
# Bounded fuzz run for CI: every target for SECONDS (default 60), with memory limits, so a
# crash, a leak or an unbounded allocation fails the run.
#
#   fuzz/run-bounded.sh [SECONDS]
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`). cargo fuzz passes nightly-only flags to rustc;
# on a stable toolchain RUSTC_BOOTSTRAP=1 allows them (set here).
set -eu
secs="${1:-60}"
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

# Seeds: the example match, one datagram per file for the parser, whole for the match state.
seed_parse="fuzz/corpus/parse_datagram"
seed_apply="fuzz/corpus/match_state_apply"
mkdir -p "$seed_parse" "$seed_apply"
example="benches/spine/example-match.pss"
if [ -f "$example" ]; then
    grep -v '^#' "$example" | awk -v d="$seed_parse" 'NF { f = sprintf("%s/seed-%03d", d, NR); printf "%s", $0 > f; close(f) }'
    grep -v '^#' "$example" > "$seed_apply/seed-example-match"
    # The same match as TkStrike sends it: no trailing ';', CRLF.
    grep -v '^#' "$example" | sed 's/;$//; s/$/\r/' > "$seed_apply/seed-example-match-crlf"
fi

for target in parse_datagram match_state_apply; do
    echo "== fuzzing $target for ${secs}s =="
    # -rss_limit_mb: total memory; -malloc_limit_mb: any single allocation bigger than this is
    # reported as a crash (inputs are at most -max_len bytes, so nothing should come close).
    RUSTC_BOOTSTRAP=1 cargo fuzz run "$target" "fuzz/corpus/$target" -- \
        -max_total_time="$secs" -max_len=4096 -rss_limit_mb=512 -malloc_limit_mb=64 \
        -print_final_stats=1
done
