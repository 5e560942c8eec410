// Fault rules with their matched / fired counters and an on/off switch each, the scenario
// library (every file shipped in scenarios/, loaded with one press) and the scenarios loaded
// so far. Counters follow the live stream's status.

import { api } from './api.js';
import { actionButton, emptyState, fill, h, keepFocus, masked, throttle, toast } from './dom.js';
import { model, on } from './model.js';

function compact(obj) {
  if (!obj || typeof obj !== 'object') return obj === undefined ? '' : String(obj);
  return Object.entries(masked(obj))
    .map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : v}`).join(', ');
}

function action(spec) {
  if (spec.error !== undefined) return `error ${typeof spec.error === 'object' ? compact(spec.error) : spec.error}`;
  if (spec.response) return `answer HTTP ${spec.response.status}`;
  if (spec.connection) return `connection ${compact(spec.connection)}`;
  if (spec.delay !== undefined) return 'delay only';
  return '—';
}

function ruleRow(r, refresh) {
  const s = r.spec || {};
  const toggle = h('button', {
    type: 'button', role: 'switch', class: `switch${r.enabled ? ' on' : ''}`,
    'aria-checked': String(r.enabled), 'aria-label': `Rule ${r.name} ${r.enabled ? 'on' : 'off'}`,
    dataset: { rule: r.name, fk: `rule:${r.name}:switch` },
  }, r.enabled ? 'on' : 'off');
  // Busy, not disabled: a disabled button would drop the keyboard focus.
  toggle.addEventListener('click', async () => {
    if (toggle.getAttribute('aria-disabled') === 'true') return;
    toggle.setAttribute('aria-disabled', 'true');
    try {
      await api('POST', `/faults/${encodeURIComponent(r.name)}/${r.enabled ? 'disable' : 'enable'}`, {});
      toast(`Rule ${r.name} ${r.enabled ? 'off' : 'on'}`);
      await refresh();
    } catch (e) {
      toast(`Rule ${r.name}: ${e.message}`, 'error');
      toggle.removeAttribute('aria-disabled');
    }
  });
  return h('tr', { class: r.enabled ? '' : 'off', dataset: { rule: r.name, fk: `rule:${r.name}` } },
    h('td', {}, toggle),
    h('td', { class: 'mono' }, r.name),
    h('td', { class: 'small' }, compact(s.match)),
    h('td', { class: 'small' }, action(s), s.delay !== undefined ? h('span', { class: 'muted' }, ` + delay ${compact(s.delay)}`) : ''),
    h('td', { class: 'small' }, compact(s.when)),
    h('td', { class: 'num', dataset: { counter: 'matched' } }, String(r.matched)),
    h('td', { class: 'num', dataset: { counter: 'fired' } }, String(r.fired)));
}

export function mount(main) {
  const rulesBody = h('tbody', {});
  const libraryList = h('ul', { class: 'library' });
  const loadedList = h('ul', { class: 'loaded' });
  const clearAll = h('button', { type: 'button', class: 'danger' }, 'Remove all rules');
  main.append(h('div', { class: 'faults-view' },
    h('section', { 'aria-label': 'Fault rules' },
      h('div', { class: 'toolbar' }, h('h2', {}, 'Fault rules'), h('span', { class: 'muted' }, 'first match wins, in this order'), clearAll),
      h('div', { class: 'table-box' }, h('table', { class: 'grid' },
        h('thead', {}, h('tr', {}, ...['On', 'Name', 'Matches', 'Does', 'When', 'Matched', 'Fired'].map((c) => h('th', { scope: 'col' }, c)))),
        rulesBody))),
    h('div', { class: 'two' },
      h('section', { 'aria-label': 'Scenario library' }, h('h2', {}, 'Scenario library'),
        h('p', { class: 'muted' }, 'The files shipped in scenarios/. Loading one adds its tenants, meetings and rules; Reset keeps it.'),
        libraryList),
      h('section', { 'aria-label': 'Loaded scenarios' }, h('h2', {}, 'Loaded scenarios'), loadedList))));

  const loadRules = async () => {
    try {
      const { faults } = await api('GET', '/faults');
      if (!faults.length) {
        fill(rulesBody, h('tr', {}, h('td', { colspan: 7 }, emptyState('No fault rules',
          'Load one from the library below — e.g. feishu-meeting-locked.yaml makes Feishu invites answer 122008 — or POST a rule to /__admin/faults.'))));
      } else {
        keepFocus(rulesBody, () => fill(rulesBody, ...faults.map((r) => ruleRow(r, loadRules))));
      }
      clearAll.disabled = !faults.length;
    } catch (e) {
      fill(rulesBody, h('tr', {}, h('td', { colspan: 7 }, emptyState('Could not read the fault rules', e.message))));
    }
  };
  const loadScenarios = async () => {
    try {
      const { scenarios } = await api('GET', '/scenarios');
      fill(loadedList, ...(scenarios.length ? scenarios.map((s) => h('li', {},
        h('span', { class: 'mono' }, s.name), h('span', { class: 'muted' }, ` ${s.source || ''} · ${s.tenants} tenants · ${s.faults} rules`)))
        : [h('li', { class: 'muted' }, 'None: the server started with --no-demo and no --scenario.')]));
    } catch (e) { fill(loadedList, h('li', { class: 'error' }, e.message)); }
  };
  const loadLibrary = async () => {
    try {
      const { library } = await api('GET', '/scenarios/library');
      fill(libraryList, ...library.map((f) => h('li', {},
        actionButton('Load', async () => {
          const r = await api('POST', `/scenarios/library/${encodeURIComponent(f.file)}`, {});
          toast(`Loaded ${r.file}: ${r.tenants} tenants, ${r.faults} rules`);
          await Promise.all([loadRules(), loadScenarios()]);
        }, { class: 'small', 'aria-label': `Load ${f.file}`, dataset: { file: f.file } }),
        h('span', { class: 'mono' }, f.file), h('p', { class: 'muted small' }, f.description))));
    } catch (e) { fill(libraryList, h('li', { class: 'error' }, e.message)); }
  };
  clearAll.addEventListener('click', async () => {
    try { await api('DELETE', '/faults'); toast('All rules removed'); await loadRules(); } catch (e) { toast(e.message, 'error'); }
  });

  const refresh = throttle(() => { loadRules(); loadScenarios(); }, 250);
  // The baseline is the status the page had when the view opened (not the next one, which
  // may already carry a new count).
  const key = (s) => (s ? `${s.faults.revision}/${s.faults.hits}/${s.store.scenarios}` : null);
  let last = key(model.status);
  const off = on('status', (s) => {
    const f = key(s);
    if (f !== last) refresh();
    last = f;
  });
  loadRules();
  loadScenarios();
  loadLibrary();
  return off;
}
