// Live updates never take the keyboard away. The clock runs and the lively demo streams changes
// (official-SDK invites answered by simulated invitees, lock toggles, journal entries) while
// the test navigates by keyboard alone: the list keeps its filter, its focus and its active row
// (which follows its meeting when a new one sorts in before it); a meeting's buttons keep focus
// through re-renders, and a button that goes away hands focus to its row; the journal's expand
// buttons keep focus as new requests arrive. Each check first waits for several re-renders, so
// it is never vacuous.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as lark from '@larksuiteoapi/node-sdk';
import {
  APP, HOST, LIVE, assertNoPageErrors, dashboard, feishu, until, userToken,
} from './support.mjs';

let d;
let client;
let token;
let churning = null;

/** Changes on a running clock until stopped: what a lively demo does to an open page. */
function churn() {
  let stop = false;
  const done = (async () => {
    for (let i = 0; !stop; i++) {
      const admin = (p, b) => d.server.admin('POST', p, b).catch(() => {});
      await admin(`/meetings/914673889/${i % 2 ? 'unlock' : 'lock'}`, { vendor: 'huawei' });
      const guest = `ou_guest_000${(Math.floor(i / 3) % 9) + 1}`;
      if (i % 3 === 0) {
        // An official-SDK invite; the demo's invitees ring and answer on the running clock.
        await client.vc.meeting.invite({
          path: { meeting_id: LIVE }, params: { user_id_type: 'open_id' },
          data: { invitees: [{ id: guest, user_type: 1 }] },
        }, lark.withUserAccessToken(token)).catch(() => {});
      } else if (i % 3 === 2) {
        await admin(`/meetings/${LIVE}/leave`, { vendor: 'feishu', user: `ou_guest_000${((Math.floor(i / 3) + 4) % 9) + 1}` });
      }
      await new Promise((r) => setTimeout(r, 60));
    }
  })();
  return async () => { stop = true; await done; };
}

before(async () => {
  d = await dashboard();
  await d.server.adminOk('POST', '/clock/unfreeze', {});
  client = feishu(d.server);
  token = await userToken(d.server);
  churning = churn();
});
after(async () => {
  if (churning) await churning();
  await d?.close();
});

/** Counts re-renders of `selector` (its children replaced) from now on. */
async function countPaints(selector) {
  await d.page.evaluate((sel) => {
    window.__paints = 0;
    window.__paintObserver?.disconnect();
    window.__paintObserver = new MutationObserver(() => { window.__paints += 1; });
    window.__paintObserver.observe(document.querySelector(sel), { childList: true });
  }, selector);
  return async (n) => until(async () => (await d.page.evaluate(() => window.__paints)) >= n, `${n} re-renders of ${selector}`, 15000);
}

const focused = () => d.page.evaluate(() => {
  const a = document.activeElement;
  return {
    tag: a?.tagName, fk: a?.dataset?.fk || null, role: a?.getAttribute('role') || null,
    label: a?.getAttribute('aria-label') || null, connected: !!a?.isConnected,
  };
});

