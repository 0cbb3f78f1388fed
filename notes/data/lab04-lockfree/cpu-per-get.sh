#!/bin/bash
cd /tmp/pool-cpu
CPB=$(cat lab-04-btree/target/test-classpath.txt)
for i in 1 2 3; do
  for v in base pool; do
    if [ $v = base ]; then C=/tmp/pool-base/lab-04-btree/target/classes; else C=/tmp/pool-cpu/pool-classes; fi
    for w in rr rww; do
      echo "[$(date +%H:%M:%S) load $(cut -d' ' -f1 /proc/loadavg)] $v $i $(java -Xmx2g -cp .:$C:$CPB CpuPerGet 300000 400000 $w)"
    done
  done
done
echo done
