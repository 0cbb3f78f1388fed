#!/usr/bin/env python3
"""Draws the lab-04 figures of the notes and prints the tables they quote.

Usage (from the workspace root; needs matplotlib: `apt-get install python3-matplotlib` on Debian,
then run it with /usr/bin/python3):

    python3 notes/figures/plot_lab04.py notes/data notes/figures

reads, from the data folder (a missing file is skipped):
- lab04-fill.json, lab04-bulk-load.json, lab04-read.json: JMH results (`-rf json -rff ...`) of
  FillBenchmark, BulkLoadBenchmark and ReadBenchmark;
- lab04-leaf-fill.json, lab04-buffer-pool.json, lab04-write-amp.json: written by the
  Lab04Experiments program; lab04-buffer-pool-before.json, if present, is the zipfian+scans
  workload run on the code before the TreeScan fix of the notes (drawn dotted);
- lab04-fixes.json: ReadBenchmark's B+tree runs on the code before and after the fixes of the
  notes, alternating (params "code" and "round" added to JMH's JSON);
- lab04-concurrency.json: JMH results of ConcurrencyBenchmark (T11: page latches against the
  tree-wide lock); lab04-rww-{latches,treeLock}-N.json: `./storagelab workload --engine btree
  --workload readwhilewriting --json` runs, N = 1, 2, ... (the tree-wide lock forced with
  JAVA_TOOL_OPTIONS=-Dstoragelab.btree.treeLock=true);
- lab04-hitpath/m/{before,after}-btree-{readrandom,readwhilewriting}-N.json and
  lab04-hitpath/jmh/conc-{before,after}-N.json: the replacer change of §4.7.6 (lab04-hitpath.png);

and writes lab04-store-ops.png (time per operation, B+tree against the lab-01 store),
lab04-hit-rate.png (buffer-pool hit rate and misses per get against pool size, LRU and LRU-2),
lab04-write-amp.png (write amplification against the checkpoint interval) and
lab04-concurrency.png (T11: operations per second with page latches and on the tree-wide lock) to
the figures folder.
Times are the median of the measurement iterations, with bars from the fastest to the slowest;
counts summed by JMH over the iterations (pages read, bytes written) are divided by the operations
they were counted over.
"""

import json
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)
from matplotlib.ticker import FuncFormatter, NullFormatter  # noqa: E402

from jmhplot import fmt, load_if_present, method, run, save, summary  # noqa: E402


def cell(s):
    return f"{fmt(s['median'])} [{fmt(s['min'])}, {fmt(s['max'])}]"


MICROS = {"ns/op": 1e-3, "us/op": 1.0, "ms/op": 1e3, "s/op": 1e6}


def micros(metric):
    """summary() of a time metric, converted to µs per operation whatever unit JMH reported it in."""
    s = summary(metric)
    k = MICROS[s["unit"]]
    return {**s, **{f: s[f] * k for f in ("median", "min", "max", "mean", "error")}, "unit": "us/op"}


def total(metric):
    """The sum of a counter over every measured iteration."""
    return sum(x for fork in metric["rawData"] for x in fork)


def load_counts(data_dir, name):
    path = os.path.join(data_dir, name)
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


IMPLS = ["BPlusTree", "SortedLogStore", "SortedLogStore4"]
LABELS = {
    "BPlusTree": "B+tree (4 MiB pool)",
    "SortedLogStore": "lab-01 store, 1 segment",
    "SortedLogStore4": "lab-01 store, 4 segments",
}


