#!/usr/bin/env bash
# notes/04-btree.md §4.7.6, the replacer's hit path: before (the old TreeSet LRU-2, overlaid) and after (the new replacer), btree readwhilewriting and
# readrandom, h2 and h2-pool readrandom; 1M keys, 200,000 ops; three rounds, alternating.
WS="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"   # the workspace: its figures command prints each run
cd /tmp/btc; mkdir -p m
log() { echo "[$(date +%H:%M:%S) load $(cut -d' ' -f1 /proc/loadavg)] $*"; }
run() { # tag cp engine workload
  d=$(mktemp -d /tmp/sl-XXXXXX); log "$1 $3 $4"
  java -Xmx4g -cp $2 dev.storagelab.workbench.cli.WorkbenchMain workload --no-progress --json --engine $3 --workload $4 --keys 1000000 --ops 200000 --dir $d > m/$1-$3-$4-$i.json 2> m/$1-$3-$4-$i.err
  rm -rf $d
  echo "    $("$WS/storagelab" figures run-line --latency get m/$1-$3-$4-$i.json)"
}
B=/tmp/btc/before-classes:/tmp/btc/after3.jar; A=/tmp/btc/after3.jar
for i in 1 2 3; do
  run before $B btree readwhilewriting; run after $A btree readwhilewriting
  run after $A btree readrandom; run before $B btree readrandom
  run peer $A h2 readrandom; run peer $A h2-pool readrandom
done
log done
