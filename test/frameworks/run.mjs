#!/usr/bin/env node
// npm run test:frameworks — the package inside real framework builds (issue 15), the way users
// meet it: through Turbopack, webpack, Vite and wrangler, which each resolve the `exports` map
// their own way. Not part of `npm test` (minutes of builds); .ci/run runs it after installing each
// app (npm ci --prefix test/frameworks/<app>).
//
//   1. `npm run build`, `npm pack` into .tmp/aui-frameworks/pack/.
//   2. Per app (test/frameworks/apps.mjs), one after another (2 cores): the tarball installed into
//      the app after its `npm ci` (`npm install --no-save <tarball>`: the app's package.json and
//      lockfile never name it, so they stay byte-for-byte the same from run to run, which is
//      checked); its build outputs removed, then built, timed, with the key in the environment;
//      a mock AUI (`startMockAui` from the installed tarball) and the app's server on 127.0.0.1;
//      Chromium drives each chat page (test/frameworks/chat.mjs); the server is stopped.
//   3. Fails an app on: a failed build or page; a build or server output that names
//      aui-messaging (a warning: a clean one never does); the key in a build output, a log line
//      or any response the page (or an unauthenticated call) got; a bundle that took the package
//      from outside the tarball; traffic that did not reach the mock with the key.
//   4. One line per app (`PASS nextjs-turbopack …` / `FAIL worker: <reason>`), then exactly
//      `N passed, N failed`; exit 1 if any failed. A markdown table of build times and times to
//      first token goes to .tmp/aui-frameworks/results.md (and to --report=<path>).
//
// Options: --only=nextjs-turbopack,worker (a subset)  --verbose (echo every tool's output)
//          --report=<file> (also write the markdown table there)
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { apps } from './apps.mjs';
import { driveChat, launchChromium } from './chat.mjs';
import { keyHitsInFiles, plain, mentionsOfPackage } from './checks.mjs';
import { freePort, run, start, stop, stopAll, waitForHttp, withOutput } from './processes.mjs';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const ROOT = join(HERE, '..', '..');
const WORK = join(ROOT, '.tmp', 'aui-frameworks');
// A new key each run: a hit can only come from this run's builds and servers.
const KEY = `aui_frameworks_key_${randomBytes(12).toString('hex')}`;
const FRAME_DELAY_MS = 40; // the mock's pause between frames: slow enough to see the text grow
const BUILD_TIMEOUT_MS = 900_000;
const READY_TIMEOUT_MS = 180_000;

// No telemetry, no metrics, no update checks, no prompts: only 127.0.0.1 and the npm registry answer here.
const QUIET_TOOLS = {
  CI: 'true',
  NEXT_TELEMETRY_DISABLED: '1',
  WRANGLER_SEND_METRICS: 'false',
  WRANGLER_LOG_PATH: join(WORK, 'wrangler-logs'),
  NO_UPDATE_NOTIFIER: '1',
  npm_config_update_notifier: 'false',
};

const options = parseArgs(process.argv.slice(2));

/* ------------------------------------------------------------------ the package */

/** Builds and packs the package; the tarball's path and a hash per built file, to check installs against. */
async function pack() {
  await run('npm', ['run', 'build'], { cwd: ROOT, timeoutMs: BUILD_TIMEOUT_MS, echo: options.verbose });
  const destination = join(WORK, 'pack');
  await rm(destination, { recursive: true, force: true });
  await mkdir(destination, { recursive: true });
  const output = await run('npm', ['pack', '--json', '--silent', '--pack-destination', destination], {
    cwd: ROOT,
    timeoutMs: 120_000,
  });
  const [packed] = JSON.parse(output.slice(output.indexOf('[')));
  return { tarball: join(destination, packed.filename), dist: hashes(join(ROOT, 'dist')), size: packed.size };
}

