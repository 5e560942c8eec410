// Helpers for the Feishu suites: an official @larksuiteoapi/node-sdk Client pointed at one
// meetmock, a per-client token cache, login codes from the admin API, and assertions on the
// SDK's failures (axios rejects every HTTP status >= 400; the body is e.response.data).
import assert from 'node:assert/strict';
import * as lark from '@larksuiteoapi/node-sdk';

export const APP = 'cli_demo_feishu';
export const SECRET = 'demo_feishu_secret';
export const LIVE = '7000000000000000028';
export const RESERVE = '6911188411934973028';
export const HOST = 'ou_host_0001';

/**
 * The SDK caches tenant tokens process-wide (lark.internalCache, keyed by app id); a server
 * reset forgets them, so every test's client gets its own cache — the same interface
 * (get/set with a namespace) as the SDK's DefaultCache. This is the README's Node workaround.
 */
export class FreshCache {
  constructor() { this.values = new Map(); }
  key(key, options) { return `${options?.namespace ?? ''}/${key.toString()}`; }
  async get(key, options) {
    const e = this.values.get(this.key(key, options));
    if (!e || (e.expiredTime && e.expiredTime <= Date.now())) return undefined;
    return e.value;
  }
  async set(key, value, expiredTime, options) {
    this.values.set(this.key(key, options), { value, expiredTime });
    return true;
  }
}

/**
 * An httpInstance that records the response headers of every call while answering what the
 * SDK expects (the body): how a Node user reads the log id of a successful call.
 */
export function recordingHttp() {
  const inst = {
    headers: [],
    async request(config) {
      const r = await lark.defaultHttpInstance.request({ ...config, $return_headers: true });
      inst.headers.push(r.headers);
      return config.$return_headers ? r : r.data;
    },
    post(url, data, config) { return inst.request({ ...config, method: 'post', url, data }); },
    get(url, config) { return inst.request({ ...config, method: 'get', url }); },
  };
  return inst;
}

/** A Client of the demo app (or `appId`/`appSecret`) on this server. */
export function clientFor(server, opts = {}) {
  return new lark.Client({
    appId: opts.appId ?? APP,
    appSecret: opts.appSecret ?? SECRET,
    appType: opts.appType ?? lark.AppType.SelfBuild,
    domain: server.base,
    oauthBaseUrl: server.base,
    cache: opts.cache ?? new FreshCache(),
    httpInstance: opts.httpInstance,
    // LoggerLevel.fatal is 0, which the SDK reads as "unset" (info): silence it instead.
    logger: { error() {}, warn() {}, info() {}, debug() {}, trace() {} },
  });
}

/** A single-use login code (what the authorize page redirects back with). */
export async function loginCode(server, user = HOST, extra = {}, app = APP) {
  return (await server.adminOk('POST', '/vendors/feishu/login_code', { app_id: app, user, ...extra })).code;
}

/** A user access token through the SDK's own OIDC call (it authenticates with the tenant token). */
export async function userToken(server, client, user = HOST) {
  const r = await client.authen.oidcAccessToken.create({
    data: { grant_type: 'authorization_code', code: await loginCode(server, user) },
  });
  assert.equal(r.code, 0, JSON.stringify(r));
  return r.data.access_token;
}

/** Asserts that `promise` rejects with HTTP `status` and Feishu `code`/`msg`; returns the error. */
export async function rejectsWith(promise, status, code, msg) {
  let err;
  await assert.rejects(promise, (e) => { err = e; return true; });
  assert.ok(err.response, `no HTTP answer: ${err}`);
  assert.equal(err.response.status, status, JSON.stringify(err.response.data));
  assert.equal(err.response.data.code, code, JSON.stringify(err.response.data));
  if (msg !== undefined) assert.equal(err.response.data.msg, msg);
  // axios exposes header names in lower case; the log id is repeated in the body.
  const logId = err.response.headers['x-tt-logid'];
  if (err.response.data.error) assert.equal(err.response.data.error.log_id, logId);
  return err;
}

/** Seconds on the server clock. */
export async function serverNow(server) {
  return Math.floor((await server.adminOk('GET', '/clock')).now_ms / 1000);
}
