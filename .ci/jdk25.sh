#!/usr/bin/env bash
# The grader's walls on JDK 25, the current long-term release, beside the default JDK's run of
# .ci/run: Temurin's JDK 25 at /usr/lib/jvm/temurin-25-jdk-amd64 (STORAGELAB_JDK25 names another).
#   1. the policy's own tests (SandboxPolicyTest: each rule, directly, through Method.invoke and a
#      method handle, on this JDK's entry points; what lab code installs ending no JVM;
#      PolicyClassFilesTest: the JDK's classes it rewrites), the scan's (ClassScanTest: the type
#      that declares each member, as this JDK's classes say), the hostile corpus
#      (HostileSubmissionsCorpusTest, each case with each wall alone too, and HostileSubmissionsTest's
#      forge that only the policy stops), as the grader's tests run them, and WallsTest (a grade
#      without the per-run user, the policy its test and benchmark JVMs' wall, as a grader that is
#      not root grades);
#   2. lab-01's hidden tests graded on the reference with the policy on (its Lincheck model checks,
#      its crash tests' child JVMs), every wall required where the grader is root.
# The rest of the grader's tests (the other hostile submissions, the reports) do not depend
# on the JDK and ran on the default one; this step took 2 minutes on 2 cores. Maven's arguments
# given after -- are added to its build (-o: offline).
#
#   .ci/jdk25.sh [-- MAVEN_ARGS...]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
case "${1:-}" in
  -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
  --) shift ;;
  "") ;;
  *) echo "jdk25.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
esac
JDK25="${STORAGELAB_JDK25:-/usr/lib/jvm/temurin-25-jdk-amd64}"
if [ ! -x "$JDK25/bin/java" ]; then
  echo "jdk25.sh: no JDK 25 at $JDK25; set STORAGELAB_JDK25 to one" >&2
  exit 2
fi
export JAVA_HOME="$JDK25"
export PATH="$JDK25/bin:$PATH"
export CI="${CI:-true}"
echo "jdk25.sh: $(java -version 2>&1 | head -n1)"

mvn -B -pl grader -am verify -Dspotless.check.skip=true -Dsurefire.failIfNoSpecifiedTests=false \
  -Dtest='SandboxPolicyTest,PolicyClassFilesTest,ClassScanTest,HostileSubmissionsCorpusTest,WallsTest,HostileSubmissionsTest#aForgeFromATaskMethodIsStoppedByTheJvmsPolicy' \
  "$@"

out="$(mktemp -d "${TMPDIR:-/tmp}/storagelab-jdk25.XXXXXX")"
trap 'rm -rf "$out"' EXIT
walls=()
if [ "$(id -u)" -eq 0 ]; then walls=(--require-walls); fi
./storagelab grade --lab 01 --isolated --no-perf --out "$out" "${walls[@]}"
# Every hidden test of the reference passes with the policy on, and the results say it stood.
grade="$out/grade.json"
passed="$(grep -c '"status": "PASSED"' "$grade" || true)"
if grep -qE '"status": "(FAILED|TIMED_OUT|CRASHED|NOT_RUN)"' "$grade" || [ "$passed" -eq 0 ] \
    || ! grep -q '"in_jvm_policy": true' "$grade"; then
  echo "jdk25.sh: lab-01's hidden tests did not all pass on the reference under the policy ($grade):" >&2
  cat "$grade" >&2
  exit 1
fi
echo "jdk25.sh: lab-01's $passed hidden tests pass on the reference with the policy on"
