#!/usr/bin/env node
// npm run test:frameworks — the package inside real framework builds, the way users
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
import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { apps } from './apps.mjs';
import { driveChat, launchChromium } from './chat.mjs';
import {
  checkBundleInputs,
  checkMockSawTheKey,
  checkNoKey,
  mentionsOfPackage,
  socketKeyPlaces,
} from './checks.mjs';
import { freePort, run, start, stop, stopAll, waitForHttp, withOutput } from './processes.mjs';
import { firstLine, indent, markdown, passLine, seconds, telling } from './report.mjs';
import { installTarball, pack, versionIn } from './tarball.mjs';

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

/* ------------------------------------------------------------------ one app */

/** Builds, serves and drives one app; resolves with its figures, rejects with the first failure. */
async function runApp(app, staged, browser) {
  const dir = join(HERE, app.folder);
  await installTarball(dir, staged, { verbose: options.verbose });
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
        socketKey: socketKeyPlaces(mock.requests.slice(before), KEY),
      });
    }

    const serverWarnings = mentionsOfPackage(server.output);
    if (serverWarnings.length > 0)
      throw withOutput(
        new Error("the server's log names aui-messaging (a warning?)"),
        serverWarnings.join('\n---\n'),
      );
    checkMockSawTheKey(mock, app.pages.length, KEY);
    figures.keyCheck = checkNoKey(dir, app, {
      key: KEY,
      buildLog,
      serverLog: server.output,
      responses,
    });
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

async function main() {
  const selected = options.only ? apps.filter((app) => options.only.includes(app.name)) : apps;
  await mkdir(WORK, { recursive: true });
  const results = [];
  let staged;
  let browser;
  try {
    const started = performance.now();
    staged = await pack({ root: ROOT, work: WORK, verbose: options.verbose });
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
