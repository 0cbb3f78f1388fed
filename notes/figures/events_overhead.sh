#!/usr/bin/env bash
# What the engines' event reports cost when nobody listens: the claim is at most 2% on the
# workbench's fillrandom and readrandom. One build, two JVM settings:
#   A (shipped)  events on, no listener attached: each emission is a guard that finds EventListener.NONE
#   B (baseline) -Dstoragelab.events=off: EventListener.EMIT is false and the JIT drops every emission
# For each engine and workload, A and B alternate (A B, then B A, ...) ROUNDS times, a fresh
# directory each run; prints every run's ops/s, then the median of A and of B and A/B
# (1.000 = no cost; 0.980 = A is 2% slower). Run it on a quiet machine: figures from a busy one
# mean nothing.
#
#   notes/figures/events_overhead.sh [SCRATCH_DIR]   # where the engines' files go (default /var/tmp)
#
# Environment: ROUNDS (default 5), ENGINES (default "btree lsm"), WORKLOADS (default "fillrandom
# readrandom"), KEYS (default 1000000), OPS (default 1000000), HEAP (default 2g), OUT (where each
# run's JSON goes; default a new temporary folder), JAR (default: the workbench jar, built first).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
SCRATCH=${1:-/var/tmp}
ROUNDS=${ROUNDS:-5}
ENGINES=${ENGINES:-"btree lsm"}
WORKLOADS=${WORKLOADS:-"fillrandom readrandom"}
KEYS=${KEYS:-1000000}
OPS=${OPS:-1000000}
HEAP=${HEAP:-2g}
OUT=${OUT:-$(mktemp -d "${TMPDIR:-/tmp}/events-overhead-XXXXXX")}
if [ -z "${JAR:-}" ]; then
  mvn -q -pl workbench -am package -DskipTests
  JAR=workbench/target/storagelab-workbench.jar
fi
mkdir -p "$OUT"
echo "events overhead: $ENGINES x $WORKLOADS, $ROUNDS rounds, keys $KEYS, ops $OPS; runs in $OUT; load: $(cut -d' ' -f1-3 /proc/loadavg)"

run() { # run LABEL ENGINE WORKLOAD ROUND
  local label=$1 engine=$2 wl=$3 r=$4 flag=()
  [ "$label" = B ] && flag=(-Dstoragelab.events=off)
  local d
  d=$(mktemp -d "$SCRATCH/events-overhead-XXXXXX")
  java -Xmx"$HEAP" "${flag[@]}" -jar "$JAR" workload --no-progress --json --engine "$engine" --workload "$wl" \
      --keys "$KEYS" --ops "$OPS" --dir "$d" > "$OUT/$engine-$wl-$label-$r.json"
  rm -rf "$d"
  echo "  $label round $r: $(./storagelab figures run-line "$OUT/$engine-$wl-$label-$r.json")"
}

for engine in $ENGINES; do
  for wl in $WORKLOADS; do
    echo "== $engine $wl"
    for r in $(seq 1 "$ROUNDS"); do
      if [ $((r % 2)) -eq 1 ]; then order="A B"; else order="B A"; fi
      for label in $order; do
        run "$label" "$engine" "$wl" "$r"
      done
    done
  done
done

./storagelab figures events-ab "$OUT" "$ROUNDS" "$ENGINES" "$WORKLOADS"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