def store_ops(data_dir, out_dir):
    fill = load_if_present(data_dir, "lab04-fill.json")
    bulk = load_if_present(data_dir, "lab04-bulk-load.json")
    read = load_if_present(data_dir, "lab04-read.json")
    bars = {}  # (operation label, impl) -> summary in µs per op
    ops = []
    if fill is not None:
        rows = {}
        for r in fill:
            p = r["params"]
            s = micros(r["secondaryMetrics"]["keyOps"])
            rows[(p["order"], p["impl"])] = (s, total(r["secondaryMetrics"]["diskBytesWritten"]),
                                             total(r["secondaryMetrics"]["userBytesWritten"]))
        keys = int(fill[0]["params"]["keys"])
        print(f"## Fill: {keys:,} puts into an empty store, then close (µs per put, median [min, max];"
              " write amplification = disk bytes / user bytes)")
        print()
        print("| order | B+tree | lab-01 store | B+tree / lab-01 | B+tree write amp. | lab-01 write amp. |")
        print("| --- | ---: | ---: | ---: | ---: | ---: |")
        for order in ("random", "sequential"):
            b, s = rows.get((order, "BPlusTree")), rows.get((order, "SortedLogStore"))
            if b is None or s is None:
                continue
            ratio = b[0]["median"] / s[0]["median"]
            print(f"| {order} | {cell(b[0])} | {cell(s[0])} | {ratio:.2f} | {b[1] / b[2]:.1f} | {s[1] / s[2]:.1f} |")
            label = f"fill{'random' if order == 'random' else 'seq'}"
            ops.append(label)
            bars[(label, "BPlusTree")] = b[0]
            bars[(label, "SortedLogStore")] = s[0]
        print()
    if bulk is not None:
        rows = {method(r): (micros(r["secondaryMetrics"]["keyOps"]),
                            total(r["secondaryMetrics"]["diskBytesWritten"]) / total(r["secondaryMetrics"]["builds"]))
                for r in bulk}
        keys = int(bulk[0]["params"]["keys"])
        print(f"## Building a B+tree of {keys:,} sorted keys (µs per key, median [min, max]; MB written per build)")
        print()
        print("| how | µs per key | MB written | time / bulk load's |")
        print("| --- | ---: | ---: | ---: |")
        for m in ("fillseq", "bulkLoad"):
            if m in rows:
                ratio = rows[m][0]["median"] / rows["bulkLoad"][0]["median"] if "bulkLoad" in rows else float("nan")
                print(f"| {m} | {cell(rows[m][0])} | {rows[m][1] / 1e6:.1f} | {ratio:.2f} |")
        print()
    if read is not None:
        rows = {}
        for r in read:
            sec = r["secondaryMetrics"]
            reads = total(sec["pageReads"]) / total(sec["ops"])
            rows[(method(r), r["params"]["impl"])] = (micros(sec["keyOps"]), reads)
        keys = int(read[0]["params"]["keys"])
        impls = [i for i in IMPLS if any(impl == i for _, impl in rows)]
        print(f"## Reads, {keys:,} keys (µs per operation, median [min, max]; pages or blocks read per operation)")
        print()
        print("| operation | " + " | ".join(f"{LABELS[i]} | reads" for i in impls) + " |")
        print("| --- |" + " ---: | ---: |" * len(impls))
        for m, label in (("readrandom", "readrandom (get)"), ("seekscan", "seek + scan 100")):
            cells = []
            for i in impls:
                if (m, i) in rows:
                    cells.append(f"{cell(rows[(m, i)][0])} | {rows[(m, i)][1]:.2f}")
                    bars[(m, i)] = rows[(m, i)][0]
                else:
                    cells.append("- | -")
            ops.append(m)
            print(f"| {label} | " + " | ".join(cells) + " |")
        print()
        print("| operation | " + " | ".join(f"B+tree / {LABELS[i]}" for i in impls[1:]) + " |")
        print("| --- |" + " ---: |" * (len(impls) - 1))
        for m in ("readrandom", "seekscan"):
            if (m, "BPlusTree") in rows:
                b = rows[(m, "BPlusTree")][0]["median"]
                print(f"| {m} | " + " | ".join(f"{b / rows[(m, i)][0]['median']:.2f}" if (m, i) in rows else "-"
                                               for i in impls[1:]) + " |")
        print()
    if not bars:
        return
    fig, ax = plt.subplots(figsize=(9, 4.8))
    impls = [i for i in IMPLS if any(impl == i for _, impl in bars)]
    width = 0.8 / len(impls)
    for k, impl in enumerate(impls):
        present = [(x, op) for x, op in enumerate(ops) if (op, impl) in bars]
        med = [bars[(op, impl)]["median"] for _, op in present]
        lo = [bars[(op, impl)]["median"] - bars[(op, impl)]["min"] for _, op in present]
        hi = [bars[(op, impl)]["max"] - bars[(op, impl)]["median"] for _, op in present]
        pos = [x - 0.4 + width * (k + 0.5) for x, _ in present]
        b = ax.bar(pos, med, width, yerr=[lo, hi], capsize=3, label=LABELS[impl],
                   hatch=None if impl == "BPlusTree" else ("//" if impl == "SortedLogStore" else ".."))
        ax.bar_label(b, labels=[fmt(m) for m in med], fontsize=7, padding=2)
    ax.set_xticks(range(len(ops)))
    ax.set_xticklabels({"fillrandom": "fillrandom\n(per put)", "fillseq": "fillseq\n(per put)",
                        "readrandom": "readrandom\n(per get)", "seekscan": "seek + scan 100\n(per scan)"}.get(o, o)
                       for o in ops)
    ax.set_yscale("log")
    ax.yaxis.set_major_locator(matplotlib.ticker.LogLocator(subs=(1, 2, 5)))
    ax.yaxis.set_minor_formatter(NullFormatter())
    ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _: f"{y:g}"))
    ax.set_ylabel("µs per operation (log scale)")
    ax.set_title("lab-04: a B+tree against the lab-01 LSM-ish store, 1M keys (16 B keys, 100 B values)")
    ax.grid(True, axis="y", which="both", alpha=0.3)
    ax.legend(fontsize=8)
    save(fig, out_dir, "lab04-store-ops.png")
    print()


