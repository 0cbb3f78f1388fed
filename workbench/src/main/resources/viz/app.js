// storagelab viz: the page. Plain JavaScript and SVG, served from the workbench's jar; nothing
// is fetched from elsewhere. The view's state lives in the URL's hash, so a view can be shared:
//   #runs=0,1&view=lsm&mode=event&at=1234   or   ...&mode=time&t=5000000000
'use strict';

const VIEWS = ['btree', 'pool', 'lsm', 'amp', 'wal', 'mvcc', 'hybrid', 'events'];
const VIEW_NAMES = {btree: 'B+tree pages', pool: 'buffer pool', lsm: 'LSM levels', amp: 'amplification',
  wal: 'WAL group commits', mvcc: 'MVCC versions', hybrid: 'hybrid routes', events: 'events'};
const FAMILY_COLORS = ['#2a7ab9', '#c9731c', '#4a9a4a', '#9a4a9a'];
const WINDOW = 60; // events listed around the position: the page holds a window, never the whole run

const ui = {runs: [], shown: [0], view: 'btree', mode: 'event', at: null, t: null, playing: false};
const panes = new Map(); // run id -> {el, state, pending, busy}
const $ = (id) => document.getElementById(id);

function esc(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c]));
}

async function api(path, options) {
  const r = await fetch(path, options);
  const body = await r.json().catch(() => ({error: 'the server sent no JSON (' + r.status + ')'}));
  if (!r.ok) throw new Error(body.error || ('HTTP ' + r.status));
  return body;
}

function seconds(ns) { return (ns / 1e9).toFixed(3) + ' s'; }

// ------------------------------------------------------------------ the URL's hash

function readHash() {
  const h = new URLSearchParams(location.hash.slice(1));
  if (h.get('runs') !== null) ui.shown = h.get('runs').split(',').filter((x) => /^\d+$/.test(x)).map(Number).slice(0, 2);
  if (VIEWS.includes(h.get('view'))) ui.view = h.get('view');
  ui.mode = h.get('mode') === 'time' ? 'time' : 'event';
  ui.at = /^-?\d+$/.test(h.get('at') || '') ? Number(h.get('at')) : null;
  ui.t = /^\d+$/.test(h.get('t') || '') ? Number(h.get('t')) : null;
}

function writeHash() {
  const h = new URLSearchParams();
  h.set('runs', ui.shown.join(','));
  h.set('view', ui.view);
  h.set('mode', ui.mode);
  if (ui.mode === 'time') { if (ui.t !== null) h.set('t', String(ui.t)); } else if (ui.at !== null) h.set('at', String(ui.at));
  const s = '#' + h.toString();
  if (location.hash !== s) history.replaceState(null, '', s);
}

// ------------------------------------------------------------------ runs and messages

function run(id) { return ui.runs.find((r) => r.id === id); }
function primary() { return run(ui.shown[0]); }

async function loadRuns() {
  ui.runs = await api('/api/runs');
  const list = $('runlist');
  list.innerHTML = ui.runs.length ? 'runs: ' : 'no recorded runs: start a live run, or give RUN.jsonl files to ./storagelab viz';
  for (const r of ui.runs) {
    const label = document.createElement('label');
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.className = 'runbox';
    box.dataset.run = r.id;
    box.checked = ui.shown.includes(r.id);
    box.disabled = !!r.error;
    box.addEventListener('change', () => {
      if (box.checked) ui.shown = [...ui.shown.filter((x) => x !== r.id), r.id].slice(-2);
      else ui.shown = ui.shown.filter((x) => x !== r.id);
      document.querySelectorAll('.runbox').forEach((b) => { b.checked = ui.shown.includes(Number(b.dataset.run)); });
      layout();
    });
    label.append(box, ' ' + r.id + ': ' + (r.header ? r.header.engine + ' ' + r.header.workload : r.name) + (r.live ? ' (live)' : ''));
    list.append(label);
  }
  const msgs = $('messages');
  msgs.innerHTML = '';
  for (const r of ui.runs) {
    if (r.error) msgs.insertAdjacentHTML('beforeend', '<div class="msg">cannot open run ' + r.id + ': ' + esc(r.error) + '</div>');
    for (const w of r.warnings) msgs.insertAdjacentHTML('beforeend', '<div class="msg warn">run ' + r.id + ' (' + esc(r.name) + '): ' + esc(w) + '</div>');
  }
  ui.shown = ui.shown.filter((id) => run(id) && !run(id).error);
  if (!ui.shown.length) { const ok = ui.runs.find((r) => !r.error); if (ok) ui.shown = [ok.id]; }
}

