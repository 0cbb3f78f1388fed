#!/bin/bash
cd /tmp/pool-m/prof
for v in base pool; do
  d=$(mktemp -d /tmp/pool-run-XXXXXX)
  echo "[$(date +%H:%M:%S) load $(cut -d' ' -f1 /proc/loadavg)] $v"
  java -Xmx4g -XX:StartFlightRecording=filename=/tmp/pool-m/prof/$v-rww.jfr,settings=/tmp/pool-m/prof/fast.jfc -jar ../$v.jar workload --no-progress --json --engine btree --workload readwhilewriting --keys 1000000 --ops 600000 --dir $d > $v-rww.json 2> $v-rww.err
  rm -rf $d
  jfr print --events jdk.ExecutionSample --stack-depth 64 $v-rww.jfr > $v-rww.txt && ./storagelab figures jfr-profile $v-rww.txt '' 'BPlusTree\.get' > $v-rww-agg.txt
done
echo profdone
