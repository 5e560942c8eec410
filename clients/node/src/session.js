// `Meetmock`: what one test holds — the server's admin API and tenants of its own — and the
// cleanup after it (the fault rules it added are removed, a clock it froze runs again), plus
// `useMeetmock(hooks)`, which wires a server and a per-test Meetmock into any runner's hooks
// (Vitest/Jest `beforeAll`…, node:test `before`…).
import { Admin, AdminError } from './admin.js';
import { MeetmockServer } from './server.js';
import { Tenant } from './tenant.js';

/** The admin API of `server` (every Admin method is available on it) plus tenants. */
export class Meetmock extends Admin {
  /** @param {MeetmockServer} server */
  constructor(server) {
    super(server.url, { token: server.admin.token });
    this.server = server;
    /** the tenants this test made (`tenants()` is the server's list) */
    this.created = [];
    this.addedFaults = [];
    this.froze = false;
  }

  get url() { return this.server.url; }
  get httpsUrl() { return this.server.httpsUrl; }
  get host() { return this.server.host; }
  get port() { return this.server.port; }
  get certPath() { return this.server.certPath; }

  /** A fresh tenant of `vendor` for this test; `overrides` replace template fields. */
  async tenant(vendor, overrides = {}) {
    // Its faults go through this object's addFaults, which records them for cleanup().
    const t = await Tenant.create(this, vendor, overrides);
    this.created.push(t);
    return t;
  }

  async addFaults(rules) {
    const names = await super.addFaults(rules);
    this.addedFaults.push(...names);
    return names;
  }

  freeze(atMs) {
    this.froze = true;
    return super.freeze(atMs);
  }

  /** Removes the fault rules this test added and lets a clock it froze run again. */
  async cleanup() {
    for (const name of this.addedFaults.splice(0).reverse()) {
      try { await this.removeFault(name); } catch (e) { if (!(e instanceof AdminError && e.status === 404)) throw e; }
    }
    if (this.froze) { this.froze = false; await this.unfreeze(); }
  }
}

/**
 * Registers a server for the file and a Meetmock per test with the runner's hooks; returns a
 * handle whose `server` and `meetmock` are set while tests run.
 *   const mm = useMeetmock({ beforeAll, afterAll, beforeEach, afterEach });   // Vitest, Jest
 *   const mm = useMeetmock({ before, after, beforeEach, afterEach });         // node:test
 * `options` go to MeetmockServer.start (ignored when $MEETMOCK_URL is set).
 */
export function useMeetmock(hooks, options = {}) {
  const beforeAll = hooks.beforeAll ?? hooks.before;
  const afterAll = hooks.afterAll ?? hooks.after;
  const handle = { server: undefined, meetmock: undefined };
  beforeAll(async () => { handle.server = await MeetmockServer.fromEnv(options); });
  afterAll(async () => { await handle.server?.stop(); });
  hooks.beforeEach(async () => { handle.meetmock = new Meetmock(handle.server); });
  hooks.afterEach(async () => { await handle.meetmock?.cleanup(); handle.meetmock = undefined; });
  return handle;
}
