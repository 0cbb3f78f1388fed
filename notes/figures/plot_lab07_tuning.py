#!/usr/bin/env python3
"""Draws lab-07's auto-tuning figure (T10, notes section 7.13) from what
dev.storagelab.hybrid.tune.TuningFigure wrote: on top, the operations per second of each phase of
the phase-shifting workload for the default configuration, the best fixed configuration of each
phase, the tuner and the tuner without damping; below, the tuner's four knobs per interval (the
damped tuner's value, what it wanted, and the undamped tuner's value), the phases shaded.

Usage (from the workspace root; needs matplotlib: `apt-get install python3-matplotlib` on Debian,
then run it with /usr/bin/python3):

    /usr/bin/python3 notes/figures/plot_lab07_tuning.py notes/data/lab07/tuning-knobs.csv \
        notes/data/lab07/tuning-throughput.csv notes/figures/lab07-tuning.png
"""

import csv
import sys
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)

KNOBS = [
    ("cache_share", "cache share of the memory budget"),
    ("dirty_share", "dirty share of the cache"),
    ("hysteresis", "router hysteresis"),
    ("consider_log2", "router sampling, log2(considerEvery)"),
]
PHASE_COLORS = ["#e8f0fb", "#fbeee6", "#eaf6ea", "#e8f0fb"]


def median(v):
    v = sorted(v)
    n = len(v)
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2


def load_throughput(path, metric="ops_per_cpu_s"):
    """The median over repetitions of `metric` per configuration and phase (operations per CPU-second
    of the whole JVM by default: on a loaded machine the wall-clock rate mostly measures the load)."""
    rates = defaultdict(lambda: defaultdict(list))
    phases = {}
    with open(path) as f:
        for r in csv.DictReader(f):
            p = int(r["phase_index"])
            phases[p] = r["phase"]
            rates[r["config"]][p].append(float(r[metric]))
    med = {c: {p: median(v) for p, v in ps.items()} for c, ps in rates.items()}
    return med, [phases[p] for p in sorted(phases)]


def positions(rows):
    """Each interval's x: its phase's index plus its place within the phase, so that runs of different
    speeds line up phase by phase."""
    per_phase = defaultdict(int)
    for r in rows:
        per_phase[int(r["phase_index"])] += 1
    seen = defaultdict(int)
    xs = []
    for r in rows:
        p = int(r["phase_index"])
        xs.append(p + seen[p] / per_phase[p])
        seen[p] += 1
    return xs


def load_knobs(path):
    rows = defaultdict(list)
    with open(path) as f:
        for r in csv.DictReader(f):
            rows[r["config"]].append(r)
    return rows


def main(knobs_csv, throughput_csv, out):
    mean, phases = load_throughput(throughput_csv)
    knobs = load_knobs(knobs_csv)
    fixed = {c: v for c, v in mean.items() if c.startswith("fixed") or c == "default"}
    best = {p: max(v[p] for v in fixed.values()) for p in range(len(phases))}
    series = [("default", mean["default"], "tab:gray"), ("best fixed for the phase", best, "tab:green"),
              ("tuner", mean["tuned"], "tab:blue")]
    if "tuned-undamped" in mean:
        series.append(("tuner without damping", mean["tuned-undamped"], "tab:red"))

    fig = plt.figure(figsize=(12, 10))
    grid = fig.add_gridspec(3, 2, height_ratios=[1.1, 1, 1])
    bars = fig.add_subplot(grid[0, :])
    width = 0.8 / len(series)
    for i, (label, rates, color) in enumerate(series):
        xs = [p + (i - (len(series) - 1) / 2) * width for p in range(len(phases))]
        bars.bar(xs, [rates[p] / 1000 for p in range(len(phases))], width, label=label, color=color)
    bars.set_xticks(range(len(phases)))
    bars.set_xticklabels([f"{i + 1}. {p.lower().replace('_', '-')}" for i, p in enumerate(phases)])
    bars.set_ylabel("thousand operations / CPU-second")
    bars.set_title("phase-shifting workload: operations per CPU-second of the JVM, median of 3 runs")
    bars.legend(loc="upper right", fontsize=8)

    tuned = knobs.get("tuned", [])
    undamped = knobs.get("tuned-undamped", [])
    for k, (name, title) in enumerate(KNOBS):
        ax = fig.add_subplot(grid[1 + k // 2, k % 2])
        for p in range(len(phases)):
            ax.axvspan(p, p + 1, color=PHASE_COLORS[p % len(PHASE_COLORS)], lw=0)
        if undamped:
            ax.step(positions(undamped), [float(r[name]) for r in undamped], where="post",
                    color="tab:red", lw=0.7, alpha=0.7, label="without damping")
        t = positions(tuned)
        ax.plot(t, [float(r["want_" + name]) for r in tuned], ":", color="0.3", lw=0.8, label="wanted (damped run)")
        ax.step(t, [float(r[name]) for r in tuned], where="post", color="tab:blue", lw=1.8, label="damped tuner")
        ax.set_xlim(0, len(phases))
        ax.set_xticks([p + 0.5 for p in range(len(phases))])
        ax.set_xticklabels([f"{p + 1}. {ph.lower().replace('_', '-')}" for p, ph in enumerate(phases)], fontsize=8)
        ax.set_title(title, fontsize=10)
        if k == 0:
            ax.legend(fontsize=7, loc="lower left")
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    print(f"wrote {out}")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2], sys.argv[3])
