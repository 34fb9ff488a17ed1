import { createHash } from 'node:crypto';

/**
 * The inspector page (`GET /_vn/ui`): one self-contained HTML document, no build step and no
 * framework. Its style and script are inline and allowed by their SHA-256 in a strict
 * Content-Security-Policy (no other script, no inline handlers, no images, connections to the
 * emulator only), and Trusted Types are required with no policy, so the page cannot assign markup
 * from a string even by mistake: everything it shows is built with createElement and textContent.
 * The data comes from the emulator's JSON endpoints, already redacted there.
 */

const STYLE = `
:root { color-scheme: light dark; --muted: #6b7280; --bad: #b91c1c; --ok: #15803d; --line: #d1d5db; --mark: #fde047; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, sans-serif; margin: 0; padding: 0 1.2rem 2rem; }
header { display: flex; align-items: baseline; gap: 1rem; border-bottom: 1px solid var(--line); padding: .6rem 0; }
h1 { font-size: 1.15rem; margin: 0; }
h2 { font-size: 1rem; margin: 1.4rem 0 .4rem; }
#live { color: var(--muted); font-size: .85rem; }
.muted { color: var(--muted); }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .2rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; font-size: .8rem; color: var(--muted); }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.nowrap, td.num { white-space: nowrap; }
table.pairs { width: auto; min-width: 40%; margin-bottom: .6rem; }
table.pairs td:last-child { word-break: break-all; }
.bad { color: var(--bad); font-weight: 600; }
.ok { color: var(--ok); }
code, pre { font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; }
pre { white-space: pre-wrap; word-break: break-all; margin: .2rem 0 .6rem; padding: .4rem; border: 1px solid var(--line); border-radius: 4px; }
mark { background: var(--mark); color: #000; outline: 1px solid #000; }
form { display: flex; gap: .5rem; flex-wrap: wrap; margin: .2rem 0 .5rem; }
input, select { font: inherit; padding: .1rem .3rem; }
.failure { border-left: 3px solid var(--bad); padding-left: .8rem; margin-bottom: 1rem; }
details { border-bottom: 1px solid var(--line); padding: .3rem 0; }
summary { cursor: pointer; }
ol.turns { list-style: none; padding: 0; margin: .3rem 0; }
ol.turns li { display: grid; grid-template-columns: 5.5rem 5.5rem 1fr; gap: .5rem; padding: .15rem 0; }
ol.turns li.bot { background: color-mix(in srgb, var(--line) 25%, transparent); }
.turn-meta { grid-column: 3; font-size: .8rem; color: var(--muted); }
`;

