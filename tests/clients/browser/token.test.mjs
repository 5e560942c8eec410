// A server started with --admin-token: the page asks for the token once, a wrong one is
// refused (and nothing is shown), the right one is kept in session storage for the tab only,
// and the token never appears in the page.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { shot } from './browser.mjs';
import { dashboard } from './support.mjs';

const TOKEN = 'dash-admin-token-5f1c9e';
let d;
before(async () => { d = await dashboard(['--admin-token', TOKEN]); });
after(async () => { await d?.close(); });

test('a wrong admin token is refused and shows nothing; the right one opens the dashboard', async () => {
  await d.page.goto(`${d.server.base}/__admin/ui`);
  const dialog = d.page.locator('#token-dialog');
  await dialog.waitFor();
  assert.match(await d.page.locator('#token-message').innerText(), /needs its admin token/);
  assert.equal(await d.page.locator('#token-input').getAttribute('type'), 'password');
  await shot(d.page, 'token-dialog');

  await d.page.fill('#token-input', 'not-the-token');
  await d.page.keyboard.press('Enter');
  await d.page.locator('#token-message', { hasText: 'refused (401)' }).waitFor();
  assert.equal(await d.page.locator('.mrow[data-key]').count(), 0, 'nothing shown with a wrong token');
  assert.equal(await d.page.evaluate(() => sessionStorage.getItem('meetmock.adminToken')), null);

  await d.page.fill('#token-input', TOKEN);
  await d.page.keyboard.press('Enter');
  await d.page.waitForSelector('#live[data-state="live"]');
  await d.page.locator('.mrow[data-key]').first().waitFor();
  assert.equal(await dialog.isVisible(), false);
  assert.equal(await d.page.evaluate(() => sessionStorage.getItem('meetmock.adminToken')), TOKEN);
  assert.equal(await d.page.evaluate(() => localStorage.getItem('meetmock.adminToken')), null);
  const html = await d.page.content();
  const text = await d.page.evaluate(() => document.body.innerText);
  assert.ok(!html.includes(TOKEN) && !text.includes(TOKEN), 'the token is never shown');
});

test('the token is asked once per tab: a reload keeps it, a new tab asks again', async () => {
  await d.page.reload();
  await d.page.waitForSelector('#live[data-state="live"]');
  assert.equal(await d.page.locator('#token-dialog').isVisible(), false);
  const other = await d.page.context().newPage();
  await other.goto(`${d.server.base}/__admin/ui`);
  await other.locator('#token-dialog').waitFor();
  await other.close();
});

test('the page\'s calls carry the token and JSON content type, and pass the admin API', async () => {
  await d.open();
  const seen = [];
  d.page.on('request', (r) => {
    if (r.url().includes('/__admin/') && !r.url().includes('/__admin/ui')) {
      seen.push({ method: r.method(), auth: r.headers().authorization, type: r.headers()['content-type'] });
    }
  });
  await d.page.click('#clock-freeze');
  await d.page.locator('#clock-state', { hasText: 'frozen' }).waitFor();
  const post = seen.find((s) => s.method === 'POST');
  assert.ok(post, JSON.stringify(seen));
  assert.equal(post.auth, `Bearer ${TOKEN}`);
  assert.equal(post.type, 'application/json');
  assert.equal((await d.server.adminOk('GET', '/clock')).frozen, true);
});
