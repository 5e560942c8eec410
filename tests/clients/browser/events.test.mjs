// Event deliveries in the page against a real receiver (receiver.mjs: answers Feishu's
// url_verification challenge, then 500, then 200): the subscription shows its verification
// state and no secret; a delivery and each attempt appear without a reload; the retry becomes
// due when the page's Advance button moves the server clock; Redeliver, Pause / Resume and
// Verify again change the server's state (checked through the admin API). Update delay from
// the receiver's answer to the page is measured (artifacts/measurements.json).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { shot } from './browser.mjs';
import { feishuReceiver } from './receiver.mjs';
import {
  APP, LIVE, SECRET, armWatch, assertNoPageErrors, dashboard, record, summary, until,
} from './support.mjs';

const VT = 'browser-verification-token-7f3a';
const EK = 'browser-encrypt-key-0c91';
let d;
let rx;
let sub;
before(async () => {
  d = await dashboard();
  // Retries are due on the server clock: nothing moves unless the page's Advance button does.
  await d.server.adminOk('POST', '/clock/freeze', {});
  rx = await feishuReceiver({ verificationToken: VT, encryptKey: EK });
  sub = await d.server.adminOk('POST', '/subscriptions', {
    vendor: 'feishu', tenant: APP, url: rx.url, verification_token: VT, encrypt_key: EK,
  });
  assert.equal(sub.verification.state, 'verified');
});
after(async () => { await d?.close(); await rx?.close(); });

const card = () => d.page.locator(`section.subscription[data-sub="${sub.id}"]`);
const events = async (q = '') => (await d.server.adminOk('GET', `/events?subscription=${sub.id}${q}`)).events;
const subscription = () => d.server.adminOk('GET', `/subscriptions/${sub.id}`);
const advance = async (value) => {
  await d.page.selectOption('#advance-by', value);
  await d.page.click('#clock-advance');
};
let joined;

test('the subscription shows its URL, mode and verification state, and its secrets by name only', async () => {
  await d.open('#/events');
  await card().waitFor();
  const text = await card().innerText();
  assert.match(text, /verified/);
  assert.ok(text.includes(rx.url), text);
  assert.match(text, /webhook/);
  assert.match(text, /encrypt_key, verification_token \(hidden\)/);
  assert.match(text, /0 unfinished · 0 deliveries/);
  const html = await d.page.content();
  for (const s of [VT, EK, SECRET]) assert.ok(!html.includes(s), `the page shows ${s}`);
});

test('a delivery and each attempt appear without a reload; the retry is due when Advance moves the clock', async () => {
  await d.open('#/events');
  await card().waitFor();
  const navigations = [];
  d.page.on('framenavigated', (f) => navigations.push(f.url()));
  rx.failNext = 1;
  const row = `section[data-sub="${sub.id}"] tr[data-delivery]`;
  const shown = await armWatch(d.page, `${row} .attempt`, '#1 500');
  await d.server.adminOk('POST', `/meetings/${LIVE}/accept`, { vendor: 'feishu', user: 'ou_guest_0001' });
  const seen = await shown();
  await until(() => rx.events.length === 1, 'the receiver got the event');
  const answered = rx.events[0].answeredAt;
  record('event delivery → page (receiver answered → attempt shown, ms)', { ms: seen - answered });
  assert.ok(seen - answered < 2000, `${seen - answered} ms`);

  const [delivery] = await events();
  joined = delivery;
  assert.equal(delivery.type, 'vc.meeting.join_meeting_v1');
  assert.equal(delivery.status, 'pending');
  assert.equal(delivery.attempts.length, 1);
  assert.equal(delivery.event_id, rx.events[0].event_id);
  const tr = d.page.locator(`${row}[data-delivery="${delivery.id}"]`);
  assert.match(await tr.innerText(), /vc\.meeting\.join_meeting_v1/);
  assert.ok((await tr.innerText()).includes(delivery.event_id));
  assert.equal(await tr.locator('.pill').innerText(), 'pending');
  // The next retry as the server has it (Feishu: 15 s after the failure, server clock).
  assert.equal(Number(await tr.locator('.next-retry').getAttribute('data-due-ms')), delivery.next_retry_at_ms);
  assert.match(await tr.locator('.next-retry').innerText(), /in 15 s/);
  // Latency is a float on the server; the page shows whole milliseconds.
  assert.match(await tr.locator('.attempt').first().innerText(), /· (\d+|<1) ms$/);
  await shot(d.page, 'events-retry-pending');

  // +10 s: not due yet.
  await advance('10');
  await d.page.locator(`${row}[data-delivery="${delivery.id}"] .next-retry`, { hasText: 'in 5 s' }).waitFor();
  assert.equal((await events())[0].attempts.length, 1);
  assert.equal(rx.events.length, 1);

  // +10 s more: the retry falls due, is sent, acknowledged; the page follows.
  await advance('10');
  await tr.locator('.attempt', { hasText: '#2 200' }).waitFor();
  await tr.locator('.pill', { hasText: 'delivered' }).waitFor();
  const [done] = await events();
  assert.equal(done.status, 'delivered');
  assert.deepEqual(done.attempts.map((a) => [a.status, a.ok]), [[500, false], [200, true]]);
  assert.equal(rx.events.length, 2);
  assert.equal(rx.events[1].event_id, delivery.event_id, 'the same dedupe id on the retry');
  assert.deepEqual(navigations, [], 'no reload');
  await shot(d.page, 'events-delivered');
});