const SCRIPT = `
'use strict';
const $ = (id) => document.getElementById(id);
function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}
function row(cells) {
  const tr = el('tr');
  for (const c of cells) tr.append(c instanceof Node ? c : el('td', '', c));
  return tr;
}
function td(text, cls) { return el('td', cls || '', text); }
async function getJson(path) {
  const r = await fetch(path, { headers: { accept: 'application/json' }, cache: 'no-store' });
  if (!r.ok) throw new Error(path + ': HTTP ' + r.status);
  return r.json();
}
function when(iso) { return iso ? iso.replace('T', ' ').replace(/\\.\\d+Z$|Z$/, '') : ''; }

function requestQuery() {
  const q = new URLSearchParams();
  for (const name of ['action', 'status', 'conversation']) {
    const v = $('f-' + name).value.trim();
    if (v) q.set(name, v);
  }
  q.set('limit', '200');
  return '/_vn/requests?' + q;
}

function showRequests(list) {
  const body = $('requests');
  body.replaceChildren();
  if (list.length === 0) body.append(row([td('no requests yet', 'muted')]));
  for (const r of list) {
    const failed = r.status === 0 || r.status >= 400;
    body.append(row([
      td(when(r.time), 'nowrap'), td(r.method), td(r.action || '?'), td(r.accessKeyId || ''),
      td(r.status === 0 ? 'dropped' : r.status, failed ? 'num bad' : 'num ok'), td(r.code || ''),
      td(r.latencyMs + ' ms', 'num'), td(r.firedRule || ''), td(r.conversationId || ''), td(r.requestId, 'muted'),
    ]));
  }
  showFailures(list.filter((r) => r.signature).slice(0, 5));
}

/** The text with the character at \`at\` marked (a marked space past the end when it is shorter). */
function marked(text, at) {
  const pre = el('pre');
  if (at === undefined || at === null) { pre.textContent = text; return pre; }
  const m = el('mark', '', text.slice(at, at + 1) || ' ');
  m.title = 'first difference';
  pre.append(document.createTextNode(text.slice(0, at)), m, document.createTextNode(text.slice(at + 1)));
  return pre;
}

function pairs(title, list) {
  const t = el('table', 'pairs');
  t.append(row([el('th', '', title), el('th', '', 'value')]));
  for (const [k, v] of list) t.append(row([td(k), td(v)]));
  return t;
}

function showFailures(failures) {
  const box = $('failures');
  box.replaceChildren();
  if (failures.length === 0) { box.append(el('p', 'muted', 'No SignatureDoesNotMatch among the requests shown.')); return; }
  for (const r of failures) {
    const s = r.signature;
    const d = el('div', 'failure');
    d.append(el('p', '', when(r.time) + ' · ' + (r.action || '?') + ' · ' + s.scheme.toUpperCase() + ' · key ' + (r.accessKeyId || '?') + ' · ' + r.requestId));
    const diff = s.firstDifference;
    const onExpected = diff && diff.comparedWith === 'expected' ? diff.char : undefined;
    const onCanonical = diff && diff.comparedWith === 'expectedCanonicalRequest' ? diff.char : undefined;
    if (s.expected !== undefined && s.expected !== null) {
      d.append(el('h3', '', 'String to sign the emulator expected'), marked(s.expected, onExpected));
    } else {
      d.append(el('p', 'bad', s.message));
    }
    if (s.expectedCanonicalRequest) d.append(el('h3', '', 'Canonical request the emulator built (its SHA-256 is in the string above)'), marked(s.expectedCanonicalRequest, onCanonical));
    if (s.client !== undefined) {
      d.append(el('h3', '', 'String the client says it signed (x-vn-debug-string-to-sign)'), marked(s.client, diff ? diff.char : undefined));
      d.append(el('p', diff ? 'bad' : 'ok', diff
        ? 'First difference at character ' + diff.char + ' (byte ' + diff.byte + '), marked in both.'
        : 'The strings are equal: the secret differs (a wrong AccessKey secret), not the request.'));
    } else {
      d.append(el('p', 'muted', "The client's string to sign cannot be recovered from its signature (an HMAC). Compare the string above with what your client signed, or have it send its string percent-encoded in the x-vn-debug-string-to-sign header to see both here with the first difference marked."));
    }
    d.append(el('h3', '', 'The request as received: ' + s.received.method + ' ' + s.received.path));
    d.append(pairs('query parameter', s.received.query), pairs('header', s.received.headers));
    box.append(d);
  }
}

function showConversations(list) {
  const box = $('conversations');
  box.replaceChildren();
  if (list.length === 0) box.append(el('p', 'muted', 'No conversations yet.'));
  for (const c of list) {
    const d = el('details');
    d.open = true;
    d.append(el('summary', '', (c.debug ? 'debug · ' : 'live · ') + c.conversationId + ' · instance ' + c.instanceId + ' · ' + c.status +
      ' · ' + c.callingNumber + ' → ' + c.calledNumber + ' · ' + c.turns.length + ' turns'));
    const ol = el('ol', 'turns');
    for (const t of c.turns) {
      const li = el('li', t.speaker === 'Chatbot' ? 'bot' : 'caller');
      li.append(el('span', 'muted', when(t.time).slice(11)), el('b', '', t.speaker), el('span', '', t.text));
      const meta = [];
      if (t.action) meta.push('action ' + t.action);
      if (t.params) meta.push('params ' + t.params);
      if (t.rule) meta.push('answered by ' + t.rule);
      if (meta.length) li.append(el('span', 'turn-meta', meta.join(' · ')));
      ol.append(li);
    }
    d.append(ol);
    box.append(d);
  }
}

function showInstances(list) {
  const box = $('instances');
  box.replaceChildren();
  if (list.length === 0) box.append(el('p', 'muted', 'No instances yet.'));
  for (const i of list) {
    const d = el('details');
    d.append(el('summary', '', i.name + ' · ' + i.instanceId + ' · ' + i.status + ' · concurrency ' + i.concurrency + ' · chatbot ' + (i.chatbot || 'the default')));
    if (i.description) d.append(el('p', '', i.description));
    d.append(el('h3', '', 'Navigation configuration'), el('pre', '', JSON.stringify(i.navigation, null, 2)));
    if (i.tts !== null) d.append(el('h3', '', 'TTS configuration'), el('pre', '', JSON.stringify(i.tts, null, 2)));
    box.append(d);
  }
}

let busy = false;
let again = false;
async function refresh() {
  if (busy) { again = true; return; }
  busy = true;
  try {
    const [requests, conversations, instances] = await Promise.all([
      getJson(requestQuery()), getJson('/_vn/inspect/conversations?limit=20'), getJson('/_vn/inspect/instances'),
    ]);
    showRequests(requests.requests);
    showConversations(conversations.conversations);
    showInstances(instances.instances);
    $('updated').textContent = 'updated ' + new Date().toLocaleTimeString();
  } catch (e) {
    $('updated').textContent = String(e && e.message ? e.message : e);
  } finally {
    busy = false;
    if (again) { again = false; setTimeout(refresh, 50); }
  }
}

let timer;
function soon() { clearTimeout(timer); timer = setTimeout(refresh, 250); }
let polling;
function poll() {
  if (polling) return;
  $('live').textContent = 'polling every 2 s';
  polling = setInterval(refresh, 2000);
}
function live() {
  if (typeof EventSource !== 'function') return poll();
  const source = new EventSource('/_vn/events');
  source.addEventListener('open', () => { $('live').textContent = 'live'; });
  source.addEventListener('request', soon);
  source.addEventListener('error', () => { if (source.readyState === EventSource.CLOSED) poll(); else $('live').textContent = 'reconnecting…'; });
}

for (const name of ['action', 'status', 'conversation']) $('f-' + name).addEventListener('input', soon);
$('filters').addEventListener('submit', (e) => { e.preventDefault(); refresh(); });
refresh();
if (new URLSearchParams(location.search).has('static')) $('live').textContent = 'static (no live updates)';
else live();
`;

