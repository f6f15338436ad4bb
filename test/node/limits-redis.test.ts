// `redisCounter` (aui-messaging/server/redis) against a real redis-server on 127.0.0.1
// through the official `redis` client: both window rules on the server (keys, expiry, the edge
// it reports), atomicity under concurrent hits from several connections, several proxy
// instances sharing one limit, and the failure policy with the server paused (slow) and killed
// (failing). Each server is started by test/fixtures/redis.ts and stopped after the file.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient } from 'redis';
import type { Task } from '../../src/index.node.ts';
import { createAuiHandler, type AuiHandler, type AuiHandlerLimits } from '../../src/server/handler.node.ts';
import { redisCounter } from '../../src/server/redis.ts';
import type { TurnCount, TurnCounter, TurnRule } from '../../src/server/types.ts';
import { mockServer, TEST_KEY } from '../fixtures/mock.ts';
import { startRedisServer, type RedisServer } from '../fixtures/redis.ts';

const mock = await mockServer();
const server = await startRedisServer();
const BASE = 'https://app.test/api/aui';

/** A connected client (one connection, as one proxy process would have), closed after the file. */
async function connect(redis: RedisServer, options: { disableOfflineQueue?: boolean } = {}) {
  const client = createClient({ url: redis.url, ...options });
  // node-redis emits 'error' on every lost connection; without a listener the process dies.
  client.on('error', () => undefined);
  await client.connect();
  after(() => client.destroy());
  return client;
}

const client = await connect(server);

function proxy(limits: AuiHandlerLimits): AuiHandler {
  return createAuiHandler({
    apiKey: TEST_KEY,
    baseUrl: mock.url,
    wsUrl: mock.wsUrl,
    authorize: (request) => ({ userId: request.headers.get('x-user') ?? 'nobody' }),
    limits,
  });
}

