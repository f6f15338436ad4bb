// bench/limits-servers.mjs — the processes bench/limits.mjs runs (it forks this file in a role):
//   --mock       `startMockAui` (the built dist/mock.js)
//   --proxy      one proxy: node:http + `toNodeListener(createAuiHandler(...))` (the Node build),
//                every counter side by side on its own base path
//   --balancer   a round-robin HTTP balancer: each request to the next proxy
// and `startRedis()`, a redis-server on a free 127.0.0.1 port without persistence. Each child
// reports ready with one IPC message; a proxy answers any later message with its hit() times.
import { fork, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, createServer, request } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const dist = (file) => new URL(`../dist/${file}`, import.meta.url).href;
const SELF = fileURLToPath(import.meta.url);
export const KEY = 'API_KEY_bench_0123456789';

/** Forks this file in a role; resolves with the child and its first message. */
export function start(role, options = {}) {
  const child = fork(SELF, [role, JSON.stringify(options)], { stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.once('message', (message) => resolve({ child, message }));
    child.once('exit', (code) => reject(new Error(`${role} exited (${code}) before it was ready`)));
  });
}

// Idle keep-alive sockets between the phases must not be closed under a request in flight
// (Node's default is 5 s, shorter than a phase's set-up).
function keepAlive(server) {
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 121_000;
}

async function serveMock() {
  const { startMockAui } = await import(dist('mock.js'));
  const mock = await startMockAui({ apiKey: KEY });
  process.send({ url: mock.url, wsUrl: mock.wsUrl });
}

/**
 * One proxy process. Every counter lives in it side by side, one handler per base path
 * `/<counter>/<window>/<limit>/api/aui` (made on first use), so runs share processes and the
 * steady phase can interleave counters request by request under the same machine load.
 */
async function serveProxy({ mock, redisUrl }) {
  const { createAuiHandler } = await import(dist('server.node.js'));
  const { toNodeListener } = await import(dist('server/node.js'));
  const { redisCounter } = await import(dist('server/redis.js'));
  const { createClient } = await import('redis');
  const redis = await createClient({ url: redisUrl })
    .on('error', (e) => console.error(e.message))
    .connect();
  const hits = {}; // base path → ms spent in the Redis counter's hit()
  const listeners = new Map();

  function timed(inner, samples) {
    return {
      async hit(...args) {
        const started = performance.now();
        try {
          return await inner.hit(...args);
        } finally {
          samples.push(performance.now() - started);
        }
      },
    };
  }

  function listenerFor(base) {
    const [, counter, window, limit] = base.split('/');
    let limits;
    if (counter === 'memory') limits = { turnsPerMinute: Number(limit), window };
    if (counter === 'redis') {
      const counterOf = timed(redisCounter(redis), (hits[base] = []));
      limits = { turnsPerMinute: Number(limit), window, counter: counterOf, counterFailure: 'closed' };
    }
    const handler = createAuiHandler({
      apiKey: KEY,
      baseUrl: mock.url,
      wsUrl: mock.wsUrl,
      basePath: `${base}/api/aui`,
      authorize: (req) => ({ userId: req.headers.get('x-user') }),
      ...(limits ? { limits } : {}),
    });
    return toNodeListener(handler);
  }

  const server = createServer((req, res) => {
    const base = req.url.split('/').slice(0, 4).join('/');
    if (!listeners.has(base)) listeners.set(base, listenerFor(base));
    listeners.get(base)(req, res);
  });
  keepAlive(server);
  server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
  process.on('message', () => {
    process.send({ hits });
    for (const samples of Object.values(hits)) samples.length = 0;
  });
}

async function serveBalancer({ ports }) {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  let next = 0;
  const server = createServer((req, res) => {
    const port = ports[next++ % ports.length];
    const upstream = request(
      { host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.headers, agent },
      (answer) => {
        res.writeHead(answer.statusCode, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', (error) => {
      if (!res.headersSent) res.writeHead(502);
      res.end(error.message);
    });
    req.pipe(upstream);
  });
  keepAlive(server);
  server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
}

export async function startRedis() {
  const dir = await mkdtemp(join(os.tmpdir(), 'aui-bench-redis-'));
  const probe = createTcpServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => probe.once('listening', resolve));
  const port = probe.address().port;
  await new Promise((resolve) => probe.close(resolve));
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
  ];
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'inherit'] });
  process.once('exit', () => child.kill('SIGKILL'));
  await new Promise((resolve, reject) => {
    child.once('error', reject);
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (/Ready to accept/.test(out)) resolve();
    });
  });
  const stop = async () => {
    child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  };
  return { url: `redis://127.0.0.1:${port}`, stop };
}

/* ------------------------------------------------------------------ which role this process has */

// Last, so every declaration above is initialised before a role runs.
// A forked child has its role and options as its two arguments; bench/limits.mjs, importing this
// file, has none of these roles.
const ROLES = { '--mock': serveMock, '--proxy': serveProxy, '--balancer': serveBalancer };
const role = process.argv[2];
if (Object.hasOwn(ROLES, role)) await ROLES[role](JSON.parse(process.argv[3]));