function message(text) { $('messages').insertAdjacentHTML('beforeend', '<div class="msg">' + esc(text) + '</div>'); }

// ------------------------------------------------------------------ position

function positionOf(r) {
  // The event of run r shown now: the primary's own position, the others lined up by event share or time.
  const p = primary();
  if (!p || r.count === 0) return -1;
  if (ui.mode === 'time') return null; // asked of the server (/at)
  const at = ui.at === null || ui.at >= p.count ? p.count - 1 : Math.max(-1, ui.at);
  if (r.id === p.id) return at;
  return p.count <= 1 ? r.count - 1 : Math.round(at / (p.count - 1) * (r.count - 1));
}

async function refresh() {
  writeHash();
  drawPosition();
  await Promise.all(ui.shown.map((id) => refreshPane(id)));
}

async function refreshPane(id) {
  const pane = panes.get(id);
  if (!pane) return;
  if (pane.busy) { pane.again = true; return; }
  pane.busy = true;
  try {
    do {
      pane.again = false;
      const r = run(id);
      let at = positionOf(r);
      if (at === null) at = (await api('/api/runs/' + id + '/at?t=' + (ui.t === null ? r.durationNanos : ui.t))).at;
      const [state, events] = await Promise.all([
        api('/api/runs/' + id + '/state?at=' + at),
        api('/api/runs/' + id + '/events?from=' + Math.max(0, at - WINDOW / 2) + '&count=' + WINDOW)]);
      pane.state = state;
      pane.events = events;
      render(pane, r);
    } while (pane.again);
  } catch (e) {
    pane.el.querySelector('.view').innerHTML = '<div class="msg">' + esc(e.message) + '</div>';
  } finally {
    pane.busy = false;
  }
}

function drawPosition() {
  const p = primary();
  if (!p) { $('pos').textContent = ''; return; }
  if (ui.mode === 'time') {
    const t = ui.t === null ? p.durationNanos : ui.t;
    $('scrub').value = p.durationNanos ? Math.round(1000 * t / p.durationNanos) : 1000;
    $('pos').textContent = 't = ' + seconds(t) + ' of ' + seconds(p.durationNanos);
  } else {
    const at = positionOf(p);
    $('scrub').value = p.count > 1 ? Math.round(1000 * at / (p.count - 1)) : 1000;
    $('pos').textContent = 'event ' + at + ' of ' + p.count;
  }
  drawTimeline();
}

function setEvent(at) { ui.mode = 'event'; $('mode').value = 'event'; ui.at = at; refresh(); }

// ------------------------------------------------------------------ the timeline

let timeline = null;
async function loadTimeline() {
  const p = primary();
  timeline = p ? await api('/api/runs/' + p.id + '/timeline?buckets=300').catch(() => null) : null;
  drawTimeline();
}

function drawTimeline() {
  const c = $('timeline');
  const g = c.getContext('2d');
  g.clearRect(0, 0, c.width, c.height);
  const p = primary();
  if (!timeline || !p) return;
  const buckets = timeline.counts[0].length;
  const w = c.width / buckets;
  let max = 1;
  for (let b = 0; b < buckets; b++) max = Math.max(max, timeline.counts.reduce((s, f) => s + f[b], 0));
  for (let b = 0; b < buckets; b++) {
    let y = c.height;
    timeline.counts.forEach((f, k) => {
      const h = f[b] ? Math.max(1, (c.height - 4) * Math.log1p(f[b]) / Math.log1p(max)) / timeline.counts.length * 2 : 0;
      g.fillStyle = FAMILY_COLORS[k];
      g.fillRect(b * w, y - h, Math.max(1, w - 0.5), h);
      y -= h;
    });
  }
  const pane = panes.get(p.id);
  const t = pane && pane.state ? pane.state.t : (ui.t || 0);
  const x = c.width * t / Math.max(1, timeline.durationNanos);
  g.fillStyle = '#d00';
  g.fillRect(x - 1, 0, 2, c.height);
}

// ------------------------------------------------------------------ layout

