"""The db_bench-style baseline of notes/benchmarks.md: a table and a plot from the JSON results
that run_benchmarks.sh writes (one `./storagelab workload --json` result per engine and workload).

Usage (from the workspace root; needs matplotlib: `apt-get install python3-matplotlib` on Debian):
    /usr/bin/python3 notes/figures/plot_benchmarks.py notes/data/bench notes/figures
Writes benchmarks-throughput.png and prints the Markdown tables the notes show.
"""

import json
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)

from jmhplot import save  # noqa: E402

ENGINES = ["sortedlog", "btree", "avl", "skiplist", "bst", "rocksdb", "leveldb", "h2"]
WORKLOADS = ["fillseq", "fillrandom", "overwrite", "readrandom", "readmissing", "seekrandom", "readwhilewriting"]


def load_all(data_dir):
    results = {}
    for name in sorted(os.listdir(data_dir)):
        if name.endswith(".json"):
            with open(os.path.join(data_dir, name)) as f:
                r = json.load(f)
            results[(r["engine"], r["workload"])] = r
    return results


def main_op(r):
    """The operation a workload is about: reads for readwhilewriting, else the only one."""
    lat = r["latency"]
    return lat.get("get") if r["workload"] in ("readwhilewriting",) else next(iter(lat.values()))


def tables(results):
    engines = [e for e in ENGINES if any(k[0] == e for k in results)]
    print("| workload | " + " | ".join(engines) + " |")
    print("|---|" + "---:|" * len(engines))
    for w in WORKLOADS:
        cells = []
        for e in engines:
            r = results.get((e, w))
            cells.append("–" if r is None else "{:,.0f}".format(r["opsPerSecond"]))
        print("| " + w + " ops/s | " + " | ".join(cells) + " |")
    print()
    print("| workload | " + " | ".join(engines) + " |")
    print("|---|" + "---:|" * len(engines))
    for w in WORKLOADS:
        cells = []
        for e in engines:
            r = results.get((e, w))
            cells.append("–" if r is None else "{:.1f} / {:.0f}".format(main_op(r)["p50"], main_op(r)["p99"]))
        print("| " + w + " p50 / p99 µs | " + " | ".join(cells) + " |")
    print()
    print("Ratios to the B+tree (ops/s of the engine / ops/s of btree):")
    print("| workload | " + " | ".join(engines) + " |")
    print("|---|" + "---:|" * len(engines))
    for w in WORKLOADS:
        base = results.get(("btree", w))
        cells = []
        for e in engines:
            r = results.get((e, w))
            cells.append("–" if r is None or base is None else "{:.2f}".format(r["opsPerSecond"] / base["opsPerSecond"]))
        print("| " + w + " | " + " | ".join(cells) + " |")


def counters(results):
    """The engines' own counters, per run (the measured operations and the final sync)."""
    engines = [e for e in ENGINES if any(k[0] == e for k in results)]
    rows = [
        ("fillrandom", "write_amplification", "write amplification, fillrandom", "{:.2f}"),
        ("overwrite", "write_amplification", "write amplification, overwrite", "{:.2f}"),
        ("readrandom", ("page_reads_per_get", "block_reads_per_get"), "pages or blocks read per get, readrandom", "{:.2f}"),
        ("readrandom", "cache_hit_rate", "cache hit rate, readrandom", "{:.3f}"),
    ]
    print()
    print("| counter | " + " | ".join(engines) + " |")
    print("|---|" + "---:|" * len(engines))
    for workload, names, label, fmt in rows:
        cells = []
        for e in engines:
            r = results.get((e, workload))
            value = None
            for name in names if isinstance(names, tuple) else (names,):
                if r is not None and isinstance(r["counters"].get(name), (int, float)):
                    value = r["counters"][name]
                    break
            cells.append("–" if value is None or value != value else fmt.format(value))
        print("| " + label + " | " + " | ".join(cells) + " |")


def plot(results, out_dir):
    engines = [e for e in ENGINES if any(k[0] == e for k in results)]
    fig, ax = plt.subplots(figsize=(11, 5))
    width = 0.8 / len(engines)
    for i, e in enumerate(engines):
        xs, ys = [], []
        for j, w in enumerate(WORKLOADS):
            r = results.get((e, w))
            if r is not None:
                xs.append(j + i * width)
                ys.append(r["opsPerSecond"])
        ax.bar(xs, ys, width, label=e)
    ax.set_xticks([j + 0.4 - width / 2 for j in range(len(WORKLOADS))])
    ax.set_xticklabels(WORKLOADS)
    ax.set_yscale("log")
    ax.set_ylabel("operations per second (log scale)")
    ax.set_title("db_bench-style workloads, 16-byte keys, 100-byte values")
    ax.legend(ncol=4, fontsize=8)
    save(fig, out_dir, "benchmarks-throughput.png")


def main():
    data_dir, out_dir = sys.argv[1], sys.argv[2]
    results = load_all(data_dir)
    tables(results)
    counters(results)
    plot(results, out_dir)


if __name__ == "__main__":
    main()
