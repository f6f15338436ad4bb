// The proxy's turn limit without a shared store: the two window rules on explicit
// clocks, the in-memory counter through the real handler against the mock AUI server, what the
// proxy asks of a counter and reads back, and the failure policy (fail-open, fail-closed, the
// deadline) with counters an app could write. The same policy against a real redis-server that
// is paused or killed: limits-redis.test.ts.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { InvalidRequestError, type Task } from '../../src/index.node.ts';
import { createAuiHandler, type AuiHandler, type AuiHandlerLimits } from '../../src/server/handler.node.ts';
import type { TurnCounter, TurnRule } from '../../src/server/types.ts';
import { countTurn, slidingRetryAfter, type WindowState } from '../../src/server/windows.ts';
import { mockServer, TEST_KEY } from '../fixtures/mock.ts';

const mock = await mockServer();
const BASE = 'https://app.test/api/aui';

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

/** One turn (`/messages`) for `user`; the response, its body read. */
async function turn(h: AuiHandler, user: string, task_id: string) {
  const response = await h(post('/messages', user, { task_id, text: 'hello' }));
  const body = (await response.json()) as { error?: Record<string, unknown> };
  return { status: response.status, retryAfter: response.headers.get('retry-after'), error: body.error };
}

/** Counts a sequence of hits on one key with the pure rule, carrying the state along. */
function run(rule: TurnRule, windowMs: number, times: number[]) {
  let stored: WindowState | undefined;
  return times.map((now) => {
    const counted = countTurn(stored, now, windowMs, rule);
    stored = counted.state;
    return { now, ...counted.result, accepted: counted.result.count <= rule.limit, state: counted.state };
  });
}

test('fixed window (the rule): opens at the first turn, counts every hit, and every answer carries its edge', () => {
  const hits = run({ limit: 2, window: 'fixed' }, 1000, [0, 900, 950, 1000, 1001]);
  assert.deepEqual(
    hits.map(({ count, retryAfterMs, accepted }) => ({ count, retryAfterMs, accepted })),
    [
      { count: 1, retryAfterMs: 1000, accepted: true },
      { count: 2, retryAfterMs: 100, accepted: true },
      { count: 3, retryAfterMs: 50, accepted: false },
      // A new window at 1000: two more within 101 ms of the last two — the fixed window's burst.
      { count: 1, retryAfterMs: 1000, accepted: true },
      { count: 2, retryAfterMs: 999, accepted: true },
    ],
  );
});

test('sliding window (the rule): never more than the limit in any window; a refused turn is not stored', () => {
  const hits = run({ limit: 2, window: 'sliding' }, 1000, [0, 900, 950, 1000, 1001]);
  assert.deepEqual(
    hits.map(({ count, retryAfterMs, accepted }) => ({ count, retryAfterMs, accepted })),
    [
      { count: 1, retryAfterMs: undefined, accepted: true },
      { count: 2, retryAfterMs: undefined, accepted: true },
      // Full until the turn at 0 is a window old.
      { count: 3, retryAfterMs: 50, accepted: false },
      { count: 2, retryAfterMs: undefined, accepted: true },
      { count: 3, retryAfterMs: 899, accepted: false },
    ],
  );
  assert.deepEqual(hits.at(-1)!.state, { kind: 'sliding', turns: [900, 1000] });
  // A window holding more than the limit (the limit was lowered): enough turns must age out.
  assert.equal(slidingRetryAfter([100, 200, 300], 400, 1000, 1), 900);
  assert.equal(slidingRetryAfter([], 400, 1000, 0), 1000, 'a limit of 0 never frees up: a full window');
});

test('the in-memory counter through the proxy: retry-after is the real window edge, not a full minute', async () => {
  for (const window of ['fixed', 'sliding'] as const) {
    const h = proxy({ turnsPerMinute: 1, window });
    const task = await taskFor(h, 'mia');
    assert.equal((await turn(h, 'mia', task)).status, 200);
    await sleep(1_100);
    const refused = await turn(h, 'mia', task);
    assert.equal(refused.status, 429, window);
    const ms = refused.error!.retry_after_ms as number;
    assert.ok(
      ms > 50_000 && ms <= 58_900,
      `${window}: retry_after_ms ${ms} is the edge, a minute after the first turn`,
    );
    assert.equal(refused.retryAfter, String(Math.ceil(ms / 1000)));
    assert.equal(
      (await turn(h, 'noa', await taskFor(h, 'noa'))).status,
      200,
      'another user has their own count',
    );
  }
});

