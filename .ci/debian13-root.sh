# Sourced by .ci/jdk21.sh and .ci/gradescope-debian13.sh: a Debian 13 (trixie) root built with
# debootstrap from the mirror apt's sources name, and the mounts a chroot into it needs.

# Stops unless root (debootstrap, chroot and mounts need it); $1 names the script.
debian13_need_root() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "$1: needs root (debootstrap, chroot and bind mounts)" >&2
    exit 2
  fi
}

# The Debian mirror apt's sources name (deb.debian.org when none).
debian13_mirror() {
  local uri
  uri="$(grep -hsE '^(URIs:|deb )' /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list 2>/dev/null \
    | grep -v -- '-security' | head -n1 | sed -E 's/^URIs:[[:space:]]*//; s/^deb[[:space:]]+(\[[^]]*\][[:space:]]+)?//' | awk '{print $1}')"
  echo "${uri:-http://deb.debian.org/debian}"
}

# A minimal Debian 13 root at $1, made by debootstrap when it has no shell yet.
debian13_bootstrap() {
  if [ ! -x "$1/bin/bash" ]; then
    rm -rf "$1.partial"
    mkdir -p "$(dirname "$1")"
    debootstrap --variant=minbase trixie "$1.partial" "$(debian13_mirror)"
    mv "$1.partial" "$1"
  fi
  cp /etc/resolv.conf "$1/etc/resolv.conf" 2>/dev/null || true
}

debian13_mounted() { grep -qs " $1 " /proc/mounts; }

# /proc, /sys and /dev from this machine, and a /dev/shm, /run and /run/lock of the root's own.
debian13_mount() {
  # The root itself as a mount point, so that inside it / is in /proc/mounts: Java finds the file
  # store of a path there (without it, FileStore lookups fail with "Mount point not found").
  debian13_mounted "$1" || mount --bind "$1" "$1"
  # localhost by name: debootstrap writes no /etc/hosts, and Chromium's driver reaches the browser
  # it starts at localhost (without it: "unable to connect to renderer").
  [ -s "$1/etc/hosts" ] || printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' > "$1/etc/hosts"
  for fs in proc sys dev dev/pts; do
    mkdir -p "$1/$fs"
    debian13_mounted "$1/$fs" || mount --bind "/$fs" "$1/$fs"
  done
  mkdir -p "$1/dev/shm" "$1/run"
  debian13_mounted "$1/dev/shm" || mount -t tmpfs -o mode=1777 tmpfs "$1/dev/shm"
  debian13_mounted "$1/run" || mount -t tmpfs -o mode=755 tmpfs "$1/run"
  mkdir -p "$1/run/lock" && chmod 1777 "$1/run/lock"
  # The test users' ids are leased machine-wide (/run/storagelab/uids): a grader in the root takes
  # its ids from the same locks as every grader outside it, whose test users share the process table.
  mkdir -p /run/storagelab "$1/run/storagelab"
  debian13_mounted "$1/run/storagelab" || mount --bind /run/storagelab "$1/run/storagelab"
}

debian13_umount() {
  for fs in run/storagelab run dev/shm dev/pts dev sys proc; do
    if debian13_mounted "$1/$fs"; then umount -l "$1/$fs" || true; fi
  done
  if debian13_mounted "$1"; then umount -l "$1" || true; fi
}

# Runs a command in the root at $1 with a clean environment.
debian13_run() {
  local root="$1"
  shift
  chroot "$root" env -i HOME=/root PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin LANG=C.UTF-8 "$@"
}
