#!/usr/bin/env python3
"""CPU samples of a Flight Recorder recording, by method, self and inclusive (notes/05-lsm.md §5.11),
or the samples of threads in native code (jdk.NativeMethodSample: a read waiting for the device).

Usage:
  java -XX:StartFlightRecording=filename=run.jfr,settings=profile -jar ... workload ...
  jfr print --stack-depth 64 --events jdk.ExecutionSample run.jfr > run.txt
  python3 notes/figures/jfr_profile.py run.txt 'lsm-'      # the flush and compaction threads
  python3 notes/figures/jfr_profile.py run.txt '^main$'    # the writer
  # only the samples with a frame matching WITHIN (a regex), e.g. the arena's scans' reads
  # (notes/07-hybrid.md §7.15, recorded with settings=notes/figures/jfr-fine.jfc):
  jfr print --stack-depth 80 --events jdk.NativeMethodSample run.jfr > native.txt
  python3 notes/figures/jfr_profile.py native.txt '^main$' 'SnapshotIterator'
"""
import collections
import re
import sys

txt=open(sys.argv[1]).read()
thr=re.compile(sys.argv[2]) if len(sys.argv)>2 else None
within=re.compile(sys.argv[3]) if len(sys.argv)>3 else None
events=re.split(r'jdk\.(?:ExecutionSample|NativeMethodSample) \{', txt)[1:]
selfc=collections.Counter(); incl=collections.Counter(); threads=collections.Counter(); n=0
for e in events:
    m=re.search(r'sampledThread = "([^"]*)"',e); t=m.group(1) if m else '?'
    threads[t]+=1
    if thr and not thr.search(t): continue
    frames=re.findall(r'^\s{4}(\S[^\n]*?)(?:\s+line: \d+)?$', e.split('stackTrace = [')[1], re.M)
    frames=[re.sub(r'\(.*\)','',f) for f in frames if f!='...' and not f.startswith(']')]
    if not frames: continue
    if within and not any(within.search(f) for f in frames): continue
    n+=1
    selfc[frames[0]]+=1
    for f in set(frames): incl[f]+=1
print('threads',threads.most_common(10)); print('samples',n)
print('--- self'); [print(f'{c*100/n:5.1f}% {f}') for f,c in selfc.most_common(30)]
print('--- inclusive'); [print(f'{c*100/n:5.1f}% {f}') for f,c in incl.most_common(45)]
