#!/usr/bin/env bash
# The measurements of notes/06-wal-mvcc.md's storage-media, recovery-time and write-twice figures
# (§6.9): StorageMedia, RecoveryTime and WriteTwice, the plain mains in
# lab-06-wal-mvcc/src/jmh/java/dev/storagelab/kvstore/bench/. Raw results go to notes/data/lab06/
# (NAME.json, the program's printed table in NAME.txt, the machine's load in measure.log); then
#   ./storagelab figures
# draws the PNGs and prints the tables. About 6.5 minutes on 2 cores at a load of 4-7 (23 Nov 2026:
# media 0.5 min each run, recovery 2.5, write-twice 3.2, EVERY_WRITE most of it; 5 min for write-twice
# alone at a load of 65), plus the build. Run it on a quiet machine, from anywhere:
#   notes/figures/measure_lab06.sh [SCRATCH_DIR]
# SCRATCH_DIR (default /var/tmp) must be on the disk being measured, not tmpfs; about 600 MB are used
# at the peak and removed at the end. QUICK=1 runs every program at tiny sizes (a smoke of a few seconds,
# written to /tmp/lab06-quick unless OUT says where);
# PROGRAMS="WriteTwice StorageMedia:2" runs only those.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
# a quick smoke must not overwrite the measured data
OUT=${OUT:-$([ -n "${QUICK:-}" ] && echo /tmp/lab06-quick || echo notes/data/lab06)}
mkdir -p "$OUT"
SCRATCH=$(mktemp -d "${1:-/var/tmp}/lab06-measure-XXXXXX")
trap 'rm -rf "$SCRATCH"' EXIT
SIZE=${QUICK:+quick}
log() { echo "[$(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)] $*" | tee -a "$OUT/measure.log"; }
M=lab-06-wal-mvcc
log "build (mvn -q -pl $M -am -DskipTests process-test-classes)"
mvn -q -pl $M -am -DskipTests process-test-classes
CP=$M/target/test-classes:$M/target/classes:$(cat $M/target/test-classpath.txt)
log "start; $(nproc) cores, $(free -m | awk '/Mem:/ {print $2 " MiB RAM"}'), scratch on $(df -T "$SCRATCH" | awk 'NR==2 {print $1 " " $2}')"
# The media are measured twice, first and last: other work on the machine moves a force's latency by 10x.
for run in ${PROGRAMS:-StorageMedia:1 RecoveryTime WriteTwice StorageMedia:2}; do
  prog=${run%%:*}
  name=$(echo $prog | sed -E 's/([a-z])([A-Z])/\1-\2/g' | tr A-Z a-z)${run#$prog}
  name=${name/:/-}
  log "$prog -> $OUT/$name.json"
  java -Xmx2g -cp "$CP" dev.storagelab.kvstore.bench.$prog "$SCRATCH" "$OUT/$name.json" $SIZE | tee "$OUT/$name.txt"
  log "$prog done"
done