const post = (path: string, user: string, body: unknown) =>
  new Request(`${BASE}${path}`, {
    method: 'POST',
    headers: { 'x-user': user, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

async function taskFor(h: AuiHandler, user: string): Promise<string> {
  const response = await h(post('/tasks', user, {}));
  assert.equal(response.status, 200);
  return ((await response.json()) as Task).id;
}

async function turn(h: AuiHandler, user: string, task_id: string) {
  const response = await h(post('/messages', user, { task_id, text: 'hello' }));
  const body = (await response.json()) as { error?: Record<string, unknown> };
  return { status: response.status, retryAfter: response.headers.get('retry-after'), error: body.error };
}

/** One hit, as the proxy makes it; redisCounter always answers a TurnCount. */
const hit = async (counter: TurnCounter, key: string, windowMs: number, rule: TurnRule) =>
  (await counter.hit(key, windowMs, rule)) as TurnCount;

test('fixed window: one counter key under the prefix, expiring at the window edge that each answer reports', async () => {
  const counter = redisCounter(client, { prefix: 'fixed-test:' });
  const rule = { limit: 2, window: 'fixed' } as const;
  const answers: TurnCount[] = [];
  for (let i = 0; i < 3; i++) answers.push(await hit(counter, 'aui-turns:ann', 400, rule));
  assert.deepEqual(
    answers.map((a) => a.count),
    [1, 2, 3],
  );
  for (const { retryAfterMs = -1 } of answers)
    assert.ok(retryAfterMs > 0 && retryAfterMs <= 400, `retryAfterMs ${retryAfterMs}`);
  assert.deepEqual(await client.keys('fixed-test:*'), ['fixed-test:fixed:aui-turns:ann']);
  const ttl = await client.pTTL('fixed-test:fixed:aui-turns:ann');
  assert.ok(ttl > 0 && ttl <= 400, `the key expires on its own (pttl ${ttl})`);
  await sleep(450);
  assert.equal(await client.exists('fixed-test:fixed:aui-turns:ann'), 0, 'gone after the window');
  assert.equal((await hit(counter, 'aui-turns:ann', 400, rule)).count, 1);
});

test('sliding window: a sorted set of accepted turns only, on the server clock, expiring on its own', async () => {
  const counter = redisCounter(client, { prefix: 'sliding-test:' });
  const rule = { limit: 2, window: 'sliding' } as const;
  const key = 'sliding-test:sliding:aui-turns:bob';
  const first = Date.now();
  assert.deepEqual(await hit(counter, 'aui-turns:bob', 800, rule), { count: 1 });
  await sleep(300);
  assert.deepEqual(await hit(counter, 'aui-turns:bob', 800, rule), { count: 2 });
  const refused = await hit(counter, 'aui-turns:bob', 800, rule);
  assert.equal(refused.count, 3);
  // Free when the first turn is 800 ms old.
  const expected = 800 - (Date.now() - first);
  const { retryAfterMs = -1 } = refused;
  assert.ok(Math.abs(retryAfterMs - expected) < 60, `retryAfterMs ${retryAfterMs} ≈ ${expected}`);
  assert.equal(await client.zCard(key), 2, 'the refused turn is not stored');
  const ttl = await client.pTTL(key);
  assert.ok(ttl > 0 && ttl <= 800, `pttl ${ttl}`);
  await sleep(Math.max(0, first + 850 - Date.now()));
  assert.deepEqual(await hit(counter, 'aui-turns:bob', 800, rule), { count: 2 }, 'the first turn aged out');
  assert.equal((await hit(counter, 'aui-turns:bob', 800, rule)).count, 3, 'the second still counts');
});

test('atomic: 200 concurrent hits from 4 connections on one key let exactly the limit through', async () => {
  const clients = await Promise.all([1, 2, 3, 4].map(() => connect(server)));
  for (const window of ['fixed', 'sliding'] as const) {
    const counters = clients.map((c) => redisCounter(c, { prefix: `atomic-test-${window}:` }));
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        hit(counters[i % 4]!, 'aui-turns:cy', 60_000, { limit: 30, window }),
      ),
    );
    const counts = answers.map((a) => a.count);
    assert.equal(counts.filter((count) => count <= 30).length, 30, window);
    if (window === 'fixed')
      assert.deepEqual(
        [...counts].sort((a, b) => a - b),
        Array.from({ length: 200 }, (_, i) => i + 1),
        'every INCR seen once',
      );
  }
});

test('two proxy instances, each with its own Redis connection, share one limit per user', async () => {
  for (const window of ['fixed', 'sliding'] as const) {
    const [a, b] = await Promise.all([connect(server), connect(server)]);
    const instances = [
      proxy({ turnsPerMinute: 3, window, counter: redisCounter(a, { prefix: `proxy-test:` }) }),
      proxy({ turnsPerMinute: 3, window, counter: redisCounter(b, { prefix: `proxy-test:` }) }),
    ];
    const user = `dora-${window}`;
    const task = await taskFor(instances[0]!, user);
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await turn(instances[i % 2]!, user, task)).status);
    assert.deepEqual(statuses, [200, 200, 200, 429, 429, 429], window);
    await sleep(1_100);
    const refused = await turn(instances[1]!, user, task);
    const ms = refused.error!.retry_after_ms as number;
    assert.ok(ms > 50_000 && ms <= 58_900, `${window}: retry_after_ms ${ms} comes from Redis's own edge`);
    assert.equal(refused.retryAfter, String(Math.ceil(ms / 1000)));
  }
  // The same two instances on the in-memory default: each lets the user through 3 times.
  const memory = [proxy({ turnsPerMinute: 3 }), proxy({ turnsPerMinute: 3 })];
  const task = await taskFor(memory[0]!, 'eli');
  const statuses = [];
  for (let i = 0; i < 6; i++) statuses.push((await turn(memory[i % 2]!, 'eli', task)).status);
  assert.deepEqual(statuses, [200, 200, 200, 200, 200, 200]);
});

/* ------------------------------------------------------------------ a store that is slow or down */