/** relative path → sha256, for every file under `folder`. */
function hashes(folder) {
  const found = new Map();
  const visit = (path) => {
    if (statSync(path).isDirectory()) {
      for (const entry of readdirSync(path)) visit(join(path, entry));
    } else {
      found.set(relative(folder, path), createHash('sha256').update(readFileSync(path)).digest('hex'));
    }
  };
  visit(folder);
  return found;
}

const installed = new Map(); // app folder → promise of the install

/**
 * Puts the tarball into the app's node_modules, leaving its package.json and lockfile as they
 * were (checked), and checks the installed dist is the one just built.
 */
function installTarball(folder, staged) {
  if (!installed.has(folder)) installed.set(folder, install(folder, staged));
  return installed.get(folder);
}

async function install(folder, staged) {
  const dir = join(HERE, folder);
  if (!existsSync(join(dir, 'node_modules')))
    throw new Error(
      `test/frameworks/${folder} is not installed: run npm ci --prefix test/frameworks/${folder}`,
    );
  const manifests = ['package.json', 'package-lock.json'].map((file) => readFileSync(join(dir, file)));
  await rm(join(dir, 'node_modules', 'aui-messaging'), { recursive: true, force: true });
  await run(
    'npm',
    [
      'install',
      '--no-save',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      staged.tarball,
    ],
    { cwd: dir, timeoutMs: 300_000, echo: options.verbose },
  );
  ['package.json', 'package-lock.json'].forEach((file, index) => {
    if (!readFileSync(join(dir, file)).equals(manifests[index]))
      throw new Error(`installing the tarball changed test/frameworks/${folder}/${file}`);
  });
  const where = realpathSync(join(dir, 'node_modules', 'aui-messaging'));
  if (!where.startsWith(dir)) throw new Error(`aui-messaging resolves to ${where}, outside the app`);
  const got = hashes(join(where, 'dist'));
  const differing = [...staged.dist].filter(([file, hash]) => got.get(file) !== hash).map(([file]) => file);
  if (differing.length > 0 || got.size !== staged.dist.size)
    throw new Error(`the installed dist is not the one just built (${differing.slice(0, 5).join(', ')}…)`);
}

function versionIn(dir, name) {
  const manifest = join(dir, 'node_modules', name, 'package.json');
  if (existsSync(manifest)) return JSON.parse(readFileSync(manifest, 'utf8')).version;
  // wrangler's own copy of workerd, when npm did not hoist it
  const nested = join(dir, 'node_modules', 'wrangler', 'node_modules', name, 'package.json');
  return existsSync(nested) ? JSON.parse(readFileSync(nested, 'utf8')).version : 'missing';
}

/* ------------------------------------------------------------------ one app */

