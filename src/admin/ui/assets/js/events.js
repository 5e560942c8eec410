// Event deliveries, per subscription (GET /__admin/subscriptions): its URL, mode, verification
// state and reason, paused, unfinished count, with Pause / Resume and Verify again; under it
// its newest deliveries (GET /__admin/events?subscription=): event type and id, status, every
// attempt (HTTP status or error, server time, latency) and the next retry on the server clock,
// with Redeliver for finished ones and the request/answer of each attempt on demand. Secret
// fields are listed by name only (the server masks their values; the page never shows them).
// Follows the live stream: changes, event activity, subscription changes and the clock.

import { api, optional } from './api.js';
import { until, tickUntil } from './calls.js';
import {
  actionButton, emptyState, fill, h, keepFocus, pretty, serial, time, toast, vendorBadge,
} from './dom.js';
import { model, on } from './model.js';

const PER_SUBSCRIPTION = 25;
const enc = encodeURIComponent;
const FINISHED = ['delivered', 'failed', 'dropped'];
const typeOf = (d) => d.type ?? d.event_type ?? '';

/** Latency as measured (a float): whole ms, "<1 ms" below one. */
export function ms(latency) {
  if (typeof latency !== 'number') return '';
  return latency < 1 ? '<1 ms' : `${Math.round(latency)} ms`;
}

function attemptChip(a) {
  const label = a.status ? String(a.status) : 'no answer';
  const why = [a.error, a.fault ? `fault ${a.fault}` : ''].filter(Boolean).join(' · ');
  return h('li', { class: `attempt ${a.ok ? 'ok' : 'bad'}`, title: why || 'acknowledged', dataset: { n: String(a.n) } },
    h('span', { class: 'mono' }, `#${a.n} ${label}`),
    h('span', { class: 'muted small' }, ` ${time(a.at_ms).slice(11)} · ${ms(a.latency_ms)}`));
}

function waiting(d, sub) {
  if (d.status !== 'pending') return '';
  if (sub.paused) return 'held: subscription paused';
  if (!['verified', 'unchecked'].includes(sub.verification?.state)) return 'held: waiting for verification';
  return 'waiting for its turn';
}

function nextCell(d, sub) {
  const at = d.next_retry_at_ms;
  if (at) {
    return h('span', { class: 'next-retry', dataset: { dueMs: String(at) } },
      h('time', { class: 'mono small', datetime: new Date(at).toISOString() }, time(at)), ' ',
      h('span', { class: 'muted small', dataset: { until: String(at) } }, until(at)));
  }
  const w = waiting(d, sub);
  return h('span', { class: 'muted small' }, w || (d.note || '—'));
}

function detailRow(d) {
  return h('tr', { class: 'jdetail' }, h('td', { colspan: 7 }, h('div', { class: 'two' },
    h('section', { 'aria-label': 'Event' }, h('h4', {}, 'Event (plaintext)'),
      h('pre', { class: 'json' }, pretty(d.payload))),
    h('section', { 'aria-label': 'Attempts' }, h('h4', {}, 'Attempts'),
      ...(d.attempts || []).map((a) => h('div', { class: 'attempt-detail' },
        h('p', { class: 'mono small' }, `#${a.n} ${a.request?.url || ''} → ${a.status || a.error || '…'} (${ms(a.latency_ms)})`),
        h('pre', { class: 'json' }, pretty(a.request?.headers)),
        h('pre', { class: 'json' }, pretty(a.request?.body)),
        h('pre', { class: 'json' }, `answer: ${a.response || '(empty)'}`)))))));
}

function deliveryRows(d, sub, open, refresh) {
  const isOpen = open.has(d.id);
  const toggle = h('button', {
    type: 'button', class: 'expand', 'aria-expanded': String(isOpen), 'data-fk': `ev:${d.id}:details`,
    'aria-label': `Details of delivery ${d.id}`,
    onclick: () => { if (open.has(d.id)) open.delete(d.id); else open.add(d.id); refresh(); },
  }, isOpen ? '▾' : '▸');
  const row = h('tr', { dataset: { delivery: String(d.id), status: d.status, fk: `ev:${d.id}` } },
    h('td', {}, toggle),
    h('td', {}, h('span', { class: 'mono small' }, typeOf(d)),
      h('small', { class: 'muted mono block', title: 'event id (the dedupe id, the same on every attempt)' }, d.event_id)),
    h('td', { class: 'mono small' }, d.meeting || ''),
    h('td', {}, h('span', { class: `pill d-${d.status}` }, d.status.replace('_', ' '))),
    h('td', {}, h('ol', { class: 'attempts' }, ...(d.attempts || []).map(attemptChip))),
    h('td', {}, nextCell(d, sub)),
    h('td', {}, FINISHED.includes(d.status) ? actionButton('Redeliver', async () => {
      await api('POST', `/events/${enc(d.id)}/redeliver`, {});
      toast(`Delivery ${d.id} queued again`);
      refresh();
    }, { class: 'small', 'data-action': 'redeliver', 'data-fk': `ev:${d.id}:redeliver` }) : ''));
  return isOpen ? [row, detailRow(d)] : [row];
}

function verificationPill(v) {
  const state = v?.state || 'unchecked';
  return h('span', { class: `pill ver-${state}`, 'data-verification': state, title: v?.at_ms ? `checked ${time(v.at_ms)}` : 'never checked' }, state);
}

