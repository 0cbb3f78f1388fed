#!/usr/bin/env bash
# Grades each hand-planted bug under grader/src/test/resources/fixtures/bugs/<lab>/<bug>/ and each
# planted race under grader/src/test/resources/fixtures/races/<lab>/<race>/ with the hidden tests
# written to kill it, and reports caught / NOT caught. A fixture is two files:
#   bug.patch or race.patch  a unified diff against this workspace's reference (paths from its
#                            root, a/ and b/)
#   kills      first line: the --only regex of the tests that must kill it; then '#' lines saying
#              what the bug is and why the older tests missed it
# The submission graded is a copy of the sources of the lab the patch touches (src/main/java, the
# reference's), patched: a patch keeps applying while the rest of the file's given code changes. Slow (a build per bug): not
# part of mvn verify. Usage: notes/figures/bug_fixtures.sh [LAB_DIR_OR_BUG_DIR...]
set -u
cd "$(dirname "$0")/../.."
fixtures=grader/src/test/resources/fixtures
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("$fixtures"/bugs/lab-*/*/ "$fixtures"/races/lab-*/*/)
status=0
for target in "${targets[@]}"; do
  for bug in $(find "$target" \( -name bug.patch -o -name race.patch \) -printf '%h\n' | sort); do
    diff=$(ls "$bug"/*.patch)
    lab=$(basename "$(dirname "$bug")"); nn=${lab#lab-}; name=$(basename "$bug")
    sub=$(mktemp -d "${TMPDIR:-/tmp}/bug-$name.XXXXXX")
    for f in $(sed -n 's|^+++ b/\([^[:space:]]*\).*|\1|p' "$diff"); do
      # the whole lab's sources, as a student submits them: a file the submission lacks is graded
      # as the release gives it (not implemented), never as the reference's
      src="${f%%/*}/src/main/java"
      [ -d "$sub/$src" ] || { mkdir -p "$sub/$src" && cp -r "$src/." "$sub/$src/"; }
    done
    if ! patch -s -p1 -d "$sub" < "$diff"; then
      printf '%-8s %-34s %s\n' "$lab" "$name" "does NOT apply: re-plant it by hand"; status=1; rm -rf "$sub"; continue
    fi
    out=$(./storagelab grade "$sub" --lab "$nn" --isolated --no-perf --offline --only "$(head -1 "$bug/kills")" 2>&1)
    rc=$?
    if [ $rc -ne 0 ] || ! grep -qE '(^|[^0-9])100(\.0+)?%' <<<"$out"; then verdict=caught; else verdict="NOT caught"; status=1; fi
    printf '%-8s %-34s %s (exit %d)\n' "$lab" "$name" "$verdict" "$rc"
    rm -rf "$sub"
  done
done
exit $status
