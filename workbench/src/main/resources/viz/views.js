// storagelab viz: the views. Each draw function gets the state at the position (s), the run (r)
// and the width in pixels it has (W), and returns the nodes to show, built with dom.js (what a run
// recorded goes in as text): SVG drawn at that width, never scaled, so its text keeps its size
// (12 px) however narrow a pane is (1366x768, two runs side by side).
'use strict';

function describe(e) {
  switch (e.type) {
    case 'page.split': return (e.root ? 'ROOT SPLIT: the tree grew a level; ' : '') + (e.leaf ? 'leaf ' : 'internal page ') + e.page
      + ' at level ' + e.level + ' split, new right page ' + e.right + ', separator ' + e.separator + ', left now ' + pct(e.fill) + ' full';
    case 'page.merge': return 'page ' + e.freed + ' merged into ' + e.page;
    case 'page.evict': return 'frame ' + e.frame + ' evicted its page';
    case 'flush.begin': return 'flush of a ' + e.memtableBytes + '-byte memtable began';
    case 'flush.end': return 'flush wrote ' + e.tables.map((t) => '#' + t.file).join(', ') + ' to L0';
    case 'compaction.picked': return 'compaction picked: L' + e.level + ' -> L' + e.output + ', inputs ' + e.inputs.map((t) => 'L' + t.level + '#' + t.file).join(' ');
    case 'compaction.finished': return (e.trivialMove ? 'trivial move (not rewritten)' : 'compaction') + ' L' + e.level + ' -> L' + e.output + ': '
      + e.inputs.length + ' in, ' + e.outputs.length + ' out (' + e.outputs.map((t) => '#' + t.file).join(' ') + ')';
    case 'wal.group_commit': return 'group of ' + e.size + ' commits, ' + e.bytes + ' bytes, first LSN ' + e.firstLsn;
    case 'txn.commit': return 'commit ts ' + e.commitTs + ' (start ' + e.startTs + ') wrote ' + e.keys.join(' ');
    case 'txn.conflict': return 'conflict at start ' + e.startTs + ' on ' + e.keys.join(' ');
    case 'version.gc': return 'GC at watermark ' + e.watermark + ': removed ' + e.versionsRemoved + ' of ' + e.versionsScanned;
    case 'route.decision': return e.key + ': ' + e.from + ' -> ' + e.to;
    case 'migration.begin': return 'moving ' + e.key + ' ' + e.from + ' -> ' + e.to;
    case 'migration.switch': return e.key + ' now ' + e.to + (e.moved ? '' : ' (nothing moved)');
    case 'snapshot': return 'picture of ' + e.view;
    case 'run.phase': return 'phase ' + e.phase;
    default: {
      const o = Object.assign({}, e);
      delete o.i; delete o.t; delete o.type;
      return JSON.stringify(o).slice(0, 200);
    }
  }
}

function pct(f) { return Math.round(100 * f) + '%'; }
function svg(w, h, body) { return svgEl('svg', {viewBox: '0 0 ' + w + ' ' + h, height: h}, body); }
// A rectangle, with its tooltip (an SVG title) when tip is given.
function rect(x, y, w, h, fill, attrs, tip) {
  return svgEl('rect', Object.assign({x: x.toFixed(1), y: y.toFixed(1), width: Math.max(0.5, w).toFixed(1), height: h.toFixed(1), fill}, attrs),
    tip === undefined ? null : svgEl('title', null, tip));
}
function text(x, y, s, attrs) { return svgEl('text', Object.assign({x, y, 'font-size': 12}, attrs), s); }
// An SVG that is exactly w pixels wide: one unit is one pixel, so text is never scaled down.
function svgPx(w, h, body) { return svgEl('svg', {width: w, height: h, viewBox: '0 0 ' + w + ' ' + h, class: 'px'}, body); }
function kvTable(o) { return el('table', {class: 'kv'}, Object.entries(o).map(([k, v]) => el('tr', null, el('td', null, String(k)), el('td', null, String(v))))); }
// A legend: [css of the sample or null, what it means] for each entry.
function legend(entries) { return el('div', {class: 'legend'}, entries.map(([css, label]) => el('span', null, css ? swatch(css) : null, label))); }

