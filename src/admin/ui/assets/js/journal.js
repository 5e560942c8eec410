// The request journal: newest first, one page at a time (the server filters and pages, so a
// full journal never reaches the page whole), filters by vendor, operation, status and
// meeting; each entry expands to the request (secrets masked by the server, and again here)
// and the answer. The first page follows new requests live.

import { api } from './api.js';
import {
  VENDOR_ORDER, emptyState, fill, h, keepFocus, pretty, throttle, time, toast, vendorBadge,
} from './dom.js';
import { on } from './model.js';

const PAGE = 50;
const filters = { vendor: '', operation: '', status: '', meeting: '' };

function statusClass(s) {
  if (!s) return 'st-cut';
  if (s < 300) return 'st-ok';
  if (s < 500) return 'st-client';
  return 'st-server';
}

function entryRow(e, open, toggle) {
  const id = `req-${e.seq}`;
  const summary = h('tr', { class: `jrow${open ? ' open' : ''}`, dataset: { seq: e.seq, fk: `req:${e.seq}` } },
    h('td', {}, h('button', {
      type: 'button', class: 'expand', 'aria-expanded': String(open), 'aria-controls': id, 'data-fk': `req:${e.seq}:expand`,
      'aria-label': `Details of ${e.operation || e.target}`, onclick: toggle,
    }, open ? '▾' : '▸')),
    h('td', { class: 'mono small' }, time(e.time_ms)),
    h('td', {}, e.vendor ? vendorBadge(e.vendor) : ''),
    h('td', { class: 'mono' }, e.operation || ''),
    h('td', { class: 'mono small target', title: `${e.method} ${e.target}` }, `${e.method} ${e.target}`),
    h('td', {}, h('span', { class: `status ${statusClass(e.status)}` }, e.status ? String(e.status) : 'cut')),
    h('td', { class: 'mono' }, e.code ?? ''),
    h('td', { class: 'mono small' }, e.meeting || ''),
    h('td', {}, e.fault ? h('span', { class: 'pill fault' }, e.fault) : ''),
    h('td', { class: 'num' }, `${(e.duration_us / 1000).toFixed(1)} ms`));
  if (!open) return [summary];
  const detail = h('tr', { class: 'jdetail', id },
    h('td', { colspan: 10 }, h('div', { class: 'two' },
      h('section', { 'aria-label': 'Request' }, h('h4', {}, 'Request'),
        h('p', { class: 'mono' }, `${e.method} ${e.target}`),
        h('dl', { class: 'facts' }, h('dt', {}, 'request id'), h('dd', { class: 'mono' }, e.request_id),
          h('dt', {}, 'tenant'), h('dd', { class: 'mono' }, e.tenant || '—')),
        h('pre', { class: 'json' }, pretty(e.body))),
      h('section', { 'aria-label': 'Answer' }, h('h4', {}, 'Answer'),
        h('p', {}, h('span', { class: `status ${statusClass(e.status)}` }, e.status ? `HTTP ${e.status}` : 'connection cut'),
          e.code ? ` · code ${e.code}` : '', e.fault ? ` · fault rule ${e.fault}` : ''),
        h('pre', { class: 'json' }, pretty(e.response))))));
  return [summary, detail];
}

