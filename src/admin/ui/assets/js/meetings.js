// The meetings view: vendors → tenants in a side tree (with counts), and every meeting in one
// windowed list (only the rows on screen exist in the DOM, so 10,000 meetings scroll freely):
// topic, the ids as the vendor names them, state, seats taken / capacity, lock and host.
// Arrow keys move through the list, Enter opens a meeting. Live changes never move the keyboard:
// the active row follows its meeting (not its position) when rows come, go or re-sort, and the
// filter box and the side tree keep their focus.

import {
  VENDORS, VENDOR_ORDER, emptyState, fill, h, keepFocus, perFrame, statePill, vendorBadge,
} from './dom.js';
import { model, on } from './model.js';

const ROW = 44;        // px, must match .mrow height in views.css
const OVERSCAN = 8;
const FLASH_MS = 1500;

/** Filter state survives switching views. */
const filter = { vendor: '', tenant: '', text: '', state: '' };

function matches(m) {
  if (filter.vendor && m.vendor !== filter.vendor) return false;
  if (filter.tenant && m.tenant !== filter.tenant) return false;
  if (filter.state && m.state !== filter.state) return false;
  if (filter.text) {
    const t = filter.text.toLowerCase();
    return m.topic.toLowerCase().includes(t) || m.id.includes(t) || m.code.includes(t)
      || m.host.toLowerCase().includes(t) || m.tenant.toLowerCase().includes(t);
  }
  return true;
}

function tree(onPick) {
  const counts = new Map();
  for (const m of model.meetings.values()) {
    counts.set(m.vendor, (counts.get(m.vendor) || 0) + 1);
    const k = `${m.vendor}/${m.tenant}`;
    counts.set(k, (counts.get(k) || 0) + 1);
  }
  const item = (label, n, vendor, tenant, cls) => {
    const current = filter.vendor === vendor && filter.tenant === tenant;
    return h('li', {}, h('button', {
      type: 'button', class: `tree-item ${cls}`, 'aria-current': current ? 'true' : null,
      dataset: { fk: `tree:${vendor}/${tenant}` }, onclick: () => onPick(vendor, tenant),
    }, label, h('span', { class: 'count' }, String(n))));
  };
  const list = h('ul', { class: 'tree' }, item('All vendors', model.meetings.size, '', '', 'all'));
  for (const v of VENDOR_ORDER) {
    const tenants = [...model.tenants.values()].filter((t) => t.vendor === v)
      .sort((a, b) => a.id.localeCompare(b.id));
    list.append(item(vendorBadge(v, true), counts.get(v) || 0, v, '', 'vendor'));
    const sub = h('ul', {});
    for (const t of tenants) {
      sub.append(item(h('span', { class: 'tenant', title: `${t.origin || ''} tenant` }, t.id),
        counts.get(`${v}/${t.id}`) || 0, v, t.id, 'tenant-item'));
    }
    if (tenants.length) list.append(h('li', {}, sub));
  }
  return list;
}

function idCell(vendor, value, which) {
  const name = VENDORS[vendor]?.[which];
  if (!value || !name) return h('span', { class: 'muted' }, '—');
  return h('span', { class: 'id' }, h('span', { class: 'idname' }, name), value);
}

const keyOf = (m) => `${m.vendor}/${m.tenant}/${m.id}`;

function row(m, index, active) {
  const flashing = m.changedAt && performance.now() - m.changedAt < FLASH_MS;
  const seats = m.capacity ? Math.min(100, Math.round((m.seats_taken / m.capacity) * 100)) : 0;
  return h('div', {
    class: `mrow${flashing ? ' flash' : ''}${active ? ' active' : ''}`,
    role: 'row', id: `mrow-${index}`, 'aria-rowindex': index + 2,
    style: { transform: `translateY(${index * ROW}px)` },
    dataset: { key: keyOf(m), state: m.state },
    onclick: () => { location.hash = `#/meeting/${[m.vendor, m.tenant, m.id].map(encodeURIComponent).join('/')}`; },
  },
  h('span', { role: 'cell', class: 'c-vendor' }, vendorBadge(m.vendor)),
  h('span', { role: 'cell', class: 'c-topic', title: m.topic }, m.topic || h('span', { class: 'muted' }, '(no topic)'),
    h('small', { class: 'tenant' }, m.tenant)),
  h('span', { role: 'cell', class: 'c-id' }, idCell(m.vendor, m.id, 'id')),
  h('span', { role: 'cell', class: 'c-code' }, m.code !== m.id ? idCell(m.vendor, m.code, 'code') : ''),
  h('span', { role: 'cell', class: 'c-state' }, statePill(m.state)),
  h('span', { role: 'cell', class: 'c-seats', title: `${m.seats_taken} of ${m.capacity} seats taken` },
    `${m.seats_taken} / ${m.capacity}`, h('span', { class: 'bar' }, h('span', { style: { width: `${seats}%` } }))),
  h('span', { role: 'cell', class: 'c-lock' }, m.locked ? h('span', { class: 'pill locked' }, 'locked') : ''),
  h('span', { role: 'cell', class: 'c-host' }, m.host || h('span', { class: 'muted' }, 'no host')));
}

