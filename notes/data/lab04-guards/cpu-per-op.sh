#!/usr/bin/env bash
# CpuPerOp, before (BEFORE_CLASSES laid over this tree's) and after, alternating, ROUNDS rounds.
# Usage: cpu-per-op.sh BEFORE_CLASSES OUT_DIR [ROUNDS]; run measure.sh first (it builds and copies the classes).
set -euo pipefail
before=$1
out=$2
rounds=${3:-5}
cd "$(dirname "$0")/../../.."
CP=$out/classes/main:$(cat lab-04-btree/target/test-classpath.txt)
javac -d "$out/cpu" -cp "$CP" notes/data/lab04-guards/CpuPerOp.java
for i in $(seq 1 "$rounds"); do
  order="after before"; [ $((i % 2)) = 0 ] && order="before after"
  for v in $order; do
    cp=$out/cpu:$CP
    [ "$v" = before ] && cp=$out/cpu:$before:$CP
    for w in rr rww put; do
      echo "[$(date -u +%H:%M:%S) load $(cut -d' ' -f1 /proc/loadavg)] $v $i $(java -Xmx2g -cp "$cp" CpuPerOp 200000 300000 $w)"
    done
  done
done
echo done
