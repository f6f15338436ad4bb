// The key never leaves the SDK, whatever its shape and wherever a server echoes it: a key with
// the API_KEY_ prefix and a tail of `.+/=`, and a key with no prefix at all, echoed by the mock
// in response headers, x-request-id, body values and body property names, must not appear in an
// error's message, stack, JSON, util.inspect, nor in a log line. Exact values go first, so no
// pattern can cut a key in two and leave its tail.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inspect } from 'node:util';
import { APIError, TurnInterruptedError, type Logger } from '../../src/index.node.ts';
import { errorFromFrame } from '../../src/errors/map.ts';
import { MIN_SECRET_LENGTH, noteSecret, redact, redactValue } from '../../src/errors/redact.ts';
import { resolveKey, staticKey } from '../../src/keys/providers.ts';
import { clientFor, mockServer, rejection, TEST_KEY } from '../fixtures/mock.ts';

const PREFIXED = 'API_KEY_01K.SECRETTAIL+x/y=';
const UNPREFIXED = 'sk-live-4f3e2d1c0b9a8877';
const mock = await mockServer({ apiKey: [TEST_KEY, PREFIXED, UNPREFIXED] });

/** Every text form of an error a user or a log could see. */
function textsOf(error: unknown): string[] {
  return [
    String(error),
    (error as Error).stack ?? '',
    JSON.stringify(error),
    inspect(error, { depth: 20, showHidden: true }),
  ];
}

function assertClean(texts: string[], key: string): void {
  const tail = key.slice(key.indexOf('.') + 1); // what the old pattern-first order let through
  for (const text of texts) {
    assert.ok(!text.includes(key), `the key in: ${text.slice(0, 300)}`);
    assert.ok(!text.includes(encodeURIComponent(key)), `the encoded key in: ${text.slice(0, 300)}`);
    if (key === PREFIXED) assert.ok(!text.includes(tail), `the key's tail in: ${text.slice(0, 300)}`);
  }
}

for (const key of [PREFIXED, UNPREFIXED]) {
  test(`a server echoing ${key === PREFIXED ? 'a prefixed key with .+/=' : 'an unprefixed key'}: no error or log line shows it`, async () => {
    const lines: string[] = [];
    const push = (...args: unknown[]) => lines.push(args.map((a) => inspect(a, { depth: 20 })).join(' '));
    const logger: Logger = { debug: push, info: push, warn: push, error: push };
    const aui = clientFor(mock, { apiKey: key, logger, logLevel: 'debug' });
    const echo = {
      headers: { 'x-request-id': key, 'x-echo': `your key is ${key}`, 'x-encoded': encodeURIComponent(key) },
      body: {
        description: `invalid key ${key}`,
        message: `key=${key}`,
        [key]: 'the key as a property name',
        extra_data: { nested: [{ [`prefix ${key}`]: key }] },
      },
    };
    // A 500 (retried, so the error reaches a log line) and then a 400 (final).
    mock.failRest({ match: 'POST /tasks', status: 500, ...echo });
    mock.failRest({ match: 'POST /tasks', status: 400, ...echo });
    const error = await rejection(aui.tasks.create({ user_id: 'u' }));
    assert.ok(error instanceof APIError, String(error));
    assert.equal(error.status, 400);
    assert.equal(error.message, '400 invalid key [redacted]: key=[redacted]');
    assert.equal(error.requestId, '[redacted]');
    assert.equal(error.headers['x-echo'], 'your key is [redacted]');
    assert.ok(Object.hasOwn(error.body as object, '[redacted]'), 'the property name is redacted');
    assertClean(textsOf(error), key);
    assert.ok(
      lines.some((line) => line.includes('retry 1')),
      'the 500 was logged',
    );
    assertClean(lines, key);

    // The 401 path, which used to be the only one to redact by value.
    mock.failRest({ match: 'GET /tasks/*', status: 401, times: 2, ...echo });
    const auth = await rejection(aui.tasks.get('t'));
    assertClean(textsOf(auth), key);
  });
}

test('what the session builds from a server string is covered too: close reasons, error frames, partial text', async () => {
  await resolveKey(staticKey(UNPREFIXED), { forceRefresh: false });
  await resolveKey(staticKey(PREFIXED), { forceRefresh: false });
  // A 1008 close reason, as the session passes it through `redact`.
  assert.equal(redact(`1008 invalid key ${PREFIXED}`), '1008 invalid key [redacted]');
  assert.equal(redact(`rejected: ${UNPREFIXED}`), 'rejected: [redacted]');
  const frame = errorFromFrame({
    status_code: 401,
    message: `bad key ${UNPREFIXED}`,
    extra_data: { [PREFIXED]: UNPREFIXED },
  });
  assertClean(textsOf(frame), UNPREFIXED);
  assertClean(textsOf(frame), PREFIXED);
  const interrupted = new TurnInterruptedError({
    task_id: 't',
    delivered: 'unknown',
    partialText: `the agent said ${UNPREFIXED} and ${PREFIXED}`,
  });
  assert.equal(interrupted.partialText, 'the agent said [redacted] and [redacted]');
  assertClean(textsOf(interrupted), UNPREFIXED);
  assertClean(textsOf(interrupted), PREFIXED);
});

test('noteSecret keeps the last 16 keys and ignores values too short to be keys', () => {
  const short = 'a'.repeat(MIN_SECRET_LENGTH - 1);
  noteSecret(short);
  assert.equal(redact(`Task ${short}`), `Task ${short}`);
  const keys = Array.from({ length: 20 }, (_, i) => `rotated-key-${String(i).padStart(4, '0')}-zz`);
  for (const key of keys) noteSecret(key);
  assert.equal(redact(keys[19]!), '[redacted]');
  assert.equal(redact(keys[12]!), '[redacted]');
  // Each key is remembered with its URL-encoded form when that differs; these have none.
  assert.equal(redact(keys[0]!), keys[0], 'the oldest are forgotten: the set is bounded');
  // A longer key that contains a shorter one goes whole.
  noteSecret('inner-key-abc');
  noteSecret('outer-inner-key-abc-tail');
  assert.equal(redact('x outer-inner-key-abc-tail y'), 'x [redacted] y');
});

test('redactValue bounds depth and keeps __proto__ a plain field', () => {
  let deep: unknown = 'leaf';
  for (let i = 0; i < 10_000; i++) deep = { a: deep };
  const copy = redactValue(deep) as Record<string, unknown>;
  let level: unknown = copy;
  let depth = 0;
  while (typeof level === 'object' && level !== null) {
    level = (level as { a: unknown }).a;
    depth++;
  }
  assert.equal(depth, 32);
  assert.equal(level, '[nested deeper than 32 levels]');
  const odd = redactValue(JSON.parse('{"__proto__":{"x":1}}') as object);
  assert.equal(Object.getPrototypeOf(odd), Object.prototype);
  assert.deepEqual(Object.keys(odd), ['__proto__']);
});
