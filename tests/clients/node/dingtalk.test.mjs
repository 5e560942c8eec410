// DingTalk conference_1_0 and oauth2_1_0 driven by the official Node SDK (@alicloud/dingtalk,
// pinned), exactly as a user would: OpenApi.Config({protocol, endpoint}). Its Tea runtime sends
// JSON bodies as streams (chunked, no Content-Length) on keep-alive sockets and body-less
// DELETEs without Content-Length; `protocol: 'https'` (the official samples) goes to the same
// port over TLS, trusting the certificate meetmock wrote (Config.ca).
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import OpenApi from '@alicloud/openapi-client';
import Util from '@alicloud/tea-util';
import conference from '@alicloud/dingtalk/conference_1_0.js';
import oauth2 from '@alicloud/dingtalk/oauth2_1_0.js';
import { startServer } from './server.mjs';

const KEY = 'dingmockappkey';
const SECRET = 'mock-app-secret';
const HOST = 'host-union-0001';
const ALICE = 'union-alice-0001';
const BOB = 'union-bob-0002';
const DEMO_CONF = '607452e01401526ee39609e1';

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });
beforeEach(async () => { await server.reset(); });

const config = (extra = {}) => new OpenApi.Config({ protocol: 'http', endpoint: server.host, ...extra });
const conf = () => new conference.default(config());
const runtime = () => new Util.RuntimeOptions({});

async function token(key = KEY, secret = SECRET, cfg = config()) {
  const client = new oauth2.default(cfg);
  const r = await client.getAccessToken(new oauth2.GetAccessTokenRequest({ appKey: key, appSecret: secret }));
  return r.body;
}

function headers(Cls, tok) {
  return new Cls({ xAcsDingtalkAccessToken: tok });
}

async function create(tok) {
  const req = new conference.CreateVideoConferenceRequest({ userId: HOST, confTitle: 'Node 会议', inviteCaller: false });
  const r = await conf().createVideoConferenceWithOptions(req, headers(conference.CreateVideoConferenceHeaders, tok), runtime());
  return r.body;
}

async function invite(tok, id, fields) {
  const req = new conference.InviteUsersRequest(fields);
  return conf().inviteUsersWithOptions(id, req, headers(conference.InviteUsersHeaders, tok), runtime());
}

async function members(tok, id) {
  const req = new conference.QueryConferenceMembersRequest({ maxResults: 20, nextToken: '0' });
  const r = await conf().queryConferenceMembersWithOptions(id, req, headers(conference.QueryConferenceMembersHeaders, tok), runtime());
  return r.body.memberModels;
}

async function info(tok, id) {
  const r = await conf().queryConferenceInfoWithOptions(id, headers(conference.QueryConferenceInfoHeaders, tok), runtime());
  return r.body.confInfo;
}

/** Runs `fn`, expecting the SDK to throw; returns the error. */
async function refused(fn) {
  try {
    await fn();
  } catch (e) {
    return e;
  }
  assert.fail('expected the SDK to throw');
}

const users = () => [
  new conference.InviteUsersRequestInviteeList({ unionId: ALICE, nick: 'Alice' }),
  new conference.InviteUsersRequestInviteeList({ unionId: BOB, nick: 'Bob' }),
];

test('a token is issued for 7200 s and reused; a wrong secret is invalidClientIdOrSecret', async () => {
  const first = await token();
  assert.equal(first.expireIn, 7200);
  assert.equal(first.accessToken.length, 32);
  assert.equal((await token()).accessToken, first.accessToken);
  const e = await refused(() => token(KEY, 'WRONG'));
  assert.equal(e.code, 'invalidClientIdOrSecret');
  assert.equal(e.statusCode, 400);
  assert.equal(e.data.message, '无效的clientId或者clientSecret');
});

test('an unknown appKey is refused once strict tenants are switched on for DingTalk', async () => {
  assert.ok((await token('ding-node-auto', 's')).accessToken, 'auto-provisioned by default');
  const tenants = await server.adminOk('GET', '/tenants');
  assert.equal(tenants.tenants.find((t) => t.id === 'ding-node-auto').origin, 'auto');
  await server.adminOk('PUT', '/tenants/strict', { vendor: 'dingtalk', strict: true });
  const e = await refused(() => token('ding-node-misconfigured', 's'));
  assert.equal(e.code, 'invalidClientIdOrSecret');
});

