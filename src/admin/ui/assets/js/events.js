// Event deliveries, per subscription: each delivery's event, every attempt's status and
// latency, and when the next retry is due (server clock). Read from GET /__admin/events; a
// server without the event engine answers 404 and the view says so.

import { optional } from './api.js';
import { emptyState, fill, h, throttle, time, toast, vendorBadge } from './dom.js';
import { on } from './model.js';

const first = (o, ...names) => names.map((n) => o?.[n]).find((v) => v !== undefined && v !== null);

function subscriptionOf(d) {
  const s = first(d, 'subscription', 'subscription_id', 'target', 'url');
  if (s && typeof s === 'object') return first(s, 'id', 'name', 'url') || JSON.stringify(s);
  return s || `${d.vendor || ''}/${d.tenant || ''}`;
}

function attemptCell(a) {
  const status = first(a, 'status', 'http_status', 'response_status');
  const ok = typeof status === 'number' && status >= 200 && status < 300;
  const label = status === undefined ? (first(a, 'error', 'outcome') || '…') : String(status);
  return h('li', { class: `attempt ${ok ? 'ok' : 'bad'}`, title: first(a, 'error', 'body', 'response_body') || '' },
    h('span', { class: 'mono' }, label),
    h('span', { class: 'muted small' }, ` ${time(first(a, 'at_ms', 'sent_at_ms', 'time_ms'))}`),
    first(a, 'latency_ms') !== undefined ? h('span', { class: 'muted small' }, ` ${first(a, 'latency_ms')} ms`) : '');
}

function deliveryRow(d) {
  const attempts = first(d, 'attempts') || [];
  const next = first(d, 'next_retry_ms', 'next_attempt_ms', 'next_retry_at_ms');
  return h('tr', { dataset: { delivery: first(d, 'id', 'event_id') || '' } },
    h('td', { class: 'mono small' }, first(d, 'event_type', 'type', 'event') || ''),
    h('td', {}, d.vendor ? vendorBadge(d.vendor) : ''),
    h('td', { class: 'mono small' }, first(d, 'meeting', 'meeting_id') || ''),
    h('td', {}, h('span', { class: `pill d-${first(d, 'status', 'state') || 'unknown'}` }, first(d, 'status', 'state') || '?')),
    h('td', {}, h('ol', { class: 'attempts' }, ...attempts.map(attemptCell))),
    h('td', { class: 'mono small' }, next ? time(next) : h('span', { class: 'muted' }, '—')));
}

export function mount(main) {
  const body = h('div', { class: 'events-view' });
  main.append(h('h2', {}, 'Event deliveries'), body);

  const load = async () => {
    let r;
    try {
      r = await optional('/events');
    } catch (e) {
      fill(body, emptyState('Could not read deliveries', e.message));
      return;
    }
    if (r === null) {
      fill(body, emptyState('Event delivery is not in this build yet',
        'GET /__admin/events answers 404 on this server. Once the event engine is in, each subscription\'s deliveries show here: every attempt\'s status and the next retry.'));
      return;
    }
    const list = first(r, 'events', 'deliveries') || [];
    if (!list.length) {
      fill(body, emptyState('No deliveries yet',
        'Add a subscription (a scenario tenant\'s events: entry, or the admin API), then invite someone: each change is delivered to it and shows here.'));
      return;
    }
    const groups = new Map();
    for (const d of list) {
      const k = subscriptionOf(d);
      if (!groups.has(k)) groups.set(k, []);
      groups.get(k).push(d);
    }
    fill(body, ...[...groups].map(([sub, ds]) => h('section', { class: 'subscription', 'aria-label': `Subscription ${sub}` },
      h('h3', { class: 'mono' }, sub, h('span', { class: 'muted small' }, ` · ${ds.length} deliveries`)),
      h('div', { class: 'table-box' }, h('table', { class: 'grid' },
        h('thead', {}, h('tr', {}, ...['Event', 'Vendor', 'Meeting', 'Status', 'Attempts', 'Next retry'].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, ...ds.map(deliveryRow)))))));
  };
  const refresh = throttle(() => load().catch((e) => toast(e.message, 'error')), 500);
  // Deliveries follow changes and the clock (retries are due on the server clock).
  const offs = [on('meeting', refresh), on('status', refresh)];
  load();
  return () => offs.forEach((off) => off());
}
