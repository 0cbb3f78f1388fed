#!/usr/bin/env bash
# The workload figures of notes/07-hybrid.md §7.10: lab-07's `hybrid` against the lab-04 B+tree
# (`btree`) and the lab-05 LSM tree (`lsm`) on the workbench's `ecommerce` workload (the mix the hybrid
# is built for), and on ycsb-a, ycsb-b, ycsb-e and fillrandom, by the method of notes/benchmarks.md:
# 1,000,000 16-byte keys, 100-byte values, the preload untimed, 200,000 measured operations (the fills
# put every key), one fresh directory and one JVM per run, the median of RUNS runs per cell.
# Raw results: notes/data/lab07/bench/ENGINE-WORKLOAD-N.json, the load average before and after each
# run in ENGINE-WORKLOAD-N.load ("before after", 1-minute averages) and every step in measure.log;
# then `./storagelab figures hybrid-table` writes TABLE.md beside them (the medians, the load, and the
# three targets on ecommerce). The runs go round-robin over the engines, run 1 of every
# engine before run 2 of any, so the noise of a shared machine spreads over all three.
#
#   notes/figures/measure_lab07.sh [SCRATCH_DIR]            # SCRATCH_DIR: default /var/tmp, on the disk measured
#
# Environment: ENGINES (default "btree lsm hybrid"), WORKLOADS (default "ecommerce ycsb-a ycsb-b ycsb-e
# fillrandom"), RUNS (default 3), RUNS_OTHER (runs of the workloads other than ecommerce; default RUNS),
# KEYS, OPS, OUT (default notes/data/lab07/bench), SKIP_BUILD=1 (use the jar as it is; JAR=FILE: that jar, say a copy
# that a build meanwhile cannot replace), QUICK=1 (10,000
# keys, 5,000 ops, one run, to /tmp/lab07-quick: a smoke of about a minute; its numbers mean nothing).
# A result already in OUT is kept, not measured again (delete it to measure again), so a stopped run
# resumes. At 1M keys on 2 cores at a load of 3-5, a run takes 10-35 s, the preload most of it (45 runs:
# about 15 minutes, plus the build); at a load of 20-26 the same runs took 1-2.5 minutes each.
# A run that fails is logged FAILED and left out; run the script again to measure it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT=$(pwd)
if [ -n "${QUICK:-}" ]; then
  KEYS=${KEYS:-10000}; OPS=${OPS:-5000}; RUNS=${RUNS:-1}; OUT=${OUT:-/tmp/lab07-quick}
fi
KEYS=${KEYS:-1000000}
OPS=${OPS:-200000}
RUNS=${RUNS:-3}
RUNS_OTHER=${RUNS_OTHER:-$RUNS}
OUT=${OUT:-notes/data/lab07/bench}
ENGINES=${ENGINES:-btree lsm hybrid}
WORKLOADS=${WORKLOADS:-ecommerce ycsb-a ycsb-b ycsb-e fillrandom}
JAR=${JAR:-$ROOT/workbench/target/storagelab-workbench.jar}
mkdir -p "$OUT"
SCRATCH=$(mktemp -d "${1:-/var/tmp}/lab07-measure-XXXXXX")
trap 'rm -rf "$SCRATCH"' EXIT
load() { cut -d' ' -f1 /proc/loadavg; }
log() { echo "[$(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)] $*" | tee -a "$OUT/measure.log"; }
if [ -z "${SKIP_BUILD:-}" ]; then
  log "build (mvn -q -pl workbench -am package -DskipTests)"
  mvn -q -pl workbench -am package -DskipTests -Denforcer.skip=true
fi
log "start: $KEYS keys, $OPS ops, $RUNS runs of ecommerce and $RUNS_OTHER of the others; $(nproc) cores,"\
" $(free -m | awk '/Mem:/ {print $2 " MiB RAM"}'), scratch on $(df -T "$SCRATCH" | awk 'NR==2 {print $1 " " $2}');"\
" commit $(git rev-parse --short HEAD)"
max=$(( RUNS > RUNS_OTHER ? RUNS : RUNS_OTHER ))
for run in $(seq 1 "$max"); do
  for workload in $WORKLOADS; do
    runs=$RUNS_OTHER
    [ "$workload" = ecommerce ] && runs=$RUNS
    [ "$run" -le "$runs" ] || continue
    ops=$OPS
    case "$workload" in fill*) ops=$KEYS ;; esac
    for engine in $ENGINES; do
      name="$engine-$workload-$run"
      if [ -s "$OUT/$name.json" ]; then
        log "$name: kept (already measured)"
        continue
      fi
      dir="$SCRATCH/$name"
      before=$(load)
      log "$name: $KEYS keys, $ops ops"
      if java -Xmx4g -jar "$JAR" workload --engine "$engine" --workload "$workload" --keys "$KEYS" --ops "$ops" \
          --dir "$dir" --json --no-progress > "$OUT/$name.json.tmp" 2>> "$OUT/measure.log"; then
        mv "$OUT/$name.json.tmp" "$OUT/$name.json"
        echo "$before $(load)" > "$OUT/$name.load"
        log "$name: $(./storagelab figures run-line "$OUT/$name.json")"
      else
        log "$name: FAILED (the workbench's error is above)"
        rm -f "$OUT/$name.json.tmp"
      fi
      rm -rf "$dir"
    done
  done
done
./storagelab figures hybrid-table "$OUT" $ENGINES > "$OUT/TABLE.md"
log "table: $OUT/TABLE.md"
cat "$OUT/TABLE.md"
