#!/usr/bin/env bash
# Grades each planted race under grader/src/test/resources/fixtures/races/<lab>/<race>/ with its
# lab's race tests (the first line of its `kills` file), and reports caught / NOT caught. A race
# fixture is a small patch against the reference (race.patch), applied to a copy of the files it
# touches at grading time, so it keeps applying while the rest of those files' given code changes;
# one that no longer applies is reported, to be planted again by hand. Slow (a build per race): not
# part of mvn verify. Usage: notes/figures/race_mutants.sh [LAB_DIR_OR_RACE_DIR...]
# lab-01: HashIndexLog (T5), SortedLogStore.lookup (T8); lab-02: HashRing (T7), KeysetPaginator (T5);
# lab-03: SkipListMap (T6); lab-05: StoreWriter.apply (T7); lab-06: WriteAheadStore (T3), KvStore's
# checkpoint clock (T7); lab-07: ArchiveMover.copyAndPublish (T7).
set -u
cd "$(dirname "$0")/../.."
[ $# -gt 0 ] || set -- grader/src/test/resources/fixtures/races/lab-*/*/
exec notes/figures/bug_fixtures.sh "$@"
