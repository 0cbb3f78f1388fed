// storagelab book: code highlighting, the search box, and the links to recorded runs. Everything it
// reads is in the book's folder (assets/search-index.js is written when the book is built, and read
// on the page's first search: it holds the whole book's text, which no page needs to show itself);
// nothing is fetched from elsewhere.
'use strict';

(function () {
  const base = document.body.dataset.base || '';

  // Served beside the viewer (./storagelab book --serve: the book at /book/, the viewer at /), a link
  // to a recorded run opens it in the viewer; read from disk, it goes to the page that says how.
  const root = new URL(base || '.', location.href);
  if (location.protocol.startsWith('http') && root.pathname === '/book/') {
    for (const a of document.querySelectorAll('a[data-viewer]')) {
      a.href = new URL('../#' + a.dataset.viewer, root).href;
    }
  }

  // A handout's landing page (README.html) sends a link to one of its anchors (a failing test's
  // README.md#t3) on to the page of the book that holds that anchor.
  const landing = document.querySelector('ul.landing');
  if (landing) {
    const h = decodeURIComponent(location.hash.slice(1));
    const e = h && h !== 'landing' ? document.getElementById(h) : null;
    if (e && landing.contains(e) && e.dataset.page) {
      location.replace(e.dataset.page);
      return;
    }
  }

  // Highlight the code blocks whose language highlight.js knows; the others stay plain text.
  for (const code of document.querySelectorAll('pre code')) {
    const lang = [...code.classList].find((c) => c.startsWith('language-'));
    if (lang && !hljs.getLanguage(lang.slice('language-'.length))) {
      code.classList.remove(lang);
      code.classList.add('language-plaintext');
    }
    if (!lang) code.classList.add('language-plaintext');
    hljs.highlightElement(code);
  }

  const input = document.getElementById('search');
  const results = document.getElementById('results');
  let index = null;
  let docs = null; // the search index, once read
  let reading = null;

  // Reads assets/search-index.js (a script of the book's own, as its policy allows) on the first search.
  function read() {
    if (!reading) {
      reading = new Promise((done) => {
        const s = document.createElement('script');
        s.src = base + 'assets/search-index.js';
        s.onload = () => { docs = window.BOOK_INDEX || []; done(); };
        s.onerror = () => { docs = []; done(); }; // the console says which file did not load
        document.head.append(s);
      });
    }
    return reading;
  }

  function build() {
    if (index) return index;
    index = lunr(function () {
      this.ref('i');
      this.field('t', {boost: 5});
      this.field('b');
      docs.forEach((d, i) => this.add({i: String(i), t: d.t, b: d.b}));
    });
    return index;
  }

  // An element holding text: what the search index says is shown as text, never parsed as markup.
  function el(tag, text) {
    const e = document.createElement(tag);
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function snippet(text, terms) {
    const lower = text.toLowerCase();
    let at = -1;
    for (const t of terms) { at = lower.indexOf(t); if (at >= 0) break; }
    const from = Math.max(0, at - 60);
    return (from > 0 ? '… ' : '') + text.slice(from, from + 180) + (text.length > from + 180 ? ' …' : '');
  }

  function search(q) {
    const words = q.trim().toLowerCase().split(/\s+/).filter((w) => w.length > 0)
      .map((w) => w.replace(/[^\p{L}\p{N}_.-]/gu, '')).filter((w) => w.length > 0);
    if (!words.length) return [];
    // every word must appear; the last one may be a prefix (the reader is still typing)
    const query = words.map((w, i) => '+' + w + (i === words.length - 1 ? '*' : '')).join(' ');
    try {
      return build().search(query).slice(0, 20).map((r) => ({doc: docs[Number(r.ref)], words}));
    } catch (e) {
      return [];
    }
  }

  function show(q) {
    if (q.trim() && docs === null) {
      read().then(() => { if (input.value === q) show(q); }); // typed meanwhile: that search shows instead
      return;
    }
    const found = search(q);
    results.replaceChildren();
    if (!q.trim()) { results.hidden = true; return; }
    if (!found.length) {
      const none = el('li', 'nothing found');
      none.className = 'none';
      results.append(none);
    }
    for (const {doc, words} of found) {
      const a = el('a');
      a.href = base + doc.u; // a page of the book, relative to this one
      a.append(el('strong', doc.t), el('span', snippet(doc.b, words)));
      const li = el('li');
      li.append(a);
      results.append(li);
    }
    results.hidden = false;
  }

  input.addEventListener('input', () => show(input.value));
  input.addEventListener('focus', () => { if (input.value.trim()) show(input.value); });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') { input.value = ''; show(''); }
    if (e.key === 'Enter') { const a = results.querySelector('a'); if (a) a.click(); }
  });
  document.addEventListener('click', (e) => { if (!e.target.closest('.search')) results.hidden = true; });
})();
