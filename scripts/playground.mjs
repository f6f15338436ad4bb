#!/usr/bin/env node
// npm run playground — the browser-chat example (examples/browser-chat) on http://127.0.0.1,
// talking through the real proxy (createAuiHandler + toNodeListener) to a local mock AUI that
// streams slowly enough to watch. Options: PORT=<n> (default 4321), FRAME_DELAY_MS=<n> (default 40).
// Stops cleanly on Ctrl-C / SIGTERM.
//
// Exports, for the tests:
//   startPlayground({ port, frameDelayMs, quiet }) → { url, mock, close() } (mock: the startMockAui
//   handle, for fault injection)
//   localSourceMap(conditions) / localSourcePlugin(map): how this repository resolves
//   `aui-messaging/*` to its own source, shared by the playground and test/node/examples.test.ts.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { tsImport } from 'tsx/esm/api';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PAGE_DIR = join(ROOT, 'examples', 'browser-chat');
const BASE_PATH = '/api/aui';

/* ------------------------------------------------------------------------------------------
 * `aui-messaging/*` → this repository's source.
 *
 * A subpath is resolved the way a runtime resolves the published package: through
 * package.json `exports` with that runtime's conditions (workerd/worker/browser, deno, bun,
 * node, then import/default). The dist file it lands on is swapped for the rollup input it is
 * built from (rollup.config.mjs `entries`), so tests run the current source — no build step,
 * no stale dist — yet follow the same web/Node routing users get. Subpaths not (yet) in
 * `exports` fall back to the fixed files below.
 * ---------------------------------------------------------------------------------------- */

const FALLBACK = {
  '.': 'src/index.ts',
  './server': 'src/server/handler.ts',
  './server/node': 'src/server/node-listener.ts',
  './browser': 'src/browser/proxy-client.ts',
  './mock': 'src/mock/index.ts',
};
const NODE_FALLBACK = { '.': 'src/index.node.ts', './server': 'src/server/handler.node.ts' };

function pickExport(target, conditions) {
  if (typeof target === 'string') return target;
  if (!target || typeof target !== 'object' || Array.isArray(target)) return undefined;
  for (const [key, value] of Object.entries(target)) {
    if (key !== 'default' && !conditions.includes(key)) continue;
    const found = pickExport(value, conditions);
    if (found) return found;
  }
  return undefined;
}

/**
 * `{ 'aui-messaging': '/abs/src/index.ts', 'aui-messaging/server': … }` for one runtime.
 * `conditions`: e.g. ['node'], ['deno'], ['bun'], ['workerd', 'worker', 'browser'], ['browser'].
 */
export async function localSourceMap(conditions) {
  const all = [...conditions, 'import'];
  const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8'));
  const { entries } = await import(pathToFileURL(join(ROOT, 'rollup.config.mjs')).href);
  const exportsField = pkg.exports ?? {};
  const subpaths = new Set([...Object.keys(FALLBACK), ...Object.keys(exportsField)]);
  subpaths.delete('./package.json');
  const map = {};
  for (const subpath of subpaths) {
    const target = pickExport(exportsField[subpath], all);
    const entry = target && /^\.\/dist\/(.+?)\.(?:c|m)?js$/.exec(target)?.[1];
    let source = entry ? entries?.[entry] : undefined;
    source ??= (all.includes('node') ? NODE_FALLBACK[subpath] : undefined) ?? FALLBACK[subpath];
    if (!source || !existsSync(join(ROOT, source))) continue;
    map[subpath === '.' ? 'aui-messaging' : `aui-messaging${subpath.slice(1)}`] = join(ROOT, source);
  }
  return map;
}

/** An esbuild plugin that resolves `aui-messaging` and `aui-messaging/*` through `map`. */
export function localSourcePlugin(map) {
  return {
    name: 'aui-messaging-local-source',
    setup(build) {
      build.onResolve({ filter: /^aui-messaging(\/.*)?$/ }, (args) => {
        const path = map[args.path];
        if (path) return { path };
        return {
          errors: [{ text: `no local source for "${args.path}" (known: ${Object.keys(map).join(', ')})` }],
        };
      });
    },
  };
}

