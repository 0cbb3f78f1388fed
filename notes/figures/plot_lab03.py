#!/usr/bin/env python3
"""Draws the lab-03 figures of the notes from JMH JSON results.

Usage (from the workspace root; needs matplotlib: `apt-get install python3-matplotlib` on Debian,
then run it with /usr/bin/python3):

    python3 notes/figures/plot_lab03.py notes/data notes/figures

reads lab03-ordered-maps.json, lab03-degeneration.json and lab03-memtable.json from the data
folder (each written by JMH with `-rf json -rff ...`; a missing file is skipped), writes
lab03-ordered-maps.png and lab03-degeneration.png to the figures folder, and prints the tables the
notes quote (the memtable has a table only). Each number is the median of the measurement
iterations; the bars span the fastest and the slowest iteration. Times per key come from the
benchmarks' `keyOps` counter (time per put, per get, per entry walked); heights from the
`height` and `builds` counters.
"""

import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)
from matplotlib.ticker import FuncFormatter, NullFormatter  # noqa: E402

from jmhplot import fmt, load_if_present, method, run, save, summary  # noqa: E402


PLAIN = FuncFormatter(lambda y, _: f"{y:,.0f}" if y >= 1 else f"{y:g}")


def plain_log_axis(axis):
    """Log scale, labelled with plain numbers (1,000 rather than 10^3) at 1, 2 and 5 times powers of ten."""
    axis.set_major_formatter(PLAIN)
    axis.set_minor_formatter(NullFormatter())


def cell(s):
    return f"{fmt(s['median'])} [{fmt(s['min'])}, {fmt(s['max'])}]"


MAP_IMPLS = ["AvlMap", "TreeMap", "SkipListMap", "ConcurrentSkipListMap", "BstMap"]
MAP_OPS = [("put", "put (build from random order)"), ("get", "get (random order)"), ("iterate", "iterate (per entry)")]
RATIOS = [("AvlMap", "TreeMap"), ("SkipListMap", "ConcurrentSkipListMap"), ("BstMap", "TreeMap")]


def ordered_maps(data_dir, out_dir):
    results = load_if_present(data_dir, "lab03-ordered-maps.json")
    if results is None:
        return
    by = {}
    keys = set()
    for r in results:
        p = r["params"]
        keys.add(int(p["keys"]))
        by[(method(r), p["impl"])] = summary(r["secondaryMetrics"]["keyOps"])
    impls = [i for i in MAP_IMPLS if any(impl == i for _, impl in by)]
    ops = [(m, label) for m, label in MAP_OPS if any(name == m for name, _ in by)]
    n = ", ".join(f"{k:,}" for k in sorted(keys))
    print(f"## Ordered maps, {n} keys of 16 bytes (ns per key, median [min, max] of the iterations)")
    print()
    print("| operation | " + " | ".join(impls) + " |")
    print("| --- |" + " ---: |" * len(impls))
    for m, label in ops:
        print(f"| {label} | " + " | ".join(cell(by[(m, i)]) if (m, i) in by else "-" for i in impls) + " |")
    print()
    print("| operation | " + " | ".join(f"{a} / {b}" for a, b in RATIOS) + " |")
    print("| --- |" + " ---: |" * len(RATIOS))
    for m, label in ops:
        cells = []
        for a, b in RATIOS:
            if (m, a) in by and (m, b) in by:
                cells.append(f"{by[(m, a)]['median'] / by[(m, b)]['median']:.2f}")
            else:
                cells.append("-")
        print(f"| {label} | " + " | ".join(cells) + " |")
    print()
    fig, ax = plt.subplots(figsize=(9, 4.8))
    width = 0.8 / len(impls)
    xs = range(len(ops))
    for i, impl in enumerate(impls):
        present = [(x, m) for x, (m, _) in zip(xs, ops) if (m, impl) in by]
        med = [by[(m, impl)]["median"] for _, m in present]
        lo = [by[(m, impl)]["median"] - by[(m, impl)]["min"] for _, m in present]
        hi = [by[(m, impl)]["max"] - by[(m, impl)]["median"] for _, m in present]
        pos = [x - 0.4 + width * (i + 0.5) for x, _ in present]
        hatch = "//" if impl in ("TreeMap", "ConcurrentSkipListMap") else None
        bars = ax.bar(pos, med, width, yerr=[lo, hi], capsize=3, hatch=hatch, label=impl)
        ax.bar_label(bars, labels=[fmt(m) for m in med], fontsize=7, padding=2)
    ax.set_yscale("log")
    ax.yaxis.set_major_locator(matplotlib.ticker.LogLocator(subs=(1, 2, 5)))
    plain_log_axis(ax.yaxis)
    ax.set_xticks(list(xs))
    ax.set_xticklabels([label for _, label in ops])
    ax.set_ylabel("ns per key (log scale)")
    ax.set_title(f"lab-03: ordered maps against the JDK's, {n} keys (hatched: JDK)")
    ax.grid(True, axis="y", which="both", alpha=0.3)
    ax.legend(fontsize=8)
    save(fig, out_dir, "lab03-ordered-maps.png")
    print()


