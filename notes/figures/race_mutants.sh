#!/usr/bin/env bash
# Grades each planted race mutant under grader/src/test/resources/fixtures/races/<lab>/<mutant>/
# with only the race tests, and reports caught / not caught. Slow (a build per mutant): not part
# of mvn verify. Usage: notes/figures/race_mutants.sh [TEST_PATTERN_FOR_lab-03]
# lab-01: HashIndexLog (T5), SortedLogStore.lookup (T8); lab-02: HashRing (T7), KeysetPaginator (T5);
# lab-03: SkipListMap (T6); lab-05: LsmStore.apply (T7); lab-06: WriteAheadStore (T3), KvStore's
# checkpoint clock (T7); lab-07: TieredStorage.copyAndPublish (T7). Each mutant is graded with all of
# its lab's race tests. Each fixture is a whole copy of a student file: after a change to that file's
# given code, notes/figures/refresh_race_fixtures.py lists the fixtures left stale and rebuilds those
# whose race is inside the student blocks (lab-05's and lab-07's).
set -u
cd "$(dirname "$0")/../.."
root=grader/src/test/resources/fixtures/races
declare -A only=( [lab-01]="HashIndexLogLincheckHiddenTest|LookupRaceHiddenTest"
                  [lab-02]="HashRingLincheckHiddenTest|PaginationRaceHiddenTest"
                  [lab-03]="${1:-SkipListLincheckHiddenTest}"
                  [lab-05]="WriteRaceHiddenTest"
                  [lab-06]="WriteAheadStoreLincheckHiddenTest|CheckpointClockLincheckHiddenTest"
                  [lab-07]="TieredStorageRaceHiddenTest" )
for labdir in "$root"/lab-*; do
  lab=$(basename "$labdir"); nn=${lab#lab-}
  for mutant in "$labdir"/*/; do
    name=$(basename "$mutant")
    out=$(./storagelab grade "$mutant" --lab "$nn" --isolated --no-perf --only "${only[$lab]}" 2>&1)
    rc=$?
    if [ $rc -ne 0 ] || ! grep -qE '(^|[^0-9])100(\.0+)?%' <<<"$out"; then verdict=caught; else verdict="NOT caught"; fi
    printf '%-8s %-28s %s (exit %d)\n' "$lab" "$name" "$verdict" "$rc"
  done
done
