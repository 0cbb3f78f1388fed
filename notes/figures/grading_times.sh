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
  python3 - "$ROOT" "$SUBS" <<'PY'
import os, re, shutil, sys
root, subs = sys.argv[1], sys.argv[2]
labs = sorted(d for d in os.listdir(root) if re.match(r'lab-\d\d-', d))
def copy_sources(dest):
    for lab in labs:
        shutil.copytree(os.path.join(root, lab, 'src/main/java'), os.path.join(dest, lab, 'src/main/java'))
copy_sources(os.path.join(subs, '00-reference'))
MUTATIONS = [(' < ', ' <= '), (' > ', ' >= '), (' + 1', ' + 2'), (' == ', ' != '), ('true', 'false'), (' - 1', ' - 2')]
def region_files(lab):
    out = []
    for d, _, files in os.walk(os.path.join(root, lab, 'src/main/java')):
        for f in sorted(files):
            p = os.path.join(d, f)
            if f.endswith('.java') and '// BEGIN SOLUTION' in open(p).read():
                out.append(p)
    return sorted(out)
for i in range(18):
    lab = labs[i % len(labs)]
    files = region_files(lab)
    target = files[(i // len(labs)) % len(files)]
    dest = os.path.join(subs, '%02d-mutant-%s' % (i + 2, lab[:6]))
    copy_sources(dest)
    path = os.path.join(dest, os.path.relpath(target, root))
    text = open(path).read()
    start = text.index('// BEGIN SOLUTION'); end = text.index('// END SOLUTION', start)
    region = text[start:end]
    for old, new in MUTATIONS[i % len(MUTATIONS):] + MUTATIONS[:i % len(MUTATIONS)]:
        if old in region:
            text = text[:start] + region.replace(old, new, 1) + text[end:]
            print('%s: %s %r -> %r' % (os.path.basename(dest), os.path.relpath(target, root), old, new))
            break
    open(path, 'w').write(text)
PY
fi

echo "== one submission of every lab (the release), --no-perf"
/usr/bin/time -f "%e s" java -jar "$JAR" --workspace "$WS" grade "$SUBS/01-release" --no-perf --out "$OUT/one" 2>&1 | tail -8
echo "== grade-all over $(ls "$SUBS" | wc -l) submissions, --no-perf --jobs 2"
/usr/bin/time -f "%e s" java -jar "$JAR" --workspace "$WS" grade-all "$SUBS" --no-perf --jobs 2 --out "$OUT/all" 2>&1 | tail -24
