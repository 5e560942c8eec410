// Living invites in the meeting view: each call's planned steps and their due times on the
// server clock (GET /__admin/behaviours/pending), and the behaviour declaration that applies to
// each person (GET /__admin/behaviours), picked by the server's own rule (store/declaration.rs):
// of the tenant's declarations whose meeting is none or this one and whose callee is none or
// matches the person's id, the most specific wins — meeting + callee, meeting, callee, tenant;
// among equals the later one. With none, the built-in default (never answers, missed at the
// vendor's ring timeout). Steps were planned when the call was placed; a declaration changed
// since applies to the next call.

import { api } from './api.js';
import { h, time } from './dom.js';
import { clockNow } from './model.js';

const enc = encodeURIComponent;

/** Declarations, the default and the planned calls of one meeting; null without the module. */
export async function loadCalls(vendor, tenant, meeting) {
  const q = `vendor=${enc(vendor)}&tenant=${enc(tenant)}`;
  try {
    const [b, p] = await Promise.all([
      api('GET', `/behaviours?${q}`),
      api('GET', `/behaviours/pending?${q}&meeting=${enc(meeting)}&limit=10000`),
    ]);
    return {
      meeting,
      declarations: b.behaviours || [],
      fallback: b.default,
      timeoutMs: b.ring_timeout_ms?.[vendor],
      calls: new Map((p.calls || []).map((c) => [c.callee, c])),
    };
  } catch (e) {
    if (e.status === 404) return null;
    throw e;
  }
}

function rank(spec) {
  const callee = spec.user !== undefined || spec.number !== undefined;
  return (spec.meeting !== undefined ? 2 : 0) + (callee ? 1 : 0);
}

/** The declaration that applies to a call to `user` in this meeting, or null (the default). */
export function declarationFor(info, user) {
  let best = null;
  for (const d of info.declarations) {
    const s = d.behaviour;
    if (s.meeting !== undefined && s.meeting !== info.meeting) continue;
    const callee = s.user !== undefined || s.number !== undefined;
    if (callee && !(d.keys || []).includes(user)) continue;
    if (!best || rank(s) >= rank(best.behaviour)) best = d;
  }
  return best;
}

function secs(ms) {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${Number((ms / 1000).toFixed(1))} s`;
}

/** A latency as declared: ms, {fixed_ms}, {min_ms, max_ms} or {median_ms, sigma}. */
export function latency(d) {
  if (typeof d === 'number') return secs(d);
  if (!d || typeof d !== 'object') return String(d);
  if (d.fixed_ms !== undefined) return secs(d.fixed_ms);
  if (d.min_ms !== undefined) {
    return d.max_ms < 1000 ? `${Math.round(d.min_ms)}–${secs(d.max_ms)}`
      : `${Number((d.min_ms / 1000).toFixed(1))}–${secs(d.max_ms)}`;
  }
  if (d.median_ms !== undefined) return `~${secs(d.median_ms)}`;
  return JSON.stringify(d);
}

const OUTCOMES = {
  accept: 'accepts', decline: 'declines', no_answer: 'never answers', busy: 'is busy', manual: 'manual',
};

function outcome(o) {
  if (typeof o === 'string') return OUTCOMES[o] || o;
  return Object.entries(o || {}).map(([k, w]) => `${k} ${w}`).join(' : ');
}

/** "declines · rings after 0.5–1.5 s · answers after 3 s". */
export function describe(spec, timeoutMs) {
  const parts = [outcome(spec.outcome)];
  if (spec.outcome === 'manual') return 'manual (waits for the admin API)';
  if (spec.alert === 'never') parts.push('never rings');
  else if (spec.alert !== undefined) parts.push(`rings after ${latency(spec.alert)}`);
  const answers = typeof spec.outcome !== 'string' || ['accept', 'decline'].includes(spec.outcome);
  if (answers && spec.ring !== undefined) parts.push(`answers after ${latency(spec.ring)}`);
  if (spec.stay !== undefined) parts.push(`stays ${latency(spec.stay)}`);
  const timeout = spec.ring_timeout_ms ?? timeoutMs;
  if (spec.outcome === 'no_answer' && timeout) parts.push(`missed at ${secs(timeout)}`);
  return parts.join(' · ');
}

function scope(spec) {
  const who = spec.user !== undefined ? 'this person' : spec.number !== undefined ? 'this number' : '';
  if (spec.meeting !== undefined) return who ? `this meeting, ${who}` : 'this meeting';
  return who || 'tenant-wide';
}

/** The "Behaviour" cell: what applies, its scope and (as a tooltip) where it was declared. */
export function behaviourCell(info, user) {
  if (!info) return h('span', { class: 'muted' }, '—');
  const d = declarationFor(info, user);
  if (!d) {
    return h('span', { class: 'decl', dataset: { scope: 'default' }, title: 'No declaration matches: the built-in default' },
      h('span', { class: 'scope' }, 'default'), ' ', describe(info.fallback || {}, info.timeoutMs));
  }
  return h('span', { class: 'decl', dataset: { scope: scope(d.behaviour) }, title: `declared in ${d.source || '?'}` },
    h('span', { class: 'scope' }, scope(d.behaviour)), ' ', describe(d.behaviour, info.timeoutMs));
}

const STEPS = {
  reach: 'reached', ring: 'rings', accept: 'accepts', decline: 'declines',
  miss: 'missed', busy: 'busy', leave: 'leaves',
};

/** "08:00:05.465" (server clock, UTC). */
function clockTime(ms) {
  return `${time(ms).slice(11)}.${String(ms % 1000).padStart(3, '0')}`;
}

/** "in 2.5 s" / "due now", from the page's reckoning of the server clock. */
export function until(due) {
  const now = clockNow();
  if (now === null) return '';
  const left = due - now;
  return left <= 0 ? 'due now' : `in ${secs(left)}`;
}

/** The "Next step" cell: the planned step, its due time and what follows. */
export function nextStepCell(info, user) {
  const call = info?.calls.get(user);
  if (!call || !call.steps.length) return h('span', { class: 'muted' }, '—');
  const [next, ...rest] = call.steps;
  return h('span', { class: 'next', dataset: { step: next.step, dueMs: String(next.due_ms) } },
    h('strong', {}, STEPS[next.step] || next.step), ' at ',
    h('time', { class: 'mono', datetime: new Date(next.due_ms).toISOString() }, clockTime(next.due_ms)),
    ' ', h('span', { class: 'muted small', dataset: { until: String(next.due_ms) } }, until(next.due_ms)),
    rest.length ? h('span', { class: 'muted small then' },
      ` then ${rest.map((s) => `${STEPS[s.step] || s.step} ${clockTime(s.due_ms)}`).join(', ')}`) : '');
}

/** Refreshes every "in 2.5 s" under `root` in place (text only: focus and selection stay). */
export function tickUntil(root) {
  for (const el of root.querySelectorAll('[data-until]')) {
    const t = until(Number(el.dataset.until));
    if (el.textContent !== t) el.textContent = t;
  }
}
