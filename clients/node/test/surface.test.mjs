// The rest of the Node helper's surface: scenarios in every form, fault switches and cleanup,
// the clock, users and meetings by name, attaching, a private server with an admin token and
// state export/import, errors, and the type declarations kept in step with the code.
import { test, before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as api from '../src/index.js';

const { AdminError, Meetmock, MeetmockServer, describe: describeEntry, useMeetmock } = api;
const mm = useMeetmock({ before, after, beforeEach, afterEach });

test('scenarios load by library name, YAML text, file and object', async () => {
  const m = mm.meetmock;
  assert.equal((await m.loadScenario('feishu-meeting-locked')).file, 'feishu-meeting-locked.yaml');
  assert.equal((await m.loadScenario('name: node-text\ntenants:\n  - {vendor: feishu, id: cli_mm_node_text, secret: s}\n')).loaded, 'node-text');
  const f = path.join(mkdtempSync(path.join(tmpdir(), 'mm-')), 'node-file.yaml');
  writeFileSync(f, 'tenants:\n  - {vendor: dingtalk, id: dingmm_node_file, secret: s}\n');
  assert.equal((await m.loadScenario({ path: f })).tenants, 1);
  await m.loadScenario({ tenants: [{ vendor: 'tencent', id: '399000222', secret: 'k' }] });
  const ids = new Set((await m.tenants()).map((t) => t.id));
  for (const id of ['cli_mm_node_text', 'dingmm_node_file', '399000222']) assert.ok(ids.has(id), id);
  assert.ok((await m.library()).some((l) => l.file === 'slow-vendor.yaml'));
});

test('a bad scenario is refused with the server message', async () => {
  await assert.rejects(mm.meetmock.loadScenario('faults:\n  - match: {vendor: feishu}\n    error: nope_nope\n'),
    (e) => e instanceof AdminError && e.status === 400 && /unknown feishu error "nope_nope"/.test(e.serverMessage));
});

test('fault switches work and the cleanup removes what the test added', async () => {
  const m = mm.meetmock;
  const a = await m.addFault({ name: 'node-surface-a', match: { vendor: 'huawei' }, delay: 1 });
  const [b] = await m.addFaults([{ name: 'node-surface-b', match: { vendor: 'tencent' }, delay: 1 }]);
  assert.equal((await m.disableFault(a)).enabled, false);
  assert.equal((await m.faults()).find((f) => f.name === a).enabled, false);
  await m.enableFault(a);
  await m.removeFault(b);
  await m.cleanup();
  assert.ok(!(await m.faults()).some((f) => [a, b].includes(f.name)));
});

test('the clock freezes and advances and the cleanup lets it run', async () => {
  const m = mm.meetmock;
  const frozen = await m.freeze();
  assert.equal(frozen.frozen, true);
  assert.equal((await m.advance(90)).now_ms - frozen.now_ms, 90000);
  assert.equal((await m.advance({ ms: 500 })).now_ms - frozen.now_ms, 90500);
  await m.cleanup();
  assert.equal((await m.clock()).frozen, false);
});

test('users and meetings of a tenant are changed by name', async () => {
  const t = await mm.meetmock.tenant('tencent');
  await t.addUsers({ id: 'extra', name: 'Extra' });
  assert.equal((await t.userAction('extra', 'busy')).user.busy, true);
  await t.userAction('extra', 'free');
  await t.act('live', 'call', { user: 'extra' });
  const m = await t.meeting('live');
  assert.deepEqual(m.participants.filter((p) => p.user_id === 'extra').map((p) => p.status), ['calling']);
  await t.behave({ outcome: 'manual' });
  assert.deepEqual((await t.behaviours()).behaviours.map((d) => d.behaviour.outcome), ['manual']);
  await t.act('scheduled', 'cancel');
  assert.deepEqual((await t.meetingList({ state: 'cancelled' })).map((x) => x.id), [t.meetings.scheduled]);
});

test('attaching shares the running server', async () => {
  const attached = MeetmockServer.attach(mm.server.url);
  assert.equal(attached.started, false);
  assert.equal(await attached.stop(), null);
  const t = await new Meetmock(attached).tenant('huawei');
  assert.ok((await mm.server.admin.tenants()).some((x) => x.id === t.id));
});

test('a private server with an admin token exports and imports its state', async () => {
  const server = await MeetmockServer.start({ args: ['--no-demo'], adminToken: 'n0de' });
  try {
    assert.ok(server.started && existsSync(server.certPath));
    assert.equal((await fetch(`${server.url}/__admin/tenants`)).status, 401);
    const m = new Meetmock(server);
    const t = await m.tenant('huawei');
    const state = await m.state();
    await m.reset();
    assert.ok((await m.tenants()).some((x) => x.id === t.id));
    assert.equal((await m.importState(state)).imported, true);
  } finally {
    const dir = server.dir;
    await server.stop();
    assert.equal(existsSync(dir), false);
  }
});

test('unknown endpoints and bad calls are AdminErrors; unknown vendors are refused', async () => {
  await assert.rejects(mm.meetmock.call('GET', '/no-such-thing'), (e) => e.status === 404 && /no admin endpoint/.test(e.message));
  await assert.rejects(mm.meetmock.expireToken('not-a-token'), (e) => e.status === 404);
  await assert.rejects(mm.meetmock.tenant('zoom'), TypeError);
  assert.equal(describeEntry({ seq: 3, method: 'GET', target: '/x', operation: 'op', status: 200 }), '#3 GET /x op → 200');
});

test('index.d.ts declares every export and every Admin, Tenant and Meetmock method', () => {
  const dts = readFileSync(new URL('../src/index.d.ts', import.meta.url), 'utf8');
  for (const name of Object.keys(api)) assert.match(dts, new RegExp(`export (class|function|const) ${name}\\b`), name);
  const start = (cls) => dts.indexOf(`export class ${cls} `);
  const block = (cls) => dts.slice(start(cls), dts.indexOf("\n}\n", start(cls)));
  for (const [cls, proto] of [['Admin', api.Admin.prototype], ['Tenant', api.Tenant.prototype], ['Meetmock', api.Meetmock.prototype]]) {
    for (const m of Object.getOwnPropertyNames(proto).filter((n) => n !== 'constructor')) {
      const declared = new RegExp(`\\b${m}[(?:]|readonly ${m}\\b`).test(block(cls)) || (cls === 'Meetmock' && new RegExp(`\\b${m}\\(`).test(block('Admin')));
      assert.ok(declared, `${cls}.${m} is not in index.d.ts`);
    }
  }
});
