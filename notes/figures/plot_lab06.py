#!/usr/bin/env python3
"""Draws the lab-06 storage-media, recovery-time and write-twice figures of the notes and prints the
tables they quote (Markdown, ready for notes/data/lab06/FIGURES.md).

Usage (from the workspace root; needs matplotlib: `apt-get install python3-matplotlib` on Debian,
then run it with /usr/bin/python3):

    /usr/bin/python3 notes/figures/plot_lab06.py notes/data/lab06 notes/figures

reads, from the data folder (a missing file is skipped), what notes/figures/measure_lab06.sh wrote:
- storage-media-1.json, storage-media-2.json: StorageMedia, run first and last (force latency,
  4 KiB write bandwidth, random 4 KiB read latency with and without the page cache);
- recovery-time.json: RecoveryTime (KvStore.open after a crash, against the checkpoint interval);
- write-twice.json: WriteTwice (log, checkpoint and engine bytes written per user byte);
- long-reader/long-reader.json: LongReaderBenchmark (JMH), the reader's age 0 to 400,000 commits;

and writes lab06-storage-media.png, lab06-recovery.png, lab06-write-twice.png and lab06-long-reader.png
to the figures folder.
"""

import json
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)
from matplotlib.ticker import FuncFormatter, NullFormatter  # noqa: E402

from jmhplot import run, save  # noqa: E402

ENGINES = {"btree": ("B+tree", "tab:blue", "o"), "lsm": ("LSM tree", "tab:red", "s")}


def load_json(data_dir, name):
    path = os.path.join(data_dir, name)
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def us(x):
    """A latency in µs for a table: no decimals from 100 up, one below."""
    return f"{x:,.0f}" if x >= 100 else f"{x:.1f}"


def log_axis(ax, axis="y"):
    target = ax.yaxis if axis == "y" else ax.xaxis
    (ax.set_yscale if axis == "y" else ax.set_xscale)("log")
    target.set_minor_formatter(NullFormatter())
    target.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,g}"))


