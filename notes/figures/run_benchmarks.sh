#!/usr/bin/env bash
# The db_bench-style baseline of notes/benchmarks.md: every workload below on every engine, one
# JSON result each in notes/data/bench/. Needs the workbench built with the peers:
#   mvn -q -Ppeers -pl workbench -am package -DskipTests
# Usage: notes/figures/run_benchmarks.sh [KEYS] [OPS]     (defaults: 1,000,000 keys, 200,000 ops)
# Then: ./storagelab figures (and ./storagelab figures lsm-table OUT lsm rocksdb-lsmopts for lab-05's side by side,
# which takes its own runs, the engines alternating, with --run)
# ENGINES, WORKLOADS and BENCH_OUT override the defaults; RUN=N names the results ENGINE-WORKLOAD-N.json,
# for repeated runs (notes/05-lsm.md takes the median of three). ALTERNATE=1 runs every engine on one
# workload before the next workload, in reverse order when RUN is even, so that engines compared
# cell by cell run minutes apart, not a whole sweep apart, on a machine whose load moves.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
JAR="$ROOT/workbench/target/storagelab-workbench.jar"
KEYS="${1:-1000000}"
OPS="${2:-200000}"
OUT="${BENCH_OUT:-$ROOT/notes/data/bench}"
mkdir -p "$OUT"
ENGINES="${ENGINES:-sortedlog btree avl skiplist bst rocksdb leveldb h2}"
WORKLOADS="${WORKLOADS:-fillseq fillrandom overwrite readrandom readmissing seekrandom readwhilewriting}"
SUFFIX="${RUN:+-$RUN}"
if [ ! -f "$OUT/machine.txt" ]; then  # the machine, as ./storagelab figures lsm-table prints it
  {
    echo "$(nproc) processors ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'))"
    awk '/MemTotal/ {printf "%.1f GiB of memory\n", $2 / 1048576}' /proc/meminfo
    echo "$(uname -sr), $(java -version 2>&1 | tail -1)"
    echo "taken from $(date -u +%Y-%m-%dT%H:%MZ)"
  } > "$OUT/machine.txt"
fi
CELLS=()
if [ -n "${ALTERNATE:-}" ]; then
  order="$ENGINES"
  if [ $(( ${RUN:-1} % 2 )) -eq 0 ]; then
    order="$(echo $ENGINES | tr ' ' '\n' | tac | tr '\n' ' ')"
  fi
  for workload in $WORKLOADS; do
    for engine in $order; do CELLS+=("$engine $workload"); done
  done
else
  for engine in $ENGINES; do
    for workload in $WORKLOADS; do CELLS+=("$engine $workload"); done
  done
fi
for cell in "${CELLS[@]}"; do
    read -r engine workload <<< "$cell"
    if [ "$engine" = bst ] && [ "$workload" = fillseq ]; then
      continue  # sequential keys make the unbalanced tree a list: n^2/2 comparisons (lab-03's lesson)
    fi
    ops="$OPS"
    case "$workload" in fill*) ops="$KEYS" ;; esac
    dir="$(mktemp -d "${TMPDIR:-/tmp}/storagelab-bench-XXXXXX")"
    before="$(cut -d' ' -f1 /proc/loadavg)"
    echo "$engine $workload: $KEYS keys, $ops ops (load average $before)" >&2
    java -Xmx4g -jar "$JAR" workload --engine "$engine" --workload "$workload" --keys "$KEYS" --ops "$ops" \
        --dir "$dir" --json --no-progress > "$OUT/$engine-$workload$SUFFIX.json"
    echo "$before $(cut -d' ' -f1 /proc/loadavg)" > "$OUT/$engine-$workload$SUFFIX.load"
    echo "  load average after: $(cut -d' ' -f1 /proc/loadavg)" >&2
    rm -rf "$dir"
done
