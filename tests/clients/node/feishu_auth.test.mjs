// Feishu tokens through every flow the official Node SDK offers: the self-built app's tenant
// token (which is also its app token — the SDK's OIDC calls authenticate with it), the authen
// v1 OIDC and v1 calls, the userAccessToken helper, the OAuth v3 accessToken helper, a store
// (ISV) app with an app_ticket and a tenant key, and the SDK's refusals.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import * as lark from '@larksuiteoapi/node-sdk';
import { startServer } from './server.mjs';
import {
  APP, HOST, LIVE, SECRET, FreshCache, clientFor, loginCode, rejectsWith,
} from './feishu_client.mjs';

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });
beforeEach(async () => { await server.reset(); });

test('the tenant token is fetched once and is also the app token', async () => {
  const client = clientFor(server);
  const t = await client.auth.tenantAccessToken.internal({ data: { app_id: APP, app_secret: SECRET } });
  assert.equal(t.code, 0);
  assert.match(t.tenant_access_token, /^t-/);
  const a = await client.auth.appAccessToken.internal({ data: { app_id: APP, app_secret: SECRET } });
  assert.equal(a.app_access_token, t.tenant_access_token);
  assert.equal(a.tenant_access_token, t.tenant_access_token);
  await client.vc.meeting.get({ path: { meeting_id: LIVE } });
  await client.vc.meeting.get({ path: { meeting_id: LIVE } });
  assert.equal(await server.count({ vendor: 'feishu', operation: 'auth.tenant_access_token.internal' }), 2,
    'one explicit call plus one fetch by the SDK, then its cache');
});

test('OIDC and v1 user tokens with the tenant token, refresh, and user_info', async () => {
  const client = clientFor(server);
  const oidc = await client.authen.oidcAccessToken.create({
    data: { grant_type: 'authorization_code', code: await loginCode(server) },
  });
  assert.match(oidc.data.access_token, /^u-/);
  const refreshed = await client.authen.oidcRefreshAccessToken.create({
    data: { grant_type: 'refresh_token', refresh_token: oidc.data.refresh_token },
  });
  assert.equal(refreshed.code, 0);
  const v1 = await client.authen.accessToken.create({
    data: { grant_type: 'authorization_code', code: await loginCode(server, 'ou_guest_0001') },
  });
  assert.equal(v1.data.open_id, 'ou_guest_0001');
  const v1r = await client.authen.refreshAccessToken.create({
    data: { grant_type: 'refresh_token', refresh_token: v1.data.refresh_token },
  });
  assert.equal(v1r.data.union_id, 'on_guest_0001');
  const info = await client.authen.userInfo.get({}, lark.withUserAccessToken(refreshed.data.access_token));
  assert.equal(info.data.open_id, HOST);
  // A used code: HTTP 200 with the v1 page's code and message (no axios rejection).
  const code = await loginCode(server);
  await client.authen.oidcAccessToken.create({ data: { grant_type: 'authorization_code', code } });
  const again = await client.authen.oidcAccessToken.create({ data: { grant_type: 'authorization_code', code } });
  assert.equal(again.code, 20003);
  assert.equal(again.msg, 'The code passed is invalid. Please note that the code could only be used once');
});

test('the userAccessToken helper initialises from a code and serves the token', async () => {
  const client = clientFor(server);
  const info = await client.userAccessToken.initWithCode({ host: await loginCode(server) });
  assert.match(info.host.token, /^u-/);
  assert.equal(await client.userAccessToken.get('host'), info.host.token);
  const r = await client.vc.meeting.invite({
    path: { meeting_id: LIVE },
    data: { invitees: [{ id: 'ou_guest_0000', user_type: 1 }] },
  }, lark.withUserAccessToken(await client.userAccessToken.get('host')));
  assert.equal(r.data.invite_results[0].status, 1);
});

test('the OAuth v3 accessToken helper exchanges and refreshes; a reused code is 20065', async () => {
  const client = clientFor(server);
  const code = await loginCode(server, HOST, { redirect_uri: 'https://app.example/cb' });
  const tok = await client.accessToken.retrieveByAuthorizationCode({ code, redirectUri: 'https://app.example/cb' });
  assert.match(tok.accessToken, /^u-/);
  assert.equal(tok.tokenType, 'Bearer');
  const next = await client.accessToken.refresh({ refreshToken: tok.refreshToken });
  assert.notEqual(next.accessToken, tok.accessToken);
  await assert.rejects(client.accessToken.retrieveByAuthorizationCode({ code, redirectUri: 'https://app.example/cb' }),
    (e) => e.name === 'AccessTokenError' && e.statusCode === 400 && e.code === 20065 && e.error === 'invalid_grant');
  await assert.rejects(client.accessToken.refresh({ refreshToken: tok.refreshToken }),
    (e) => e.code === 20073);
});

test('a store (ISV) app: app_ticket, app token, tenant token by tenant key', async () => {
  await server.adminOk('POST', '/scenarios', {
    name: 'node-isv',
    tenants: [{
      vendor: 'feishu', id: 'cli_node_isv', secret: 'isv_secret', extra: { app_type: 'store' },
      users: [{ id: 'ou_isv_host', name: 'ISV Host' }],
      meetings: [{ id: '7600000000000000001', code: '760000001', host: 'ou_isv_host', state: 'in_progress' }],
    }],
  });
  const cache = new FreshCache();
  const client = clientFor(server, { appId: 'cli_node_isv', appSecret: 'isv_secret', appType: lark.AppType.ISV, cache });
  const resend = await client.auth.appTicket.resend({ data: { app_id: 'cli_node_isv', app_secret: 'isv_secret' } });
  assert.deepEqual(resend, { code: 0, msg: 'success' });
  // The platform pushes the ticket as an event; here the admin API hands it over and the test
  // puts it where the SDK's event dispatcher would (the cache, under its app-ticket key).
  const tk = await server.adminOk('POST', '/vendors/feishu/app_ticket', { app_id: 'cli_node_isv' });
  await cache.set('Symbol(app-ticket)', tk.app_ticket, Date.now() + 3600_000, { namespace: 'cli_node_isv' });
  const m = await client.vc.meeting.get({ path: { meeting_id: '7600000000000000001' } }, lark.withTenantKey(tk.tenant_key));
  assert.equal(m.data.meeting.meeting_no, '760000001');
  assert.equal(await server.count({ vendor: 'feishu', operation: 'auth.app_access_token.create' }), 1);
  assert.equal(await server.count({ vendor: 'feishu', operation: 'auth.tenant_access_token.create' }), 1);
  const wrong = await client.auth.tenantAccessToken.create({ data: { app_access_token: 'a-nope', tenant_key: tk.tenant_key } });
  assert.deepEqual(wrong, { code: 10013, msg: 'get tenant access token fail' });
});

test('a wrong secret fails before the business call; a revoked user token is refused', async () => {
  const bad = clientFor(server, { appSecret: 'wrong' });
  await assert.rejects(bad.vc.meeting.get({ path: { meeting_id: LIVE } }), /10014/);
  const client = clientFor(server);
  const tok = await client.accessToken.retrieveByAuthorizationCode({ code: await loginCode(server) });
  await server.adminOk('POST', '/vendors/feishu/revoke', { app_id: APP, user: HOST });
  await rejectsWith(client.authen.userInfo.get({}, lark.withUserAccessToken(tok.accessToken)), 400, 99991668);
  await assert.rejects(client.accessToken.refresh({ refreshToken: tok.refreshToken }), (e) => e.code === 20064);
});
