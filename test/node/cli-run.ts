// Running the built CLI (dist/cli.js, as `npx aui-messaging` runs it) as a child process, for the
// cli*.test.ts files. Every run gets XDG_CONFIG_HOME pointed at a temporary directory, so no test
// ever reads or writes the real ~/.config, and no AUI_NETWORK_API_KEY unless the test gives one.
// Needs `npm run build` first (npm test builds before it tests).
import assert from 'node:assert/strict';
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CLI = join(ROOT, 'dist', 'cli.js');
/** What must never be printed, whatever the test: the mock's default key, the WebSocket's key parameter. */
const ALWAYS_SECRET = ['test-key', 'network_api_key'];

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** XDG_CONFIG_HOME for the run; default: a fresh empty directory. */
  configHome?: string;
  env?: Record<string, string>;
  /** Written to stdin, which is then closed. */
  input?: string;
}

const made: string[] = [];
process.on('exit', () => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A new empty directory, removed when the test process exits. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'aui-cli-'));
  made.push(dir);
  return dir;
}

/** The credentials file under a config home. */
export function credentialsIn(configHome: string): string {
  return join(configHome, 'aui-messaging', 'credentials.json');
}

export function cliEnv(options: RunOptions = {}): NodeJS.ProcessEnv {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first.`);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NO_COLOR: '1',
    XDG_CONFIG_HOME: options.configHome ?? tempDir(),
    ...options.env,
  };
  if (!options.env?.AUI_NETWORK_API_KEY) delete env.AUI_NETWORK_API_KEY;
  return env;
}

/** Starts the CLI; the caller drives stdin and waits for it. */
export function startCli(args: string[], options: RunOptions = {}): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: cliEnv(options), stdio: 'pipe' });
}

/** Collects a child's output until it exits (killed after 15 s, so a hang fails instead of stalling). */
export function finished(child: ChildProcessWithoutNullStreams): Promise<Run> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Runs the CLI to the end with `input` on stdin. */
export function cli(args: string[], options: RunOptions = {}): Promise<Run> {
  const child = startCli(args, options);
  const done = finished(child);
  child.stdin.end(options.input ?? '');
  return done;
}

/** Resolves with everything `stream` printed once `pattern` matches it. */
export function waitFor(stream: NodeJS.ReadableStream, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(
      () => reject(new Error(`timed out waiting for ${pattern}; saw:\n${seen}`)),
      10_000,
    );
    const onData = (chunk: Buffer | string) => {
      seen += chunk.toString();
      if (!pattern.test(seen)) return;
      clearTimeout(timer);
      stream.off('data', onData);
      resolve(seen);
    };
    stream.on('data', onData);
  });
}

/** Neither stream shows a secret (nor the last 8+ characters of one) or a stack trace. */
export function assertNoLeaks(run: Pick<Run, 'stdout' | 'stderr'>, ...secrets: string[]): void {
  for (const text of [run.stdout, run.stderr]) {
    for (const secret of [...ALWAYS_SECRET, ...secrets]) {
      assert.ok(!text.includes(secret), `output contains ${secret}:\n${text}`);
      if (secret.length >= 12)
        assert.ok(!text.includes(secret.slice(-8)), `output contains the end of ${secret}:\n${text}`);
    }
    assert.doesNotMatch(text, /\n\s+at .+:\d+:\d+/, 'output contains a stack trace');
  }
}
