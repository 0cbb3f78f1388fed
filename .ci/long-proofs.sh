#!/usr/bin/env bash
# The grader's long proofs whole, where `mvn verify` runs a smoke of each (Fixtures.longProofs):
#   - the reference graded in every lab, every hidden test passing (WorkspaceProofTest);
#   - every rubric performance line run on the reference, and every lab's planted costly submission
#     losing its counted line (WorkspaceProofTest);
#   - `bench --quick --peers` at its quick size, and one bug planted in lab-01's compaction costing
#     only the tests that catch it (WorkspaceProofTest);
#   - the exported release graded in every lab, no hidden test awarding a point and each lab's report
#     naming a task not implemented first, and the do-nothing release, every hidden test failing
#     (WorkspaceReleaseProofTest);
#   - every lab's public tests run in the release's own Maven build, failing only as not implemented,
#     and graded as local checks on the release, and lab-06 and lab-07 each written in full over the
#     unstarted labs before them (WorkspaceReleaseProofTest);
#   - the planted hangs graded whole (HangFixturesTest, as notes/figures/hang_fixtures.sh does);
#   - the whole release graded through Gradescope's scripts (GradescopeLayoutTest).
# It builds the labs and the grader as `mvn verify` does, then runs those four test classes with
# -Dstoragelab.proofs=long; Maven's arguments given after -- are added (-o: offline). Slow: tens of
# minutes on 2 cores.
#
#   .ci/long-proofs.sh [-- MAVEN_ARGS...]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
case "${1:-}" in
  -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
  --) shift ;;
  "") ;;
  *) echo "long-proofs: unknown argument $1 (see --help)" >&2; exit 2 ;;
esac
exec mvn -B -pl grader -am verify -Dspotless.check.skip=true -Dsurefire.failIfNoSpecifiedTests=false \
  -Dtest='WorkspaceProofTest,WorkspaceReleaseProofTest,HangFixturesTest,GradescopeLayoutTest' -Dstoragelab.proofs=long "$@"
