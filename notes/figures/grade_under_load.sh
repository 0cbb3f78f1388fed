#!/usr/bin/env bash
# Grades the reference ROUNDS times while every core is kept busy by other processes, as on a shared
# grading machine (Gradescope, PrairieLearn): FACTOR busy loops per core, so the load average climbs
# to at least FACTOR x the core count. Prints each round's start, score, percent and wall time, and the
# 1-minute load average sampled every 30 s of it (lowest, mean, highest); exits 1 unless every round
# scored 100 %. A student must never lose points to a neighbour's load, so no test may assume that
# background work progressed within a time. With --perf the rounds measure the performance lines
# too, and each point a line lost is listed: the reference must keep every one of them.
# With --submission PATH the rounds grade that submission instead (no 100 % expected: its lost
# tests and lines are listed, and each round's grade.json is kept for a caller to check), and
# --factor 0 grades with no busy loop at all (the machine as it is).
#
# The busy loops run in a session of their own, as a neighbour's container would: the kernel shares
# the CPU between sessions (autogroup) or cgroups (containers) before it shares it between their
# processes, so the grader gets its share beside them, at a load average of FACTOR x the cores and
# more, and every core stays busy. Loops in the grader's own session would instead starve it as no
# shared grading machine does (a round took an hour that way).
#
# Slow on purpose (a full grade with perf took 7 min on 2 idle cores, 10 to 24 with 8 busy loops):
# never part of mvn verify.
#
#   notes/figures/grade_under_load.sh [--rounds N] [--factor F] [--perf] [--submission PATH] [--isolated]
#                                     [--lab NN]... [--only REGEX] [--out DIR]
#
# Defaults: 5 rounds, factor 4, every lab, the tests only (--no-perf), offline Maven, results in
# /tmp/grade-under-load/round-K/grade.json.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ROUNDS=5
FACTOR=4
OUT=/tmp/grade-under-load
ARGS=()
PERF=--no-perf
SUBMISSION=()
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS="$2"; shift 2 ;;
    --factor) FACTOR="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    --lab|--only) ARGS+=("$1" "$2"); shift 2 ;;
    --perf) PERF=""; shift ;;
    --isolated) ARGS+=("$1"); shift ;;
    --submission) SUBMISSION=("$2"); shift 2 ;;
    -h|--help) sed -n '2,25p' "$0"; exit 0 ;;
    *) echo "grade_under_load: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$ROUNDS$FACTOR" in *[!0-9]*) echo "grade_under_load: --rounds and --factor take whole numbers" >&2; exit 2 ;; esac

"$ROOT/storagelab" --version > /dev/null   # builds the grader before the load starts (--help needs no build)
CORES=$(nproc)
LOADER=""
stop_load() {
  # the loops' session is a process group of its own: end the whole group
  if [ -n "$LOADER" ]; then kill -- "-$LOADER" 2> /dev/null || true; wait "$LOADER" 2> /dev/null || true; fi
}
trap stop_load EXIT
# one session, one process group, holding every loop
if [ "$FACTOR" -gt 0 ]; then
  setsid bash -c 'for _ in $(seq "$1"); do ( while :; do :; done ) & done; wait' loader $((CORES * FACTOR)) &
  LOADER=$!
fi
echo "grade_under_load: $((CORES * FACTOR)) busy loops on $CORES cores; $ROUNDS rounds of grade ${SUBMISSION[*]:-} --offline ${PERF:-(with perf)} ${ARGS[*]:-}"
echo "grade_under_load: before the load: $(uptime)"
[ "$FACTOR" -gt 0 ] && sleep 60   # let the 1-minute load average show the load before the first round

failed=0
mkdir -p "$OUT"
for round in $(seq "$ROUNDS"); do
  dir="$OUT/round-$round"
  rm -rf "$dir"
  start=$(date +%s)
  # the 1-minute load average every 30 s of the round, for its lowest, mean and highest
  ( while :; do cut -d' ' -f1 /proc/loadavg; sleep 30; done ) > "$OUT/round-$round.load" &
  sampler=$!
  "$ROOT/storagelab" grade ${SUBMISSION[@]+"${SUBMISSION[@]}"} --offline $PERF ${ARGS[@]+"${ARGS[@]}"} --out "$dir" \
    > "$OUT/round-$round.log" 2>&1 || true
  kill "$sampler" 2> /dev/null || true
  wait "$sampler" 2> /dev/null || true
  seconds=$(( $(date +%s) - start ))
  load=$(awk 'NR == 1 || $1 < lo { lo = $1 } NR == 1 || $1 > hi { hi = $1 } { sum += $1 }
              END { if (NR) printf "1-min load %.1f to %.1f, mean %.1f over %d samples", lo, hi, sum / NR, NR }' \
         "$OUT/round-$round.load")
  summary=$("$ROOT/storagelab" figures grade-summary "$dir/grade.json") && ok=1 || ok=0
  [ ${#SUBMISSION[@]} -eq 0 ] || ok=1   # a submission is not expected to score 100 %
  printf 'round %d (%s UTC): %s in %d min %02d s (%s)\n' "$round" "$(date -u -d @"$start" +%H:%M)" \
    "$(head -n 1 <<< "$summary")" $((seconds / 60)) $((seconds % 60)) "$load"
  tail -n +2 <<< "$summary"   # the tests that lost points, if any
  [ "$ok" = 1 ] || failed=1
done
exit "$failed"
