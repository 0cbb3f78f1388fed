#!/usr/bin/env python3
"""Draws the lab-01 figures of notes/01-binary-search.md from JMH JSON results.

Usage (from the workspace root; needs matplotlib: `apt-get install python3-matplotlib` on Debian,
then run it with /usr/bin/python3):

    python3 notes/figures/plot_lab01.py notes/data notes/figures

reads reopen.json, segment-lookup.json and binary-search.json from the data folder (each written
by JMH with `-rf json -rff ...`), writes lab01-reopen.png and lab01-segment-lookup.png to the
figures folder, and prints the tables the notes quote. Each point is the median of the measurement
iterations; the bars span the fastest and the slowest iteration.
"""

import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)

from jmhplot import fmt, load, load_if_present, method, run, save, summary  # noqa: E402


def reopen(data_dir, out_dir):
    results = load(os.path.join(data_dir, "reopen.json"))
    series = {}
    for r in results:
        s = summary(r["primaryMetric"])
        series.setdefault(method(r), []).append((int(r["params"]["records"]), s))
    labels = {
        "hashIndexLogReopen": "HashIndexLog (scan the log, rebuild the hash index)",
        "sortedLogStoreReopen": "SortedLogStore (read footer and sparse index)",
    }
    print("## Reopen time (ms per open + close): median [min, max] of the iterations; JMH mean ± 99.9% CI")
    print()
    print("| records | store | median | min | max | mean ± error | iterations |")
    print("| ---: | --- | ---: | ---: | ---: | --- | ---: |")
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for name, points in sorted(series.items()):
        points.sort()
        xs = [p[0] for p in points]
        med = [p[1]["median"] for p in points]
        lo = [p[1]["median"] - p[1]["min"] for p in points]
        hi = [p[1]["max"] - p[1]["median"] for p in points]
        ax.errorbar(xs, med, yerr=[lo, hi], marker="o", capsize=4, label=labels.get(name, name))
        for n, s in points:
            print(f"| {n:,} | {name.replace('Reopen', '')} | {fmt(s['median'])} | {fmt(s['min'])} | {fmt(s['max'])} "
                  f"| {fmt(s['mean'])} ± {fmt(s['error'])} | {s['n']} |")
    print()
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("records in the store (16-byte keys, 100-byte values)")
    ax.set_ylabel("reopen time, ms (log scale)")
    ax.set_title("lab-01: reopen time against data size")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    save(fig, out_dir, "lab01-reopen.png")
    print()


def segment_lookup(data_dir, out_dir):
    results = load(os.path.join(data_dir, "segment-lookup.json"))
    rows = []
    for r in results:
        s = summary(r["primaryMetric"])
        sec = r["secondaryMetrics"]
        lookups = sec["lookups"]["score"]
        rows.append((int(r["params"]["blockSize"]), s, sec["blocksRead"]["score"] / lookups,
                     sec["bytesRead"]["score"] / lookups))
    rows.sort()
    print("## SegmentReader.get against block size (ns per lookup; blocks and bytes read per lookup from the counters)")
    print()
    print("| block size | median ns | min | max | mean ± error | blocks/lookup | bytes/lookup |")
    print("| ---: | ---: | ---: | ---: | --- | ---: | ---: |")
    for bs, s, blocks, nbytes in rows:
        print(f"| {bs:,} | {fmt(s['median'])} | {fmt(s['min'])} | {fmt(s['max'])} | {fmt(s['mean'])} ± {fmt(s['error'])} "
              f"| {blocks:.3f} | {nbytes:,.0f} |")
    print()
    xs = [r[0] for r in rows]
    med = [r[1]["median"] / 1000 for r in rows]
    lo = [(r[1]["median"] - r[1]["min"]) / 1000 for r in rows]
    hi = [(r[1]["max"] - r[1]["median"]) / 1000 for r in rows]
    fig, ax = plt.subplots(figsize=(7, 4.5))
    ax.errorbar(xs, med, yerr=[lo, hi], marker="o", capsize=4, color="tab:blue", label="time per lookup (µs)")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xticks(xs)
    ax.set_xticklabels([f"{x // 1024} KiB" if x >= 1024 else f"{x} B" for x in xs])
    ax.set_xlabel("target block size")
    ax.set_ylabel("time per lookup, µs (log scale)", color="tab:blue")
    ticks = [t for t in (0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500) if min(med) / 2 <= t <= max(med) * 2]
    ax.set_yticks(ticks)
    ax.set_yticklabels([f"{t:g}" for t in ticks])
    ax.minorticks_off()
    ax.grid(True, which="both", alpha=0.3)
    ax2 = ax.twinx()
    ax2.plot(xs, [r[3] for r in rows], marker="s", linestyle="--", color="tab:orange", label="bytes read per lookup")
    ax2.set_yscale("log")
    ax2.set_ylabel("bytes read per lookup (log scale)", color="tab:orange")
    lines = ax.get_legend_handles_labels()
    lines2 = ax2.get_legend_handles_labels()
    ax.legend(lines[0] + lines2[0], lines[1] + lines2[1], fontsize=8, loc="upper left")
    ax.set_title("lab-01: SegmentReader.get against block size (one block read per lookup)")
    save(fig, out_dir, "lab01-segment-lookup.png")
    print()


def binary_search(data_dir):
    results = load_if_present(data_dir, "binary-search.json")
    if results is None:
        return
    by = {}
    for r in results:
        by[(method(r), int(r["params"]["size"]))] = summary(r["primaryMetric"])
    print("## BinarySearch.indexOf against the JDK (ns per search, median of iterations; ratio lab / JDK)")
    print()
    print("| size | int[]: lab | int[]: JDK | ratio | List<Bytes>: lab | List<Bytes>: JDK | ratio |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for size in sorted({k[1] for k in by}):
        li, ji = by[("labIntArray", size)]["median"], by[("jdkIntArray", size)]["median"]
        lk, jk = by[("labKeyList", size)]["median"], by[("jdkKeyList", size)]["median"]
        print(f"| {size:,} | {fmt(li)} | {fmt(ji)} | {li / ji:.2f} | {fmt(lk)} | {fmt(jk)} | {lk / jk:.2f} |")
    print()


def main(argv):
    return run(argv, __doc__, reopen, segment_lookup, lambda data_dir, out_dir: binary_search(data_dir))


if __name__ == "__main__":
    sys.exit(main(sys.argv))