test('Redeliver sends a finished delivery again with the same event id', async () => {
  await d.open('#/events');
  const tr = d.page.locator(`tr[data-delivery="${joined.id}"]`);
  await tr.locator('button[data-action="redeliver"]').click();
  await until(async () => (await d.server.adminOk('GET', `/events/${joined.id}`)).attempts.length === 3, 'sent again');
  await until(async () => (await d.server.adminOk('GET', `/events/${joined.id}`)).status === 'delivered', 'delivered again');
  assert.equal(rx.events.length, 3);
  assert.equal(rx.events[2].event_id, joined.event_id);
  await tr.locator('.attempt', { hasText: '#3 200' }).waitFor();
});

test('Pause holds new deliveries, Resume releases them', async () => {
  await d.open('#/events');
  await card().locator('button[data-action="pause"]').click();
  await until(async () => (await subscription()).paused === true, 'paused');
  await card().locator('[data-paused]').waitFor();
  const received = rx.events.length;
  await d.server.adminOk('POST', `/meetings/${LIVE}/leave`, { vendor: 'feishu', user: 'ou_guest_0001' });
  await until(async () => (await events()).some((e) => e.type === 'vc.meeting.leave_meeting_v1'), 'queued');
  const [left] = await events();
  const tr = d.page.locator(`tr[data-delivery="${left.id}"]`);
  await tr.locator('td', { hasText: 'held: subscription paused' }).waitFor();
  assert.equal(left.status, 'pending');
  assert.equal(left.attempts.length, 0);
  assert.equal(rx.events.length, received, 'nothing sent while paused');
  await shot(d.page, 'events-paused');

  await card().locator('button[data-action="resume"]').click();
  await until(async () => (await subscription()).paused === false, 'resumed');
  await until(async () => (await d.server.adminOk('GET', `/events/${left.id}`)).status === 'delivered', 'released');
  await tr.locator('.pill', { hasText: 'delivered' }).waitFor();
  assert.equal(rx.events.at(-1).event_type, 'vc.meeting.leave_meeting_v1');
});

test('Verify again re-runs the handshake: a refusing receiver fails it with the reason, a good one passes', async () => {
  await d.open('#/events');
  const before = rx.handshakes;
  rx.refuseHandshake = true;
  await card().locator('button[data-action="verify"]').click();
  await until(async () => (await subscription()).verification.state === 'failed', 'failed');
  assert.equal(rx.handshakes, before + 1);
  const reason = (await subscription()).verification.error;
  assert.ok(reason, 'the server says why');
  await card().locator('[data-verification="failed"]').waitFor();
  assert.ok((await card().locator('[data-reason]').innerText()).includes(reason));
  await shot(d.page, 'events-verification-failed');

  rx.refuseHandshake = false;
  await card().locator('button[data-action="verify"]').click();
  await until(async () => (await subscription()).verification.state === 'verified', 'verified');
  await card().locator('[data-verification="verified"]').waitFor();
  assert.equal(await card().locator('[data-reason]').count(), 0);
  assert.equal(rx.handshakes, before + 2);
});

test('each delivery reaches the page well within the target (measured over 10 deliveries)', async () => {
  await d.open('#/events');
  await card().locator('tr[data-delivery]').first().waitFor();
  const samples = [];
  for (let i = 0; i < 10; i++) {
    const ok = await card().locator('.attempt.ok').count();
    await d.page.evaluate(({ sel, n }) => {
      window.__mmSeen = new Promise((resolve) => {
        const obs = new MutationObserver(() => {
          if (document.querySelectorAll(sel).length > n) { obs.disconnect(); resolve(Date.now()); }
        });
        obs.observe(document.body, { subtree: true, childList: true });
      });
    }, { sel: `section[data-sub="${sub.id}"] .attempt.ok`, n: ok });
    const received = rx.events.length;
    await d.server.adminOk('POST', `/meetings/${LIVE}/${i % 2 ? 'leave' : 'accept'}`, { vendor: 'feishu', user: 'ou_guest_0003' });
    const seen = await d.page.evaluate(() => window.__mmSeen);
    await until(() => rx.events.length > received, 'received');
    samples.push(seen - rx.events.at(-1).answeredAt);
  }
  // From the receiver's answer to the DOM mutation: the send is recorded, the stream's next
  // status pulse (100 ms) tells the page, which reads the deliveries again.
  const s = summary(samples);
  record('event delivery → page over 10 deliveries (receiver answered → attempt shown, ms)', s);
  assert.ok(s.median < 500, JSON.stringify(s));
});

test('nothing secret shows, even with every delivery\'s request and answer expanded', async () => {
  await d.open('#/events');
  await card().locator('tr[data-delivery]').first().waitFor();
  for (const b of await card().locator('button.expand').all()) await b.click();
  await card().locator('.jdetail pre').first().waitFor();
  const html = await d.page.content();
  const text = await d.page.evaluate(() => document.body.innerText);
  for (const s of [VT, EK, SECRET]) {
    assert.ok(!html.includes(s) && !text.includes(s), `the page shows ${s}`);
  }
  // The event's own token field is there, masked by the server.
  assert.match(text, /"token": "(\*\*\*|•••)"/);
  await shot(d.page, 'events-details');
  assertNoPageErrors(d.problems);
});
