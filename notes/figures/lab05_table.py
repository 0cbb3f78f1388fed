#!/usr/bin/env python3
"""The lab-05 comparison table of notes/05-lsm.md: for each workload and engine, the median of the
runs in DIR (ENGINE-WORKLOAD-N.json, from RUN=N notes/figures/run_benchmarks.sh), the lsm's ratio
to each RocksDB, and the block reads per get.

Usage: python3 notes/figures/lab05_table.py notes/data/lab05 [lsm rocksdb-lsmopts rocksdb]
"""
import glob
import json
import os
import statistics
import sys


def main():
    d = sys.argv[1]
    engines = sys.argv[2:] or ["lsm", "rocksdb-lsmopts", "rocksdb"]
    workloads = ["fillrandom", "overwrite", "readrandom", "readmissing", "seekrandom", "readwhilewriting"]
    runs = {}
    for path in glob.glob(os.path.join(d, "*.json")):
        name = os.path.basename(path)[:-5]
        for e in sorted(engines, key=len, reverse=True):
            for w in workloads:
                if name.startswith(e + "-" + w + "-") or name == e + "-" + w:
                    runs.setdefault((e, w), []).append(json.load(open(path)))
                    break
            else:
                continue
            break
    header = "| workload | " + " | ".join(f"{e} ops/s (runs)" for e in engines) + " | " + \
        " | ".join(f"lsm / {e}" for e in engines[1:]) + " | lsm block reads per get |"
    print(header)
    print("|---" * (1 + len(engines) + len(engines) - 1 + 1) + "|")
    for w in workloads:
        med = {}
        cells = []
        for e in engines:
            rs = runs.get((e, w), [])
            if not rs:
                cells.append("–")
                continue
            ops = [r["opsPerSecond"] for r in rs]
            med[e] = statistics.median(ops)
            cells.append(f"{med[e]:,.0f} ({', '.join(f'{o / 1000:,.0f}k' for o in sorted(ops))})")
        ratios = []
        for e in engines[1:]:
            ratios.append(f"{med['lsm'] / med[e]:.2f}" if "lsm" in med and e in med else "–")
        reads = "–"
        rs = runs.get(("lsm", w), [])
        if rs and not w.startswith("fill"):
            vals = []
            for r in rs:
                c = r.get("counters", {})
                gets = r["operations"].get("gets", 0) if isinstance(r.get("operations"), dict) else 0
                if "block_reads_per_get" in c:
                    vals.append(c["block_reads_per_get"])
            if vals:
                reads = f"{statistics.median(vals):.3f}"
        print(f"| {w} | " + " | ".join(cells) + " | " + " | ".join(ratios) + f" | {reads} |")


if __name__ == "__main__":
    main()