def leaf_fill(data_dir, out_dir):
    d = load_counts(data_dir, "lab04-leaf-fill.json")
    if d is None:
        return
    print(f"## Leaf fill, {d['keys']:,} keys of {d['keyBytes']} + {d['valueBytes']} bytes, 4 KiB pages")
    print()
    print("| built by | leaves | internal pages | height | leaf fill | emptiest leaf | file |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in d["rows"]:
        how = {"random": "puts, random order", "sequential": "puts, increasing order"}.get(
            r["build"], f"bulk load, fill factor {r.get('fillFactor')}")
        print(f"| {how} | {r['leaves']:,} | {r['internalPages']:,} | {r['height']} | {100 * r['leafFill']:.1f}% |"
              f" {100 * r['minLeafFill']:.1f}% | {r['fileBytes'] / 2**20:.0f} MiB |")
    print()


WORKLOADS = [("uniform", "uniform gets"), ("zipfian", "Zipfian gets (θ = 0.99, scrambled)"),
             ("zipfian+scans", "Zipfian gets + a 1,000-entry scan per 100 gets")]
REPLACERS = [("LRU", "tab:orange", "o"), ("LRU_2", "tab:blue", "s")]


def buffer_pool(data_dir, out_dir):
    d = load_counts(data_dir, "lab04-buffer-pool.json")
    if d is None:
        return
    tree = d["tree"]
    rows = {(r["workload"], r["replacer"], r["poolFrames"]): r for r in d["rows"]}
    sizes = sorted({r["poolFrames"] for r in d["rows"]})
    print(f"## Buffer pool, {d['keys']:,}-key tree ({tree['leaves']:,} leaves, {tree['internalPages']:,} internal"
          f" pages, height {tree['height']}); {d['warmupGets']:,} warm-up gets, {d['measuredGets']:,} measured")
    print()
    print("| pool (frames) | pool (MiB) | " + " | ".join(f"{w}: LRU | LRU-2" for w, _ in WORKLOADS) + " |")
    print("| ---: | ---: |" + " ---: | ---: |" * len(WORKLOADS))
    for s in sizes:
        cells = []
        for w, _ in WORKLOADS:
            for rep, *_ in REPLACERS:
                r = rows.get((w, rep, s))
                cells.append(f"{100 * r['hitRate']:.1f}% ({r['missesPerGet']:.2f})" if r else "-")
        print(f"| {s:,} | {s * 4 / 1024:g} | " + " | ".join(cells) + " |")
    print()
    print("(hit rate over the gets' page fetches, and misses per get in brackets)")
    print()
    before = load_counts(data_dir, "lab04-buffer-pool-before.json")
    old = {(r["workload"], r["replacer"], r["poolFrames"]): r for r in before["rows"]} if before else {}
    if old:
        print("## Zipfian gets + scans, before and after the TreeScan fix (hit rate, misses per get)")
        print()
        print("| pool (frames) | LRU, before | LRU, after | LRU-2, before | LRU-2, after |")
        print("| ---: | ---: | ---: | ---: | ---: |")
        for size in sizes:
            cells = []
            for rep, *_ in REPLACERS:
                for table in (old, rows):
                    r = table.get(("zipfian+scans", rep, size))
                    cells.append(f"{100 * r['hitRate']:.1f}% ({r['missesPerGet']:.2f})" if r else "-")
            print(f"| {size:,} | " + " | ".join(cells) + " |")
        print()
    fig, axes = plt.subplots(2, 3, figsize=(13, 7.5), sharex=True)
    internal = tree["internalPages"]
    whole = tree["internalPages"] + tree["leaves"]
    for col, (w, title) in enumerate(WORKLOADS):
        top, bottom = axes[0][col], axes[1][col]
        for rep, color, marker in REPLACERS:
            present = [s for s in sizes if (w, rep, s) in rows]
            label = "LRU-2" if rep == "LRU_2" else rep
            top.plot(present, [100 * rows[(w, rep, s)]["hitRate"] for s in present], marker=marker, color=color,
                     label=label)
            bottom.plot(present, [rows[(w, rep, s)]["missesPerGet"] for s in present], marker=marker, color=color,
                        label=label)
        present = [s for s in sizes if (w, "LRU_2", s) in old]
        if present:
            top.plot(present, [100 * old[(w, "LRU_2", s)]["hitRate"] for s in present], color="tab:blue",
                     linestyle=":", marker="x", label="LRU-2 before the scan fix")
            bottom.plot(present, [old[(w, "LRU_2", s)]["missesPerGet"] for s in present], color="tab:blue",
                        linestyle=":", marker="x", label="LRU-2, before the fix")
        for a in (top, bottom):
            a.set_xscale("log", base=2)
            a.axvline(internal, color="grey", linestyle=":", linewidth=1)
            a.axvline(whole, color="grey", linestyle="--", linewidth=1)
            a.grid(True, which="both", alpha=0.3)
            a.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:,.0f}"))
            a.xaxis.set_minor_formatter(NullFormatter())
        top.set_title(title, fontsize=10)
        top.set_ylim(top=100.5)
        bottom.axhline(1.0, color="black", linewidth=0.8)
        bottom.set_xlabel("pool size, 4 KiB frames (log scale)")
        top.legend(fontsize=8, loc="lower right")
    top_lo = min(a.get_ylim()[0] for a in axes[0])
    for a in axes[0]:
        a.set_ylim(top_lo, 100.5)
    bottom_hi = max(a.get_ylim()[1] for a in axes[1])
    for a in axes[1]:
        a.set_ylim(0, bottom_hi)
    axes[0][0].set_ylabel("hit rate of the gets' page fetches, %")
    axes[1][0].set_ylabel("misses (page reads) per get")
    axes[1][0].text(internal, bottom_hi * 0.95, " internal pages", fontsize=7, color="grey", va="top")
    axes[1][0].text(whole, bottom_hi * 0.85, " whole tree", fontsize=7, color="grey", va="top")
    fig.suptitle(f"lab-04: buffer-pool hit rate against pool size, {d['keys']:,}-key B+tree "
                 f"(dotted: the {internal:,} internal pages; dashed: all {whole:,} pages)")
    save(fig, out_dir, "lab04-hit-rate.png")
    print()


