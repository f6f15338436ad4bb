#!/usr/bin/env node
// npm run test:runtimes — the runtime matrix (test/runtimes/, docs/runtimes.md): the packed package, in
// every runtime it promises, against the mock AUI server on 127.0.0.1.
//
//   1. `npm run build`, then `npm pack` once into .tmp/aui-runtimes/pack/.
//   2. A staging folder .tmp/aui-runtimes/app/ with its own package.json (and an
//      empty tsconfig.json, so nothing above it — the repo's `paths` to src/ — applies), where
//      `npm install` puts the tarball (and its dependencies) in node_modules, as for a user.
//      test/runtimes/ is copied next to it, so every runtime resolves `aui-messaging`,
//      `aui-messaging/mock`… from that install through the package's `exports`, never from src/.
//      What must be bundled (Node entries: TS → JS with packages left external; the Worker, the
//      Edge script and the browser test: everything, with the runtime's conditions) is bundled
//      there by esbuild, and the bundle's inputs are checked to come from the tarball only.
//   3. Per runtime: a fresh mock (`startMockAui` from the tarball's `aui-messaging/mock`) in this
//      Node 20 process, the runtime started as a child process (its own process group), the
//      mock's log checked afterwards (the runtime reached it, with the key, and told us who it is).
//   4. One line per runtime (`PASS node20 (v20.20.2) 1.2s` / `FAIL firefox: <reason>`, with the
//      runtime's output below a failure) and a last line `N passed, N failed`; exit 1 if any failed.
//      A runtime that cannot start is a failure. Every process started is stopped at the end,
//      also on failure, timeout or Ctrl-C (the whole process tree, by pid).
//
// Options: --only=node20,deno  (a subset)   --jobs=N  (runtimes at a time; default 2, 2 cores)
//          --verbose           (print every runtime's output)
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cp, mkdir, realpath, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { delimiter, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SOURCE = join(ROOT, 'test', 'runtimes');
// Not under node_modules/: Deno refuses to strip types from files there (ERR_UNSUPPORTED_NODE_MODULES_TYPE_STRIPPING),
// and a user's app does not live there either. .tmp/ is git-ignored.
const CACHE = join(ROOT, '.tmp', 'aui-runtimes');
const PACK = join(CACHE, 'pack');
const APP = join(CACHE, 'app');
const BIN = join(ROOT, 'node_modules', '.bin');
const KEY = 'API_KEY_runtimes_0123456789';

const options = parseArgs(process.argv.slice(2));

/* ------------------------------------------------------------------ processes */

/** Every child started, until its whole tree is stopped. */
const children = new Set();

function start(command, args, { env = {}, cwd = APP } = {}) {
  const child = spawn(command, args, {
    cwd,
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group: nothing it starts survives stopTree
  });
  child.output = ''; // stdout and stderr as they came
  child.stdoutText = '';
  const collect = (chunk) => {
    if (child.output.length < 400_000) child.output += chunk.toString();
    if (options.verbose) process.stdout.write(chunk);
  };
  child.stdout.on('data', (chunk) => {
    child.stdoutText += chunk.toString();
    collect(chunk);
  });
  child.stderr.on('data', collect);
  child.exited = new Promise((resolve) => {
    child.once('error', (error) => {
      child.output += `\ncould not start ${command}: ${error.message}\n`;
      resolve({ code: null, signal: null, error });
    });
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  children.add(child);
  return child;
}

function childEnv(extra) {
  const env = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', DENO_NO_UPDATE_CHECK: '1', ...extra };
  // Node 20 must run with no global WebSocket (the `ws` fallback is what it tests), and no
  // loader of ours (tsx) may touch how a runtime resolves the package.
  delete env.NODE_OPTIONS;
  return env;
}

/** pid → parent pid, for every process (Linux /proc). */
function processTable() {
  const parents = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parents.set(Number(entry), Number(fields[1]));
    } catch {
      // gone meanwhile
    }
  }
  return parents;
}

/** The pid and every descendant of it still alive (browsers may start their own process groups). */
function tree(pid) {
  const parents = processTable();
  const found = new Set([pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [child, parent] of parents) {
      if (found.has(parent) && !found.has(child)) {
        found.add(child);
        grew = true;
      }
    }
  }
  return [...found];
}

const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const signal = (pid, name) => {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
};

/** SIGTERM to the child's process group and every descendant, SIGKILL to what is left after 3 s. */
async function stopTree(child) {
  if (!child.pid) return children.delete(child);
  const pids = new Set([...tree(child.pid), ...groupMembers(child.pid)]);
  signal(-child.pid, 'SIGTERM');
  for (const pid of pids) signal(pid, 'SIGTERM');
  const deadline = Date.now() + 3000;
  while ([...pids].some(alive) && Date.now() < deadline) await sleep(50);
  signal(-child.pid, 'SIGKILL');
  for (const pid of pids) if (alive(pid)) signal(pid, 'SIGKILL');
  await Promise.race([child.exited, sleep(1000)]);
  children.delete(child);
}

/** Processes still in the child's process group (descendants re-parented to init after it exited). */
function groupMembers(pgid) {
  const members = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid) members.push(...tree(Number(entry)));
    } catch {
      // gone meanwhile
    }
  }
  return members;
}

