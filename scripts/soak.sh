#!/usr/bin/env bash
# Soak test (issue 7): MATCHES matches back to back, each sent by `courtside simulate`, into the
# desktop app running under Xvfb. Prints the app's RSS (MB = 10^6 bytes; also its anonymous and
# file-backed parts) at the start, every REPORT_EVERY matches and at the end, any warning/error it
# logged, and the store size per 1000 events.
#
#   cargo build --release && scripts/soak.sh [MATCHES] [INTERVAL_MS]
#
# MATCHES (default 500), INTERVAL_MS (default 2): the pause between datagrams, which is the
# compression. A generated match is 3 rounds of 2 minutes with a clock datagram a second and a
# score every 10 s (~460 datagrams, ~6.5 minutes of live traffic); at 2 ms a datagram it takes
# about a second, so 500 matches (~54 hours of one court's traffic) take ~10 minutes.
#
# Needs: Linux, xvfb-run, Mesa (LIBGL_ALWAYS_SOFTWARE=1), bc, iproute2 (`ss`, `ip`), util-linux
# (`unshare`, optional).
# The app listens where its stored settings say; a fresh store means the default, UDP 6000 on
# all addresses. To be sure nothing else holds that port and no LAN traffic reaches it, the
# script re-runs itself in a private network namespace when `unshare -rn` is allowed; otherwise
# it checks that port 6000 is free. COURTSIDE=path/to/courtside overrides the binary.
set -euo pipefail

matches="${1:-500}"
interval_ms="${2:-2}"
report_every="${REPORT_EVERY:-50}"
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="${COURTSIDE:-$root/target/release/courtside}"
port=6000

if [ "${SOAK_IN_NETNS:-}" != 1 ] && unshare -rn true 2>/dev/null; then
    exec unshare -rn env SOAK_IN_NETNS=1 bash "$0" "$@"
fi
if [ "${SOAK_IN_NETNS:-}" = 1 ]; then
    ip link set lo up
    netns="private network namespace"
else
    netns="host network"
    if (exec 3<>/dev/udp/127.0.0.1/$port) 2>/dev/null && ss -uln 2>/dev/null | grep -q ":$port\b"; then
        echo "soak: UDP port $port is in use; stop what holds it first" >&2
        exit 1
    fi
fi
[ -x "$bin" ] || { echo "soak: no binary at $bin (cargo build --release)" >&2; exit 1; }

tmp="$(mktemp -d)"
gui_pid=""
# The app is xvfb-run's grandchild: found by its unique --db argument and its executable.
find_gui() {
    local p
    for p in $(pgrep -f -- "--db $db" || true); do
        if [ "$(readlink "/proc/$p/exe" || true)" = "$(readlink -f "$bin")" ]; then
            echo "$p"
            return
        fi
    done
}
cleanup() {
    # Ending the app ends xvfb-run, which then ends its Xvfb.
    local p="${gui_pid:-$(find_gui)}"
    if [ -n "$p" ] && kill -0 "$p" 2>/dev/null; then kill "$p"; fi
    rm -rf "$tmp"
}
trap cleanup EXIT
db="$tmp/soak.redb"

# One generated match: numbered, so every match is a new match record.
gen_match() {
    awk -v m="$1" 'BEGIN {
        print "pre;FightLoaded;"
        printf "at1;A. BLUE%d;Athlete BLUE%d;KOR;at2;B. RED%d;Athlete RED%d;FRA;\n", m, m, m, m
        printf "mch;%d;Round of 16;M- 68 kg;;#0000ff;#FFFFFF;#ff0000;#FFFFFF;%08x;Senior;3;120;cntDown;18;1;\n", m, m
        print "rdy;FightReady;"
        b = 0; r = 0
        for (rd = 1; rd <= 3; rd++) {
            printf "rnd;%d;\nclk;2:00;start;\n", rd
            for (t = 119; t >= 0; t--) {
                printf "clk;%d:%02d;\n", int(t / 60), t % 60
                if (t % 10 == 5) { b += 2; printf "pt1;2;\nsc1;%d;sc2;%d;\n", b, r }
                if (t % 20 == 0) { r += 1; printf "pt2;1;\nsc1;%d;sc2;%d;\n", b, r }
            }
            printf "clk;0:00;stopEnd;\nwrd;rd1;1;rd2;%d;rd3;0;\n", (rd > 1)
            if (rd < 3) { for (s = 59; s >= 0; s -= 10) printf "brk;0:%02d;\n", s }
        }
        print "win;BLUE;"
    }'
}

