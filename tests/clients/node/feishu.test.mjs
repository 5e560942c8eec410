// Feishu / Lark VC v1 through the official Node SDK (@larksuiteoapi/node-sdk), used as a user
// would: domain and oauthBaseUrl pointed at meetmock, the SDK fetching and caching the tenant
// token itself, user tokens obtained with the SDK's OIDC call and passed with
// lark.withUserAccessToken. Reserve → meeting (its own id) → invite and every refusal →
// kickout, set_host, end; reports with paging; log ids; rate limit.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import * as lark from '@larksuiteoapi/node-sdk';
import { startServer } from './server.mjs';
import {
  HOST, LIVE, RESERVE, clientFor, recordingHttp, rejectsWith, serverNow, userToken,
} from './feishu_client.mjs';

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });
beforeEach(async () => { await server.reset(); });

const admin = (id, action, extra = {}) =>
  server.adminOk('POST', `/meetings/${id}/${action}`, { vendor: 'feishu', ...extra });

const invite = (client, token, ids, meeting = LIVE) => client.vc.meeting.invite({
  path: { meeting_id: meeting },
  params: { user_id_type: 'open_id' },
  data: { invitees: ids.map((id) => ({ id, user_type: 1 })) },
}, lark.withUserAccessToken(token));

test('reserve apply, get, update; the started meeting has its own id; delete', async () => {
  const client = clientFor(server);
  const end = String((await serverNow(server)) + 3600);
  const applied = await client.vc.reserve.apply({
    params: { user_id_type: 'open_id' },
    data: { end_time: end, owner_id: HOST, meeting_settings: { topic: 'node sdk', meeting_initial_type: 1 } },
  });
  assert.equal(applied.code, 0);
  const reserve = applied.data.reserve;
  assert.equal(reserve.id.length, 19);
  assert.equal(reserve.meeting_no.length, 9);
  const got = await client.vc.reserve.get({ path: { reserve_id: reserve.id } });
  assert.equal(got.data.reserve.meeting_settings.topic, 'node sdk');
  const updated = await client.vc.reserve.update({
    path: { reserve_id: reserve.id },
    data: { meeting_settings: { topic: 'renamed' } },
  });
  assert.equal(updated.code, 0);
  await rejectsWith(client.vc.reserve.getActiveMeeting({ path: { reserve_id: reserve.id } }), 404, 121004, 'data not exist');

  const meetingId = (await admin(reserve.id, 'start')).meeting.id;
  assert.notEqual(meetingId, reserve.id);
  const active = await client.vc.reserve.getActiveMeeting({
    path: { reserve_id: reserve.id },
    params: { with_participants: true },
  });
  assert.equal(active.data.meeting.id, meetingId);
  assert.equal(active.data.meeting.topic, 'renamed');
  // A GET carries `{}` and a JSON Content-Type from this SDK; it is answered normally.
  const m = await client.vc.meeting.get({ path: { meeting_id: meetingId }, params: { with_participants: true } });
  assert.equal(m.data.meeting.status, 2);
  assert.deepEqual(m.data.meeting.participants.map((p) => [p.id, p.status]), [[HOST, 2]]);
  await rejectsWith(client.vc.meeting.get({ path: { meeting_id: reserve.id } }), 404, 121004, 'data not exist');

  assert.equal((await client.vc.reserve.delete({ path: { reserve_id: reserve.id } })).code, 0);
  await rejectsWith(client.vc.reserve.get({ path: { reserve_id: reserve.id } }), 404, 121004);
});

test('invite three, then meeting get lists them calling; eleven is 121003', async () => {
  // The demo's invitees answer within seconds: a still clock keeps the calls as placed.
  await server.adminOk('POST', '/clock/freeze', {});
  const client = clientFor(server);
  const token = await userToken(server, client);
  const r = await invite(client, token, ['ou_guest_0000', 'ou_guest_0001', 'ou_guest_0002']);
  assert.deepEqual(r.data.invite_results.map((x) => [x.id, x.status]),
    [['ou_guest_0000', 1], ['ou_guest_0001', 1], ['ou_guest_0002', 1]]);
  const m = await client.vc.meeting.get({ path: { meeting_id: LIVE }, params: { with_participants: true } });
  const st = Object.fromEntries(m.data.meeting.participants.map((p) => [p.id, p.status]));
  assert.deepEqual(st, { [HOST]: 2, ou_guest_0000: 1, ou_guest_0001: 1, ou_guest_0002: 1 });
  const ids = Array.from({ length: 11 }, (_, i) => `ou_guest_${String(i).padStart(4, '0')}`);
  const e = await rejectsWith(invite(client, token, ids), 400, 121003, 'param error');
  assert.match(e.response.headers['x-tt-logid'], /^\d{14}[0-9A-F]{20}$/);
});

