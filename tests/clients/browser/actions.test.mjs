// Every action button of the page changes the server's state, checked through the admin API:
// start / end / lock / unlock a meeting; accept / decline / leave an invitee; switch a fault
// rule off and on; load a scenario from the library; freeze, advance and unfreeze the clock;
// reset.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { shot } from './browser.mjs';
import {
  LIVE, adminMeeting, assertNoPageErrors, dashboard, feishu, invite, participant, until, userToken,
} from './support.mjs';

let d;
before(async () => {
  d = await dashboard();
  await d.server.adminOk('POST', '/clock/freeze', {});
});
after(async () => { await d?.close(); });

const button = (label) => d.page.locator('.meeting-view .actions button', { hasText: new RegExp(`^${label}$`) });

// A Tencent meeting starts in place (a Feishu reserve opens a new meeting with its own id).
const SCHEDULED = '5417310002754750436';
const TENCENT = ['tencent', '211000001'];

test('start, lock, unlock and end a meeting from its page', async () => {
  await d.open(`#/meeting/${TENCENT.join('/')}/${SCHEDULED}`);
  await button('Start').click();
  await until(async () => (await adminMeeting(d.server, SCHEDULED, 'tencent')).state === 'in_progress', 'started');
  await button('Lock').click();
  await until(async () => (await adminMeeting(d.server, SCHEDULED, 'tencent')).locked === true, 'locked');
  await d.page.locator('.mhead-card .pill.locked').waitFor();
  await button('Unlock').click();
  await until(async () => (await adminMeeting(d.server, SCHEDULED, 'tencent')).locked === false, 'unlocked');
  await button('End').click();
  await until(async () => (await adminMeeting(d.server, SCHEDULED, 'tencent')).state === 'ended', 'ended');
  await d.page.locator('.mhead-card .pill.s-ended').waitFor();
});

test('make invitees accept, decline and leave', async () => {
  const token = await userToken(d.server);
  await invite(feishu(d.server), token, ['ou_guest_0007', 'ou_guest_0008']);
  await d.open(`#/meeting/feishu/cli_demo_feishu/${LIVE}`);
  const row = (u) => d.page.locator(`section[aria-label="Participants"] tr[data-user="${u}"]`);
  const state = async (u) => participant(await adminMeeting(d.server, LIVE, 'feishu'), u)?.status;
  await row('ou_guest_0007').locator('button[data-action="decline"]').click();
  await until(async () => (await state('ou_guest_0007')) === 'declined', 'declined');
  await row('ou_guest_0008').locator('button[data-action="accept"]').click();
  await until(async () => (await state('ou_guest_0008')) === 'joined', 'joined');
  await row('ou_guest_0008').locator('td.status', { hasText: 'joined' }).waitFor();
  await shot(d.page, 'meeting-actions');
  await row('ou_guest_0008').locator('button[data-action="leave"]').click();
  await until(async () => (await state('ou_guest_0008')) === 'left', 'left');
  await row('ou_guest_0008').locator('td.status', { hasText: 'left' }).waitFor();
});

test('load a scenario from the library, then switch its fault rule off and on', async () => {
  await d.open('#/faults');
  await d.page.locator('button[data-file="feishu-meeting-locked.yaml"]').click();
  await until(async () => (await d.server.adminOk('GET', '/faults')).faults.some((f) => f.name === 'feishu-meeting-locked'), 'rule loaded');
  const names = (await d.server.adminOk('GET', '/scenarios')).scenarios.map((s) => s.name);
  assert.ok(names.includes('feishu-meeting-locked'), names.join());
  const sw = d.page.locator('button[role="switch"][data-rule="feishu-meeting-locked"]');
  await sw.waitFor();
  assert.equal(await sw.getAttribute('aria-checked'), 'true');
  const enabled = async () => (await d.server.adminOk('GET', '/faults')).faults.find((f) => f.name === 'feishu-meeting-locked').enabled;
  await sw.click();
  await until(async () => (await enabled()) === false, 'rule off');
  await d.page.locator('button[role="switch"][data-rule="feishu-meeting-locked"][aria-checked="false"]').waitFor();
  await shot(d.page, 'faults-rule-off');
  await d.page.locator('button[role="switch"][data-rule="feishu-meeting-locked"]').click();
  await until(async () => (await enabled()) === true, 'rule on');
});

test('the rule\'s counters follow requests live', async () => {
  await d.open('#/faults');
  const fired = d.page.locator('tr[data-rule="feishu-meeting-locked"] td[data-counter="fired"]');
  await fired.waitFor();
  const before = Number(await fired.innerText());
  const token = await userToken(d.server);
  await invite(feishu(d.server), token, ['ou_guest_0009']).catch(() => {}); // refused by the rule
  await d.page.waitForFunction(([sel, n]) => Number(document.querySelector(sel)?.textContent) > n,
    ['tr[data-rule="feishu-meeting-locked"] td[data-counter="fired"]', before]);
});

test('freeze, advance and unfreeze the clock from the header', async () => {
  await d.open();
  const clock = () => d.server.adminOk('GET', '/clock');
  if (!(await clock()).frozen) await d.page.click('#clock-freeze');
  await until(async () => (await clock()).frozen, 'frozen');
  await d.page.locator('#clock-state', { hasText: 'frozen' }).waitFor();
  const at = (await clock()).now_ms;
  const shown = await d.page.locator('#clock-now').innerText();
  await d.page.selectOption('#advance-by', '600');
  await d.page.click('#clock-advance');
  await until(async () => (await clock()).now_ms === at + 600000, 'advanced 10 min');
  await d.page.waitForFunction((before) => document.querySelector('#clock-now').textContent !== before, shown);
  await d.page.click('#clock-freeze'); // now "Unfreeze"
  await until(async () => !(await clock()).frozen, 'running');
  await d.page.locator('#clock-state', { hasText: 'running' }).waitFor();
});

test('reset asks twice, then puts the server back to its scenarios', async () => {
  await d.open();
  assert.equal((await adminMeeting(d.server, SCHEDULED, 'tencent')).state, 'ended');
  await d.page.click('#reset');
  await d.page.locator('#reset', { hasText: 'Confirm reset' }).waitFor();
  assert.equal((await adminMeeting(d.server, SCHEDULED, 'tencent')).state, 'ended', 'one press changes nothing');
  await d.page.click('#reset');
  await until(async () => (await adminMeeting(d.server, SCHEDULED, 'tencent')).state === 'scheduled', 'reset');
  assert.equal((await d.server.adminOk('GET', '/clock')).offset_ms, 0);
  // The list follows without a reload.
  await d.page.locator(`.mrow[data-key="${TENCENT.join('/')}/${SCHEDULED}"] .pill`, { hasText: 'scheduled' }).waitFor();
  assertNoPageErrors(d.problems);
});
