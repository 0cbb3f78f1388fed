#!/usr/bin/env bash
# ConcurrencyBenchmark, page latches, one writer and two writers, before (the TreeSet LRU-2 of 35f31ab overlaid) and after, alternating
cd "$(git rev-parse --show-toplevel)"   # the workspace of the change measured
CP=lab-04-btree/target/test-classes:lab-04-btree/target/classes:$(cat lab-04-btree/target/test-classpath.txt)
for i in 1 2 3; do
  for v in after before; do
    if [ $v = before ]; then C=/tmp/btc/before-classes:$CP; else C=$CP; fi
    echo "[$(date +%H:%M:%S) load $(cut -d' ' -f1 /proc/loadavg)] $v $i"
    java -Djmh.ignoreLock=true -cp $C org.openjdk.jmh.Main 'ConcurrencyBenchmark\.(oneWriter|twoWriters)' -p locking=latches \
      -f 1 -wi 2 -w 1s -i 3 -r 2s -rf json -rff /tmp/btc/conc-$v-$i.json > /tmp/btc/conc-$v-$i.txt 2>&1
    ./storagelab figures jmh-score --all /tmp/btc/conc-$v-$i.json | sed 's/^/    /'
  done
done
