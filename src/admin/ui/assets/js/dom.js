// DOM and formatting helpers shared by every view: element building, vendor labels and
// colours, state pills, times on the server clock, and masking of secret-named fields.

/** Builds an element: h('button', {class: 'x', onclick}, 'text', child…). */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    // Through CSSOM: the page's CSP forbids inline style attributes.
    else if (k === 'style') Object.assign(el.style, v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : String(c));
  }
}

/** Replaces an element's children. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** Each vendor's label, colour class and the names it gives a meeting's ids. */
export const VENDORS = {
  tencent: { label: 'Tencent Meeting', short: 'Tencent', id: 'meeting_id', code: 'meeting_code' },
  feishu: { label: 'Feishu / Lark', short: 'Feishu', id: 'meeting_id', code: 'meeting_no' },
  dingtalk: { label: 'DingTalk', short: 'DingTalk', id: 'conferenceId', code: 'roomCode' },
  huawei: { label: 'Huawei Cloud Meeting', short: 'Huawei', id: 'conferenceID', code: null },
};
export const VENDOR_ORDER = ['tencent', 'feishu', 'dingtalk', 'huawei'];

export function vendorBadge(v, long = false) {
  const info = VENDORS[v] || { label: v, short: v };
  return h('span', { class: `vendor v-${v}`, title: info.label }, long ? info.label : info.short);
}

const STATE_LABELS = {
  in_progress: 'in progress', scheduled: 'scheduled', ended: 'ended', cancelled: 'cancelled',
};

export function statePill(state) {
  return h('span', { class: `pill s-${state}` }, STATE_LABELS[state] || state);
}

/** A participant's call state: calling, ringing, joined, declined, missed, busy, left. */
export function callPill(status) {
  return h('span', { class: `pill c-${status}` }, status);
}

/** Server-clock milliseconds → "2030-01-01 08:00:05" (UTC). */
export function time(ms) {
  if (ms === undefined || ms === null) return '';
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return '';
  return d.toISOString().replace('T', ' ').slice(0, 19);
}

/** Unix seconds (the store's meeting times) → the same form. */
export function timeSecs(s) {
  return s ? time(s * 1000) : '';
}

/** Field names that carry secrets (passwords, keys, tokens, signatures). */
const SECRET = /secret|password|passwd|token|signature|authorization|app_?key|credential|pwd/i;

export function isSecretName(name) {
  return SECRET.test(name);
}

/** A deep copy with every secret-named value replaced by "•••". */
export function masked(value) {
  if (Array.isArray(value)) return value.map(masked);
  if (value && typeof value === 'object') {
    const out = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = isSecretName(k) && (v === null || typeof v !== 'object') ? '•••' : masked(v);
    }
    return out;
  }
  return value;
}

/** Pretty JSON of a value, secrets masked. */
export function pretty(value) {
  if (value === undefined || value === null || value === '') return '(empty)';
  if (typeof value === 'string') return value;
  return JSON.stringify(masked(value), null, 2);
}

/** A friendly empty state: what is missing and what to do about it. */
export function emptyState(title, ...what) {
  return h('div', { class: 'empty', role: 'note' }, h('h3', {}, title), ...what.map((w) => h('p', {}, w)));
}

/** Brief message in the corner; errors stay longer. */
export function toast(message, kind = 'ok') {
  const box = document.getElementById('toasts');
  if (!box) return;
  const t = h('div', { class: `toast ${kind}` }, message);
  box.append(t);
  setTimeout(() => t.remove(), kind === 'error' ? 8000 : 3000);
}

/** Calls fn at most once per animation frame (coalesces bursts of updates). */
export function perFrame(fn) {
  let queued = false;
  return () => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => { queued = false; fn(); });
  };
}

/** Calls fn at most once per `ms`, trailing call included. */
export function throttle(fn, ms) {
  let last = 0;
  let timer = null;
  return () => {
    const wait = last + ms - Date.now();
    if (wait <= 0 && !timer) { last = Date.now(); fn(); return; }
    if (!timer) {
      timer = setTimeout(() => { timer = null; last = Date.now(); fn(); }, Math.max(wait, 0));
    }
  };
}

/**
 * Runs the async `fn` one call at a time: a call while one runs makes exactly one more run after
 * it (bursts of updates coalesce; answers never arrive out of order).
 */
export function serial(fn) {
  let running = false;
  let again = false;
  return async () => {
    if (running) { again = true; return; }
    running = true;
    try {
      do {
        again = false;
        try { await fn(); } catch (e) { console.error(e); }
      } while (again);
    } finally {
      running = false;
    }
  };
}

/**
 * A button that runs an async action, marked busy (aria-disabled) while it runs, with a toast on
 * failure. Not `disabled`: a focused button that becomes disabled loses keyboard focus.
 */
export function actionButton(label, run, attrs = {}) {
  const b = h('button', { type: 'button', ...attrs }, label);
  let busy = false;
  b.addEventListener('click', async () => {
    if (busy) return;
    busy = true;
    b.setAttribute('aria-disabled', 'true');
    try {
      await run();
    } catch (e) {
      toast(`${label}: ${e.message}`, 'error');
    } finally {
      busy = false;
      b.removeAttribute('aria-disabled');
    }
  });
  return b;
}

const FOCUSABLE = 'button, [href], input, select, textarea, summary, [tabindex]';

/**
 * Re-renders part of a view with `render()` without taking the keyboard away. Controls carry
 * a `data-fk` key unique in the view (rows carry one too): when the focused control inside
 * `root` is replaced, the control with the same key in the new DOM takes focus; when that is
 * gone (an Accept button once the person joined), the first control of the nearest keyed
 * ancestor that survives (its row), else the row itself. Scroll boxes marked `data-fk-scroll`
 * keep their position. Focus outside `root` is never touched.
 */
export function keepFocus(root, render) {
  const active = document.activeElement;
  const inside = !!active && active !== document.body && root.contains(active);
  const keys = [];
  for (let el = inside ? active : null; el && el !== root; el = el.parentElement) {
    if (el.dataset && el.dataset.fk) keys.push(el.dataset.fk);
  }
  const scrolls = [...root.querySelectorAll('[data-fk-scroll]')]
    .map((el) => [el.dataset.fkScroll, el.scrollTop, el.scrollLeft]);
  render();
  for (const [k, top, left] of scrolls) {
    const el = root.querySelector(`[data-fk-scroll="${CSS.escape(k)}"]`);
    if (el) { el.scrollTop = top; el.scrollLeft = left; }
  }
  if (!inside || active.isConnected) return;
  for (const [i, k] of keys.entries()) {
    const el = root.querySelector(`[data-fk="${CSS.escape(k)}"]`);
    if (!el) continue;
    let target = el;
    if (i > 0 || !el.matches(FOCUSABLE)) {
      target = el.querySelector(FOCUSABLE) || el;
      if (target === el && !el.matches(FOCUSABLE)) el.tabIndex = -1;
    }
    target.focus({ preventScroll: true });
    return;
  }
}
