#!/usr/bin/env bash
# ConcurrencyBenchmark (page latches): oneWriter, twoWriters, readrandom; before (the lab-04 classes of 35f31ab overlaid) and after, alternating
while ! grep -q 'done' /tmp/pool-m/measure.log; do sleep 15; done
cd "$(git rev-parse --show-toplevel)"   # the workspace of the change measured
CP=lab-04-btree/target/test-classes:lab-04-btree/target/classes:$(cat lab-04-btree/target/test-classpath.txt)
mkdir -p /tmp/pool-m/jmh
for i in 1 2 3; do
  for v in after before; do
    if [ $v = before ]; then C=/tmp/pool-base/lab-04-btree/target/classes:$CP; else C=$CP; fi
    echo "[$(date +%H:%M:%S) load $(cut -d' ' -f1 /proc/loadavg)] $v $i"
    java -Djmh.ignoreLock=true -cp $C org.openjdk.jmh.Main 'ConcurrencyBenchmark\.(oneWriter|twoWriters|readrandom)' -p locking=latches \
      -f 1 -wi 2 -w 1s -i 3 -r 2s -rf json -rff /tmp/pool-m/jmh/conc-$v-$i.json > /tmp/pool-m/jmh/conc-$v-$i.txt 2>&1
    ./storagelab figures jmh-score --all /tmp/pool-m/jmh/conc-$v-$i.json | sed 's/^/    /'
  done
done
echo "[$(date +%H:%M:%S)] jmh done"
