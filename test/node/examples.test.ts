// Every server example in examples/ runs for real and carries one streamed turn to the mock AUI:
// Next.js route and Remix resource route (imported here, called with Fetch Requests), node:http
// (a real server), the Cloudflare Worker (workerd via miniflare), Deno (`deno run`) and Bun
// (`bun run`). A runtime that cannot start fails its test; nothing is skipped.
//
// `aui-messaging/*` → this repository's source, the same way for every runtime (see
// scripts/playground.mjs `localSourceMap`): resolved through package.json `exports` with the
// runtime's conditions, then the dist file swapped for the rollup input it is built from.
//   - Node (nextjs-route, remix, node) and workerd: esbuild bundles the example with a plugin
//     applying that map (Node: conditions node, packages left external; workerd: workerd/worker/
//     browser, everything bundled, `cloudflare:*` external). Bundles go to node_modules/.cache.
//   - Deno: an import map (`--import-map`) with the map as file: URLs; Deno runs the .ts source
//     itself and takes ky/valibot from node_modules (byonm, package.json at the root).
//   - Bun: `--tsconfig-override` with the map as `paths`; Bun runs the .ts source itself.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import type { Message } from '../../src/index.ts';
import { productsOf } from '../../src/index.ts';
import { startMockAui } from '../../src/mock/index.ts';

type SourceMap = Record<string, string>;
// scripts/playground.mjs is plain JS (no declarations): import it by URL with its shape spelled out.
const shared = (await import(new URL('../../scripts/playground.mjs', import.meta.url).href)) as {
  localSourceMap(conditions: string[]): Promise<SourceMap>;
  localSourcePlugin(map: SourceMap): import('esbuild').Plugin;
};

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const EXAMPLES = join(ROOT, 'examples');
const CACHE = join(ROOT, 'node_modules', '.cache', 'aui-examples');
const BIN = join(ROOT, 'node_modules', '.bin');
const KEY = 'API_KEY_examples_0123456789';
const USER = { 'x-demo-user': 'example-user' }; // what the examples' placeholder `authorize` reads
const TEXT = 'I need a built-in microwave';

const mock = await startMockAui({ apiKey: KEY });
await mkdir(CACHE, { recursive: true });
const env = { AUI_NETWORK_API_KEY: KEY, AUI_BASE_URL: mock.url };

const children: ChildProcess[] = [];
let miniflare: Miniflare | undefined;

after(async () => {
  await Promise.allSettled([...children.map(stop), miniflare?.dispose(), mock.close()]);
});

/* ---------------------------------------------------------------- running the examples */

/** How a test reaches an example: path (under /api/aui) + init → Response. */
type Call = (path: string, init?: RequestInit) => Promise<Response>;

async function bundle(entry: string, out: string, target: 'node' | 'workerd'): Promise<string> {
  const map = await shared.localSourceMap(target === 'node' ? ['node'] : ['workerd', 'worker', 'browser']);
  const outfile = join(CACHE, out);
  await build({
    entryPoints: [join(EXAMPLES, entry)],
    outfile,
    bundle: true,
    format: 'esm',
    target: 'es2022',
    logLevel: 'silent',
    plugins: [shared.localSourcePlugin(map)],
    ...(target === 'node'
      ? { platform: 'node', packages: 'external' }
      : { platform: 'browser', conditions: ['workerd', 'worker', 'browser'], external: ['cloudflare:*'] }),
  });
  return outfile;
}

/** Node runs a module that exports route functions: import its bundle into this process. */
async function importRoute<T>(entry: string, out: string): Promise<T> {
  Object.assign(process.env, env); // the examples read AUI_BASE_URL at load and the key per request
  return (await import(pathToFileURL(await bundle(entry, out, 'node')).href)) as T;
}

function request(path: string, init?: RequestInit): Request {
  return new Request(new URL(path, 'http://localhost'), init);
}