def write_amp(data_dir, out_dir):
    d = load_counts(data_dir, "lab04-write-amp.json")
    if d is None:
        return
    tree_rows = [r for r in d["rows"] if r["store"] == "BPlusTree"]
    lsm = {r["workload"]: r for r in d["rows"] if r["store"] == "SortedLogStore"}
    intervals = sorted({r["checkpointEvery"] for r in tree_rows})
    pools = sorted({r["poolFrames"] for r in tree_rows})
    by = {(r["workload"], r["poolFrames"], r["checkpointEvery"]): r for r in tree_rows}
    print(f"## Write amplification: {d['updates']:,} overwrites of a {d['keys']:,}-key B+tree"
          " (disk bytes / user bytes, and page writes per update in brackets)")
    print()
    print("| workload | pool | " + " | ".join(f"checkpoint every {i:,}" for i in intervals) + " |")
    print("| --- | --- |" + " ---: |" * len(intervals))
    for w in ("uniform", "zipfian"):
        for p in pools:
            cells = []
            for i in intervals:
                r = by.get((w, p, i))
                cells.append(f"{r['writeAmplification']:.1f} ({r['pageWritesPerUpdate']:.3f})" if r else "-")
            print(f"| {w} | {p:,} frames ({p * 4 // 1024} MiB) | " + " | ".join(cells) + " |")
        if w in lsm:
            print(f"| {w} | lab-01 store | {lsm[w]['writeAmplification']:.1f} (a sync forces the log; it writes"
                  " nothing more) |" + " |" * (len(intervals) - 1))
    print()
    page = 4096
    print("Checkpoint overhead: bytes written besides the pool's page write-backs (page-table chunks and"
          " meta pages), per checkpoint and as a share of all bytes written")
    print()
    print("| workload | pool | checkpoint every | checkpoints | page write-backs | other bytes per checkpoint"
          " | share |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for r in tree_rows:
        other = r["diskBytesWritten"] - r["pageWrites"] * page
        print(f"| {r['workload']} | {r['poolFrames']:,} | {r['checkpointEvery']:,} | {r['checkpoints']:,} |"
              f" {r['pageWrites']:,} | {other / max(1, r['checkpoints']) / 1024:,.0f} KiB |"
              f" {100 * other / r['diskBytesWritten']:.1f}% |")
    print()
    fig, ax = plt.subplots(figsize=(10.5, 4.8))
    styles = {("uniform", pools[0]): ("tab:red", "o", "-"), ("uniform", pools[-1]): ("tab:red", "s", "--"),
              ("zipfian", pools[0]): ("tab:blue", "o", "-"), ("zipfian", pools[-1]): ("tab:blue", "s", "--")}
    for (w, p), (color, marker, line) in styles.items():
        present = [i for i in intervals if (w, p, i) in by]
        ax.plot(present, [by[(w, p, i)]["writeAmplification"] for i in present], marker=marker, color=color,
                linestyle=line, label=f"B+tree, {w}, {p * 4 // 1024} MiB pool")
    for w, color in (("uniform", "tab:red"), ("zipfian", "tab:blue")):
        if w in lsm:
            ax.axhline(lsm[w]["writeAmplification"], color=color, linestyle=":", linewidth=1.2,
                       label=f"lab-01 store, {w}")
    one_page = 4096 / (d["keyBytes"] + d["valueBytes"])
    ax.axhline(one_page, color="grey", linewidth=0.8,
               label=f"one 4 KiB page per {d['keyBytes'] + d['valueBytes']}-byte update")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.yaxis.set_major_locator(matplotlib.ticker.LogLocator(subs=(1, 2, 5)))
    ax.yaxis.set_minor_formatter(NullFormatter())
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:,.0f}"))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _: f"{y:g}"))
    ax.set_xlabel("updates between checkpoints (log scale)")
    ax.set_ylabel("disk bytes written / user bytes written (log scale)")
    ax.set_title(f"lab-04: write amplification of {d['updates']:,} overwrites, {d['keys']:,}-key tree")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
    save(fig, out_dir, "lab04-write-amp.png")
    print()


