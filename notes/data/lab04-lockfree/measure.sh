#!/usr/bin/env bash
# notes/04-btree.md §4.7.7, the lock-free hit path: before (35f31ab) and after (the lock-free hit path), btree readwhilewriting and readrandom,
# h2, h2-pool and btree-16m readrandom; 1M keys, 200,000 ops; three rounds, alternating.
WS="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"   # the workspace: its figures command prints each run
cd /tmp/pool-m; mkdir -p m
log() { echo "[$(date +%H:%M:%S) load $(cut -d' ' -f1 /proc/loadavg)] $*"; }
run() { # tag jar engine workload
  d=$(mktemp -d /tmp/pool-run-XXXXXX); log "$1 $3 $4"
  java -Xmx4g -jar $2 workload --no-progress --json --engine $3 --workload $4 --keys 1000000 --ops 200000 --dir $d > m/$1-$3-$4-$i.json 2> m/$1-$3-$4-$i.err
  rm -rf $d
  echo "    $("$WS/storagelab" figures run-line --latency get m/$1-$3-$4-$i.json)"
}
B=base.jar; A=pool.jar
for i in 1 2 3; do
  run before $B btree readwhilewriting; run after $A btree readwhilewriting
  run after $A btree readrandom; run before $B btree readrandom
  run peer $A h2 readrandom; run peer $A h2-pool readrandom; run after $A btree-16m readrandom
done
log done