async function stopAll() {
  await Promise.allSettled([...children].map(stopTree));
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs a command to completion; rejects with its output if it fails. */
async function exec(command, args, { cwd = ROOT, env = {}, timeoutMs = 300_000 } = {}) {
  const child = start(command, args, { cwd, env });
  const timer = setTimeout(() => stopTree(child), timeoutMs);
  const { code, signal: killedBy } = await child.exited;
  clearTimeout(timer);
  await stopTree(child);
  if (code !== 0)
    throw new Error(`${command} ${args.join(' ')} failed (${killedBy ?? code}):\n${child.output.trim()}`);
  return child.stdoutText;
}

function probe(command, args) {
  return execFileSync(command, args, {
    encoding: 'utf8',
    timeout: 20_000,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: childEnv({}),
  }).trim();
}

function which(command) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, command))) return join(dir, command);
  }
  return undefined;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/* ------------------------------------------------------------------ the package */

/** Build, pack, install the tarball into the staging folder, copy test/runtimes/ beside it. */
async function stage() {
  await exec('npm', ['run', 'build']);
  await rm(PACK, { recursive: true, force: true });
  await mkdir(PACK, { recursive: true });
  const packed = JSON.parse(await exec('npm', ['pack', '--json', '--silent', '--pack-destination', PACK]));
  const tarball = join(PACK, packed[0].filename);

  await rm(APP, { recursive: true, force: true });
  await mkdir(APP, { recursive: true });
  const manifest = {
    name: 'aui-runtimes-app',
    private: true,
    type: 'module',
    description: 'Staging folder of scripts/runtimes.mjs (recreated on every run).',
    dependencies: { 'aui-messaging': `file:${relative(APP, tarball).split(sep).join('/')}` },
  };
  await writeFile(join(APP, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
  // The nearest tsconfig for Bun and esbuild: without it they would find the repo's, whose
  // `paths` send `aui-messaging` to src/.
  await writeFile(join(APP, 'tsconfig.json'), '{ "compilerOptions": {} }\n');
  await exec(
    'npm',
    ['install', '--prefer-offline', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error'],
    { cwd: APP },
  );
  const pkg = await realpath(join(APP, 'node_modules', 'aui-messaging'));

  // test/runtimes/ as sources next to the install (not the nested Node 22/24 installs).
  await cp(SOURCE, APP, {
    recursive: true,
    filter: (src) => {
      const rel = relative(SOURCE, src).split(sep);
      return (
        !rel.includes('node_modules') &&
        !(rel.length === 2 && /^node\d+$/.test(rel[0]) && /^package(-lock)?\.json$/.test(rel[1]))
      );
    },
  });
  return { tarball, pkg, files: packed[0].entryCount, size: packed[0].size };
}

/**
 * esbuild from the staging folder. `web` bundles everything with the runtime's conditions and
 * checks the package came from the tarball's web build; otherwise (Node entries) TS → one JS
 * file, packages left for the runtime to resolve.
 */
async function bundle(entry, outfile, web) {
  const { build } = await import('esbuild');
  const result = await build({
    absWorkingDir: APP,
    entryPoints: [join(APP, entry)],
    outfile: join(APP, outfile),
    bundle: true,
    target: 'es2022',
    logLevel: 'silent',
    metafile: true,
    ...(web
      ? {
          platform: 'browser',
          format: web.format ?? 'esm',
          conditions: web.conditions,
          ...(web.globalName ? { globalName: web.globalName } : {}),
        }
      : { platform: 'node', format: 'esm', packages: 'external' }),
  });
  if (!web) return;
  const inputs = Object.keys(result.metafile.inputs);
  const strays = inputs.filter(
    (file) => !file.startsWith('node_modules/aui-messaging/dist/') && !/^(shared|workerd|edge)\//.test(file),
  );
  if (strays.length > 0)
    throw new Error(`${outfile}: inputs from outside the tarball install: ${strays.join(', ')}`);
  if (!inputs.includes('node_modules/aui-messaging/dist/index.js')) {
    throw new Error(
      `${outfile}: aui-messaging did not resolve to the web build dist/index.js (inputs: ${inputs.join(', ')})`,
    );
  }
}

/* ------------------------------------------------------------------ the runtimes */

const nodeBin = (major) => join(SOURCE, `node${major}`, 'node_modules', 'node', 'bin', 'node');
const SCENARIO_TIMEOUT = 90_000;
const BROWSER_TIMEOUT = 150_000;

function nodeRuntime(major) {
  const own = major === 20;
  const bin = () => {
    if (own) {
      if (!process.version.startsWith('v20.'))
        throw new Error(`node20 runs on this process's Node, which is ${process.version}`);
      return process.execPath;
    }
    const path = nodeBin(major);
    if (!existsSync(path))
      throw new Error(`${relative(ROOT, path)} is missing: run npm ci --prefix test/runtimes/node${major}`);
    return path;
  };
  return {
    name: `node${major}`,
    version: () => probe(bin(), ['--version']),
    prepare: () => bundle(`node${major}/runtime.test.ts`, `node${major}/runtime.test.mjs`),
    command: () => [bin(), ['--test', '--test-reporter=spec', `node${major}/runtime.test.mjs`]],
    agent: new RegExp(`^aui-messaging/\\S+ node/${major}\\.`),
    socketKey: own ? 'header' : 'query',
  };
}

const webkitDriver = {};

const runtimes = [
  nodeRuntime(20),
  nodeRuntime(22),
  nodeRuntime(24),
  {
    name: 'deno',
    version: () =>
      probe(join(BIN, 'deno'), ['--version'])
        .split('\n')[0]
        .replace(/\s*\(.*$/, ''),
    command: () => [
      join(BIN, 'deno'),
      ['test', '--allow-net', '--allow-env', '--allow-read', 'deno/runtime_test.ts'],
    ],
    agent: /^aui-messaging\/\S+ deno\/\d/,
  },
  {
    name: 'bun',
    version: () => `bun ${probe(join(BIN, 'bun'), ['--version'])}`,
    command: () => [join(BIN, 'bun'), ['test', './bun/runtime.test.ts']],
    agent: /^aui-messaging\/\S+ bun\/\d/,
  },
  {
    name: 'workerd',
    version: () => `${probe(join(BIN, 'workerd'), ['--version'])}, miniflare ${packageVersion('miniflare')}`,
    prepare: async () => {
      await bundle('workerd/worker.ts', 'workerd/worker.mjs', {
        conditions: ['workerd', 'worker', 'browser'],
      });
      await bundle('workerd/run.ts', 'workerd/run.mjs');
    },
    command: () => [process.execPath, ['workerd/run.mjs']],
    agent: /^aui-messaging\/\S+ workerd$/,
  },
  {
    name: 'edge',
    version: () => `@edge-runtime/vm ${packageVersion('@edge-runtime/vm')} on Node ${process.version}`,
    prepare: async () => {
      await bundle('edge/edge.ts', 'edge/edge.js', {
        conditions: ['edge-light', 'worker', 'browser'],
        format: 'iife',
        globalName: '__auiMatrix',
      });
      await bundle('edge/run.ts', 'edge/run.mjs');
    },
    command: () => [process.execPath, ['edge/run.mjs']],
    agent: /^aui-messaging\/\S+ edge-runtime$/,
  },
  {
    name: 'chromium',
    browser: true,
    version: () => {
      const path = process.env.CHROMIUM_PATH || which('chromium');
      if (!path || !existsSync(path)) throw new Error('chromium not found (apt-get install -y chromium)');
      return probe(path, ['--version'])
        .split('\n')
        .filter((l) => /chrom/i.test(l))
        .at(-1)
        .replace(/ built on .*$/, '');
    },
    prepare: bundleBrowserTest,
    command: () => [join(BIN, 'wtr'), ['--config', 'chromium/wtr.config.mjs']],
    env: () => ({ CHROMIUM_PATH: process.env.CHROMIUM_PATH || which('chromium') }),
    agent: /Chrome\/\d/,
  },
  {
    name: 'firefox',
    browser: true,
    version: () => {
      const path = which('firefox-esr');
      if (!path) throw new Error('firefox-esr not found (apt-get install -y firefox-esr)');
      return probe(path, ['--version']).replace(/^Mozilla /, '');
    },
    prepare: bundleBrowserTest,
    command: () => [join(BIN, 'wtr'), ['--config', 'firefox/wtr.config.mjs']],
    env: () => ({ FIREFOX_PATH: which('firefox-esr') }),
    agent: /Firefox\/\d/,
  },
  {
    name: 'webkit',
    browser: true,
    version: () => {
      if (!which('WebKitWebDriver'))
        throw new Error('WebKitWebDriver not found (apt-get install -y webkit2gtk-driver)');
      if (!which('xvfb-run')) throw new Error('xvfb-run not found (apt-get install -y xvfb xauth)');
      return `WebKitGTK ${probe('dpkg-query', ['-W', '-f=${Version}', 'libwebkit2gtk-4.1-0']).replace(/-.*$/, '')}`;
    },
    prepare: async () => {
      await bundleBrowserTest();
      // The driver, under a virtual X server; stopped with the runtime (stopTree on its tree).
      const port = await freePort();
      const driver = start('xvfb-run', [
        '-a',
        '-s',
        '-screen 0 1280x1024x24',
        'WebKitWebDriver',
        `--port=${port}`,
        '--host=127.0.0.1',
      ]);
      webkitDriver.child = driver;
      webkitDriver.port = port;
      const deadline = Date.now() + 30_000;
      for (;;) {
        if (driver.exitCode !== null || driver.signalCode !== null)
          throw new Error(`WebKitWebDriver exited at start:\n${driver.output}`);
        try {
          const status = await fetch(`http://127.0.0.1:${port}/status`);
          if (status.ok) break;
        } catch {
          // not listening yet
        }
        if (Date.now() > deadline)
          throw new Error(`WebKitWebDriver did not answer on port ${port} within 30 s:\n${driver.output}`);
        await sleep(200);
      }
    },
    command: () => [join(BIN, 'wtr'), ['--config', 'webkit/wtr.config.mjs']],
    env: () => ({ WEBKIT_DRIVER_PORT: String(webkitDriver.port) }),
    cleanup: async () => {
      if (webkitDriver.child) await stopTree(webkitDriver.child);
      webkitDriver.child = undefined;
    },
    agent: /AppleWebKit\/[\d.]+ \(KHTML, like Gecko\)(?!.*Chrome).*Safari/,
  },
];

let browserBundle;
function bundleBrowserTest() {
  // One bundle for the three browsers (made once, even when two run at the same time).
  browserBundle ??= bundle('shared/browser.test.ts', 'browser/runtime.test.js', { conditions: ['browser'] });
  return browserBundle;
}

function packageVersion(name) {
  return JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version;
}

/* ------------------------------------------------------------------ one runtime */

async function runOne(runtime, staged) {
  const started = Date.now();
  let version;
  let mock;
  let child;
  try {
    try {
      version = runtime.version();
    } catch (error) {
      throw new Error(`cannot start: ${firstLine(error.stderr?.toString() || error.message)}`, {
        cause: error,
      });
    }
    await runtime.prepare?.();
    mock = await staged.startMockAui({ apiKey: KEY });
    const [command, args] = runtime.command();
    child = start(command, args, {
      env: {
        AUI_MOCK_URL: mock.url,
        AUI_MOCK_WS_URL: mock.wsUrl,
        AUI_MOCK_KEY: KEY,
        AUI_RUNTIMES_APP: APP,
        AUI_RUNTIMES_PACKAGE: staged.pkg,
        ...runtime.env?.(),
      },
    });
    const timeoutMs = runtime.browser ? BROWSER_TIMEOUT : SCENARIO_TIMEOUT;
    const timer = setTimeout(() => {
      child.timedOut = true;
      void stopTree(child);
    }, timeoutMs);
    const { code, signal: killedBy } = await child.exited;
    clearTimeout(timer);
    if (child.timedOut) throw withOutput(new Error(`timed out after ${timeoutMs / 1000} s`), child.output);
    if (code !== 0)
      throw withOutput(
        new Error(reasonFrom(child.output) ?? `exited with ${killedBy ?? code}`),
        child.output,
      );
    const seen = checkMockLog(runtime, mock);
    const turns = /^turns: .*$/m.exec(child.output)?.[0];
    return {
      ok: true,
      line: `PASS ${runtime.name} (${version}) ${seconds(started)}`,
      detail: [turns, seen].filter(Boolean).join('; '),
    };
  } catch (error) {
    if (stopping) return { ok: false, line: `FAIL ${runtime.name}: interrupted (${stopping})` };
    return {
      ok: false,
      line: `FAIL ${runtime.name}: ${firstLine(error.message)}`,
      detail: error.output ?? error.message,
    };
  } finally {
    if (child) await stopTree(child);
    await runtime.cleanup?.();
    await mock?.close();
  }
}

/** What the mock saw: the runtime's requests carried the key, its WebSocket upgrades too, and who it said it was. */
function checkMockLog(runtime, mock) {
  const keyed = (r) => r.headers['x-network-api-key'] === KEY || r.query.network_api_key === KEY;
  const rest = mock.requests.filter((r) => r.method !== 'WS' && keyed(r));
  const sockets = mock.requests.filter((r) => r.method === 'WS');
  const good = sockets.filter(keyed);
  if (rest.length < 2)
    throw new Error(
      `the mock saw ${rest.length} REST call(s) with the key, expected tasks.create and messages.send`,
    );
  if (good.length < 2)
    throw new Error(
      `the mock saw ${good.length} WebSocket upgrade(s) with the key, expected one per turn (2)`,
    );
  if (sockets.length < 3)
    throw new Error(
      `the mock saw ${sockets.length} WebSocket upgrade(s), expected 3 (two turns, the wrong key)`,
    );
  const agent = rest[0].headers['user-agent'] ?? '';
  if (!runtime.agent.test(agent))
    throw new Error(
      `the mock was called by ${JSON.stringify(agent)}, which is not ${runtime.name} (${runtime.agent})`,
    );
  const where = [
    ...new Set(
      good.map((r) =>
        [r.query.network_api_key === KEY && 'query', r.headers['x-network-api-key'] === KEY && 'header']
          .filter(Boolean)
          .join('+'),
      ),
    ),
  ];
  if (runtime.socketKey && !where.every((w) => w.includes(runtime.socketKey))) {
    throw new Error(
      `socket key sent by ${where.join(', ')}, expected ${runtime.socketKey} (${runtime.socketKey === 'header' ? 'the ws fallback' : 'the native WebSocket'})`,
    );
  }
  return `socket key: ${where.join(', ')}; user-agent: ${agent}`;
}

function withOutput(error, output) {
  error.output = output;
  return error;
}

/** The most telling line of a failed runtime's output. */
function reasonFrom(output) {
  const lines = plain(output)
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const pick = (re) => lines.find((l) => re.test(l));
  return (
    pick(/scenario: (?!\$\{)/) ?? // a failed check of shared/scenario.ts (not the source line that builds it)
    pick(/\b(Assertion|Type|Reference|Syntax|Range)?Error\b|\berror:/i) ??
    pick(/not ok|✖|✗|\bFAIL\b|failed/i) ??
    lines.at(-1)
  );
}

// eslint-disable-next-line no-control-regex
const plain = (text) => String(text).replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
const firstLine = (text) => {
  const line =
    plain(text)
      .split('\n')
      .map((l) => l.trim())
      .find(Boolean) ?? '';
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
};
const seconds = (since) => `${((Date.now() - since) / 1000).toFixed(1)}s`;

/* ------------------------------------------------------------------ main */

function parseArgs(argv) {
  const out = { only: undefined, jobs: 2, verbose: false };
  for (const arg of argv) {
    if (arg.startsWith('--only=')) out.only = arg.slice(7).split(',').filter(Boolean);
    else if (arg.startsWith('--jobs=')) out.jobs = Math.max(1, Number(arg.slice(7)) || 1);
    else if (arg === '--verbose') out.verbose = true;
    else {
      console.error(`unknown option ${arg} (use --only=a,b --jobs=N --verbose)`);
      process.exit(2);
    }
  }
  return out;
}

function indent(text) {
  return plain(text)
    .trimEnd()
    .split('\n')
    .slice(-60)
    .map((l) => `    | ${l}`)
    .join('\n');
}

async function main() {
  const selected = options.only ? runtimes.filter((r) => options.only.includes(r.name)) : runtimes;
  const unknown = (options.only ?? []).filter((name) => !runtimes.some((r) => r.name === name));
  if (unknown.length > 0) {
    console.error(
      `unknown runtime(s): ${unknown.join(', ')} (known: ${runtimes.map((r) => r.name).join(', ')})`,
    );
    process.exit(2);
  }

  const results = [];
  let staged;
  try {
    const t = Date.now();
    const { tarball, pkg, files, size } = await stage();
    const mockModule = join(APP, 'mock-host.mjs');
    // Imported the way a user imports it: by name, from a module inside the staging folder.
    await writeFile(mockModule, "export { startMockAui } from 'aui-messaging/mock';\n");
    const { startMockAui } = await import(pathToFileURL(mockModule).href);
    staged = { pkg, startMockAui };
    console.log(
      `packed ${relative(ROOT, tarball)} (${files} files, ${(size / 1024).toFixed(1)} KB), installed in ${relative(ROOT, APP)} (${seconds(t)})`,
    );
  } catch (error) {
    // Nothing can run without the package: every runtime fails, with the reason.
    const why = stopping
      ? `interrupted (${stopping})`
      : 'the package could not be built, packed or installed';
    if (!stopping) console.log(`could not build, pack or install the package:\n${indent(error.message)}`);
    for (const runtime of selected) results.push({ ok: false, line: `FAIL ${runtime.name}: ${why}` });
  }

  if (staged) {
    // A small pool, printing the lines in matrix order as soon as each is known.
    const pending = selected.map(() => undefined);
    let next = 0;
    let printed = 0;
    const flush = () => {
      while (printed < pending.length && pending[printed]) {
        const result = pending[printed++];
        console.log(result.line);
        if (result.ok && result.detail) console.log(`    ${result.detail}`);
        if (!result.ok && result.detail) console.log(indent(result.detail));
        results.push(result);
      }
    };
    const worker = async () => {
      while (next < selected.length) {
        const index = next++;
        pending[index] = await runOne(selected[index], staged);
        flush();
      }
    };
    await Promise.all(Array.from({ length: Math.min(options.jobs, selected.length) }, worker));
  } else {
    for (const result of results) console.log(result.line);
  }

  const passed = results.filter((r) => r.ok).length;
  console.log(`${passed} passed, ${results.length - passed} failed`);
  return results.length > 0 && passed === results.length ? 0 : 1;
}

/** The signal that interrupted the run, if one did. */
let stopping;
for (const name of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(name, () => {
    if (stopping) return;
    stopping = name;
    console.log(`\n${name}: stopping every process started`);
    void stopAll().finally(() => process.exit(130));
  });
}

let code;
try {
  code = await main();
} finally {
  await stopAll();
}
process.exit(stopping ? 130 : code);
