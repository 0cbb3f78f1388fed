#!/usr/bin/env bash
# The db_bench-style baseline of notes/benchmarks.md: every workload on every engine of the workspace and on every
# production peer, RUNS runs a cell, each in a JVM of its own. Needs the workbench built with the peers:
#   mvn -B -o -q -Ppeers -pl workbench -am package -DskipTests
# Usage: notes/figures/run_benchmarks.sh [KEYS] [OPS]     (defaults: 1,000,000 keys, 200,000 ops)
# Then: ./storagelab figures baseline-table notes/data/bench --page notes/benchmarks.md (the page's tables, from the
# median of each cell's runs; ./storagelab figures lsm-table DIR ENGINE PEER... prints one engine beside its peers).
#
# It writes, in BENCH_OUT (default notes/data/bench): ENGINE-WORKLOAD-N.json, the workbench's result of run N;
# ENGINE-WORKLOAD-N.load, the load average before and after it; ENGINE-WORKLOAD-N.failed, why run N failed, if it did;
# ENGINE-WORKLOAD.skipped, why a cell is not run; machine.txt, the machine, and a line per invocation saying which
# engines it ran and when.
#
# Settings, from the environment:
#   ENGINES    the engines (default: the workspace's engines, one a lab, btree-16m, then the six peers)
#   WORKLOADS  the workloads (default: db_bench's seven)
#   RUNS       runs a cell (default 2), numbered 1 to RUNS; RUN=N takes run N alone (for a run taken in parts)
#   ALTERNATE  1 (the default): every engine on one workload, then the next workload; run N of a cell right after
#              run N-1 of the others, in reverse engine order on even runs, so that engines compared cell by cell
#              run minutes apart, not a whole sweep apart, on a machine whose load moves. 0: engine after engine.
#   FORCED     engines whose every put is a commit forced to the disk (default: kv, lab-06's store, whose puts are
#              transactions under group commit); their fills and overwrite put FORCED_PUTS keys (default 10,000),
#              not KEYS: at about 400 forces a second a fill of 1,000,000 keys would take 40 minutes. The table
#              marks those cells with their size.
#   BENCH_OUT  the folder of the results; HEAP, each run's -Xmx (default 4g)
#   WORKBENCH_CP  a classpath to run the workbench from instead of its jar (for the workbench's own tests)
#   WRITER_RATE  readwhilewriting's writer's puts a second at most (the workbench's --writer-rate, db_bench's
#              --benchmark_write_rate_limit), so that the gets are compared at one write load (default 0: no limit)
#   JVM_OPTS   options for every run's JVM, split at spaces (default: none), for a diagnosis: the page's tables use
#              the JVM's defaults, and machine.txt's line for the invocation names the options it ran with
#   ESTIMATE_ONLY=1  print how many runs and about how long, and stop
# Retaking one engine's column alone: ENGINES=lsm notes/figures/run_benchmarks.sh, then the table command above.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
JAR="$ROOT/workbench/target/storagelab-workbench.jar"
KEYS="${1:-1000000}"
OPS="${2:-200000}"
OUT="${BENCH_OUT:-$ROOT/notes/data/bench}"
WORKSPACE_ENGINES="sortedlog avl skiplist bst btree btree-16m lsm kv hybrid"
PEERS="rocksdb rocksdb-lsmopts leveldb h2 h2-pool lmdb"
ENGINES="${ENGINES:-$WORKSPACE_ENGINES $PEERS}"
WORKLOADS="${WORKLOADS:-fillseq fillrandom overwrite readrandom readmissing seekrandom readwhilewriting}"
RUNS="${RUNS:-2}"
FORCED="${FORCED:-kv}"
FORCED_PUTS="${FORCED_PUTS:-10000}"
HEAP="${HEAP:-4g}"
read -r -a JVM_OPTIONS <<< "${JVM_OPTS:-}"
JAVA=(java -Xmx"$HEAP" ${JVM_OPTIONS[@]+"${JVM_OPTIONS[@]}"})
if [ -n "${WORKBENCH_CP:-}" ]; then
  WORKBENCH=("${JAVA[@]}" -cp "$WORKBENCH_CP" dev.storagelab.workbench.cli.WorkbenchMain)
