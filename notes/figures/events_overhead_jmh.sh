#!/usr/bin/env bash
# What the engines' event reports cost when nobody listens, measured with JMH: the claim is at
# most 2%. One build, two JVM settings, the same benchmark code:
#   A (shipped)  events on, no listener attached: each emission point is a guard that finds
#                EventListener.NONE
#   B (baseline) -Dstoragelab.events=off: EventListener.EMIT is false and the JIT drops every
#                emission point, as if the engine had none
# The benchmarks are those whose operations pass emission points: the B+tree's random fill
# (splits) and random reads from a pool smaller than the tree (evictions), the LSM tree's puts
# (flushes, compactions) and gets, and MVCC commits (a begin and a commit event per transaction).
# A and B alternate fork by fork (A B, then B A, ...), ROUNDS forks each, every fork a fresh JVM.
# Prints every fork's score, then per benchmark the mean of A and of B, A/B as time per operation
# (1.000 = no cost; 1.020 = A is 2% slower) and a 95% confidence interval of that ratio
# (Welch's t over the forks' scores). Run it on a quiet machine.
#
#   notes/figures/events_overhead_jmh.sh
#
# Environment: ROUNDS (forks per setting, default 5), WI/I (warm-up and measured iterations per
# fork, default 3 and 5), ONLY (a regular expression: run only the benchmarks whose line matches),
# OUT (where each fork's JSON goes; default a new temporary folder), REUSE=1 (with OUT, ROUNDS and
# ONLY as the run had them: only the analysis, over that run's JSON).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROUNDS=${ROUNDS:-5}
WI=${WI:-3}
I=${I:-5}
ONLY=${ONLY:-.}
REUSE=${REUSE:-}
OUT=${OUT:-$(mktemp -d "${TMPDIR:-/tmp}/events-overhead-jmh-XXXXXX")}
case "$OUT" in /*) ;; *) OUT="$PWD/$OUT" ;; esac
mkdir -p "$OUT"

# module | benchmark regex | JMH parameters (-p name=value ...)
BENCHMARKS=(
  "lab-04-btree|FillBenchmark.fill$|-p impl=BPlusTree -p order=random -p keys=200000"
  "lab-04-btree|ReadBenchmark.readrandom$|-p impl=BPlusTree -p keys=200000"
  "lab-05-lsm|LsmStoreBenchmark.put$|"
  "lab-05-lsm|LsmStoreBenchmark.get$|"
  "lab-06-wal-mvcc|MvccBenchmark.commitTwoKeys$|-p mvccEngine=memory -p versionsPerKey=8"
)
selected=()
for spec in "${BENCHMARKS[@]}"; do
  if [[ "$spec" =~ $ONLY ]]; then selected+=("$spec"); fi
done
[ ${#selected[@]} -gt 0 ] || { echo "ONLY=$ONLY matches no benchmark" >&2; exit 2; }
BENCHMARKS=("${selected[@]}")

if [ -z "$REUSE" ]; then
modules=$(printf '%s\n' "${BENCHMARKS[@]}" | cut -d'|' -f1 | sort -u | paste -sd, -)
declare -A CP
for m in ${modules//,/ }; do
  # in one reactor with the labs it uses, so that theirs resolve to their target/classes; the
  # module itself comes last and writes the file last
  mvn -q -B -Dstyle.color=never -pl "$m" -am test-compile dependency:build-classpath -Dmdep.includeScope=test \
      -Dmdep.outputFile="$OUT/$m.cp" -Dmaven.compiler.useIncrementalCompilation=false
  CP[$m]="$m/target/test-classes:$m/target/classes:$(cat "$OUT/$m.cp")"
done

echo "events overhead (JMH): $ROUNDS forks per setting, ${WI}+${I} iterations; JSON in $OUT; load: $(cut -d' ' -f1-3 /proc/loadavg)"
n=0
for spec in "${BENCHMARKS[@]}"; do
  IFS='|' read -r module regex params <<< "$spec"
  n=$((n + 1))
  echo "== $module $regex $params"
  for r in $(seq 1 "$ROUNDS"); do
    if [ $((r % 2)) -eq 1 ]; then order="A B"; else order="B A"; fi
    for label in $order; do
      prepend=()
      [ "$label" = B ] && prepend=(-jvmArgsPrepend -Dstoragelab.events=off)
      # shellcheck disable=SC2086
      java -cp "${CP[$module]}" org.openjdk.jmh.Main "$regex" $params -f 1 -wi "$WI" -i "$I" "${prepend[@]}" \
          -rf json -rff "$OUT/b$n-$label-$r.json" > "$OUT/b$n-$label-$r.log" 2>&1
      echo "  $label fork $r: $(./storagelab figures jmh-score "$OUT/b$n-$label-$r.json")"
    done
  done
done

fi

./storagelab figures events-jmh-ab "$OUT" "$ROUNDS" "${BENCHMARKS[@]}"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
