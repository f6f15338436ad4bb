// `aui-messaging chat` as a user runs it: child processes of the built CLI (dist/cli.js),
// against the embedded mock (--mock) or a mock this file starts. Asserts on exit codes and the
// transcript; never on timing. Run (after `npm run build`): node --import tsx --test test/node/cli.test.ts
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { startMockAui } from '../../src/mock/index.ts';
import { defaultReply } from '../../src/mock/messages.ts';
import { WELCOME_MESSAGE, WELCOME_SUGGESTIONS } from '../../src/mock/store.ts';
import { createServer } from 'node:net';
import { assertNoLeaks, cli } from './cli-run.ts';

/** A loopback port nothing listens on. */
async function refusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

// What --demo asks first (src/cli/demo.ts); a literal so this file does not load the SDK.
const DEMO_QUESTION = "I'm looking for a built-in microwave, at least 20 liters";

// All children start at once: each pays Node's start-up, in parallel.
const demo = cli(['chat', '--mock', '--demo']);
const piped = cli(['chat', '--mock', '--user', 'cli-test'], { input: 'microwave, please\n2\n/exit\n' });
const help = cli(['--help']);
const noKey = cli(['chat']);
const wrongKey = 'wrong-key-4f2a9c';
const unreachable = refusedPort().then((port) =>
  cli(['chat', '--base-url', `http://127.0.0.1:${port}/api/ia-controller`], {
    env: { AUI_NETWORK_API_KEY: wrongKey },
    input: 'hello?\n',
  }).then((run) => ({ run, port })),
);
const rejected = startMockAui({ apiKey: 'the-right-key' }).then(async (mock) => {
  after(() => mock.close());
  return cli(['chat', '--base-url', mock.url], { env: { AUI_NETWORK_API_KEY: wrongKey } });
});

test('chat --mock --demo: welcome, a streamed answer, product cards and a follow-up turn, exit 0', async () => {
  const run = await demo;
  assert.equal(run.code, 0, run.stderr);
  const out = run.stdout;
  const answer = defaultReply(DEMO_QUESTION);
  const pick = answer.followup_suggestions![0]!;
  assert.ok(out.includes(`agent › ${WELCOME_MESSAGE}`), out);
  assert.ok(out.includes(`[1] ${WELCOME_SUGGESTIONS[0]}`), out);
  assert.ok(out.includes(`you › ${DEMO_QUESTION}`), out);
  assert.ok(out.includes(`agent › ${answer.text}`), out);
  for (const product of answer.products!)
    assert.ok(out.includes(product.name), `no ${product.name} in:\n${out}`);
  assert.ok(out.includes('$358.08'), out);
  assert.ok(out.includes(`you › ${pick}`), out);
  assert.ok(out.includes(`agent › ${defaultReply(pick).text}`), out);
  assert.ok(out.indexOf(`agent › ${defaultReply(pick).text}`) > out.indexOf(`agent › ${answer.text}`));
  assert.ok(!out.includes('\u001b['), 'NO_COLOR and a pipe: no escape codes');
  assertNoLeaks(run);
});

test('chat --mock from a pipe: each line is a turn, a number sends that suggestion', async () => {
  const run = await piped;
  assert.equal(run.code, 0, run.stderr);
  const second = defaultReply('microwave').followup_suggestions![1]!;
  assert.ok(run.stdout.includes(`you › microwave, please`), run.stdout);
  assert.ok(run.stdout.includes('Panasonic NN-SN98JS'), run.stdout);
  assert.ok(run.stdout.includes(`you › ${second} (suggestion 2)`), run.stdout);
  assert.ok(run.stdout.includes(`agent › ${defaultReply(second).text}`), run.stdout);
  assertNoLeaks(run);
});

test('--help prints usage and exits 0', async () => {
  const run = await help;
  assert.equal(run.code, 0);
  assert.match(run.stdout, /Usage/);
  assert.match(run.stdout, /aui-messaging chat/);
  assert.match(run.stdout, /--mock/);
  assertNoLeaks(run);
});

test('without a key and without --mock: a hint and exit 2', async () => {
  const run = await noKey;
  assert.equal(run.code, 2);
  assert.match(run.stderr, /AUI_NETWORK_API_KEY/);
  assert.match(run.stderr, /--mock/);
  assert.equal(run.stderr.trim().split('\n').length, 2, run.stderr);
  assertNoLeaks(run);
});

test('AUI unreachable: one line naming the host and the cause, no reconnect notes, exit 1', async () => {
  const { run, port } = await unreachable;
  assert.equal(run.code, 1);
  const lines = run.stderr
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('aui-messaging'));
  const errors = lines.filter((line) => line.startsWith('✗'));
  assert.equal(errors.length, 1, run.stderr);
  assert.match(
    errors[0]!,
    new RegExp(`127\\.0\\.0\\.1:${port}.*ECONNREFUSED|ECONNREFUSED.*127\\.0\\.0\\.1:${port}`),
  );
  assert.doesNotMatch(run.stderr, /reconnect|connection closed/);
  assertNoLeaks(run, wrongKey);
});

test('a rejected key: one line with the error class, exit 1, the key never printed', async () => {
  const run = await rejected;
  assert.equal(run.code, 1);
  assert.match(run.stderr, /^✗ AuthenticationError: /m);
  assertNoLeaks(run, wrongKey, 'the-right-key');
});
