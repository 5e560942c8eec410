// A tenant of one's own: fresh credentials, users and meetings per test, so suites can share one
// server. Loaded as a scenario (`POST /__admin/scenarios`), so it survives a server reset;
// `tenant.reset()` reloads it alone. Every helper is scoped to it. The templates are the same as
// the Python helper's (clients/python/src/meetmock/tenant.py):
//   feishu   users host + guests `ou_guest_1..3`; meetings `live` (in progress), `reserve`
//   dingtalk users host + alice, bob (union ids); meeting `live`
//   tencent  users host, guest1, guest2, unregistered; meetings `scheduled`, `live`
//   huawei   users host@<corp>, alice@<corp> (passwords); meetings `live`, `scheduled`
import { randomBytes, randomInt } from 'node:crypto';

export const VENDORS = ['feishu', 'dingtalk', 'tencent', 'huawei'];

const digits = (n, first = '') => first + Array.from({ length: n - first.length }, () => randomInt(10)).join('');
const clone = (v) => structuredClone(v);

/** The scenario entry of a fresh tenant of `vendor` (`tag`: 10 hex digits). */
export function template(vendor, tag = randomBytes(5).toString('hex')) {
  switch (vendor) {
    case 'feishu': {
      const guests = [1, 2, 3].map((i) => ({
        id: `ou_guest_${i}`, name: `Guest ${i}`, aliases: { union_id: `on_guest_${i}`, user_id: `guest_${i}` } }));
      return {
        vendor, id: `cli_mm${tag}`, secret: `secret_${tag}`,
        users: [{ id: 'ou_host', name: 'Host', aliases: { union_id: 'on_host', user_id: 'host' } }, ...guests],
        meetings: [
          { id: digits(19, '7'), topic: 'Live', host: 'ou_host', state: 'in_progress' },
          { id: digits(19, '69'), topic: 'Reserve', host: 'ou_host', state: 'scheduled' },
        ],
      };
    }
    case 'dingtalk':
      return {
        vendor, id: `dingmm${tag}`, secret: `secret-${tag}`, credentials: { corp_id: `dingmmcorp${tag}` },
        users: [
          { id: 'host-union', name: 'Host', aliases: { userId: 'host' } },
          { id: 'union-alice', name: 'Alice', aliases: { userId: 'alice' } },
          { id: 'union-bob', name: 'Bob', aliases: { userId: 'bob' } },
        ],
        meetings: [{ id: randomBytes(12).toString('hex'), topic: 'Live', host: 'host-union', state: 'in_progress' }],
      };
    case 'tencent':
      return {
        vendor, id: digits(9, '3'), secret: `mmSecretKey${tag}`,
        credentials: { secret_id: `AKIDmm${tag}`, sdk_id: digits(11, '4') },
        users: [{ id: 'host', name: 'Host' }, { id: 'guest1', name: 'Guest 1' }, { id: 'guest2', name: 'Guest 2' },
          { id: 'unregistered', name: 'Not activated', registered: false }],
        meetings: [
          { id: digits(19, '5'), topic: 'Scheduled', host: 'host', creator: 'host', state: 'scheduled' },
          { id: digits(19, '5'), topic: 'Live', host: 'host', creator: 'host', state: 'in_progress' },
        ],
      };
    case 'huawei': {
      const corp = `hwmm${tag}`;
      const extra = () => ({ chairPassword: digits(6), guestPassword: digits(6), mediaTypes: 'Voice,Video', confType: 'FUTURE' });
      return {
        vendor, id: corp, secret: `HwKey${tag}${tag}`, credentials: { app_id: `hwmmapp${tag}` },
        users: [
          { id: `host@${corp}`, name: 'Host', phone: `+86${digits(11, '138')}`, password: 'Host@Passw0rd' },
          { id: `alice@${corp}`, name: 'Alice', phone: `+86${digits(11, '139')}`, password: 'Alice@Passw0rd' },
        ],
        meetings: [
          { id: digits(9, '8'), topic: 'Live', host: `host@${corp}`, state: 'in_progress', extra: extra() },
          { id: digits(9, '8'), topic: 'Scheduled', host: `host@${corp}`, state: 'scheduled',
            start_time: 1893484800, end_time: 1893488400, extra: extra() },
        ],
      };
    }
    default:
      throw new TypeError(`unknown vendor ${JSON.stringify(vendor)}; one of ${VENDORS.join(', ')}`);
  }
}

const MEETING_NAMES = { feishu: ['live', 'reserve'], dingtalk: ['live'], tencent: ['scheduled', 'live'], huawei: ['live', 'scheduled'] };

function roleOf(id) {
  return id.split('@')[0].replace('union-', '').replace(/^ou_/, '');
}