/* ------------------------------------------------------------------------------------------
 * The playground server.
 * ---------------------------------------------------------------------------------------- */

const STATIC = {
  '/': ['index.html', 'text/html; charset=utf-8'],
  '/index.html': ['index.html', 'text/html; charset=utf-8'],
  '/style.css': ['style.css', 'text/css; charset=utf-8'],
};

async function bundlePage() {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [join(PAGE_DIR, 'chat.ts')],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    conditions: ['browser'],
    target: 'es2022',
    sourcemap: 'inline',
    logLevel: 'silent',
    plugins: [localSourcePlugin(await localSourceMap(['browser']))],
  });
  return result.outputFiles[0].text;
}

/**
 * Starts the mock AUI, bundles the page and serves page + proxy on `host:port` (0 = any free
 * port). Resolves once listening.
 */
export async function startPlayground({
  port = 4321,
  host = '127.0.0.1',
  frameDelayMs = 40,
  apiKey = 'playground-key',
  quiet = false,
} = {}) {
  const node = await localSourceMap(['node']);
  const load = (name) => {
    if (!node[name]) throw new Error(`playground: ${name} has no source yet (src/server, src/browser?)`);
    return tsImport(pathToFileURL(node[name]).href, import.meta.url);
  };
  const [{ startMockAui }, { createAuiHandler }, { toNodeListener }, script] = await Promise.all([
    load('aui-messaging/mock'),
    load('aui-messaging/server'),
    load('aui-messaging/server/node'),
    bundlePage(),
  ]);

  const mock = await startMockAui({ apiKey, frameDelayMs });
  const proxy = toNodeListener(
    createAuiHandler({
      apiKey,
      baseUrl: mock.url,
      wsUrl: mock.wsUrl,
      basePath: BASE_PATH,
      // A real app looks the user up from its session here; the playground has one user.
      authorize: () => ({ userId: 'playground-user' }),
    }),
  );

  const server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === BASE_PATH || path.startsWith(`${BASE_PATH}/`)) return proxy(req, res);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const headers = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };
    if (path === '/chat.js') {
      res.writeHead(200, { ...headers, 'content-type': 'text/javascript; charset=utf-8' }).end(script);
      return;
    }
    const file = STATIC[path];
    if (!file) {
      res.writeHead(404, { ...headers, 'content-type': 'text/plain; charset=utf-8' }).end('Not found');
      return;
    }
    try {
      const body = await readFile(join(PAGE_DIR, file[0]));
      res.writeHead(200, { ...headers, 'content-type': file[1] }).end(body);
    } catch (error) {
      res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(String(error));
    }
  });

  try {
    await new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await mock.close();
    throw error;
  }
  const address = server.address();
  const url = `http://${host}:${typeof address === 'object' && address ? address.port : port}/`;

  let closing;
  const close = () =>
    (closing ??= (async () => {
      server.closeAllConnections();
      await Promise.all([new Promise((resolve) => server.close(() => resolve())), mock.close()]);
    })());

  if (!quiet)
    console.log(
      `AUI playground: ${url}\n  proxy ${url.replace(/\/$/, '')}${BASE_PATH} → mock AUI ${mock.url}\n  Ctrl-C to stop.`,
    );
  return { url, mock, close };
}

/* ------------------------------------------------------------------------------------------
 * `node scripts/playground.mjs` / `npm run playground`
 * ---------------------------------------------------------------------------------------- */

if (process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) {
  const playground = await startPlayground({
    port: Number(process.env.PORT ?? 4321),
    frameDelayMs: Number(process.env.FRAME_DELAY_MS ?? 40),
  }).catch((error) => {
    console.error(`playground: ${error instanceof Error ? error.message : error}`);
    process.exit(1);
  });
  let stopping = false;
  const stop = (signal) => {
    if (stopping) return process.exit(1); // second Ctrl-C: do not wait
    stopping = true;
    console.log(`\n${signal}: stopping the playground…`);
    playground.close().then(
      () => process.exit(0),
      (error) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}
