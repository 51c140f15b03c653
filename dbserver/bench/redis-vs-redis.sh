#!/usr/bin/env bash
# Benchmark (prints numbers; not a test): redis-benchmark against the Linux build of dbserver
# and against Debian's redis-server, both on this machine over loopback TCP, rounds
# interleaved (dbserver, redis-server, dbserver, ...) so that drift hits both alike.
#
#   dbserver/bench/redis-vs-redis.sh [OUT_DIR]
#
# The tests run in the order of redis-benchmark's default suite, so the lists, set and sorted
# set the pops and LRANGEs read are filled the way that suite fills them: LPUSH/RPUSH before
# LPOP/RPOP, SADD before SPOP, ZADD before ZPOPMIN, and redis-benchmark's own LPUSH of 600
# elements before the LRANGE_* tests. Every round starts from an empty server (FLUSHALL).
#
# Environment: ROUNDS (3), REQUESTS (100000), CLIENTS (50), TESTS (the list below).
# Writes OUT_DIR/results.csv (target, round, test, requests/s), OUT_DIR/summary.md (medians
# and the ratio dbserver/redis-server) and OUT_DIR/environment.txt; OUT_DIR defaults to
# bench-results/redis-peers/<UTC time>-<commit>/.
set -euo pipefail
cd "$(dirname "$0")/../.."

ROUNDS=${ROUNDS:-3}
REQUESTS=${REQUESTS:-100000}
CLIENTS=${CLIENTS:-50}
TESTS=${TESTS:-lpush,rpush,lpop,rpop,sadd,spop,zadd,zpopmin,lrange_100,lrange_300,lrange_500,lrange_600}
# Tries at a redis-server port before giving up (a port can be taken between choice and bind).
PORT_TRIES=5

for tool in redis-server redis-benchmark redis-cli; do
  command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 1; }
done

commit=$(git rev-parse --short HEAD)
out=${1:-bench-results/redis-peers/$(date -u +%Y-%m-%dT%H-%M-%SZ)-$commit}
mkdir -p "$out"
work=$(mktemp -d /tmp/ring0db-redisbench.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "== building dbserver" >&2
cargo build --release -q -p dbserver
"target/release/dbserver" --port 0 --sql-port off 2>"$work/dbserver.log" &
pids+=($!)
db_port=""
for _ in $(seq 300); do
  db_port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\) (RESP).*/\1/p' "$work/dbserver.log")
  [ -n "$db_port" ] && break
  sleep 0.1
done
[ -n "$db_port" ] || { echo "dbserver did not start" >&2; cat "$work/dbserver.log" >&2; exit 1; }

echo "== starting redis-server (no persistence)" >&2
redis_port=""
for _ in $(seq $PORT_TRIES); do
  port=$((20000 + RANDOM % 40000))
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
    --dir "$work" >"$work/redis.log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do
    redis-cli -p "$port" ping >/dev/null 2>&1 && { redis_port=$port; break; }
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  [ -n "$redis_port" ] && { pids+=("$pid"); break; }
  kill "$pid" 2>/dev/null || true
done
[ -n "$redis_port" ] || { echo "redis-server did not start" >&2; exit 1; }

{
  echo "command: dbserver/bench/redis-vs-redis.sh (ROUNDS=$ROUNDS REQUESTS=$REQUESTS CLIENTS=$CLIENTS)"
  echo "tests: $TESTS"
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "commit: $(git rev-parse HEAD)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //') ($(nproc) cores, shared with other work)"
  echo "kernel: $(uname -r)"
  echo "redis-server: $(redis-server --version)"
  echo "redis-benchmark: $(redis-benchmark --version 2>/dev/null || echo unknown)"
  echo "dbserver: target/release/dbserver (cargo --release)"
} >"$out/environment.txt"

echo "target,round,test,rps" >"$out/results.csv"
for round in $(seq "$ROUNDS"); do
  for target in dbserver redis-server; do
    port=$db_port
    [ "$target" = redis-server ] && port=$redis_port
    redis-cli -p "$port" flushall >/dev/null
    echo "== round $round: $target" >&2
    redis-benchmark -p "$port" -n "$REQUESTS" -c "$CLIENTS" -t "$TESTS" --csv 2>/dev/null |
      tail -n +2 | tr -d '"' | while IFS=, read -r test rps _; do
        echo "$target,$round,$test,$rps" >>"$out/results.csv"
      done
  done
done

# Medians and ratios.
awk -F, 'NR > 1 { v[$1 "|" $3] = v[$1 "|" $3] " " $4; if (!seen[$3]++) order[++n] = $3 }
  function median(list,   a, k, i, j, t) {
    k = split(list, a, " ")
    for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
    return a[int((k + 1) / 2)]
  }
  END {
    print "| test | dbserver req/s (median) | redis-server req/s (median) | dbserver / redis-server |"
    print "|---|---:|---:|---:|"
    for (i = 1; i <= n; i++) {
      t = order[i]; d = median(v["dbserver|" t]); r = median(v["redis-server|" t])
      printf "| %s | %.0f | %.0f | %.2f |\n", t, d, r, (r > 0 ? d / r : 0)
    }
  }' "$out/results.csv" >"$out/summary.md"
cat "$out/summary.md"
echo "results in $out" >&2
