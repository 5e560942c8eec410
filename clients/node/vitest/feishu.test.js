// The Node helper under Vitest (what Jest users write too: the same four hooks): useMeetmock
// with Vitest's hooks, a tenant per test, the official Feishu SDK inviting, journal assertions.
import { beforeAll, afterAll, beforeEach, afterEach, expect, test } from 'vitest';
import * as lark from '@larksuiteoapi/node-sdk';
import { useMeetmock } from '../src/index.js';

for (const v of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy', 'ALL_PROXY', 'all_proxy']) delete process.env[v];

const mm = useMeetmock({ beforeAll, afterAll, beforeEach, afterEach });
const quiet = { error() {}, warn() {}, info() {}, debug() {}, trace() {} };

test('a fresh Feishu tenant invites with the SDK and the journal says so', async () => {
  const t = await mm.meetmock.tenant('feishu');
  const client = new lark.Client({ appId: t.credentials.appId, appSecret: t.credentials.appSecret,
    domain: mm.meetmock.url, oauthBaseUrl: mm.meetmock.url, logger: quiet });
  const token = await client.authen.oidcAccessToken.create({
    data: { grant_type: 'authorization_code', code: await t.loginCode() } });
  const r = await client.vc.meeting.invite({ path: { meeting_id: t.meetings.live },
    params: { user_id_type: 'open_id' }, data: { invitees: [{ id: t.guests[0], user_type: 1 }] } },
  lark.withUserAccessToken(token.data.access_token));
  expect(r.code).toBe(0);
  await t.assertCount(1, { operation: 'meeting.invite', status: 200 });
  await expect(t.assertCount(2, { operation: 'meeting.invite' })).rejects.toThrow(/found 1/);
});

test('every test gets a new Meetmock and tenant; a fault of the last test is gone', async () => {
  const t = await mm.meetmock.tenant('feishu');
  expect(mm.meetmock.created).toEqual([t]);
  const name = await t.addFault({ match: { operation: 'meeting.invite' }, error: 'meeting_is_locked' });
  expect((await mm.meetmock.faults()).map((f) => f.name)).toContain(name);
});

test('the fault rule of the previous test was removed by its cleanup', async () => {
  const names = (await mm.meetmock.faults()).map((f) => f.name);
  expect(names.filter((n) => n.startsWith('cli_mm'))).toEqual([]);
});