/** Builds, serves and drives one app; resolves with its figures, rejects with the first failure. */
async function runApp(app, staged, browser) {
  const dir = join(HERE, app.folder);
  await installTarball(app.folder, staged);
  const versions = app.packages.map((name) => `${name} ${versionIn(dir, name)}`);

  for (const output of app.outputs) await rm(join(dir, output), { recursive: true, force: true });
  const figures = { versions, steps: {}, pages: [] };
  let buildLog = '';
  for (const step of app.steps) {
    const started = performance.now();
    buildLog += await run(step.command, step.args, {
      cwd: dir,
      env: { ...QUIET_TOOLS, AUI_NETWORK_API_KEY: KEY },
      timeoutMs: BUILD_TIMEOUT_MS,
      echo: options.verbose,
    }).catch((error) => {
      const why = telling(error.output) ?? firstLine(error.message);
      throw withOutput(new Error(`${step.name} failed: ${why}`), error.output);
    });
    figures.steps[step.name] = performance.now() - started;
  }
  const buildWarnings = mentionsOfPackage(buildLog);
  if (buildWarnings.length > 0)
    throw withOutput(
      new Error('the build output names aui-messaging (a warning?)'),
      buildWarnings.join('\n---\n'),
    );
  for (const bundle of app.bundles ?? []) checkBundleInputs(dir, bundle);

  const mock = await startMock(dir);
  const secrets = app.secrets ? join(dir, app.secrets) : undefined;
  let server;
  const responses = [];
  try {
    if (secrets) await writeFile(secrets, `AUI_NETWORK_API_KEY=${KEY}\n`);
    const port = await freePort();
    const { command, args, env } = app.serve({ port, inspectorPort: await freePort(), mock });
    const origin = `http://127.0.0.1:${port}`;
    const started = performance.now();
    server = start(command, args, {
      cwd: dir,
      env: { ...QUIET_TOOLS, AUI_NETWORK_API_KEY: KEY, AUI_BASE_URL: mock.url, ...env },
      echo: options.verbose,
    });
    await waitForHttp(`${origin}/`, server, READY_TIMEOUT_MS).catch((error) => {
      const why = telling(server.output);
      throw withOutput(new Error(why ? `${firstLine(error.message)}: ${why}` : error.message), server.output);
    });
    figures.readyMs = performance.now() - started;

    for (const page of app.pages) {
      responses.push(await refusesWithoutSession(origin, page.api));
      const before = mock.requests.length;
      const driven = await driveChat(browser, { origin, ...page }).catch((error) => {
        const logged = telling(server.output);
        const why = `${page.name}: ${firstLine(error.message)}${logged ? `; the server logged: ${logged}` : ''}`;
        throw withOutput(new Error(why), server.output);
      });
      responses.push(...driven.responses);
      figures.pages.push({
        name: page.name,
        firstTokenMs: driven.firstTokenMs,
        textSteps: driven.textSteps,
        socketKey: socketKeyPlaces(mock.requests.slice(before)),
      });
    }

    const serverWarnings = mentionsOfPackage(server.output);
    if (serverWarnings.length > 0)
      throw withOutput(
        new Error("the server's log names aui-messaging (a warning?)"),
        serverWarnings.join('\n---\n'),
      );
    checkMockSawTheKey(mock, app.pages.length);
    figures.keyCheck = checkNoKey(dir, app, buildLog, server.output, responses);
    return figures;
  } finally {
    if (server) await stop(server);
    await mock.close();
    if (secrets) await rm(secrets, { force: true });
  }
}

/** The mock AUI from the tarball installed in the app, found through its `exports` as `require` finds it. */
async function startMock(dir) {
  const path = createRequire(join(dir, 'package.json')).resolve('aui-messaging/mock');
  const module = await import(pathToFileURL(path).href);
  const startMockAui = module.startMockAui ?? module.default?.startMockAui;
  return startMockAui({ apiKey: KEY, frameDelayMs: FRAME_DELAY_MS });
}

/** `authorize` reads the session cookie: without one the proxy answers 401. */
async function refusesWithoutSession(origin, api) {
  const url = `${origin}${api}/tasks`;
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  const body = Buffer.from(await response.arrayBuffer());
  if (response.status !== 401)
    throw new Error(`POST ${api}/tasks without the session cookie: ${response.status}, expected 401`);
  return { url: `${url} (no session)`, headers: Object.fromEntries(response.headers), body };
}

/** The app's traffic reached the mock, with the key: REST calls in the header, each turn's socket too. */
function checkMockSawTheKey(mock, pages) {
  const keyed = (r) => r.headers['x-network-api-key'] === KEY || r.query.network_api_key === KEY;
  const rest = mock.requests.filter((r) => r.method !== 'WS' && keyed(r));
  const sockets = mock.requests.filter((r) => r.method === 'WS' && keyed(r));
  if (rest.length < pages || sockets.length < 2 * pages)
    throw new Error(
      `the mock saw ${rest.length} REST call(s) and ${sockets.length} WebSocket(s) with the key; expected a task and two turns per page (${pages})`,
    );
}

/** Where the route's WebSocket upgrades carried the key: `query`, `header` or both (`query + header`). */
function socketKeyPlaces(requests) {
  const places = new Set();
  for (const request of requests.filter((r) => r.method === 'WS')) {
    const where = [];
    if (request.query.network_api_key === KEY) where.push('query');
    if (request.headers['x-network-api-key'] === KEY) where.push('header');
    places.add(where.join(' + ') || 'none');
  }
  return [...places].join(', ');
}

