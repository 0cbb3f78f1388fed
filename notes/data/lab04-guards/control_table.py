#!/usr/bin/env python3
"""Prints control.sh's results: each round's ops/s per version, and each version over before."""
import collections, glob, json, os, statistics, sys

out = sys.argv[1]
scores = collections.defaultdict(dict)
for path in glob.glob(os.path.join(out, 'conc-*-*.json')):
    _, version, rnd = os.path.basename(path)[:-5].split('-')
    scores[int(rnd)][version] = json.load(open(path))[0]['primaryMetric']['score']
versions = sorted({v for r in scores.values() for v in r if v != 'before'})
print('| round | before ops/s | ' + ' | '.join(f'{v} / before' for v in versions) + ' |')
print('| ---: | ---: | ' + ' | '.join('---:' for _ in versions) + ' |')
ratios = collections.defaultdict(list)
for rnd in sorted(scores):
    r = scores[rnd]
    cells = []
    for v in versions:
        ratios[v].append(r[v] / r['before'])
        cells.append(f'{r[v] / r["before"]:.3f}')
    print(f'| {rnd} | {r["before"]:,.0f} | ' + ' | '.join(cells) + ' |')
print('| median (spread) | | ' + ' | '.join(
    f'**{statistics.median(ratios[v]):.3f}** ({min(ratios[v]):.3f}-{max(ratios[v]):.3f})' for v in versions) + ' |')
