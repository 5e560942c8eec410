// Types of meetmock's Node helper (src/*.js). Admin methods mirror README.md "Admin API".

export type Vendor = 'feishu' | 'dingtalk' | 'tencent' | 'huawei';
export type Json = Record<string, any>;

/** Journal filters of `/__admin/requests` and `/__admin/requests/count`. */
export interface JournalFilters {
  vendor?: Vendor; operation?: string; status?: number | string; meeting?: string;
  tenant?: string; code?: string; limit?: number; before?: number;
}

/** One journaled request (secrets masked). */
export interface JournalEntry {
  seq: number; request_id: string; time_ms: number; vendor: Vendor | null; operation: string | null;
  method: string; target: string; status: number; code: string | null; tenant: string | null;
  meeting: string | null; fault: string | null; duration_us: number; body?: any; response?: any;
}

export type ScenarioSource = string | { path: string } | { library: string } | { text: string } | { data: Json } | Json;

export class AdminError extends Error {
  method: string; path: string; status: number; body: any; serverMessage: any;
}

export function query(filters?: Json): string;
export function describe(entry: Partial<JournalEntry>): string;

export class Admin {
  constructor(baseUrl: string, opts?: { token?: string });
  baseUrl: string; token?: string;
  call(method: string, path: string, body?: any, opts?: { raw?: string; contentType?: string }): Promise<any>;
  health(): Promise<Json>;
  routes(): Promise<Json[]>;
  reset(): Promise<Json>;
  state(): Promise<Json>;
  importState(state: Json): Promise<Json>;
  saveState(): Promise<Json>;
  loadScenario(source: ScenarioSource, opts?: { name?: string }): Promise<Json>;
  scenarios(): Promise<Json[]>;
  library(): Promise<{ file: string; description: string }[]>;
  clock(): Promise<{ now_ms: number; offset_ms: number; frozen: boolean }>;
  advance(by: number | { seconds: number } | { ms: number }): Promise<Json>;
  freeze(atMs?: number): Promise<Json>;
  unfreeze(): Promise<Json>;
  meetings(filters?: { vendor?: Vendor; tenant?: string; state?: string }): Promise<Json[]>;
  meeting(id: string, scope?: { vendor?: Vendor; tenant?: string }): Promise<Json>;
  meetingAction(id: string, action: string, body?: Json): Promise<Json>;
  userAction(id: string, action: string, body?: Json): Promise<Json>;
  tenants(): Promise<Json[]>;
  addUsers(vendor: Vendor, tenant: string, users: Json[]): Promise<Json>;
  setStrict(strict: boolean, vendor?: Vendor): Promise<Json>;
  expireToken(token: string): Promise<Json>;
  vendorAction(vendor: Vendor, action: string, body?: Json): Promise<Json>;
  loginCode(appId: string, user: string, extra?: Json): Promise<string>;
  requests(filters?: JournalFilters): Promise<JournalEntry[]>;
  count(filters?: JournalFilters): Promise<number>;
  clearRequests(): Promise<Json>;
  assertCount(expected: number, filters?: JournalFilters): Promise<JournalEntry[]>;
  assertCalled(filters?: JournalFilters, opts?: { atLeast?: number }): Promise<JournalEntry[]>;
  assertNotCalled(filters?: JournalFilters): Promise<JournalEntry[]>;
  changes(filters?: { since?: number; vendor?: Vendor; tenant?: string; meeting?: string; type?: string | string[]; limit?: number }): Promise<Json[]>;
  behaviours(scope?: { vendor?: Vendor; tenant?: string }): Promise<Json>;
  setBehaviours(decl: Json | Json[]): Promise<Json>;
  deleteBehaviours(scope?: Json): Promise<Json>;
  pending(filters?: Json): Promise<Json>;
  faults(): Promise<Json[]>;
  addFaults(rules: Json[]): Promise<string[]>;
  addFault(rule: Json): Promise<string>;
  removeFault(name: string): Promise<Json>;
  clearFaults(): Promise<Json>;
  enableFault(name: string): Promise<Json>;
  disableFault(name: string): Promise<Json>;
  subscriptions(scope?: { vendor?: Vendor; tenant?: string }): Promise<Json[]>;
  subscription(id: string): Promise<Json>;
  addSubscription(spec: Json): Promise<Json>;
  replaceSubscription(id: string, spec: Json): Promise<Json>;
  removeSubscription(id: string): Promise<Json>;
  subscriptionAction(id: string, action: 'pause' | 'resume' | 'verify'): Promise<Json>;
  events(filters?: Json): Promise<Json[]>;
  eventCount(filters?: Json): Promise<number>;
  event(id: string): Promise<Json>;
  redeliver(id: string): Promise<Json>;
}

