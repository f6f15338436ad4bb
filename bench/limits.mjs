#!/usr/bin/env node
// bench/limits.mjs — the proof at scale that shared counters are needed: the proxy's per-user turn limit behind a load
// balancer, counted in memory (per process) versus in Redis (shared). Measures the BUILT package
// (`npm run build` first) and needs Debian's `redis-server` on PATH. Not a test: it prints figures.
//
//   npm run bench:limits                      # = node bench/limits.mjs
//   npm run bench:limits -- --json            # the figures as JSON too
//   npm run bench:limits -- --burst-users-turns 60   # turns per user in the 50-user burst
//   npm run bench:limits -- --phases burst1,steady   # a subset of burst1, burst50, steady
//
// Set-up, all on 127.0.0.1, each in its own process (bench/limits-servers.mjs): one
// `startMockAui`; 4 proxies (node:http + `toNodeListener(createAuiHandler(...))`, the Node
// build), each serving every counter on its own base path; a round-robin HTTP balancer (each
// request to the next proxy); one `redis-server --save '' --appendonly no` in a temp dir. This
// process only fires the requests (node:http, keep-alive, up to 512 sockets) and times them.
// Before each run every proxy has checked each user's task once (`GET /tasks/:id/messages`), so
// ownership look-ups do not weigh on the turns; Redis is flushed between runs.
//
// Bursts (`turnsPerMinute: 30`, all turns fired at once, in a shuffled user order):
//   1 user × 500 turns and 50 users × 150 turns, for the Redis counter (fixed and sliding
//   windows), the in-memory default, and no limit. The Redis runs use `counterFailure: 'closed'`
//   so a counter that failed shows as a 503 instead of letting a turn through.
// Steady (`turnsPerMinute: 1_000_000`, never refused): 50 users, 2000 turns, 16 in flight: the
//   end-to-end p50/p99 per counter against no limit, and the time inside the Redis counter's
//   `hit()` as the proxies measured it.
import { existsSync } from 'node:fs';
import { Agent, request } from 'node:http';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { runInfo } from './common.mjs';
import { start, startRedis } from './limits-servers.mjs';

const PROXIES = 4;

/* ------------------------------------------------------------------ the load */

const client = new Agent({ keepAlive: true, maxSockets: 512 });

/** One HTTP call (to the balancer or a proxy); resolves with its status, body and milliseconds. */
function call(port, method, path, user, body) {
  return new Promise((resolve) => {
    const started = performance.now();
    const headers = { 'x-user': user, ...(body ? { 'content-type': 'application/json' } : {}) };
    const req = request({ host: '127.0.0.1', port, method, path, headers, agent: client }, (res) => {
      let text = '';
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode, text, ms: performance.now() - started }));
    });
    // A failed connection is a result to count ('other'), not a reason to stop the run.
    req.on('error', (error) => resolve({ status: error.code ?? 'error', text: error.message, ms: NaN }));
    req.end(body ? JSON.stringify(body) : undefined);
  });
}

/** A fixed shuffle (so runs compare): users interleave without a period that fits 4 proxies. */
function shuffled(items) {
  let seed = 13;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

const percentile = (xs, p) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? NaN;
};

const basePath = ({ counter, window = 'fixed' }, limit) => `/${counter}/${window}/${limit}`;
const label = ({ counter, window = 'fixed' }) =>
  counter === 'none' ? 'no limit' : `${counter}, ${window} window`;

/** `count` new users, each with a task, whose ownership every proxy has already checked once. */
async function usersWithTasks(env, base, count) {
  const tasks = new Map();
  for (let i = 0; i < count; i++) {
    const user = `user-${env.users++}`;
    tasks.set(user, JSON.parse((await call(env.lb, 'POST', `${base}/api/aui/tasks`, user, {})).text).id);
  }
  for (const port of env.ports)
    for (const [user, task] of tasks) await call(port, 'GET', `${base}/api/aui/tasks/${task}/messages`, user);
  return tasks;
}

