// The Node helper with the official DingTalk SDK (@alicloud/dingtalk): a tenant's fresh app key
// invites, a declared decline happens when the test moves the frozen clock, and a tenant fault
// by code reaches the SDK as its own error.
import { test, before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import OpenApi from '@alicloud/openapi-client';
import Util from '@alicloud/tea-util';
import conference from '@alicloud/dingtalk/conference_1_0.js';
import oauth2 from '@alicloud/dingtalk/oauth2_1_0.js';
import { useMeetmock } from '../src/index.js';

for (const v of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy', 'ALL_PROXY', 'all_proxy']) delete process.env[v];

const mm = useMeetmock({ before, after, beforeEach, afterEach });

async function invite(t, ...unionIds) {
  const config = new OpenApi.Config({ protocol: 'http', endpoint: mm.meetmock.host });
  const { appKey, appSecret } = t.credentials;
  const tok = (await new oauth2.default(config).getAccessToken(new oauth2.GetAccessTokenRequest({ appKey, appSecret }))).body.accessToken;
  const req = new conference.InviteUsersRequest({ unionId: t.users.host,
    inviteeList: unionIds.map((unionId) => new conference.InviteUsersRequestInviteeList({ unionId, nick: unionId })) });
  return new conference.default(config).inviteUsersWithOptions(t.meetings.live, req,
    new conference.InviteUsersHeaders({ xAcsDingtalkAccessToken: tok }), new Util.RuntimeOptions({}));
}

test('a declared decline happens when the test moves the frozen clock', async () => {
  const t = await mm.meetmock.tenant('dingtalk');
  await mm.meetmock.freeze();
  await t.behave({ user: t.users.bob, alert: 200, ring: 1000, outcome: 'decline' });
  assert.equal((await invite(t, t.users.bob)).statusCode, 200);
  await t.assertCount(1, { operation: 'InviteUsers', status: 200 });
  assert.ok((await t.pending()).calls.length >= 1);
  assert.deepEqual(await t.changes({ type: 'participant_declined' }), []);
  await mm.meetmock.advance({ seconds: 2 });
  const declined = await t.changes({ type: 'participant_declined' });
  assert.equal(declined.length, 1);
  assert.equal(declined[0].meeting.id, t.meetings.live);
});

test('a tenant fault by code reaches the SDK as its error', async () => {
  const t = await mm.meetmock.tenant('dingtalk');
  await t.addFault({ match: { operation: 'InviteUsers' }, error: 'Forbidden.AccessDenied.QpsLimitForApi' });
  await assert.rejects(invite(t, t.users.alice), (e) => {
    assert.match(String(e.code ?? e.message), /QpsLimitForApi/);
    return true;
  });
  const [entry] = (await mm.meetmock.requests({ vendor: 'dingtalk', operation: 'InviteUsers' })).filter((e) => e.fault);
  assert.equal(entry.status, 403);
});