/**
 * An esbuild bundle (its metafile) took `entry` from the tarball, only files inside the app, and
 * no Node-only module (the package's Node build, `ws`).
 */
function checkBundleInputs(dir, { metafile, entry }) {
  const inputs = Object.keys(JSON.parse(readFileSync(join(dir, metafile), 'utf8')).inputs);
  const outside = inputs.filter((input) => input.startsWith('..') || input.startsWith('/'));
  if (outside.length > 0)
    throw new Error(`${metafile}: inputs from outside the app: ${outside.slice(0, 5).join(', ')}…`);
  if (!inputs.includes(entry))
    throw new Error(
      `${metafile}: the bundle did not take ${entry} (aui-messaging inputs: ${inputs.filter((i) => i.includes('aui-messaging')).join(', ') || 'none'})`,
    );
  const nodeOnly = inputs.filter((input) =>
    /aui-messaging\/dist\/.*\.node\.|node_modules\/(isomorphic-)?ws\//.test(input),
  );
  if (nodeOnly.length > 0)
    throw new Error(`${metafile}: Node-only modules in the bundle: ${nodeOnly.join(', ')}`);
}

/** 0 hits of the key in the build outputs, the build and server logs and every response; throws on any. */
function checkNoKey(dir, app, buildLog, serverLog, responses) {
  const files = keyHitsInFiles(
    dir,
    app.outputs.map((output) => join(dir, output)),
    KEY,
  );
  const hits = [...files.hits];
  if (buildLog.includes(KEY)) hits.push('the build output');
  if (serverLog.includes(KEY)) hits.push("the server's log");
  for (const response of responses) {
    if (JSON.stringify(response.headers).includes(KEY)) hits.push(`headers of ${response.url}`);
    if (response.body !== undefined && Buffer.from(response.body).includes(KEY))
      hits.push(`body of ${response.url}`);
  }
  if (hits.length > 0) throw new Error(`the key was found in: ${hits.join(', ')}`);
  // The streamed answers were read whole, so they were searched too.
  const streams = responses.filter((response) => /\/messages\/stream$/.test(new URL(response.url).pathname));
  if (streams.length === 0 || !streams.every((response) => String(response.body).includes('event: end')))
    throw new Error('the streamed answers could not be read back for the key check');
  const bytes = responses.reduce((sum, response) => sum + (response.body?.length ?? 0), 0);
  return { files: files.files, bytes: files.bytes, responses: responses.length, responseBytes: bytes };
}

/* ------------------------------------------------------------------ report */

const ms = (value) => `${Math.round(value)} ms`;
const seconds = (value) => `${(value / 1000).toFixed(1)} s`;

function passLine(app, figures) {
  const build = Object.entries(figures.steps)
    .map(([name, value]) => `${name} ${seconds(value)}`)
    .join(', ');
  const tokens = figures.pages
    .map((page) => `${page.name} ${page.firstTokenMs.map((v) => Math.round(v)).join('/')} ms`)
    .join(', ');
  const sockets = figures.pages.map((page) => `${page.name}: ${page.socketKey}`).join(', ');
  const { files, bytes, responses, responseBytes } = figures.keyCheck;
  return [
    `PASS ${app.name} (${figures.versions.join(', ')})`,
    `    ${build}; ready ${seconds(figures.readyMs)}; first token (turn 1/turn 2) ${tokens}`,
    `    key on the upstream socket: ${sockets}`,
    `    key: 0 hits in ${files} output files (${(bytes / 1e6).toFixed(1)} MB), the logs and ${responses} responses (${(responseBytes / 1e3).toFixed(0)} KB)`,
  ].join('\n');
}

