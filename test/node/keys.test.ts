// KeyProvider behaviour over real requests: where the key comes from, that it is asked on every
// attempt (so rotation takes effect), cachedKey's sharing and refresh, and redaction in logs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AuiError, cachedKey, envKey, staticKey, type Logger } from '../../src/index.node.ts';
import { clientFor, mockServer, rejection, TEST_KEY } from '../fixtures/mock.ts';

const mock = await mockServer();
const lastKey = () => mock.requests.at(-1)!.headers['x-network-api-key'];

test('staticKey and a plain string send that key', async () => {
  await clientFor(mock, { apiKey: staticKey(TEST_KEY) }).tasks.create({ user_id: 'k' });
  assert.equal(lastKey(), TEST_KEY);
});

test('envKey reads the environment on each call; an explicit env object works like a Workers binding', async () => {
  process.env.AUI_TEST_KEY_VAR = TEST_KEY;
  const fromProcess = clientFor(mock, { apiKey: envKey('AUI_TEST_KEY_VAR') });
  await fromProcess.tasks.create({ user_id: 'k' });
  assert.equal(lastKey(), TEST_KEY);
  mock.setApiKey([TEST_KEY, 'API_KEY_rotated']);
  process.env.AUI_TEST_KEY_VAR = 'API_KEY_rotated';
  await fromProcess.tasks.create({ user_id: 'k' });
  assert.equal(lastKey(), 'API_KEY_rotated', 'a rotated variable takes effect on the next request');
  delete process.env.AUI_TEST_KEY_VAR;

  await clientFor(mock, {
    apiKey: envKey('AUI_NETWORK_API_KEY', { AUI_NETWORK_API_KEY: TEST_KEY }),
  }).tasks.create({ user_id: 'k' });
  assert.equal(lastKey(), TEST_KEY);
  mock.setApiKey(TEST_KEY);
});

test('the default apiKey is envKey("AUI_NETWORK_API_KEY")', async () => {
  const saved = process.env.AUI_NETWORK_API_KEY;
  process.env.AUI_NETWORK_API_KEY = TEST_KEY;
  try {
    const { AuiClient } = await import('../../src/index.node.ts');
    await new AuiClient({ baseUrl: mock.url, logLevel: 'off' }).tasks.create({ user_id: 'k' });
    assert.equal(lastKey(), TEST_KEY);
  } finally {
    if (saved === undefined) delete process.env.AUI_NETWORK_API_KEY;
    else process.env.AUI_NETWORK_API_KEY = saved;
  }
});

test('a function key is asked before every attempt, retries included', async () => {
  const asked: boolean[] = [];
  const aui = clientFor(mock, { apiKey: ({ forceRefresh }) => (asked.push(forceRefresh), TEST_KEY) });
  mock.failRest({ match: 'POST /tasks', status: 500, headers: { 'retry-after': '0' }, times: 2 });
  await aui.tasks.create({ user_id: 'k' });
  assert.deepEqual(asked, [false, false, false]);
});

test('cachedKey: one load shared by concurrent callers, reused until near expiry, reloaded on forceRefresh', async () => {
  let loads = 0;
  let expiresAt = Date.now() + 3_600_000;
  const provider = cachedKey(async () => {
    loads++;
    await new Promise((resolve) => setTimeout(resolve, 20));
    return { key: TEST_KEY, expiresAt };
  });
  const aui = clientFor(mock, { apiKey: provider });
  await Promise.all([
    aui.tasks.create({ user_id: 'a' }),
    aui.tasks.create({ user_id: 'b' }),
    aui.tasks.create({ user_id: 'c' }),
  ]);
  assert.equal(loads, 1, 'concurrent callers share one load');
  await aui.tasks.create({ user_id: 'd' });
  assert.equal(loads, 1, 'a fresh key is reused');

  assert.equal(await provider.getKey({ forceRefresh: true }), TEST_KEY);
  assert.equal(loads, 2, 'forceRefresh reloads');

  expiresAt = Date.now() + 30_000; // inside the default 60 s refreshBefore window
  await provider.getKey({ forceRefresh: true });
  assert.equal(loads, 3);
  await provider.getKey({ forceRefresh: false });
  assert.equal(loads, 4, 'a key about to expire is reloaded before use');
});

test('cachedKey refreshes after a 401 and the request succeeds', async () => {
  let version = 0;
  const aui = clientFor(mock, {
    apiKey: cachedKey(() => ({ key: version++ === 0 ? 'API_KEY_stale' : TEST_KEY })),
  });
  const task = await aui.tasks.create({ user_id: 'k' });
  assert.equal(task.user_id, 'k');
  assert.equal(version, 2);
});

test('a KeyProvider that throws ends the call before any request: not retried, and it names the provider', async () => {
  let calls = 0;
  const flaky = clientFor(mock, {
    apiKey: () => {
      calls++;
      throw new Error('vault unreachable');
    },
  });
  const start = mock.requests.length;
  const error = await rejection(flaky.tasks.create({ user_id: 'k' }));
  assert.ok(error instanceof AuiError, String(error));
  assert.equal(
    error.message,
    'tasks.create: your `apiKey` function failed to give a key: vault unreachable.',
  );
  assert.equal(calls, 1, 'a provider failure is not a network failure: not retried');
  assert.equal(mock.requests.length - start, 0, 'nothing was sent');
  assert.equal(error.delivered, undefined, 'delivered is only for messages.send');
});

test('cachedKey: a loader that throws synchronously fails that call only; the next call loads again', async () => {
  let loads = 0;
  const provider = cachedKey(() => {
    if (++loads === 1) throw new Error('not yet');
    return { key: TEST_KEY };
  });
  await assert.rejects(async () => provider.getKey({ forceRefresh: false }), /not yet/);
  assert.equal(await provider.getKey({ forceRefresh: false }), TEST_KEY);
  assert.equal(loads, 2);
});

test('log lines never carry the key, even at debug level and on failures', async () => {
  const lines: string[] = [];
  const logger: Logger = {
    debug: (...args) => lines.push(args.map(String).join(' ')),
    info: (...args) => lines.push(args.map(String).join(' ')),
    warn: (...args) => lines.push(args.map(String).join(' ')),
    error: (...args) => lines.push(args.map(String).join(' ')),
  };
  const aui = clientFor(mock, { logger, logLevel: 'debug' });
  mock.failRest({ match: 'POST /tasks', status: 500, headers: { 'retry-after': '0' } });
  await aui.tasks.create({ user_id: 'k' });
  await clientFor(mock, { logger, logLevel: 'debug', apiKey: 'API_KEY_bad' })
    .tasks.create({ user_id: 'k' })
    .catch(() => undefined);
  assert.ok(
    lines.some((line) => line.includes('retry 1')),
    'retries are logged',
  );
  for (const line of lines) assert.ok(!line.includes('API_KEY_'), line);
});
