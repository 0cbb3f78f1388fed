#!/usr/bin/env bash
# Grades the planted costly submissions (grader/src/test/resources/fixtures/costly/<lab>/<name>/:
# code that passes every test of its lab but does the lab's costly thing) with performance points,
# ROUNDS times, and checks each round: every test of each fixture's lab passes, and the line its
# `loses` file names earns less than its points. Every fixture goes into one submission (a copy
# of the sources of each lab a costly.patch touches, patched); it is graded --isolated, so each lab is
# graded over the reference of the others, as if each fixture were its own submission.
#
#   notes/figures/costly_fixtures.sh [--rounds N] [--busy F] [--lab NN]... [--out DIR]
#
# --busy F grades while F busy loops per core run in a session of their own (as
# grade_under_load.sh does; the acceptance runs use 4 on 2 cores: 8 loops); without it the machine
# is as it is. Defaults: 5 rounds, every fixture, results in /tmp/costly-fixtures. Prints a line per
# round and fixture (its lab's tests, the line's points, its message) and exits 1 unless every
# fixture lost its line in every round with every test of its lab passing. Slow (a grade of every
# lab with its benchmarks per round): not part of mvn verify, which proves the counted lines in
# seconds (WorkspaceProofTest#everyPlantedCostlySubmissionLosesItsCountedLine).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
FIXTURES="$ROOT/grader/src/test/resources/fixtures/costly"
ROUNDS=5
FACTOR=0
OUT=/tmp/costly-fixtures
LABS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS="$2"; shift 2 ;;
    --busy) FACTOR="$2"; shift 2 ;;
    --lab) LABS+=("lab-$2"); shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "costly_fixtures: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
[ ${#LABS[@]} -gt 0 ] || mapfile -t LABS < <(cd "$FIXTURES" && ls -d lab-* | sort)

rm -rf "$OUT"
SUB="$OUT/submission"
mkdir -p "$SUB"
LAB_ARGS=()
for lab in "${LABS[@]}"; do
  for fixture in "$FIXTURES/$lab"/*/; do
    for f in $(sed -n 's|^+++ b/\([^[:space:]]*\).*|\1|p' "$fixture/costly.patch"); do
      # the whole lab's sources, as a student submits them: a file the submission lacks is graded
      # as the release gives it (not implemented), never as the reference's
      src="${f%%/*}/src/main/java"
      [ -d "$SUB/$src" ] || { mkdir -p "$SUB/$src" && cp -r "$ROOT/$src/." "$SUB/$src/"; }
    done
    if ! patch -s -p1 -d "$SUB" < "$fixture/costly.patch"; then
      echo "costly_fixtures: $fixture does NOT apply: re-plant it by hand" >&2; exit 1
    fi
  done
  LAB_ARGS+=(--lab "${lab#lab-}")
done

"$ROOT/notes/figures/grade_under_load.sh" --rounds "$ROUNDS" --factor "$FACTOR" --perf --isolated \
  --submission "$SUB" --out "$OUT/rounds" "${LAB_ARGS[@]}" | grep -v '^    lost ' || true

status=0
for round in $(seq "$ROUNDS"); do
  for lab in "${LABS[@]}"; do
    for fixture in "$FIXTURES/$lab"/*/; do
      line=$(head -n 1 "$fixture/loses")
      verdict=$("$ROOT/storagelab" figures costly-line "$OUT/rounds/round-$round/grade.json" "$lab" "$line") \
        || status=1
      printf 'round %s %-8s %-40s %s\n' "$round" "$lab" "$(basename "$fixture")" "$verdict"
    done
  done
done
exit $status