test('create, query info, invite users and phones (with and without nick), members, close, invite after close', async () => {
  // The demo's invitees answer within seconds: a still clock keeps the calls as placed.
  await server.adminOk('POST', '/clock/freeze', {});
  const tok = (await token()).accessToken;
  const created = await create(tok);
  assert.equal(created.conferenceId.length, 24);
  assert.match(created.roomCode, /^\d{9}$/);
  const id = created.conferenceId;
  assert.equal((await info(tok, id)).status, 1);
  const r = await invite(tok, id, {
    unionId: HOST,
    inviteeList: users(),
    phoneInviteeList: [
      new conference.InviteUsersRequestPhoneInviteeList({ phoneNumber: '13800000000', nick: 'Phone Guest' }),
      new conference.InviteUsersRequestPhoneInviteeList({ phoneNumber: '13800000001' }),
    ],
  });
  assert.equal(r.statusCode, 200);
  assert.equal(r.body.success, true);
  const list = await members(tok, id);
  const alice = list.find((m) => m.unionId === ALICE);
  assert.equal(alice.attendStatus, 2);
  assert.equal(alice.userNick, 'Alice');
  const phones = list.filter((m) => m.pstnJoin).map((m) => m.userNick).sort();
  assert.deepEqual(phones, ['13800000001', 'Phone Guest']);
  const req = new conference.CloseVideoConferenceRequest({ unionId: HOST });
  const closed = await conf().closeVideoConferenceWithOptions(id, req, headers(conference.CloseVideoConferenceHeaders, tok), runtime());
  assert.equal(closed.body.cause, 'success');
  assert.equal(closed.body.code, 200);
  assert.equal((await info(tok, id)).status, 2);
  const e = await refused(() => invite(tok, id, { inviteeList: users() }));
  assert.equal(e.code, 'paramsError');
  assert.equal(e.data.message, 'error:conference has ended');
});

test('a user invitee without nick is paramsError and changes nothing', async () => {
  const tok = (await token()).accessToken;
  const id = (await create(tok)).conferenceId;
  const e = await refused(() => invite(tok, id, { inviteeList: [new conference.InviteUsersRequestInviteeList({ unionId: ALICE })] }));
  assert.equal(e.statusCode, 400);
  assert.equal(e.data.message, 'error:nick is empty');
  assert.equal((await members(tok, id)).length, 1);
});

test('a bad token is 400 InvalidAuthentication and a missing one AuthenticationFailed.MissingParameter', async () => {
  let e = await refused(() => invite('bogus', DEMO_CONF, { inviteeList: users() }));
  assert.equal(e.statusCode, 400);
  assert.equal(e.code, 'InvalidAuthentication');
  assert.ok(e.data.requestid);
  e = await refused(() => conf().inviteUsersWithOptions(DEMO_CONF, new conference.InviteUsersRequest({ inviteeList: users() }), {}, runtime()));
  assert.equal(e.code, 'AuthenticationFailed.MissingParameter');
});

test('a missing required field is the gateway Missing<field>, before the service', async () => {
  const tok = (await token()).accessToken;
  const req = new conference.CreateVideoConferenceRequest({ userId: HOST });
  const e = await refused(() => conf().createVideoConferenceWithOptions(req, headers(conference.CreateVideoConferenceHeaders, tok), runtime()));
  assert.equal(e.code, 'MissingconfTitle');
  assert.equal(e.data.message, 'confTitle is mandatory for this action.');
});

test('settings update locks the conference: invitations are then refused', async () => {
  const tok = (await token()).accessToken;
  const req = new conference.UpdateVideoConferenceSettingRequest({ lockConference: true, muteAll: true });
  const r = await conf().updateVideoConferenceSettingWithOptions(DEMO_CONF, req, headers(conference.UpdateVideoConferenceSettingHeaders, tok), runtime());
  assert.equal(r.body.case, 'success');
  assert.equal(r.body.code, '200');
  const e = await refused(() => invite(tok, DEMO_CONF, { inviteeList: users() }));
  assert.equal(e.data.message, 'error:conference is locked');
});