function drawBtree(s, r, W) {
  const b = s.btree;
  const c = s.counts;
  const splits = c['page.split'] || 0;
  const frames = new Map();
  if (s.pool && s.pool.frames) for (const f of s.pool.frames) if (f.page >= 0) frames.set(f.page, f);
  const head = el('div', {class: 'summary btree-summary'}, 'height ' + b.height + ', ' + Math.max(b.pageCount || 0, b.pages.length)
    + ' pages; splits ' + splits + ', merges ' + (c['page.merge'] || 0) + '; last root split: '
    + (b.lastRootSplit >= 0 ? 'event ' + b.lastRootSplit : 'none so far'));
  if (!b.pages.length) return frag(head, el('div', null, 'no page yet (no picture of the tree before this event)'));
  const levels = [];
  for (const p of b.pages) (levels[p.level] = levels[p.level] || []).push(p);
  const rowH = 50;
  const body = [];
  levels.forEach((row, level) => {
    if (!row) return;
    const shown = row.slice(0, 300);
    const w = W / Math.max(shown.length, 1);
    shown.forEach((p, k) => {
      const x = k * w, y = level * rowH + 18;
      const f = frames.get(p.id);
      const stroke = f && f.latch === 'x' ? '#d00' : f && f.latch === 's' ? '#06c' : f && f.pins > 0 ? '#333' : '#999';
      body.push(rect(x + 1, y, w - 2, rowH - 20, '#eef', {stroke, 'stroke-width': f && (f.pins > 0 || f.latch) ? 2 : 0.5}));
      body.push(rect(x + 1, y + (rowH - 20) * (1 - p.fill), w - 2, (rowH - 20) * p.fill, p.fresh ? '#f39c12' : p.leaf ? '#6a9fd4' : '#4a6fa4',
        {class: 'page', 'data-page': p.id}, 'page ' + p.id + ' level ' + level + ', ' + pct(p.fill) + ' full'
        + (p.first ? ', first key ' + p.first : '') + (f ? ', pins ' + f.pins + (f.latch ? ', latched ' + f.latch : '') : '')));
    });
    const all = b.levelPages && b.levelPages[level] !== undefined ? b.levelPages[level] : row.length;
    body.push(text(2, level * rowH + 13, 'level ' + level + ': ' + all + ' page' + (all === 1 ? '' : 's')
      + (all > shown.length ? ' (first ' + shown.length + ' drawn)' : ''), {class: 'level-label'}));
  });
  return frag(head, svgPx(W, levels.length * rowH + 16, body), legend([
    [{background: '#f39c12'}, 'split since the last picture'], [{background: '#6a9fd4'}, 'leaf (height = fill)'],
    [{background: '#4a6fa4'}, 'internal'], [{border: '2px solid #d00'}, 'latched exclusive'],
    [{border: '2px solid #06c'}, 'latched shared'], [{border: '2px solid #333'}, 'pinned']]));
}

function drawPool(s) {
  const p = s.pool;
  if (!p.frames) return el('div', {class: 'summary'}, 'no picture of the buffer pool yet');
  const evicted = new Set(p.evictedSince || []);
  const cols = 64, size = 14, rows = Math.ceil(p.frames.length / cols);
  const body = p.frames.map((f, k) => {
    const x = (k % cols) * size, y = Math.floor(k / cols) * size;
    const fill = f.page < 0 ? '#ddd' : f.dirty ? '#e67e22' : '#7fb77e';
    const stroke = evicted.has(f.frame) ? '#d00' : f.pins > 0 ? '#06c' : 'none';
    return rect(x + 1, y + 1, size - 2, size - 2, fill, {stroke, 'stroke-width': 2}, 'frame ' + f.frame
      + (f.page < 0 ? ' free' : ': page ' + f.page + ', pins ' + f.pins + (f.dirty ? ', dirty' : '')));
  });
  const resident = p.frames.filter((f) => f.page >= 0).length;
  return frag(el('div', {class: 'summary'}, p.frames.length + ' frames, ' + resident + ' resident, ' + p.frames.filter((f) => f.dirty).length + ' dirty, '
    + p.frames.filter((f) => f.pins > 0).length + ' pinned; hits ' + p.hits + ', misses ' + p.misses + ', evictions ' + p.evictions
    + ' (' + evicted.size + ' frames evicted since the picture)'), svg(cols * size, rows * size, body),
  legend([[{background: '#ddd'}, 'free'], [{background: '#7fb77e'}, 'clean'], [{background: '#e67e22'}, 'dirty'],
    [{border: '2px solid #06c'}, 'pinned'], [{border: '2px solid #d00'}, 'evicted since the picture']]));
}

