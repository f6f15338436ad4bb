// The CLI on a real terminal: a pseudo-terminal from util-linux `script` (no npm dependency),
// the built CLI inside it. The hidden prompt of `login` (nothing echoed, Backspace edits, Ctrl-C
// leaves with 130), and colours: on a terminal unless NO_COLOR, never in a pipe.
// Run (after `npm run build`): node --import tsx --test test/node/cli-tty.test.ts
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { type MockAui, startMockAui } from '../../src/mock/index.ts';
import { CLI, cli, cliEnv, credentialsIn, finished, type RunOptions, tempDir, waitFor } from './cli-run.ts';

const KEY = 'API_KEY_01JTTYTEST00000000000000000a7b9';
const ESC = '\u001b';
const PROMPT = /Network API key \(input hidden\): $/;
const hasScript = spawnSync('script', ['--version']).status === 0;
const skip = hasScript ? false : 'needs `script` (util-linux) for a pseudo-terminal';

let mock: MockAui;
before(async () => {
  mock = await startMockAui({ apiKey: KEY });
});
after(() => mock.close());

/** The CLI inside a pseudo-terminal: what the terminal shows comes back on the child's stdout. */
function onTerminal(args: string[], options: RunOptions = {}) {
  const command = [process.execPath, CLI, ...args].map((arg) => `'${arg}'`).join(' ');
  return spawn('script', ['--quiet', '--return', '--command', command, '/dev/null'], {
    env: cliEnv(options),
    stdio: 'pipe',
  });
}

test(
  'login on a terminal: a hidden prompt, the key never echoed, Backspace edits what was typed',
  { skip },
  async () => {
    const configHome = tempDir();
    const child = onTerminal(['login', '--base-url', mock.url], { configHome });
    const done = finished(child);
    await waitFor(child.stdout, PROMPT); // raw mode is on before the prompt shows
    // Typed one piece at a time, with a typo erased, as a person would.
    child.stdin.write(KEY.slice(0, 20));
    child.stdin.write(`${KEY.slice(20)}X\u007f`);
    child.stdin.write('\r');
    const result = await done;
    assert.equal(result.code, 0, result.stdout);
    assert.match(result.stdout, /✓ API_KEY_…a7b9 works with /);
    for (const piece of [KEY, KEY.slice(0, 20), KEY.slice(20), 'API_KEY_01J'])
      assert.ok(!result.stdout.includes(piece), `the terminal showed "${piece}":\n${result.stdout}`);
    assert.equal(JSON.parse(await readFile(credentialsIn(configHome), 'utf8')).apiKey, KEY);
  },
);

test('Ctrl-C at the prompt: exit 130, nothing saved, nothing echoed', { skip }, async () => {
  const configHome = tempDir();
  const child = onTerminal(['login', '--base-url', mock.url], { configHome });
  const done = finished(child);
  await waitFor(child.stdout, PROMPT);
  child.stdin.write('API_KEY_half');
  child.stdin.write('\u0003');
  const result = await done;
  assert.equal(result.code, 130, result.stdout);
  assert.match(result.stdout, /■ interrupted/);
  assert.ok(!result.stdout.includes('API_KEY_half'));
  assert.ok(!existsSync(credentialsIn(configHome)));
});

test(
  'after the prompt the terminal is back to normal: Ctrl-C during the check interrupts it (130), nothing saved',
  { skip },
  async () => {
    const configHome = tempDir();
    mock.failRest({ match: 'GET /tasks', delayMs: 5_000, passThrough: true });
    try {
      const child = onTerminal(['login', '--base-url', mock.url], { configHome });
      const done = finished(child);
      await waitFor(child.stdout, PROMPT);
      child.stdin.write(`${KEY}\r`);
      await waitFor(child.stdout, /checking the key/);
      child.stdin.write('\u0003'); // a signal only if raw mode is off again
      const result = await done;
      assert.equal(result.code, 130, result.stdout);
      assert.ok(!existsSync(credentialsIn(configHome)));
    } finally {
      mock.reset();
    }
  },
);

test('colours on a terminal; none with NO_COLOR; never escape codes in a pipe', { skip }, async () => {
  // The terminal's input stays open: `script` ends the session when its input does.
  const colour = new RegExp(`${ESC}\\[\\d+m`); // an SGR sequence: a colour, bold or dim
  const coloured = await finished(onTerminal(['send', '--mock', 'microwave'], { env: { NO_COLOR: '' } }));
  assert.equal(coloured.code, 0, coloured.stdout);
  assert.match(coloured.stdout, colour);

  const plain = await finished(onTerminal(['send', '--mock', 'microwave'], { env: { NO_COLOR: '1' } }));
  assert.equal(plain.code, 0, plain.stdout);
  assert.doesNotMatch(plain.stdout, colour);

  const piped = await cli(['send', '--mock', 'microwave'], { env: { NO_COLOR: '' } });
  assert.equal(piped.code, 0, piped.stderr);
  assert.ok(!(piped.stdout + piped.stderr).includes(ESC), 'no colour, no spinner in a pipe');
});
