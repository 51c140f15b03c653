#!/bin/bash
set -e
D=/tmp/house-maria
rm -rf $D/data; mariadb-install-db --no-defaults --user=root --skip-test-db --auth-root-authentication-method=normal --datadir=$D/data >/dev/null 2>&1
mariadbd --no-defaults --user=root --skip-networking --skip-log-bin --innodb-buffer-pool-size=256M --innodb-flush-log-at-trx-commit=0 --datadir=$D/data --socket=$D/sock --pid-file=$D/pid 2>$D/err &
MPID=$!
for i in $(seq 600); do grep -q "ready for connections" $D/err && break; sleep 0.1; done
echo "mariadbd pid $MPID"
for r in 1 2 3; do
  echo "== round $r"
  /work/wt/house/target/release/loadgen selftest --pipelines 1 --duration 5 --warmup 0.5 --cross-check-sql linux-host,$D/sock --sql-connections 4 --sql-table-size 10000
done
kill $MPID; wait $MPID || true
