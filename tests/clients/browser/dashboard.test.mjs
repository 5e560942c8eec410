// The dashboard with the demo scenario: every demo meeting of all four vendors shows, each
// main view renders (screenshots in artifacts/, light and dark), the page weighs under
// 150 KB, no secret appears anywhere in it, and it works from the keyboard alone.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { shot } from './browser.mjs';
import { assertNoPageErrors, dashboard, record } from './support.mjs';

/** Values the demo scenario holds that must never reach the page. */
const SECRETS = [
  'demo_feishu_secret', 'mock-app-secret', 'HwDemoAppKey0123456789abcdef', 'meetmockDemoSecretKey0001',
  'AKIDmeetmockDemoSecretId0001', 'Demo@Passw0rd', 'Alice@Passw0rd', '167602', '402716', '246810',
  '135790', '"2468"',
];

let d;
let weight;
before(async () => {
  d = await dashboard();
  // The demo is lively (invitees answer on the clock); keyboard and layout checks want a still page.
  await d.server.adminOk('POST', '/clock/freeze', {});
});
after(async () => { await d?.close(); });

test('the page shows every demo meeting of all four vendors, with their ids as each vendor names them', async () => {
  // Page weight, counted on this first load of a fresh profile: every byte the page fetched.
  const fetched = [];
  const onResponse = async (r) => {
    try { fetched.push({ url: r.url(), bytes: (await r.body()).length }); } catch { /* streams */ }
  };
  d.page.on('response', onResponse);
  await d.open();
  d.page.off('response', onResponse);
  weight = {
    ui_bytes: fetched.filter((f) => f.url.includes('/__admin/ui')).reduce((n, f) => n + f.bytes, 0),
    ui_files: fetched.filter((f) => f.url.includes('/__admin/ui')).length,
    foreign: fetched.filter((f) => !f.url.startsWith(d.server.base)).map((f) => f.url),
  };
  const { meetings } = await d.server.adminOk('GET', '/meetings');
  assert.equal(new Set(meetings.map((m) => m.vendor)).size, 4);
  await d.page.waitForSelector('.mrow[data-key]');
  for (const m of meetings) {
    const row = d.page.locator(`.mrow[data-key="${m.vendor}/${m.tenant}/${m.id}"]`);
    await row.waitFor();
    const text = await row.innerText();
    assert.ok(text.includes(m.id), `${m.vendor} ${m.id}: ${text}`);
    assert.ok(text.includes(`${m.seats_taken} / ${m.capacity}`), text);
    if (m.topic && /^[\x20-\x7e]+$/.test(m.topic)) assert.ok(text.includes(m.topic), text);
  }
  const labels = await d.page.locator('.mrow[data-key^="dingtalk/"] .idname').allInnerTexts();
  assert.deepEqual(labels, ['conferenceId', 'roomCode']);
  const feishuLabels = await d.page.locator('.mrow[data-key^="feishu/"] .idname').first().innerText();
  assert.equal(feishuLabels, 'meeting_id');
  assert.equal(await d.page.locator('.list .toolbar [role="status"]').innerText(), '7 of 7 meetings');
  await shot(d.page, 'meetings-light');
  assertNoPageErrors(d.problems);
});

test('the page weighs under 150 KB and loads nothing from elsewhere', () => {
  record('page weight', weight);
  assert.deepEqual(weight.foreign, []);
  assert.ok(weight.ui_files >= 10, JSON.stringify(weight));
  assert.ok(weight.ui_bytes > 10000 && weight.ui_bytes < 150 * 1024, JSON.stringify(weight));
});

test('one meeting shows its participants with their call state, and no secret', async () => {
  await d.open('#/meeting/dingtalk/dingmockappkey/607452e01401526ee39609e1');
  const people = d.page.locator('section[aria-label="Participants"] tbody tr');
  await people.first().waitFor();
  assert.equal(await people.count(), 2);
  assert.equal(await d.page.locator('tr[data-user="union-carol-0003"] .status').innerText(), 'joined');
  const fields = await d.page.locator('section[aria-label="Vendor fields"]').innerText();
  assert.match(fields, /conferencePassword\s+••• \(hidden\)/);
  assert.match(fields, /externalLinkUrl\s+https:\/\/meeting\.dingtalk\.com/);
  await shot(d.page, 'meeting-light');
  await d.page.emulateMedia({ colorScheme: 'dark' });
  await shot(d.page, 'meeting-dark');
  await d.page.emulateMedia({ colorScheme: 'light' });
});

