#!/usr/bin/env bash
# Benchmark (prints numbers; not a test): sysbench's OLTP scripts against the Linux build of
# dbserver and against Debian's MariaDB, both on this machine over loopback TCP, rounds
# interleaved (dbserver, MariaDB, dbserver, MariaDB, ...) so that drift hits both alike.
#
#   dbserver/bench/sql-vs-mariadb.sh [OUT_DIR]
#
# Then sql-bench's Wisconsin benchmark (loadgen's `wisconsin` workload: the four relations
# loaded with single-row INSERTs, then the query list WISCONSIN_LOOP_COUNT times, every row
# count checked), timed as a whole, against both servers, rounds interleaved.
#
# Environment: ROUNDS (3), SECONDS_PER_RUN (10), THREADS (8), TABLE_SIZE (10000),
# SCRIPTS ("oltp_point_select oltp_read_write"), WISCONSIN_LOOP_COUNT (100).
# Writes OUT_DIR/results.csv (one row per target, script, round), OUT_DIR/summary.md (medians
# and ratios) and OUT_DIR/environment.txt; OUT_DIR defaults to
# bench-results/sql-peers/<UTC time>-<commit>/.
set -euo pipefail
cd "$(dirname "$0")/../.."

ROUNDS=${ROUNDS:-3}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-10}
THREADS=${THREADS:-8}
TABLE_SIZE=${TABLE_SIZE:-10000}
SCRIPTS=${SCRIPTS:-"oltp_point_select oltp_read_write"}
WISCONSIN_LOOP_COUNT=${WISCONSIN_LOOP_COUNT:-100}
# MariaDB settings: in memory as far as InnoDB allows, no binary log, no flush at commit,
# READ COMMITTED like dbserver.
MARIADB_SETTINGS=(--innodb-buffer-pool-size=256M --innodb-flush-log-at-trx-commit=0
  --skip-log-bin --skip-name-resolve --max-connections=200
  --transaction-isolation=READ-COMMITTED --character-set-server=utf8mb4)
# Tries at a MariaDB port before giving up (a port can be taken between choice and bind).
PORT_TRIES=5

for tool in sysbench mariadbd mariadb-install-db mariadb; do
  command -v "$tool" >/dev/null || { echo "missing $tool: run images/host-deps.sh" >&2; exit 1; }
done

