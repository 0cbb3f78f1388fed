#!/usr/bin/env bash
# The arena's figures in notes/07-hybrid.md §7.15: lab-07's hybrid against the lab-04 B+tree and the
# lab-05 LSM tree on equal terms (one memory budget each, every write logged with the same sync mode,
# data a multiple of the budget read past the page cache), each cell --rounds runs per engine in
# rotated order, the median reported with every round beside it. Writes
# notes/data/lab07/arena/CELL.json, CELL.txt (the table) and CELL.load (uptime before and after).
#
#   notes/figures/measure_arena.sh [SCRATCH_DIR]     # SCRATCH_DIR: where the engines' files go (default /var/tmp)
#
# Environment: CELLS (default "ecommerce ycsb-b ycsb-c uniform-in-memory ecommerce-settled"), ROUNDS (default 3),
# MEMORY (default 4m), OUT (default notes/data/lab07/arena), SWEEP=1 (also the crossover map, into
# OUT/sweep), JAR (default: the workbench jar, built first), ENGINES (default the arena's:
# btree,lsm,hybrid; PEERS=1 builds the jar with the Maven profile peers and adds rocksdb).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
SCRATCH=${1:-/var/tmp}
OUT=${OUT:-notes/data/lab07/arena}
ROUNDS=${ROUNDS:-3}
MEMORY=${MEMORY:-4m}
CELLS=${CELLS:-"ecommerce ycsb-b ycsb-c uniform-in-memory ecommerce-settled"}
ENGINES=${ENGINES:-btree,lsm,hybrid}
if [ -n "${PEERS:-}" ]; then
  ENGINES=$ENGINES,rocksdb
fi
if [ -z "${JAR:-}" ]; then
  mvn -q -pl workbench -am package -DskipTests ${PEERS:+-Ppeers}
  JAR=workbench/target/storagelab-workbench.jar
fi
mkdir -p "$OUT"
COMMON=(--engines "$ENGINES" --memory "$MEMORY" --interval 500 --intervals 10 --rounds "$ROUNDS" --dir "$SCRATCH")
for cell in $CELLS; do
  case $cell in
    uniform-in-memory) args=(--workload uniform --in-memory --data 0.5 --warmup-max 120) ;;
    ecommerce-settled) args=(--workload ecommerce --data 8 --warmup-max 240) ;;
    *) args=(--workload "$cell" --data 8 --warmup-max 60) ;;
  esac
  echo "== $cell: java -jar $JAR arena ${args[*]} ${COMMON[*]}"
  uptime > "$OUT/$cell.load"
  java -jar "$JAR" arena "${args[@]}" "${COMMON[@]}" --json > "$OUT/$cell.json"
  uptime >> "$OUT/$cell.load"
done
if [ -n "${SWEEP:-}" ]; then
  uptime > "$OUT/sweep.load"
  java -jar "$JAR" arena --sweep "$OUT/sweep" --memory 2m --data 8 --interval 500 --warmup-max 20 --intervals 4 --rounds "$ROUNDS" \
      --dir "$SCRATCH"
  uptime >> "$OUT/sweep.load"
fi