else
  WORKBENCH=("${JAVA[@]}" -jar "$JAR")
  if [ ! -f "$JAR" ]; then
    echo "no workbench at $JAR: build it with mvn -B -o -q -Ppeers -pl workbench -am package -DskipTests" >&2
    exit 2
  fi
fi
case "${WRITER_RATE:-0}" in
  ''|*[!0-9]*) echo "WRITER_RATE is readwhilewriting's writer's puts a second, a whole number (0: no limit), not '$WRITER_RATE'" >&2; exit 2 ;;
esac
for n in "$KEYS" "$OPS" "$RUNS" "$FORCED_PUTS" ${RUN:+"$RUN"}; do
  case "$n" in ''|*[!0-9]*|0) echo "KEYS, OPS, RUNS, RUN and FORCED_PUTS are positive whole numbers, not '$n'" >&2; exit 2 ;; esac
done

# Every engine asked for must be in this build: the peers are there only when it was built with -Ppeers.
known=" $("${WORKBENCH[@]}" workload --help | tr -s ' \n' ' ' | sed -n 's/.*The engine: \([^.]*\)\..*/\1/p' | tr -d ,) "
for engine in $ENGINES; do
  if [[ "$known" != *" $engine "* ]]; then
    echo "this workbench has no engine '$engine' (it has:$known); the peers are built with" \
      "mvn -B -o -q -Ppeers -pl workbench -am package -DskipTests, or leave it out of ENGINES" >&2
    exit 2
  fi
done
forced() { [[ " $FORCED " == *" $1 "* ]]; }
# The cells in the order they run: "ENGINE WORKLOAD RUN".
runs="${RUN:-$(seq -s ' ' 1 "$RUNS")}"
CELLS=()
if [ "${ALTERNATE:-1}" != 0 ]; then
  for workload in $WORKLOADS; do
    for run in $runs; do
      order="$ENGINES"
      if [ $(( run % 2 )) -eq 0 ]; then order="$(echo $ENGINES | tr ' ' '\n' | tac | tr '\n' ' ')"; fi
      for engine in $order; do CELLS+=("$engine $workload $run"); done
    done
  done
else
  for engine in $ENGINES; do
    for workload in $WORKLOADS; do
      for run in $runs; do CELLS+=("$engine $workload $run"); done
    done
  done
fi

# A rough estimate, from the runs of all engines at 200,000 keys and 40,000 operations on the 2-vCPU machine of
# notes/benchmarks.md beside other builds (load average about 11): a run's JVM, reopen, gauges and collections take
# about 5 s; then, per engine, the seconds that 1,000,000 puts of a fill or preload take (FILL) and 1,000,000
# measured operations, the mean of the five workloads that are not fills (OPS); a forced put takes about 5 ms.
declare -A FILL=([sortedlog]=38 [avl]=20 [skiplist]=22 [bst]=15 [btree]=47 [btree-16m]=40 [lsm]=42 [kv]=24
  [hybrid]=76 [rocksdb]=16 [rocksdb-lsmopts]=10 [leveldb]=33 [h2]=58 [h2-pool]=85 [lmdb]=42)
declare -A OPS_S=([sortedlog]=333 [avl]=46 [skiplist]=63 [bst]=52 [btree]=81 [btree-16m]=125 [lsm]=200 [kv]=196
  [hybrid]=268 [rocksdb]=90 [rocksdb-lsmopts]=60 [leveldb]=155 [h2]=115 [h2-pool]=164 [lmdb]=136)
estimate=0  # milliseconds
count=0
for cell in "${CELLS[@]}"; do
  read -r engine workload run <<< "$cell"
  if [ "$engine" = bst ] && [ "$workload" = fillseq ]; then continue; fi
  count=$(( count + 1 ))
  fill="${FILL[$engine]:-50}"
  estimate=$(( estimate + 5000 ))
  if forced "$engine" && [[ "$workload" =~ ^(fill|overwrite) ]]; then
    estimate=$(( estimate + FORCED_PUTS * 5 ))
    case "$workload" in overwrite) estimate=$(( estimate + fill * KEYS / 1000 )) ;; esac
  else
    estimate=$(( estimate + fill * KEYS / 1000 ))
    case "$workload" in fill*) ;; *) estimate=$(( estimate + ${OPS_S[$engine]:-150} * OPS / 1000 )) ;; esac
  fi
