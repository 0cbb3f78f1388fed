#!/usr/bin/env python3
"""Draws the lab-02 figures of notes/02-bounds.md from JMH JSON results.

Usage (from the workspace root; needs matplotlib: `apt-get install python3-matplotlib` on Debian,
then run it with /usr/bin/python3):

    python3 notes/figures/plot_lab02.py notes/data notes/figures

reads merge.json, scan.json and ring.json from the data folder (each written by JMH with
`-rf json -rff ...`; a missing file is skipped), writes lab02-merge.png, lab02-scan.png and
lab02-ring.png to the figures folder, and prints the tables the notes quote. Each point is the
median of the measurement iterations; the bars span the fastest and the slowest iteration.

It also reads hot-partitions.csv, written by the HotPartitions experiment (counts, not times),
and draws lab02-hot-partitions.png: the busiest partition's share of the reads against the skew
of the authors, for each partitioning scheme (bars: the range over the ring's placements).
"""

import csv
import os

import statistics
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)

from jmhplot import fmt, load_if_present, method, run, save, summary  # noqa: E402


def millions(x):
    return f"{x / 1e6:.1f}"


def merge(data_dir, out_dir):
    results = load_if_present(data_dir, "merge.json")
    if results is None:
        return
    by = {}
    for r in results:
        by[(method(r), int(r["params"]["k"]))] = summary(r["primaryMetric"])
    ks = sorted({k for _, k in by})
    print("## Merge throughput against k (million entries/s, median [min, max] of the iterations; ratio heap / stacked)")
    print()
    print("| k | MergingIterator (heap) | NewestWinsMerge.of (stacked) | heap / stacked |")
    print("| ---: | ---: | ---: | ---: |")
    for k in ks:
        h, s = by[("heapMerge", k)], by[("stackedTwoWayMerge", k)]
        print(f"| {k} | {millions(h['median'])} [{millions(h['min'])}, {millions(h['max'])}] "
              f"| {millions(s['median'])} [{millions(s['min'])}, {millions(s['max'])}] "
              f"| {h['median'] / s['median']:.2f} |")
    print()
    fig, (ax, ax2) = plt.subplots(2, 1, figsize=(7, 6.5), sharex=True, gridspec_kw={"height_ratios": [3, 1.4]})
    labels = {
        "heapMerge": "MergingIterator: one heap, O(log k) per entry",
        "stackedTwoWayMerge": "NewestWinsMerge.of: k-1 stacked two-way merges, O(k)",
    }
    for name, marker in (("heapMerge", "o"), ("stackedTwoWayMerge", "s")):
        med = [by[(name, k)]["median"] / 1e6 for k in ks]
        lo = [(by[(name, k)]["median"] - by[(name, k)]["min"]) / 1e6 for k in ks]
        hi = [(by[(name, k)]["max"] - by[(name, k)]["median"]) / 1e6 for k in ks]
        ax.errorbar(ks, med, yerr=[lo, hi], marker=marker, capsize=4, label=labels[name])
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_ylabel("million entries/s (log scale)")
    ax.set_title("lab-02: merging k sorted sources (262,144 entries in total)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    ratio = [by[("heapMerge", k)]["median"] / by[("stackedTwoWayMerge", k)]["median"] for k in ks]
    ax2.plot(ks, ratio, marker="o", color="tab:green")
    ax2.axhline(1.0, color="grey", linestyle="--", linewidth=1)
    ax2.set_ylim(0, max(ratio) * 1.15)
    ax2.set_xticks(ks)
    ax2.set_xticklabels([str(k) for k in ks])
    ax2.set_xlabel("sources merged (k)")
    ax2.set_ylabel("heap / stacked")
    ax2.grid(True, which="both", alpha=0.3)
    save(fig, out_dir, "lab02-merge.png")
    print()


SCAN_METHODS = [
    ("pointGet", "one get", 1),
    ("seekAndScan100", "seek + scan of 100", 100),
    ("hundredGets", "100 gets", 100),
    ("keysetPage100", "keyset page of 100", 100),
]


def scan(data_dir, out_dir):
    results = load_if_present(data_dir, "scan.json")
    if results is None:
        return
    by = {}
    for r in results:
        p = r["params"]
        sec = r["secondaryMetrics"]
        blocks = sec["blocksRead"]["score"] / sec["ops"]["score"]
        by[(method(r), int(p["keys"]), int(p["segments"]))] = (summary(r["primaryMetric"]), blocks)
    configs = sorted({(k, s) for _, k, s in by})
    print("## Scan against gets (µs per operation, median [min, max]; blocks read per operation; µs per entry returned)")
    print()
    print("| keys | segments | operation | µs per operation | blocks per operation | µs per entry |")
    print("| ---: | ---: | --- | ---: | ---: | ---: |")
    for keys, segs in configs:
        for name, label, entries in SCAN_METHODS:
            s, blocks = by[(name, keys, segs)]
            print(f"| {keys:,} | {segs} | {label} | {fmt(s['median'])} [{fmt(s['min'])}, {fmt(s['max'])}] "
                  f"| {blocks:.2f} | {fmt(s['median'] / entries)} |")
    print()
    print("| keys | segments | 100 gets / (seek + scan of 100) | keyset page / (seek + scan) | (seek + scan of 100) / one get"
          " | cursor decode + encode, µs |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: |")
    for keys, segs in configs:
        g = by[("pointGet", keys, segs)][0]["median"]
        sc = by[("seekAndScan100", keys, segs)][0]["median"]
        hg = by[("hundredGets", keys, segs)][0]["median"]
        kp = by[("keysetPage100", keys, segs)][0]["median"]
        cursor = by.get(("cursorDecodeAndEncode", keys, segs))
        c = f"{fmt(cursor[0]['median'])} [{fmt(cursor[0]['min'])}, {fmt(cursor[0]['max'])}]" if cursor else "-"
        print(f"| {keys:,} | {segs} | {hg / sc:.1f} | {kp / sc:.2f} | {sc / g:.1f} | {c} |")
    print()
    fig, ax = plt.subplots(figsize=(8, 4.8))
    width = 0.8 / len(configs)
    xs = range(len(SCAN_METHODS))
    for i, (keys, segs) in enumerate(configs):
        med = [by[(m, keys, segs)][0]["median"] for m, _, _ in SCAN_METHODS]
        lo = [by[(m, keys, segs)][0]["median"] - by[(m, keys, segs)][0]["min"] for m, _, _ in SCAN_METHODS]
        hi = [by[(m, keys, segs)][0]["max"] - by[(m, keys, segs)][0]["median"] for m, _, _ in SCAN_METHODS]
        pos = [x - 0.4 + width * (i + 0.5) for x in xs]
        ax.bar(pos, med, width, yerr=[lo, hi], capsize=3,
               label=f"{keys:,} keys, {segs} segment{'s' if segs > 1 else ''}")
    ax.set_yscale("log")
    ax.set_xticks(list(xs))
    ax.set_xticklabels([label for _, label, _ in SCAN_METHODS])
    ax.set_ylabel("µs per operation (log scale)")
    ax.set_title("lab-02: 100 entries as one seek and a scan, or as 100 gets")
    ax.grid(True, axis="y", which="both", alpha=0.3)
    ax.legend(fontsize=8)
    save(fig, out_dir, "lab02-scan.png")
    print()


def ring(data_dir, out_dir):
    results = load_if_present(data_dir, "ring.json")
    if results is None:
        return
    by = {}
    for r in results:
        p = r["params"]
        by[(method(r), int(p["nodes"]), int(p["virtualNodes"]))] = summary(r["primaryMetric"])
    nodes = sorted({n for _, n, _ in by})
    vnodes = sorted({v for _, _, v in by})
    print("## HashRing.owner (ns per lookup, median [min, max]); the key's hash alone; ring positions")
    print()
    print("| nodes | virtual nodes | positions | owner | hash only | owner - hash |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: |")
    for n in nodes:
        for v in vnodes:
            o, h = by[("owner", n, v)], by[("hashOnly", n, v)]
            print(f"| {n:,} | {v} | {n * v:,} | {fmt(o['median'])} [{fmt(o['min'])}, {fmt(o['max'])}] "
                  f"| {fmt(h['median'])} | {fmt(o['median'] - h['median'])} |")
    print()
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for v, marker in zip(vnodes, "os^"):
        med = [by[("owner", n, v)]["median"] for n in nodes]
        lo = [by[("owner", n, v)]["median"] - by[("owner", n, v)]["min"] for n in nodes]
        hi = [by[("owner", n, v)]["max"] - by[("owner", n, v)]["median"] for n in nodes]
        ax.errorbar(nodes, med, yerr=[lo, hi], marker=marker, capsize=4, label=f"owner, {v} virtual nodes per node")
    hash_med = [statistics.median([by[("hashOnly", n, v)]["median"] for v in vnodes]) for n in nodes]
    ax.plot(nodes, hash_med, linestyle="--", color="grey", label="hashing the key alone (murmur3)")
    ax.set_xscale("log")
    ax.set_xticks(nodes)
    ax.set_xticklabels([f"{n:,}" for n in nodes])
    ax.set_ylim(bottom=0)
    ax.set_xlabel("nodes on the ring")
    ax.set_ylabel("ns per lookup")
    ax.set_title("lab-02: consistent-hash ring lookup")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    save(fig, out_dir, "lab02-ring.png")
    print()


SCHEMES = {
    "range": ("by key range (equal data per partition)", "o", "C0"),
    "ring-author-v1": ("ring by author, 1 virtual node", "v", "C3"),
    "ring-author-v100": ("ring by author, 100 virtual nodes", "^", "C1"),
    "ring-post-v100": ("ring by post key, 100 virtual nodes", "s", "C2"),
}


def hot_partitions(data_dir, out_dir):
    path = os.path.join(data_dir, "hot-partitions.csv")
    if not os.path.exists(path):
        return
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    by = {(r["scheme"], float(r["zipf_exponent"])): r for r in rows}
    exponents = sorted({float(r["zipf_exponent"]) for r in rows})
    partitions = int(rows[0]["partitions"])
    print(f"## Hot partitions: the busiest of {partitions} partitions' share of the posts read, mean [min, max] "
          "over the ring's placements; then its share of the posts stored, and partitions per page")
    print()
    print("| Zipf s | most read author | " + " | ".join(SCHEMES[s][0] for s in SCHEMES) + " |")
    print("| ---: | ---: |" + " ---: |" * len(SCHEMES))
    for e in exponents:
        cells = []
        for s in SCHEMES:
            r = by[(s, e)]
            cells.append(f"{100 * float(r['busiest_read_share']):.1f}% [{100 * float(r['busiest_read_share_min']):.1f}, "
                         f"{100 * float(r['busiest_read_share_max']):.1f}]")
        print(f"| {e:.1f} | {100 * float(by[('range', e)]['top_author_read_share']):.2f}% | " + " | ".join(cells) + " |")
    print()
    fig, (ax, ax2) = plt.subplots(2, 1, figsize=(7, 7), sharex=True, gridspec_kw={"height_ratios": [3, 1.3]})
    for s, (label, marker, color) in SCHEMES.items():
        med = [100 * float(by[(s, e)]["busiest_read_share"]) for e in exponents]
        lo = [m - 100 * float(by[(s, e)]["busiest_read_share_min"]) for m, e in zip(med, exponents)]
        hi = [100 * float(by[(s, e)]["busiest_read_share_max"]) - m for m, e in zip(med, exponents)]
        ax.errorbar(exponents, med, yerr=[lo, hi], marker=marker, color=color, capsize=4, label=label)
        ax2.plot(exponents, [float(by[(s, e)]["partitions_per_page"]) for e in exponents], marker=marker, color=color,
                 label=label)
    top = [100 * float(by[("range", e)]["top_author_read_share"]) for e in exponents]
    ax.plot(exponents, top, linestyle="--", color="black", label="the most read author alone")
    ax.axhline(100 / partitions, linestyle=":", color="grey", label=f"fair share, 1/{partitions}")
    ax.set_ylim(bottom=0)
    ax.set_ylabel("busiest partition's share of the reads (%)")
    ax.set_title(f"lab-02: hot partitions, {partitions} partitions, keyset pages over a Zipfian feed")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    ax2.set_ylim(bottom=0)
    ax2.set_xlabel("Zipf exponent s of the authors (0: uniform)")
    ax2.set_ylabel("partitions a page reads")
    ax2.set_xticks(exponents)
    ax2.grid(True, alpha=0.3)
    save(fig, out_dir, "lab02-hot-partitions.png")
    print()


def main(argv):
    return run(argv, __doc__, merge, scan, ring, hot_partitions)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
