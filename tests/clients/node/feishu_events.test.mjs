// Feishu event callbacks consumed by the official Node SDK (@larksuiteoapi/node-sdk):
// - webhook: the SDK's EventDispatcher behind its own `adaptDefault` HTTP adapter (with
//   `autoChallenge`), plain and encrypted + signed — node-sdk checks the signature over
//   JSON.stringify(parsed body) with lower-case header names, so this proves the compact body;
// - long connection: the SDK's WSClient, pointed at meetmock, discovers the endpoint, connects,
//   receives a meeting driven through the SDK and the living invite, and acknowledges.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import * as lark from '@larksuiteoapi/node-sdk';
import { startServer } from './server.mjs';
import { APP, HOST, LIVE, clientFor, serverNow } from './feishu_client.mjs';

const VT = 'node-verification-token';
const EK = 'node-encrypt-key';
const silent = { error() {}, warn() {}, info() {}, debug() {}, trace() {} };
const TYPES = [
  'meeting_started', 'meeting_ended', 'join_meeting', 'leave_meeting', 'all_meeting_started',
  'all_meeting_ended', 'recording_started', 'recording_ended', 'recording_ready',
  'share_started', 'share_ended', 'participant_meeting_ended',
].map((t) => `vc.meeting.${t}_v1`);

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });
beforeEach(async () => { await server.reset(); });

/** An EventDispatcher with a handler for every VC meeting type, recording what it got. */
function dispatcher(opts) {
  const seen = [];
  const handles = Object.fromEntries(TYPES.map((t) => [t, async (data) => { seen.push(data); }]));
  const d = new lark.EventDispatcher({ ...opts, logger: silent }).register(handles);
  return { d, seen };
}

