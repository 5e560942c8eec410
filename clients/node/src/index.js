// meetmock's Node helper: start or attach to the server, a tenant of one's own per test, the
// admin API wrapped, and useMeetmock() for Vitest, Jest and node:test. Types: index.d.ts.
export { Admin, AdminError, query } from './admin.js';
export { describe } from './journal.js';
export { MeetmockServer, findBinary } from './server.js';
export { Meetmock, useMeetmock } from './session.js';
export { Tenant, VENDORS, template } from './tenant.js';