test('the proxy passes { limit, window } to the counter and reads { count, retryAfterMs } back', async () => {
  const calls: unknown[][] = [];
  const counter: TurnCounter = {
    hit: (...args) => {
      calls.push(args);
      return Promise.resolve({ count: 5, retryAfterMs: 12_345 });
    },
  };
  const h = proxy({ turnsPerMinute: 4, window: 'sliding', counter });
  const refused = await turn(h, 'olga', await taskFor(h, 'olga'));
  assert.deepEqual(calls, [['aui-turns:olga', 60_000, { limit: 4, window: 'sliding' }]]);
  assert.equal(refused.status, 429);
  assert.equal(refused.retryAfter, '13');
  assert.equal(refused.error!.retry_after_ms, 12_345);
});

/** Runs two turns through a handler whose counter fails; what the browser and the operator saw. */
async function twoTurnsWithFailingCounter(limits: AuiHandlerLimits) {
  const warnings: string[] = [];
  const realWarn = console.warn;
  console.warn = (...args: unknown[]) => warnings.push(args.map(String).join(' '));
  try {
    const h = proxy({ turnsPerMinute: 1, ...limits });
    const task = await taskFor(h, 'pia');
    const started = Date.now();
    const results = [await turn(h, 'pia', task), await turn(h, 'pia', task)];
    return { results, warnings, elapsed: Date.now() - started };
  } finally {
    console.warn = realWarn;
  }
}

const throwing: TurnCounter = {
  hit: () => {
    throw new Error('store unreachable');
  },
};
const silent: TurnCounter = { hit: () => new Promise(() => {}) };

test("counterFailure 'open' (the default): a failing counter lets turns through and warns once a minute", async () => {
  const { results, warnings } = await twoTurnsWithFailingCounter({ counter: throwing });
  assert.deepEqual(
    results.map((r) => r.status),
    [200, 200],
  );
  assert.equal(warnings.length, 1, warnings.join('\n'));
  assert.match(warnings[0]!, /the turn counter failed \(Error: store unreachable\); turns are let through/);
});

test("counterFailure 'closed': a failing counter answers 503 with a public error", async () => {
  const { results, warnings } = await twoTurnsWithFailingCounter({
    counter: throwing,
    counterFailure: 'closed',
  });
  for (const result of results) {
    assert.equal(result.status, 503);
    assert.deepEqual(result.error, {
      type: 'InternalServerError',
      status: 503,
      message: 'The message limit could not be checked; try again shortly.',
    });
  }
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /turns are refused with 503/);
});

test('a counter that never answers: counterTimeoutMs bounds the wait, then counterFailure applies', async () => {
  const open = await twoTurnsWithFailingCounter({ counter: silent, counterTimeoutMs: 100 });
  assert.deepEqual(
    open.results.map((r) => r.status),
    [200, 200],
  );
  assert.match(open.warnings[0]!, /CounterTimeoutError: no answer within 100 ms/);
  const closed = await twoTurnsWithFailingCounter({
    counter: silent,
    counterTimeoutMs: 100,
    counterFailure: 'closed',
  });
  assert.deepEqual(
    closed.results.map((r) => r.status),
    [503, 503],
  );
  assert.ok(closed.elapsed < 1_000, `two turns took ${closed.elapsed} ms`);
});

test('a counter that answers neither a count nor { count } is a failed counter, not a pass', async () => {
  const garbage = { hit: () => Promise.resolve({ total: 3 }) } as unknown as TurnCounter;
  const { results, warnings } = await twoTurnsWithFailingCounter({
    counter: garbage,
    counterFailure: 'closed',
  });
  assert.equal(results[0]!.status, 503);
  assert.match(warnings[0]!, /TypeError: the counter returned neither a count nor \{ count, retryAfterMs \}/);
});

test('bad limits options fail at creation with InvalidRequestError and the option path', () => {
  const cases: Array<[Record<string, unknown>, string, RegExp]> = [
    [{ window: 'rolling' }, 'window', /'fixed' or 'sliding'/],
    [{ counterFailure: 'maybe' }, 'counterFailure', /'open' or 'closed'/],
    [{ counterTimeoutMs: 0 }, 'counterTimeoutMs', /above 0/],
    [{ turnsPerMinute: 2.5 }, 'turnsPerMinute', /whole number/],
    [{ counter: {} }, 'counter', /hit\(key, windowMs, rule\)/],
  ];
  for (const [limits, field, message] of cases) {
    assert.throws(
      () => proxy(limits),
      (error: unknown) =>
        error instanceof InvalidRequestError &&
        message.test(error.message) &&
        JSON.stringify(error.path) === JSON.stringify(['limits', field]),
      field,
    );
  }
});
