// A meetmock server for tests: the binary started on a free loopback port (HTTP and HTTPS on that
// port, its certificate written to a temporary file), or a running server attached by URL.
// The binary: `binary` option, else $MEETMOCK_BIN, else `meetmock` on PATH, else
// target/debug/meetmock (then target/release/) under the working directory or a parent.
// Attaching reads $MEETMOCK_URL, $MEETMOCK_ADMIN_TOKEN and $MEETMOCK_CERT.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Admin } from './admin.js';

// `listening on http://127.0.0.1:PORT` (text banner) or `"http://…"` under listen/addr/url (JSON).
const BANNER = /listening on (http:\/\/[^\s"',]+)|"(?:listen|addr|url)"\s*:\s*"(http:\/\/[^"]+)"/;

const isFile = (p) => { try { return statSync(p).isFile(); } catch { return false; } };

/** Where the meetmock binary is; throws saying how to get one. */
export function findBinary(binary) {
  for (const c of [binary, process.env.MEETMOCK_BIN]) if (c) return c;
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && isFile(path.join(dir, 'meetmock'))) return path.join(dir, 'meetmock');
  }
  for (let d = process.cwd(); ; d = path.dirname(d)) {
    for (const profile of ['debug', 'release']) {
      const p = path.join(d, 'target', profile, 'meetmock');
      if (isFile(p)) return p;
    }
    if (path.dirname(d) === d) break;
  }
  throw new Error('meetmock binary not found: set MEETMOCK_BIN, put meetmock on PATH, or build it '
    + '(cargo build) — or attach to a running server with MEETMOCK_URL');
}

export class MeetmockServer {
  /** @param {string} url @param {{adminToken?: string, certPath?: string, proc?: any, dir?: string}} [opts] */
  constructor(url, { adminToken, certPath, proc, dir } = {}) {
    const u = new URL(url);
    this.url = u.origin;
    this.host = u.host;
    this.port = Number(u.port);
    this.httpsUrl = `https://${u.host}`;
    this.certPath = certPath;
    this.admin = new Admin(this.url, { token: adminToken });
    this.proc = proc;
    this.dir = dir;
    /** the last lines the server printed (started servers only) */
    this.output = [];
  }

  /** Starts `meetmock serve --listen 127.0.0.1:0 --write-cert … ...args` and waits for its banner. */
  static async start({ binary, args = [], adminToken, timeoutMs = 30000, env } = {}) {
    const bin = findBinary(binary);
    if (!existsSync(bin)) throw new Error(`meetmock binary not found at ${bin}`);
    const dir = mkdtempSync(path.join(tmpdir(), 'meetmock-node-'));
    const certPath = path.join(dir, 'cert.pem');
    const argv = ['serve', '--listen', '127.0.0.1:0', '--write-cert', certPath, ...args];
    if (adminToken) argv.push('--admin-token', adminToken);
    const proc = spawn(bin, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env, NO_COLOR: '1' } });
    let seen = '';
    const url = await new Promise((resolve, reject) => {
      const fail = (why) => { clearTimeout(timer); proc.kill('SIGKILL'); rmSync(dir, { recursive: true, force: true }); reject(new Error(`meetmock did not start (${why}): ${bin} ${argv.join(' ')}\n${seen}`)); };
      const timer = setTimeout(() => fail('timeout'), timeoutMs);
      const onData = (chunk) => {
        seen += chunk.toString();
        const m = seen.match(BANNER);
        if (m) { clearTimeout(timer); proc.off('exit', onExit); resolve(m[1] ?? m[2]); }
      };
      const onExit = (code) => fail(`exit ${code}`);
      proc.stdout.on('data', onData);
      proc.stderr.on('data', onData);
      proc.once('exit', onExit);
    });
    const server = new MeetmockServer(url, { adminToken, certPath, proc, dir });
    // Keep reading so the server never blocks on a full pipe; keep the tail for diagnostics.
    const keep = (chunk) => { server.output.push(...chunk.toString().split('\n')); server.output.splice(0, Math.max(0, server.output.length - 200)); };
    proc.stdout.on('data', keep);
    proc.stderr.on('data', keep);
    server.output.push(...seen.split('\n'));
    return server;
  }

  /** A running server (`url`, else $MEETMOCK_URL); nothing is started or stopped. */
  static attach(url = process.env.MEETMOCK_URL, { adminToken = process.env.MEETMOCK_ADMIN_TOKEN, certPath = process.env.MEETMOCK_CERT } = {}) {
    if (!url) throw new Error('no URL: pass one or set MEETMOCK_URL');
    return new MeetmockServer(url, { adminToken, certPath });
  }

  /** Attaches to $MEETMOCK_URL when set, else starts the binary. */
  static async fromEnv(options = {}) {
    return process.env.MEETMOCK_URL ? MeetmockServer.attach() : MeetmockServer.start(options);
  }

  /** True when this object started the process (and stop() ends it). */
  get started() { return Boolean(this.proc); }

  /** Ends a started server (SIGTERM, SIGKILL after 10 s); resolves to its exit code. */
  async stop() {
    let code = null;
    if (this.proc) {
      const proc = this.proc;
      this.proc = undefined;
      code = await new Promise((resolve) => {
        if (proc.exitCode != null) { resolve(proc.exitCode); return; }
        const t = setTimeout(() => proc.kill('SIGKILL'), 10000);
        proc.once('exit', (c) => { clearTimeout(t); resolve(c); });
        proc.kill('SIGTERM');
      });
    }
    if (this.dir) { rmSync(this.dir, { recursive: true, force: true }); this.dir = undefined; }
    return code;
  }
}
