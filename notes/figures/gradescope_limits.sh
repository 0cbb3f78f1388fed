#!/usr/bin/env bash
# Gradescope within its limits: the autograder zip's setup.sh once, then each lab's run_autograder in a
# copy of Gradescope's layout (AUTOGRADER_ROOT), inside a cgroup of 768 MiB and 1 CPU that holds the
# whole run (the grader, Maven and every test and benchmark JVM together), on the reference and on the
# student release with nothing implemented. Prints per run: wall time, the CPU time the run used (what
# a dedicated CPU would have taken, I/O waits aside: on a loaded machine the wall time is far longer),
# peak memory, the score out of the maximum (performance points included), the kernel's out-of-memory
# kills, the load average.
#
#   notes/figures/gradescope_limits.sh [OUT_DIR] [NN ...]       (default: /tmp/gradescope-limits, every lab)
#
# STORAGELAB_LIMIT_MB (768) and STORAGELAB_LIMIT_CPUS (1) change the limits. Runs as root where the
# machine has writable cgroups (v2: memory.max, cpu.max, memory.peak; v1: memory.limit_in_bytes,
# cpu.cfs_quota_us, memory.max_usage_in_bytes, cpuacct.usage). Peak memory is given three ways: the
# cgroup's own peak, which counts the page cache of the files the run wrote (the kernel reclaims it
# before it kills anything, so it can reach the limit harmlessly); the peak working set (usage less
# inactive file pages, as docker stats reports it); and the peak anonymous memory (v1 total_rss, v2
# anon: the JVMs' heaps and stacks, which nothing reclaims without swap), both sampled every half
# second. Without writable cgroups nothing is enforced: the run is pinned to one CPU with taskset and
# its processes' summed RSS is sampled instead, and the table says so.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="${1:-/tmp/gradescope-limits}"
shift || true
LABS=("$@")
if [ ${#LABS[@]} -eq 0 ]; then
  LABS=(01 02 03 04 05 06 07)
fi
MEM_MB="${STORAGELAB_LIMIT_MB:-768}"
CPUS="${STORAGELAB_LIMIT_CPUS:-1}"
AG="$OUT/autograder"
mkdir -p "$OUT/zips" "$OUT/results" "$OUT/logs"
OUT="$(cd "$OUT" && pwd)"
AG="$OUT/autograder"

"$ROOT/storagelab" gradescope --out "$OUT/autograder.zip" > /dev/null
for lab in "${LABS[@]}"; do
  "$ROOT/storagelab" gradescope --lab "$lab" --out "$OUT/zips/lab-$lab.zip" > /dev/null
done

# setup.sh once (Gradescope runs it when it builds the image, outside the per-submission limits);
# again only when the zip changed.
sum="$(sha256sum "$OUT/autograder.zip" | cut -d' ' -f1)"
if [ "$(cat "$OUT/setup.sha256" 2>/dev/null)" != "$sum" ]; then
  rm -rf "$AG"
  mkdir -p "$AG/source"
  (cd "$AG/source" && unzip -q "$OUT/autograder.zip")
  cp "$AG/source/run_autograder" "$AG/run_autograder"
  echo "setup.sh (once, unlimited) ..." >&2
  s0=$(date +%s)
  AUTOGRADER_ROOT="$AG" STORAGELAB_MAVEN_ARGS=-o bash "$AG/source/setup.sh" > "$OUT/logs/setup.log" 2>&1 \
    || { echo "setup.sh failed: $OUT/logs/setup.log" >&2; exit 2; }
  echo "setup.sh took $(( $(date +%s) - s0 )) s" >&2
  echo "$sum" > "$OUT/setup.sha256"
fi

# The two submissions: the reference's sources, and the release with nothing implemented.
if [ ! -d "$OUT/subs/reference" ]; then
  mkdir -p "$OUT/subs/reference"
  for d in "$ROOT"/lab-*/; do
    name="$(basename "$d")"
    mkdir -p "$OUT/subs/reference/$name/src/main"
    cp -r "$d/src/main/java" "$OUT/subs/reference/$name/src/main/java"
  done
fi
if [ ! -d "$OUT/subs/release" ]; then
  "$ROOT/storagelab" export --out "$OUT/subs/release" > /dev/null
fi

# The cgroup the run goes into: v2, else v1's memory and cpu controllers, else none.
MODE=none
own_v1() { sed -n "s/^[0-9]*:\([^:]*,\)\?$1\(,[^:]*\)\?:\(.*\)$/\3/p" /proc/self/cgroup | head -1; }
if [ -f /sys/fs/cgroup/cgroup.controllers ] && [ -w /sys/fs/cgroup ]; then
  MODE=v2
elif [ -w /sys/fs/cgroup/memory ] && [ -w /sys/fs/cgroup/cpu ] && [ -w /sys/fs/cgroup/cpuacct ]; then
  MODE=v1
fi

make_cgroup() { # prints the directories to put the run into
  local name="storagelab-limits-$$-$1"
  case "$MODE" in
    v2)
      echo "+memory +cpu" > /sys/fs/cgroup/cgroup.subtree_control 2>/dev/null || true
      local d="/sys/fs/cgroup/$name"
      mkdir "$d"
      echo $((MEM_MB << 20)) > "$d/memory.max"
      echo 0 > "$d/memory.swap.max" 2>/dev/null || true
      echo "$((CPUS * 100000)) 100000" > "$d/cpu.max"
      echo "$d"
      ;;
    v1)
      # Beneath this shell's own cgroups, so that whatever accounts for this shell still counts the run.
      local m="/sys/fs/cgroup/memory$(own_v1 memory)/$name" c="/sys/fs/cgroup/cpu$(own_v1 cpu)/$name"
      local a="/sys/fs/cgroup/cpuacct$(own_v1 cpuacct)/$name"
      [ "$a" = "$c" ] && a=""   # cpu and cpuacct mounted together: one directory
      mkdir -p "$m" "$c" $a
      echo $((MEM_MB << 20)) > "$m/memory.limit_in_bytes"
      echo $((MEM_MB << 20)) > "$m/memory.memsw.limit_in_bytes" 2>/dev/null || true
      echo 100000 > "$c/cpu.cfs_period_us"
      echo $((CPUS * 100000)) > "$c/cpu.cfs_quota_us"
      echo "$m $c $a"
      ;;
  esac
}

