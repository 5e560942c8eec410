// The Node helper under node:test, driven as a user's suite would: the official
// @larksuiteoapi/node-sdk against a tenant of the test's own — login codes, journal assertions
// with readable diffs, tenant-scoped faults, invitee behaviour on a frozen clock, and event
// deliveries to the SDK's own EventDispatcher.
import { test, before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import * as lark from '@larksuiteoapi/node-sdk';
import { useMeetmock } from '../src/index.js';

for (const v of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy', 'ALL_PROXY', 'all_proxy']) delete process.env[v];

const mm = useMeetmock({ before, after, beforeEach, afterEach });

/** Each client its own token cache (the SDK's default is process-wide per app id). */
class Cache {
  constructor() { this.m = new Map(); }
  async get(key, o) { const e = this.m.get(`${o?.namespace}/${key.toString()}`); return e && e.exp > Date.now() ? e.v : undefined; }
  async set(key, v, exp, o) { this.m.set(`${o?.namespace}/${key.toString()}`, { v, exp }); return true; }
}
const quiet = { error() {}, warn() {}, info() {}, debug() {}, trace() {} };

function sdk(t) {
  return new lark.Client({ appId: t.credentials.appId, appSecret: t.credentials.appSecret, domain: mm.meetmock.url,
    oauthBaseUrl: mm.meetmock.url, cache: new Cache(), logger: quiet });
}

async function asHost(client, t) {
  const r = await client.authen.oidcAccessToken.create({ data: { grant_type: 'authorization_code', code: await t.loginCode() } });
  return lark.withUserAccessToken(r.data.access_token);
}

function invite(client, as, t, ...guests) {
  return client.vc.meeting.invite({ path: { meeting_id: t.meetings.live }, params: { user_id_type: 'open_id' },
    data: { invitees: guests.map((id) => ({ id, user_type: 1 })) } }, as);
}

async function statusOf(client, as, t, user) {
  const r = await client.vc.meeting.get({ path: { meeting_id: t.meetings.live },
    params: { with_participants: true, user_id_type: 'open_id' } }, as);
  return r.data.meeting.participants?.find((p) => p.id === user)?.status;
}

test('a tenant of its own invites through the SDK and the journal counts it', async () => {
  const t = await mm.meetmock.tenant('feishu');
  const client = sdk(t);
  const r = await invite(client, await asHost(client, t), t, t.guests[0]);
  assert.equal(r.code, 0);
  const [entry] = await t.assertCount(1, { operation: 'meeting.invite', status: 200 });
  assert.equal(entry.meeting, t.meetings.live);
  const called = await t.changes({ type: 'participant_called' });
  assert.deepEqual(called.map((c) => c.meeting.id), [t.meetings.live]);
});

test('two tenants on one server do not see each other', async () => {
  const a = await mm.meetmock.tenant('feishu');
  const b = await mm.meetmock.tenant('feishu');
  assert.notEqual(a.id, b.id);
  const client = sdk(a);
  await invite(client, await asHost(client, a), a, a.guests[0]);
  await a.assertCalled({ operation: 'meeting.invite' });
  await b.assertNotCalled({ operation: 'meeting.invite' });
});

test('a failed count assertion lists the matches and the nearest misses', async () => {
  const t = await mm.meetmock.tenant('feishu');
  const client = sdk(t);
  const as = await asHost(client, t);
  await statusOf(client, as, t, t.guests[0]);
  await invite(client, as, t, t.guests[0]);
  await assert.rejects(t.assertCount(3, { operation: 'meeting.invite' }), (e) => {
    assert.match(e.message, new RegExp(`expected 3 request\\(s\\) matching vendor=feishu tenant=${t.id} operation=meeting.invite, found 1`));
    assert.match(e.message, /matching \(newest first\):\n {4}#\d+ PATCH \S+ meeting\.invite → 200/);
    assert.match(e.message, /operation 'meeting\.get' \(wanted 'meeting\.invite'\)/);
    return true;
  });
});

test('a tenant fault is the SDK error and the cleanup removes it', async () => {
  const t = await mm.meetmock.tenant('feishu');
  const client = sdk(t);
  const as = await asHost(client, t);
  const name = await t.addFault({ match: { operation: 'meeting.invite' }, error: 'meeting_is_locked' });
  await assert.rejects(invite(client, as, t, t.guests[0]), (e) => {
    assert.equal(e.response.status, 400);
    assert.equal(e.response.data.code, 122008);
    return true;
  });
  const other = await mm.meetmock.tenant('feishu');
  const oc = sdk(other);
  assert.equal((await invite(oc, await asHost(oc, other), other, other.guests[0])).code, 0);
  await mm.meetmock.cleanup();
  assert.ok(!(await mm.meetmock.faults()).some((f) => f.name === name));
  assert.equal((await invite(client, as, t, t.guests[1])).code, 0);
});

test('an invitee behaviour plays out when the test moves the frozen clock', async () => {
  const t = await mm.meetmock.tenant('feishu');
  await mm.meetmock.freeze();
  const guest = t.guests[1];
  await t.behave({ user: guest, alert: 500, ring: 3000, outcome: 'accept', stay: 60000 });
  const client = sdk(t);
  const as = await asHost(client, t);
  await invite(client, as, t, guest);
  assert.equal(await statusOf(client, as, t, guest), 1); // calling
  await mm.meetmock.advance(1);
  assert.equal(await statusOf(client, as, t, guest), 3); // ringing
  await mm.meetmock.advance(3);
  assert.equal(await statusOf(client, as, t, guest), 2); // joined
  await mm.meetmock.advance(60);
  assert.equal(await statusOf(client, as, t, guest), 4); // left
});

test("events of the tenant reach the SDK's EventDispatcher and the delivery journal", async () => {
  const t = await mm.meetmock.tenant('feishu');
  const seen = [];
  const dispatcher = new lark.EventDispatcher({ encryptKey: 'enc-key', verificationToken: 'verify-token', logger: quiet })
    .register({ 'vc.meeting.join_meeting_v1': async (data) => { seen.push(data); } });
  const receiver = http.createServer(lark.adaptDefault('/events', dispatcher, { autoChallenge: true }));
  await new Promise((r) => receiver.listen(0, '127.0.0.1', r));
  try {
    const sub = await t.subscribe(`http://127.0.0.1:${receiver.address().port}/events`,
      { verification_token: 'verify-token', encrypt_key: 'enc-key' });
    assert.equal(sub.verification.state, 'verified');
    await t.act('live', 'join', { user: t.guests[2] });
    // waits for the worker's HTTP delivery (I/O), not for a clock
    for (let i = 0; i < 500 && (await t.eventCount({ status: 'delivered' })) < 1; i += 1) {
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.deepEqual((await t.events({ status: 'delivered' })).map((d) => d.type), ['vc.meeting.join_meeting_v1']);
    assert.equal(seen[0].operator.id.open_id, t.guests[2]);
  } finally {
    receiver.close();
  }
});
