// Live updates without a reload: an invite made through the official Feishu Node SDK shows in
// the open page with each invitee calling, their state changes as the server clock advances
// (simulated invitees) or as the admin hooks answer, and every update's delay from the change
// to the page is measured (artifacts/measurements.json; target 100 ms, asserted loosely).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { shot } from './browser.mjs';
import {
  LIVE, adminMeeting, armWatch, assertNoPageErrors, dashboard, feishu, invite, participant, record,
  summary, userToken,
} from './support.mjs';

let d;
let client;
let token;
before(async () => {
  d = await dashboard();
  // Nothing moves unless a test moves the clock.
  await d.server.adminOk('POST', '/clock/freeze', {});
  client = feishu(d.server);
  token = await userToken(d.server);
});
after(async () => { await d?.close(); });

const cell = (user) => `tr[data-user="${user}"] td.status`;

test('an invite through the official SDK appears in the open meeting without a reload', async () => {
  await d.open(`#/meeting/feishu/cli_demo_feishu/${LIVE}`);
  await d.page.locator('tr[data-user="ou_host_0001"]').waitFor();
  const navigations = [];
  d.page.on('framenavigated', (f) => navigations.push(f.url()));
  const seen = await armWatch(d.page, cell('ou_guest_0005'), 'calling');
  const sent = Date.now();
  await invite(client, token, ['ou_guest_0005', 'ou_guest_0006']);
  const shown = await seen();
  assert.deepEqual(navigations, [], 'no reload');
  assert.equal(await d.page.locator(cell('ou_guest_0006')).innerText(), 'calling');
  record('invite → page (request sent to row shown)', { ms: shown - sent });
  assert.ok(shown - sent < 2000, `${shown - sent} ms`);
  await shot(d.page, 'meeting-live-invite');
});

test('the invitee\'s call state changes in the page as the clock advances', async () => {
  await d.open(`#/meeting/feishu/cli_demo_feishu/${LIVE}`);
  await d.page.locator(`tr[data-user="ou_guest_0005"]`).waitFor();
  const behaviours = await d.server.admin('GET', '/behaviours');
  if (behaviours.status === 404) {
    // No simulated invitees in this build: the admin hooks are the override a demo uses.
    console.log('# simulated invitees (GET /__admin/behaviours) not in this build: the admin hooks answer instead');
    const ringing = await armWatch(d.page, cell('ou_guest_0005'), 'ringing');
    await d.server.adminOk('POST', `/meetings/${LIVE}/ring`, { vendor: 'feishu', user: 'ou_guest_0005' });
    await ringing();
    const joined = await armWatch(d.page, cell('ou_guest_0005'), 'joined');
    await d.server.adminOk('POST', `/meetings/${LIVE}/accept`, { vendor: 'feishu', user: 'ou_guest_0005' });
    await joined();
  } else {
    // Simulated invitees answer on the server clock: the page's own Advance button moves it.
    await d.page.selectOption('#advance-by', '600');
    await d.page.click('#clock-advance');
    await d.page.waitForFunction((sel) => {
      const el = document.querySelector(sel);
      return el && !['calling', 'ringing'].includes(el.textContent.trim());
    }, cell('ou_guest_0005'), { timeout: 10000 });
  }
  const shownState = (await d.page.locator(cell('ou_guest_0005')).innerText()).trim();
  const serverState = participant(await adminMeeting(d.server, LIVE, 'feishu'), 'ou_guest_0005').status;
  assert.equal(shownState, serverState);
  assert.notEqual(shownState, 'calling');
});

test('each change reaches the page well within the target (measured over 30 changes)', async () => {
  await d.open();
  const row = '.mrow[data-key="huawei/hwcorp0001/914673889"] .c-lock';
  await d.page.locator(row).waitFor({ state: 'attached' });
  const samples = [];
  for (let i = 0; i < 30; i++) {
    const lock = i % 2 === 0;
    const seen = await armWatch(d.page, row, 'locked', { absent: !lock });
    const sent = Date.now();
    await d.server.adminOk('POST', `/meetings/914673889/${lock ? 'lock' : 'unlock'}`, { vendor: 'huawei' });
    samples.push((await seen()) - sent);
  }
  // From before the admin call is sent to the DOM mutation: an upper bound of change → page.
  const s = summary(samples);
  record('change → page over the live stream (30 lock/unlock, ms)', s);
  // Target 100 ms; asserted loosely (2 shared cores, debug build).
  assert.ok(s.median < 500, JSON.stringify(s));
  assertNoPageErrors(d.problems);
});