/** Spawns a server, resolves with its origin once it prints "Listening on …:<port>". */
function serve(name: string, command: string, args: string[]): Promise<Call> {
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: '0', NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so stop() also ends anything it started
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(
      () => reject(new Error(`${name} did not start within 30 s:\n${output}`)),
      30_000,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const port = /listening on \S*?:(\d+)/i.exec(output)?.[1];
      if (!port) return;
      clearTimeout(timer);
      const origin = `http://127.0.0.1:${port}`;
      resolve((path, init) => fetch(origin + path, init));
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`${name} could not be started: ${error.message}`));
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${signal ?? code}) before listening:\n${output}`));
    });
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || !child.pid) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const kill = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // already gone
    }
  };
  kill('SIGTERM');
  const timer = setTimeout(() => kill('SIGKILL'), 3_000);
  await exited;
  clearTimeout(timer);
}

/** Started together, awaited by each test (a rejection is that test's failure, not a crash). */
function started<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {});
  return promise;
}

const runtimes = {
  nextjs: started(
    importRoute<{
      GET: (r: Request, ctx: unknown) => Promise<Response>;
      POST: (r: Request, ctx: unknown) => Promise<Response>;
    }>('nextjs-route/app/api/aui/[...path]/route.ts', 'nextjs-route.mjs').then(
      (route): Call =>
        (path, init) => {
          // Next.js calls a route with (request, { params }); the handler routes on the URL itself.
          const context = { params: Promise.resolve({ path: path.split('/').slice(3) }) };
          return (init?.method ?? 'GET') === 'GET'
            ? route.GET(request(path, init), context)
            : route.POST(request(path, init), context);
        },
    ),
  ),
  remix: started(
    importRoute<{
      loader: (a: { request: Request }) => Promise<Response>;
      action: (a: { request: Request }) => Promise<Response>;
    }>('remix/app/routes/api.aui.$.ts', 'remix-route.mjs').then((route): Call => (path, init) => {
      // Remix calls loader for GET and action for everything else, with { request, params, context }.
      const args = {
        request: request(path, init),
        params: { '*': path.split('/').slice(3).join('/') },
        context: {},
      };
      return (init?.method ?? 'GET') === 'GET' ? route.loader(args) : route.action(args);
    }),
  ),
  node: started(
    bundle('node/server.mjs', 'node-server.mjs', 'node').then((file) =>
      serve('node', process.execPath, [file]),
    ),
  ),
  worker: started(
    (async (): Promise<Call> => {
      const scriptPath = await bundle('cloudflare-worker/src/index.ts', 'worker.mjs', 'workerd');
      miniflare = new Miniflare({
        modules: true,
        modulesRoot: CACHE,
        scriptPath,
        compatibilityDate: '2025-01-01',
        compatibilityFlags: ['nodejs_compat'],
        bindings: { AUI_NETWORK_API_KEY: KEY, AUI_BASE_URL: mock.url, AUI_WS_URL: mock.wsUrl },
      });
      await miniflare.ready;
      const mf = miniflare;
      return async (path, init) =>
        (await mf.dispatchFetch(`http://localhost${path}`, init as never)) as unknown as Response;
    })(),
  ),
  deno: started(
    (async () => {
      const map = await shared.localSourceMap(['deno']);
      const importMap = join(CACHE, 'deno-import-map.json');
      const imports = Object.fromEntries(
        Object.entries(map).map(([name, file]) => [name, pathToFileURL(file).href]),
      );
      await writeFile(importMap, JSON.stringify({ imports }, null, 2));
      return serve('deno', join(BIN, 'deno'), [
        'run',
        '--allow-net',
        '--allow-env',
        '--allow-read',
        `--import-map=${importMap}`,
        join(EXAMPLES, 'deno', 'main.ts'),
      ]);
    })(),
  ),
  bun: started(
    (async () => {
      const map = await shared.localSourceMap(['bun']);
      const tsconfig = join(CACHE, 'bun-tsconfig.json');
      const paths = Object.fromEntries(Object.entries(map).map(([name, file]) => [name, [file]]));
      await writeFile(tsconfig, JSON.stringify({ compilerOptions: { paths } }, null, 2));
      return serve('bun', join(BIN, 'bun'), [
        'run',
        `--tsconfig-override=${tsconfig}`,
        join(EXAMPLES, 'bun', 'server.ts'),
      ]);
    })(),
  ),
};

/* ---------------------------------------------------------------- one streamed turn */

