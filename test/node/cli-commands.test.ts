// `aui-messaging send`, `tasks` and `mock`, as a user runs them: the built CLI as a child process
// against a mock AUI server (one this file starts, or the CLI's own `mock` command), with the key
// in AUI_NETWORK_API_KEY and --base-url. Also the usage errors, --help and exit codes.
// Run (after `npm run build`): node --import tsx --test test/node/cli-commands.test.ts
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { AuiClient, AuthenticationError } from '../../src/index.node.ts';
import { defaultReply } from '../../src/mock/messages.ts';
import { type MockAui, startMockAui } from '../../src/mock/index.ts';
import { assertNoLeaks, cli, finished, type RunOptions, startCli, waitFor } from './cli-run.ts';

const KEY = 'API_KEY_01JCOMMANDS000000000000000c0de';
const QUESTION = 'I need a built-in microwave';

let mock: MockAui;
let aui: AuiClient;
before(async () => {
  mock = await startMockAui({ apiKey: KEY });
  aui = new AuiClient({ apiKey: KEY, baseUrl: mock.url });
});
after(() => mock.close());

/** The CLI with the key in the environment, pointed at this file's mock. */
function run(args: string[], options: RunOptions = {}) {
  return cli([...args, '--base-url', mock.url], {
    ...options,
    env: { AUI_NETWORK_API_KEY: KEY, ...options.env },
  });
}

test('send --task: the answer streamed to stdout, then its cards and suggestions; the turn is in the history', async () => {
  const task = await aui.tasks.create({ user_id: 'send-user' });
  const result = await run(['send', '--task', task.id, QUESTION]);
  assert.equal(result.code, 0, result.stderr);
  const reply = defaultReply(QUESTION);
  const lines = result.stdout.split('\n');
  assert.equal(lines[0], reply.text);
  for (const product of reply.products!) assert.ok(result.stdout.includes(product.name), result.stdout);
  assert.ok(result.stdout.includes(`[1] ${reply.followup_suggestions![0]}`), result.stdout);
  const history = (await aui.tasks.messages(task.id)).map((m) => [m.sender?.type, m.text]);
  assert.deepEqual(history, [
    ['user', QUESTION],
    ['agent', reply.text],
  ]);
  assert.equal(result.stderr, '', 'nothing on stderr when all went well');
  assertNoLeaks(result, KEY);
});

test('send --json: the final message as JSON, nothing streamed', async () => {
  const task = await aui.tasks.create({ user_id: 'send-user' });
  const result = await run(['send', '--json', '--task', task.id, QUESTION]);
  assert.equal(result.code, 0, result.stderr);
  const message = JSON.parse(result.stdout);
  assert.equal(message.text, defaultReply(QUESTION).text);
  assert.equal(typeof message.id, 'string');
  assert.ok(Array.isArray(message.cards), 'the cards are in it');
  assertNoLeaks(result, KEY);
});

test('send without --task starts a task for --user and says its id; the text may come from stdin', async () => {
  const result = await run(['send', '--user', 'stdin-user'], { input: 'what is on sale?\n' });
  assert.equal(result.code, 0, result.stderr);
  const id = /new task (\w+) \(continue it with --task \1\)/.exec(result.stderr)?.[1];
  assert.ok(id, result.stderr);
  assert.equal((await aui.tasks.get(id)).user_id, 'stdin-user');
  assert.equal(result.stdout.split('\n')[0], defaultReply('what is on sale?').text);
});

test('an answer that quotes the key (a server echoing it) is printed with the key redacted', async () => {
  const task = await aui.tasks.create({ user_id: 'echo-user' });
  const echoing = `Your key is ${KEY}, as you sent it.`;
  mock.setReply({ text: echoing, chunks: [echoing] });
  try {
    for (const json of [[], ['--json']]) {
      const result = await run(['send', ...json, '--task', task.id, 'what is my key?']);
      assert.equal(result.code, 0, result.stderr);
      assert.ok(result.stdout.includes('Your key is [redacted]'), result.stdout);
      assertNoLeaks(result, KEY);
    }
  } finally {
    mock.setReply(({ text }) => defaultReply(text));
  }
});

test('send --mock needs no key at all', async () => {
  const result = await cli(['send', '--mock', QUESTION]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout.split('\n')[0], defaultReply(QUESTION).text);
  assertNoLeaks(result);
});

test('send to a task that does not exist: one line with the error class, exit 1', async () => {
  const result = await run(['send', '--task', '000000000000000000000000', 'hello']);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /^✗ \w+Error: /m);
  assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
  assertNoLeaks(result, KEY);
});

test('Ctrl-C during send stops the answer: exit 130', async () => {
  const task = await aui.tasks.create({ user_id: 'send-user' });
  mock.setOptions({ frameDelayMs: 300 });
  try {
    const child = startCli(['send', '--task', task.id, QUESTION, '--base-url', mock.url], {
      env: { AUI_NETWORK_API_KEY: KEY },
    });
    child.stdin.end();
    const done = finished(child);
    await waitFor(child.stdout, /\S/); // the first words arrived
    child.kill('SIGINT');
    const result = await done;
    assert.equal(result.code, 130, result.stderr);
    assert.match(result.stderr, /■ stopped/);
    assert.ok(!result.stdout.includes(defaultReply(QUESTION).text), 'the answer was cut short');
  } finally {
    mock.setOptions({ frameDelayMs: 0 });
  }
});

