#!/usr/bin/env python3
"""Prints cpu-per-op.sh's log as before/after ratios of CPU time per operation, per round, with median and spread."""
import re, statistics, sys

runs = {}
for line in open(sys.argv[1]):
    m = re.search(r'\] (before|after) (\d+) (\w+) cpu_ns_per_op (\d+)', line)
    if m:
        v, rnd, mode, cpu = m.group(1), int(m.group(2)), m.group(3), int(m.group(4))
        runs.setdefault(mode, {}).setdefault(rnd, {})[v] = cpu
for mode, rounds in runs.items():
    print(f'{mode}: CPU ns per operation of the measuring thread (lower is better)')
    ratios = []
    for rnd in sorted(rounds):
        r = rounds[rnd]
        if 'before' in r and 'after' in r:
            ratios.append(r['after'] / r['before'])
            print(f"  round {rnd}: before {r['before']}  after {r['after']}  after/before {ratios[-1]:.2f}")
    if ratios:
        print(f'  median after/before {statistics.median(ratios):.2f}, spread {min(ratios):.2f}-{max(ratios):.2f}')
