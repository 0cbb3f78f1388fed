// storagelab viz: the one way the page puts anything into the document. Elements are built here,
// and every value that comes from a recording or a live run (names, keys, messages, a test's text)
// goes in as a text node or as an attribute's value, never as markup: nothing the page shows is
// parsed as HTML, so a recording cannot add an element or a script to the page. (The server's
// Content-Security-Policy makes the browser refuse markup built from strings, should any be tried.)
'use strict';

const SVG_NS = 'http://www.w3.org/2000/svg';
// Attributes that run script, load a URL or set a style: the page sets none of them, from data or not.
const UNSAFE_ATTRIBUTE = /^(on|href$|src$|xlink:|style$|srcdoc$|action$|formaction$)/i;

// An HTML element: el('div', {class: 'summary'}, 'text', child, [more children]).
function el(tag, attrs, ...children) { return build(document.createElement(tag), attrs, children); }

// An SVG element, as el builds an HTML one.
function svgEl(tag, attrs, ...children) { return build(document.createElementNS(SVG_NS, tag), attrs, children); }

// A fragment of several nodes, to put in place at once.
function frag(...children) { return add(document.createDocumentFragment(), children); }

function build(node, attrs, children) {
  for (const [name, value] of Object.entries(attrs || {})) {
    if (UNSAFE_ATTRIBUTE.test(name)) throw new Error('the viewer sets no ' + name + ' attribute');
    if (value !== null && value !== undefined && value !== false) node.setAttribute(name, String(value));
  }
  return add(node, children);
}

// Appends children (arrays of them flattened): nodes as they are, anything else as text;
// null, undefined, false and '' add nothing.
function add(node, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false || c === '') continue;
    node.append(c instanceof Node ? c : String(c));
  }
  return node;
}

// A legend's colour sample, styled through the CSSOM (which the page's policy allows; a style
// attribute it refuses): swatch({background: '#ddd'}).
function swatch(css) {
  const i = document.createElement('i');
  Object.assign(i.style, css);
  return i;
}
