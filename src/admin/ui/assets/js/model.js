// The page's picture of the server: tenants and meetings (from a snapshot of the admin API,
// then kept current by the change stream), the clock and the latest stream status. Views
// subscribe and re-render on the topics they show.

import { api } from './api.js';
import { VENDOR_ORDER } from './dom.js';

export const model = {
  /** "vendor/tenant" → {vendor, id, origin, users} */
  tenants: new Map(),
  /** "vendor/tenant/id" → meeting row (see rowFrom) */
  meetings: new Map(),
  /** Rows in display order (vendor, tenant, topic); rebuilt when meetings come or go. */
  order: [],
  /** Clock as last read: {now_ms, frozen, offset_ms, at} (at = performance.now() when read). */
  clock: null,
  /** The last stream status (journal, faults, store counters). */
  status: null,
  /** Changes seen live, newest last (bounded). */
  recent: [],
  connection: 'connecting',
};

const listeners = new Map();
const RECENT_KEEP = 500;

/** Calls fn(detail) whenever `topic` is published: meetings, meeting, clock, status, connection. */
export function on(topic, fn) {
  if (!listeners.has(topic)) listeners.set(topic, new Set());
  listeners.get(topic).add(fn);
  return () => listeners.get(topic).delete(fn);
}

export function publish(topic, detail) {
  for (const fn of listeners.get(topic) || []) {
    try { fn(detail); } catch (e) { console.error(e); }
  }
}

export const meetingKey = (vendor, tenant, id) => `${vendor}/${tenant}/${id}`;

function rowFrom(vendor, tenant, m, invitees) {
  return {
    vendor,
    tenant,
    id: m.id,
    code: m.code || '',
    topic: m.topic || '',
    state: m.state,
    host: m.host || '',
    locked: !!m.locked,
    capacity: m.capacity,
    seats_taken: m.seats_taken,
    invitees,
    changedAt: 0,
  };
}

function sortOrder() {
  const rank = (v) => { const i = VENDOR_ORDER.indexOf(v); return i < 0 ? 99 : i; };
  model.order = [...model.meetings.values()].sort((a, b) => rank(a.vendor) - rank(b.vendor)
    || a.tenant.localeCompare(b.tenant)
    || a.topic.localeCompare(b.topic)
    || a.id.localeCompare(b.id));
}

/** Reads tenants and meetings again (start, reset, new scenario, resync). */
export async function loadSnapshot() {
  const [tenants, meetings] = await Promise.all([api('GET', '/tenants'), api('GET', '/meetings')]);
  model.tenants.clear();
  for (const t of tenants.tenants) model.tenants.set(`${t.vendor}/${t.id}`, t);
  const previous = model.meetings;
  model.meetings = new Map();
  for (const m of meetings.meetings) {
    const row = rowFrom(m.vendor, m.tenant, m, m.invitees);
    const old = previous.get(meetingKey(m.vendor, m.tenant, m.id));
    if (old) row.changedAt = old.changedAt;
    model.meetings.set(meetingKey(m.vendor, m.tenant, m.id), row);
  }
  sortOrder();
  publish('meetings', { snapshot: true });
}

/** Reads only the tenant list (a new tenant was provisioned). */
export async function loadTenants() {
  const tenants = await api('GET', '/tenants');
  model.tenants.clear();
  for (const t of tenants.tenants) model.tenants.set(`${t.vendor}/${t.id}`, t);
  publish('meetings', { tenants: true });
}

/** Applies one change from the stream: the meeting row takes the summary it carries. */
export function applyChange(c) {
  const k = meetingKey(c.vendor, c.tenant, c.meeting.id);
  const old = model.meetings.get(k);
  const row = rowFrom(c.vendor, c.tenant, c.meeting, old ? old.invitees : 0);
  if (c.type === 'invitees_set') row.invitees = c.total;
  row.changedAt = performance.now();
  if (old) {
    // In place: `order` holds the same objects.
    Object.assign(old, row);
  } else {
    model.meetings.set(k, row);
    sortOrder();
  }
  if (!model.tenants.has(`${c.vendor}/${c.tenant}`)) {
    model.tenants.set(`${c.vendor}/${c.tenant}`, { vendor: c.vendor, id: c.tenant, origin: 'auto', users: 0 });
  }
  model.recent.push(c);
  if (model.recent.length > RECENT_KEEP) model.recent.splice(0, model.recent.length - RECENT_KEEP);
  publish('meetings', { change: c });
  publish('meeting', c);
}

export function setClock(c) {
  model.clock = { ...c, at: performance.now() };
  publish('clock', model.clock);
}

/** The server clock now, as the page reckons it (ticking locally while running). */
export function clockNow() {
  const c = model.clock;
  if (!c) return null;
  return c.frozen ? c.now_ms : c.now_ms + (performance.now() - c.at);
}

export async function loadClock() {
  setClock(await api('GET', '/clock'));
}

export function setConnection(state) {
  model.connection = state;
  publish('connection', state);
}