test('the meeting list keeps its filter, focus and active row while changes stream in', async () => {
  await d.open('#/meetings');
  await d.page.locator('.mrow[data-key]').first().waitFor();
  await d.page.keyboard.press('/');
  await d.page.keyboard.type('sync');
  await d.page.waitForFunction(() => document.querySelectorAll('.mrow[data-key]').length === 2);
  await d.page.keyboard.press('Tab'); // the state filter
  await d.page.keyboard.press('Tab'); // the list
  assert.equal((await focused()).role, 'grid');
  await d.page.keyboard.press('ArrowDown');
  const activeKey = () => d.page.evaluate(() => {
    const v = document.querySelector('.viewport');
    return document.getElementById(v.getAttribute('aria-activedescendant'))?.dataset.key;
  });
  assert.equal(await activeKey(), 'huawei/hwcorp0001/916206899');

  // A meeting that sorts in before the active one arrives (Feishu comes before Huawei).
  const wait = await countPaints('.spacer');
  const end = String(Math.floor((await d.server.adminOk('GET', '/clock')).now_ms / 1000) + 3600);
  const r = await client.vc.reserve.apply({
    params: { user_id_type: 'open_id' },
    data: { end_time: end, owner_id: HOST, meeting_settings: { topic: 'Lively sync', meeting_initial_type: 1 } },
  });
  assert.equal(r.code, 0, JSON.stringify(r));
  await d.page.waitForFunction(() => document.querySelectorAll('.mrow[data-key]').length === 3);
  await wait(8);

  const f = await focused();
  assert.equal(f.role, 'grid', JSON.stringify(f));
  assert.equal(await d.page.locator('[data-filter]').inputValue(), 'sync');
  assert.equal(await activeKey(), 'huawei/hwcorp0001/916206899', 'the cursor stayed on its meeting');
  // Navigation goes on from there: one up is the newcomer.
  await d.page.keyboard.press('ArrowUp');
  assert.match(await activeKey(), new RegExp(`^feishu/${APP}/`));
  await d.page.locator('[data-filter]').fill('');
});

test('a meeting\'s buttons keep focus through re-renders; a button that goes away hands focus to its row', async () => {
  await d.open(`#/meeting/feishu/${APP}/${LIVE}`);
  await d.page.locator(`tr[data-user="${HOST}"]`).waitFor();
  // Keyboard only: Tab to the host's Leave button.
  const target = `p:leave:${HOST}`;
  for (let i = 0; i < 60 && (await focused()).fk !== target; i++) await d.page.keyboard.press('Tab');
  assert.equal((await focused()).fk, target);
  const wait = await countPaints('.meeting-view');
  await wait(6);
  const f = await focused();
  assert.deepEqual([f.fk, f.connected], [target, true], JSON.stringify(f));
  // Tab goes on from the same place: the next control, not the top of the page.
  await d.page.keyboard.press('Tab');
  const next = await focused();
  assert.ok(next.fk && next.fk !== target && next.connected, JSON.stringify(next));
  await d.page.keyboard.down('Shift');
  await d.page.keyboard.press('Tab');
  await d.page.keyboard.up('Shift');
  assert.equal((await focused()).fk, target);

  // Focus a guest's Accept; once they have joined it is gone, and focus moves to their Leave.
  // ou_guest_0011 never answers (the demo's declaration): the Accept button stays until pressed.
  await d.server.adminOk('POST', `/meetings/${LIVE}/call`, { vendor: 'feishu', user: 'ou_guest_0011' });
  const accept = d.page.locator('section[aria-label="Participants"] tr[data-user="ou_guest_0011"] button[data-action="accept"]');
  await accept.waitFor();
  await accept.focus();
  await d.server.adminOk('POST', `/meetings/${LIVE}/accept`, { vendor: 'feishu', user: 'ou_guest_0011' });
  await d.page.locator('section[aria-label="Participants"] tr[data-user="ou_guest_0011"] td.status', { hasText: 'joined' }).waitFor();
  await until(async () => (await focused()).fk === 'p:leave:ou_guest_0011', 'focus on the row\'s remaining button');
  assertNoPageErrors(d.problems);
});

test('the journal\'s expand buttons keep focus while new requests arrive', async () => {
  await d.open('#/journal');
  await d.page.locator('button.expand').first().waitFor();
  for (let i = 0; i < 40 && !(await focused()).fk?.startsWith('req:'); i++) await d.page.keyboard.press('Tab');
  const first = await focused();
  assert.match(first.fk || '', /^req:\d+:expand$/);
  const wait = await countPaints('table.journal tbody');
  await wait(4);
  const f = await focused();
  assert.deepEqual([f.fk, f.connected], [first.fk, true], JSON.stringify(f));
  // Enter still works on it: the entry opens.
  await d.page.keyboard.press('Enter');
  const seq = first.fk.split(':')[1];
  await d.page.locator(`tr[data-seq="${seq}"] button.expand[aria-expanded="true"]`).waitFor();
  assert.equal((await focused()).fk, first.fk);
  assertNoPageErrors(d.problems);
});
