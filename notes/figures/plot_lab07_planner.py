#!/usr/bin/env python3
"""Draws lab-07 T11's figure: the time of a price-range query run by the index range scan and by
the full scan against the range's selectivity, measured on this machine and predicted by the
planner's cost model, with the two crossovers, from what
dev.storagelab.hybrid.query.PlannerCrossover wrote (OUT-sweep.csv); prints the held set's summary
from OUT-held.csv.

Usage (from the workspace root; needs matplotlib: `apt-get install python3-matplotlib` on Debian,
then run it with /usr/bin/python3):

    /usr/bin/python3 notes/figures/plot_lab07_planner.py notes/data/lab07/planner-crossover notes/figures/lab07-planner-crossover.png
"""

import csv
import math
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)


def crossover(sel, a, b):
    """Where a/b passes 1, interpolated on log(selectivity) and log(ratio); None if never."""
    for k in range(1, len(sel)):
        x, y = math.log(a[k - 1] / b[k - 1]), math.log(a[k] / b[k])
        if x <= 0 < y:
            f = -x / (y - x)
            return math.exp(math.log(sel[k - 1]) + f * (math.log(sel[k]) - math.log(sel[k - 1])))
    return None


def main(prefix, png):
    with open(prefix + "-sweep.csv") as f:
        rows = [{k: float(v) for k, v in r.items()} for r in csv.DictReader(f)]
    sel = [r["selectivity"] for r in rows]
    col = {k: [r[k] / 1e3 for r in rows] for k in rows[0] if k.endswith("_us")}
    measured = crossover(sel, col["index_us"], col["full_us"])
    predicted = crossover(sel, col["index_predicted_us"], col["full_predicted_us"])
    fig, ax = plt.subplots(figsize=(8, 5))
    ax.plot(sel, col["index_us"], "o-", color="tab:blue", label="index range scan, measured")
    ax.plot(sel, col["full_us"], "o-", color="tab:red", label="full scan, measured")
    ax.plot(sel, col["index_predicted_us"], "--", color="tab:blue", label="index range scan, predicted (calibrated model)")
    ax.plot(sel, col["full_predicted_us"], "--", color="tab:red", label="full scan, predicted (calibrated model)")
    profile = crossover(sel, col["index_profile_us"], col["full_profile_us"])
    ax.plot(sel, col["index_profile_us"], ":", color="tab:blue", lw=1, label="index range scan, hardware profile only")
    ax.plot(sel, col["full_profile_us"], ":", color="tab:red", lw=1, label="full scan, hardware profile only")
    top = max(col["index_us"] + col["full_us"])
    for x, style, name, y in ((measured, "-", "measured", top), (predicted, "--", "predicted", top / 8),
                              (profile, ":", "profile only", top / 60)):
        if x is not None:
            ax.axvline(x, color="0.4", ls=style, lw=1)
            ax.annotate(f"{name} crossover {x:.1%}", (x, y), rotation=90, va="top", ha="right", fontsize=8, color="0.3")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("selectivity of the price range (share of the table's rows)")
    ax.set_ylabel("time per query (ms)")
    ax.set_title("lab-07 T11: index range scan against full scan, 200,000 rows in HybridStore on disk")
    ax.grid(True, which="both", color="0.9")
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    fig.savefig(png, dpi=120)
    print(f"crossover measured {measured}, predicted {predicted}, profile only {profile}")
    with open(prefix + "-held.csv") as f:
        held = list(csv.DictReader(f))
    right = sum(1 for r in held if r["chosen"] == r["fastest"])
    worst = max(float(r["ratio"]) for r in held)
    print(f"held set: {len(held)} queries, the pick was the fastest {right} times ({right / len(held):.0%}), worst ratio {worst:.2f}x")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