commit=$(git rev-parse --short HEAD)
out=${1:-bench-results/sql-peers/$(date -u +%Y-%m-%dT%H-%M-%SZ)-$commit}
mkdir -p "$out"
work=$(mktemp -d /tmp/ring0db-sqlbench.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "== building dbserver and loadgen" >&2
cargo build --release -q -p dbserver -p loadgen
dbserver=target/release/dbserver
loadgen=target/release/loadgen

echo "== starting dbserver (ports chosen by the kernel, read from its log)" >&2
"$dbserver" --port 0 --sql-port 0 2>"$work/dbserver.log" &
pids+=($!)
for _ in $(seq 100); do
  grep -q '(MySQL)' "$work/dbserver.log" 2>/dev/null && break
  sleep 0.1
done
dbserver_port=$(sed -n 's/^dbserver: listening on 127.0.0.1:\([0-9]*\) (MySQL)$/\1/p' "$work/dbserver.log")
[[ -n $dbserver_port ]] || { echo "dbserver did not start:" >&2; cat "$work/dbserver.log" >&2; exit 1; }

echo "== starting MariaDB in $work/mariadb" >&2
mariadb-install-db --no-defaults --user=root --datadir="$work/mariadb" \
  --auth-root-authentication-method=normal >"$work/install.log" 2>&1
mariadb_port=
for _ in $(seq $PORT_TRIES); do
  port=$((20000 + RANDOM % 20000))
  mariadbd --no-defaults --user=root --datadir="$work/mariadb" --socket="$work/mariadb.sock" \
    --pid-file="$work/mariadb.pid" --log-error="$work/mariadb.err" \
    --bind-address=127.0.0.1 --port="$port" "${MARIADB_SETTINGS[@]}" &
  pid=$!
  for _ in $(seq 600); do
    if ! kill -0 "$pid" 2>/dev/null; then break; fi
    if mariadb -h 127.0.0.1 -P "$port" -u root -e 'SELECT 1' >/dev/null 2>&1; then
      mariadb_port=$port
      break
    fi
    sleep 0.1
  done
  if [[ -n $mariadb_port ]]; then pids+=("$pid"); break; fi
  kill "$pid" 2>/dev/null || true
done
[[ -n $mariadb_port ]] || { echo "MariaDB did not start:" >&2; tail -20 "$work/mariadb.err" >&2; exit 1; }

targets=(dbserver mariadb)
port_of() { if [[ $1 == dbserver ]]; then echo "$dbserver_port"; else echo "$mariadb_port"; fi; }

sb() { # target script phase
  sysbench "$2" --mysql-host=127.0.0.1 --mysql-port="$(port_of "$1")" --mysql-user=root \
    --mysql-db=sbtest --tables=1 --table-size="$TABLE_SIZE" --threads="$THREADS" \
    --time="$SECONDS_PER_RUN" --report-interval=0 "$3"
}

for target in "${targets[@]}"; do
  mariadb -h 127.0.0.1 -P "$(port_of "$target")" -u root -e 'CREATE DATABASE IF NOT EXISTS sbtest'
done

csv=$out/results.csv
echo "target,script,round,threads,table_size,seconds,transactions_per_s,queries_per_s,p95_latency_ms,errors,reconnects" >"$csv"
for script in $SCRIPTS; do
  for target in "${targets[@]}"; do
    echo "== $script: prepare on $target" >&2
    sb "$target" "$script" prepare >/dev/null
  done
  for round in $(seq "$ROUNDS"); do
    for target in "${targets[@]}"; do
      echo "== $script round $round/$ROUNDS: $target" >&2
      report=$(sb "$target" "$script" run)
      tps=$(sed -n 's/^ *transactions: *[0-9]* *(\([0-9.]*\) per sec.)/\1/p' <<<"$report")
      qps=$(sed -n 's/^ *queries: *[0-9]* *(\([0-9.]*\) per sec.)/\1/p' <<<"$report")
      p95=$(sed -n 's/^ *95th percentile: *\([0-9.]*\)/\1/p' <<<"$report")
      errors=$(sed -n 's/^ *ignored errors: *\([0-9]*\).*/\1/p' <<<"$report")
      reconnects=$(sed -n 's/^ *reconnects: *\([0-9]*\).*/\1/p' <<<"$report")
      echo "$target,$script,$round,$THREADS,$TABLE_SIZE,$SECONDS_PER_RUN,$tps,$qps,$p95,$errors,$reconnects" >>"$csv"
    done
  done
  for target in "${targets[@]}"; do sb "$target" "$script" cleanup >/dev/null; done
done

wisconsin_csv=$out/wisconsin.csv
echo "target,round,loop_count,seconds,statements,errors" >"$wisconsin_csv"
for round in $(seq "$ROUNDS"); do
  for target in "${targets[@]}"; do
    echo "== wisconsin round $round/$ROUNDS: $target" >&2
    start=$(date +%s.%N)
    report=$("$loadgen" run --sql-addr "127.0.0.1:$(port_of "$target")" --workload wisconsin \
      --loop-count "$WISCONSIN_LOOP_COUNT" 2>&1)
    end=$(date +%s.%N)
    loaded=$(sed -n 's/^wisconsin: loaded with \([0-9]*\) statements.*/\1/p' <<<"$report")
    queries=$(sed -n 's/.* \([0-9]*\) ops, \([0-9]*\) errors.*/\1/p' <<<"$report")
    errors=$(sed -n 's/.* [0-9]* ops, \([0-9]*\) errors.*/\1/p' <<<"$report")
    [[ $errors == 0 ]] || { echo "wisconsin on $target failed:" >&2; echo "$report" >&2; exit 1; }
    echo "$target,$round,$WISCONSIN_LOOP_COUNT,$(awk -v a="$start" -v b="$end" 'BEGIN {printf "%.3f", b-a}'),$((loaded + queries)),$errors" >>"$wisconsin_csv"
  done
done

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
{
  echo "# sysbench: dbserver (Linux build) vs MariaDB, loopback"
  echo
  echo "Command: \`dbserver/bench/sql-vs-mariadb.sh\` (ROUNDS=$ROUNDS SECONDS_PER_RUN=$SECONDS_PER_RUN THREADS=$THREADS TABLE_SIZE=$TABLE_SIZE), commit $commit."
  echo "Median of $ROUNDS interleaved rounds; default prepared-statement mode."
  echo
  echo "| script | dbserver tx/s | MariaDB tx/s | dbserver / MariaDB | retried deadlocks (dbserver, all rounds) |"
  echo "|---|---:|---:|---:|---:|"
  for script in $SCRIPTS; do
    d=$(awk -F, -v s="$script" '$1=="dbserver" && $2==s {print $7}' "$csv" | median)
    m=$(awk -F, -v s="$script" '$1=="mariadb" && $2==s {print $7}' "$csv" | median)
    e=$(awk -F, -v s="$script" '$1=="dbserver" && $2==s {n+=$10} END {print n+0}' "$csv")
    echo "| $script | $d | $m | $(awk -v d="$d" -v m="$m" 'BEGIN {printf "%.2f×", d/m}') | $e |"
  done
  echo
  echo "Wisconsin (load with single-row INSERTs, then the query list $WISCONSIN_LOOP_COUNT times; total seconds, median of $ROUNDS):"
  echo
  echo "| target | seconds | statements |"
  echo "|---|---:|---:|"
  for target in "${targets[@]}"; do
    secs=$(awk -F, -v t="$target" '$1==t {print $4}' "$wisconsin_csv" | median)
    stmts=$(awk -F, -v t="$target" '$1==t {print $5; exit}' "$wisconsin_csv")
    echo "| $target | $secs | $stmts |"
  done
} >"$out/summary.md"
{
  echo "utc: $(date -u +%FT%TZ)"
  echo "commit: $(git rev-parse HEAD)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
  echo "cores: $(nproc)"
  echo "kernel: $(uname -r)"
  echo "sysbench: $(sysbench --version)"
  echo "mariadb: $(mariadbd --version)"
  echo "mariadb settings: ${MARIADB_SETTINGS[*]}"
} >"$out/environment.txt"
cat "$out/summary.md"
echo "results in $out" >&2