def fixes(data_dir, out_dir):
    results = load_if_present(data_dir, "lab04-fixes.json")
    if results is None:
        return
    rows = {}
    for r in results:
        p, sec = r["params"], r["secondaryMetrics"]
        rows[(method(r), p["code"], p["round"])] = (micros(sec["keyOps"]), total(sec["pageReads"]) / total(sec["ops"]))
    rounds = sorted({k[2] for k in rows})
    print("## The B+tree before and after the fixes, alternating runs (µs per operation, median [min, max];"
          " pages read per operation)")
    print()
    print("| operation | code | " + " | ".join(f"run {i}" for i in rounds) + " | pages read |")
    print("| --- | --- |" + " ---: |" * (len(rounds) + 1))
    for m, label in (("readrandom", "readrandom"), ("seekscan", "seek + scan 100")):
        for code in ("before", "after"):
            cells = [cell(rows[(m, code, i)][0]) if (m, code, i) in rows else "-" for i in rounds]
            reads = next(rows[(m, code, i)][1] for i in rounds if (m, code, i) in rows)
            print(f"| {label} | {code} | " + " | ".join(cells) + f" | {reads:.2f} |")
    print()


def concurrency(data_dir, out_dir):
    jmh = load_if_present(data_dir, "lab04-concurrency.json")
    rww = {}
    for mode in ("latches", "treeLock"):
        i = 1
        while True:
            d = load_counts(data_dir, f"lab04-rww-{mode}-{i}.json")
            if d is None:
                break
            rww.setdefault(mode, []).append(d)
            i += 1
    if jmh is None and not rww:
        return
    modes = ("latches", "treeLock")
    labels = {"latches": "page latches (T11)", "treeLock": "tree-wide lock (fallback)"}
    colors = {"latches": "tab:blue", "treeLock": "tab:gray"}
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    if jmh is not None:
        rows = {(method(r), r["params"]["locking"]): summary(r["primaryMetric"]) for r in jmh}
        print("## ConcurrencyBenchmark (operations per second, median [min, max] of the iterations)")
        print()
        print("| benchmark | " + " | ".join(labels[m] for m in modes) + " |")
        print("| --- |" + " ---: |" * len(modes))
        names = ("oneWriter", "twoWriters", "readrandom")
        for n in names:
            print(f"| {n} | " + " | ".join(cell(rows[(n, m)]) if (n, m) in rows else "-" for m in modes) + " |")
        for m in modes:
            if ("oneWriter", m) in rows and ("twoWriters", m) in rows:
                print(f"\ntwo writers / one writer, {labels[m]}: "
                      f"{rows[('twoWriters', m)]['median'] / rows[('oneWriter', m)]['median']:.2f}")
        if ("readrandom", "latches") in rows and ("readrandom", "treeLock") in rows:
            print(f"readrandom, time per get with latches over the tree-wide lock: "
                  f"{rows[('readrandom', 'treeLock')]['median'] / rows[('readrandom', 'latches')]['median']:.2f}")
        print()
        ax = axes[0]
        width = 0.38
        for j, m in enumerate(modes):
            xs = [i + (j - 0.5) * width for i in range(len(names))]
            med = [rows[(n, m)]["median"] / 1e3 if (n, m) in rows else 0 for n in names]
            lo = [max(0.0, med[i] - rows[(n, m)]["min"] / 1e3) if (n, m) in rows else 0 for i, n in enumerate(names)]
            hi = [max(0.0, rows[(n, m)]["max"] / 1e3 - med[i]) if (n, m) in rows else 0 for i, n in enumerate(names)]
            ax.bar(xs, med, width, yerr=[lo, hi], capsize=3, label=labels[m], color=colors[m])
        ax.set_xticks(range(len(names)))
        ax.set_xticklabels(["one writer", "two writers\n(disjoint keys)", "readrandom\n(no writer)"])
        ax.set_ylabel("thousand operations per second")
        ax.set_title("JMH, 200k keys, whole tree in the pool")
        ax.legend()
    if rww:
        print("## readwhilewriting, 1M keys (gets per second beside one writer; get p50 / p99 / p99.9 µs)")
        print()
        for m in modes:
            for i, d in enumerate(rww.get(m, []), 1):
                g = d["latency"]["get"]
                print(f"| {labels[m]} | run {i} | {d['opsPerSecond']:,.0f} | {g['p50']:.1f} / {g['p99']:.1f} / "
                      f"{g['p999']:,.0f} | {d['operations']['writes']:,} writes |")
        print()
        ax = axes[1]
        for j, m in enumerate(modes):
            runs = rww.get(m, [])
            xs = [j + (k - (len(runs) - 1) / 2) * 0.25 for k in range(len(runs))]
            ax.bar(xs, [d["opsPerSecond"] / 1e3 for d in runs], 0.22, color=colors[m], label=labels[m])
        ax.axhline(3.812, color="tab:red", linestyle=":", label="baseline (notes/benchmarks.md): 3,812")
        ax.axhline(100, color="tab:green", linestyle="--", label="target: 100,000")
        ax.set_xticks(range(len(modes)))
        ax.set_xticklabels([labels[m] for m in modes])
        ax.set_ylabel("thousand gets per second")
        ax.set_title("workbench readwhilewriting, 1M keys, 4 MiB pool")
        ax.legend(fontsize=8, loc="center right")
    save(fig, out_dir, "lab04-concurrency.png")


