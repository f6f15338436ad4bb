// `durableObjectCounter` + `AuiTurnCounterObject` (aui-messaging/server/cloudflare) in
// real workerd through miniflare. One Worker script (test/fixtures/limits-worker.ts, bundled
// here) runs as two Workers, `proxy-a` and `proxy-b`: workerd gives each Worker its own V8
// isolate (shown below: a global drawn in one is not seen by the other), and both are bound to
// one Durable Object namespace whose class lives in proxy-a — as a deployed Worker's many
// isolates share the namespace it binds. Turns alternate between the two isolates against the
// mock AUI server on 127.0.0.1: on the Durable Object the user gets the limit once; on the
// in-memory default, once per isolate.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import { durableObjectCounter, type TurnCounterNamespace } from '../../src/server/cloudflare.ts';
import type { TurnCount } from '../../src/server/types.ts';
import { mockServer, TEST_KEY } from '../fixtures/mock.ts';

const mock = await mockServer();
const WORKER_SOURCE = fileURLToPath(new URL('../fixtures/limits-worker.ts', import.meta.url));

let scratch: string;
let mf: Miniflare;
let isolates: Array<{ fetch(url: string, init?: RequestInit): Promise<Response> }>;

before(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'aui-limits-workerd-'));
  const bundle = join(scratch, 'worker.mjs');
  await build({
    entryPoints: [WORKER_SOURCE],
    outfile: bundle,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    conditions: ['workerd', 'worker', 'browser'],
    external: ['cloudflare:workers'],
    logLevel: 'error',
  });
  const worker = (name: string, scriptName?: string) => ({
    name,
    modules: true,
    modulesRoot: scratch,
    scriptPath: bundle,
    compatibilityDate: '2026-01-01',
    bindings: { AUI_NETWORK_API_KEY: TEST_KEY, AUI_BASE_URL: mock.url, AUI_WS_URL: mock.wsUrl },
    durableObjects: {
      AUI_TURNS: { className: 'AuiTurnCounterObject', scriptName },
      INSPECTABLE_TURNS: { className: 'InspectableTurnCounterObject', scriptName },
    },
  });
  mf = new Miniflare({
    workers: [
      // proxy-a defines the classes; proxy-b binds the same namespaces by naming proxy-a.
      worker('proxy-a'),
      worker('proxy-b', 'proxy-a'),
    ],
  });
  isolates = (await Promise.all([
    mf.getWorker('proxy-a'),
    mf.getWorker('proxy-b'),
  ])) as unknown as typeof isolates;
});

after(async () => {
  await mf?.dispose();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** A POST to one of the two Workers, as `user`; the status, `retry-after` and the JSON body. */
async function post(isolate: number, path: string, user: string, body: unknown) {
  const response = await isolates[isolate]!.fetch(`http://proxy.test${path}`, {
    method: 'POST',
    headers: { 'x-user': user, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    body: await response.json(),
  };
}

/** A task for `user`, then `count` turns alternating between the two isolates; their statuses. */
async function alternatingTurns(base: string, user: string, count: number) {
  const task = await post(0, `${base}/tasks`, user, {});
  assert.equal(task.status, 200, JSON.stringify(task.body));
  const turns = [];
  for (let i = 0; i < count; i++)
    turns.push(await post(i % 2, `${base}/messages`, user, { task_id: task.body.id, text: `turn ${i}` }));
  return turns;
}

test('the two Workers run in two isolates (module globals are not shared)', async () => {
  const ids = [];
  for (const isolate of [0, 1, 0, 1])
    ids.push(await (await isolates[isolate]!.fetch('http://proxy.test/isolate')).json());
  assert.equal(ids[0].isolate, ids[2].isolate, 'proxy-a keeps its globals');
  assert.equal(ids[1].isolate, ids[3].isolate, 'proxy-b keeps its globals');
  assert.notEqual(ids[0].isolate, ids[1].isolate, 'proxy-a and proxy-b do not share them');
});

test('in-memory counter: each isolate lets the user through the full limit (3 + 3)', async () => {
  const turns = await alternatingTurns('/memory/api/aui', 'mem-user', 8);
  assert.deepEqual(
    turns.map((t) => t.status),
    [200, 200, 200, 200, 200, 200, 429, 429],
  );
});

for (const window of ['fixed', 'sliding'] as const) {
  test(`Durable Object counter (${window} window): both isolates share one limit of 3, with the real edge in retry-after`, async () => {
    const turns = await alternatingTurns(`/do-${window}/api/aui`, `do-user-${window}`, 6);
    assert.deepEqual(
      turns.map((t) => t.status),
      [200, 200, 200, 429, 429, 429],
    );
    for (const refused of turns.slice(3)) {
      assert.equal(refused.body.error.type, 'RateLimitError');
      const ms = refused.body.error.retry_after_ms as number;
      assert.ok(ms > 0 && ms <= 60_000, `retry_after_ms ${ms}`);
      assert.equal(refused.retryAfter, String(Math.ceil(ms / 1000)));
    }
    // A second later the edge is a second closer: the object reports its window, not a full one.
    await sleep(1_100);
    const [later] = await alternatingTurns(`/do-${window}/api/aui`, `do-user-${window}`, 1);
    assert.equal(later!.status, 429);
    const ms = later!.body.error.retry_after_ms as number;
    assert.ok(ms > 50_000 && ms <= 58_900, `retry_after_ms ${ms} a second later`);
    // Another user has an object of their own.
    const other = await alternatingTurns(`/do-${window}/api/aui`, `other-user-${window}`, 1);
    assert.equal(other[0]!.status, 200);
  });
}

test('the object empties its storage with an alarm once the window has passed', async () => {
  // The counter called from Node through miniflare's binding, with a 300 ms window: the proxy
  // always asks for a minute, but the object takes the window from each hit.
  const namespace = (await mf.getDurableObjectNamespace(
    'INSPECTABLE_TURNS',
    'proxy-a',
  )) as unknown as TurnCounterNamespace;
  const counter = durableObjectCounter(namespace);
  const stored = async () => {
    const object = namespace.get(namespace.idFromName('aui-turns:alarm-user'));
    const response = await object.fetch('https://object.test/stored', {
      method: 'POST',
      headers: {},
      body: '',
    });
    return (await response.json()) as Record<string, any>;
  };
  const rule = { limit: 2, window: 'fixed' } as const;
  const first = (await counter.hit('aui-turns:alarm-user', 300, rule)) as TurnCount;
  const second = (await counter.hit('aui-turns:alarm-user', 300, rule)) as TurnCount;
  assert.deepEqual([first.count, second.count], [1, 2]);
  assert.ok(second.retryAfterMs! > 0 && second.retryAfterMs! <= 300, `retryAfterMs ${second.retryAfterMs}`);
  assert.equal((await stored()).turns.state.count, 2);
  await sleep(800);
  assert.deepEqual(await stored(), {}, 'the alarm deleted the state');
});
