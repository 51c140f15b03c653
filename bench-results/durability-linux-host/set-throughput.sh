#!/bin/bash
B=/work/wt/hard/target/release/dbserver
DISK=/work/wt/hard/target/hlog-disk.img
start() { rm -f /tmp/hlog-s.log; $B --port 0 --sql-port off "$@" > /tmp/hlog-s.log 2>&1 & PID=$!; P=; for i in $(seq 600); do P=$(grep -o "127.0.0.1:[0-9]*" /tmp/hlog-s.log | head -1 | cut -d: -f2); [ -n "$P" ] && break; sleep 0.1; done; }
for run in 1 2 3; do
 for mode in off everysec always; do
  rm -f $DISK; truncate -s 1G $DISK
  if [ $mode = off ]; then start; else start --appendonly yes --appendfsync $mode --disk $DISK; fi
  r=$(timeout 120 redis-benchmark -p $P -t set -n 10000 -c 50 -P 1 -q 2>/dev/null | tr '\r' '\n' | grep -o "[0-9.]* requests per second" | tail -1)
  echo "run $run $mode: $r"
  kill -9 $PID; wait $PID 2>/dev/null
 done
done
