// 10,000 meetings and a full journal do not freeze the page: the meeting list is windowed
// (only the rows on screen exist), the journal is paged by the server; load, filter, scroll and
// a live change are timed (artifacts/measurements.json) and long main-thread tasks counted.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { shot } from './browser.mjs';
import { armWatch, assertNoPageErrors, dashboard, record } from './support.mjs';

const PER_VENDOR = 2500;
const VENDORS = ['tencent', 'feishu', 'dingtalk', 'huawei'];
let d;
let total;

/** A scenario with PER_VENDOR meetings in one new tenant of each vendor. */
function bigScenario() {
  return {
    name: 'scale-10k',
    tenants: VENDORS.map((vendor) => ({
      vendor,
      id: `scale_${vendor}`,
      secret: 'scale-secret',
      users: [{ id: 'host', name: 'Host' }],
      meetings: Array.from({ length: PER_VENDOR }, (_, i) => ({
        id: `${9000000000 + i}`,
        code: `${800000000 + i}`,
        topic: `Load meeting ${i}`,
        host: 'host',
        state: i % 3 === 0 ? 'in_progress' : 'scheduled',
      })),
    })),
  };
}

before(async () => {
  d = await dashboard([], { viewport: { width: 1440, height: 900 } });
  const r = await fetch(`${d.server.base}/__admin/scenarios?name=scale-10k`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(bigScenario()),
  });
  assert.equal(r.status, 200, await r.text());
  total = (await d.server.adminOk('GET', '/meetings')).meetings.length;
  assert.ok(total >= 10000, `${total} meetings`);
  // Fill the journal (default capacity 10,000) with vendor requests.
  const { journal } = await d.server.adminOk('GET', '/health');
  const n = journal.capacity + 50;
  let next = 0;
  await Promise.all(Array.from({ length: 32 }, async () => {
    while (next < n) {
      next += 1;
      await (await fetch(`${d.server.base}/open-apis/vc/v1/meetings/${next}`)).arrayBuffer();
    }
  }));
  const after = await d.server.adminOk('GET', '/health');
  assert.equal(after.journal.kept, after.journal.capacity);
});
after(async () => { await d?.close(); });

/** Long tasks (> 50 ms on the main thread) since `since`, from a PerformanceObserver. */
async function longTasks(page) {
  return page.evaluate(() => window.__mmLong || []);
}

test('10,000 meetings load, filter and scroll without freezing the page', async () => {
  await d.page.addInitScript(() => {
    window.__mmLong = [];
    new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__mmLong.push(Math.round(e.duration)); })
      .observe({ type: 'longtask', buffered: true });
  });
  const started = Date.now();
  await d.page.goto(`${d.server.base}/__admin/ui`);
  const status = d.page.locator('.list .toolbar [role="status"]');
  await status.filter({ hasText: `${total.toLocaleString('en-US')} of` }).waitFor({ timeout: 30000 });
  const loaded = Date.now() - started;
  const rendered = await d.page.locator('.mrow[data-key]').count();
  assert.ok(rendered > 0 && rendered < 100, `${rendered} rows in the DOM for ${total} meetings`);

  // Filter: typing narrows the list at once.
  let t = Date.now();
  await d.page.fill('[data-filter]', 'Load meeting 2499');
  await status.filter({ hasText: /^[1-9] of/ }).waitFor();
  const filtered = Date.now() - t;
  await d.page.fill('[data-filter]', '');
  await status.filter({ hasText: `${total.toLocaleString('en-US')} of` }).waitFor();

  // Scroll to the end from the keyboard: the last meeting is on screen.
  await d.page.locator('.viewport').focus();
  t = Date.now();
  await d.page.keyboard.press('End');
  // The last of `total` rows (aria-rowindex counts the header row as 1).
  await d.page.locator(`.mrow[aria-rowindex="${total + 1}"]`).waitFor();
  const scrolled = Date.now() - t;
  await shot(d.page, 'meetings-10k');

  // A live change to one of 10,000 meetings still shows at once.
  const last = await d.page.locator(`.mrow[aria-rowindex="${total + 1}"]`).getAttribute('data-key');
  const [vendor, tenant, id] = last.split('/');
  const seen = await armWatch(d.page, `.mrow[data-key="${last}"] .c-lock`, 'locked');
  t = Date.now();
  await d.server.adminOk('POST', `/meetings/${id}/lock`, { vendor, tenant });
  const live = (await seen()) - t;

  const long = await longTasks(d.page);
  const figures = {
    meetings: total, dom_rows: rendered, load_ms: loaded, filter_ms: filtered, end_key_ms: scrolled,
    live_change_ms: live, long_tasks_ms: long, longest_task_ms: Math.max(0, ...long),
  };
  record('10,000 meetings', figures);
  // Loose: no single main-thread task near a second (a frozen page), interactions well under it.
  assert.ok(figures.longest_task_ms < 1000, JSON.stringify(figures));
  assert.ok(filtered < 2000 && scrolled < 2000 && live < 2000, JSON.stringify(figures));
  assertNoPageErrors(d.problems);
});

test('a full journal is paged: 50 rows at a time, older pages on demand', async () => {
  await d.open('#/journal');
  const rows = d.page.locator('tr.jrow');
  const t = Date.now();
  await rows.first().waitFor();
  const firstPage = Date.now() - t;
  assert.equal(await rows.count(), 50);
  const newest = Number(await rows.first().getAttribute('data-seq'));
  const t2 = Date.now();
  await d.page.click('button:has-text("Older →")');
  await d.page.waitForFunction((s) => Number(document.querySelector('tr.jrow')?.dataset.seq) < s - 49, newest);
  const olderPage = Date.now() - t2;
  assert.equal(await rows.count(), 50);
  await d.page.click('button:has-text("← Newer")');
  await d.page.waitForFunction((s) => Number(document.querySelector('tr.jrow')?.dataset.seq) >= s, newest);
  // A filter is applied by the server over the whole journal.
  await d.page.fill('input[aria-label="HTTP status"]', '200');
  await d.page.locator('.journal .empty, tr.jrow').first().waitFor();
  await shot(d.page, 'journal-full');
  record('full journal (10,000 entries)', { first_page_ms: firstPage, older_page_ms: olderPage });
  assert.ok(firstPage < 3000 && olderPage < 3000, `${firstPage} ${olderPage}`);
});
