#!/usr/bin/env python3
"""The redesign's before/after table: for each engine and workload, the median ops/s of each version,
and per round after/before of ops/s (> 1: after faster) and of the JVM's CPU seconds (< 1: after
cheaper). Reads ENGINE, ENGINE-r2, ENGINE-r3 as ab_lab05.sh wrote them (one run per label each)."""
import json, os, statistics, sys

root = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
print('| engine | workload | before ops/s (median) | after ops/s (median) | ops/s after/before, rounds 1-3 '
      '| median | CPU s after/before, rounds 1-3 | median |')
print('| --- | --- | ---: | ---: | --- | ---: | --- | ---: |')
for engine in ['btree', 'lsm', 'hybrid']:
    for workload in ['fillrandom', 'readrandom']:
        runs = {'after': [], 'before': []}
        for d in [engine, engine + '-r2', engine + '-r3']:
            for version in runs:
                base = os.path.join(root, d, f'{version}-{workload}-1')
                if not os.path.exists(base + '.json'):
                    continue
                ops = json.load(open(base + '.json'))['opsPerSecond']
                user, system, _ = map(float, open(base + '.time').read().split()[-3:])
                runs[version].append((ops, user + system))
        pairs = list(zip(runs['after'], runs['before']))
        if not pairs:
            continue
        speed = [a[0] / b[0] for a, b in pairs]
        cpu = [a[1] / b[1] for a, b in pairs]
        print(f"| {engine} | {workload} | {statistics.median(b[0] for b in runs['before']):,.0f} "
              f"| {statistics.median(a[0] for a in runs['after']):,.0f} | {' / '.join(f'{r:.2f}' for r in speed)} "
              f"| **{statistics.median(speed):.2f}** | {' / '.join(f'{r:.2f}' for r in cpu)} "
              f"| **{statistics.median(cpu):.2f}** |")