function drawLsm(s, r, W) {
  const l = s.lsm;
  const c = s.counts;
  const keys = [...new Set(l.tables.flatMap((t) => [t.lo, t.hi]))].sort();
  const rank = new Map(keys.map((k, i) => [k, i]));
  const span = Math.max(1, keys.length - 1);
  const running = new Set(l.running.flatMap((r) => r.inputs.map((t) => t.file)));
  const last = l.recent.filter((e) => e.type === 'compaction.finished').pop();
  const fresh = new Set(last ? last.outputs.map((t) => t.file) : []);
  const levels = Math.max(1, ...l.tables.map((t) => t.level + 1));
  const rowH = 40;
  const body = [];
  const perLevel = [];
  for (let level = 0; level < levels; level++) {
    const ts = l.tables.filter((t) => t.level === level);
    const bytes = ts.reduce((a, t) => a + t.bytes, 0);
    perLevel.push('L' + level + ': ' + ts.length);
    body.push(text(2, level * rowH + 13, 'L' + level + ': ' + ts.length + ' tables, ' + (bytes / 1048576).toFixed(2) + ' MiB',
      {class: 'level-label'}));
    ts.forEach((t, k) => {
      const x0 = W * rank.get(t.lo) / span, x1 = W * rank.get(t.hi) / span;
      const y = level * rowH + 18 + (level === 0 ? (k % 4) * 4 : 0);
      const fill = running.has(t.file) ? '#e74c3c' : fresh.has(t.file) ? '#27ae60' : level === 0 ? '#c9731c' : '#2a7ab9';
      body.push(rect(x0, y, Math.max(2, x1 - x0), level === 0 ? 6 : 14, fill, {opacity: 0.85, class: 'table', 'data-file': t.file},
        '#' + t.file + ' L' + t.level + ' ' + t.bytes + ' bytes [' + t.lo + ' .. ' + t.hi + ']'));
    });
  }
  const compaction = s.event && s.event.type.startsWith('compaction.')
    ? el('div', {class: 'summary compaction-now'}, describe(s.event)) : null;
  // A trivial move (a table moved down a level, not rewritten) is a compaction to the engine's
  // counters too: it is counted with them, and said apart, as the event list marks it.
  const compactions = c['compaction.finished'] || 0;
  const trivial = c['compaction.trivial_move'] || 0;
  return frag(el('div', {class: 'summary lsm-summary'}, perLevel.join(', ') + '; flushes ' + (c['flush.end'] || 0) + ', compactions '
    + compactions + (trivial ? ' (' + trivial + ' of them trivial moves: a table moved down a level, not rewritten)' : '')
    + (l.running.length ? ', ' + l.running.length + ' running' : '')), compaction, tieredNote(r, l),
  svgPx(W, levels * rowH + 10, body),
  legend([[null, 'x: key range (by rank of the tables\' bounds)'], [{background: '#e74c3c'}, 'compaction input (running)'],
    [{background: '#27ae60'}, 'last compaction\'s output'], [{background: '#c9731c'}, 'level 0 (may overlap)']]));
}

// Size-tiered compaction keeps one sorted run per level below L0, the oldest deepest: its first run
// goes to the bottom level, so a young tiered store has everything there, which leveled never does.
function tieredNote(r, l) {
  const tiered = r && r.header && /tiered/.test(r.header.engine || '');
  if (!tiered) return null;
  const deepest = Math.max(0, ...l.tables.map((t) => t.level));
  return el('div', {class: 'note tiered-note'}, 'size-tiered: each level below L0 holds one sorted run, oldest deepest; the first run'
    + ' merged from L0 goes to the bottom level (L' + Math.max(6, deepest) + ') and newer runs stack above it, so a level says a run\'s'
    + ' age, not a size limit as in leveled compaction');
}

function drawAmp(s) {
  const c = s.counters;
  if (!c) return el('div', {class: 'summary'}, 'no counters yet');
  const o = Object.assign({}, c);
  delete o.i; delete o.t; delete o.type; delete o.view;
  const user = c.user_bytes_written || 0;
  const lines = {};
  if (user) {
    lines['write amplification (disk bytes written / user bytes written)'] = (c.disk_bytes_written / user).toFixed(2);
  }
  if (c.page_reads !== undefined) lines['page reads'] = c.page_reads;
  if (c.block_reads !== undefined) lines['block reads (gets and scans)'] = c.block_reads;
  if (c.cache_hits !== undefined) lines['cache hit rate'] = pct(c.cache_hits / Math.max(1, c.cache_hits + c.cache_misses));
  return frag(el('div', {class: 'summary amp-summary'}, 'counters at event ' + c.i + ' (since the engine opened)'), kvTable(lines), el('br'), kvTable(o));
}

