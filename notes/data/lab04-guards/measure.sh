#!/usr/bin/env bash
# lab-04 with page guards ("after", this tree) against the commit before them ("before"): the same
# JMH benchmarks on the same class path, before's lab-04 classes laid over it, alternating which runs
# first, three rounds. Usage: measure.sh BEFORE_CLASSES OUT_DIR
#   BEFORE_CLASSES: lab-04-btree/target/classes built at the commit before (a checkout of it, mvn compile)
set -euo pipefail
before=$1
out=$2
cd "$(dirname "$0")/../../.."
mvn -B -q -o -pl lab-04-btree -am process-test-classes -DskipTests
mkdir -p "$out/classes"
# A copy of this tree's classes, so that a build while the benchmarks run cannot change what they run.
rm -rf "$out/classes/main" "$out/classes/test"
cp -r lab-04-btree/target/classes "$out/classes/main"
cp -r lab-04-btree/target/test-classes "$out/classes/test"
CP=$out/classes/test:$out/classes/main:$(cat lab-04-btree/target/test-classpath.txt)
run() { # version round name jmh-args...
  local v=$1 i=$2 name=$3; shift 3
  local cp=$CP
  [ "$v" = before ] && cp=$before:$CP
  echo "[$(date -u +%H:%M:%S) load $(cut -d' ' -f1 /proc/loadavg)] $v $i $name"
  java -Djmh.ignoreLock=true -cp "$cp" org.openjdk.jmh.Main "$@" -f 1 -rf json -rff "$out/$name-$v-$i.json" \
      > "$out/$name-$v-$i.txt" 2>&1
}
for i in 1 2 3; do
  order="after before"; [ $((i % 2)) = 0 ] && order="before after"
  for v in $order; do
    run $v $i read 'ReadBenchmark.readrandom' -p impl=BPlusTree -p keys=100000 -wi 2 -w 1s -i 3 -r 1s
    run $v $i fill 'FillBenchmark.fill' -p impl=BPlusTree -p order=random -p keys=20000 -p frames=128 \
        -p storage=memory -p warmupFills=10 -wi 2 -w 1s -i 3 -r 1s
    run $v $i conc 'ConcurrencyBenchmark\.(oneWriter|twoWriters|readrandom)' -p locking=latches -wi 2 -w 1s -i 3 -r 2s
  done
done
echo "[$(date -u +%H:%M:%S)] done"