async function until(what, fn, ms = 15000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const delivered = async (n) => until(`${n} deliveries`, async () =>
  (await server.adminOk('GET', '/events/count?status=delivered')).count >= n);

/** Waits until at least `min` deliveries exist and all are delivered; resolves to their count. */
const allDelivered = async (min) => until(`all of at least ${min} deliveries`, async () => {
  const all = (await server.adminOk('GET', '/events/count')).count;
  const done = (await server.adminOk('GET', '/events/count?status=delivered')).count;
  return all >= min && done === all ? all : 0;
});

/** The SDK's own HTTP adapter as the app's event endpoint. */
async function endpoint(d) {
  const srv = http.createServer(lark.adaptDefault('/webhook/event', d, { autoChallenge: true }));
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  return { srv, url: `http://127.0.0.1:${srv.address().port}/webhook/event` };
}

for (const encrypted of [false, true]) {
  test(`webhook deliveries (${encrypted ? 'encrypted and signed' : 'plain'}) reach EventDispatcher via adaptDefault`, async () => {
    const { d, seen } = dispatcher(encrypted ? { encryptKey: EK, verificationToken: VT } : { verificationToken: VT });
    const { srv, url } = await endpoint(d);
    try {
      await server.adminOk('POST', '/clock/freeze', {});
      const body = { vendor: 'feishu', tenant: APP, url, verification_token: VT };
      if (encrypted) body.encrypt_key = EK;
      const sub = await server.adminOk('POST', '/subscriptions', body);
      assert.equal(sub.verification.state, 'verified', 'adaptDefault answered the challenge');
      const admin = (action, user) => server.adminOk('POST', `/meetings/${LIVE}/${action}`, { vendor: 'feishu', user });
      await admin('join', 'ou_guest_0002');
      await admin('leave', 'ou_guest_0002');
      await admin('end', undefined);
      const total = await allDelivered(5);
      await until('every event handled', () => seen.length >= total);
      assert.equal(seen.length, total, 'the signature check passed for every delivery');
      const types = seen.map((e) => e.event_type);
      assert.deepEqual(types.slice(0, 2), ['vc.meeting.join_meeting_v1', 'vc.meeting.leave_meeting_v1']);
      assert.ok(types.includes('vc.meeting.meeting_ended_v1') && types.includes('vc.meeting.all_meeting_ended_v1'));
      const join = seen[0];
      assert.equal(join.operator.id.open_id, 'ou_guest_0002');
      assert.equal(join.meeting.id, LIVE);
      assert.equal(join.app_id, APP);
      assert.equal(join.token, VT);
      assert.equal(seen[1].leave_reason, 1);
      assert.equal(new Set(seen.map((e) => e.event_id)).size, seen.length);
      if (encrypted) {
        const a = (await server.adminOk('GET', '/events?limit=1')).events[0].attempts[0];
        assert.ok(a.request.headers['X-Lark-Signature']);
        assert.ok(a.request.body.startsWith('{"encrypt":"'));
      }
    } finally {
      srv.close();
    }
  });
}

test('a corrupted signature is dropped by the Node dispatcher, which still answers 200', async () => {
  const { d, seen } = dispatcher({ encryptKey: EK, verificationToken: VT });
  const { srv, url } = await endpoint(d);
  try {
    await server.adminOk('POST', '/faults', {
      name: 'bad-signature', target: 'delivery', delivery: 'corrupt_signature',
      when: { first: 1 }, match: { vendor: 'feishu', event_type: 'vc.meeting.join_meeting_v1' },
    });
    await server.adminOk('POST', '/subscriptions', { vendor: 'feishu', tenant: APP, url, verification_token: VT, encrypt_key: EK });
    await server.adminOk('POST', `/meetings/${LIVE}/join`, { vendor: 'feishu', user: 'ou_guest_0003' });
    await delivered(1);
    assert.equal(seen.length, 0, 'node-sdk logs "verification failed event" and answers 200');
    // A duplicate after success (a delivery fault) reaches the handler twice with one event_id.
    await server.adminOk('POST', '/faults', {
      name: 'twice', target: 'delivery', delivery: 'duplicate', when: { first: 1 },
      match: { vendor: 'feishu', event_type: 'vc.meeting.leave_meeting_v1' },
    });
    await server.adminOk('POST', `/meetings/${LIVE}/leave`, { vendor: 'feishu', user: 'ou_guest_0003' });
    await until('the duplicate', () => seen.length >= 2);
    assert.equal(seen[0].event_id, seen[1].event_id, 'the app dedupes on event_id');
  } finally {
    srv.close();
  }
});

// WSClient.start() insists on an app id of `cli_` + 16 hex digits, as real ones are.
const WS_APP = 'cli_a1b2c3d4e5f60718';
const WS_SECRET = 'node-ws-secret';
const WS_HOST = 'ou_node_host';
const WS_GUESTS = ['ou_node_guest1', 'ou_node_guest2'];

async function wsTenant() {
  const scenario = {
    tenants: [{
      vendor: 'feishu', id: WS_APP, secret: WS_SECRET,
      extra: { ws_client_config: { ReconnectNonce: 0, ReconnectInterval: 1 } },
      users: [WS_HOST, ...WS_GUESTS].map((id) => ({ id, name: id })),
      behaviours: [{ alert: { min_ms: 500, max_ms: 1000 }, ring: 2000, outcome: 'accept' }],
    }],
  };
  await server.adminOk('POST', '/scenarios?name=node-ws', scenario);
}

test('WSClient receives a meeting driven through the SDK and the living invite, and acks it', async () => {
  await wsTenant();
  await server.adminOk('POST', '/clock/freeze', {});
  const { d, seen } = dispatcher({});
  const ws = new lark.WSClient({ appId: WS_APP, appSecret: WS_SECRET, domain: server.base, logger: silent, loggerLevel: lark.LoggerLevel.error });
  await ws.start({ eventDispatcher: d });
  try {
    const conn = await until('the SDK to connect', async () =>
      (await server.adminOk('GET', `/connections?vendor=feishu&tenant=${WS_APP}`)).connections[0]);
    assert.match(conn.label, /^device_id=\d{19}$/);
    const sub = await server.adminOk('POST', '/subscriptions', { vendor: 'feishu', tenant: WS_APP, mode: 'long_connection' });
    assert.equal(sub.verification.state, 'verified');

    const client = clientFor(server, { appId: WS_APP, appSecret: WS_SECRET });
    const end = String((await serverNow(server)) + 3600);
    const applied = await client.vc.reserve.apply({
      params: { user_id_type: 'open_id' },
      data: { end_time: end, owner_id: WS_HOST, meeting_settings: { topic: 'over the long connection' } },
    });
    assert.equal(applied.code, 0, JSON.stringify(applied));
    const mid = (await server.adminOk('POST', `/meetings/${applied.data.reserve.id}/start`, { vendor: 'feishu' })).meeting.id;
    const code = (await server.adminOk('POST', '/vendors/feishu/login_code', { app_id: WS_APP, user: WS_HOST })).code;
    const token = (await client.authen.oidcAccessToken.create({ data: { grant_type: 'authorization_code', code } })).data.access_token;
    const invited = await client.vc.meeting.invite({
      path: { meeting_id: mid }, params: { user_id_type: 'open_id' },
      data: { invitees: WS_GUESTS.map((id) => ({ id, user_type: 1 })) },
    }, lark.withUserAccessToken(token));
    assert.equal(invited.code, 0, JSON.stringify(invited));
    await server.advance(30); // they ring, then accept
    const ended = await client.vc.meeting.end({ path: { meeting_id: mid } }, lark.withUserAccessToken(token));
    assert.equal(ended.code, 0);

    const total = await allDelivered(10);
    await until('every event handled', () => seen.length >= total);
    const types = seen.map((e) => e.event_type);
    assert.deepEqual(types.slice(0, 3), ['vc.meeting.meeting_started_v1', 'vc.meeting.all_meeting_started_v1', 'vc.meeting.join_meeting_v1']);
    const joins = seen.filter((e) => e.event_type === 'vc.meeting.join_meeting_v1').map((e) => e.operator.id.open_id);
    assert.deepEqual(joins.sort(), [WS_HOST, ...WS_GUESTS].sort());
    assert.ok(seen.every((e) => e.meeting.id === mid && e.app_id === WS_APP));
    const last = (await server.adminOk('GET', '/events?limit=1')).events[0].attempts[0];
    assert.equal(last.status, 200);
    assert.equal(JSON.parse(last.response).code, 200, 'the SDK\'s own ACK');
  } finally {
    ws.close({ force: true });
  }
});