/** One turn through the balancer. */
const turn = (env, base, user, task_id) =>
  call(env.lb, 'POST', `${base}/api/aui/messages`, user, { task_id, text: 'hello' });

/** The Redis counter's hit() times the proxies measured since the last ask, by base path. */
async function hitTimes(env) {
  const merged = {};
  for (const child of env.proxies) {
    child.send('report');
    const { hits } = await new Promise((resolve) => child.once('message', resolve));
    for (const [base, samples] of Object.entries(hits)) (merged[base] ??= []).push(...samples);
  }
  return merged;
}

const round = (x, digits = 1) => (Number.isFinite(x) ? +x.toFixed(digits) : null);

/** All turns of `users` users at once, `turnsPerUser` each, against `turnsPerMinute: 30`. */
async function burst(env, counter, users, turnsPerUser) {
  const base = basePath(counter, 30);
  const tasks = await usersWithTasks(env, base, users);
  await env.flush();
  const order = shuffled([...tasks.keys()].flatMap((user) => Array(turnsPerUser).fill(user)));
  const started = performance.now();
  const results = await Promise.all(
    order.map(async (user) => ({ user, ...(await turn(env, base, user, tasks.get(user))) })),
  );
  const wallMs = Math.round(performance.now() - started);
  const hits = (await hitTimes(env))[base] ?? [];
  const count = (status) => results.filter((r) => r.status === status).length;
  const acceptedPerUser = new Map();
  for (const { user, status } of results)
    if (status === 200) acceptedPerUser.set(user, (acceptedPerUser.get(user) ?? 0) + 1);
  const others = {};
  for (const { status } of results)
    if (![200, 429, 503].includes(status)) others[status] = (others[status] ?? 0) + 1;
  const ms = results.map((r) => r.ms);
  return {
    counter: label(counter),
    turns: results.length,
    accepted: count(200),
    maxPerUser: Math.max(0, ...acceptedPerUser.values()),
    refused429: count(429),
    failed503: count(503),
    others,
    wallMs,
    p50: round(percentile(ms, 0.5)),
    p99: round(percentile(ms, 0.99)),
    hitP50: round(percentile(hits, 0.5), 2),
    hitP99: round(percentile(hits, 0.99), 2),
  };
}

