// The harness itself: the binary starts, answers health, and resets.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './server.mjs';

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });

test('the binary starts on a free port and answers health', async () => {
  const r = await server.admin('GET', '/health');
  assert.equal(r.status, 200);
  assert.equal(r.body.status, 'ok');
});
