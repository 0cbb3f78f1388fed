import sys, re, collections
# usage: jfr print --events jdk.ExecutionSample --stack-depth 64 f.jfr | python3 jfragg.py MUSTCONTAIN
must = sys.argv[1] if len(sys.argv) > 1 else None
text = sys.stdin.read()
events = text.split('jdk.ExecutionSample')
top = collections.Counter(); incl = collections.Counter(); threads = collections.Counter(); n = 0
for e in events:
    m = re.search(r'sampledThread = "([^"]*)"', e)
    if not m: continue
    frames = re.findall(r'^\s+([\w$.<>/]+)\(', e, re.M)
    frames = [f for f in frames]
    if must and not any(must in f for f in frames): continue
    n += 1; threads[m.group(1)] += 1
    if frames: top[frames[0]] += 1
    for f in set(frames):
        incl[f] += 1
print('samples', n, dict(threads.most_common(5)))
print('--- top frames (self)')
for f, c in top.most_common(25): print(f'{100*c/n:5.1f}% {f}')
print('--- inclusive')
for f, c in incl.most_common(60): print(f'{100*c/n:5.1f}% {f}')
