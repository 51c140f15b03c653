#!/usr/bin/env bash
# Benchmark (prints numbers; not a test): how long the Linux dbserver takes to replay its
# durability log at start-up, per 100 MB of log.
#
#   dbserver/bench/recovery-time.sh [OUT_DIR]
#
# Fills a log on a temporary disk file with redis-benchmark SETs (VALUE_BYTES each, distinct
# keys, appendfsync no: the fill's speed does not matter), stops the server with SIGKILL,
# then starts it ROUNDS times on the same disk and times each start from exec to its
# "listening" line (the log is replayed before the server listens). Prints the log size,
# the median start time and the median scaled to 100 MB.
#
# Environment: ROUNDS (3), RECORDS (100000), VALUE_BYTES (1000), DISK_MIB (512; the live
# region is half of the disk after the header).
# Writes OUT_DIR/summary.txt and OUT_DIR/environment.txt; OUT_DIR defaults to
# bench-results/recovery/<UTC time>-<commit>/.
set -euo pipefail
cd "$(dirname "$0")/../.."

ROUNDS=${ROUNDS:-3}
RECORDS=${RECORDS:-100000}
VALUE_BYTES=${VALUE_BYTES:-1000}
DISK_MIB=${DISK_MIB:-512}

for tool in redis-benchmark redis-cli; do
  command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install redis-tools)" >&2; exit 1; }
done

commit=$(git rev-parse --short HEAD)
out=${1:-bench-results/recovery/$(date -u +%Y-%m-%dT%H-%M-%SZ)-$commit}
mkdir -p "$out"
work=$(mktemp -d /tmp/ring0db-recovery.XXXXXX)
pid=""
cleanup() {
  [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "== building dbserver" >&2
cargo build --release -q -p dbserver
disk="$work/disk.raw"
truncate -s "${DISK_MIB}M" "$disk"

# Starts dbserver on the disk; sets $pid, $port and $start_ns (nanoseconds from exec to
# the listening line). Not called in $(...): the server would hold that pipe open.
start() {
  local log="$work/dbserver.log" t0 t1
  : >"$log"
  t0=$(date +%s%N)
  target/release/dbserver --port 0 --sql-port off --appendonly yes --appendfsync "$1" \
    --disk "$disk" 2>"$log" &
  pid=$!
  port=""
  while [ -z "$port" ]; do
    port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\) (RESP).*/\1/p' "$log")
    if [ -z "$port" ]; then
      kill -0 "$pid" 2>/dev/null || { echo "dbserver exited:" >&2; cat "$log" >&2; exit 1; }
      sleep 0.01
    fi
  done
  t1=$(date +%s%N)
  start_ns=$((t1 - t0))
}

echo "== filling the log: $RECORDS SETs of $VALUE_BYTES bytes" >&2
start no
redis-benchmark -p "$port" -t set -n "$RECORDS" -r "$RECORDS" -d "$VALUE_BYTES" -c 50 -P 16 -q >/dev/null
keys=$(redis-cli -p "$port" dbsize)
kill -9 "$pid"; wait "$pid" 2>/dev/null || true; pid=""

times=()
for round in $(seq "$ROUNDS"); do
  start no
  ns=$start_ns
  line=$(grep -m1 "kept" "$work/dbserver.log" || true)
  after=$(redis-cli -p "$port" dbsize)
  kill -9 "$pid"; wait "$pid" 2>/dev/null || true; pid=""
  echo "round $round: $((ns / 1000000)) ms to listen; $after keys; $line" >&2
  [ "$after" = "$keys" ] || { echo "replay lost keys: $after of $keys" >&2; exit 1; }
  times+=("$ns")
done
bytes=$(echo "$line" | sed -n 's/.*kept [0-9]* records (\([0-9]*\) bytes).*/\1/p')
median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(((ROUNDS + 1) / 2))p")

{
  echo "log: $bytes bytes, $keys keys ($RECORDS SETs of $VALUE_BYTES bytes)"
  echo "start-up with replay, median of $ROUNDS: $((median / 1000000)) ms"
  if [ -n "$bytes" ] && [ "$bytes" -gt 0 ]; then
    echo "per 100 MB of log: $(awk -v ns="$median" -v b="$bytes" 'BEGIN { printf "%.0f ms", ns / 1e6 * 100e6 / b }')"
  fi
  echo "rounds (ns): ${times[*]}"
} | tee "$out/summary.txt"
{
  echo "command: dbserver/bench/recovery-time.sh (ROUNDS=$ROUNDS RECORDS=$RECORDS VALUE_BYTES=$VALUE_BYTES DISK_MIB=$DISK_MIB)"
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "commit: $(git rev-parse HEAD)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //') ($(nproc) cores)"
  echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "kernel: $(uname -r)"
  echo "disk file on: $(df -T "$work" | awk 'NR==2 {print $2}')"
} >"$out/environment.txt"
echo "results in $out" >&2
