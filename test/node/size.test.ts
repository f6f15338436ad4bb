// The size budgets (scripts/size.mjs BUDGETS: 18 KB app, 5.5 KB browser client), enforced: the bundles an app and a browser client would ship, built
// with esbuild from the sources and gzipped (scripts/size.mjs, the same as `npm run size`).
import assert from 'node:assert/strict';
import { test } from 'node:test';
// @ts-expect-error — a plain .mjs script without types
import { measureAll } from '../../scripts/size.mjs';

test('bundle budgets: the app and the browser client stay under their min+gzip limits', async () => {
  const results = (await measureAll()) as Array<{ name: string; gzip: number; budget?: number }>;
  const budgeted = results.filter((r) => r.budget !== undefined);
  assert.equal(budgeted.length, 2, 'both budgeted bundles were measured');
  for (const { name, gzip, budget } of budgeted) {
    assert.ok(gzip > 1024, `${name}: ${gzip} B is implausibly small — did the bundle build?`);
    assert.ok(
      gzip <= budget!,
      `${name}: ${gzip} B min+gzip is over its ${budget} B budget (npm run size; bench/README.md)`,
    );
  }
});