const BODY = `
<header><h1>vn emulator inspector</h1><span id="live">loading</span><span id="updated" class="muted"></span></header>
<h2>Requests</h2>
<form id="filters">
  <label>action <input id="f-action" size="18" placeholder="DebugDialogue"></label>
  <label>status <input id="f-status" size="6" placeholder="4xx"></label>
  <label>conversation <input id="f-conversation" size="36"></label>
</form>
<table>
  <thead><tr><th>time (UTC)</th><th>method</th><th>action</th><th>key</th><th>status</th><th>code</th><th>latency</th><th>chaos rule</th><th>conversation</th><th>request id</th></tr></thead>
  <tbody id="requests"></tbody>
</table>
<h2>Signature failures</h2>
<div id="failures"></div>
<h2>Conversations</h2>
<div id="conversations"></div>
<h2>Instances</h2>
<div id="instances"></div>
`;

const hash = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** The page's policy: its own style and script by hash, fetches and events to the emulator only, nothing else. */
export const INSPECTOR_CSP = [
  "default-src 'none'",
  `script-src ${hash(SCRIPT)}`,
  `style-src ${hash(STYLE)}`,
  "connect-src 'self'",
  "img-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join('; ');

export const INSPECTOR_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>vn emulator inspector</title>
<style>${STYLE}</style>
</head>
<body>${BODY}<script>${SCRIPT}</script>
</body>
</html>
`;
