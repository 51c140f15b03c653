#!/usr/bin/env bash
# Runs Redis 7.0's own test suite (external-server mode) against the Linux dbserver and prints
# a pass/fail summary per unit. The suite itself is not vendored: it is fetched from Debian 12's
# source package into a temporary directory (needs a deb-src line for bookworm; see README).
#
# Usage: dbserver/bench/redis-test-suite.sh [unit ...]
#   REDIS_SRC=/path/to/redis-7.0.x  use an already unpacked source tree instead of fetching
#   DBSERVER=/path/to/dbserver      binary to test (default: target/release/dbserver, built)
#   KEEP_LOGS=1                     keep the per-unit logs directory
set -euo pipefail
cd "$(dirname "$0")/../.."

UNITS=("$@")
if [ ${#UNITS[@]} -eq 0 ]; then
    UNITS=(type/string type/incr type/list type/list-2 type/list-3 type/hash type/set type/zset
           keyspace expire protocol pubsub multi info-command scan)
fi

work=$(mktemp -d /tmp/redis-suite.XXXXXX)
cleanup() {
    [ -n "${server_pid:-}" ] && kill "$server_pid" 2>/dev/null || true
    if [ -z "${KEEP_LOGS:-}" ]; then rm -rf "$work"; else echo "logs kept in $work"; fi
}
trap cleanup EXIT

if [ -z "${REDIS_SRC:-}" ]; then
    (cd "$work" && apt-get source --download-only redis >/dev/null 2>&1) || {
        echo "cannot fetch Debian's redis source package: add a deb-src line for bookworm" >&2
        exit 2
    }
    tar xzf "$work"/redis_7.0.*.orig.tar.gz -C "$work"
    REDIS_SRC=$(ls -d "$work"/redis-7.0.*/ | head -1)
fi

if [ -z "${DBSERVER:-}" ]; then
    cargo build --release -q -p dbserver
    DBSERVER=target/release/dbserver
fi

# Tests skipped, each with its reason. Tags exclude whole families:
#   needs:repl, needs:debug, needs:config-maxmemory
#   - no replication, no DEBUG command, maxmemory eviction policies not configurable;
#   external:skip is already honoured by the suite in external mode.
TAGS="-needs:repl -needs:debug -needs:config-maxmemory"
SKIPFILE="$(pwd)/dbserver/bench/redis-test-suite.skip"

# Each unit gets a fresh server (a unit may leave settings changed, as on a real Redis).
start_server() {
    "$DBSERVER" --port 0 --sql-port off >"$work/dbserver.log" 2>&1 &
    server_pid=$!
    port=""
    for _ in $(seq 1 600); do
        port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\) (RESP).*/\1/p' "$work/dbserver.log")
        [ -n "$port" ] && return 0
        kill -0 "$server_pid" 2>/dev/null || { cat "$work/dbserver.log"; exit 1; }
        sleep 0.1
    done
    echo "dbserver did not report its port" >&2
    exit 1
}

printf '%-18s %6s %6s %s\n' unit passed failed notes
total_ok=0; total_err=0
for unit in "${UNITS[@]}"; do
    start_server
    log="$work/$(echo "$unit" | tr / _).log"
    (cd "$REDIS_SRC" && timeout 900 tclsh tests/test_helper.tcl --host 127.0.0.1 --port "$port" \
        --singledb --ignore-encoding --clients 1 --timeout 120 --tags "$TAGS" \
        --skipfile "$SKIPFILE" --single "unit/$unit") >"$log" 2>&1 || true
    sed -i "s/\x1b\[[0-9;]*m//g" "$log"
    ok=$(grep -c '^\[ok\]' "$log" || true)
    err=$(grep -c '^\[err\]\|^\[exception\]' "$log" || true)
    note=""
    grep -q '^\[exception\]' "$log" && note="stopped: $(grep -m1 -A1 '^\[exception\]' "$log" | tail -1 | cut -c1-80)"
    grep -q 'All tests passed' "$log" || [ -n "$note" ] || [ "$err" -gt 0 ] || note="did not finish"
    printf '%-18s %6s %6s %s\n' "$unit" "$ok" "$err" "$note"
    total_ok=$((total_ok + ok)); total_err=$((total_err + err))
    if [ -n "${VERBOSE:-}" ]; then grep '^\[err\]\|^\[exception\]' -A3 "$log" || true; fi
    kill -0 "$server_pid" 2>/dev/null || { echo "dbserver died during $unit" >&2; exit 1; }
    kill "$server_pid"
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
done
printf '%-18s %6s %6s\n' total "$total_ok" "$total_err"