function markdown(results) {
  const lines = [
    '| app | versions | build | server ready | first token, turn 1 / turn 2 | text updates, turn 1 / turn 2 |',
    '|---|---|---:|---:|---|---|',
  ];
  for (const { app, ok, figures } of results) {
    if (!ok) {
      lines.push(`| ${app.name} | — | failed | | | |`);
      continue;
    }
    const others = Object.entries(figures.steps).filter(([name]) => name !== 'build');
    const build =
      `**${seconds(figures.steps.build)}**` +
      (others.length > 0
        ? ` (+ ${others.map(([name, value]) => `${name} ${seconds(value)}`).join(', ')})`
        : '');
    const tokens = figures.pages.map((p) => `${p.name}: ${p.firstTokenMs.map(ms).join(' / ')}`).join('; ');
    const steps = figures.pages.map((p) => p.textSteps.join(' / ')).join('; ');
    lines.push(
      `| ${app.name} | ${figures.versions.join(', ')} | ${build} | ${seconds(figures.readyMs)} | ${tokens} | ${steps} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/* ------------------------------------------------------------------ main */

function parseArgs(argv) {
  const parsed = { only: undefined, verbose: false, report: undefined };
  for (const arg of argv) {
    if (arg.startsWith('--only=')) parsed.only = arg.slice('--only='.length).split(',').filter(Boolean);
    else if (arg.startsWith('--report=')) parsed.report = arg.slice('--report='.length);
    else if (arg === '--verbose') parsed.verbose = true;
    else {
      console.error(`unknown option ${arg} (use --only=a,b --verbose --report=<file>)`);
      process.exit(2);
    }
  }
  const unknown = (parsed.only ?? []).filter((name) => !apps.some((app) => app.name === name));
  if (unknown.length > 0) {
    console.error(`unknown app(s): ${unknown.join(', ')} (known: ${apps.map((app) => app.name).join(', ')})`);
    process.exit(2);
  }
  return parsed;
}

const firstLine = (text) =>
  plain(text)
    .split('\n')
    .map((line) => line.trim())
    .find(Boolean) ?? '';

/** The line of a tool's output that says most about its failure: the first error it names. */
function telling(output) {
  const lines = plain(output ?? '')
    .split('\n')
    .map((line) => line.trim());
  const line = lines.find((l) => /^(\w*Error\b|error\b|✘|✖)|\b\w+Error: /i.test(l));
  return line && line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

function indent(text) {
  return plain(text)
    .trimEnd()
    .split('\n')
    .slice(-60)
    .map((line) => `    | ${line}`)
    .join('\n');
}

async function main() {
  const selected = options.only ? apps.filter((app) => options.only.includes(app.name)) : apps;
  await mkdir(WORK, { recursive: true });
  const results = [];
  let staged;
  let browser;
  try {
    const started = performance.now();
    staged = await pack();
    browser = await launchChromium();
    console.log(
      `packed ${relative(ROOT, staged.tarball)} (${(staged.size / 1024).toFixed(1)} KB) in ${seconds(performance.now() - started)}; Chromium ${browser.version()}; node ${process.version}`,
    );
  } catch (error) {
    console.log(`could not build, pack or start Chromium: ${firstLine(error.message)}`);
    if (error.output) console.log(indent(error.output));
    for (const app of selected) results.push({ app, ok: false });
    for (const app of selected)
      console.log(`FAIL ${app.name}: the package could not be built or Chromium started`);
  }

  if (staged && browser) {
    for (const app of selected) {
      try {
        const figures = await runApp(app, staged, browser);
        results.push({ app, ok: true, figures });
        console.log(passLine(app, figures));
      } catch (error) {
        if (stopping) break;
        results.push({ app, ok: false });
        console.log(`FAIL ${app.name}: ${firstLine(error.message)}`);
        if (error.output) console.log(indent(error.output));
      }
    }
  }
  await browser?.close();

  const table = markdown(results);
  await writeFile(join(WORK, 'results.md'), table);
  if (options.report) await writeFile(options.report, table);
  const passed = results.filter((result) => result.ok).length;
  console.log(`${passed} passed, ${selected.length - passed} failed`);
  return passed === selected.length ? 0 : 1;
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
