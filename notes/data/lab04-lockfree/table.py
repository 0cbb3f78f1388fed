import json,glob,re,os,collections,statistics
runs=collections.defaultdict(dict)
for f in sorted(glob.glob('m/*.json')):
    try: d=json.load(open(f))
    except Exception: continue
    name=os.path.basename(f)[:-5]
    tag,eng,wl,i=re.match(r'(\w+)-(.+)-(readrandom|readwhilewriting)-(\d)',name).groups()
    g=d['latency']['get']
    runs[(tag,eng,wl)][int(i)]=(round(d['opsPerSecond']),g['p50'],g['p99'],d['operations']['writes'])
order=[('before','btree','readwhilewriting'),('after','btree','readwhilewriting'),('before','btree','readrandom'),('after','btree','readrandom'),('after','btree-16m','readrandom'),('peer','h2','readrandom'),('peer','h2-pool','readrandom')]
label={'before':'locked hit','after':'lock-free hit','peer':''}
print('| 1M keys, 200,000 gets | runs (gets/s, round by round) | get p50 µs (each run) | get p99 µs (each run) | the writer\'s puts |')
print('| --- | ---: | ---: | ---: | ---: |')
for k in order:
    r=runs.get(k,{})
    if not r: continue
    xs=[r[i] for i in sorted(r)]
    name=f"`{k[1]}` ({label[k[0]]}) {k[2]}" if label[k[0]] else f"`{k[1]}` {k[2]}"
    print(f"| {name} | {', '.join(f'{x[0]:,}' for x in xs)} | {', '.join(f'{x[1]:.2f}' for x in xs)} | {', '.join(f'{x[2]:.1f}' for x in xs)} | {', '.join(f'{x[3]:,}' for x in xs) if k[2]=='readwhilewriting' else '–'} |")
# same-round ratios
def ratio(a,b,idx):
    out=[]
    for i in sorted(runs.get(a,{})):
        if i in runs.get(b,{}): out.append(runs[a][i][idx]/runs[b][i][idx])
    return out
for wl in ('readwhilewriting','readrandom'):
    print(wl,'after/before gets/s', [round(x,2) for x in ratio(('after','btree',wl),('before','btree',wl),0)], 'p50 after/before',[round(x,2) for x in ratio(('after','btree',wl),('before','btree',wl),1)])
print('btree/h2', [round(x,2) for x in ratio(('after','btree','readrandom'),('peer','h2','readrandom'),0)])
print('btree/h2-pool', [round(x,2) for x in ratio(('after','btree','readrandom'),('peer','h2-pool','readrandom'),0)])
print('btree-16m/h2', [round(x,2) for x in ratio(('after','btree-16m','readrandom'),('peer','h2','readrandom'),0)])
print('p50 btree/h2', [round(x,2) for x in ratio(('after','btree','readrandom'),('peer','h2','readrandom'),1)])
print('p50 btree-16m/h2', [round(x,2) for x in ratio(('after','btree-16m','readrandom'),('peer','h2','readrandom'),1)])
print('p50 btree/h2-pool', [round(x,2) for x in ratio(('after','btree','readrandom'),('peer','h2-pool','readrandom'),1)])
