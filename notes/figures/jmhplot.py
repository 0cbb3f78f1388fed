"""Reading JMH's JSON results: what every plot_labNN.py script of the notes shares.

The scripts import it by name (Python puts a script's own folder on the module path), so run them
as `python3 notes/figures/plot_labNN.py ...` from anywhere.
"""

import json
import os
import statistics
import sys


def load(path):
    """The list of benchmark results in a file JMH wrote with `-rf json -rff PATH`."""
    with open(path) as f:
        return json.load(f)


def method(result):
    """The benchmark method's name, e.g. `get` for `dev.storagelab.bst.bench.OrderedMapBenchmark.get`."""
    return result["benchmark"].rsplit(".", 1)[1]


def iterations(metric):
    """Every measurement iteration of every fork, flattened."""
    return [x for fork in metric["rawData"] for x in fork]


def summary(metric):
    """Median, fastest and slowest iteration, JMH's mean and error, unit and count of a metric."""
    xs = iterations(metric)
    return {
        "median": statistics.median(xs),
        "min": min(xs),
        "max": max(xs),
        "mean": metric["score"],
        "error": metric["scoreError"],
        "unit": metric["scoreUnit"],
        "n": len(xs),
    }


def fmt(x):
    """A time for a table: thousands separators from 100 up, three significant digits below."""
    if x >= 100:
        return f"{x:,.0f}"
    if x >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}"


def run(argv, usage, *figures):
    """The scripts' command line, `plot_labNN.py DATA_DIR OUT_DIR`: calls each figure(data_dir, out_dir)."""
    if len(argv) != 3:
        print(usage, file=sys.stderr)
        return 2
    data_dir, out_dir = argv[1], argv[2]
    os.makedirs(out_dir, exist_ok=True)
    for figure in figures:
        figure(data_dir, out_dir)
    return 0


def load_if_present(data_dir, name):
    """The results in `data_dir/name`, or None if that benchmark has not been run (its figure is skipped)."""
    path = os.path.join(data_dir, name)
    return load(path) if os.path.exists(path) else None


def save(fig, out_dir, name):
    """Lays out `fig`, writes it to `out_dir/name` as a PNG and says so."""
    fig.tight_layout()
    path = os.path.join(out_dir, name)
    fig.savefig(path, dpi=120)
    print(f"wrote {path}")
