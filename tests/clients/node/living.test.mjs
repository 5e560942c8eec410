// The living invite through the official Node SDK (@larksuiteoapi/node-sdk): invite, move the
// server clock with the admin API (never sleep), and read the invitees' progress back with the
// same client — calling 1 → ringing 3 → joined 2, the demo's decliner at 4, leaving after a stay.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import * as lark from '@larksuiteoapi/node-sdk';
import { startServer } from './server.mjs';
import { APP, HOST, LIVE, clientFor, userToken } from './feishu_client.mjs';

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });
beforeEach(async () => { await server.reset(); });

async function statuses(client) {
  const m = await client.vc.meeting.get({ path: { meeting_id: LIVE }, params: { with_participants: true } });
  return Object.fromEntries(m.data.meeting.participants.map((p) => [p.id, p.status]));
}

test('a Feishu invitee rings, joins and leaves on the server clock; the demo decliner declines', async () => {
  await server.adminOk('POST', '/clock/freeze', {});
  await server.adminOk('PUT', '/behaviours', {
    vendor: 'feishu', tenant: APP, user: 'ou_guest_0006', alert: 500, ring: 3000, outcome: 'accept', stay: 60000,
  });
  const client = clientFor(server);
  const token = await userToken(server, client);
  const r = await client.vc.meeting.invite({
    path: { meeting_id: LIVE },
    params: { user_id_type: 'open_id' },
    data: { invitees: ['ou_guest_0006', 'ou_guest_0010'].map((id) => ({ id, user_type: 1 })) },
  }, lark.withUserAccessToken(token));
  assert.equal(r.code, 0);
  assert.deepEqual(await statuses(client), { [HOST]: 2, ou_guest_0006: 1, ou_guest_0010: 1 });
  await server.advance(1);
  assert.equal((await statuses(client)).ou_guest_0006, 3);
  await server.advance(5);
  assert.deepEqual(await statuses(client), { [HOST]: 2, ou_guest_0006: 2, ou_guest_0010: 4 });
  await server.advance(60);
  assert.equal((await statuses(client)).ou_guest_0006, 4);
});
