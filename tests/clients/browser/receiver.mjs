// A small Feishu event receiver for the dashboard tests, written from Feishu's event docs (not
// meetmock's code): it answers the url_verification challenge (decrypting {"encrypt"} bodies
// with the Encrypt Key: AES-256-CBC, key SHA-256 of the Encrypt Key, IV the first 16 bytes)
// after checking the Verification Token, and answers events by plan — HTTP 500 for the next
// `failNext` events, then 200. Every request is recorded with the time it was answered.
import http from 'node:http';
import crypto from 'node:crypto';

export function decrypt(key, b64) {
  const raw = Buffer.from(b64, 'base64');
  const k = crypto.createHash('sha256').update(key).digest();
  const d = crypto.createDecipheriv('aes-256-cbc', k, raw.subarray(0, 16));
  return Buffer.concat([d.update(raw.subarray(16)), d.final()]).toString('utf8');
}

/** Starts a receiver on a free loopback port. */
export async function feishuReceiver({ verificationToken, encryptKey }) {
  const r = {
    url: '',
    /** Events answered 500 before the receiver starts acknowledging. */
    failNext: 0,
    /** When true, the challenge is refused (HTTP 500). */
    refuseHandshake: false,
    handshakes: 0,
    /** Every event request: {event_id, event_type, status, answeredAt}. */
    events: [],
  };
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      let body;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        if (body.encrypt) body = JSON.parse(decrypt(encryptKey, body.encrypt));
      } catch {
        res.writeHead(400).end();
        return;
      }
      const answer = (status, json) => {
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(json));
      };
      if (body.type === 'url_verification') {
        r.handshakes += 1;
        if (r.refuseHandshake || body.token !== verificationToken) { answer(500, { msg: 'no' }); return; }
        answer(200, { challenge: body.challenge });
        return;
      }
      const status = r.failNext > 0 ? 500 : 200;
      if (r.failNext > 0) r.failNext -= 1;
      r.events.push({
        event_id: body.header?.event_id, event_type: body.header?.event_type, status, answeredAt: Date.now(),
      });
      answer(status, status === 200 ? { msg: 'success' } : { msg: 'try again' });
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  r.url = `http://127.0.0.1:${server.address().port}/webhook/event`;
  r.close = () => new Promise((resolve) => server.close(resolve));
  return r;
}