export function mount(main) {
  let entries = [];
  let pages = [];          // `before` cursors of the pages behind this one
  let before = null;       // null: the newest page (live)
  const open = new Set();
  let operations = [];

  const vendorSel = h('select', { 'aria-label': 'Vendor' }, h('option', { value: '' }, 'any vendor'),
    ...VENDOR_ORDER.map((v) => h('option', { value: v, selected: filters.vendor === v }, v)));
  const opInput = h('input', { type: 'search', list: 'ops', placeholder: 'operation', 'aria-label': 'Operation', value: filters.operation, 'data-filter': '' });
  const opList = h('datalist', { id: 'ops' });
  const statusInput = h('input', { type: 'search', inputmode: 'numeric', placeholder: 'status', 'aria-label': 'HTTP status', value: filters.status, size: 6 });
  const meetingInput = h('input', { type: 'search', placeholder: 'meeting id', 'aria-label': 'Meeting', value: filters.meeting });
  const newer = h('button', { type: 'button' }, '← Newer');
  const older = h('button', { type: 'button' }, 'Older →');
  const clear = h('button', { type: 'button', class: 'danger' }, 'Clear journal');
  const where = h('span', { class: 'muted', role: 'status' });
  const tbody = h('tbody', {});
  const table = h('table', { class: 'grid journal' },
    h('thead', {}, h('tr', {}, ...['', 'Server time', 'Vendor', 'Operation', 'Request', 'Status', 'Code', 'Meeting', 'Fault', 'Took']
      .map((c) => h('th', { scope: 'col' }, c)))), tbody);
  const box = h('div', { class: 'table-box' }, table);
  main.append(h('section', { class: 'journal-view', 'aria-label': 'Request journal' },
    h('div', { class: 'toolbar' }, vendorSel, opInput, opList, statusInput, meetingInput, newer, older, where, clear), box));

  // New requests arrive while someone reads or tabs through the list: the focus stays put.
  const paint = () => keepFocus(tbody, () => {
    if (!entries.length) {
      const filtered = Object.values(filters).some(Boolean);
      fill(tbody, h('tr', {}, h('td', { colspan: 10 }, filtered
        ? emptyState('No request matches these filters', 'Clear a filter to see more.')
        : emptyState('No requests yet', 'Point a vendor SDK at this server, or paste the curl request from README "Two commands".'))));
    } else {
      fill(tbody, ...entries.flatMap((e) => entryRow(e, open.has(e.seq), () => {
        if (open.has(e.seq)) open.delete(e.seq); else open.add(e.seq);
        paint();
      })));
    }
  });
  const paintPager = () => {
    newer.disabled = before === null;
    older.disabled = entries.length < PAGE;
    where.textContent = before === null ? 'newest first · live' : `page ${pages.length + 1} · paused`;
  };

  const load = async () => {
    const q = new URLSearchParams({ limit: String(PAGE) });
    for (const [k, v] of Object.entries(filters)) if (v) q.set(k, v);
    if (before !== null) q.set('before', String(before));
    try {
      entries = (await api('GET', `/requests?${q}`)).requests;
      paint();
      paintPager();
    } catch (e) {
      fill(tbody, h('tr', {}, h('td', { colspan: 10 }, emptyState('Could not read the journal', e.message))));
    }
  };
  const refresh = throttle(load, 300);

  const onFilter = () => {
    filters.vendor = vendorSel.value;
    filters.operation = opInput.value.trim();
    filters.status = statusInput.value.trim();
    filters.meeting = meetingInput.value.trim();
    before = null; pages = [];
    refresh();
  };
  vendorSel.addEventListener('change', onFilter);
  for (const i of [opInput, statusInput, meetingInput]) i.addEventListener('input', onFilter);
  older.addEventListener('click', () => {
    if (!entries.length) return;
    pages.push(before);
    before = entries[entries.length - 1].seq;
    load();
  });
  newer.addEventListener('click', () => { before = pages.length ? pages.pop() : null; load(); });
  clear.addEventListener('click', async () => {
    try { await api('DELETE', '/requests'); before = null; pages = []; await load(); toast('Journal cleared'); } catch (e) { toast(e.message, 'error'); }
  });
  api('GET', '/routes').then((r) => {
    operations = [...new Set(r.routes.map((x) => x.operation))].sort();
    fill(opList, ...operations.map((o) => h('option', { value: o })));
  }).catch(() => {});

  let lastJournal = null;
  const off = on('status', (s) => {
    const j = `${s.journal.pushed}/${s.journal.clears}`;
    if (j !== lastJournal && before === null) refresh();
    lastJournal = j;
  });
  load();
  return off;
}
