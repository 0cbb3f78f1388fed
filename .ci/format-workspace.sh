#!/usr/bin/env bash
# Formats the workspace's Java sources with the parent pom's formatter (Spotless with
# palantir-java-format, the check `mvn verify` runs) and plants every fixture patch of the grader
# (grader/src/test/resources/fixtures/**/*.patch: the planted bugs and races) again in the
# formatted files, so that each plants the same change as before.
#
# Run it at the top of a clean git tree (no uncommitted or untracked files); it changes files and
# commits nothing, so the formatting can be committed on its own, and thrown away and made again
# on a later tree. Running it on a formatted tree changes nothing.
#
# How a patch is planted again: the files it touches are taken as they were before formatting (the
# HEAD the script started at), the patch is applied to them, the patched files are formatted with
# the same formatter and settings (one Spotless run, in a copy of the build's poms and .mvn), and
# the new patch is the diff from the formatted workspace file to the formatted patched file. Each
# new patch must apply (`git apply --check`), change something, and give exactly that file.
#
# Usage: .ci/format-workspace.sh [-o]      -o: Maven offline ($STORAGELAB_MVN: the Maven command)
# Instructor-side: the student release leaves .ci/ out.
set -euo pipefail

usage() { echo "usage: $0 [-o]" >&2; exit 2; }
MVN=("${STORAGELAB_MVN:-mvn}" -B -q -Dstyle.color=never)
case $# in
  0) ;;
  1) [ "$1" = -o ] || usage; MVN+=(-o) ;;
  *) usage ;;
esac

ROOT=$(git -C "$(dirname "${BASH_SOURCE[0]}")" rev-parse --show-toplevel)
cd "$ROOT"
FIXTURES=grader/src/test/resources/fixtures
say() { echo "format-workspace: $*" >&2; }
die() { say "$*"; exit 1; }

# (a) A clean tree, and the commit it is: the files before formatting come from there.
[ -z "$(git status --porcelain --untracked-files=all)" ] \
  || die "the tree has uncommitted or untracked files: commit or stash them first"
HEAD=$(git rev-parse --verify HEAD)
say "formatting the tree of $HEAD"

mapfile -t PATCHES < <(find "$FIXTURES" -name '*.patch' -type f | LC_ALL=C sort)
[ ${#PATCHES[@]} -gt 0 ] || die "no fixture patches under $FIXTURES"

# The files a patch touches (one diff per file, paths from the workspace root, a/ and b/).
touched() { sed -n 's|^+++ b/\([^[:space:]]*\).*|\1|p' "$1"; }

# Every patch must plant its change in the unformatted tree, or there is nothing to plant again.
for p in "${PATCHES[@]}"; do
  git apply --check "$p" 2>/dev/null || die "$p does not apply to $HEAD: plant it again by hand first"
  [ -n "$(touched "$p")" ] || die "$p touches no file"
  if grep -q '^--- /dev/null\|^+++ /dev/null' "$p"; then die "$p creates or deletes a file: not handled"; fi
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/format-workspace.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
# git apply in a scratch folder must not find a repository above it.
export GIT_CEILING_DIRECTORIES="$(dirname "$WORK")"

# (c) The patched files before formatting, placed in a copy of the build's poms (and .mvn, whose
# jvm.config the formatter needs) under the source root they came from, one folder per patch, so
# that one Spotless run formats them all with the workspace's own settings. A file outside a
# formatted source root is not formatted (as spotless:apply leaves it in the workspace). Made
# before anything is formatted: a failure here leaves the tree as it was.
SKELETON="$WORK/skeleton"
mkdir -p "$SKELETON"
mapfile -t BUILD < <(git ls-tree -r --name-only "$HEAD" | grep -E '(^|/)pom\.xml$|^\.mvn/' | grep -v "^$FIXTURES/")
git archive --format=tar "$HEAD" -- "${BUILD[@]}" | tar -x -C "$SKELETON"
ROOTS='src/main/java|src/test/java|src/hidden/java|src/jmh/java'
declare -A PLACED   # "patch index|file" -> the formatted patched file
for i in "${!PATCHES[@]}"; do
  p=${PATCHES[$i]}
  pre="$WORK/pre/$i"
  mkdir -p "$pre"
  for f in $(touched "$p"); do
    mkdir -p "$pre/$(dirname "$f")"
    git show "$HEAD:$f" > "$pre/$f"
  done
  (cd "$pre" && git apply "$ROOT/$p") || die "$p does not apply to its files at $HEAD"
  for f in $(touched "$p"); do
    if [[ $f =~ ^(.*/)?($ROOTS)/(.*\.java)$ ]]; then
      dest="$SKELETON/${BASH_REMATCH[1]}${BASH_REMATCH[2]}/fixture-$i/${BASH_REMATCH[3]}"
    else
      dest="$WORK/unformatted/$i/$f"
    fi
    mkdir -p "$(dirname "$dest")"
    cp "$pre/$f" "$dest"
    PLACED["$i|$f"]=$dest
  done
done

# (b) Format the workspace, then the patched files.
say "mvn spotless:apply over the workspace"
"${MVN[@]}" spotless:apply
say "formatting the ${#PATCHES[@]} patches' files"
(cd "$SKELETON" && "${MVN[@]}" spotless:apply)

# Each new patch: from the formatted workspace file to the formatted patched file.
changed=0
for i in "${!PATCHES[@]}"; do
  p=${PATCHES[$i]}
  new="$WORK/new.patch"
  : > "$new"
  for f in $(touched "$p"); do
    rc=0
    diff -u --label "a/$f" --label "b/$f" "$f" "${PLACED["$i|$f"]}" >> "$new" || rc=$?
    [ $rc -le 1 ] || die "diff failed for $f of $p"
  done
  if ! cmp -s "$new" "$p"; then
    cp "$new" "$p"
    changed=$((changed + 1))
  fi
done

# (d) Each new patch changes something, applies to the formatted tree, and gives exactly the
# formatted patched files.
for i in "${!PATCHES[@]}"; do
  p=${PATCHES[$i]}
  grep -q '^@@ ' "$p" || die "$p is empty after formatting: its change was only layout"
  git apply --check "$p" || die "$p does not apply to the formatted tree"
  out="$WORK/check/$i"
  mkdir -p "$out"
  for f in $(touched "$p"); do
    mkdir -p "$out/$(dirname "$f")"
    cp "$f" "$out/$f"
  done
  (cd "$out" && git apply "$ROOT/$p") || die "$p does not apply to a copy of its files"
  for f in $(touched "$p"); do
    cmp -s "$out/$f" "${PLACED["$i|$f"]}" || die "$p does not give the formatted patched $f"
  done
done

files=$(git diff --name-only -- . ":(exclude)$FIXTURES" | wc -l)
say "done: $files source files formatted, $changed of ${#PATCHES[@]} fixture patches planted again"
say "git diff --stat shows the change; commit it on its own"