interface SseEvent {
  event: string;
  data: any;
}

function parseSse(body: string): SseEvent[] {
  const events: SseEvent[] = [];
  for (const block of body.split(/\r?\n\r?\n/)) {
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split(/\r?\n/)) {
      if (line === '' || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
    }
    if (data.length > 0) events.push({ event, data: JSON.parse(data.join('\n')) });
  }
  return events;
}

const json = { 'content-type': 'application/json', ...USER };

async function createTask(call: Call): Promise<string> {
  const response = await call('/api/aui/tasks', { method: 'POST', headers: json, body: '{}' });
  const body = await response.text();
  assert.ok(response.ok, `POST /api/aui/tasks → ${response.status} ${body}`);
  const task = JSON.parse(body) as { id?: unknown };
  assert.equal(typeof task.id, 'string');
  return task.id as string;
}

/** POST /messages/stream; asserts the SSE format and that the deltas add up to the final text. */
async function streamedTurn(call: Call, task_id: string): Promise<Message> {
  const response = await call('/api/aui/messages/stream', {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ task_id, text: TEXT }),
  });
  assert.equal(response.status, 200, `stream → ${response.status}`);
  assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
  const events = parseSse(await response.text());
  const failure = events.find((e) => e.event === 'error');
  assert.equal(failure, undefined, `error event: ${JSON.stringify(failure?.data)}`);

  const deltas = events.filter((e) => e.event === 'text').map((e) => e.data.delta as string);
  assert.ok(deltas.length > 1, `several text events (got ${deltas.length})`);
  assert.equal(events.filter((e) => e.event === 'snapshot').length, 0, 'no correction needed');
  const messages = events.filter((e) => e.event === 'message');
  assert.equal(messages.length, 1, 'one final message');
  const message = messages[0]!.data as Message;
  assert.equal(message.text, deltas.join(''), 'final text = concatenated deltas');
  assert.match(message.text, /built-in microwaves/);
  assert.equal(productsOf(message).length, 3, 'the products travel with the message');
  assert.equal(events.at(-1)?.event, 'end', 'end is the last event');
  return message;
}

async function oneTurn(runtime: Promise<Call>): Promise<void> {
  const call = await runtime;
  await streamedTurn(call, await createTask(call));
}

/* ---------------------------------------------------------------- the tests */

test(
  'nextjs-route: GET/POST of app/api/aui/[...path]/route.ts stream a turn',
  { timeout: 30_000 },
  async () => {
    await oneTurn(runtimes.nextjs);
  },
);

test('remix: loader/action of app/routes/api.aui.$.ts stream a turn', { timeout: 30_000 }, async () => {
  await oneTurn(runtimes.remix);
});

test(
  'node: http.createServer(toNodeListener(handler)) streams a turn on Node 20',
  { timeout: 30_000 },
  async () => {
    await oneTurn(runtimes.node);
  },
);

test(
  'cloudflare-worker: streams in workerd with the key from an env binding, request after request',
  { timeout: 40_000 },
  async () => {
    const call = await runtimes.worker;
    const task_id = await createTask(call);
    const first = await streamedTurn(call, task_id);
    const second = await streamedTurn(call, task_id); // a fresh socket per request: workerd forbids reuse
    assert.notEqual(first.id, second.id);
    // And the proxy's own checks run in workerd too: no user → 401.
    const anonymous = await call('/api/aui/tasks', { method: 'GET' });
    assert.equal(anonymous.status, 401);
    await anonymous.body?.cancel();
  },
);

test('deno: Deno.serve(handler) streams a turn', { timeout: 40_000 }, async () => {
  await oneTurn(runtimes.deno);
});

test('bun: Bun.serve({ fetch: handler }) streams a turn', { timeout: 40_000 }, async () => {
  await oneTurn(runtimes.bun);
});

test('every example reached the mock with the server-side key only', () => {
  const upstream = mock.requests.filter((r) => r.method !== 'WS');
  assert.ok(upstream.length > 0);
  for (const r of upstream) {
    assert.equal(r.headers['x-network-api-key'], KEY);
    assert.equal(r.headers['x-demo-user'], undefined, 'browser headers are not forwarded');
  }
});
