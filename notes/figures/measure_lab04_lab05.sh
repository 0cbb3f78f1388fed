#!/usr/bin/env bash
# The measurements of notes/04-btree.md §4.7.4 and notes/05-lsm.md §5.7: lab-04 beside H2, lab-05 beside RocksDB
# (three runs each), space amplification, lsm-sim and the JMH concurrency benchmark. About 25 minutes on 2 cores.
# Run it on a quiet machine: notes/figures/measure_lab04_lab05.sh > measure.log
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
log() { echo "[$(date +%H:%M:%S) load $(cut -d' ' -f1 /proc/loadavg)] $*"; }
mvn -q -Ppeers -DskipTests package -pl workbench -am
mkdir -p notes/data/lab05 notes/data/lab04-iopool
W="java -Xmx4g -jar workbench/target/storagelab-workbench.jar workload --no-progress --json"
for i in 1 2 3; do
  for e in btree h2; do
    for w in readwhilewriting readrandom; do
      d=$(mktemp -d /tmp/sl-XXXXXX); log "$e $w run $i"
      $W --engine $e --workload $w --keys 1000000 --ops 200000 --dir $d > notes/data/lab04-iopool/$e-$w-$i.json; rm -rf $d
    done
  done
done
for i in 1 2 3; do
  RUN=$i ENGINES="lsm rocksdb-lsmopts" WORKLOADS="fillrandom overwrite readrandom readmissing seekrandom readwhilewriting" \
    BENCH_OUT=notes/data/lab05 notes/figures/run_benchmarks.sh 1000000 200000
done
RUN=1 ENGINES="rocksdb lsm-tiered" WORKLOADS="fillrandom overwrite readrandom readmissing seekrandom readwhilewriting" \
  BENCH_OUT=notes/data/lab05 notes/figures/run_benchmarks.sh 1000000 200000
for e in lsm lsm-tiered rocksdb-lsmopts; do
  d=$(mktemp -d /tmp/sl-XXXXXX); log "$e overwrite x3"
  $W --engine $e --workload overwrite --keys 1000000 --ops 3000000 --dir $d > notes/data/lab05/space-$e.json; rm -rf $d
done
log "lsm-sim"
for p in leveled tiered; do
  java -jar workbench/target/storagelab-workbench.jar lsm-sim --policy $p --keys 100000 --writes 400000 --reports 8 > notes/data/lab05/lsm-sim-$p.txt
done
log "JMH lab-04 ConcurrencyBenchmark"
mvn -q -pl lab-04-btree -am process-test-classes -DskipTests
CP=lab-04-btree/target/test-classes:lab-04-btree/target/classes:$(cat lab-04-btree/target/test-classpath.txt)
java -cp $CP org.openjdk.jmh.Main ConcurrencyBenchmark -f 1 -wi 3 -i 5 -w 2s -r 2s -rf json -rff notes/data/lab04-iopool/concurrency.json > notes/data/lab04-iopool/concurrency.txt 2>&1
log "done"
