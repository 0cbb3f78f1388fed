// storagelab viz: the page. Plain JavaScript and SVG, served from the workbench's jar; nothing
// is fetched from elsewhere, and everything shown is built with dom.js, what a run recorded as text. The view's state lives in the URL's hash, so a view can be shared:
//   #runs=0,1&view=lsm&mode=event&at=1234   or   ...&mode=time&t=5000000000
'use strict';

const VIEWS = ['btree', 'pool', 'lsm', 'amp', 'wal', 'mvcc', 'hybrid', 'events'];
const VIEW_NAMES = {btree: 'B+tree pages', pool: 'buffer pool', lsm: 'LSM levels', amp: 'amplification',
  wal: 'WAL group commits', mvcc: 'MVCC versions', hybrid: 'hybrid routes', events: 'events'};
const FAMILY_COLORS = ['#2a7ab9', '#c9731c', '#4a9a4a', '#9a4a9a'];
const WINDOW = 60; // events listed around the position: the page holds a window, never the whole run

// view: null until chosen (by the URL or a tab); until then each layout opens the view of the run's engine
const ui = {runs: [], shown: [0], view: null, mode: 'event', at: null, t: null, playing: false, opened: new Set()};
const panes = new Map(); // run id -> {el, state, pending, busy}
const $ = (id) => document.getElementById(id);

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
  ui.view = VIEWS.includes(h.get('view')) ? h.get('view') : null;
  ui.mode = h.get('mode') === 'time' ? 'time' : 'event';
  ui.at = /^-?\d+$/.test(h.get('at') || '') ? Number(h.get('at')) : null;
  ui.t = /^\d+$/.test(h.get('t') || '') ? Number(h.get('t')) : null;
}

function writeHash() {
  const h = new URLSearchParams();
  h.set('runs', ui.shown.join(','));
  if (ui.view) h.set('view', ui.view);
  h.set('mode', ui.mode);
  if (ui.mode === 'time') { if (ui.t !== null) h.set('t', String(ui.t)); } else if (ui.at !== null) h.set('at', String(ui.at));
  const s = '#' + h.toString();
  if (location.hash !== s) history.replaceState(null, '', s);
}

// ------------------------------------------------------------------ runs and messages

function run(id) { return ui.runs.find((r) => r.id === id); }
function primary() { return run(ui.shown[0]); }

// The view a run opens on: the one its recording names (a failing test's), else its engine's.
const ENGINE_VIEWS = new Map(Object.entries({btree: 'btree', 'btree-16m': 'btree', lsm: 'lsm', 'lsm-tiered': 'lsm', sortedlog: 'lsm',
  kv: 'wal', 'kv-lsm': 'wal', hybrid: 'hybrid', 'hybrid-simple': 'hybrid'}));
function engineView(r) {
  if (!r || !r.header) return 'events';
  if (VIEWS.includes(r.header.view)) return r.header.view;
  return ENGINE_VIEWS.get(r.header.engine) || 'events';
}
function currentView() { return ui.view || engineView(primary()); }

async function loadRuns() {
  ui.runs = await api('/api/runs');
  const list = $('runlist');
  list.replaceChildren(ui.runs.length ? 'runs: ' : 'no recorded runs: start a live run, or give RUN.jsonl files to ./storagelab viz');
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
  msgs.replaceChildren();
  for (const r of ui.runs) {
    if (r.error) msgs.append(el('div', {class: 'msg'}, 'cannot open run ' + r.id + ': ' + r.error));
    for (const w of r.warnings) msgs.append(el('div', {class: 'msg warn'}, 'run ' + r.id + ' (' + r.name + '): ' + w));
  }
  ui.shown = ui.shown.filter((id) => run(id) && !run(id).error);
  if (!ui.shown.length) { const ok = ui.runs.find((r) => !r.error); if (ok) ui.shown = [ok.id]; }
}

