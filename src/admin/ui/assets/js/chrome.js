// The frame around the views: the server clock (running or frozen; freeze, unfreeze,
// advance), reset, the live-connection badge, light/dark theme, the admin-token dialog and the
// keyboard shortcuts.

import { api, token } from './api.js';
import { fill, time, toast } from './dom.js';
import { clockNow, model, on, setClock } from './model.js';

const $ = (id) => document.getElementById(id);

export function initClock() {
  const now = $('clock-now');
  const state = $('clock-state');
  const freeze = $('clock-freeze');
  const paint = () => {
    const c = model.clock;
    if (!c) return;
    now.textContent = time(clockNow());
    now.dateTime = new Date(clockNow()).toISOString();
    state.textContent = c.frozen ? 'frozen' : 'running';
    state.className = `pill ${c.frozen ? 'frozen' : 'running'}`;
    freeze.textContent = c.frozen ? 'Unfreeze' : 'Freeze';
    freeze.setAttribute('aria-pressed', String(!!c.frozen));
  };
  on('clock', paint);
  setInterval(() => { if (model.clock && !model.clock.frozen) now.textContent = time(clockNow()); }, 250);
  freeze.addEventListener('click', async () => {
    try {
      setClock(await api('POST', model.clock?.frozen ? '/clock/unfreeze' : '/clock/freeze', {}));
    } catch (e) { toast(`Clock: ${e.message}`, 'error'); }
  });
  $('clock-advance').addEventListener('click', async () => {
    const seconds = Number($('advance-by').value);
    try {
      setClock(await api('POST', '/clock/advance', { seconds }));
      toast(`Clock advanced ${$('advance-by').selectedOptions[0].textContent}`);
    } catch (e) { toast(`Advance: ${e.message}`, 'error'); }
  });
}

/** Reset asks for a second press within 4 s (no modal dialog needed). */
export function initReset(afterReset) {
  const b = $('reset');
  let armed = null;
  b.addEventListener('click', async () => {
    if (!armed) {
      b.textContent = 'Confirm reset';
      b.classList.add('armed');
      armed = setTimeout(() => { armed = null; b.textContent = 'Reset'; b.classList.remove('armed'); }, 4000);
      return;
    }
    clearTimeout(armed);
    armed = null;
    b.textContent = 'Reset';
    b.classList.remove('armed');
    try {
      await api('POST', '/reset', {});
      toast('Server reset to the loaded scenarios');
      await afterReset();
    } catch (e) { toast(`Reset: ${e.message}`, 'error'); }
  });
}

export function initConnection() {
  const badge = $('live');
  const labels = {
    connecting: 'connecting…', live: 'live', reconnecting: 'reconnecting…', refused: 'token refused',
  };
  on('connection', (s) => {
    badge.textContent = labels[s] || s;
    badge.className = `live is-${s}`;
    badge.dataset.state = s;
  });
}

const THEMES = ['auto', 'light', 'dark'];

export function initTheme() {
  const root = document.documentElement;
  const b = $('theme');
  const apply = (t) => {
    root.dataset.theme = t;
    b.textContent = `◐ ${t}`;
    b.setAttribute('aria-label', `Theme: ${t} (press to change)`);
    try { localStorage.setItem('meetmock.theme', t); } catch { /* private mode */ }
  };
  let saved = 'auto';
  try { saved = localStorage.getItem('meetmock.theme') || 'auto'; } catch { /* private mode */ }
  apply(THEMES.includes(saved) ? saved : 'auto');
  b.addEventListener('click', () => apply(THEMES[(THEMES.indexOf(root.dataset.theme) + 1) % THEMES.length]));
}

/**
 * Asks for the admin token. Resolves once a token is stored; `refused` explains why it is asked
 * again. The token is never shown: the field is a password field, emptied after use.
 */
export function askToken(refused) {
  const dialog = $('token-dialog');
  const input = $('token-input');
  const msg = $('token-message');
  fill(msg, refused
    ? 'That token was refused (401). Use the value given to --admin-token (MEETMOCK_ADMIN_TOKEN).'
    : 'This server needs its admin token (--admin-token). It is kept in this browser tab only.');
  msg.className = refused ? 'error' : '';
  input.value = '';
  return new Promise((resolve) => {
    const form = $('token-form');
    const submit = (e) => {
      e.preventDefault();
      const v = input.value.trim();
      if (!v) return;
      token.set(v);
      input.value = '';
      form.removeEventListener('submit', submit);
      dialog.close();
      resolve();
    };
    form.addEventListener('submit', submit);
    if (!dialog.open) dialog.showModal();
    input.focus();
  });
}

/** Global shortcuts: 1–4 views, / filter, ? help, Esc back. Ignored while typing. */
export function initKeys(go) {
  const help = $('help-dialog');
  $('help').addEventListener('click', () => help.showModal());
  $('help-close').addEventListener('click', () => help.close());
  document.addEventListener('keydown', (e) => {
    const t = e.target;
    const typing = t && (t.isContentEditable || ['INPUT', 'SELECT', 'TEXTAREA'].includes(t.tagName));
    if (e.key === 'Escape' && typing) { t.blur(); return; }
    if (typing || e.ctrlKey || e.metaKey || e.altKey) return;
    const views = { 1: 'meetings', 2: 'journal', 3: 'faults', 4: 'events' };
    if (views[e.key]) { e.preventDefault(); go(`#/${views[e.key]}`); return; }
    if (e.key === '/') {
      const f = document.querySelector('[data-filter]');
      if (f) { e.preventDefault(); f.focus(); }
      return;
    }
    if (e.key === '?') { e.preventDefault(); help.showModal(); return; }
    if (e.key === 'Escape' && location.hash.startsWith('#/meeting/')) { e.preventDefault(); go('#/meetings'); }
  });
}