test('invite refusals: locked 122008, full 122006, busy, not in meeting 122003, not in progress 122001', async () => {
  const client = clientFor(server);
  const token = await userToken(server, client);
  await admin(LIVE, 'lock');
  await rejectsWith(invite(client, token, ['ou_guest_0000']), 400, 122008, 'meeting is locked');
  await admin(LIVE, 'unlock');
  await admin(LIVE, 'capacity', { capacity: 1 });
  await rejectsWith(invite(client, token, ['ou_guest_0000']), 400, 122006, 'participant count reach limit');
  await admin(LIVE, 'capacity', { capacity: 300 });
  await server.adminOk('POST', '/users/ou_guest_0003/busy', { vendor: 'feishu' });
  const mixed = await invite(client, token, ['ou_guest_0003', 'ou_guest_0004']);
  assert.deepEqual(mixed.data.invite_results.map((x) => x.status), [2, 1]);
  await rejectsWith(invite(client, token, ['ou_guest_0003']), 400, 122007, 'callee is busy');
  const outsider = await userToken(server, client, 'ou_guest_0005');
  await rejectsWith(invite(client, outsider, ['ou_guest_0006']), 400, 122003, 'operator user not in meeting');
  await server.adminOk('POST', '/vendors/feishu/calling', { app_id: 'cli_demo_feishu', meeting: LIVE });
  await rejectsWith(invite(client, token, ['ou_guest_0006']), 400, 122001, 'meeting status unexpected');
  // Nothing of the refused calls was applied.
  const m = await server.adminOk('GET', `/meetings/${LIVE}?vendor=feishu`);
  assert.deepEqual(m.meeting.participants.map((p) => p.user_id).sort(), [HOST, 'ou_guest_0004'].sort());
});

test('kickout (tenant token), set_host and end (user token; end sends `{}`)', async () => {
  const client = clientFor(server);
  await admin(LIVE, 'join', { user: 'ou_guest_0001' });
  await admin(LIVE, 'join', { user: 'ou_guest_0002' });
  const k = await client.vc.meeting.kickout({
    path: { meeting_id: LIVE },
    data: { kickout_users: [{ id: 'ou_guest_0002', user_type: 1 }, { id: 'ou_guest_0009', user_type: 1 }] },
  });
  assert.deepEqual(k.data.kickout_results.map((x) => x.result), [1, 2]);
  const token = await userToken(server, client);
  const h = await client.vc.meeting.setHost({
    path: { meeting_id: LIVE },
    data: { host_user: { id: 'ou_guest_0001', user_type: 1 }, old_host_user: { id: HOST, user_type: 1 } },
  }, lark.withUserAccessToken(token));
  assert.equal(h.data.host_user.id, 'ou_guest_0001');
  // The old host may no longer end it; the new one does.
  await rejectsWith(client.vc.meeting.end({ path: { meeting_id: LIVE } }, lark.withUserAccessToken(token)), 403, 121005, 'no permission');
  const newHost = await userToken(server, client, 'ou_guest_0001');
  const e = await client.vc.meeting.end({ path: { meeting_id: LIVE } }, lark.withUserAccessToken(newHost));
  assert.deepEqual(e, { code: 0, data: {}, msg: 'success' });
  await rejectsWith(client.vc.meeting.end({ path: { meeting_id: LIVE } }, lark.withUserAccessToken(newHost)), 400, 122001);
  // A tenant token may not end a meeting; a user token may not kick out.
  await rejectsWith(client.vc.meeting.end({ path: { meeting_id: LIVE } }), 400, 99991663, 'tenant access token not support');
  await rejectsWith(client.vc.meeting.kickout({ path: { meeting_id: LIVE }, data: { kickout_users: [{ id: HOST, user_type: 1 }] } },
    lark.withUserAccessToken(newHost)), 400, 99991668, 'user access token not support');
});

test('meeting_list pages through ended meetings with the SDK iterator', async () => {
  const now = await serverNow(server);
  const meetings = Array.from({ length: 23 }, (_, i) => ({
    id: `75000000000000000${String(i).padStart(2, '0')}`, code: String(500000000 + i), topic: `M${i}`,
    host: 'ou_rep', state: 'ended', start_time: now - 7200 + i * 60, end_time: now - 3600,
    participants: [{ user_id: 'ou_rep', status: 'left', joined_at: now - 7200 + i * 60, left_at: now - 3600 }],
  }));
  await server.adminOk('POST', '/scenarios', {
    name: 'node-reports',
    tenants: [{ vendor: 'feishu', id: 'cli_node_rep', secret: 'rep_secret', users: [{ id: 'ou_rep', name: 'Rep' }], meetings }],
  });
  const client = clientFor(server, { appId: 'cli_node_rep', appSecret: 'rep_secret' });
  const first = await client.vc.meetingList.get({ params: { start_time: now - 86400, end_time: now, page_size: 20 } });
  assert.equal(first.data.has_more, true);
  assert.equal(first.data.page_token, '20');
  assert.equal(first.data.meeting_list.length, 20);
  const pages = [];
  for await (const page of await client.vc.meetingList.getWithIterator({
    params: { start_time: now - 86400, end_time: now, page_size: 20 },
  })) pages.push(page.meeting_list.length);
  assert.deepEqual(pages, [20, 3]);
  const p = await client.vc.participantList.get({
    params: { meeting_start_time: now - 7200, meeting_end_time: now, meeting_no: '500000000', meeting_status: 2 },
  });
  assert.equal(p.code, 0);
  await rejectsWith(client.vc.meetingList.get({ params: { start_time: 0, end_time: now } }), 400, 126006);
});