export function mount(main) {
  let rows = [];
  let active = 0;
  /** The active row's meeting: it keeps the cursor when rows before it come or go. */
  let activeKey = null;
  const setActive = (i) => { active = i; activeKey = rows[i] ? keyOf(rows[i]) : null; };
  const side = h('nav', { class: 'side', 'aria-label': 'Vendors and tenants' });
  const search = h('input', {
    type: 'search', placeholder: 'Filter: topic, id, number, host, tenant  ( / )',
    'aria-label': 'Filter meetings', value: filter.text, 'data-filter': '',
  });
  const stateSel = h('select', { 'aria-label': 'Meeting state' },
    ...[['', 'any state'], ['in_progress', 'in progress'], ['scheduled', 'scheduled'], ['ended', 'ended'],
      ['cancelled', 'cancelled']].map(([v, l]) => h('option', { value: v, selected: filter.state === v }, l)));
  const shown = h('span', { class: 'muted', role: 'status' });
  const viewport = h('div', {
    class: 'viewport', tabindex: '0', role: 'grid', 'aria-label': 'Meetings (arrow keys, Enter opens)',
  });
  const spacer = h('div', { class: 'spacer' });
  viewport.append(spacer);
  const head = h('div', { class: 'mrow mhead', role: 'row' },
    ...[['vendor', 'Vendor'], ['topic', 'Topic · tenant'], ['id', 'Meeting id'], ['code', 'Number'],
      ['state', 'State'], ['seats', 'Seats'], ['lock', 'Lock'], ['host', 'Host']]
      .map(([k, c]) => h('span', { role: 'columnheader', class: `c-${k}` }, c)));
  const listBox = h('section', { class: 'list', 'aria-label': 'Meetings' },
    h('div', { class: 'toolbar' }, search, stateSel, shown), head, viewport);
  const body = h('div', { class: 'meetings-view' }, side, listBox);
  main.append(body);

  const paintRows = () => {
    const top = viewport.scrollTop;
    const height = viewport.clientHeight || 600;
    const first = Math.max(0, Math.floor(top / ROW) - OVERSCAN);
    const last = Math.min(rows.length, Math.ceil((top + height) / ROW) + OVERSCAN);
    const els = [];
    for (let i = first; i < last; i++) els.push(row(rows[i], i, i === active));
    spacer.style.height = `${rows.length * ROW}px`;
    fill(spacer, ...els);
    viewport.setAttribute('aria-activedescendant', rows.length ? `mrow-${active}` : '');
  };

  const paint = () => {
    rows = model.order.filter(matches);
    const at = activeKey === null ? -1 : rows.findIndex((m) => keyOf(m) === activeKey);
    if (at >= 0 && at !== active) {
      // The same meeting moved: the list moves with it, so it stays under the cursor.
      viewport.scrollTop += (at - active) * ROW;
      active = at;
    } else if (at < 0) {
      setActive(Math.min(active, Math.max(0, rows.length - 1)));
    }
    keepFocus(side, () => fill(side, tree((vendor, tenant) => {
      filter.vendor = vendor; filter.tenant = tenant; setActive(0); viewport.scrollTop = 0; paint();
    })));
    shown.textContent = `${rows.length.toLocaleString()} of ${model.meetings.size.toLocaleString()} meetings`;
    if (!model.meetings.size) {
      listBox.classList.add('is-empty');
      fill(spacer);
      spacer.style.height = '0';
      viewport.replaceChildren(spacer, emptyState('No meetings yet',
        'Create one through any vendor\'s API — README "Two commands" has a request to paste — '
        + 'or load demo.yaml under Faults & scenarios (key 3).'));
      return;
    }
    listBox.classList.remove('is-empty');
    viewport.replaceChildren(spacer);
    if (!rows.length) {
      viewport.append(emptyState('Nothing matches this filter', 'Clear the filter box or pick "All vendors".'));
    }
    paintRows();
  };
  const schedule = perFrame(paint);

  search.addEventListener('input', () => { filter.text = search.value.trim(); activeKey = null; active = 0; viewport.scrollTop = 0; schedule(); });
  stateSel.addEventListener('change', () => { filter.state = stateSel.value; activeKey = null; active = 0; viewport.scrollTop = 0; schedule(); });
  viewport.addEventListener('scroll', perFrame(paintRows), { passive: true });
  viewport.addEventListener('keydown', (e) => {
    const page = Math.max(1, Math.floor(viewport.clientHeight / ROW) - 1);
    const moves = { ArrowDown: 1, ArrowUp: -1, PageDown: page, PageUp: -page, Home: -Infinity, End: Infinity };
    if (e.key in moves) {
      e.preventDefault();
      setActive(Math.max(0, Math.min(rows.length - 1, active + moves[e.key])));
      const y = active * ROW;
      if (y < viewport.scrollTop) viewport.scrollTop = y;
      else if (y + ROW > viewport.scrollTop + viewport.clientHeight) viewport.scrollTop = y + ROW - viewport.clientHeight;
      paintRows();
    } else if (e.key === 'Enter' && rows[active]) {
      const m = rows[active];
      location.hash = `#/meeting/${[m.vendor, m.tenant, m.id].map(encodeURIComponent).join('/')}`;
    }
  });
  paint();
  const offs = [on('meetings', schedule)];
  // Rows lose their highlight after FLASH_MS without a new change.
  const unflash = setInterval(() => { if (rows.some((m) => m.changedAt && performance.now() - m.changedAt < FLASH_MS + 500)) paintRows(); }, 500);
  return () => { offs.forEach((off) => off()); clearInterval(unflash); };
}
