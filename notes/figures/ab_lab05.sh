#!/usr/bin/env bash
# A/B runs of the workbench for notes/05-lsm.md §5.11: each jar in turn, ROUNDS times, a fresh
# directory each run; prints ops/s, the JVM's CPU seconds (user + system, all threads: the figure
# that survives a loaded machine), the write stalls and the load average before and after.
# Usage: notes/figures/ab_lab05.sh OUTDIR WORKLOAD OPS ROUNDS LABEL=JAR [LABEL=JAR ...]
#   e.g. notes/figures/ab_lab05.sh /tmp/ab fillrandom 1000000 3 main=/tmp/main.jar branch=workbench/target/storagelab-workbench.jar
# A label starting with "rocks" runs the rocksdb-lsmopts engine from its jar instead of lsm. ENGINE
# names another engine of the workbench (btree, kv, hybrid ...; default lsm), KEYS the key space
# (default 1000000): e.g. ENGINE=btree notes/figures/ab_lab05.sh /tmp/ab readrandom 500000 3 ...
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out=$1; wl=$2; ops=$3; rounds=$4; shift 4
mkdir -p "$out"
for r in $(seq 1 "$rounds"); do
  for spec in "$@"; do
    label=${spec%%=*}; jar=${spec#*=}
    engine=${ENGINE:-lsm}; case $label in rocks*) engine=rocksdb-lsmopts;; esac
    d=$(mktemp -d /tmp/ab-lab05-XXXXXX)
    l0=$(cut -d' ' -f1 /proc/loadavg)
    /usr/bin/time -f "%U %S %e" -o "$out/$label-$wl-$r.time" java -Xmx4g -jar "$jar" workload --no-progress --json \
        --engine $engine --workload "$wl" --keys "${KEYS:-1000000}" --ops "$ops" --dir "$d" > "$out/$label-$wl-$r.json" 2> "$out/$label-$wl-$r.err"
    l1=$(cut -d' ' -f1 /proc/loadavg)
    rm -rf "$d"
    printf '%-8s run%s %s load %s->%s\n' "$label" "$r" \
      "$("$ROOT/storagelab" figures run-line --time "$out/$label-$wl-$r.time" --counters "$out/$label-$wl-$r.json")" "$l0" "$l1"
  done
done