DEGENERATION = [
    ("BstMap", "sorted", "s", "tab:red", "BstMap, sorted input"),
    ("BstMap", "random", "o", "tab:orange", "BstMap, random input"),
    ("AvlMap", "sorted", "^", "tab:blue", "AvlMap, sorted input"),
    ("AvlMap", "random", "v", "tab:cyan", "AvlMap, random input"),
]


def degeneration(data_dir, out_dir):
    results = load_if_present(data_dir, "lab03-degeneration.json")
    if results is None:
        return
    by = {}
    for r in results:
        p = r["params"]
        sec = r["secondaryMetrics"]
        height = sec["height"]["score"] / sec["builds"]["score"]
        by[(p["impl"], p["order"], int(p["keys"]))] = (summary(r["primaryMetric"]), height)
    ns = sorted({k for _, _, k in by})
    series = [s for s in DEGENERATION if any((s[0], s[1], k) in by for k in ns)]
    unit = next(iter(by.values()))[0]["unit"]
    print(f"## Building a tree from n keys: time per build ({unit}, median [min, max]) and the tree's height")
    print()
    print("| n | " + " | ".join(f"{label}: time | height" for *_, label in series) + " |")
    print("| ---: |" + " ---: | ---: |" * len(series))
    for k in ns:
        cells = []
        for impl, order, *_ in series:
            s = by.get((impl, order, k))
            cells.append(f"{cell(s[0])} | {s[1]:,.0f}" if s else "- | -")
        print(f"| {k:,} | " + " | ".join(cells) + " |")
    print()
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(11, 4.6))
    for impl, order, marker, color, label in series:
        present = [k for k in ns if (impl, order, k) in by]
        med = [by[(impl, order, k)][0]["median"] for k in present]
        lo = [by[(impl, order, k)][0]["median"] - by[(impl, order, k)][0]["min"] for k in present]
        hi = [by[(impl, order, k)][0]["max"] - by[(impl, order, k)][0]["median"] for k in present]
        ax.errorbar(present, med, yerr=[lo, hi], marker=marker, color=color, capsize=3, label=label)
        ax2.plot(present, [by[(impl, order, k)][1] for k in present], marker=marker, color=color, label=label)
    for a in (ax, ax2):
        a.set_xscale("log")
        a.set_yscale("log")
        a.set_xticks(ns)
        a.set_xticklabels([f"{k:,}" for k in ns])
        a.xaxis.set_minor_formatter(NullFormatter())
        a.yaxis.set_major_locator(matplotlib.ticker.LogLocator(subs=(1, 2, 5)))
        plain_log_axis(a.yaxis)
        a.set_xlabel("keys inserted (n)")
        a.grid(True, which="both", alpha=0.3)
    ax.set_ylabel(f"time per build, {unit.split('/')[0].replace('us', 'µs')} (log scale)")
    ax.set_title("build time: n²/2 comparisons for a sorted BST")
    ax.legend(fontsize=8)
    ax2.plot(ns, ns, linestyle="--", color="grey", linewidth=1, label="n")
    ax2.set_ylabel("tree height (log scale)")
    ax2.set_title("height: n for a sorted BST, ~log n otherwise")
    ax2.legend(fontsize=8)
    fig.suptitle("lab-03: a plain BST degenerates on sorted input; the AVL tree does not")
    save(fig, out_dir, "lab03-degeneration.png")
    print()


MEMTABLE_IMPLS = ["SkipListMemtable", "ConcurrentSkipListMemtable"]


def memtable(data_dir, out_dir):
    results = load_if_present(data_dir, "lab03-memtable.json")
    if results is None:
        return
    by = {}
    keys = set()
    for r in results:
        p = r["params"]
        keys.add(int(p["keys"]))
        sec = r["secondaryMetrics"]
        if method(r) == "readWhileWrite":
            by[("writer", p["impl"])] = summary(sec["writer"])
            by[("reader", p["impl"])] = summary(sec["reader"])
        else:
            by[(method(r), p["impl"])] = summary(sec["keyOps"])
    rows = [
        ("apply", "apply (fresh memtable)"),
        ("get", "get (random order)"),
        ("scan", "ascending scan (per entry)"),
        ("writer", "apply, while a reader reads"),
        ("reader", "get, while a writer applies"),
    ]
    impls = [i for i in MEMTABLE_IMPLS if any(impl == i for _, impl in by)]
    n = ", ".join(f"{k:,}" for k in sorted(keys))
    print(f"## Memtables, {n} entries (16-byte keys, 100-byte values; ns per entry, median [min, max])")
    print()
    print("| operation | " + " | ".join(impls) + " | SkipListMemtable / ConcurrentSkipListMemtable |")
    print("| --- |" + " ---: |" * (len(impls) + 1))
    for m, label in rows:
        if not any((m, i) in by for i in impls):
            continue
        cells = [cell(by[(m, i)]) if (m, i) in by else "-" for i in impls]
        a, b = (m, "SkipListMemtable"), (m, "ConcurrentSkipListMemtable")
        ratio = f"{by[a]['median'] / by[b]['median']:.2f}" if a in by and b in by else "-"
        print(f"| {label} | " + " | ".join(cells) + f" | {ratio} |")
    print()


def main(argv):
    return run(argv, __doc__, ordered_maps, degeneration, memtable)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