export class Tenant {
  /** @param {import('./admin.js').Admin} admin @param {object} spec @param {(name: string) => void} [onFault] */
  constructor(admin, spec, onFault) {
    Object.assign(this, { admin, spec, vendor: spec.vendor, id: spec.id, secret: spec.secret });
    this.onFault = onFault;
    this.faultCount = 0;
    const ids = (spec.users ?? []).map((u) => u.id);
    /** user ids by role: `host`, then short names (`guest_1`, `alice`, `guest1`, …) */
    this.users = {};
    ids.forEach((id, i) => { this.users[i === 0 ? 'host' : roleOf(id)] = id; });
    this.guests = ids.slice(1);
    const names = MEETING_NAMES[this.vendor] ?? [];
    /** meeting ids by name (`live`, …) */
    this.meetings = Object.fromEntries((spec.meetings ?? []).map((m, i) => [names[i] ?? `meeting${i}`, m.id]));
    this.credentials = this.#credentials();
  }

  /** Loads a fresh tenant; `users`, `meetings`, `behaviours`, … replace the template's fields. */
  static async create(admin, vendor, overrides = {}, onFault) {
    const spec = { ...template(vendor), ...clone(overrides) };
    const t = new Tenant(admin, spec, onFault);
    await t.reset();
    return t;
  }

  #credentials() {
    const s = this.spec;
    const c = s.credentials ?? {};
    switch (this.vendor) {
      case 'feishu': return { appId: s.id, appSecret: s.secret };
      case 'dingtalk': return { appKey: s.id, appSecret: s.secret, corpId: c.corp_id };
      case 'tencent': return { appId: s.id, sdkId: c.sdk_id, secretId: c.secret_id, secretKey: s.secret };
      default: {
        const host = (s.users ?? []).find((u) => u.password) ?? {};
        return { corpId: s.id, account: host.id, password: host.password, appId: c.app_id, appKey: s.secret };
      }
    }
  }

  get scope() { return { vendor: this.vendor, tenant: this.id }; }

  /** This tenant back to its declared users and meetings (other tenants untouched). */
  async reset() {
    const name = `tenant-${this.vendor}-${this.id}`;
    await this.admin.loadScenario({ data: { name, tenants: [clone(this.spec)] } }, { name });
  }

  #meetingId(m) { return this.meetings[m] ?? m; }

  // ---- journal, changes, events ----
  requests(filters = {}) { return this.admin.requests({ ...this.scope, ...filters }); }
  count(filters = {}) { return this.admin.count({ ...this.scope, ...filters }); }
  assertCount(expected, filters = {}) { return this.admin.assertCount(expected, { ...this.scope, ...filters }); }
  assertCalled(filters = {}, opts) { return this.admin.assertCalled({ ...this.scope, ...filters }, opts); }
  assertNotCalled(filters = {}) { return this.admin.assertNotCalled({ ...this.scope, ...filters }); }
  changes(filters = {}) { return this.admin.changes({ ...this.scope, ...filters }); }
  /** An event subscription of this tenant (the vendor's secret fields by their names). */
  subscribe(url, fields = {}) { return this.admin.addSubscription({ ...this.scope, url, ...fields }); }
  subscriptions() { return this.admin.subscriptions(this.scope); }
  events(filters = {}) { return this.admin.events({ ...this.scope, ...filters }); }
  eventCount(filters = {}) { return this.admin.eventCount({ ...this.scope, ...filters }); }

  // ---- meetings, users, behaviours ----
  meeting(m) { return this.admin.meeting(this.#meetingId(m), this.scope); }
  meetingList(filters = {}) { return this.admin.meetings({ ...this.scope, ...filters }); }
  /** A meeting action (`start`, `call`, `accept`, `lock`, …); `m` may be a name (`'live'`). */
  act(m, action, body = {}) { return this.admin.meetingAction(this.#meetingId(m), action, { ...this.scope, ...body }); }
  userAction(user, action, body = {}) {
    return this.admin.userAction(this.users[user] ?? user, action, { ...this.scope, ...body });
  }
  addUsers(...users) { return this.admin.addUsers(this.vendor, this.id, users); }
  /** How this tenant's invitees answer: one declaration or an array. */
  behave(decl) {
    return this.admin.setBehaviours(Array.isArray(decl) ? decl.map((d) => ({ ...this.scope, ...d })) : { ...this.scope, ...decl });
  }
  behaviours() { return this.admin.behaviours(this.scope); }
  pending(filters = {}) { return this.admin.pending({ ...this.scope, ...filters }); }
  /** A Feishu login code for `user` (default: the host), for the SDK's OAuth exchange. */
  loginCode(user = 'host', extra = {}) {
    if (this.vendor !== 'feishu') throw new TypeError("login codes are Feishu's (OAuth)");
    return this.admin.loginCode(this.id, this.users[user] ?? user, extra);
  }

  // ---- faults ----
  /** A fault rule limited to this tenant (named `<tenant>-<n>` unless named); its name. */
  async addFault(rule) {
    const r = clone(rule);
    r.match = { ...(r.match ?? {}), ...this.scope };
    this.faultCount += 1;
    r.name ??= `${this.id}-${this.faultCount}`;
    const name = await this.admin.addFault(r);
    this.onFault?.(name);
    return name;
  }

  toString() { return `Tenant(${this.vendor}/${this.id})`; }
}
