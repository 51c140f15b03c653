#!/bin/bash
B=/work/wt/hard/target/release/dbserver
DISK=/work/wt/hard/target/hlog-disk.img
start() { rm -f /tmp/hlog-s.log; $B --port 0 --sql-port off "$@" > /tmp/hlog-s.log 2>&1 & PID=$!; P=; for i in $(seq 1200); do P=$(grep -o "127.0.0.1:[0-9]*" /tmp/hlog-s.log | head -1 | cut -d: -f2); [ -n "$P" ] && break; sleep 0.05; done; }
rm -f $DISK; truncate -s 1G $DISK
start --appendonly yes --appendfsync everysec --disk $DISK
timeout 200 redis-benchmark -p $P -t set -n 100000 -r 100000 -d 1000 -c 50 -P 16 -q 2>/dev/null | tr '\r' '\n' | grep -o "[0-9.]* requests per second" | tail -1
redis-cli -p $P info persistence | grep -E "aof_current_size|aof_records"
kill -9 $PID; wait $PID 2>/dev/null
for run in 1 2 3; do
  t0=$(date +%s.%N); start --appendonly yes --appendfsync everysec --disk $DISK; t1=$(date +%s.%N)
  echo "run $run: $(echo "$t1 - $t0" | bc) s to listening; $(grep kept /tmp/hlog-s.log)"
  kill -9 $PID; wait $PID 2>/dev/null
done
