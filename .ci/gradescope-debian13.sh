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

if [ "$(id -u)" -ne 0 ]; then
  echo "gradescope-debian13.sh: needs root (debootstrap, chroot and bind mounts)" >&2
  exit 2
fi
mirror() {
  local uri
  uri="$(grep -hsE '^(URIs:|deb )' /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list 2>/dev/null \
    | grep -v -- '-security' | head -n1 | sed -E 's/^URIs:[[:space:]]*//; s/^deb[[:space:]]+(\[[^]]*\][[:space:]]+)?//' | awk '{print $1}')"
  echo "${uri:-http://deb.debian.org/debian}"
}
mounted() { grep -qs " $1 " /proc/mounts; }
umount_all() {
  for fs in run dev/shm dev/pts dev sys proc; do
    if mounted "$RUN/$fs"; then umount -l "$RUN/$fs" || true; fi
  done
}

if [ ! -x "$BASE/bin/bash" ]; then
  rm -rf "$BASE.partial"
  debootstrap --variant=minbase trixie "$BASE.partial" "$(mirror)"
  mv "$BASE.partial" "$BASE"
fi
umount_all
rm -rf "$RUN"
cp -a "$BASE" "$RUN"
cp /etc/resolv.conf "$RUN/etc/resolv.conf" 2>/dev/null || true
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

for fs in proc sys dev dev/pts; do
  mkdir -p "$RUN/$fs"
  mount --bind "/$fs" "$RUN/$fs"
done
mount -t tmpfs -o mode=1777 tmpfs "$RUN/dev/shm"
mount -t tmpfs -o mode=755 tmpfs "$RUN/run"
mkdir -p "$RUN/run/lock" && chmod 1777 "$RUN/run/lock"
trap umount_all EXIT

in_root() { chroot "$RUN" env -i HOME=/root PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin LANG=C.UTF-8 "$@"; }
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