test('tasks list: the first page by default, --all for every page, --json for scripts', async () => {
  const user_id = `list-user-${Date.now()}`;
  const ids: string[] = [];
  for (let i = 0; i < 12; i++) ids.push((await aui.tasks.create({ user_id })).id);

  const first = await run(['tasks', 'list', '--user', user_id]);
  assert.equal(first.code, 0, first.stderr);
  assert.deepEqual(
    first.stdout.trim().split('\n'),
    ids.slice(0, 10).map((id) => `${id}  New Conversation`),
  );
  assert.match(first.stderr, /10 of 12 tasks: --all lists every page/);

  const all = await run(['tasks', 'list', '--user', user_id, '--all', '--json']);
  assert.equal(all.code, 0, all.stderr);
  assert.deepEqual(
    JSON.parse(all.stdout).map((task: { id: string }) => task.id),
    ids,
  );

  const none = await run(['tasks', 'list', '--user', 'nobody-here']);
  assert.equal(none.code, 0);
  assert.equal(none.stdout, '');
  assert.match(none.stderr, /no tasks for user nobody-here/);
});

test('tasks messages: the history as you › / agent › lines, or --json', async () => {
  const task = await aui.tasks.create({ user_id: 'history-user' });
  await aui.messages.send({ task_id: task.id, text: QUESTION });
  const lines = await run(['tasks', 'messages', task.id]);
  assert.equal(lines.code, 0, lines.stderr);
  const out = lines.stdout.split('\n');
  assert.equal(out[0], `you › ${QUESTION}`);
  assert.equal(out[1], `agent › ${defaultReply(QUESTION).text}`);
  assert.ok(lines.stdout.includes('Panasonic NN-SN98JS'), lines.stdout);

  const json = await run(['tasks', 'messages', task.id, '--json']);
  assert.deepEqual(
    JSON.parse(json.stdout).map((m: { text: string }) => m.text),
    [QUESTION, defaultReply(QUESTION).text],
  );

  const missing = await run(['tasks', 'messages', 'no-such-task']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^✗ NotFoundError: /m);
});

test('usage errors: one line, a hint, exit 2, and no request sent', async () => {
  mock.reset();
  const cases: Array<[string[], RegExp]> = [
    [['send', '--task', 't1'], /No message given/],
    [['send', '--task', 't1', '--user', 'u', 'hi'], /--user is for a new task/],
    [['send', '--region', 'mars', 'hi'], /--region must be one of gcp, azure, aws \(got "mars"\)/],
    [['send', '--mock', '--region', 'gcp', 'hi'], /--mock runs against the embedded mock server/],
    [['tasks'], /tasks needs `list` or `messages`/],
    [['tasks', 'remove'], /Unknown tasks command "remove"/],
    [['tasks', 'messages'], /tasks messages needs a task id/],
    [['mock', '--port', 'http'], /--port must be a whole number from 0 to 65535/],
    [['nope'], /Unknown command "nope"/],
    [[], /No command given/],
    [['send', '--frobnicate', 'hi'], /Unknown option '--frobnicate'/],
  ];
  for (const [args, message] of cases) {
    const result = await cli(args, { env: { AUI_NETWORK_API_KEY: KEY } });
    assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, message);
    assert.equal(result.stderr.trim().split('\n').length, 2, result.stderr);
  }
  assert.deepEqual(mock.requests, []);
});

test('--help: the command list, and each command’s own help, exit 0', async () => {
  const overview = await cli(['--help']);
  assert.equal(overview.code, 0);
  for (const name of ['chat', 'send', 'tasks', 'login', 'logout', 'whoami', 'mock']) {
    assert.match(overview.stdout, new RegExp(`^  ${name} `, 'm'));
    const own = await cli([name, '--help']);
    assert.equal(own.code, 0, name);
    assert.match(own.stdout, new RegExp(`^Usage: aui-messaging ${name}`), name);
    assert.deepEqual(await cli(['help', name]), own);
  }
});

test('mock: serves the mock for other tools, prints its URLs and key, stops on Ctrl-C (exit 0) or SIGTERM', async () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    const child = startCli(['mock', '--port', '0']);
    const done = finished(child);
    const printed = await waitFor(child.stdout, /"hello"\n/); // the last line it prints
    const url = /REST\s+(http:\/\/127\.0\.0\.1:\d+\/api\/ia-controller)\n/.exec(printed)?.[1];
    const wsUrl = /WebSocket\s+(ws:\/\/\S+)\n/.exec(printed)?.[1];
    const key = /key\s+(\S+)\n/.exec(printed)?.[1];
    assert.ok(url && wsUrl && key, printed);
    assert.equal(wsUrl, `${url.replace('http:', 'ws:')}/api/v1/external/session`);
    assert.ok(printed.includes(`AUI_NETWORK_API_KEY=${key} aui-messaging send --base-url ${url}`), printed);

    // Another tool uses it: REST and a streamed turn with the printed key; a wrong key is refused.
    const other = new AuiClient({ apiKey: key, baseUrl: url });
    const task = await other.tasks.create({ user_id: 'tool' });
    assert.equal(
      await other.messages.stream({ task_id: task.id, text: 'hi' }).finalText(),
      defaultReply('hi').text,
    );
    const wrong = new AuiClient({ apiKey: 'not-the-key', baseUrl: url, maxRetries: 0 });
    await assert.rejects(wrong.tasks.list({ user_id: 'tool' }), AuthenticationError);

    child.kill(signal);
    const result = await done;
    assert.equal(result.code, 0, `${signal}: ${result.stderr}`);
    assert.match(result.stderr, /mock server stopped/);
    await assert.rejects(fetch(url), 'the port is closed');
  }
});
