// Errors that give a way forward, over real HTTP against the mock: a 401 names where the key came
// from (never the key), a 404 on a route names method, path and baseUrl, and the browser guard
// throws a named error that tells "no key" from "a raw key".
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inspect } from 'node:util';
import {
  AuiClient,
  AuiError,
  AuthenticationError,
  BrowserKeyError,
  cachedKey,
  envKey,
  NotFoundError,
  staticKey,
} from '../../src/index.node.ts';
import { authenticationHint, keySourceOf } from '../../src/keys/source.ts';
import { clientFor, mockServer, rejection, TEST_KEY } from '../fixtures/mock.ts';

const mock = await mockServer();
const WRONG = 'API_KEY_wrong_but_long_enough';
const UNPREFIXED = 'sk-live-9f8e7d6c5b4a';

/** Sets (or, with undefined, deletes) an environment variable for the length of `run`. */
async function withEnv<T>(name: string, value: string | undefined, run: () => Promise<T>): Promise<T> {
  const saved = process.env[name];
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
  try {
    return await run();
  } finally {
    if (saved === undefined) delete process.env[name];
    else process.env[name] = saved;
  }
}

function assertNoKey(error: unknown, key: string): void {
  for (const text of [String(error), (error as Error).stack, JSON.stringify(error), inspect(error)]) {
    assert.ok(!text?.includes(key), `key in: ${text}`);
  }
}

test('a 401 names the key source and what to check: env variable, apiKey option, function, provider', async () => {
  const shown = mock.url; // http://127.0.0.1:<port>/api/ia-controller
  const cases: Array<[string, () => AuiClient, RegExp]> = [
    [
      'AUI_NETWORK_API_KEY',
      () => new AuiClient({ baseUrl: mock.url, logLevel: 'off' }),
      /the key from the AUI_NETWORK_API_KEY environment variable was refused by .*a rotated variable is read again/,
    ],
    [
      'envKey(name)',
      () => clientFor(mock, { apiKey: envKey('AUI_TEST_OTHER_KEY') }),
      /the key from the AUI_TEST_OTHER_KEY environment variable was refused/,
    ],
    [
      'string',
      () => clientFor(mock, { apiKey: UNPREFIXED }),
      /the key from the `apiKey` option was refused .*a fixed key cannot refresh itself/,
    ],
    [
      'staticKey',
      () => clientFor(mock, { apiKey: staticKey(WRONG) }),
      /the key from the `apiKey` option was refused/,
    ],
    ['function', () => clientFor(mock, { apiKey: () => WRONG }), /the key from your `apiKey` function/],
    [
      'KeyProvider',
      () => clientFor(mock, { apiKey: { getKey: () => UNPREFIXED } }),
      /the key from your KeyProvider was refused .*asked again with `forceRefresh: true`/,
    ],
    [
      'cachedKey',
      () => clientFor(mock, { apiKey: cachedKey(() => ({ key: WRONG })) }),
      /the key from your cachedKey loader/,
    ],
  ];
  process.env.AUI_TEST_OTHER_KEY = WRONG;
  await withEnv('AUI_NETWORK_API_KEY', WRONG, async () => {
    for (const [name, make, expected] of cases) {
      const error = await rejection(make().tasks.create({ user_id: 'u' }));
      assert.ok(error instanceof AuthenticationError, `${name}: ${error}`);
      assert.match(error.message, /^401 Not authenticated — /, name);
      assert.match(error.message, expected, name);
      assert.ok(error.message.includes(`refused by ${shown}`), `${name}: ${error.message}`);
      assert.match(error.message, /network API key for this region \(`region` or `baseUrl`\)/, name);
      assertNoKey(error, WRONG);
      assertNoKey(error, UNPREFIXED);
    }
  });
  delete process.env.AUI_TEST_OTHER_KEY;
});

