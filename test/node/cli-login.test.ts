// `aui-messaging login`, `whoami`, `logout` and the key chain, as a user runs them: the built CLI
// as a child process against a mock AUI server this file starts, XDG_CONFIG_HOME in a temp dir.
// Run (after `npm run build`): node --import tsx --test test/node/cli-login.test.ts
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { after, before, test } from 'node:test';
import { AuiClient, storedKey } from '../../src/index.node.ts';
import { type MockAui, startMockAui } from '../../src/mock/index.ts';
import { assertNoLeaks, cli, credentialsIn, tempDir } from './cli-run.ts';

// Shaped like the keys AUI issues; ends in 4f2a so the mask is `API_KEY_…4f2a`.
const KEY = 'API_KEY_01JCLITESTKEY9d8e7f6a5b4c4f2a';
const MASKED = 'API_KEY_…4f2a';
const WRONG = 'API_KEY_01JWRONGKEY00000000000000beef';

let mock: MockAui;
before(async () => {
  mock = await startMockAui({ apiKey: KEY });
});
after(() => mock.close());

/** A port on 127.0.0.1 that nothing listens on (it did a moment ago). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function loggedIn(configHome = tempDir()): Promise<string> {
  const run = await cli(['login', '--base-url', mock.url], { configHome, input: `${KEY}\n` });
  assert.equal(run.code, 0, run.stderr);
  return configHome;
}

test('login from stdin: checks the key with one GET, saves it with its endpoint, mode 0600, shown masked', async () => {
  const configHome = tempDir();
  mock.reset();
  const run = await cli(['login', '--base-url', mock.url], { configHome, input: `${KEY}\n` });
  assert.equal(run.code, 0, run.stderr);
  assert.ok(run.stdout.includes(MASKED), run.stdout);
  assert.match(run.stdout, /saved to .*credentials\.json \(readable by you only\)/);
  assertNoLeaks(run, KEY);

  // The check: one tasks.list, one task at most, with the key; nothing created.
  assert.deepEqual(
    mock.requests.map((r) => [r.method, r.path.replace(/^.*\/external/, ''), r.query.size]),
    [['GET', '/tasks', '1']],
  );
  assert.equal(mock.requests[0]!.headers['x-network-api-key'], KEY);

  const file = credentialsIn(configHome);
  assert.equal((await stat(file)).mode & 0o777, 0o600);
  assert.equal((await stat(dirname(file))).mode & 0o777, 0o700);
  const saved = JSON.parse(await readFile(file, 'utf8'));
  assert.equal(saved.apiKey, KEY);
  assert.equal(saved.baseUrl, mock.url);
  assert.equal(saved.region, 'gcp');
  assert.ok(!Number.isNaN(Date.parse(saved.savedAt)));
  // Written through a temporary file renamed into place: nothing else left in the directory.
  assert.deepEqual(await readdir(dirname(file)), ['credentials.json']);
});

test('login --api-key: accepted as the docs show, with a warning about shell history', async () => {
  const configHome = tempDir();
  const run = await cli(['login', '--base-url', mock.url, '--api-key', KEY], { configHome });
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /--api-key puts the key in your shell history/);
  assert.equal(JSON.parse(await readFile(credentialsIn(configHome), 'utf8')).apiKey, KEY);
  assertNoLeaks(run, KEY);
});

test('a rejected key: exit 1, one line why, nothing saved, and an earlier login left as it was', async () => {
  const fresh = tempDir();
  const run = await cli(['login', '--base-url', mock.url], { configHome: fresh, input: `${WRONG}\n` });
  assert.equal(run.code, 1);
  assert.match(
    run.stderr,
    /^✗ http:\/\/127\.0\.0\.1:\d+\/api\/ia-controller rejected the key \(401\): nothing was saved\.$/m,
  );
  assert.ok(!existsSync(dirname(credentialsIn(fresh))), 'no credentials directory');
  assertNoLeaks(run, WRONG);

  const configHome = await loggedIn();
  const before = await readFile(credentialsIn(configHome), 'utf8');
  const again = await cli(['login', '--base-url', mock.url, '--api-key', WRONG], { configHome });
  assert.equal(again.code, 1);
  assert.equal(await readFile(credentialsIn(configHome), 'utf8'), before);
  assert.deepEqual(await readdir(dirname(credentialsIn(configHome))), ['credentials.json']);
});

test('an unreachable endpoint: exit 1, the cause, nothing saved', async () => {
  const configHome = tempDir();
  const port = await closedPort();
  const run = await cli(['login', '--base-url', `http://127.0.0.1:${port}/api/ia-controller`], {
    configHome,
    input: KEY,
  });
  assert.equal(run.code, 1);
  assert.match(
    run.stderr,
    new RegExp(
      `Could not check the key, so nothing was saved: APIConnectionError: .*ECONNREFUSED 127\\.0\\.0\\.1:${port}`,
    ),
  );
  assert.ok(!existsSync(credentialsIn(configHome)));
  assertNoLeaks(run, KEY);
});

test('--token, --email and a browser login: one line on where network keys come from, exit 2', async () => {
  const token = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyIn0.c2lnbmF0dXJlLXNlY3JldA';
  for (const args of [['--token', token], ['--email', 'user@example.com'], ['--browser']]) {
    const run = await cli(['login', ...args]);
    assert.equal(run.code, 2, args.join(' '));
    assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
    assert.match(run.stderr, /login to an AUI account .*not a network API key/);
    assert.match(run.stderr, /AUI Console \(https:\/\/console\.aui\.io\)/);
    assertNoLeaks(run, token);
  }
  // The same token pasted as if it were a key.
  const pasted = await cli(['login', '--base-url', mock.url], { input: token });
  assert.equal(pasted.code, 2);
  assert.match(pasted.stderr, /looks like an access token/);
  assertNoLeaks(pasted, token);
});

test('a stray argument (perhaps the key) is never echoed back', async () => {
  const run = await cli(['login', KEY]);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /login takes no arguments/);
  const option = await cli(['login', `--${KEY}`]);
  assert.equal(option.code, 2);
  assertNoLeaks(run, KEY);
  assertNoLeaks(option, KEY);
});

test('whoami: the key masked, where it came from, the endpoint, and that it works', async () => {
  const configHome = await loggedIn();
  const run = await cli(['whoami'], { configHome });
  assert.equal(run.code, 0, run.stderr);
  assert.match(
    run.stdout,
    new RegExp(`^key\\s+${MASKED}\\s+\\(stored in .*credentials\\.json, saved \\d{4}-\\d\\d-\\d\\d\\)$`, 'm'),
  );
  assert.match(run.stdout, new RegExp(`^where\\s+${mock.url.replace(/[.]/g, '\\.')}$`, 'm'));
  assert.match(run.stdout, /^user\s+cli-[0-9a-f]{8} \(the default --user\)$/m);
  assert.match(run.stdout, /^status\s+✓ works$/m);
  assertNoLeaks(run, KEY);

  // The server stops accepting it: still masked, rejected, exit 1.
  mock.setApiKey('API_KEY_01JROTATED000000000000000000');
  try {
    const rejected = await cli(['whoami'], { configHome });
    assert.equal(rejected.code, 1);
    assert.match(rejected.stdout, /^status\s+✗ rejected \(401\)$/m);
    assert.match(rejected.stderr, /aui-messaging login/);
    assertNoLeaks(rejected, KEY);
  } finally {
    mock.setApiKey(KEY);
  }
});

test('short and prefix-less keys: never more than the last 4 characters, none for a short key', async () => {
  const configHome = tempDir();
  for (const [key, shown] of [
    ['abcdefgh', /^key\s+…\s/m],
    ['plain-key-without-prefix-9f3c', /^key\s+…9f3c\s/m],
  ] as const) {
    const run = await cli(['whoami', '--base-url', mock.url], {
      configHome,
      env: { AUI_NETWORK_API_KEY: key },
    });
    assert.match(run.stdout, shown);
    assertNoLeaks(run, key);
  }
});

test('the key chain: AUI_NETWORK_API_KEY before the stored key, and whoami says the stored one is unused', async () => {
  const configHome = await loggedIn();
  const run = await cli(['whoami', '--base-url', mock.url], {
    configHome,
    env: { AUI_NETWORK_API_KEY: WRONG },
  });
  assert.equal(run.code, 1, 'the variable wins, and it is wrong');
  assert.match(
    run.stdout,
    /^key\s+API_KEY_…beef\s+\(from AUI_NETWORK_API_KEY; the stored key is not used while it is set\)$/m,
  );
  assertNoLeaks(run, KEY, WRONG);
});

test('logout deletes the file; then the chain has no key: an error naming both sources and --mock, exit 2', async () => {
  const configHome = await loggedIn();
  const run = await cli(['logout'], { configHome });
  assert.equal(run.code, 0);
  assert.match(run.stdout, /^✓ Logged out: deleted .*credentials\.json\.$/m);
  assert.ok(!existsSync(credentialsIn(configHome)));

  const again = await cli(['logout'], { configHome });
  assert.equal(again.code, 0);
  assert.match(again.stdout, /^Not logged in/m);

  for (const args of [['whoami'], ['send', '--task', 't1', 'hi'], ['tasks', 'list']]) {
    const none = await cli(args, { configHome });
    assert.equal(none.code, 2, args.join(' '));
    assert.match(
      none.stderr,
      /No API key: AUI_NETWORK_API_KEY is not set and no key is stored \(.*credentials\.json\)/,
    );
    assert.match(none.stderr, /aui-messaging login/);
    assert.match(none.stderr, /--mock/);
  }
});

test('a credentials file that is not one: one line naming the file, never its content', async () => {
  const configHome = tempDir();
  const file = credentialsIn(configHome);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `apiKey=${KEY}\n`, { mode: 0o600 });
  const run = await cli(['whoami'], { configHome });
  assert.equal(run.code, 1);
  assert.match(
    run.stderr,
    /credentials\.json is not an aui-messaging credentials file: run `aui-messaging login` again\./,
  );
  assertNoLeaks(run, KEY);
});

test('whoami warns when the file can be read by others', async () => {
  const configHome = await loggedIn();
  const { chmod } = await import('node:fs/promises');
  await chmod(credentialsIn(configHome), 0o644);
  const run = await cli(['whoami'], { configHome });
  assert.match(run.stderr, /can be read by other users: chmod 600 /);
});

test('storedKey() reads what login saved, on every request', async () => {
  const configHome = await loggedIn();
  const path = credentialsIn(configHome);
  const aui = new AuiClient({ apiKey: storedKey({ path }), baseUrl: mock.url, maxRetries: 0 });
  const task = await aui.tasks.create({ user_id: 'stored-key-user' });
  assert.equal(task.user_id, 'stored-key-user');

  const gone = new AuiClient({ apiKey: storedKey({ path: `${path}.missing` }), baseUrl: mock.url });
  await assert.rejects(gone.tasks.list({ user_id: 'u' }), (error: Error) => {
    assert.equal(error.name, 'InvalidRequestError');
    assert.match(
      error.message,
      /No stored API key \(.*credentials\.json\.missing\): run `aui-messaging login`/,
    );
    return true;
  });

  await writeFile(path, `{"apiKey": "${KEY}",`);
  await assert.rejects(aui.tasks.list({ user_id: 'u' }), (error: Error) => {
    assert.match(error.message, /is not an aui-messaging credentials file/);
    assert.ok(!error.message.includes(KEY.slice(-8)), error.message);
    return true;
  });
});