done
minutes=$(( (estimate + 59999) / 60000 ))
echo "$count runs (engines: $ENGINES; workloads: $WORKLOADS), $KEYS keys, $OPS ops:" \
  "about $minutes minute$([ "$minutes" -eq 1 ] || echo s) on 2 vCPUs at load 11" >&2
if [ -n "${ESTIMATE_ONLY:-}" ]; then exit 0; fi

mkdir -p "$OUT"
machine="$(  # the machine, as the table commands print it
  echo "$(nproc) processors ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'))"
  awk '/MemTotal/ {printf "%.1f GiB of memory\n", $2 / 1048576}' /proc/meminfo
  echo "$(uname -sr), $(java -version 2>&1 | tail -1)"
  echo "scheduler autogroups $(cat /proc/sys/kernel/sched_autogroup_enabled 2>/dev/null || echo '?') (1: nice ranks a process only within its session)"
)"
if [ ! -f "$OUT/machine.txt" ]; then
  echo "$machine" > "$OUT/machine.txt"
elif [ "$(head -1 "$OUT/machine.txt")" != "$(echo "$machine" | head -1)" ]; then
  # Runs of another machine's processors: the table would name the wrong machine.
  echo "$OUT/machine.txt describes another machine ($(head -1 "$OUT/machine.txt")): it now describes" \
    "this one; retake every engine, or the table mixes the two machines' runs" >&2
  echo "$machine" > "$OUT/machine.txt"
fi

started="$(date -u +%Y-%m-%dT%H:%MZ)"
failed=0
for cell in "${CELLS[@]}"; do
  read -r engine workload run <<< "$cell"
  name="$engine-$workload-$run"
  if [ "$engine" = bst ] && [ "$workload" = fillseq ]; then
    echo "not run: sequential keys make the unbalanced tree a list, n²/2 comparisons (lab-03's lesson)" \
      > "$OUT/$engine-$workload.skipped"
    continue
  fi
  keys="$KEYS"
  ops="$OPS"
  if forced "$engine" && [[ "$workload" =~ ^(fill|overwrite) ]]; then
    ops="$FORCED_PUTS"
    case "$workload" in fill*) keys="$FORCED_PUTS" ;; esac
  else
    case "$workload" in fill*) ops="$KEYS" ;; esac
  fi
  dir="$(mktemp -d "${TMPDIR:-/tmp}/storagelab-bench-XXXXXX")"
  before="$(cut -d' ' -f1 /proc/loadavg)"
  echo "$engine $workload run $run: $keys keys, $ops ops (load average $before, $(date -u +%H:%M:%S))" >&2
  rm -f "$OUT/$name.failed"
  rate=()
  if [ "$workload" = readwhilewriting ] && [ "${WRITER_RATE:-0}" != 0 ]; then
    rate=(--writer-rate "$WRITER_RATE")
  fi
  if "${WORKBENCH[@]}" workload --engine "$engine" --workload "$workload" --keys "$keys" --ops "$ops" "${rate[@]}" \
      --dir "$dir" --json --no-progress > "$OUT/$name.json" 2> "$dir.err"; then
    echo "$before $(cut -d' ' -f1 /proc/loadavg)" > "$OUT/$name.load"
  else
    status=$?
    { echo "failed (exit $status): $(grep -v '^\s*at ' "$dir.err" | tail -3 | tr '\n' ' ')"; } > "$OUT/$name.failed"
    rm -f "$OUT/$name.json" "$OUT/$name.load"
    echo "  $(cat "$OUT/$name.failed")" >&2
    failed=$(( failed + 1 ))
  fi
  rm -rf "$dir" "$dir.err"
done
settings=""
if [ "${WRITER_RATE:-0}" != 0 ]; then
  settings=", the readwhilewriting writer at most $WRITER_RATE puts/s"
fi
if [ ${#JVM_OPTIONS[@]} -gt 0 ]; then
  settings="$settings, JVM options ${JVM_OPTIONS[*]}"
fi
echo "runs of $ENGINES (runs $runs), $KEYS keys, $OPS ops$settings: $started to $(date -u +%Y-%m-%dT%H:%MZ)" >> "$OUT/machine.txt"
if [ "$failed" -gt 0 ]; then
  echo "$failed runs failed: their reasons are in $OUT/*.failed" >&2
  exit 1
fi
