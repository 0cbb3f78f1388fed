#!/usr/bin/env bash
# ConcurrencyBenchmark.readrandom with page latches, "before" (the commit before the page guards)
# against this tree ("after"), with a control: before's classes measured a second time in the same
# round ("control"), so the noise of before against itself is measured beside the difference.
# Optionally one more variant, NAME=CLASSES (another build of lab-04-btree/target/classes). The
# order of the versions rotates from round to round. Usage:
#   control.sh BEFORE_CLASSES OUT_DIR [ROUNDS] [NAME=CLASSES]
# then: ./storagelab figures guards-control-table OUT_DIR
set -euo pipefail
before=$1
out=$2
rounds=${3:-8}
extra=${4:-}
cd "$(dirname "$0")/../../.."
mvn -B -q -o -pl lab-04-btree -am process-test-classes -DskipTests
mkdir -p "$out/classes"
# Copies, so that a build while the benchmarks run cannot change what they run.
rm -rf "$out/classes"/*
cp -r lab-04-btree/target/classes "$out/classes/after"
cp -r lab-04-btree/target/test-classes "$out/classes/test"
cp -r "$before" "$out/classes/before"
cp -r "$before" "$out/classes/control"
versions=(after before control)
if [ -n "$extra" ]; then
  cp -r "${extra#*=}" "$out/classes/${extra%%=*}"
  versions+=("${extra%%=*}")
fi
CP=$out/classes/test:$(cat lab-04-btree/target/test-classpath.txt)
n=${#versions[@]}
for i in $(seq 1 "$rounds"); do
  for k in $(seq 0 $((n - 1))); do
    v=${versions[$(((i + k) % n))]}
    echo "[$(date -u +%H:%M:%S) load $(cut -d' ' -f1 /proc/loadavg)] $v $i"
    java -Djmh.ignoreLock=true -cp "$out/classes/$v:$CP" org.openjdk.jmh.Main 'ConcurrencyBenchmark.readrandom' \
        -p locking=latches -wi 2 -w 2s -i 5 -r 2s -f 1 -rf json -rff "$out/conc-$v-$i.json" > "$out/conc-$v-$i.txt" 2>&1
  done
done
echo "[$(date -u +%H:%M:%S)] done"