/** Turns for every counter interleaved one by one, `inFlight` at a time, never refused. */
async function steady(env, counters, users, turnsPerCounter, inFlight) {
  const plan = [];
  for (const counter of counters) {
    const base = basePath(counter, 1_000_000);
    const tasks = [...(await usersWithTasks(env, base, users))];
    for (let i = 0; i < turnsPerCounter; i++) plan.push({ counter, base, tasks: tasks[i % users] });
  }
  shuffled(plan);
  const times = new Map(counters.map((c) => [c, []]));
  let next = 0;
  const worker = async () => {
    while (next < plan.length) {
      const { counter, base, tasks } = plan[next++];
      const result = await turn(env, base, tasks[0], tasks[1]);
      if (result.status !== 200) throw new Error(`${label(counter)}: ${result.status} ${result.text}`);
      times.get(counter).push(result.ms);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  const hits = await hitTimes(env);
  return counters.map((counter) => ({
    counter: label(counter),
    turns: times.get(counter).length,
    p50: round(percentile(times.get(counter), 0.5)),
    p99: round(percentile(times.get(counter), 0.99)),
    hitP50: round(percentile(hits[basePath(counter, 1_000_000)] ?? [], 0.5), 2),
    hitP99: round(percentile(hits[basePath(counter, 1_000_000)] ?? [], 0.99), 2),
  }));
}

async function main() {
  const { values: opt } = parseArgs({
    options: {
      json: { type: 'boolean', default: false },
      'burst-users-turns': { type: 'string', default: '150' },
      phases: { type: 'string', default: 'burst1,burst50,steady' },
    },
  });
  if (!existsSync(new URL('../dist/server/redis.js', import.meta.url)))
    throw new Error('dist/ is missing or old: run `npm run build` first.');
  const loadBefore = os.loadavg();
  const redis = await startRedis();
  const mock = await start('--mock');
  const proxies = await Promise.all(
    Array.from({ length: PROXIES }, () => start('--proxy', { mock: mock.message, redisUrl: redis.url })),
  );
  const ports = proxies.map((p) => p.message.port);
  const balancer = await start('--balancer', { ports });
  const { createClient } = await import('redis');
  const admin = await createClient({ url: redis.url }).connect();
  const env = {
    lb: balancer.message.port,
    ports,
    proxies: proxies.map((p) => p.child),
    users: 0,
    flush: () => admin.flushAll(),
  };
  const counters = [
    { counter: 'redis', window: 'fixed' },
    { counter: 'redis', window: 'sliding' },
    { counter: 'memory', window: 'fixed' },
    { counter: 'none' },
  ];
  const report = { burst1: [], burst50: [], steady: [] };
  const perUser = Number(opt['burst-users-turns']);
  try {
    const phases = opt.phases.split(',');
    if (phases.includes('burst1'))
      for (const counter of counters) report.burst1.push(await burst(env, counter, 1, 500));
    if (phases.includes('burst50'))
      for (const counter of counters.slice(0, 3)) report.burst50.push(await burst(env, counter, 50, perUser));
    if (phases.includes('steady'))
      report.steady = await steady(env, [counters[3], ...counters.slice(0, 3)], 50, 500, 16);
  } finally {
    await admin.close();
    for (const { child } of [...proxies, balancer, mock]) child.kill();
    await redis.stop();
  }
  const info = runInfo(loadBefore);
  print(info, report, perUser);
  if (opt.json) console.log(JSON.stringify({ ...info, ...report }, null, 2));
}

function print(info, report, perUser) {
  const out = (line = '') => console.log(line);
  out(`bench:limits — ${info.date}, node ${info.node}, build ${info.build}, ${info.cpus} CPUs, `);
  out(`load average ${info.loadavgBefore.join(' ')} before → ${info.loadavgAfter.join(' ')} after`);
  const burstTable = (title, rows) => {
    out(`\n${title}\n`);
    out(
      '| counter | turns | accepted (200) | most for one user | 429 | 503 | other | wall ms | p50 ms | p99 ms | hit() p50 / p99 ms |',
    );
    out('|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|');
    for (const r of rows) {
      const hit = r.hitP50 === null ? '—' : `${r.hitP50} / ${r.hitP99}`;
      const other =
        Object.entries(r.others)
          .map(([status, n]) => `${n}× ${status}`)
          .join(', ') || '0';
      const cells = [r.counter, r.turns, `**${r.accepted}**`, r.maxPerUser, r.refused429, r.failed503, other];
      cells.push(r.wallMs, r.p50, r.p99, hit);
      out(`| ${cells.join(' | ')} |`);
    }
  };
  if (report.burst1.length) burstTable('Burst: 1 user, turnsPerMinute 30, 500 turns at once', report.burst1);
  if (report.burst50.length) {
    const title = `Burst: 50 users, turnsPerMinute 30, ${perUser} turns each (${50 * perUser}) at once`;
    burstTable(title, report.burst50);
  }
  if (report.steady.length) steadyTable(report.steady);
}

function steadyTable(rows) {
  const out = (line = '') => console.log(line);
  const none = rows.find((r) => r.counter === 'no limit');
  const delta = (a, b) => `${a - b >= 0 ? '+' : ''}${(a - b).toFixed(1)}`;
  out('\nSteady: 50 users per counter, 500 turns per counter interleaved, 16 in flight, never refused\n');
  out('| counter | p50 ms | p99 ms | p50 vs no limit | p99 vs no limit | hit() p50 / p99 ms |');
  out('|---|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    const hit = r.hitP50 === null ? '—' : `${r.hitP50} / ${r.hitP99}`;
    out(`| ${[r.counter, r.p50, r.p99, delta(r.p50, none.p50), delta(r.p99, none.p99), hit].join(' | ')} |`);
  }
}

await main();