def storage_media(data_dir, out_dir):
    runs = [r for r in (load_json(data_dir, f"storage-media-{i}.json") for i in (1, 2)) if r is not None]
    if not runs:
        return
    print("## Storage media on this machine (StorageMedia; µs; run 1 / run 2 of measure_lab06.sh)")
    print()
    print(f"File system: {runs[0]['fileSystem']}. Load (1/5/15 min) before each run: "
          + "; ".join(f"run {i + 1}: {r['loadavgBefore']}" for i, r in enumerate(runs)) + ".")
    print()
    print("| force after | ops | p50 | p99 | p99.9 | max |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for i, row in enumerate(runs[0]["force"]):
        rs = [r["force"][i] for r in runs]
        print(f"| {row['what']} | " + " / ".join(str(r["ops"]) for r in rs) + " | "
              + " | ".join(" / ".join(us(r[k]) for r in rs) for k in ("p50Us", "p99Us", "p999Us", "maxUs")) + " |")
    print()
    print("| 4 KiB writes | bytes | MB/s | writes/s | p50 µs (forced each) | p99 µs |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for i, row in enumerate(runs[0]["writeBandwidth"]):
        rs = [r["writeBandwidth"][i] for r in runs]
        lat = (" / ".join(us(r["p50Us"]) for r in rs), " / ".join(us(r["p99Us"]) for r in rs)) \
            if row["forceEach"] else ("-", "-")
        print(f"| {row['what']} | " + " / ".join(f"{r['bytes'] / 2**20:.1f} MiB" for r in rs) + " | "
              + " / ".join(f"{r['mbPerSecond']:,.1f}" for r in rs) + " | "
              + " / ".join(f"{r['writesPerSecond']:,.0f}" for r in rs) + f" | {lat[0]} | {lat[1]} |")
    print()
    print("| random 4 KiB read | ops | p50 | p99 | p99.9 |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for i, row in enumerate(runs[0]["randomRead"]):
        rs = [r["randomRead"][i] for r in runs]
        if "error" in row:
            print(f"| {row['what']} | failed: {row['error']} | | | |")
            continue
        print(f"| {row['what']}, {row['fileBytes'] / 2**20:.0f} MiB file | " + " / ".join(str(r["ops"]) for r in rs)
              + " | " + " | ".join(" / ".join(us(r[k]) for r in rs) for k in ("p50Us", "p99Us", "p999Us")) + " |")
    for row in runs[0]["randomRead"]:
        if "note" in row:
            print()
            print(f"Page cache check (run 1, {row['what']}): {row['note']}.")
    print()

    fig, axes = plt.subplots(1, 3, figsize=(15, 5))
    pct = (("p50Us", "p50", "tab:green"), ("p99Us", "p99", "tab:orange"), ("p999Us", "p99.9", "tab:red"))

    def latency_bars(ax, key, title, label_of):
        rows = runs[0][key]
        rows = [r for r in rows if "error" not in r]
        width = 0.8 / len(pct)
        for j, (k, name, color) in enumerate(pct):
            xs = [i + (j - 1) * width for i in range(len(rows))]
            ax.bar(xs, [r[k] for r in rows], width, color=color, label=f"{name} (run 1)")
            if len(runs) > 1:
                other = [r for r in runs[1][key] if "error" not in r]
                ax.plot(xs, [r[k] for r in other], "k_", markersize=12, mew=2,
                        label="run 2" if j == 0 else None)
        ax.set_xticks(range(len(rows)))
        ax.set_xticklabels([label_of(r) for r in rows], fontsize=8)
        log_axis(ax)
        ax.set_ylabel("µs (log scale)")
        ax.set_title(title)
        ax.grid(True, axis="y", which="both", alpha=0.3)
        ax.legend(fontsize=8)

    latency_bars(axes[0], "force", "write + force latency",
                 lambda r: r["what"].replace(" + ", "\n+ ").replace("in place", "\nin place"))
    latency_bars(axes[2], "randomRead", "random 4 KiB read latency",
                 lambda r: r["what"].replace(" (", "\n(").replace(", ", ",\n"))
    ax = axes[1]
    rows = runs[0]["writeBandwidth"]
    ax.bar(range(len(rows)), [r["mbPerSecond"] for r in rows], 0.6,
           color=["tab:blue" if not r["random"] else "tab:purple" for r in rows], label="run 1")
    if len(runs) > 1:
        ax.plot(range(len(rows)), [r["mbPerSecond"] for r in runs[1]["writeBandwidth"]], "k_", markersize=20, mew=2,
                label="run 2")
    ax.set_xticks(range(len(rows)))
    ax.set_xticklabels([r["what"].replace(" overwrites", "\noverwrites").replace(", forced", "\nforced")
                        .replace(" the end", "\nthe end") for r in rows], fontsize=7)
    log_axis(ax)
    ax.set_ylabel("MB/s (log scale)")
    ax.set_title("4 KiB write bandwidth")
    ax.grid(True, axis="y", which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.suptitle(f"Storage media on this machine ({runs[0]['fileSystem']}; load before run 1: "
                 f"{runs[0]['loadavgBefore']})", fontsize=10)
    save(fig, out_dir, "lab06-storage-media.png")
    print()


def recovery(data_dir, out_dir):
    d = load_json(data_dir, "recovery-time.json")
    if d is None:
        return
    rows = d["runs"]
    print(f"## Recovery after a crash (RecoveryTime): puts of a {d['valueBytes']}-byte value under 16-byte keys"
          f" ({d['keys']:,} keys), crash at {d['crashAt']} x the checkpoint interval; KvStore.open in a fresh JVM,"
          " median of 3 warm opens and 1 cold (ms)")
    print()
    print("| engine | checkpoint every | commits | log bytes at crash | checkpoints | log files on disk |"
          " records replayed | log replayed | open, warm (ms) | open, cold (ms) | load (1 min) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        print(f"| {ENGINES[r['engine']][0]} | {r['checkpointLogBytes'] / 2**20:g} MiB | {r['commits']:,} |"
              f" {r['walBytes'] / 2**20:.1f} MiB | {r['checkpoints']} | {r['walFileBytes'] / 2**20:.1f} MiB |"
              f" {r['replayedRecords']:,} | {r['replayedLogBytes'] / 2**20:.2f} MiB | {r['warmOpenMsMedian']:,.0f} |"
              f" {r['coldOpenMs']:,.0f} | {r['loadavg'].split()[0]} |")
    print()
    fig, (a, b) = plt.subplots(1, 2, figsize=(12, 4.8))
    for engine, (label, color, marker) in ENGINES.items():
        rs = [r for r in rows if r["engine"] == engine]
        if not rs:
            continue
        xs = [r["checkpointLogBytes"] / 2**20 for r in rs]
        a.plot(xs, [r["warmOpenMsMedian"] for r in rs], marker=marker, color=color, label=f"{label}, warm cache")
        a.plot(xs, [r["coldOpenMs"] for r in rs], marker=marker, color=color, linestyle="--", mfc="none",
               label=f"{label}, cold cache")
        b.plot([r["replayedLogBytes"] / 2**20 for r in rs], [r["warmOpenMsMedian"] for r in rs], marker=marker,
               color=color, linestyle="none", label=f"{label}, warm")
        b.plot([r["replayedLogBytes"] / 2**20 for r in rs], [r["coldOpenMs"] for r in rs], marker=marker,
               color=color, linestyle="none", mfc="none", label=f"{label}, cold")
    log_axis(a, "x")
    a.set_xlabel("checkpoint interval (MiB of log, log scale)")
    a.set_ylabel("KvStore.open after the crash (ms)")
    a.set_title(f"recovery time, crash at {d['crashAt']} x the interval")
    b.set_xlabel("log replayed (MiB since the checkpoint)")
    b.set_ylabel("KvStore.open after the crash (ms)")
    b.set_title("recovery time against the log it replays")
    for ax in (a, b):
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    save(fig, out_dir, "lab06-recovery.png")
    print()


def write_twice(data_dir, out_dir):
    d = load_json(data_dir, "write-twice.json")
    if d is None:
        return
    rows = d["runs"]
    print(f"## Writing data twice (WriteTwice): {d['commits']:,} commits of one put each ({d['keyBytes']}-byte key,"
          f" {d['valueBytes']}-byte value, {d['keys']:,} keys), {d['threads']} threads, then a checkpoint;"
          " bytes written / user bytes")
    print()
    print("| engine | sync mode | checkpoint every | commits/s | log | checkpoint record | engine | total |"
          " engine's own count | log forces | kernel (pages dirtied) | load (1 min) |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        u = r["userBytes"]
        own = (f"{r['btreePageWriteBytes'] / u:.2f} (page writes)" if "btreePageWriteBytes" in r else
               f"{r['lsmFlushBytes'] / u:.2f} flush + {r['lsmCompactionBytesWritten'] / u:.2f} compaction")
        print(f"| {ENGINES[r['engine']][0]} | {r['syncMode']} | {r['checkpointLogBytes'] / 2**20:g} MiB |"
              f" {r['commitsPerSecond']:,.0f} | {r['logWA']:.2f} | {r['checkpointFileBytes'] / u:.4f} |"
              f" {r['engineWA']:.2f} | {r['totalWA']:.2f} | {own} | {r['logForces']:,} | {r['kernelWA']:.2f} |"
              f" {r['loadavg'].split()[0]} |")
    print()
    fig, ax = plt.subplots(figsize=(11, 4.8))
    labels = [f"{ENGINES[r['engine']][0]}\n{r['syncMode']}\n{r['checkpointLogBytes'] / 2**20:g} MiB" for r in rows]
    xs = range(len(rows))
    log = [r["logWA"] for r in rows]
    eng = [r["engineWA"] + r["checkpointFileBytes"] / r["userBytes"] for r in rows]
    ax.bar(xs, log, 0.6, color="tab:gray", label="log (*.wal)")
    ax.bar(xs, eng, 0.6, bottom=log, color=[ENGINES[r["engine"]][1] for r in rows], alpha=0.7,
           label="engine files + checkpoint record")
    ax.plot(xs, [r["kernelWA"] for r in rows], "k*", markersize=9,
            label="pages the kernel saw dirtied (/proc/self/io write_bytes)")
    ax.axhline(1, color="black", linewidth=0.8)
    top = max(max(r["kernelWA"] for r in rows), max(a + b for a, b in zip(log, eng)))
    ax.set_ylim(0.8, top * 6)  # room for the legend above the bars
    ax.set_xticks(list(xs))
    ax.set_xticklabels(labels, fontsize=7)
    log_axis(ax)
    ax.set_ylabel("bytes written / user bytes (log scale)")
    ax.set_title(f"write amplification with the log included: {d['commits']:,} commits, {d['threads']} threads")
    ax.grid(True, axis="y", which="both", alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    save(fig, out_dir, "lab06-write-twice.png")
    print()


def long_reader(data_dir, out_dir):
    """LongReaderBenchmark (long-reader/long-reader.json and .txt): versions and bytes left after a
    collection that a reader open for N commits holds back, and the get and scan it costs."""
    d = load_json(data_dir, os.path.join("long-reader", "long-reader.json"))
    if d is None:
        return
    scores = {}
    for r in d:
        p = r["params"]
        scores.setdefault((p["mvccEngine"], int(p["readerAgeCommits"])), {})[r["benchmark"].rsplit(".", 1)[1]] = \
            r["primaryMetric"]["score"] / 1000.0
    keys = int(d[0]["params"]["mvccKeys"])
    ages = sorted({age for _, age in scores})
    # every overwrite stays while the reader is open: keys + age versions of 124 key+value bytes (see the .txt)
    print(f"## A long reader (LongReaderBenchmark, {keys:,} keys, skewed overwrites; µs)")
    print()
    print("| reader's age (commits) | versions per key | key+value MB | get, memory | get, B+tree | 100-key scan, memory |"
          " 100-key scan, B+tree |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for age in ages:
        m = scores.get(("memory", age), {})
        b = scores.get(("btree", age), {})
        print(f"| {age:,} | {(keys + age) / keys:.2f} | {(keys + age) * 127 / 1e6:.1f} | {m.get('getHotNewest', 0):.2f} |"
              f" {b.get('getHotNewest', 0):.2f} | {m.get('scanNewest100', 0):.1f} | {b.get('scanNewest100', 0):.1f} |")
    print()
    fig, (a, b) = plt.subplots(1, 2, figsize=(12, 4.8))
    a.plot([x / 1000 for x in ages], [(keys + x) / keys for x in ages], marker="o", color="tab:purple")
    a.set_xlabel("age of the oldest open snapshot (thousands of commits)")
    a.set_ylabel("versions per key after a collection")
    a.set_title(f"what a long reader keeps ({keys:,} keys)")
    a2 = a.twinx()
    a2.set_ylabel("key+value MB")
    a2.set_ylim([y * keys * 127 / 1e6 for y in a.get_ylim()])
    for engine, (label, color, marker) in (("memory", ("in memory", "tab:green", "s")),
                                           ("btree", ("B+tree", "tab:blue", "o"))):
        xs = [x / 1000 for x in ages if (engine, x) in scores]
        b.plot(xs, [scores[(engine, x)]["scanNewest100"] for x in ages if (engine, x) in scores], marker=marker,
               color=color, label=f"100-key scan, {label}")
        b.plot(xs, [scores[(engine, x)]["getHotNewest"] for x in ages if (engine, x) in scores], marker=marker,
               color=color, linestyle="--", mfc="none", label=f"get of a hot key, {label}")
    log_axis(b, "y")
    b.set_xlabel("age of the oldest open snapshot (thousands of commits)")
    b.set_ylabel("µs per operation at the newest snapshot (log scale)")
    b.set_title("what the old versions cost a reader")
    for ax in (a, b):
        ax.grid(True, which="both", alpha=0.3)
    b.legend(fontsize=8)
    save(fig, out_dir, "lab06-long-reader.png")
    print()


def main(argv):
    return run(argv, __doc__, storage_media, recovery, write_twice, long_reader)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
