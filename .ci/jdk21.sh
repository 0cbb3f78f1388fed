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
ROOT="${STORAGELAB_DEBIAN13:-/var/tmp/storagelab-debian13}"
JDK=/usr/lib/jvm/java-21-openjdk-amd64

if [ "$(id -u)" -ne 0 ]; then
  echo "jdk21.sh: needs root (debootstrap, chroot and bind mounts)" >&2
  exit 2
fi

mirror() {
  local uri
  uri="$(grep -hsE '^(URIs:|deb )' /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list 2>/dev/null \
    | grep -v -- '-security' | head -n1 | sed -E 's/^URIs:[[:space:]]*//; s/^deb[[:space:]]+(\[[^]]*\][[:space:]]+)?//' | awk '{print $1}')"
  echo "${uri:-http://deb.debian.org/debian}"
}

mounted() { grep -qs " $1 " /proc/mounts; }

mount_all() {
  for fs in proc sys dev dev/pts; do
    mkdir -p "$ROOT/$fs"
    mounted "$ROOT/$fs" || mount --bind "/$fs" "$ROOT/$fs"
  done
  mkdir -p "$ROOT/dev/shm" "$ROOT/run/lock"
  mounted "$ROOT/dev/shm" || mount -t tmpfs -o mode=1777 tmpfs "$ROOT/dev/shm"
  mounted "$ROOT/run" || mount -t tmpfs -o mode=755 tmpfs "$ROOT/run"
  mkdir -p "$ROOT/run/lock" && chmod 1777 "$ROOT/run/lock"
}

umount_all() {
  for fs in run dev/shm dev/pts dev sys proc; do
    if mounted "$ROOT/$fs"; then umount -l "$ROOT/$fs" || true; fi
  done
}

build_root() {
  if [ -x "$ROOT$JDK/bin/java" ] && [ -x "$ROOT/usr/bin/mvn" ]; then
    return
  fi
  command -v debootstrap > /dev/null || { echo "jdk21.sh: debootstrap is not installed (apt-get install debootstrap)" >&2; exit 2; }
  if [ ! -x "$ROOT/bin/bash" ]; then
    rm -rf "$ROOT"
    mkdir -p "$(dirname "$ROOT")"
    debootstrap --variant=minbase trixie "$ROOT.partial" "$(mirror)"
    mv "$ROOT.partial" "$ROOT"
  fi
  cp /etc/resolv.conf "$ROOT/etc/resolv.conf" 2>/dev/null || true
  mount_all
  trap umount_all EXIT
  chroot "$ROOT" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  chroot "$ROOT" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    openjdk-21-jdk-headless maven ca-certificates util-linux procps git
  chroot "$ROOT" apt-get clean
  umount_all
  trap - EXIT
}

build_root
if [ "${1:-}" = "--root-only" ]; then
  mount_all
  trap umount_all EXIT
  echo "Debian $(cat "$ROOT/etc/debian_version") root with $(chroot "$ROOT" "$JDK/bin/java" -version 2>&1 | head -n1) in $ROOT"
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
mount_all
trap umount_all EXIT
echo "jdk21.sh: mvn ${MVN_ARGS[*]} on $(chroot "$ROOT" "$JDK/bin/java" -version 2>&1 | head -n1), Debian $(cat "$ROOT/etc/debian_version")"
start=$(date +%s)
set +e
chroot "$ROOT" env -i HOME=/root PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin LANG=C.UTF-8 \
  JAVA_HOME="$JDK" TMPDIR=/tmp bash -c 'cd /src && mvn "$@"' mvn "${MVN_ARGS[@]}"
status=$?
set -e
echo "jdk21.sh: mvn exited with status $status after $(( $(date +%s) - start )) s"
exit "$status"
