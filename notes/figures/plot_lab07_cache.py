#!/usr/bin/env python3
"""Draws the lab-07 cache figure of the notes: the hit rates of ARC, LRU and LFU against the cache
size on the Zipfian, scan-polluted and shifting workloads, and prints the table it quotes (Markdown),
with ARC's margin over the better of LRU and LFU at each size.

Usage (from the workspace root; needs matplotlib: `apt-get install python3-matplotlib` on Debian,
then run it with /usr/bin/python3):

    java -cp $CP dev.storagelab.hybrid.cache.HitRateSimulation notes/data/lab07/cache-hit-rates.csv
    /usr/bin/python3 notes/figures/plot_lab07_cache.py notes/data/lab07/cache-hit-rates.csv notes/figures

where CP=lab-07-hybrid/target/classes:$(cat lab-07-hybrid/target/test-classpath.txt) after a build
of lab-07. Writes lab07-cache-hit-rates.png to the figures folder.
"""

import csv
import os
import sys

from jmhplot import save

WORKLOADS = ["zipfian", "scan-polluted", "shifting"]
POLICIES = ["arc", "lru", "lfu"]
STYLE = {"arc": ("tab:red", "o", "-"), "lru": ("tab:blue", "s", "--"), "lfu": ("tab:green", "^", ":")}
TITLES = {
    "zipfian": "Zipfian (0.99, 10,000 keys)",
    "scan-polluted": "scan-polluted (a 2,000-key scan\nafter every 8,000 Zipfian references)",
    "shifting": "shifting (the popular keys change\nevery 100,000 references)",
}


def load(path):
    rates = {}
    for row in csv.DictReader(open(path)):
        rates[(row["workload"], row["policy"], int(row["cache_entries"]))] = float(row["hit_rate"])
    return rates


def table(rates):
    sizes = sorted({s for (_, _, s) in rates})
    for w in WORKLOADS:
        print(f"\n{w}\n")
        print("| entries | ARC | LRU | LFU | ARC - max(LRU, LFU) |")
        print("|---:|---:|---:|---:|---:|")
        for s in sizes:
            arc, lru, lfu = (rates[(w, p, s)] for p in POLICIES)
            print(f"| {s:,} | {arc:.3f} | {lru:.3f} | {lfu:.3f} | {arc - max(lru, lfu):+.3f} |")


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rates = load(sys.argv[1])
    sizes = sorted({s for (_, _, s) in rates})
    fig, axes = plt.subplots(1, 3, figsize=(13, 4.2), sharey=True)
    for ax, w in zip(axes, WORKLOADS):
        for p in POLICIES:
            color, marker, line = STYLE[p]
            ax.plot(sizes, [rates[(w, p, s)] for s in sizes], color=color, marker=marker, linestyle=line,
                    label=p.upper())
        ax.set_xscale("log")
        ax.set_xticks(sizes)
        ax.set_xticklabels([f"{s:,}" for s in sizes], rotation=45, fontsize=7)
        ax.minorticks_off()
        ax.set_xlabel("cache size (entries)")
        ax.set_title(TITLES[w], fontsize=9)
        ax.grid(True, alpha=0.3)
    axes[0].set_ylabel("hit rate (1,000,000 references)")
    axes[0].set_ylim(0, 1)
    axes[0].legend(loc="upper left")
    fig.suptitle("lab-07: ARC, LRU and LFU hit rates against cache size (HitRateSimulation)")
    table(rates)
    save(fig, sys.argv[2], "lab07-cache-hit-rates.png")


if __name__ == "__main__":
    main()
