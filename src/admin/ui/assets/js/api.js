// Talking to the admin API: every call sends `Content-Type: application/json` and, when one
// was given, the admin token (asked once, kept in this tab's session storage), so the calls
// pass the admin API's CSRF and token rules. The live stream is read with fetch (EventSource
// cannot send the token header) and parsed as server-sent events here.

const TOKEN_KEY = 'meetmock.adminToken';

export const token = {
  get: () => sessionStorage.getItem(TOKEN_KEY) || '',
  set: (v) => sessionStorage.setItem(TOKEN_KEY, v),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

let unauthorized = () => {};
/** Called whenever the server refuses the token (401). */
export function onUnauthorized(fn) { unauthorized = fn; }

function headers() {
  const hs = { 'Content-Type': 'application/json', Accept: 'application/json' };
  const t = token.get();
  if (t) hs.Authorization = `Bearer ${t}`;
  return hs;
}

/** Calls `/__admin{path}`; resolves to the parsed JSON, rejects with an ApiError. */
export async function api(method, path, body) {
  let res;
  try {
    res = await fetch(`/__admin${path}`, {
      method,
      headers: headers(),
      body: method === 'GET' ? undefined : JSON.stringify(body ?? {}),
      cache: 'no-store',
      credentials: 'same-origin',
    });
  } catch (e) {
    throw new ApiError(0, `the server did not answer (${e.message})`);
  }
  const text = await res.text();
  let parsed = text;
  try { parsed = text ? JSON.parse(text) : {}; } catch { /* not JSON */ }
  if (res.status === 401) {
    unauthorized();
    throw new ApiError(401, 'the admin token was refused');
  }
  if (!res.ok) {
    const msg = (parsed && parsed.message) || text || res.statusText;
    throw new ApiError(res.status, `${res.status}: ${msg}`);
  }
  return parsed;
}

/** Like api('GET') but resolves to null when the endpoint does not exist (404). */
export async function optional(path) {
  try {
    return await api('GET', path);
  } catch (e) {
    if (e.status === 404) return null;
    throw e;
  }
}

/** `POST /__admin/meetings/{id}/{action}` for one meeting of one tenant. */
export function meetingAction(m, action, extra = {}) {
  return api('POST', `/meetings/${encodeURIComponent(m.id)}/${action}`,
    { vendor: m.vendor, tenant: m.tenant, ...extra });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Follows `/__admin/changes/stream`, reconnecting with the last seen position.
 * handlers: hello(data), change(change), status(data), resync(data), state('connecting'|'live'|
 * 'reconnecting'|'refused').
 */
export function follow(handlers) {
  const ctrl = new AbortController();
  let since = null;
  let stopped = false;
  const dispatch = (block) => {
    let name = 'message';
    let id = null;
    const data = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) continue;
      const i = line.indexOf(':');
      const field = i < 0 ? line : line.slice(0, i);
      const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
      if (field === 'event') name = value;
      else if (field === 'id') id = value;
      else if (field === 'data') data.push(value);
    }
    if (!data.length) return;
    let payload;
    try { payload = JSON.parse(data.join('\n')); } catch { return; }
    if (id !== null) since = Number(id);
    if (name === 'hello' && since === null) since = payload.last_seq;
    if (name === 'resync') since = payload.last_seq;
    handlers[name]?.(payload);
  };
  (async () => {
    let backoff = 250;
    while (!stopped) {
      handlers.state?.('connecting');
      try {
        const q = since === null ? '' : `?since=${since}`;
        const res = await fetch(`/__admin/changes/stream${q}`, {
          headers: headers(), signal: ctrl.signal, cache: 'no-store',
        });
        if (res.status === 401) {
          handlers.state?.('refused');
          unauthorized();
          return;
        }
        if (!res.ok || !res.body) throw new Error(`stream answered ${res.status}`);
        handlers.state?.('live');
        backoff = 250;
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buf = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += value.replace(/\r\n?/g, '\n');
          let end;
          while ((end = buf.indexOf('\n\n')) >= 0) {
            dispatch(buf.slice(0, end));
            buf = buf.slice(end + 2);
          }
        }
      } catch (e) {
        if (stopped) return;
      }
      handlers.state?.('reconnecting');
      await sleep(backoff);
      backoff = Math.min(backoff * 2, 5000);
    }
  })();
  return { stop() { stopped = true; ctrl.abort(); } };
}
