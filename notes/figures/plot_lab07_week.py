#!/usr/bin/env python3
"""Draws lab-07's week figure: migrations per simulated hour and tier sizes over a simulated week of
the e-commerce day cycle, for the simple engine and the hardened one, from what
dev.storagelab.hybrid.scenario.WeekSimulation wrote, and prints a per-day summary table (Markdown).

Usage (from the workspace root; needs matplotlib: `apt-get install python3-matplotlib` on Debian,
then run it with /usr/bin/python3):

    /usr/bin/python3 notes/figures/plot_lab07_week.py notes/data/lab07/week.csv notes/figures/lab07-week.png
"""

import csv
import sys
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)

ENGINES = {"simple": ("simple engine", "tab:red"), "hardened": ("hardened HybridStore", "tab:blue")}


def load(path):
    rows = defaultdict(list)
    with open(path) as f:
        for r in csv.DictReader(f):
            rows[r["engine"]].append({k: (v if k == "engine" else int(v)) for k, v in r.items()})
    for engine in rows:
        rows[engine].sort(key=lambda r: r["hour"])
    return rows


def shade_nights(ax, hours):
    for day in range(0, (hours + 23) // 24):
        ax.axvspan(day * 24, day * 24 + 7, color="0.92", lw=0)
        ax.axvspan(day * 24 + 22, day * 24 + 24, color="0.92", lw=0)
    ax.set_xlim(0, hours)


def main(data, out):
    rows = load(data)
    hours = max(r["hour"] for rs in rows.values() for r in rs) + 1
    fig, (top, mid, bottom) = plt.subplots(3, 1, figsize=(11, 9), sharex=True)
    for ax in (top, mid, bottom):
        shade_nights(ax, hours)
    for engine, rs in rows.items():
        label, color = ENGINES.get(engine, (engine, None))
        x = [r["hour"] for r in rs]
        top.step(x, [r["migrations"] for r in rs], where="post", label=label, color=color)
        mid.plot(x, [r["hotKeys"] for r in rs], label=label, color=color)
        bottom.plot(x, [r["hotBytes"] / 1e6 for r in rs], label=label + ": B+tree (hot)", color=color)
        bottom.plot(x, [r["coldBytes"] / 1e6 for r in rs], label=label + ": LSM tree (cold)", color=color, ls="--")
        if any(r["archiveBytes"] for r in rs):
            bottom.plot(x, [r["archiveBytes"] / 1e6 for r in rs], label=label + ": archive", color=color, ls=":")
    top.set_ylabel("migrations per hour")
    top.set_yscale("symlog", linthresh=1)
    top.legend(loc="upper right")
    top.set_title("A simulated week of the e-commerce day cycle (nights shaded)")
    mid.set_ylabel("keys routed to the B+tree")
    mid.legend(loc="upper left")
    bottom.set_ylabel("tier size (MB)")
    bottom.set_xlabel("simulated hour")
    bottom.legend(loc="upper left", fontsize="small")
    bottom.set_xticks(range(0, hours + 1, 24))
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    print(f"wrote {out}")

    print("\n| engine | day | operations | migrations | busiest hour | hot keys at midnight | B+tree MB | LSM MB |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for engine, rs in rows.items():
        for day in range(hours // 24):
            d = [r for r in rs if r["day"] == day]
            if not d:
                continue
            last = d[-1]
            print(f"| {engine} | {day + 1} | {sum(r['ops'] for r in d):,} | {sum(r['migrations'] for r in d):,} | "
                  f"{max(r['migrations'] for r in d):,} | {last['hotKeys']:,} | {last['hotBytes'] / 1e6:.1f} | "
                  f"{last['coldBytes'] / 1e6:.1f} |")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "notes/data/lab07/week.csv",
         sys.argv[2] if len(sys.argv) > 2 else "notes/figures/lab07-week.png")
