// One meeting: its ids as the vendor names them, state, seats, lock and host; start / end /
// lock / unlock; participants with their call state (calling, ringing, joined, declined,
// missed, busy, left), each call's planned next step on the server clock and the behaviour
// declaration that applies (calls.js), and the invitation list, each with accept / decline /
// leave; and the meeting's recent changes. A change from the stream patches the view at once,
// then the full meeting and its calls are read again. Re-renders keep the keyboard focus
// (keepFocus: every control and row has a data-fk key).

import { api, meetingAction } from './api.js';
import { behaviourCell, loadCalls, nextStepCell, tickUntil } from './calls.js';
import {
  VENDORS, actionButton, callPill, emptyState, fill, h, isSecretName, keepFocus, statePill, throttle,
  time, timeSecs, toast, vendorBadge,
} from './dom.js';
import { model, on } from './model.js';

const SHOW_MAX = 500;
const CHANGES_SHOWN = 40;

function describe(c) {
  const who = c.participant ? (c.participant.name || c.participant.user_id) : '';
  switch (c.type) {
    case 'invitees_set': return `invitees set: +${c.added_count} −${c.removed_count} (${c.total} in all)`;
    case 'lock_changed': return c.locked ? 'locked' : 'unlocked';
    case 'host_changed': return `host ${c.from || '—'} → ${c.to || '—'}`;
    case 'meeting_ended': return `ended (${c.reason})`;
    case 'meeting_updated': return `updated: ${(c.fields || []).join(', ')}`;
    case 'participant_left': return `${who} left (${c.reason})`;
    default: return c.participant ? `${who}: ${c.type.replace('participant_', '')}` : c.type.replace('meeting_', 'meeting ');
  }
}

/** Accept / Decline / Leave for a person; `table` keeps the keys of the two tables apart. */
function actionsFor(table, user, p, run) {
  const out = [];
  const seated = ['calling', 'ringing', 'joined'].includes(p?.status);
  if (!p || p.status !== 'joined') out.push(run('Accept', 'accept', user, table));
  if (p && (p.status === 'calling' || p.status === 'ringing')) out.push(run('Decline', 'decline', user, table));
  if (seated) out.push(run('Leave', 'leave', user, table));
  return out;
}

