#!/usr/bin/env python3
"""Prints measure.sh's results: each benchmark's score per round, before and after, and after/before."""
import glob, json, os, statistics, sys

out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(__file__)
rows = {}
for path in sorted(glob.glob(os.path.join(out, '*-*-*.json'))):
    name, version, rnd = os.path.basename(path)[:-5].split('-')
    try:
        results = json.load(open(path))
    except ValueError:
        continue
    for r in results:
        bench = r['benchmark'].split('.')[-2] + '.' + r['benchmark'].split('.')[-1]
        m = r['primaryMetric']
        rows.setdefault((bench, m['scoreUnit']), {}).setdefault(int(rnd), {})[version] = m['score']
for (bench, unit), rounds in sorted(rows.items()):
    better = 'higher' if unit.startswith('ops/') else 'lower'
    print(f'{bench} ({unit}, {better} is better)')
    ratios = []
    for rnd in sorted(rounds):
        b, a = rounds[rnd].get('before'), rounds[rnd].get('after')
        if b is None or a is None:
            continue
        speed = a / b if better == 'higher' else b / a  # > 1: after is faster
        ratios.append(speed)
        print(f'  round {rnd}: before {b:,.2f}  after {a:,.2f}  after speed / before speed {speed:.2f}')
    if ratios:
        print(f'  median {statistics.median(ratios):.2f}, spread {min(ratios):.2f}-{max(ratios):.2f}')
