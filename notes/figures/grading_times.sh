#!/usr/bin/env bash
# How long grading takes at class scale: one submission of every lab with --no-perf, and
# grade-all over 20 generated submissions (the reference's sources, the student release, and 18
# copies of the reference with one plausible bug planted in a solution region of one lab each).
#
#   notes/figures/grading_times.sh [OUT_DIR] [GRADER_JAR]
#
# GRADER_JAR (default: this workspace's, built by ./storagelab) lets the same submissions be graded
# by an older grader for a before/after comparison; it grades the workspace it is given with
# --workspace, so pass the older workspace's jar together with STORAGELAB_WORKSPACE=that workspace.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="${1:-/tmp/grading-times}"
WS="${STORAGELAB_WORKSPACE:-$ROOT}"
"$ROOT/storagelab" --help > /dev/null                   # builds the grader when stale
JAR="${2:-$ROOT/grader/target/storagelab-grader.jar}"
grader() { java -jar "$JAR" --workspace "$WS" "$@"; }

SUBS="$OUT/submissions"
if [ ! -d "$SUBS" ]; then
  mkdir -p "$SUBS"
  grader export --out "$SUBS/01-release" > /dev/null
  # the reference's sources, then 18 copies of them with one mutation planted in the first solution
  # region of a file of one lab each: the labs in turn, each lab's region files in turn
  labs=()
  for d in "$ROOT"/lab-[0-9][0-9]-*/; do labs+=("$(basename "$d")"); done
  copy_sources() {
    for lab in "${labs[@]}"; do
      mkdir -p "$1/$lab/src/main"
      cp -r "$ROOT/$lab/src/main/java" "$1/$lab/src/main/java"
    done
  }
  copy_sources "$SUBS/00-reference"
  for i in $(seq 0 17); do
    lab=${labs[$((i % ${#labs[@]}))]}
    mapfile -t files < <(grep -rlF --include='*.java' '// BEGIN SOLUTION' "$ROOT/$lab/src/main/java" | LC_ALL=C sort)
    target=${files[$(((i / ${#labs[@]}) % ${#files[@]}))]}
    dest="$SUBS/$(printf '%02d' $((i + 2)))-mutant-${lab:0:6}"
    copy_sources "$dest"
    path="$dest/${target#"$ROOT"/}"
    # the first of the mutations, taken in turn from the i-th, that the region has: its first occurrence
    awk -v k=$((i % 6)) -v out="$path.mutated" -v name="$(basename "$dest"): ${target#"$ROOT"/}" '
      BEGIN { n = split(" < | > | + 1| == |true| - 1", from, "|"); split(" <= | >= | + 2| != |false| - 2", to, "|") }
      { line[NR] = $0 }
      !inside && !done && index($0, "// BEGIN SOLUTION") { inside = 1; first = NR + 1; next }
      inside && index($0, "// END SOLUTION") { inside = 0; done = 1; last = NR - 1 }
      END {
        for (j = 0; j < n && !found; j++) {
          m = (k + j) % n + 1
          for (l = first; l <= last; l++) if (index(line[l], from[m])) { found = m; at = l; break }
        }
        if (found) {
          p = index(line[at], from[found])
          line[at] = substr(line[at], 1, p - 1) to[found] substr(line[at], p + length(from[found]))
          printf "%s \047%s\047 -> \047%s\047\n", name, from[found], to[found]
        }
        for (l = 1; l <= NR; l++) print line[l] > out
      }' "$path"
    mv "$path.mutated" "$path"
  done
fi

echo "== one submission of every lab (the release), --no-perf"
/usr/bin/time -f "%e s" java -jar "$JAR" --workspace "$WS" grade "$SUBS/01-release" --no-perf --out "$OUT/one" 2>&1 | tail -8
echo "== grade-all over $(ls "$SUBS" | wc -l) submissions, --no-perf --jobs 2"
/usr/bin/time -f "%e s" java -jar "$JAR" --workspace "$WS" grade-all "$SUBS" --no-perf --jobs 2 --out "$OUT/all" 2>&1 | tail -24
