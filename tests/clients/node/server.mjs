// One meetmock process for a test file: the built binary on a free loopback port, HTTP and
// HTTPS on that port, its certificate written to a temporary file, plus admin API helpers.
//
// The binary is $MEETMOCK_BIN, else $CARGO_TARGET_DIR/debug/meetmock, else target/debug/meetmock
// (from the repository root). With $MEETMOCK_URL set, nothing is started: the suite attaches to
// that server (then certPath comes from $MEETMOCK_CERT).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

for (const v of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy', 'ALL_PROXY', 'all_proxy']) {
  delete process.env[v];
}

function binary() {
  if (process.env.MEETMOCK_BIN) return process.env.MEETMOCK_BIN;
  const target = process.env.CARGO_TARGET_DIR || path.join(ROOT, 'target');
  return path.join(target, 'debug', 'meetmock');
}

export class Server {
  constructor({ port, certPath, proc, dir, adminToken }) {
    this.port = port;
    this.host = `127.0.0.1:${port}`;
    this.base = `http://127.0.0.1:${port}`;
    this.httpsBase = `https://127.0.0.1:${port}`;
    this.certPath = certPath;
    this.proc = proc;
    this.dir = dir;
    this.adminToken = adminToken;
  }

  /** Calls /__admin{p}; resolves to {status, body} (body parsed as JSON when it is). */
  async admin(method, p, body) {
    const headers = { 'Content-Type': 'application/json' };
    if (this.adminToken) headers.Authorization = `Bearer ${this.adminToken}`;
    const res = await fetch(`${this.base}/__admin${p}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed = text;
    try { parsed = text ? JSON.parse(text) : {}; } catch { /* not JSON */ }
    return { status: res.status, body: parsed };
  }

  /** Like admin() but fails unless the answer is 200; resolves to the body. */
  async adminOk(method, p, body) {
    const r = await this.admin(method, p, body);
    if (r.status !== 200) throw new Error(`admin ${method} ${p}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }

  async reset() { return this.adminOk('POST', '/reset'); }

  async count(filters = {}) {
    const q = new URLSearchParams(filters).toString();
    return (await this.adminOk('GET', `/requests/count?${q}`)).count;
  }

  async advance(seconds) { return this.adminOk('POST', '/clock/advance', { seconds }); }

  async stop() {
    if (this.proc) {
      this.proc.kill('SIGTERM');
      await new Promise((resolve) => {
        const t = setTimeout(() => { this.proc.kill('SIGKILL'); resolve(); }, 10000);
        this.proc.once('exit', () => { clearTimeout(t); resolve(); });
      });
    }
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Starts meetmock (or attaches to $MEETMOCK_URL). `args` are extra `serve` flags. */
export async function startServer(args = []) {
  if (process.env.MEETMOCK_URL) {
    const u = new URL(process.env.MEETMOCK_URL);
    return new Server({
      port: Number(u.port),
      certPath: process.env.MEETMOCK_CERT,
      adminToken: process.env.MEETMOCK_ADMIN_TOKEN,
    });
  }
  const bin = binary();
  if (!existsSync(bin)) throw new Error(`meetmock binary not found at ${bin}: build it first (cargo build)`);
  const dir = mkdtempSync(path.join(tmpdir(), 'meetmock-node-'));
  const certPath = path.join(dir, 'cert.pem');
  const proc = spawn(bin, ['serve', '--listen', '127.0.0.1:0', '--write-cert', certPath, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  const port = await new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`meetmock did not start:\n${seen}`)), 20000);
    const onData = (chunk) => {
      seen += chunk.toString();
      const m = seen.match(/listening on http:\/\/127\.0\.0\.1:(\d+)/);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    proc.once('exit', (code) => { clearTimeout(timer); reject(new Error(`meetmock exited (${code}):\n${seen}`)); });
  });
  // Keep draining output so the server never blocks on a full pipe.
  proc.stdout.resume();
  proc.stderr.resume();
  return new Server({ port, certPath, proc, dir });
}
