// Drives the Worker (worker.ts, bundled by scripts/runtimes.mjs into worker.mjs) in workerd
// through miniflare: two requests in a row on the same task. Exits 0 when both answered as the
// scenario expects. Run by scripts/runtimes.mjs on Node 20; no `nodejs_compat` flag, so the
// Worker has only what a plain Worker has.
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Miniflare } from 'miniflare';
import { mockFromEnv } from '../shared/env.ts';

const here = dirname(fileURLToPath(import.meta.url));
const mock = mockFromEnv((name) => process.env[name]);

const mf = new Miniflare({
  modules: true,
  modulesRoot: here,
  scriptPath: join(here, 'worker.mjs'),
  compatibilityDate: '2026-01-01',
  bindings: { AUI_NETWORK_API_KEY: mock.apiKey, AUI_BASE_URL: mock.url, AUI_WS_URL: mock.wsUrl },
});

async function call(path: string): Promise<any> {
  const response = await mf.dispatchFetch(`http://localhost${path}`, { method: 'POST' });
  const body = await response.text();
  assert.equal(response.status, 200, `${path} → ${response.status}: ${body}`);
  return JSON.parse(body);
}

try {
  const first = await call('/first');
  const second = await call(`/second?task_id=${encodeURIComponent(first.task_id)}`);
  assert.notEqual(first.turn.id, second.turn.id, 'the two turns are two messages');
  console.log(`turns: ${first.turn.deltas} + ${second.turn.deltas} deltas; ${second.streamError}`);
} finally {
  await mf.dispose();
}