working_set() { # bytes in use less inactive file pages, as docker stats reports it
  local d="$1"
  case "$MODE" in
    v2) echo $(( $(cat "$d/memory.current") - $(awk '$1=="inactive_file"{print $2}' "$d/memory.stat") )) ;;
    v1) echo $(( $(cat "$d/memory.usage_in_bytes") - $(awk '$1=="total_inactive_file"{print $2}' "$d/memory.stat") )) ;;
  esac
}

anon() { # bytes of anonymous memory: what the kernel cannot reclaim without swap
  case "$MODE" in
    v2) awk '$1=="anon"{print $2}' "$1/memory.stat" ;;
    v1) awk '$1=="total_rss"{print $2}' "$1/memory.stat" ;;
  esac
}

cpu_seconds() { # the CPU time the run's cgroup has used
  case "$MODE" in
    v2) awk '$1=="usage_usec"{printf "%.0f", $2 / 1e6}' "$1/cpu.stat" ;;
    v1) for d in $2; do [ -f "$d/cpuacct.usage" ] && { awk '{printf "%.0f", $1 / 1e9}' "$d/cpuacct.usage"; return; }; done; echo 0 ;;
    none) echo "-" ;;
  esac
}

tree_rss() { # without cgroups: the summed RSS of a process and its descendants, in bytes
  local pids
  pids="$(pstree -p "$1" 2>/dev/null | grep -o '([0-9]*)' | tr -d '()' | paste -sd,)"
  [ -n "$pids" ] && ps -o rss= -p "$pids" 2>/dev/null | awk '{s+=$1} END {print s*1024}' || echo 0
}

printf '%-7s %-10s %8s %8s %9s %12s %9s %14s %4s  %s\n' lab submission seconds cpu_s peak_MiB working_MiB anon_MiB score oom load_1/5/15
for lab in "${LABS[@]}"; do
  for kind in reference release; do
    rm -rf "$AG/submission" "$AG/results" "$AG/grade-output"
    cp -r "$OUT/subs/$kind" "$AG/submission"
    unzip -p "$OUT/zips/lab-$lab.zip" run_autograder > "$AG/run_autograder"
    load="$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' /)"
    log="$OUT/logs/lab-$lab-$kind.log"
    dirs="$(make_cgroup "$lab-$kind")"
    mem="${dirs%% *}"
    start=$(date +%s.%N)
    if [ "$MODE" = none ]; then
      AUTOGRADER_ROOT="$AG" taskset -c 0 bash "$AG/run_autograder" > "$log" 2>&1 &
    else
      # shellcheck disable=SC2016
      AUTOGRADER_ROOT="$AG" CG="$dirs" bash -c 'for d in $CG; do echo $$ > "$d/cgroup.procs"; done; exec bash "$AUTOGRADER_ROOT/run_autograder"' \
        > "$log" 2>&1 &
    fi
    pid=$!
    ws=0
    an=0
    while kill -0 "$pid" 2>/dev/null; do
      if [ "$MODE" = none ]; then now="$(tree_rss "$pid")"; a="$now"; else now="$(working_set "$mem")"; a="$(anon "$mem")"; fi
      [ "${now:-0}" -gt "$ws" ] && ws="$now"
      [ "${a:-0}" -gt "$an" ] && an="$a"
      sleep 0.5
    done
    wait "$pid" || true
    secs="$(echo "$(date +%s.%N) - $start" | bc)"
    cpu="$(cpu_seconds "$mem" "$dirs")"
    case "$MODE" in
      v2) peak="$(cat "$mem/memory.peak" 2>/dev/null || echo 0)"; oom="$(awk '$1=="oom_kill"{print $2}' "$mem/memory.events")" ;;
      v1) peak="$(cat "$mem/memory.max_usage_in_bytes")"; oom="$(awk '$1=="oom_kill"{print $2}' "$mem/memory.oom_control")" ;;
      none) peak="$ws"; oom="-" ;;
    esac
    cp "$AG/results/results.json" "$OUT/results/lab-$lab-$kind.json" 2>/dev/null || true
    score="$("$ROOT/storagelab" figures gradescope-score "$OUT/results/lab-$lab-$kind.json" 2>/dev/null || echo none)"
    printf '%-7s %-10s %8.0f %8s %9d %12d %9d %14s %4s  %s\n' "lab-$lab" "$kind" "$secs" "$cpu" $((peak >> 20)) $((ws >> 20)) \
      $((an >> 20)) "$score" "$oom" "$load"
    for d in $dirs; do rmdir "$d" 2>/dev/null || true; done
  done
done
echo "limits: ${MEM_MB} MiB and ${CPUS} CPU via cgroup $MODE; results in $OUT/results, logs in $OUT/logs" >&2
