// The request journal (`/__admin/requests`): one-line descriptions of entries and the readable
// failure text of count assertions — what was expected, what matched, and the scope's nearest
// misses with what differed. Used by Admin (admin.js).

/**
 * One journal entry on one line: `#12 PATCH /open-apis/… meeting.invite → 400 code 122008`.
 * @param {Record<string, any>} e
 * @returns {string}
 */
export function describe(e) {
  const parts = [`#${e.seq}`, e.method ?? '?', e.target ?? '?'];
  if (e.operation) parts.push(e.operation);
  parts.push(`→ ${e.status}`);
  if (e.code != null && e.code !== '' && e.code !== '0') parts.push(`code ${e.code}`);
  if (e.meeting) parts.push(`meeting ${e.meeting}`);
  if (e.tenant) parts.push(`tenant ${e.tenant}`);
  if (e.fault) parts.push(`fault ${e.fault}`);
  return parts.join(' ');
}

/** @param {Record<string, any>} filters */
export function filtersText(filters) {
  const shown = Object.entries(filters).filter(([, v]) => v != null);
  return shown.map(([k, v]) => `${k}=${v}`).join(' ') || '(any request)';
}

/** Which filters an entry misses, as `field 'got' (wanted 'want')`. */
export function mismatches(entry, filters) {
  return Object.entries(filters)
    .filter(([k, want]) => want != null && String(entry[k]) !== String(want))
    .map(([k, want]) => `${k} '${entry[k]}' (wanted '${want}')`);
}

/**
 * The failure text of a count assertion.
 * @param {import('./admin.js').Admin} admin
 * @param {string} expectation e.g. `expected 3`
 * @param {number} got
 * @param {Record<string, any>} filters
 */
export async function explain(admin, expectation, got, filters) {
  const lines = [`meetmock journal: ${expectation} request(s) matching ${filtersText(filters)}, found ${got}`];
  if (got) {
    lines.push('  matching (newest first):');
    for (const e of await admin.requests({ ...filters, limit: 10 })) lines.push(`    ${describe(e)}`);
  }
  const scope = {};
  for (const k of ['vendor', 'tenant']) if (filters[k] != null) scope[k] = filters[k];
  const others = (await admin.requests({ ...scope, limit: 50 })).filter((e) => mismatches(e, filters).length);
  if (others.length) {
    const where = Object.keys(scope).length ? filtersText(scope) : 'the server';
    lines.push(`  other requests of ${where} (newest first), and what differed:`);
    for (const e of others.slice(0, 10)) {
      lines.push(`    ${describe(e)}`);
      lines.push(`        ${mismatches(e, filters).join('; ')}`);
    }
  } else if (!got) {
    lines.push('  the journal holds no request in that scope');
  }
  return lines.join('\n');
}
