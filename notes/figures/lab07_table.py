#!/usr/bin/env python3
"""The lab-07 workload table (notes/07-hybrid.md §7.10), in markdown: for each workload and engine
the median of the runs in DIR (ENGINE-WORKLOAD-N.json from notes/figures/measure_lab07.sh, the load
average before and after each in ENGINE-WORKLOAD-N.load), then the three targets on ecommerce:
hybrid's ops/s at least 1.3x the better of btree and lsm, its write amplification below the btree's,
its get p99 below the lsm's. Each figure is its own median (the median run by ops/s need not be the
median run by p99).

Usage: python3 notes/figures/lab07_table.py DIR [btree lsm hybrid] > DIR/TABLE.md
"""
import glob
import json
import os
import re
import statistics
import sys

WORKLOADS = ["ecommerce", "ycsb-a", "ycsb-b", "ycsb-e", "fillrandom"]
# the operation whose p99 the latency table shows: the gets where there are any
P99_OF = {"ecommerce": "get", "ycsb-a": "get", "ycsb-b": "get", "ycsb-e": "scan", "fillrandom": "put"}


def load_runs(d, engines):
    runs = {}
    for path in sorted(glob.glob(os.path.join(d, "*.json"))):
        name = os.path.basename(path)[:-5]
        m = re.match(r"^(.*)-(\d+)$", name)
        if not m:
            continue
        for e in sorted(engines, key=len, reverse=True):
            for w in WORKLOADS:
                if m.group(1) == e + "-" + w:
                    r = json.load(open(path))
                    load_file = path[:-5] + ".load"
                    r["_load"] = [float(x) for x in open(load_file).read().split()] if os.path.exists(load_file) else []
                    runs.setdefault((e, w), []).append(r)
    return runs


def median(values):
    values = [v for v in values if v is not None and v == v]  # drop None and NaN
    return statistics.median(values) if values else None


def ops(rs):
    return median([r["opsPerSecond"] for r in rs])


def p99(rs, kind):
    return median([r["latency"][kind]["p99"] if kind in r["latency"] else None for r in rs])


def counter(rs, name):
    return median([r["counters"].get(name) for r in rs])


def gauge(rs, name):
    return median([r["gauges"].get(name) for r in rs])


def loads(rs):
    ls = [x for r in rs for x in r["_load"]]
    return f"{min(ls):.1f}–{max(ls):.1f}" if ls else "?"


def fmt(v, spec):
    return "–" if v is None else format(v, spec)


def main():
    d = sys.argv[1]
    engines = sys.argv[2:] or ["btree", "lsm", "hybrid"]
    runs = load_runs(d, engines)
    base = [e for e in engines if e != "hybrid"]
    any_run = next(iter(runs.values()))[0] if runs else None
    print("# lab-07: hybrid against the B+tree and the LSM tree\n")
    if any_run:
        s = any_run["spec"]
        print(f"`notes/figures/measure_lab07.sh`: {s['keys']:,} keys, {s['valueBytes']}-byte values, seed {s['seed']}; "
              f"{s['ops']:,} measured operations (the fills put every key); the preload and its sync untimed; "
              "one JVM and a fresh directory per run. Each cell is the median of its runs (the number in brackets); "
              "the load is the 1-minute load average before and after those runs, lowest–highest, on 2 cores shared "
              "with other work.\n")
    print("## Throughput, ops/s\n")
    print("| workload | " + " | ".join(engines) + (" | hybrid / best of " + ", ".join(base) if "hybrid" in engines else "")
          + " | load |")
    print("|---" * (len(engines) + 2 + ("hybrid" in engines)) + "|")
    for w in WORKLOADS:
        cells, med = [], {}
        for e in engines:
            rs = runs.get((e, w), [])
            med[e] = ops(rs)
            cells.append(f"{fmt(med[e], ',.0f')} ({len(rs)})" if rs else "–")
        row = f"| {w} | " + " | ".join(cells)
        if "hybrid" in engines:
            best = max([med[e] for e in base if med.get(e)] or [0])
            row += " | " + (f"{med['hybrid'] / best:.2f}" if med.get("hybrid") and best else "–")
        all_rs = [r for e in engines for r in runs.get((e, w), [])]
        print(row + f" | {loads(all_rs)} |")
    print("\n## p99 latency, µs (of the gets; ycsb-e: of the scans; fillrandom: of the puts)\n")
    print("| workload | " + " | ".join(engines) + " |")
    print("|---" * (len(engines) + 1) + "|")
    for w in WORKLOADS:
        print(f"| {w} ({P99_OF[w]}) | " + " | ".join(fmt(p99(runs.get((e, w), []), P99_OF[w]), ",.1f") for e in engines) + " |")
    print("\n## Write amplification (disk bytes written over user bytes; the measured operations and the final sync)\n")
    print("| workload | " + " | ".join(engines) + " |")
    print("|---" * (len(engines) + 1) + "|")
    for w in WORKLOADS:
        print(f"| {w} | " + " | ".join(fmt(counter(runs.get((e, w), []), "write_amplification"), ".2f") for e in engines) + " |")
    if "hybrid" in engines:
        print("\n## The hybrid's own figures (medians)\n")
        print("| workload | migrations | deferred | hot keys at the end | cache hit rate | B+tree page reads per get"
              " | LSM block reads per get |")
        print("|---" * 7 + "|")
        for w in WORKLOADS:
            rs = runs.get(("hybrid", w), [])
            if not rs:
                continue
            print(f"| {w} | {fmt(counter(rs, 'migrations'), ',.0f')} | {fmt(counter(rs, 'migrations_deferred'), ',.0f')} | "
                  f"{fmt(gauge(rs, 'hot_keys'), ',.0f')} | {fmt(counter(rs, 'cache_hit_rate'), '.3f')} | "
                  f"{fmt(counter(rs, 'page_reads_per_get'), '.3f')} | {fmt(counter(rs, 'block_reads_per_get'), '.3f')} |")
        h, b, l = (runs.get((e, "ecommerce"), []) for e in ("hybrid", "btree", "lsm"))
        if h and b and l:
            print("\n## The targets, on ecommerce\n")
            best = max(ops(b), ops(l))
            ratio = ops(h) / best
            wa_h, wa_b = counter(h, "write_amplification"), counter(b, "write_amplification")
            p_h, p_l = p99(h, "get"), p99(l, "get")
            print("| check | figures | met |")
            print("|---|---|---|")
            print(f"| ops/s at least 1.3x the better of btree and lsm | {ops(h):,.0f} / {best:,.0f} = {ratio:.2f}x | "
                  f"{'yes' if ratio >= 1.3 else 'no'} |")
            print(f"| write amplification below the btree's | {wa_h:.2f} against {wa_b:.2f} | {'yes' if wa_h < wa_b else 'no'} |")
            print(f"| get p99 below the lsm's | {p_h:,.1f} against {p_l:,.1f} µs | {'yes' if p_h < p_l else 'no'} |")


if __name__ == "__main__":
    main()
