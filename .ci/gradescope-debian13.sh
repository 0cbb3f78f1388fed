#!/usr/bin/env bash
# The Gradescope autograder on a Debian 13 (trixie) base that has no JDK and no Maven, as a platform
# would build it: setup.sh (as root, online) installs what Debian offers (its JDK 21) and builds the
# reference; then run_autograder grades the reference's own lab-01 sources offline, with every wall
# required, and must give full marks. Root only (debootstrap, chroot, mounts).
#
#   .ci/gradescope-debian13.sh [NN ...]     the labs to package (default: 01)
#
# STORAGELAB_DEBIAN13_BASE names the pristine base root (default /var/tmp/storagelab-debian13-base,
# made by debootstrap when missing and never changed); each run works in a copy of it beside it.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BASE="${STORAGELAB_DEBIAN13_BASE:-/var/tmp/storagelab-debian13-base}"
RUN="$BASE.run"
LABS=("$@")
[ ${#LABS[@]} -gt 0 ] || LABS=(01)

. "$REPO/.ci/debian13-root.sh"
debian13_need_root gradescope-debian13.sh
debian13_bootstrap "$BASE"
debian13_umount "$RUN"
rm -rf "$RUN"
cp -a "$BASE" "$RUN"
if chroot "$RUN" sh -c 'command -v java || command -v mvn' > /dev/null; then
  echo "gradescope-debian13.sh: the base root $BASE has a JDK or Maven already" >&2
  exit 2
fi

# The autograder, as Gradescope unpacks it.
zip="$RUN/tmp/autograder.zip"
args=()
for lab in "${LABS[@]}"; do args+=(--lab "$lab"); done
(cd "$REPO" && ./storagelab gradescope "${args[@]}" --out "$zip")
mkdir -p "$RUN/autograder/source" "$RUN/autograder/submission" "$RUN/autograder/results"
(cd "$RUN/autograder/source" && "${JAVA_HOME:+$JAVA_HOME/bin/}jar" xf "$zip")
cp "$RUN/autograder/source/run_autograder" "$RUN/autograder/run_autograder"
for lab in "${LABS[@]}"; do
  dir="$(cd "$REPO" && ls -d lab-"$lab"-*)"
  mkdir -p "$RUN/autograder/submission/$dir/src"
  cp -r "$REPO/$dir/src/main" "$RUN/autograder/submission/$dir/src/main"
done

# The certificate authorities this machine adds to the system's own (a network's proxy, say): the
# image is built on this machine's network, so it trusts what the machine trusts. setup.sh's JDK
# takes them into its store when it installs Debian's certificates.
if ls /usr/local/share/ca-certificates/*.crt > /dev/null 2>&1; then
  mkdir -p "$RUN/usr/local/share/ca-certificates"
  cp /usr/local/share/ca-certificates/*.crt "$RUN/usr/local/share/ca-certificates/"
fi
debian13_mount "$RUN"
trap 'debian13_umount "$RUN"' EXIT
in_root() { debian13_run "$RUN" "$@"; }
start=$(date +%s)
in_root bash /autograder/source/setup.sh
echo "gradescope-debian13.sh: setup.sh took $(( $(date +%s) - start )) s: $(in_root java -version 2>&1 | head -n1)"
start=$(date +%s)
in_root bash /autograder/run_autograder
echo "gradescope-debian13.sh: run_autograder took $(( $(date +%s) - start )) s"

results="$RUN/autograder/results/results.json"
cat "$results"
score="$(grep -m1 -oE '"score": [0-9.]+' "$results" | grep -oE '[0-9.]+$')"
if ! grep -q 'Grading walls: allow-list, in-JVM policy, per-run user.' "$results" \
    || grep -qE '"status": "failed"' "$results" || [ -z "$score" ] || [ "$score" = "0.0" ]; then
  echo "gradescope-debian13.sh: the reference did not get full marks behind every wall" >&2
  exit 1
fi
echo "gradescope-debian13.sh: the reference scored $score behind every wall on $(in_root java -version 2>&1 | head -n1)"