function layout() {
  const tabs = $('tabs');
  tabs.innerHTML = '';
  for (const v of VIEWS) {
    const b = document.createElement('button');
    b.textContent = VIEW_NAMES[v];
    b.dataset.view = v;
    b.id = 'tab-' + v;
    if (v === ui.view) b.className = 'on';
    b.addEventListener('click', () => { ui.view = v; layout(); });
    tabs.append(b);
  }
  const main = $('panes');
  main.innerHTML = '';
  panes.clear();
  for (const id of ui.shown) {
    const r = run(id);
    const el = document.createElement('section');
    el.className = 'pane';
    el.dataset.run = id;
    el.innerHTML = '<h2>' + esc(id + ': ' + r.header.engine + ', ' + r.header.workload + ' (' + r.name + ')') + '</h2>'
      + '<div class="summary"></div><div class="view"></div><div class="events"></div>';
    main.append(el);
    panes.set(id, {el, state: null});
  }
  loadTimeline();
  refresh();
}

// ------------------------------------------------------------------ rendering

function render(pane, r) {
  const s = pane.state;
  const view = pane.el.querySelector('.view');
  const summary = pane.el.querySelector('.summary');
  const ev = s.event ? s.event.type : '(before the first event)';
  summary.innerHTML = 'at event ' + s.at + ' (' + esc(ev) + '), t = ' + seconds(s.t) + (s.phase ? ', phase ' + esc(s.phase) : '')
    + (r.live ? ', live' : '');
  const draw = {btree: drawBtree, pool: drawPool, lsm: drawLsm, amp: drawAmp, wal: drawWal, mvcc: drawMvcc, hybrid: drawHybrid,
    events: () => '<div class="summary">' + r.count + ' events; the list below holds the ' + WINDOW + ' around the position</div>'}[ui.view];
  view.innerHTML = draw(s, r);
  const list = pane.el.querySelector('.events');
  list.innerHTML = pane.events.events.map((e) => '<div class="ev' + (e.i === s.at ? ' cur' : '') + '" data-i="' + e.i + '">'
    + '<span class="ty">' + esc(e.i + ' ' + e.type) + '</span> ' + esc(describe(e)) + '</div>').join('');
  list.querySelectorAll('.ev').forEach((d) => d.addEventListener('click', () => {
    const i = Number(d.dataset.i);
    setEvent(r.id === primary().id ? i : Math.round(i / Math.max(1, r.count - 1) * (primary().count - 1)));
  }));
  const cur = list.querySelector('.cur');
  if (cur) cur.scrollIntoView({block: 'nearest'});
  if (r.id === primary().id) drawTimeline();
}

