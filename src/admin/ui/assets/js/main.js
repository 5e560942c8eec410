// Starts the dashboard: settles the admin token, follows the live stream, reads the first
// snapshot, and routes `#/…` to the views (meetings, one meeting, journal, faults, events).

import { api, follow, onUnauthorized, token } from './api.js';
import { askToken, initClock, initConnection, initKeys, initReset, initTheme } from './chrome.js';
import { emptyState, fill, toast } from './dom.js';
import {
  applyChange, loadClock, loadSnapshot, loadTenants, model, publish, setClock, setConnection,
} from './model.js';
import * as meetings from './meetings.js';
import * as meeting from './meeting.js';
import * as journal from './journal.js';
import * as faults from './faults.js';
import * as events from './events.js';

const VIEWS = { meetings, meeting, journal, faults, events };
const TABS = { meetings: 'meetings', meeting: 'meetings', journal: 'journal', faults: 'faults', events: 'events' };
let unmount = null;

function route() {
  const [name, ...rest] = location.hash.replace(/^#\/?/, '').split('/');
  const view = VIEWS[name] ? name : 'meetings';
  if (unmount) unmount();
  const main = document.getElementById('main');
  main.replaceChildren();
  unmount = VIEWS[view].mount(main, rest.map(decodeURIComponent)) || null;
  for (const a of document.querySelectorAll('nav.tabs a')) {
    if (a.dataset.view === TABS[view]) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

export function go(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

/** Makes one authenticated call work, asking for the token as long as it is refused. */
async function settleToken() {
  for (;;) {
    try {
      await loadClock();
      return;
    } catch (e) {
      if (e.status !== 401) throw e;
      const hadToken = !!token.get();
      token.clear();
      await askToken(hadToken);
    }
  }
}

let stream = null;
let ready = false;
let buffered = [];
let lastStore = null;

async function reload() {
  ready = false;
  await loadSnapshot();
  ready = true;
  for (const c of buffered) applyChange(c);
  buffered = [];
}

function onStatus(s) {
  setClock(s.clock);
  const store = s.store;
  const prev = lastStore;
  lastStore = store;
  model.status = s;
  publish('status', s);
  if (!prev) return;
  if (prev.clears !== store.clears || prev.scenarios !== store.scenarios) {
    reload().catch((e) => toast(`Reload: ${e.message}`, 'error'));
  } else if (prev.tenants !== store.tenants) {
    loadTenants().catch(() => {});
  }
}

function startStream() {
  if (stream) stream.stop();
  stream = follow({
    // A (re)connect's status goes to the views too: what moved while disconnected shows.
    hello: (h) => { lastStore = h.status.store; model.status = h.status; setClock(h.status.clock); publish('status', h.status); },
    change: (c) => { if (ready) applyChange(c); else buffered.push(c); },
    status: onStatus,
    resync: () => { reload().catch((e) => toast(`Reload: ${e.message}`, 'error')); },
    state: setConnection,
  });
}

let asking = null;
onUnauthorized(() => {
  if (asking) return;
  asking = (async () => {
    if (stream) stream.stop();
    token.clear();
    await askToken(true);
    asking = null;
    try {
      await loadClock();
      startStream();
      await reload();
      route();
    } catch (e) { toast(e.message, 'error'); }
  })();
});

async function start() {
  initTheme();
  initConnection();
  initClock();
  initReset(async () => { await reload(); await loadClock(); });
  initKeys(go);
  window.addEventListener('hashchange', route);
  const main = document.getElementById('main');
  for (let attempt = 0; ; attempt++) {
    try {
      await settleToken();
      break;
    } catch (e) {
      fill(main, emptyState('The admin API did not answer',
        `${e.message}. Is meetmock still running? Retrying…`));
      await new Promise((r) => setTimeout(r, Math.min(500 * 2 ** attempt, 5000)));
    }
  }
  startStream();
  try {
    await reload();
  } catch (e) {
    toast(`Loading meetings: ${e.message}`, 'error');
  }
  api('GET', '/health').then((hl) => { document.getElementById('version').textContent = `v${hl.version}`; }).catch(() => {});
  route();
}

start();