test('keySourceOf and authenticationHint, for the session: never the key, never a URL query', () => {
  assert.equal(keySourceOf(envKey()), 'the AUI_NETWORK_API_KEY environment variable');
  assert.equal(keySourceOf(envKey('X', { X: 'k' })), 'X in the env object given to envKey');
  assert.equal(keySourceOf(staticKey(WRONG)), 'the `apiKey` option');
  assert.equal(keySourceOf({ getKey: () => 'k' }), 'your KeyProvider');
  const hint = authenticationHint(
    staticKey(WRONG),
    `wss://user:pw@aui.example/api/v1/external/session?network_api_key=${WRONG}`,
  );
  assert.match(hint, /refused by wss:\/\/aui\.example\/api\/v1\/external\/session\. Check/);
  assert.ok(!hint.includes(WRONG) && !hint.includes('pw@') && !hint.includes('?'), hint);
});

test('a 404 on a route names method and path (no query) and points at baseUrl; a missing task does not', async () => {
  const wrongBase = `${mock.url}/v2`;
  const lost = clientFor(mock, { baseUrl: wrongBase });
  const error = await rejection(lost.tasks.list({ user_id: 'secret-user', page: 2 }));
  assert.ok(error instanceof NotFoundError, String(error));
  assert.equal(
    error.message,
    `404 Not Found — no route GET /api/v1/external/tasks at ${wrongBase}: is \`baseUrl\` (or \`region\`) right?`,
  );
  assert.ok(!error.message.includes('secret-user'), 'the query is not shown');

  const post = await rejection(lost.tasks.create({ user_id: 'u' }));
  assert.match(post.message, /no route POST \/api\/v1\/external\/tasks at /);

  // A base URL that points at another server's HTML 404 page reads the same way.
  mock.failRest({ match: 'GET /tasks/*', status: 404, body: '<html>nginx 404</html>' });
  const page = await rejection(clientFor(mock).tasks.get('abc'));
  assert.match(
    page.message,
    /^404 <html>nginx 404<\/html> — no route GET \/api\/v1\/external\/tasks\/abc at /,
  );

  const task = await rejection(clientFor(mock).tasks.get('ffffffffffffffffffffffff'));
  assert.ok(task instanceof NotFoundError);
  assert.equal(task.message, '404 Task not found');
});

/** Runs `build` as if in a browser page: a `document`, and no `process` (restored before returning). */
function inBrowser<T>(build: () => T): T {
  const g = globalThis as { document?: unknown; process?: unknown };
  const savedProcess = g.process;
  g.document = {};
  g.process = undefined;
  try {
    return build();
  } finally {
    g.process = savedProcess;
    delete g.document;
  }
}

test('browser guard: a raw key throws BrowserKeyError; no key at all says "no key"; a custom provider passes', () => {
  const raw = (() => {
    try {
      inBrowser(() => new AuiClient({ apiKey: TEST_KEY, baseUrl: mock.url }));
    } catch (error) {
      return error;
    }
    assert.fail('a raw key in a browser must throw');
  })();
  assert.ok(raw instanceof BrowserKeyError && raw instanceof AuiError, String(raw));
  assert.equal(raw.name, 'BrowserKeyError');
  assert.match(raw.message, /^A raw API key in browser code is public: .*`dangerouslyAllowBrowser: true`/);
  assertNoKey(raw, TEST_KEY);

  for (const apiKey of [staticKey(TEST_KEY), envKey('AUI_NETWORK_API_KEY', { AUI_NETWORK_API_KEY: 'k' })]) {
    assert.throws(() => inBrowser(() => new AuiClient({ apiKey, baseUrl: mock.url })), BrowserKeyError);
  }

  assert.throws(
    () => inBrowser(() => new AuiClient({ baseUrl: mock.url })),
    (error: unknown) =>
      error instanceof BrowserKeyError &&
      /^No API key: a browser has no AUI_NETWORK_API_KEY\. Call AUI through your server/.test(
        error.message,
      ) &&
      !error.message.includes('raw API key'),
  );

  inBrowser(() => new AuiClient({ apiKey: { getKey: () => 'short-lived' }, baseUrl: mock.url }));
  inBrowser(() => new AuiClient({ apiKey: () => 'short-lived', baseUrl: mock.url }));
  inBrowser(() => new AuiClient({ apiKey: TEST_KEY, baseUrl: mock.url, dangerouslyAllowBrowser: true }));
  // Outside a browser, the same options are fine.
  new AuiClient({ apiKey: TEST_KEY, baseUrl: mock.url });
});
