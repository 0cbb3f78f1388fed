#!/usr/bin/env bash
# Grades the planted hangs (grader/src/test/resources/fixtures/hangs/<lab>/<name>/: every task
# right but one, whose bug leaves threads waiting for ever) whole: each lab isolated, every hidden
# test in the lab's own time, the three side by side. Passes when no test is left unrun or timed
# out at the deadline, every hang is found by the test JVM's watch and said once at its task with
# its wait, and every test of the tasks the bug does not touch passes. Prints each fixture's grading
# time and the tests that hung.
#
#   notes/figures/hang_fixtures.sh
#
# Slow (three labs graded whole, minutes): mvn verify grades each fixture's smoke selection of
# tests instead (HangFixturesTest, the `smoke:` line of each fixture's `hangs` file).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
case "${1:-}" in
  -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
  "") ;;
  *) echo "hang_fixtures: unknown argument $1 (see --help)" >&2; exit 2 ;;
esac
cd "$ROOT"
mvn -B -q install -DskipTests -pl grader -am
LOG="$(mktemp /tmp/hang-fixtures.XXXXXX.log)"
status=0
mvn -B test -pl grader -Dtest=HangFixturesTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dstoragelab.hangs.whole=true >"$LOG" 2>&1 || status=$?
grep -E "graded in|: hung: |Tests run:|FAIL|ERROR" "$LOG" || true
echo "the whole output: $LOG"
exit "$status"