export function findBinary(binary?: string): string;

export class MeetmockServer {
  constructor(url: string, opts?: { adminToken?: string; certPath?: string });
  static start(opts?: { binary?: string; args?: string[]; adminToken?: string; timeoutMs?: number; env?: Record<string, string> }): Promise<MeetmockServer>;
  static attach(url?: string, opts?: { adminToken?: string; certPath?: string }): MeetmockServer;
  static fromEnv(opts?: Parameters<typeof MeetmockServer.start>[0]): Promise<MeetmockServer>;
  url: string; httpsUrl: string; host: string; port: number; certPath?: string;
  admin: Admin; output: string[];
  readonly started: boolean;
  stop(): Promise<number | null>;
}

export const VENDORS: Vendor[];
export function template(vendor: Vendor, tag?: string): Json;

export class Tenant {
  vendor: Vendor; id: string; secret: string; spec: Json; admin: Admin;
  /** Feishu {appId, appSecret}; DingTalk {appKey, appSecret, corpId}; Tencent {appId, sdkId,
   * secretId, secretKey}; Huawei {corpId, account, password, appId, appKey} */
  credentials: Record<string, string>;
  users: Record<string, string>; guests: string[]; meetings: Record<string, string>;
  readonly scope: { vendor: Vendor; tenant: string };
  static create(admin: Admin, vendor: Vendor, overrides?: Json, onFault?: (name: string) => void): Promise<Tenant>;
  reset(): Promise<void>;
  requests(filters?: JournalFilters): Promise<JournalEntry[]>;
  count(filters?: JournalFilters): Promise<number>;
  assertCount(expected: number, filters?: JournalFilters): Promise<JournalEntry[]>;
  assertCalled(filters?: JournalFilters, opts?: { atLeast?: number }): Promise<JournalEntry[]>;
  assertNotCalled(filters?: JournalFilters): Promise<JournalEntry[]>;
  changes(filters?: Json): Promise<Json[]>;
  subscribe(url: string, fields?: Json): Promise<Json>;
  subscriptions(): Promise<Json[]>;
  events(filters?: Json): Promise<Json[]>;
  eventCount(filters?: Json): Promise<number>;
  meeting(nameOrId: string): Promise<Json>;
  meetingList(filters?: Json): Promise<Json[]>;
  act(nameOrId: string, action: string, body?: Json): Promise<Json>;
  userAction(user: string, action: string, body?: Json): Promise<Json>;
  addUsers(...users: Json[]): Promise<Json>;
  behave(decl: Json | Json[]): Promise<Json>;
  behaviours(): Promise<Json>;
  pending(filters?: Json): Promise<Json>;
  loginCode(user?: string, extra?: Json): Promise<string>;
  addFault(rule: Json): Promise<string>;
  toString(): string;
}

export class Meetmock extends Admin {
  constructor(server: MeetmockServer);
  server: MeetmockServer; created: Tenant[];
  readonly url: string; readonly httpsUrl: string; readonly host: string; readonly port: number;
  readonly certPath?: string;
  tenant(vendor: Vendor, overrides?: Json): Promise<Tenant>;
  cleanup(): Promise<void>;
}

type Hook = (fn: () => Promise<void> | void) => any;
export function useMeetmock(
  hooks: { beforeAll?: Hook; afterAll?: Hook; before?: Hook; after?: Hook; beforeEach: Hook; afterEach: Hook },
  options?: Parameters<typeof MeetmockServer.start>[0],
): { server: MeetmockServer; meetmock: Meetmock };