/** Two turns through a handler on `redis`; the statuses, the warnings logged, the time taken. */
async function twoTurns(limits: AuiHandlerLimits) {
  const warnings: string[] = [];
  const realWarn = console.warn;
  console.warn = (...args: unknown[]) => warnings.push(args.map(String).join(' '));
  try {
    const h = proxy({ turnsPerMinute: 5, counterTimeoutMs: 200, ...limits });
    const task = await taskFor(h, 'fay');
    const started = Date.now();
    const results = [await turn(h, 'fay', task), await turn(h, 'fay', task)];
    return { results, warnings, elapsed: Date.now() - started };
  } finally {
    console.warn = realWarn;
  }
}

test('a paused (slow) redis-server: fail-open lets turns through after the deadline, fail-closed answers 503', async () => {
  const slow = await startRedisServer();
  const redis = await connect(slow);
  const counter = redisCounter(redis);
  assert.deepEqual(
    (await twoTurns({ counter })).results.map((r) => r.status),
    [200, 200],
    'healthy',
  );
  slow.pause();
  try {
    const open = await twoTurns({ counter });
    assert.deepEqual(
      open.results.map((r) => r.status),
      [200, 200],
    );
    assert.ok(open.elapsed < 2_000, `two turns took ${open.elapsed} ms`);
    assert.equal(open.warnings.length, 1, 'one warning for two failures');
    assert.match(open.warnings[0]!, /no answer within 200 ms\); turns are let through/);
    const closed = await twoTurns({ counter, counterFailure: 'closed' });
    assert.deepEqual(
      closed.results.map((r) => [r.status, r.error?.message]),
      [
        [503, 'The message limit could not be checked; try again shortly.'],
        [503, 'The message limit could not be checked; try again shortly.'],
      ],
    );
  } finally {
    slow.resume();
  }
});

test('a reply that arrived in time but waits behind a busy event loop is not a timeout', async () => {
  // The deadline is for the store, not for this process. The hit is sent to a paused server; an
  // I/O callback then resumes it and keeps the loop busy past the deadline (as a burst of
  // requests does), so Redis's reply sits unread when the deadline's timer is due.
  const lagging = await startRedisServer();
  const inner = redisCounter(await connect(lagging));
  let entered: () => void = () => undefined;
  const hitSent = new Promise<void>((resolve) => (entered = resolve));
  const counter: TurnCounter = {
    hit(...args) {
      const answer = inner.hit(...args);
      entered();
      return answer;
    },
  };
  const h = proxy({ turnsPerMinute: 5, counterTimeoutMs: 100, counterFailure: 'closed', counter });
  const task = await taskFor(h, 'gus');
  lagging.pause();
  const result = turn(h, 'gus', task);
  await hitSent;
  await sleep(20); // the command is on the socket; the deadline is 80 ms away
  await new Promise<void>((resolve) =>
    readFile(import.meta.filename, () => {
      lagging.resume();
      const until = Date.now() + 300;
      while (Date.now() < until); // the loop is busy; Redis answers meanwhile
      resolve();
    }),
  );
  assert.equal((await result).status, 200);
});

test('a killed redis-server: fail-open lets turns through, fail-closed answers 503, with or without the offline queue', async () => {
  const doomed = await startRedisServer();
  const queued = redisCounter(await connect(doomed));
  const failFast = redisCounter(await connect(doomed, { disableOfflineQueue: true }));
  await doomed.stop();
  for (const counter of [queued, failFast]) {
    const open = await twoTurns({ counter });
    assert.deepEqual(
      open.results.map((r) => r.status),
      [200, 200],
    );
    assert.equal(open.warnings.length, 1);
    const closed = await twoTurns({ counter, counterFailure: 'closed' });
    assert.deepEqual(
      closed.results.map((r) => r.status),
      [503, 503],
    );
    assert.ok(closed.elapsed < 2_000, `two turns took ${closed.elapsed} ms`);
  }
  // Without the offline queue, a command fails at once instead of waiting out the deadline.
  const fast = await twoTurns({ counter: failFast, counterTimeoutMs: 5_000 });
  assert.deepEqual(
    fast.results.map((r) => r.status),
    [200, 200],
  );
  assert.ok(fast.elapsed < 2_000, `${fast.elapsed} ms`);
  assert.doesNotMatch(fast.warnings[0]!, /no answer within/);
});