function describe(e) {
  switch (e.type) {
    case 'page.split': return (e.root ? 'ROOT SPLIT: the tree grew a level; ' : '') + (e.leaf ? 'leaf ' : 'internal page ') + e.page
      + ' at level ' + e.level + ' split, new right page ' + e.right + ', separator ' + e.separator + ', left now ' + pct(e.fill) + ' full';
    case 'page.merge': return 'page ' + e.freed + ' merged into ' + e.page;
    case 'page.evict': return 'frame ' + e.frame + ' evicted its page';
    case 'flush.begin': return 'flush of a ' + e.memtableBytes + '-byte memtable began';
    case 'flush.end': return 'flush wrote ' + e.tables.map((t) => '#' + t.file).join(', ') + ' to L0';
    case 'compaction.picked': return 'compaction picked: L' + e.level + ' -> L' + e.output + ', inputs ' + e.inputs.map((t) => 'L' + t.level + '#' + t.file).join(' ');
    case 'compaction.finished': return (e.trivialMove ? 'trivial move' : 'compaction') + ' L' + e.level + ' -> L' + e.output + ': '
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
function svg(w, h, body) { return '<svg viewBox="0 0 ' + w + ' ' + h + '" height="' + h + '">' + body + '</svg>'; }
function rect(x, y, w, h, fill, extra) { return '<rect x="' + x.toFixed(1) + '" y="' + y.toFixed(1) + '" width="' + Math.max(0.5, w).toFixed(1) + '" height="' + h.toFixed(1) + '" fill="' + fill + '" ' + (extra || '') + '/>'; }
function text(x, y, s, extra) { return '<text x="' + x + '" y="' + y + '" font-size="11" ' + (extra || '') + '>' + esc(s) + '</text>'; }
function kvTable(o) { return '<table class="kv">' + Object.entries(o).map(([k, v]) => '<tr><td>' + esc(k) + '</td><td>' + esc(v) + '</td></tr>').join('') + '</table>'; }

function drawBtree(s) {
  const b = s.btree;
  const c = s.counts;
  const splits = c['page.split'] || 0;
  const frames = new Map();
  if (s.pool && s.pool.frames) for (const f of s.pool.frames) if (f.page >= 0) frames.set(f.page, f);
  let head = '<div class="summary btree-summary">height ' + b.height + ', ' + Math.max(b.pageCount || 0, b.pages.length)
    + ' pages; splits ' + splits + ', merges ' + (c['page.merge'] || 0) + '; last root split: '
    + (b.lastRootSplit >= 0 ? 'event ' + b.lastRootSplit : 'none so far') + '</div>';
  if (!b.pages.length) return head + '<div>no page yet (no picture of the tree before this event)</div>';
  const levels = [];
  for (const p of b.pages) (levels[p.level] = levels[p.level] || []).push(p);
  const W = 1000, rowH = 46;
  let body = '';
  levels.forEach((row, level) => {
    if (!row) return;
    const shown = row.slice(0, 300);
    const w = W / Math.max(shown.length, 1);
    shown.forEach((p, k) => {
      const x = k * w, y = level * rowH + 14;
      const f = frames.get(p.id);
      const stroke = f && f.latch === 'x' ? '#d00' : f && f.latch === 's' ? '#06c' : f && f.pins > 0 ? '#333' : '#999';
      body += rect(x + 1, y, w - 2, rowH - 20, '#eef', 'stroke="' + stroke + '" stroke-width="' + (f && (f.pins > 0 || f.latch) ? 2 : 0.5) + '"');
      body += rect(x + 1, y + (rowH - 20) * (1 - p.fill), w - 2, (rowH - 20) * p.fill, p.fresh ? '#f39c12' : p.leaf ? '#6a9fd4' : '#4a6fa4',
        'class="page" data-page="' + p.id + '"><title>page ' + p.id + ' level ' + level + ', ' + pct(p.fill) + ' full'
        + (p.first ? ', first key ' + esc(p.first) : '') + (f ? ', pins ' + f.pins + (f.latch ? ', latched ' + f.latch : '') : '') + '</title></rect');
    });
    const all = b.levelPages && b.levelPages[level] !== undefined ? b.levelPages[level] : row.length;
    body += text(2, level * rowH + 11, 'level ' + level + ': ' + all + ' page' + (all === 1 ? '' : 's')
      + (all > shown.length ? ' (first ' + shown.length + ' drawn)' : ''));
  });
  const legend = '<div class="legend"><span><i style="background:#f39c12"></i>split since the last picture</span>'
    + '<span><i style="background:#6a9fd4"></i>leaf (height = fill)</span><span><i style="background:#4a6fa4"></i>internal</span>'
    + '<span><i style="border:2px solid #d00"></i>latched exclusive</span><span><i style="border:2px solid #06c"></i>latched shared</span>'
    + '<span><i style="border:2px solid #333"></i>pinned</span></div>';
  return head + svg(W, levels.length * rowH + 16, body) + legend;
}

function drawPool(s) {
  const p = s.pool;
  if (!p.frames) return '<div class="summary">no picture of the buffer pool yet</div>';
  const evicted = new Set(p.evictedSince || []);
  const cols = 64, size = 14, rows = Math.ceil(p.frames.length / cols);
  let body = '';
  p.frames.forEach((f, k) => {
    const x = (k % cols) * size, y = Math.floor(k / cols) * size;
    const fill = f.page < 0 ? '#ddd' : f.dirty ? '#e67e22' : '#7fb77e';
    const stroke = evicted.has(f.frame) ? '#d00' : f.pins > 0 ? '#06c' : 'none';
    body += rect(x + 1, y + 1, size - 2, size - 2, fill, 'stroke="' + stroke + '" stroke-width="2"><title>frame ' + f.frame
      + (f.page < 0 ? ' free' : ': page ' + f.page + ', pins ' + f.pins + (f.dirty ? ', dirty' : '')) + '</title></rect');
  });
  const resident = p.frames.filter((f) => f.page >= 0).length;
  return '<div class="summary">' + p.frames.length + ' frames, ' + resident + ' resident, ' + p.frames.filter((f) => f.dirty).length + ' dirty, '
    + p.frames.filter((f) => f.pins > 0).length + ' pinned; hits ' + p.hits + ', misses ' + p.misses + ', evictions ' + p.evictions
    + ' (' + evicted.size + ' frames evicted since the picture)</div>' + svg(cols * size, rows * size, body)
    + '<div class="legend"><span><i style="background:#ddd"></i>free</span><span><i style="background:#7fb77e"></i>clean</span>'
    + '<span><i style="background:#e67e22"></i>dirty</span><span><i style="border:2px solid #06c"></i>pinned</span>'
    + '<span><i style="border:2px solid #d00"></i>evicted since the picture</span></div>';
}

function drawLsm(s) {
  const l = s.lsm;
  const c = s.counts;
  const keys = [...new Set(l.tables.flatMap((t) => [t.lo, t.hi]))].sort();
  const rank = new Map(keys.map((k, i) => [k, i]));
  const span = Math.max(1, keys.length - 1);
  const running = new Set(l.running.flatMap((r) => r.inputs.map((t) => t.file)));
  const last = l.recent.filter((e) => e.type === 'compaction.finished').pop();
  const fresh = new Set(last ? last.outputs.map((t) => t.file) : []);
  const levels = Math.max(1, ...l.tables.map((t) => t.level + 1));
  const W = 1000, rowH = 34;
  let body = '';
  const perLevel = [];
  for (let level = 0; level < levels; level++) {
    const ts = l.tables.filter((t) => t.level === level);
    const bytes = ts.reduce((a, t) => a + t.bytes, 0);
    perLevel.push('L' + level + ': ' + ts.length);
    body += text(2, level * rowH + 11, 'L' + level + ': ' + ts.length + ' tables, ' + (bytes / 1048576).toFixed(2) + ' MiB');
    ts.forEach((t, k) => {
      const x0 = W * rank.get(t.lo) / span, x1 = W * rank.get(t.hi) / span;
      const y = level * rowH + 14 + (level === 0 ? (k % 4) * 4 : 0);
      const fill = running.has(t.file) ? '#e74c3c' : fresh.has(t.file) ? '#27ae60' : level === 0 ? '#c9731c' : '#2a7ab9';
      body += rect(x0, y, Math.max(2, x1 - x0), level === 0 ? 6 : 14, fill, 'opacity="0.85" class="table" data-file="' + t.file
        + '"><title>#' + t.file + ' L' + t.level + ' ' + t.bytes + ' bytes [' + esc(t.lo) + ' .. ' + esc(t.hi) + ']</title></rect');
    });
  }
  let compaction = '';
  if (s.event && s.event.type.startsWith('compaction.')) {
    const e = s.event;
    compaction = '<div class="summary compaction-now">' + esc(describe(e)) + '</div>';
  }
  return '<div class="summary lsm-summary">' + perLevel.join(', ') + '; flushes ' + (c['flush.end'] || 0) + ', compactions '
    + (c['compaction.finished'] || 0) + (l.running.length ? ', ' + l.running.length + ' running' : '') + '</div>' + compaction
    + svg(W, levels * rowH + 10, body)
    + '<div class="legend"><span>x: key range (by rank of the tables\' bounds)</span><span><i style="background:#e74c3c"></i>compaction input (running)</span>'
    + '<span><i style="background:#27ae60"></i>last compaction\'s output</span><span><i style="background:#c9731c"></i>level 0 (may overlap)</span></div>';
}

function drawAmp(s) {
  const c = s.counters;
  if (!c) return '<div class="summary">no counters yet</div>';
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
  return '<div class="summary amp-summary">counters at event ' + c.i + ' (since the engine opened)</div>' + kvTable(lines) + '<br>' + kvTable(o);
}

function drawWal(s) {
  const groups = s.wal;
  const n = s.counts['wal.group_commit'] || 0;
  if (!groups.length) return '<div class="summary">no group commit yet (the log belongs to kv, kv-lsm and hybrid)</div>';
  const max = Math.max(...groups.map((g) => g.size));
  const W = 1000, H = 120, w = W / groups.length;
  let body = '';
  groups.forEach((g, k) => {
    const h = (H - 16) * g.size / max;
    body += rect(k * w + 1, H - h, w - 2, h, '#4a9a4a', '><title>event ' + g.i + ': ' + g.size + ' commits, ' + g.bytes + ' bytes, LSN ' + g.firstLsn + '</title></rect');
  });
  const mean = groups.reduce((a, g) => a + g.size, 0) / groups.length;
  return '<div class="summary">' + n + ' group commits so far; the last ' + groups.length + ' drawn (height = commits per force), mean '
    + mean.toFixed(2) + '; segments ' + groups[groups.length - 1].segments + '</div>' + svg(W, H, body + text(2, 11, 'most ' + max));
}

function drawMvcc(s) {
  const m = s.mvcc;
  const c = s.counts;
  const horizon = m.gc ? m.gc.watermark : (m.snapshot ? m.snapshot.gcWatermark : null);
  let rows = '';
  for (const [key, versions] of Object.entries(m.versions)) {
    let belowSeen = false;
    rows += '<tr><td>' + esc(key) + '</td><td>' + versions.map((ts) => {
      const below = horizon !== null && ts <= horizon;
      const garbage = below && belowSeen; // only the newest version at or below the horizon is still readable
      belowSeen = belowSeen || below;
      return '<span style="' + (garbage ? 'color:#aaa;text-decoration:line-through' : '') + '">' + ts + '</span>';
    }).join(' ') + '</td></tr>';
  }
  return '<div class="summary">transactions: begun ' + (c['txn.begin'] || 0) + ', committed ' + (c['txn.commit'] || 0) + ', aborted '
    + (c['txn.abort'] || 0) + ', conflicts ' + (c['txn.conflict'] || 0) + '; GC horizon ' + (horizon === null ? 'none yet' : horizon)
    + (m.snapshot ? '; visible ts ' + m.snapshot.visibleTs + ', active ' + m.snapshot.activeTransactions : '') + '</div>'
    + (rows ? '<table class="kv"><tr><td>key</td><td>versions (commit ts, newest first; struck out: below the horizon, behind a newer one, garbage)</td></tr>' + rows + '</table>'
      : '<div>no commit yet (the kv engines run transactions: try the bank workload)</div>');
}

function drawHybrid(s) {
  const h = s.hybrid;
  const snap = h.snapshot;
  let out = '<div class="summary">' + (snap ? 'hot keys (in the B+tree) ' + snap.hotCount + ', migrations ' + snap.migrations
    + ', queued ' + snap.queued + ', deferred ' + snap.deferred + '; cache ' + snap.cacheEntries + ' entries, hit rate '
    + pct(snap.cacheHits / Math.max(1, snap.cacheHits + snap.cacheMisses)) : 'no picture of the hybrid yet') + '</div>';
  if (snap) {
    out += '<div>tiers: ' + esc(snap.tiers) + '</div><div>bytes: hot ' + snap.hotBytes + ', cold ' + snap.coldBytes + ', archive ' + snap.archiveBytes + '</div>';
    out += '<div>hot key ranges: ' + esc(ranges(snap.hotKeys)) + '</div>';
  }
  out += '<div>migrations in flight: ' + (h.inFlight.length ? h.inFlight.map((m) => esc(m.key + ' ' + m.from + '->' + m.to)).join(', ') : 'none') + '</div>';
  out += '<div>recent route decisions: ' + h.routes.slice(-10).map((e) => esc(e.key + ' ' + e.from + '->' + e.to)).join(', ') + '</div>';
  out += '<div>table moves between tiers: ' + (h.tiers.length ? h.tiers.map((e) => esc(e.table + ' ' + e.from + '->' + e.to)).join(', ') : 'none') + '</div>';
  return out;
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

// ------------------------------------------------------------------ controls

function step(delta) {
  const p = primary();
  if (!p) return;
  const at = positionOf(p);
  const pane = panes.get(p.id);
  const cur = ui.mode === 'time' && pane && pane.state ? pane.state.at : at;
  setEvent(Math.max(0, Math.min(p.count - 1, cur + delta)));
}

async function jump(dir) {
  const p = primary();
  if (!p) return;
  const pane = panes.get(p.id);
  const from = pane && pane.state ? pane.state.at : positionOf(p);
  const [type, root] = $('jumpType').value.split('|');
  try {
    const r = await api('/api/runs/' + p.id + '/find?type=' + encodeURIComponent(type) + '&from=' + from + '&dir=' + dir + (root ? '&root=true' : ''));
    if (r.at < 0) message('no ' + (dir === 'next' ? 'later' : 'earlier') + ' ' + $('jumpType').value.replace('|root', ' (root)') + ' event in run ' + p.id);
    else setEvent(r.at);
  } catch (e) { message(e.message); }
}

function setupControls(meta) {
  for (const e of meta.engines) $('liveEngine').add(new Option(e, e));
  for (const w of meta.workloads) $('liveWorkload').add(new Option(w, w));
  $('liveWorkload').value = 'fillrandom';
  const jumps = ['page.split|root', 'page.split', 'page.merge', 'page.evict', 'checkpoint', 'flush.end', 'compaction.picked',
    'compaction.finished', 'wal.group_commit', 'txn.conflict', 'version.gc', 'route.decision', 'migration.begin', 'tier.move'];
  for (const j of jumps) $('jumpType').add(new Option(j.replace('|root', ' (root)'), j));
  $('jumpType').value = 'compaction.finished';
  $('jumpNext').addEventListener('click', () => jump('next'));
  $('jumpPrev').addEventListener('click', () => jump('prev'));
  $('stepBack').addEventListener('click', () => step(-1));
  $('stepFwd').addEventListener('click', () => step(1));
  $('mode').addEventListener('change', () => {
    const p = primary();
    const pane = p && panes.get(p.id);
    ui.mode = $('mode').value;
    if (pane && pane.state) { ui.at = pane.state.at; ui.t = pane.state.t; }
    refresh();
  });
  $('scrub').addEventListener('input', () => {
    const p = primary();
    if (!p) return;
    const f = Number($('scrub').value) / 1000;
    if (ui.mode === 'time') ui.t = Math.round(f * p.durationNanos);
    else ui.at = Math.round(f * (p.count - 1));
    refresh();
  });
  $('timeline').addEventListener('click', (ev) => {
    const p = primary();
    if (!p || !timeline) return;
    const rect = $('timeline').getBoundingClientRect();
    ui.mode = 'time';
    $('mode').value = 'time';
    ui.t = Math.round((ev.clientX - rect.left) / rect.width * timeline.durationNanos);
    refresh();
  });
  $('play').addEventListener('click', () => {
    ui.playing = !ui.playing;
    $('play').textContent = ui.playing ? 'pause' : 'play';
  });
  $('liveform').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const q = new URLSearchParams({engine: $('liveEngine').value, workload: $('liveWorkload').value, keys: $('liveKeys').value, ops: $('liveOps').value});
    try {
      const r = await api('/api/live?' + q, {method: 'POST', headers: {'X-Storagelab': '1'}});
      await loadRuns();
      ui.shown = [r.id];
      ui.at = null;
      ui.mode = 'event';
      layout();
    } catch (e) { message('cannot start the live run: ' + e.message); }
  });
  window.addEventListener('hashchange', () => { readHash(); $('mode').value = ui.mode; layout(); });
}

async function tick() {
  // Play: a step of about 1/400 of the run every 200 ms. Live runs: new events are fetched, and
  // the view follows the end while "follow" is on.
  const p = primary();
  if (p && ui.playing) {
    const pane = panes.get(p.id);
    const at = pane && pane.state ? pane.state.at : 0;
    if (at >= p.count - 1) { ui.playing = false; $('play').textContent = 'play'; } else setEvent(Math.min(p.count - 1, at + Math.max(1, Math.round(p.count / 400))));
  }
  if (ui.runs.some((r) => r.live)) {
    const before = ui.runs.map((r) => r.count).join();
    ui.runs = await api('/api/runs').catch(() => ui.runs);
    if (ui.runs.map((r) => r.count).join() !== before) {
      // follow the end of the run shown, when that run is the live one: another run's live events move nothing
      if ($('follow').checked && ui.mode === 'event' && primary() && primary().live) ui.at = null;
      loadTimeline();
      refresh();
    }
    if (!ui.runs.some((r) => r.live)) loadRuns();
  }
  setTimeout(tick, 200);
}

(async function main() {
  readHash();
  $('mode').value = ui.mode;
  try {
    setupControls(await api('/api/engines'));
    await loadRuns();
    layout();
  } catch (e) { message('the viewer could not start: ' + e.message); }
  tick();
})();
