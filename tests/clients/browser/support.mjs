// What the dashboard tests share: one meetmock (the shared Node fixture) plus one headless
// chromium per test file, the official Feishu SDK to make changes as a user's app would, a
// watcher that timestamps the moment the page shows something, and the measurement log
// (artifacts/measurements.json, also printed).
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as lark from '@larksuiteoapi/node-sdk';
import { startServer } from '../node/server.mjs';
import { ARTIFACTS, launch } from './browser.mjs';

export const APP = 'cli_demo_feishu';
export const SECRET = 'demo_feishu_secret';
export const LIVE = '7000000000000000028';
export const RESERVE = '6911188411934973028';
export const HOST = 'ou_host_0001';

/** A server and a browser on its dashboard. `args` are extra `serve` flags. */
export async function dashboard(args = [], browserOpts = {}) {
  const server = await startServer(args);
  const i = args.indexOf('--admin-token');
  if (i >= 0) server.adminToken = args[i + 1];
  const b = await launch(browserOpts);
  const open = async (hash = '') => {
    await b.page.goto(`${server.base}/__admin/ui${hash}`);
    await b.page.waitForSelector('#live[data-state="live"]', { timeout: 15000 });
  };
  return {
    server,
    page: b.page,
    problems: b.problems,
    open,
    async close() {
      await b.close();
      await server.stop();
    },
  };
}

/** The SDK caches tokens process-wide; a fresh cache per client keeps tests apart. */
class FreshCache {
  constructor() { this.values = new Map(); }
  async get(key, options) {
    const e = this.values.get(`${options?.namespace ?? ''}/${key.toString()}`);
    return e && (!e.expiredTime || e.expiredTime > Date.now()) ? e.value : undefined;
  }
  async set(key, value, expiredTime, options) {
    this.values.set(`${options?.namespace ?? ''}/${key.toString()}`, { value, expiredTime });
    return true;
  }
}

/** An official @larksuiteoapi/node-sdk Client of the demo app on this server. */
export function feishu(server) {
  return new lark.Client({
    appId: APP,
    appSecret: SECRET,
    appType: lark.AppType.SelfBuild,
    domain: server.base,
    oauthBaseUrl: server.base,
    cache: new FreshCache(),
    logger: { error() {}, warn() {}, info() {}, debug() {}, trace() {} },
  });
}

/**
 * A user access token for `user` (OIDC code exchange with an app_access_token, over plain
 * HTTP: only the changes under test go through the SDK).
 */
export async function userToken(server, user = HOST) {
  const { code } = await server.adminOk('POST', '/vendors/feishu/login_code', { app_id: APP, user });
  const post = async (p, body, auth) => (await fetch(`${server.base}${p}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(auth ? { Authorization: `Bearer ${auth}` } : {}) },
    body: JSON.stringify(body),
  })).json();
  const app = await post('/open-apis/auth/v3/app_access_token/internal', { app_id: APP, app_secret: SECRET });
  const r = await post('/open-apis/authen/v1/oidc/access_token',
    { grant_type: 'authorization_code', code }, app.app_access_token);
  assert.equal(r.code, 0, JSON.stringify(r));
  return r.data.access_token;
}

/** meeting.invite through the SDK, as the meeting's host. */
export async function invite(client, token, ids, meeting = LIVE) {
  const r = await client.vc.meeting.invite({
    path: { meeting_id: meeting },
    params: { user_id_type: 'open_id' },
    data: { invitees: ids.map((id) => ({ id, user_type: 1 })) },
  }, lark.withUserAccessToken(token));
  assert.equal(r.code, 0, JSON.stringify(r));
  return r;
}

/** One meeting as the admin API has it. */
export async function adminMeeting(server, id, vendor) {
  return (await server.adminOk('GET', `/meetings/${id}?vendor=${vendor}`)).meeting;
}

export function participant(m, user) {
  return (m.participants || []).find((p) => p.user_id === user);
}

/**
 * Arms a watcher in the page: resolves (via the returned function) to the page's Date.now() at
 * the DOM mutation that first makes `selector` contain `text` (or, with `absent`, no longer
 * contain it). Arm it, make the change, await.
 */
export async function armWatch(page, selector, text, { absent = false, timeoutMs = 10000 } = {}) {
  await page.evaluate(({ selector, text, absent, timeoutMs }) => {
    window.__mmSeen = new Promise((resolve, reject) => {
      const shows = () => [...document.querySelectorAll(selector)].some((el) => el.textContent.includes(text));
      const hit = () => (absent ? !shows() : shows());
      if (hit()) { resolve(Date.now()); return; }
      const obs = new MutationObserver(() => {
        if (hit()) { obs.disconnect(); resolve(Date.now()); }
      });
      obs.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
      setTimeout(() => { obs.disconnect(); reject(new Error(`${selector}: ${text} never ${absent ? 'went' : 'showed'}`)); }, timeoutMs);
    });
  }, { selector, text, absent, timeoutMs });
  return () => page.evaluate(() => window.__mmSeen);
}

/** Polls `check` (50 ms apart) until it is true; fails after `ms` naming `what`. */
export async function until(check, what, ms = 5000) {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) assert.fail(`never: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Percentiles of a list of numbers. */
export function summary(values) {
  const s = [...values].sort((a, b) => a - b);
  const at = (q) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return { n: s.length, min: s[0], median: at(0.5), p95: at(0.95), max: s[s.length - 1] };
}

/** Adds named figures to artifacts/measurements.json and prints them. */
export function record(name, figures) {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, 'measurements.json');
  let all = {};
  try { all = JSON.parse(readFileSync(file, 'utf8')); } catch { /* first */ }
  all[name] = { ...figures, at: new Date().toISOString() };
  writeFileSync(file, `${JSON.stringify(all, null, 2)}\n`);
  console.log(`# measured ${name}: ${JSON.stringify(figures)}`);
}

/** Fails the test if the page logged errors. */
export function assertNoPageErrors(problems) {
  assert.deepEqual(problems.filter((p) => !p.includes('401')), [], problems.join('\n'));
}