function drawWal(s, r, W) {
  const groups = s.wal;
  const n = s.counts['wal.group_commit'] || 0;
  if (!groups.length) return el('div', {class: 'summary'}, 'no group commit yet (the log belongs to kv, kv-lsm and hybrid)');
  const max = Math.max(...groups.map((g) => g.size));
  const H = 120, w = W / groups.length;
  const body = groups.map((g, k) => {
    const h = (H - 16) * g.size / max;
    return rect(k * w + 1, H - h, w - 2, h, '#4a9a4a', null, 'event ' + g.i + ': ' + g.size + ' commits, ' + g.bytes + ' bytes, LSN ' + g.firstLsn);
  });
  const mean = groups.reduce((a, g) => a + g.size, 0) / groups.length;
  return frag(el('div', {class: 'summary'}, n + ' group commits so far; the last ' + groups.length + ' drawn (height = commits per force), mean '
    + mean.toFixed(2) + '; segments ' + groups[groups.length - 1].segments), svgPx(W, H, [body, text(2, 13, 'most ' + max)]));
}

function drawMvcc(s) {
  const m = s.mvcc;
  const c = s.counts;
  const horizon = m.gc ? m.gc.watermark : (m.snapshot ? m.snapshot.gcWatermark : null);
  const rows = Object.entries(m.versions).map(([key, versions]) => {
    let belowSeen = false;
    return el('tr', null, el('td', null, key), el('td', null, versions.map((ts, k) => {
      const below = horizon !== null && ts <= horizon;
      const garbage = below && belowSeen; // only the newest version at or below the horizon is still readable
      belowSeen = belowSeen || below;
      return [k ? ' ' : null, el('span', {class: garbage ? 'garbage' : null}, String(ts))];
    })));
  });
  return frag(el('div', {class: 'summary'}, 'transactions: begun ' + (c['txn.begin'] || 0) + ', committed ' + (c['txn.commit'] || 0) + ', aborted '
    + (c['txn.abort'] || 0) + ', conflicts ' + (c['txn.conflict'] || 0) + '; GC horizon ' + (horizon === null ? 'none yet' : horizon)
    + (m.snapshot ? '; visible ts ' + m.snapshot.visibleTs + ', active ' + m.snapshot.activeTransactions : '')),
  rows.length ? el('table', {class: 'kv'}, el('tr', null, el('td', null, 'key'),
    el('td', null, 'versions (commit ts, newest first; struck out: below the horizon, behind a newer one, garbage)')), rows)
    : el('div', null, 'no commit yet (the kv engines run transactions: try the bank workload)'));
}

function drawHybrid(s) {
  const h = s.hybrid;
  const snap = h.snapshot;
  const out = [el('div', {class: 'summary'}, snap ? 'hot keys (in the B+tree) ' + snap.hotCount + ', migrations ' + snap.migrations
    + ', queued ' + snap.queued + ', deferred ' + snap.deferred + '; cache ' + snap.cacheEntries + ' entries, hit rate '
    + pct(snap.cacheHits / Math.max(1, snap.cacheHits + snap.cacheMisses)) : 'no picture of the hybrid yet')];
  if (snap) {
    out.push(el('div', null, 'tiers: ' + snap.tiers), el('div', null, 'bytes: hot ' + snap.hotBytes + ', cold ' + snap.coldBytes + ', archive ' + snap.archiveBytes));
    out.push(el('div', null, 'hot key ranges: ' + ranges(snap.hotKeys)));
  }
  out.push(el('div', null, 'migrations in flight: ' + (h.inFlight.length ? h.inFlight.map((m) => m.key + ' ' + m.from + '->' + m.to).join(', ') : 'none')));
  out.push(el('div', null, 'recent route decisions: ' + h.routes.slice(-10).map((e) => e.key + ' ' + e.from + '->' + e.to).join(', ')));
  out.push(el('div', null, 'table moves between tiers: ' + (h.tiers.length ? h.tiers.map((e) => e.table + ' ' + e.from + '->' + e.to).join(', ') : 'none')));
  return frag(out);
}

function ranges(keys) {
  // Runs of consecutive numbered keys (key-000000000012 ..): where the hot data lives.
  if (!keys.length) return 'none';
  const out = [];
  let start = keys[0], prev = keys[0];
  const num = (k) => { const m = /(\d+)$/.exec(k); return m ? Number(m[1]) : NaN; };
  for (const k of keys.slice(1)) {
    if (num(k) !== num(prev) + 1) { out.push(start === prev ? start : start + '..' + prev); start = k; }
    prev = k;
  }
  out.push(start === prev ? start : start + '..' + prev);
  return out.slice(0, 20).join(', ') + (out.length > 20 ? ' (+' + (out.length - 20) + ' more ranges)' : '');
}