test('no secret of the demo appears in any view, even after logins and a journal entry expanded', async () => {
  await fetch(`${d.server.base}/open-apis/auth/v3/tenant_access_token/internal`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ app_id: 'cli_demo_feishu', app_secret: 'demo_feishu_secret' }),
  });
  const token = (await (await fetch(`${d.server.base}/v1.0/oauth2/accessToken`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ appKey: 'dingmockappkey', appSecret: 'mock-app-secret' }),
  })).json()).accessToken;
  assert.ok(token);
  const seen = [];
  for (const hash of ['#/meetings', '#/meeting/huawei/hwcorp0001/916206899', '#/journal', '#/faults', '#/events']) {
    await d.open(hash);
    if (hash === '#/journal') {
      await d.page.locator('button.expand').first().waitFor();
      for (const b of await d.page.locator('button.expand').all()) await b.click();
      await d.page.locator('.jdetail pre').first().waitFor();
      await shot(d.page, 'journal-light');
    }
    if (hash === '#/faults') {
      await d.page.locator('ul.library li').first().waitFor();
      await shot(d.page, 'faults-light');
    }
    if (hash === '#/events') {
      await d.page.locator('.events-view .empty, .events-view section').first().waitFor();
      await shot(d.page, 'events-light');
    }
    await d.page.waitForTimeout(300);
    seen.push(await d.page.content(), await d.page.evaluate(() => document.body.innerText));
  }
  const all = seen.join('\n');
  for (const s of [...SECRETS, token]) assert.ok(!all.includes(s), `the page shows ${s}`);
});

test('the event-deliveries view says what to do when no subscription exists yet', async () => {
  await d.open('#/events');
  assert.deepEqual((await d.server.adminOk('GET', '/subscriptions')).subscriptions, []);
  const empty = d.page.locator('.events-view .empty');
  await empty.waitFor();
  const text = await empty.innerText();
  assert.match(text, /No subscriptions yet/);
  assert.match(text, /POST \/__admin\/subscriptions/);
});

test('everything is reachable from the keyboard: views, the list, a meeting, back', async () => {
  await d.open();
  await d.page.locator('.mrow[data-key]').first().waitFor();
  await d.page.keyboard.press('2');
  await d.page.waitForURL(/#\/journal$/);
  await d.page.keyboard.press('3');
  await d.page.waitForURL(/#\/faults$/);
  await d.page.keyboard.press('1');
  await d.page.waitForURL(/#\/meetings$/);
  await d.page.locator('.mrow[data-key]').first().waitFor();
  await d.page.keyboard.press('/');
  assert.equal(await d.page.evaluate(() => document.activeElement.getAttribute('aria-label')), 'Filter meetings');
  await d.page.keyboard.type('Incident');
  await d.page.waitForFunction(() => document.querySelectorAll('.mrow[data-key]').length === 1);
  await d.page.keyboard.press('Tab'); // the state filter
  await d.page.keyboard.press('Tab'); // the list
  assert.equal(await d.page.evaluate(() => document.activeElement.getAttribute('role')), 'grid');
  await d.page.keyboard.press('ArrowDown');
  await d.page.keyboard.press('Enter');
  await d.page.waitForURL(/#\/meeting\/tencent\/211000001\/5417310002754750437$/);
  await d.page.locator('h2', { hasText: 'Incident bridge' }).waitFor();
  await d.page.keyboard.press('Tab');
  assert.equal(await d.page.evaluate(() => !!document.activeElement && document.activeElement !== document.body), true);
  await d.page.keyboard.press('Escape');
  await d.page.waitForURL(/#\/meetings$/);
  // Clean the filter for the next test.
  await d.page.locator('[data-filter]').fill('');
});

test('dark mode follows the system and the theme button', async () => {
  await d.open();
  await d.page.emulateMedia({ colorScheme: 'dark' });
  const bg = () => d.page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.equal(await bg(), 'rgb(15, 18, 23)');
  await shot(d.page, 'meetings-dark');
  await d.page.emulateMedia({ colorScheme: 'light' });
  assert.equal(await bg(), 'rgb(246, 247, 249)');
  await d.page.click('#theme'); // auto → light
  await d.page.click('#theme'); // light → dark
  assert.equal(await bg(), 'rgb(15, 18, 23)');
  await d.page.click('#theme'); // back to auto
});
