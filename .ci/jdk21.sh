#!/usr/bin/env bash
# The workspace's tests on JDK 21 as Debian 13 (trixie) ships it: `mvn verify` in a Debian 13 root
# built with debootstrap from Debian's own packages (openjdk-21-jdk-headless, maven), since they
# need a newer libc than this machine's. Root only (debootstrap, chroot, mounts).
#
#   .ci/jdk21.sh                 builds the root if it is missing, then runs mvn verify in it
#   .ci/jdk21.sh --root-only     builds the root and stops
#   .ci/jdk21.sh -- ARGS...      mvn ARGS... instead of `mvn -B verify` (e.g. -- -B -pl grader -am verify)
#
# STORAGELAB_DEBIAN13 names the root (default /var/tmp/storagelab-debian13); the mirror is the one
# apt's sources name (deb.debian.org when none). The workspace is copied in from the committed tree
# (HEAD, as a clean clone would be); the root keeps its own Maven repository between runs.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$REPO/.ci/debian13-root.sh"
ROOT="${STORAGELAB_DEBIAN13:-/var/tmp/storagelab-debian13}"
JDK=/usr/lib/jvm/java-21-openjdk-amd64
FONT_PACKAGES="libharfbuzz0b libfreetype6 fontconfig fonts-dejavu-core patch chromium chromium-driver"
debian13_need_root jdk21.sh

if [ ! -x "$ROOT$JDK/bin/java" ] || [ ! -x "$ROOT/usr/bin/mvn" ]; then
  command -v debootstrap > /dev/null || { echo "jdk21.sh: debootstrap is not installed (apt-get install debootstrap)" >&2; exit 2; }
  debian13_bootstrap "$ROOT"
  debian13_mount "$ROOT"
  trap 'debian13_umount "$ROOT"' EXIT
  debian13_run "$ROOT" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  debian13_run "$ROOT" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    openjdk-21-jdk-headless maven ca-certificates util-linux procps git $FONT_PACKAGES
  debian13_run "$ROOT" apt-get clean
  debian13_umount "$ROOT"
  trap - EXIT
fi
debian13_mount "$ROOT"
trap 'debian13_umount "$ROOT"' EXIT
# The headless JDK draws the workbench's plots with its font manager, which needs HarfBuzz, FreeType
# and a font that the minimal root lacks; the grader's costly-fixture proof applies its patches with
# patch(1); the viewer's and the book's browser tests drive Debian's Chromium and its driver (a root
# built before this line gets them here).
if ! debian13_run "$ROOT" dpkg -s $FONT_PACKAGES > /dev/null 2>&1; then
  debian13_run "$ROOT" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  debian13_run "$ROOT" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $FONT_PACKAGES
fi
version="$(debian13_run "$ROOT" "$JDK/bin/java" -version 2>&1 | head -n1), Debian $(cat "$ROOT/etc/debian_version")"
if [ "${1:-}" = "--root-only" ]; then
  echo "jdk21.sh: the root in $ROOT has $version"
  exit 0
fi
if [ "${1:-}" = "--" ]; then
  shift
  MVN_ARGS=("$@")
else
  MVN_ARGS=(-B verify)
fi

# The root's Maven repository starts as a copy of this machine's, when it has one (no download of
# what is here already); Maven takes the rest from Maven Central.
if [ ! -d "$ROOT/root/.m2/repository" ] && [ -d "${HOME:-/root}/.m2/repository" ]; then
  mkdir -p "$ROOT/root/.m2"
  cp -r "${HOME:-/root}/.m2/repository" "$ROOT/root/.m2/repository"
fi
# A clean copy of the committed workspace, as CI's clone would be.
rm -rf "$ROOT/src"
mkdir -p "$ROOT/src"
git -C "$REPO" archive --format=tar HEAD | tar -x -C "$ROOT/src"
echo "jdk21.sh: mvn ${MVN_ARGS[*]} on $version"
start=$(date +%s)
set +e
# CI=true: a browser test that finds no browser fails rather than being skipped, as in .ci/run.
debian13_run "$ROOT" JAVA_HOME="$JDK" TMPDIR=/tmp CI=true bash -c 'cd /src && mvn "$@"' mvn "${MVN_ARGS[@]}"
status=$?
set -e
echo "jdk21.sh: mvn exited with status $status after $(( $(date +%s) - start )) s"
exit "$status"