test('scheduled conference, room code and org list through the SDK', async () => {
  const tok = (await token()).accessToken;
  const req = new conference.CreateScheduleConferenceRequest({
    creatorUnionId: HOST, title: 'Plan', startTime: 1893484800000, endTime: 1893488400000,
  });
  const s = await conf().createScheduleConferenceWithOptions(req, headers(conference.CreateScheduleConferenceHeaders, tok), runtime());
  assert.match(s.body.scheduleConferenceId, /^[0-9a-f-]{36}$/);
  const q = await conf().queryScheduleConferenceWithOptions(
    s.body.scheduleConferenceId,
    new conference.QueryScheduleConferenceRequest({ requestUnionId: HOST }),
    headers(conference.QueryScheduleConferenceHeaders, tok), runtime());
  assert.equal(q.body.title, 'Plan');
  const byCode = await conf().queryConferenceInfoByRoomCodeWithOptions('583912640',
    new conference.QueryConferenceInfoByRoomCodeRequest({}),
    headers(conference.QueryConferenceInfoByRoomCodeHeaders, tok), runtime());
  assert.equal(byCode.body.conferenceList[0].conferenceId, DEMO_CONF);
  const org = await conf().queryOrgConferenceListWithOptions(new conference.QueryOrgConferenceListRequest({}),
    headers(conference.QueryOrgConferenceListHeaders, tok), runtime());
  assert.equal(org.body.totalCount, 1);
});

test('third-party and corp tokens: corpAccessToken and {corpId}/token', async () => {
  const client = new oauth2.default(config());
  const corp = await client.getCorpAccessToken(new oauth2.GetCorpAccessTokenRequest({
    suiteKey: 'suite-node', suiteSecret: 'suite-secret', authCorpId: 'corp-node', suiteTicket: 'ticket',
  }));
  assert.equal(corp.body.expireIn, 7200);
  const t = await client.getToken('dingmockcorp0001', new oauth2.GetTokenRequest({
    clientId: KEY, clientSecret: SECRET, grantType: 'client_credentials',
  }));
  assert.equal(t.body.expiresIn, 7200);
  assert.equal(t.body.accessToken, (await token()).accessToken);
  const e = await refused(() => client.getToken('dingbogus', new oauth2.GetTokenRequest({
    clientId: KEY, clientSecret: SECRET, grantType: 'client_credentials',
  })));
  assert.equal(e.code, 'unknownError');
  assert.equal(e.statusCode, 500);
});

test('the user lookup the create page points to finds the unionId to invite', async () => {
  const tok = (await token()).accessToken;
  const res = await fetch(`${server.base}/topapi/v2/user/get?access_token=${tok}`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ userid: 'user0001' }),
  });
  const body = await res.json();
  assert.equal(body.errcode, 0);
  const r = await invite(tok, DEMO_CONF, {
    inviteeList: [new conference.InviteUsersRequestInviteeList({ unionId: body.result.unionid, nick: body.result.name })],
  });
  assert.equal(r.body.success, true);
});

test("a reset between two apps' calls never hands app A's cached token to app B", async () => {
  const a = (await token('ding-node-a', 'sa')).accessToken;
  await server.reset();
  const b = (await token('ding-node-b', 'sb')).accessToken;
  assert.notEqual(a, b);
  const e = await refused(() => conf().queryOrgConferenceListWithOptions(new conference.QueryOrgConferenceListRequest({}),
    headers(conference.QueryOrgConferenceListHeaders, a), runtime()));
  assert.equal(e.code, 'InvalidAuthentication');
});

test("protocol 'https' (the official samples) works against the TLS port with the written certificate", async () => {
  const ca = readFileSync(server.certPath, 'utf8');
  const cfg = config({ protocol: 'https', ca });
  const tok = (await token(KEY, SECRET, cfg)).accessToken;
  const client = new conference.default(cfg);
  const r = await client.queryConferenceInfoWithOptions(DEMO_CONF, headers(conference.QueryConferenceInfoHeaders, tok), runtime());
  assert.equal(r.body.confInfo.roomCode, '583912640');
});
