// The meetmock admin API (`/__admin/…`), one method per endpoint, over the global fetch.
// Every call sends `Content-Type: application/json` (other changes are refused as CSRF) and
// `Authorization: Bearer <token>` when the server has `--admin-token`; a refusal throws
// AdminError with the server's status and message. README.md "Admin API" documents each one.
import { explain } from './journal.js';

/** An admin call answered with an error status. */
export class AdminError extends Error {
  constructor(method, path, status, body) {
    const message = body && typeof body === 'object' && 'message' in body ? body.message : body;
    super(`${method} /__admin${path} → ${status}: ${typeof message === 'string' ? message : JSON.stringify(message)}`);
    this.name = 'AdminError';
    Object.assign(this, { method, path, status, body, serverMessage: message });
  }
}

/** `?a=1&b=x,y` from an object; null/undefined dropped, arrays joined with commas. */
export function query(filters = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(filters)) {
    if (v == null) continue;
    q.append(k, Array.isArray(v) ? v.join(',') : String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

const enc = encodeURIComponent;
const defined = (o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

export class Admin {
  /** @param {string} baseUrl @param {{token?: string}} [opts] */
  constructor(baseUrl, { token } = {}) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.token = token;
  }

  /** `method /__admin{path}`; a JSON body, or `{raw, contentType}`; resolves to the JSON answer. */
  async call(method, path, body, { raw, contentType = 'application/json' } = {}) {
    const headers = { 'Content-Type': contentType };
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    let data = raw ?? (body === undefined ? undefined : JSON.stringify(body));
    if (data === undefined && method !== 'GET' && method !== 'HEAD') data = '{}';
    const res = await fetch(`${this.baseUrl}/__admin${path}`, { method, headers, body: data });
    const text = await res.text();
    let parsed = text;
    try { parsed = text ? JSON.parse(text) : {}; } catch { /* not JSON */ }
    if (!res.ok) throw new AdminError(method, path, res.status, parsed);
    return parsed;
  }

  // ---- server ----
  health() { return this.call('GET', '/health'); }
  async routes() { return (await this.call('GET', '/routes')).routes; }
  /** Everything back to the loaded scenarios (every tenant: not for a shared server). */
  reset() { return this.call('POST', '/reset'); }
  state() { return this.call('GET', '/state'); }
  importState(state) { return this.call('PUT', '/state', state); }
  saveState() { return this.call('POST', '/state/save'); }

  // ---- scenarios ----
  /**
   * Loads one more scenario: `{path}` (a file), `{library}` (`feishu-meeting-locked`, with or
   * without `.yaml`), `{text}` (YAML) or `{data}` (an object); a string argument is a library
   * name when it is one word, else YAML text.
   */
  async loadScenario(source, { name } = {}) {
    let spec = source;
    if (typeof source === 'string') spec = /^[\w.-]+$/.test(source) ? { library: source } : { text: source };
    else if (source && !('path' in source || 'library' in source || 'text' in source || 'data' in source)) spec = { data: source };
    if (spec.library) {
      const file = /\.ya?ml$/.test(spec.library) ? spec.library : `${spec.library}.yaml`;
      return this.call('POST', `/scenarios/library/${enc(file)}`);
    }
    let text = spec.text;
    if (spec.path) {
      const { readFile } = await import('node:fs/promises');
      text = await readFile(spec.path, 'utf8');
      name ??= spec.path.split('/').pop();
    }
    const q = query({ name });
    if (spec.data) return this.call('POST', `/scenarios${q}`, spec.data);
    if (text == null) throw new TypeError('give {path}, {library}, {text} or {data}');
    return this.call('POST', `/scenarios${q}`, undefined, { raw: text, contentType: 'application/yaml' });
  }
  async scenarios() { return (await this.call('GET', '/scenarios')).scenarios; }
  async library() { return (await this.call('GET', '/scenarios/library')).library; }

  // ---- clock ----
  clock() { return this.call('GET', '/clock'); }
  /** Moves the server clock: `advance(5)` seconds or `advance({ms: 500})`. */
  advance(by) {
    const body = typeof by === 'number' ? { seconds: by } : by;
    return this.call('POST', '/clock/advance', body);
  }
  freeze(atMs) { return this.call('POST', '/clock/freeze', atMs == null ? {} : { at_ms: atMs }); }
  unfreeze() { return this.call('POST', '/clock/unfreeze'); }

  // ---- meetings, users, tenants, tokens ----
  async meetings(filters = {}) { return (await this.call('GET', `/meetings${query(filters)}`)).meetings; }
  /** One meeting in full (participants, invitees, vendor extras). */
  async meeting(id, scope = {}) { return (await this.call('GET', `/meetings/${enc(id)}${query(scope)}`)).meeting; }
  /** `start`, `end`, `lock`, `call`, `accept`, `decline`, `leave`, … with `{vendor, tenant, user, …}`. */
  meetingAction(id, action, body = {}) { return this.call('POST', `/meetings/${enc(id)}/${action}`, defined(body)); }
  userAction(id, action, body = {}) { return this.call('POST', `/users/${enc(id)}/${action}`, defined(body)); }
  async tenants() { return (await this.call('GET', '/tenants')).tenants; }
  addUsers(vendor, tenant, users) { return this.call('POST', `/tenants/${vendor}/${enc(tenant)}/users`, { users }); }
  setStrict(strict, vendor) { return this.call('PUT', '/tenants/strict', defined({ strict, vendor })); }
  expireToken(token) { return this.call('POST', '/tokens/expire', { token }); }
  vendorAction(vendor, action, body = {}) { return this.call('POST', `/vendors/${vendor}/${action}`, body); }
  /** A Feishu login code for `user` of app `appId` (exchange it with the SDK's OAuth). */
  async loginCode(appId, user, extra = {}) {
    return (await this.vendorAction('feishu', 'login_code', { app_id: appId, user, ...extra })).code;
  }

  // ---- journal ----
  async requests(filters = {}) { return (await this.call('GET', `/requests${query(filters)}`)).requests; }
  async count(filters = {}) { return (await this.call('GET', `/requests/count${query(filters)}`)).count; }
  clearRequests() { return this.call('DELETE', '/requests'); }
  /** Asserts exactly `expected` requests match; resolves to them. Throws an Error that lists
   * the matches and the scope's nearest misses. */
  async assertCount(expected, filters = {}) {
    const n = await this.count(filters);
    if (n !== expected) throw new Error(await explain(this, `expected ${expected}`, n, filters));
    return expected ? this.requests({ ...filters, limit: expected }) : [];
  }
  /** At least one (or `atLeast`) matching request. */
  async assertCalled(filters = {}, { atLeast = 1 } = {}) {
    const n = await this.count(filters);
    if (n < atLeast) throw new Error(await explain(this, `expected at least ${atLeast}`, n, filters));
    return this.requests({ ...filters, limit: n });
  }
  assertNotCalled(filters = {}) { return this.assertCount(0, filters); }

  // ---- changes, behaviours ----
  async changes(filters = {}) { return (await this.call('GET', `/changes${query(filters)}`)).changes; }
  behaviours(scope = {}) { return this.call('GET', `/behaviours${query(scope)}`); }
  /** One declaration `{vendor, tenant, user?, outcome, …}` or an array of them. */
  setBehaviours(decl) { return this.call('PUT', '/behaviours', Array.isArray(decl) ? { behaviours: decl } : decl); }
  deleteBehaviours(scope = {}) { return this.call('DELETE', `/behaviours${query(scope)}`); }
  pending(filters = {}) { return this.call('GET', `/behaviours/pending${query(filters)}`); }

  // ---- faults ----
  async faults() { return (await this.call('GET', '/faults')).faults; }
  /** Adds rules (validated whole); resolves to their names. */
  async addFaults(rules) { return (await this.call('POST', '/faults', { faults: rules })).added; }
  async addFault(rule) { return (await this.addFaults([rule]))[0]; }
  removeFault(name) { return this.call('DELETE', `/faults/${enc(name)}`); }
  clearFaults() { return this.call('DELETE', '/faults'); }
  enableFault(name) { return this.call('POST', `/faults/${enc(name)}/enable`); }
  disableFault(name) { return this.call('POST', `/faults/${enc(name)}/disable`); }

  // ---- event subscriptions and deliveries (README "Events") ----
  async subscriptions(scope = {}) { return (await this.call('GET', `/subscriptions${query(scope)}`)).subscriptions; }
  subscription(id) { return this.call('GET', `/subscriptions/${enc(id)}`); }
  /** `{vendor, tenant, url, <vendor secret fields>, types?, paused?, ca_pem?, verify?}`. */
  addSubscription(spec) { return this.call('POST', '/subscriptions', spec); }
  replaceSubscription(id, spec) { return this.call('PUT', `/subscriptions/${enc(id)}`, spec); }
  removeSubscription(id) { return this.call('DELETE', `/subscriptions/${enc(id)}`); }
  /** `pause`, `resume` or `verify`. */
  subscriptionAction(id, action) { return this.call('POST', `/subscriptions/${enc(id)}/${action}`); }
  async events(filters = {}) { return (await this.call('GET', `/events${query(filters)}`)).events; }
  async eventCount(filters = {}) { return (await this.call('GET', `/events/count${query(filters)}`)).count; }
  event(id) { return this.call('GET', `/events/${enc(id)}`); }
  redeliver(id) { return this.call('POST', `/events/${enc(id)}/redeliver`); }
}