test('the log id of a successful call, read through the httpInstance, as axios exposes it', async () => {
  const http = recordingHttp();
  const client = clientFor(server, { httpInstance: http });
  await client.vc.meeting.get({ path: { meeting_id: LIVE } });
  const last = http.headers.at(-1);
  assert.match(last['x-tt-logid'], /^\d{14}[0-9A-F]{20}$/);
  assert.equal(last['content-type'], 'application/json; charset=utf-8');
});

test('bad and expired tokens; the process-wide token cache after a reset', async () => {
  const client = clientFor(server);
  await rejectsWith(invite(client, 'u-bogus', ['ou_guest_0000']), 400, 99991668);
  const token = await userToken(server, client);
  await server.adminOk('POST', '/tokens/expire', { token });
  await rejectsWith(invite(client, token, ['ou_guest_0000']), 400, 99991677, 'Authentication token expired');
  // The SDK's default cache outlives a server reset: the cached token is then unknown.
  const shared = clientFor(server, { cache: lark.internalCache });
  assert.equal((await shared.vc.meeting.get({ path: { meeting_id: LIVE } })).code, 0);
  await server.reset();
  await rejectsWith(shared.vc.meeting.get({ path: { meeting_id: LIVE } }), 400, 99991663);
  // The workaround: a cache per client (or clear lark.internalCache) after a reset.
  assert.equal((await clientFor(server).vc.meeting.get({ path: { meeting_id: LIVE } })).code, 0);
});

test('a scenario rate limit answers 429 99991400 with the ogw headers', async () => {
  await server.adminOk('POST', '/scenarios', { name: 'tight', rate_limits: { feishu: [{ limit: 2, window_secs: 60 }] } });
  const client = clientFor(server);
  const get = () => client.vc.meeting.get({ path: { meeting_id: LIVE } });
  assert.equal((await get()).code, 0);
  assert.equal((await get()).code, 0);
  const e = await rejectsWith(get(), 429, 99991400, 'request trigger frequency limit');
  assert.equal(e.response.headers['x-ogw-ratelimit-limit'], '2');
  assert.ok(Number(e.response.headers['x-ogw-ratelimit-reset']) >= 1);
  await server.adminOk('POST', '/scenarios', { name: 'documented', rate_limits: { feishu: 'documented' } });
});

test('recording: start and stop by the host, 124002 while processing, then the file', async () => {
  const client = clientFor(server);
  const token = await userToken(server, client);
  const as = lark.withUserAccessToken(token);
  assert.equal((await client.vc.meetingRecording.start({ path: { meeting_id: LIVE }, data: { timezone: 8 } }, as)).code, 0);
  await server.advance(45);
  assert.equal((await client.vc.meetingRecording.stop({ path: { meeting_id: LIVE } }, as)).code, 0);
  await client.vc.meeting.end({ path: { meeting_id: LIVE } }, as);
  await rejectsWith(client.vc.meetingRecording.get({ path: { meeting_id: LIVE } }), 400, 124002, 'record processing');
  await server.advance(61);
  const fresh = clientFor(server);
  const r = await fresh.vc.meetingRecording.get({ path: { meeting_id: LIVE } });
  assert.equal(r.data.recording.duration, '45000');
});

test('contact lookups before inviting: batch_get_id by email, user get by union_id', async () => {
  const client = clientFor(server);
  const ids = await client.contact.user.batchGetId({
    params: { user_id_type: 'open_id' },
    data: { emails: ['host@example.com', 'nobody@example.com'] },
  });
  assert.deepEqual(ids.data.user_list.map((u) => u.user_id), [HOST, undefined]);
  const u = await client.contact.user.get({ path: { user_id: 'on_host_0001' }, params: { user_id_type: 'union_id' } });
  assert.equal(u.data.user.open_id, HOST);
  await rejectsWith(client.contact.user.get({ path: { user_id: 'ou_nobody' } }), 400, 41012, 'user id invalid error');
});
