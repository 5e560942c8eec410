// DingTalk Stream mode consumed by the official Node SDK `dingtalk-stream` (npm, pinned): its
// DWClient opens the connection (POST /v1.0/gateway/connections/open), answers the SYSTEM ping,
// receives the EVENT frames of a conference created and closed through @alicloud/dingtalk, and
// ACKs them with {"status":"SUCCESS"} — or LATER, which meetmock redelivers on the server clock.
//
// The SDK has its gateway URL built in (https://api.dingtalk.com/v1.0/gateway/connections/open)
// and no option to change it; it calls it through axios' default instance, so an axios request
// interceptor points it at meetmock — what an app does to test against meetmock.
import { test, before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import axios from 'axios';
import { DWClient, EventAck } from 'dingtalk-stream';
import OpenApi from '@alicloud/openapi-client';
import Util from '@alicloud/tea-util';
import conference from '@alicloud/dingtalk/conference_1_0.js';
import oauth2 from '@alicloud/dingtalk/oauth2_1_0.js';
import { startServer } from './server.mjs';

const KEY = 'dingmockappkey';
const SECRET = 'mock-app-secret';
const HOST = 'host-union-0001';
const STATUS = 'meeting_status_change_target_push';
const MEMBER = 'meeting_member_status_change_target_push';

let server;
let clients = [];
before(async () => {
  server = await startServer();
  axios.interceptors.request.use((c) => {
    c.url = c.url.replace('https://api.dingtalk.com', server.base);
    return c;
  });
});
after(async () => { await server?.stop(); });
beforeEach(async () => { await server.reset(); });
afterEach(() => { for (const c of clients) c.disconnect(); clients = []; });

const config = () => new OpenApi.Config({ protocol: 'http', endpoint: server.host });
const runtime = () => new Util.RuntimeOptions({});

async function token() {
  const r = await new oauth2.default(config()).getAccessToken(new oauth2.GetAccessTokenRequest({ appKey: KEY, appSecret: SECRET }));
  return r.body.accessToken;
}

async function until(what, check, ms = 15000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A DWClient of the demo app whose listener answers with `answer(message)`. */
async function connected(answer) {
  const seen = [];
  const client = new DWClient({ clientId: KEY, clientSecret: SECRET });
  client.registerAllEventListener((msg) => { seen.push(msg); return answer(msg, seen); });
  clients.push(client);
  await client.connect();
  await until('the client to connect', async () =>
    (await server.adminOk('GET', '/connections?vendor=dingtalk')).count === 1);
  // Saving Stream mode wants a connected client (the console's check): it is.
  const sub = await server.adminOk('POST', '/subscriptions', { vendor: 'dingtalk', tenant: KEY, mode: 'stream' });
  assert.equal(sub.verification.state, 'verified');
  return seen;
}

test('DWClient receives a conference\'s events and its SUCCESS ACKs deliver them', async () => {
  const seen = await connected(() => ({ status: EventAck.SUCCESS }));
  await server.adminOk('POST', '/clock/freeze', {});
  const tok = await token();
  const c = new conference.default(config());
  const created = await c.createVideoConferenceWithOptions(
    new conference.CreateVideoConferenceRequest({ userId: HOST, confTitle: 'Node Stream', inviteCaller: false }),
    new conference.CreateVideoConferenceHeaders({ xAcsDingtalkAccessToken: tok }), runtime());
  const id = created.body.conferenceId;
  await c.closeVideoConferenceWithOptions(id, new conference.CloseVideoConferenceRequest({ unionId: HOST }),
    new conference.CloseVideoConferenceHeaders({ xAcsDingtalkAccessToken: tok }), runtime());
  await until('two events', () => seen.length >= 2);
  assert.deepEqual(seen.map((m) => [m.headers.eventType, JSON.parse(m.data).changeScene]),
    [[STATUS, 'conference_created'], [STATUS, 'conference_closed']]);
  const data = JSON.parse(seen[0].data);
  assert.equal(data.openConfModel.conferenceId, id);
  assert.equal(seen[0].headers.eventCorpId, 'dingmockcorp0001');
  assert.equal(seen[0].headers.topic, '*');
  const done = await until('both delivered', async () => {
    const r = await server.adminOk('GET', '/events?vendor=dingtalk&status=delivered');
    return r.events.length === 2 && r.events;
  });
  for (const d of done) {
    const a = d.attempts[0];
    assert.equal(a.status, 200);
    assert.equal(JSON.parse(JSON.parse(a.response).data).status, 'SUCCESS');
  }
});

test('an event ACKed LATER is redelivered on the clock with the same eventId', async () => {
  const seen = await connected((msg, all) =>
    ({ status: all.length === 1 ? EventAck.LATER : EventAck.SUCCESS }));
  await server.adminOk('POST', '/clock/freeze', {});
  const tok = await token();
  await new conference.default(config()).createVideoConferenceWithOptions(
    new conference.CreateVideoConferenceRequest({ userId: HOST, confTitle: 'later', inviteCaller: false }),
    new conference.CreateVideoConferenceHeaders({ xAcsDingtalkAccessToken: tok }), runtime());
  await until('the first frame', () => seen.length >= 1);
  await until('the LATER recorded', async () => {
    const r = await server.adminOk('GET', '/events?vendor=dingtalk');
    return r.events[0]?.status === 'pending' && r.events[0].attempts.length === 1;
  });
  await server.adminOk('POST', '/clock/advance', { seconds: 10 });
  await until('the redelivery', () => seen.length >= 2);
  assert.equal(seen[1].headers.eventId, seen[0].headers.eventId);
  assert.notEqual(seen[1].headers.messageId, seen[0].headers.messageId);
  await until('delivered', async () =>
    (await server.adminOk('GET', '/events?vendor=dingtalk&status=delivered')).events.length === 1);
});