export function mount(main, [vendor, tenant, id]) {
  let m = null;
  let changes = [];
  let calls = null;
  const root = h('article', { class: 'meeting-view' });
  main.append(h('p', {}, h('a', { href: '#/meetings', class: 'back' }, '← All meetings (Esc)')), root);
  const q = `?vendor=${encodeURIComponent(vendor)}&tenant=${encodeURIComponent(tenant)}`;
  const target = { vendor, tenant, id };

  const act = async (action, user) => {
    const r = await meetingAction(target, action, user ? { user } : {});
    m = r.meeting;
    paint();
    toast(`${action}${user ? ` ${user}` : ''}: done`);
  };
  const run = (label, action, user, table = 'm') => actionButton(label, () => act(action, user),
    { class: 'small', 'data-action': action, 'data-user': user || '', 'data-fk': `${table}:${action}:${user || ''}` });

  const paintHead = () => {
    const v = VENDORS[vendor] || {};
    const seats = m.participants?.filter((p) => ['joined', 'calling', 'ringing'].includes(p.status)).length ?? 0;
    const facts = [
      [v.id || 'id', m.id], [v.code, m.code && m.code !== m.id ? m.code : ''], ['tenant', tenant],
      ['host', m.host || 'no host'], ['creator', m.creator], ['seats', `${seats} / ${m.capacity}`],
      ['scheduled', m.start_time ? `${timeSecs(m.start_time)} → ${timeSecs(m.end_time)} UTC` : ''],
      ['started', timeSecs(m.started_at)], ['ended', timeSecs(m.ended_at)],
    ].filter(([k, val]) => k && val);
    return h('header', { class: 'mhead-card' },
      h('div', { class: 'title' }, vendorBadge(vendor, true), h('h2', {}, m.topic || '(no topic)'),
        statePill(m.state), m.locked ? h('span', { class: 'pill locked' }, 'locked') : ''),
      h('dl', { class: 'facts' }, ...facts.flatMap(([k, val]) => [h('dt', {}, k), h('dd', { class: 'mono' }, val)])),
      h('div', { class: 'actions', role: 'group', 'aria-label': 'Meeting actions', 'data-fk': 'm:actions' },
        m.state === 'scheduled' ? run('Start', 'start') : '',
        m.state === 'in_progress' ? run('End', 'end') : '',
        m.locked ? run('Unlock', 'unlock') : run('Lock', 'lock')));
  };

  const paintPeople = () => {
    const ps = m.participants || [];
    const byUser = new Map(ps.map((p) => [p.user_id, p]));
    const people = h('section', { 'aria-label': 'Participants' }, h('h3', {}, `Participants (${ps.length})`));
    if (!ps.length) {
      people.append(emptyState('Nobody is here yet',
        m.state === 'in_progress'
          ? 'Invite someone through the vendor\'s API (README has a snippet per vendor), or Accept an invitee below.'
          : 'Start the meeting first, then invite someone through the vendor\'s API.'));
    } else {
      const head = ['Name', 'User id', 'Call state', 'Next step (server clock)', 'Behaviour', 'Joined', 'Left', ''];
      people.append(h('div', { class: 'table-box', 'data-fk-scroll': 'participants' }, h('table', { class: 'grid' },
        h('thead', {}, h('tr', {}, ...head.map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, ...ps.slice(0, SHOW_MAX).map((p) => h('tr', { dataset: { user: p.user_id, fk: `p:${p.user_id}` } },
          h('td', {}, p.name || h('span', { class: 'muted' }, '—')),
          h('td', { class: 'mono', title: p.participant_id ? `participant id ${p.participant_id}` : null }, p.user_id),
          h('td', { class: 'status' }, callPill(p.status)),
          h('td', { class: 'next-step' }, nextStepCell(calls, p.user_id)),
          h('td', { class: 'behaviour small' }, behaviourCell(calls, p.user_id)),
          h('td', { class: 'when' }, timeSecs(p.joined_at)), h('td', { class: 'when' }, timeSecs(p.left_at)),
          h('td', { class: 'row-actions' }, ...actionsFor('p', p.user_id, p, run))))))));
      if (ps.length > SHOW_MAX) people.append(h('p', { class: 'muted' }, `and ${ps.length - SHOW_MAX} more`));
    }
    const inv = m.invitees || [];
    const invited = h('section', { 'aria-label': 'Invitees' }, h('h3', {}, `Invitees (${inv.length})`));
    if (!inv.length) {
      invited.append(h('p', { class: 'muted' }, 'No invitation list (Tencent and Huawei keep one; Feishu and DingTalk call people directly).'));
    } else {
      invited.append(h('div', { class: 'table-box', 'data-fk-scroll': 'invitees' }, h('table', { class: 'grid' },
        h('thead', {}, h('tr', {}, ...['Name', 'User id', 'Call state', 'Behaviour', ''].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, ...inv.slice(0, SHOW_MAX).map((i) => {
          const p = byUser.get(i.user_id);
          return h('tr', { dataset: { invitee: i.user_id, fk: `i:${i.user_id}` } },
            h('td', {}, i.name || h('span', { class: 'muted' }, '—')), h('td', { class: 'mono' }, i.user_id),
            h('td', {}, p ? callPill(p.status) : h('span', { class: 'muted' }, 'not called')),
            h('td', { class: 'behaviour small' }, behaviourCell(calls, i.user_id)),
            h('td', { class: 'row-actions' }, ...(m.state === 'in_progress' ? actionsFor('i', i.user_id, p, run) : [])));
        })))));
      if (inv.length > SHOW_MAX) invited.append(h('p', { class: 'muted' }, `and ${inv.length - SHOW_MAX} more`));
    }
    return [people, invited];
  };

  const paintExtra = () => {
    const entries = Object.entries(m.extra || {});
    if (!entries.length) return '';
    return h('section', { 'aria-label': 'Vendor fields' }, h('h3', {}, 'Vendor fields'),
      h('dl', { class: 'facts' }, ...entries.flatMap(([k, v]) => [h('dt', {}, k),
        h('dd', { class: 'mono' }, isSecretName(k) ? '••• (hidden)' : (typeof v === 'string' ? v : JSON.stringify(v)))])));
  };

  const paintChanges = () => h('section', { 'aria-label': 'Recent changes' },
    h('h3', {}, 'Recent changes'),
    changes.length
      ? h('ol', { class: 'timeline', reversed: true, 'data-fk-scroll': 'timeline' }, ...changes.slice(-CHANGES_SHOWN).reverse().map((c) => h('li', {},
        h('time', {}, time(c.at_ms)), ' ', describe(c), c.operator ? h('span', { class: 'muted' }, ` by ${c.operator}`) : '')))
      : h('p', { class: 'muted' }, 'No changes since the server started or was reset.'));

  const paint = () => {
    if (!m) return;
    keepFocus(root, () => fill(root, paintHead(), h('div', { class: 'people' }, ...paintPeople()), paintExtra(), paintChanges()));
  };

  const load = async () => {
    try {
      const [r, ch, planned] = await Promise.all([
        api('GET', `/meetings/${encodeURIComponent(id)}${q}`),
        api('GET', `/changes${q}&meeting=${encodeURIComponent(id)}&limit=10000`).catch(() => ({ changes: [] })),
        loadCalls(vendor, tenant, id).catch(() => calls),
      ]);
      m = r.meeting;
      calls = planned;
      changes = ch.changes.slice(-CHANGES_SHOWN);
      paint();
    } catch (e) {
      if (e.status === 404) {
        fill(root, emptyState('This meeting is not on the server',
          'It may have gone with a reset or a state import. Go back to all meetings (Esc).'));
      } else toast(`Meeting: ${e.message}`, 'error');
    }
  };
  const reload = throttle(load, 150);

  const off = on('meeting', (c) => {
    if (c.vendor !== vendor || c.tenant !== tenant || c.meeting.id !== id || !m) return;
    // Patch at once from the change; the full read follows.
    Object.assign(m, {
      state: c.meeting.state, locked: c.meeting.locked, host: c.meeting.host,
      capacity: c.meeting.capacity, topic: c.meeting.topic || m.topic,
    });
    if (c.participant) {
      const ps = m.participants || (m.participants = []);
      const p = ps.find((x) => x.user_id === c.participant.user_id);
      if (p) p.status = c.participant.status;
      else ps.push({ ...c.participant, extra: undefined });
      // The step that made this change is done; the read that follows brings the new plan.
      const call = calls?.calls.get(c.participant.user_id);
      if (call) call.steps = call.steps.filter((st) => st.due_ms > c.at_ms);
    }
    changes.push(c);
    paint();
    reload();
  });
  // The clock moved (an Advance with nothing due changes no meeting) or behaviours were
  // declared: the plans and declarations are read again.
  const key = (s) => (s ? `${s.clock.offset_ms}/${s.behaviours}` : null);
  let seen = key(model.status);
  const offClock = on('status', (s) => {
    const k = key(s);
    if (k !== seen) reload();
    seen = k;
  });
  const ticker = setInterval(() => tickUntil(root), 500);
  fill(root, h('p', { class: 'muted' }, 'Loading…'));
  load();
  return () => { off(); offClock(); clearInterval(ticker); };
}