function subscriptionCard(s, deliveries, total, open, refresh) {
  const act = (label, path, what) => actionButton(label, async () => {
    try {
      await api('POST', `/subscriptions/${enc(s.id)}/${path}`, {});
      toast(`${s.id}: ${what}`);
    } finally {
      refresh(); // a refused handshake changed the subscription too
    }
  }, { class: 'small', 'data-action': path, 'data-fk': `sub:${s.id}:${path}` });
  const secretNames = Object.keys(s.secrets || {});
  const facts = [
    ['tenant', s.tenant], ['mode', s.mode], ['url', s.url], ['origin', s.origin],
    ['types', s.types?.length ? s.types.join(', ') : 'every type the vendor sends'],
    ['secrets', secretNames.length ? `${secretNames.join(', ')} (hidden)` : 'none'],
    ['settings', Object.keys(s.settings || {}).length ? Object.entries(s.settings).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join(', ') : ''],
  ].filter(([, v]) => v);
  const v = s.verification || {};
  const body = deliveries.length
    ? h('div', { class: 'table-box', 'data-fk-scroll': `sub:${s.id}` }, h('table', { class: 'grid deliveries' },
      h('thead', {}, h('tr', {}, ...['', 'Event · id', 'Meeting', 'Status', 'Attempts', 'Next retry (server clock)', '']
        .map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, ...deliveries.flatMap((d) => deliveryRows(d, s, open, refresh)))))
    : h('p', { class: 'muted' }, 'No deliveries yet: start a meeting or invite someone in this tenant.');
  return h('section', { class: 'subscription', 'aria-label': `Subscription ${s.id}`, dataset: { sub: s.id, fk: `sub:${s.id}` } },
    h('header', { class: 'sub-head' },
      h('div', { class: 'title' }, vendorBadge(s.vendor), h('h3', { class: 'mono' }, s.id), verificationPill(v),
        s.paused ? h('span', { class: 'pill frozen', 'data-paused': '' }, 'paused') : '',
        h('span', { class: 'muted small' }, `${s.unfinished ?? 0} unfinished · ${total} ${total === 1 ? 'delivery' : 'deliveries'}`)),
      v.error ? h('p', { class: 'error small', 'data-reason': '' }, `Verification failed: ${v.error}`) : '',
      h('dl', { class: 'facts' }, ...facts.flatMap(([k, val]) => [h('dt', {}, k), h('dd', { class: 'mono small' }, val)])),
      h('div', { class: 'actions', role: 'group', 'aria-label': `Actions of ${s.id}`, 'data-fk': `sub:${s.id}:actions` },
        s.paused ? act('Resume', 'resume', 'deliveries released') : act('Pause', 'pause', 'deliveries held'),
        act('Verify again', 'verify', 'verification passed'))),
    body,
    total > deliveries.length ? h('p', { class: 'muted small' },
      `Newest ${deliveries.length} of ${total}: GET /__admin/events?subscription=${s.id} has them all.`) : '');
}

function statsLine(st) {
  if (!st) return '';
  return ['delivered', 'failed', 'dropped', 'unfinished', 'in_flight', 'dropped_outbox_full']
    .map((k) => `${k.replace(/_/g, ' ')} ${st[k] ?? 0}`).join(' · ');
}

export function mount(main) {
  const stats = h('span', { class: 'muted small', role: 'status' });
  const body = h('div', { class: 'events-view' });
  main.append(h('div', { class: 'toolbar' }, h('h2', {}, 'Event deliveries'), stats), body);
  const open = new Set();
  /** "vendor/tenant" of every subscription: only their changes can make deliveries. */
  let listening = new Set();

  const load = async () => {
    let subs;
    let overall;
    try {
      [subs, overall] = await Promise.all([optional('/subscriptions'), optional('/events?limit=1')]);
    } catch (e) {
      fill(body, emptyState('Could not read deliveries', e.message));
      return;
    }
    if (subs === null || overall === null) {
      fill(body, emptyState('Event delivery is not in this build',
        'GET /__admin/events answers 404 on this server.'));
      return;
    }
    stats.textContent = statsLine(overall.stats);
    const list = subs.subscriptions || [];
    listening = new Set(list.map((s) => `${s.vendor}/${s.tenant}`));
    if (!list.length) {
      keepFocus(body, () => fill(body, emptyState('No subscriptions yet',
        'Add one with POST /__admin/subscriptions (or a scenario tenant\'s events: entry; README "Events"), then invite someone: each event sent to it shows here with every attempt.')));
      return;
    }
    const per = await Promise.all(list.map((s) => Promise.all([
      api('GET', `/events?subscription=${enc(s.id)}&limit=${PER_SUBSCRIPTION}`),
      api('GET', `/events/count?subscription=${enc(s.id)}`),
    ])));
    // The counters as of the newest answer (read with the deliveries they count).
    stats.textContent = statsLine(per.at(-1)[0].stats);
    keepFocus(body, () => fill(body, ...list.map((s, i) => subscriptionCard(s, per[i][0].events, per[i][1].count, open, refresh))));
  };
  const refresh = serial(() => load().catch((e) => toast(`Deliveries: ${e.message}`, 'error')));

  // From the status the page had when the view opened: the first one after it may already be
  // the news (a send that finished), so it must not be taken as a mere baseline.
  const key = (s) => (s ? JSON.stringify([s.events, s.clock.offset_ms, s.clock.frozen, s.store.clears]) : null);
  let last = key(model.status);
  const offs = [
    on('meeting', (c) => { if (listening.has(`${c.vendor}/${c.tenant}`)) refresh(); }),
    on('status', (s) => {
      const k = key(s);
      if (k !== last) refresh();
      last = k;
    }),
  ];
  const ticker = setInterval(() => tickUntil(body), 500);
  refresh();
  return () => { offs.forEach((off) => off()); clearInterval(ticker); };
}