function message(text) { $('messages').append(el('div', {class: 'msg'}, text)); }

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
        api('/api/runs/' + id + '/events?from=' + Math.max(0, at - WINDOW / 2) + '&count=' + WINDOW
          + ($('showPictures').checked ? '' : '&hide=snapshot&at=' + at))]);
      pane.state = state;
      pane.events = events;
      render(pane, r);
    } while (pane.again);
  } catch (e) {
    pane.el.querySelector('.view').replaceChildren(el('div', {class: 'msg'}, e.message));
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
  tabs.replaceChildren();
  for (const v of VIEWS) {
    const b = document.createElement('button');
    b.textContent = VIEW_NAMES[v];
    b.dataset.view = v;
    b.id = 'tab-' + v;
    if (v === currentView()) b.className = 'on';
    b.addEventListener('click', () => { ui.view = v; layout(); });
    tabs.append(b);
  }
  const main = $('panes');
  main.replaceChildren();
  panes.clear();
  const p = primary();
  // A failing test's recording opens at the step it failed after, unless the URL names a position.
  if (p && !ui.opened.has(p.id)) {
    ui.opened.add(p.id);
    if (ui.at === null && ui.mode === 'event' && Number.isInteger(p.header.failedAt)) ui.at = p.header.failedAt;
  }
  for (const id of ui.shown) {
    const r = run(id);
    const section = el('section', {class: 'pane', 'data-run': id},
      el('h2', null, id + ': ' + r.header.engine + ', ' + r.header.workload + ' (' + r.name + ')'),
      failurePanel(r), el('div', {class: 'summary'}), el('div', {class: 'view'}), el('div', {class: 'events'}));
    main.append(section);
    panes.set(id, {el: section, state: null});
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
  summary.replaceChildren('at event ' + s.at + ' (' + ev + '), t = ' + seconds(s.t) + (s.phase ? ', phase ' + s.phase : '')
    + (r.live ? ', live' : ''));
  const draw = {btree: drawBtree, pool: drawPool, lsm: drawLsm, amp: drawAmp, wal: drawWal, mvcc: drawMvcc, hybrid: drawHybrid,
    events: () => el('div', {class: 'summary'}, r.count + ' events; the list below holds the ' + WINDOW + ' around the position'
      + ($('showPictures').checked ? '' : ', pictures of the engine\'s state (snapshots) left out'))}[currentView()];
  // drawn to the pane's width in pixels (less room for a scroll bar that may yet come), never scaled
  view.replaceChildren(draw(s, r, Math.max(320, Math.floor((view.clientWidth || pane.el.clientWidth) - 18))));
  const list = pane.el.querySelector('.events');
  list.replaceChildren(...eventRows(pane.events.events, s.at, pane));
  list.querySelectorAll('.group').forEach((d) => d.addEventListener('click', () => {
    pane.expanded = pane.expanded || new Set();
    pane.expanded.add(Number(d.dataset.first));
    render(pane, r);
  }));
  // a row goes to its event; a group's row (no event of its own) only opens, above
  list.querySelectorAll('.ev:not(.group)').forEach((d) => d.addEventListener('click', () => {
    const i = Number(d.dataset.i);
    if (!Number.isInteger(i)) return; // a recording whose event numbers are not numbers
    setEvent(r.id === primary().id ? i : Math.round(i / Math.max(1, r.count - 1) * (primary().count - 1)));
  }));
  // the list scrolls to the position; the page itself stays where the reader left it
  const cur = list.querySelector('.cur');
  if (cur) list.scrollTop = Math.max(0, cur.offsetTop - list.offsetTop - list.clientHeight / 2);
  if (r.id === primary().id) drawTimeline();
}

// Consecutive events of one type (a burst of evictions, of trivial moves) are one row, "12 x
// page.evict", opened by a click; the group holding the position is always open.
const GROUP = 3;
function eventRows(events, at, pane) {
  const rows = [];
  for (let k = 0; k < events.length;) {
    let j = k;
    while (j + 1 < events.length && events[j + 1].type === events[k].type) j++;
    const n = j - k + 1;
    const open = n < GROUP || (events[k].i <= at && at <= events[j].i) || (pane.expanded && pane.expanded.has(events[k].i));
    if (open) {
      for (let m = k; m <= j; m++) rows.push(eventRow(events[m], at));
    } else {
      const trivial = events.slice(k, j + 1).filter((e) => e.trivialMove).length;
      rows.push(el('div', {class: 'ev group', 'data-first': events[k].i, title: 'click to list them'},
        el('span', {class: 'ty'}, events[k].i + '..' + events[j].i + ' ' + n + ' x ' + events[k].type), ' ',
        trivial ? trivial + ' of them trivial moves' : describe(events[k]) + ', ...'));
    }
    k = j + 1;
  }
  return rows;
}

function eventRow(e, at) {
  return el('div', {class: 'ev' + (e.i === at ? ' cur' : '') + (e.trivialMove ? ' trivial' : ''), 'data-i': e.i},
    el('span', {class: 'ty'}, e.i + ' ' + e.type), ' ', describe(e));
}

// What a failing test's recording says of the failure: the test, its message, and what it expected
// beside what it got, when the assertion said.
function failurePanel(r) {
  const h = r.header || {};
  if (!h.failure) return null;
  const side = h.expected !== undefined
    ? el('div', {class: 'sides'}, el('div', null, el('b', null, 'expected'), el('pre', {class: 'expected'}, String(h.expected))),
      el('div', null, el('b', null, 'actual'), el('pre', {class: 'actual'}, String(h.actual))))
    : null;
  return el('div', {class: 'failure'}, el('div', null, el('b', null, (h.test || 'the test') + ' failed after event ' + h.failedAt),
    ' (the last event is the mark of the failure)'), el('pre', {class: 'message'}, String(h.failure)), side);
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
  $('showPictures').addEventListener('change', () => refresh());
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
      ui.view = null; // the live run's engine's view
      layout();
    } catch (e) { message('cannot start the live run: ' + e.message); }
  });
  let resized = null;
  window.addEventListener('resize', () => { clearTimeout(resized); resized = setTimeout(refresh, 150); });
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