# RSS, anonymous part and file-backed part (executable and libraries), MB = 10^6 bytes.
rss_cols() {
    awk '/^(VmRSS|RssAnon|RssFile):/ { printf " %10.1f", $2 * 1024 / 1000000 }' "/proc/$1/status"
}

export HOME="$tmp/home" LIBGL_ALWAYS_SOFTWARE=1 RUST_LOG=warn NO_COLOR=1
mkdir -p "$HOME"
xvfb-run -a -s "-screen 0 1920x1080x24" "$bin" --db "$db" 2>"$tmp/gui.log" &
xvfb_pid=$!
# Wait until the app runs and its listener is bound (what `ss` shows) before sending anything.
deadline=$((SECONDS + 60))
while [ -z "$gui_pid" ]; do
    gui_pid="$(find_gui)"
    [ $SECONDS -lt $deadline ] || { echo "soak: the app did not start" >&2; cat "$tmp/gui.log" >&2; exit 1; }
    sleep 0.2
done
until ss -uln | grep -q ":$port\b"; do
    [ $SECONDS -lt $deadline ] || { echo "soak: the app never listened on $port" >&2; cat "$tmp/gui.log" >&2; exit 1; }
    kill -0 "$gui_pid" || { echo "soak: the app exited" >&2; cat "$tmp/gui.log" >&2; exit 1; }
    sleep 0.2
done

echo "soak: $matches matches, ${interval_ms} ms between datagrams, app pid $gui_pid ($netns), $(date -u +%FT%TZ)"
printf 'soak: %6s %10s %10s %10s %10s %8s\n' match datagrams rss_mb anon_mb file_mb elapsed_s
start=$SECONDS
sent=0
printf 'soak: %6d %10d%s %8d\n' 0 0 "$(rss_cols "$gui_pid")" 0
for m in $(seq 1 "$matches"); do
    gen_match "$m" > "$tmp/match.pss"
    n="$("$bin" simulate "$tmp/match.pss" --to "127.0.0.1:$port" --interval-ms "$interval_ms" 2>&1 \
        | sed -n 's/^courtside: sent \([0-9]*\) datagrams.*/\1/p')"
    sent=$((sent + n))
    kill -0 "$gui_pid" || { echo "soak: the app died at match $m" >&2; cat "$tmp/gui.log" >&2; exit 1; }
    if [ $((m % report_every)) -eq 0 ] || [ "$m" -eq "$matches" ]; then
        printf 'soak: %6d %10d%s %8d\n' "$m" "$sent" "$(rss_cols "$gui_pid")" $((SECONDS - start))
    fi
done

# The app shows each datagram once the writer committed it; give it until the store stops
# growing, then end it with SIGTERM (Xvfb has no window manager to close the window with; the
# store is durable at every commit, and reopening it below checks it).
prev=-1
while [ "$(stat -c %s "$db")" != "$prev" ]; do prev="$(stat -c %s "$db")"; sleep 2; done
printf 'soak: %6s %10d%s %8d  (after the last commit)\n' end "$sent" "$(rss_cols "$gui_pid")" \
    $((SECONDS - start))
kill "$gui_pid"
wait "$xvfb_pid" || true
gui_pid=""

stored="$("$bin" --db "$db" matches | awk -F'\t' '{ n += $NF + 0 } END { print n + 0 }')"
stored_matches="$("$bin" --db "$db" matches | wc -l)"
size="$(stat -c %s "$db")"
echo "soak: sent $sent datagrams, stored $stored in $stored_matches matches ($((sent - stored)) missing)"
echo "soak: store $size bytes = $(echo "$size * 1000 / $stored" | bc) bytes per 1000 events"
# winit's complaints about Xvfb itself (no XSETTINGS, a 0 mm screen) are about the virtual
# display, not the app: counted apart.
env_warnings="$(grep -c ' winit::' "$tmp/gui.log" || true)"
echo "soak: $env_warnings warning(s) from winit about the virtual display (Xvfb), not counted"
problems="$(grep -E 'WARN|ERROR|panicked' "$tmp/gui.log" | grep -v ' winit::' || true)"
if [ -n "$problems" ]; then
    echo "soak: the app logged warnings/errors:"
    echo "$problems" | head -20
    exit 1
fi
echo "soak: no warning or error logged by the app"
