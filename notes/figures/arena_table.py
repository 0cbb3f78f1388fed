#!/usr/bin/env python3
"""The arena's tables for notes/07-hybrid.md §7.15, from notes/figures/measure_arena.sh's output.

    notes/figures/arena_table.py [DIR]      # DIR: default notes/data/lab07/arena; writes DIR/TABLE.md

Per cell: each engine's median round (ops/s, CPU us/op, write amplification, get p99, memory held),
every round's ops/s (the spread), the load average before and after, the targets' checks
(hybrid over the better pure engine's throughput; write amplification and get p99 against that
engine's; CPU time per operation over the B+tree's), and where each engine's time per operation goes.
"""
import json
import os
import sys

d = sys.argv[1] if len(sys.argv) > 1 else "notes/data/lab07/arena"
lines = []
for cell in ["ecommerce", "ecommerce-settled", "ycsb-b", "ycsb-c", "uniform-in-memory", "uniform-in-memory-with-cache",
             "uniform-in-memory-first"]:
    path = os.path.join(d, cell + ".json")
    if not os.path.exists(path):
        continue
    doc = json.load(open(path))
    load = open(os.path.join(d, cell + ".load")).read().split("\n")
    load = [l.split("load average:")[1].strip() for l in load if "load average:" in l]
    res = {r["engine"]: r for r in doc["results"]}
    first = doc["results"][0]
    lines.append(f"### {cell}: {first['keys']:,} keys, data {doc['dataMultiple']}x a budget of "
                 f"{doc['memoryBudget'] >> 20} MiB, sync {doc['syncMode']}, page cache bypassed: {doc['pageCacheBypassed']}")
    lines.append("")
    lines.append(f"load average before: {load[0] if load else '?'}; after: {load[1] if len(load) > 1 else '?'}")
    lines.append("")
    lines.append("| engine | ops/s (median) | rounds' ops/s | CPU µs/op | rounds' CPU µs/op | write amp. | get p50 / p99 / p99.9 µs | memory held | settled |")
    lines.append("| --- | ---: | --- | ---: | --- | ---: | --- | ---: | --- |")
    for e, r in res.items():
        rounds = ", ".join(f"{v:,.0f}" for v in r.get("roundsOpsPerSecond", []))
        cpus = ", ".join(f"{v:.1f}" for v in r.get("roundsCpuMicrosPerOp", []))
        lines.append(f"| {e} | {r['opsPerSecond']:,.0f} | {rounds} | {r['cpuMicrosPerOp']:.1f} | {cpus} | "
                     f"{r['writeAmplification']:.2f} | {r['getP50Micros']:.1f} / {r['getP99Micros']:.0f} / {r['getP999Micros']:.0f} | "
                     f"{r['memoryBytes'] / 2**20:.2f} MiB | {r['settled']} |")
    lines.append("")
    if "hybrid" in res:
        h = res["hybrid"]
        pure = [r for e, r in res.items() if e in ("btree", "lsm")]  # the course's pure engines
        if pure:
            best = max(pure, key=lambda r: r["opsPerSecond"])
            lines.append(f"- hybrid / better pure engine ({best['engine']}): **{h['opsPerSecond'] / best['opsPerSecond']:.2f}x** "
                         f"throughput (rounds: " + ", ".join(
                             f"{a / b:.2f}" for a, b in zip(h.get("roundsOpsPerSecond", []), best.get("roundsOpsPerSecond", [])))
                         + f"); write amplification {h['writeAmplification']:.2f} vs {best['writeAmplification']:.2f}; "
                         f"get p99 {h['getP99Micros']:.0f} vs {best['getP99Micros']:.0f} µs")
        if "btree" in res:
            b = res["btree"]
            lines.append(f"- hybrid / btree: {h['opsPerSecond'] / b['opsPerSecond']:.2f}x throughput; CPU time per operation "
                         f"{h['cpuMicrosPerOp'] / b['cpuMicrosPerOp']:.2f}x the B+tree's")
        if "rocksdb" in res:
            rk = res["rocksdb"]
            lines.append("- against RocksDB, the production peer: " + "; ".join(
                f"{e} {res[e]['opsPerSecond'] / rk['opsPerSecond']:.2f}x its throughput, "
                f"{res[e]['cpuMicrosPerOp'] / rk['cpuMicrosPerOp']:.2f}x its CPU time per operation"
                for e in ("btree", "lsm", "hybrid") if e in res))
        lines.append("")
    # where each engine's time per operation goes (the fields exist from the arena's 2026-11-26 runs on)
    timed = [r for r in res.values() if "deviceReadMicrosPerOp" in r]
    if timed:
        lines.append("Where the time goes (the median round): time per operation, the request thread's wait for the "
                     "device's reads (direct reads; -1: the engine reads its own files), and each kind of operation's "
                     "share of the measured time with its mean:")
        lines.append("")
        for r in timed:
            shares = ", ".join(f"{k} {100 * v['timeShare']:.0f}% ({v['mean']:.1f} µs)" for k, v in r["latency"].items())
            state = r.get("engineState") or {}
            lines.append(f"- {r['engine']}: {1e6 / r['opsPerSecond']:.2f} µs, device reads {r['deviceReadMicrosPerOp']:.2f} µs; "
                         f"{shares}" + (f"; state {state}" if state else ""))
        lines.append("")
out = os.path.join(d, "TABLE.md")
open(out, "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