def hitpath(data_dir, out_dir):
    """§4.7.6: the replacer's hit path, before (TreeSet LRU-2) and after, from lab04-hitpath/."""
    base = os.path.join(data_dir, "lab04-hitpath")
    if not os.path.isdir(os.path.join(base, "m")):
        return
    runs = {}
    for tag in ("before", "after"):
        for w in ("readrandom", "readwhilewriting"):
            for i in (1, 2, 3):
                d = load_counts(os.path.join(base, "m"), f"{tag}-btree-{w}-{i}.json")
                if d is not None:
                    runs.setdefault((tag, w), []).append(d)
    fig, axes = plt.subplots(1, 3, figsize=(14, 4.2))
    colors = {"before": "tab:gray", "after": "tab:blue"}
    labels = {"before": "LRU-2 in a TreeSet (before)", "after": "ranks + VictimBatch (after)"}
    workloads = ("readrandom", "readwhilewriting")
    for j, tag in enumerate(("before", "after")):
        for k, (ax, key, scale, title) in enumerate((
                (axes[0], lambda d: d["opsPerSecond"] / 1e3, 1, "gets per second (thousands), runs 1-3"),
                (axes[1], lambda d: d["latency"]["get"]["p50"], 1, "median get (µs), runs 1-3"))):
            for w_i, w in enumerate(workloads):
                ds = runs.get((tag, w), [])
                xs = [w_i + (j - 0.5) * 0.4 + (r - 1) * 0.12 for r in range(len(ds))]
                ax.bar(xs, [key(d) for d in ds], 0.11, color=colors[tag], label=labels[tag] if w_i == 0 else None)
            ax.set_xticks(range(len(workloads)))
            ax.set_xticklabels(["readrandom", "readwhilewriting"])
            ax.set_title(title)
    axes[0].legend(fontsize=8)
    jmh = {}
    for tag in ("before", "after"):
        for i in (1, 2, 3):
            f = os.path.join(base, "jmh", f"conc-{tag}-{i}.json")
            if os.path.exists(f):
                for r in json.load(open(f)):
                    jmh.setdefault((tag, method(r)), []).append(r["primaryMetric"]["score"])
    ax = axes[2]
    names = ("oneWriter", "twoWriters")
    for j, tag in enumerate(("before", "after")):
        for n_i, n in enumerate(names):
            vals = jmh.get((tag, n), [])
            xs = [n_i + (j - 0.5) * 0.4 + (r - 1) * 0.12 for r in range(len(vals))]
            ax.bar(xs, [v / 1e3 for v in vals], 0.11, color=colors[tag])
    ax.set_xticks(range(len(names)))
    ax.set_xticklabels(["one writer", "two writers (disjoint keys)"])
    ax.set_title("JMH ConcurrencyBenchmark, puts/s (thousands)")
    fig.suptitle("lab-04 §4.7.6, 1M keys (workbench) and 200k keys (JMH); a machine at load 4-21: compare within a run")
    save(fig, out_dir, "lab04-hitpath.png")


def main(argv):
    return run(argv, __doc__, store_ops, leaf_fill, buffer_pool, write_amp, fixes, concurrency, hitpath)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
