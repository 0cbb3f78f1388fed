#!/usr/bin/env python3
"""Draws lab-05's three figures from what dev.storagelab.lsm.bench.LsmFigures wrote:

- lab05-bloom.png: the Bloom filter's measured false-positive rate against bits per key (1-20),
  beside the theory at the filter's probe count and the optimum 0.6185^b;
- lab05-l0-read-amp.png: tables consulted and data blocks read per get as level 0 grows with
  compaction held off, for present and absent keys (tables consulted = blocks a store without
  filters would read);
- lab05-compaction-p99.png: get p50/p99 in 100 ms windows before, during and after a compactAll.

Usage (from the workspace root; needs matplotlib: `apt-get install python3-matplotlib` on Debian,
then run it with /usr/bin/python3):

    /usr/bin/python3 notes/figures/plot_lab05.py notes/data/lab05 notes/figures
"""

import csv
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)


def rows(path):
    with open(path) as f:
        return list(csv.DictReader(f))


def bloom(data, out):
    r = rows(os.path.join(data, "bloom-fp.csv"))
    bits = [int(x["bits_per_key"]) for x in r]
    fig, ax = plt.subplots(figsize=(7, 4.2))
    ax.semilogy(bits, [100 * float(x["measured_fp"]) for x in r], "o", color="tab:blue",
                label="measured (100k keys added, 1M absent probed)")
    ax.semilogy(bits, [100 * float(x["theory_fp"]) for x in r], "-", color="tab:orange",
                label="theory (1 - e^(-k/b))^k at the filter's k")
    ax.semilogy(bits, [100 * float(x["optimal_fp"]) for x in r], ":", color="0.4",
                label="optimum 0.6185^b (k not rounded)")
    ax.axvline(10, color="0.85", lw=1)
    ax.set_xlabel("bits per key (b)")
    ax.set_ylabel("false-positive rate (%)")
    ax.set_xticks(range(1, 21))
    ax.set_title("lab-05 Bloom filter: false positives against bits per key")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(os.path.join(out, "lab05-bloom.png"), dpi=120)


def l0(data, out):
    r = rows(os.path.join(data, "l0-read-amp.csv"))
    n = [int(x["l0_tables"]) for x in r]
    fig, ax = plt.subplots(figsize=(7, 4.2))
    ax.plot(n, [float(x["absent_tables_per_get"]) for x in r], "-", color="tab:red",
            label="absent key: tables consulted (= block reads without filters)")
    ax.plot(n, [float(x["present_tables_per_get"]) for x in r], "-", color="tab:orange",
            label="present key: tables consulted")
    ax.plot(n, [float(x["present_blocks_per_get"]) for x in r], "o-", color="tab:blue", ms=3,
            label="present key: data blocks read, 10-bit filters")
    ax.plot(n, [float(x["absent_blocks_per_get"]) for x in r], "o-", color="tab:green", ms=3,
            label="absent key: data blocks read, 10-bit filters")
    ax.set_xlabel("tables in level 0 (compaction held off)")
    ax.set_ylabel("per get")
    ax.set_title("lab-05 read amplification as level 0 grows")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "lab05-l0-read-amp.png"), dpi=120)


def p99(data, out):
    r = rows(os.path.join(data, "compaction-p99.csv"))
    t = [int(x["t_ms"]) / 1000 for x in r]
    fig, ax = plt.subplots(figsize=(7, 4.2))
    during = [ti for ti, x in zip(t, r) if x["phase"] == "during"]
    if during:
        ax.axvspan(min(during), max(during) + 0.1, color="0.9", lw=0, label="compactAll running")
    ax.semilogy(t, [float(x["p99_us"]) for x in r], "-", color="tab:red", label="get p99")
    ax.semilogy(t, [float(x["p50_us"]) for x in r], "-", color="tab:blue", label="get p50")
    ax.set_xlabel("seconds (100 ms windows, after 3 s of warm-up)")
    ax.set_ylabel("latency (µs)")
    ax.set_title("lab-05 get latency while 48 level-0 flushes are compacted")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(os.path.join(out, "lab05-compaction-p99.png"), dpi=120)


if __name__ == "__main__":
    data, out = sys.argv[1], sys.argv[2]
    bloom(data, out)
    l0(data, out)
    p99(data, out)
