#!/usr/bin/env node
// bench/memory.mjs — memory per open idle connection: 1,000 long-lived SDK sessions
// (`aui.session()`, all `state === 'open'`) versus 1,000 raw `ws` sockets to the same mock.
// Measures the BUILT package: run `npx rollup -c` (or `npm run build`) first.
//
//   npm run bench:memory                        # = node --expose-gc bench/memory.mjs
//   npm run bench:memory -- --n 1000 --reps 3 --json
//
// Processes (each side gets a fresh process, so neither sees the other's heap or JIT state):
//   this script           — starts the mock, then runs the sides one after the other, alternating
//                           [sdk, raw] for --reps repetitions, and reports medians;
//   ... --mock-server     — the mock (`startMockAui` from dist/mock.js): its 1,000 server-side
//                           sockets are in their own process and not counted;
//   ... --side sdk|raw    — one side: loads its code, opens and closes ONE connection (so `ws`
//                           is loaded and the code warm), gc() ×3, takes the baseline, opens N
//                           connections and waits until all are open, waits 500 ms, gc() ×3,
//                           measures, and reports (after − baseline) / N; then closes all.
// Counted: process.memoryUsage() heapUsed and rss (also external + arrayBuffers). N sockets need
// N file descriptors in the side process and N in the mock: the script checks `ulimit -n`.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import { resolve as resolvePath } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { median, runInfo } from './common.mjs';

const KEY = 'k';
const FLOOR = 2;
const AIM = 1.3;

const { values: opt } = parseArgs({
  options: {
    n: { type: 'string', default: '1000' },
    reps: { type: 'string', default: '3' },
    json: { type: 'boolean', default: false },
    // --dist DIR measures another build (inside the repo, so `ws` resolves); default ../dist.
    dist: { type: 'string' },
    // Internal.
    'mock-server': { type: 'boolean', default: false },
    side: { type: 'string' },
    url: { type: 'string' },
    'ws-url': { type: 'string' },
  },
});
const N = Number(opt.n);
const REPS = Math.max(1, Number(opt.reps));
const SELF = fileURLToPath(import.meta.url);

const distDir = opt.dist ? pathToFileURL(`${resolvePath(opt.dist)}/`) : new URL('../dist/', import.meta.url);
const dist = (f) => new URL(f, distDir);
if (!existsSync(fileURLToPath(dist('index.node.js'))) || !existsSync(fileURLToPath(dist('mock.js')))) {
  console.error(
    `bench/memory: ${fileURLToPath(distDir)} has no build; run \`npx rollup -c\` (or \`npm run build\`) first.`,
  );
  process.exit(2);
}

if (opt['mock-server']) await mockServer();
else if (opt.side) await side(opt.side);
else await main();

/* ------------------------------------------------------------------------ the mock child */

async function mockServer() {
  const { startMockAui } = await import(dist('mock.js'));
  const mock = await startMockAui({ apiKey: KEY });
  process.stdout.write(`${JSON.stringify({ url: mock.url, wsUrl: mock.wsUrl })}\n`);
  process.stdin.on('end', () => void mock.close().finally(() => process.exit(0)));
  process.stdin.resume();
}

/* ------------------------------------------------------------------------ one side, N open */

function gcHard() {
  for (let i = 0; i < 3; i++) globalThis.gc();
}

function usage() {
  const m = process.memoryUsage();
  return { heapUsed: m.heapUsed, rss: m.rss, external: m.external, arrayBuffers: m.arrayBuffers };
}

async function side(kind) {
  if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc');
  const url = opt.url;
  const wsUrl = opt['ws-url'];
  let open;
  let closeAll;

  if (kind === 'sdk') {
    const { AuiClient } = await import(dist('index.node.js'));
    const aui = new AuiClient({ apiKey: KEY, baseUrl: url, wsUrl, logLevel: 'off' });
    const opened = [];
    const openOne = () =>
      new Promise((resolve, reject) => {
        const session = aui.session();
        const onState = ({ current, reason }) => {
          if (current === 'open') {
            session.off('state', onState);
            resolve(session);
          } else if (current === 'closed' || current === 'reconnecting') {
            session.off('state', onState);
            reject(new Error(`session ${current}: ${reason ?? ''}`));
          }
        };
        session.on('state', onState);
        if (session.state === 'open') onState({ current: 'open' });
      });
    // Warm: load `ws` (lazy, on first connect) and run the code once.
    await (await openOne()).close();
    open = async (n) => {
      for (let i = 0; i < n; i += 100) {
        const batch = await Promise.all(Array.from({ length: Math.min(100, n - i) }, openOne));
        opened.push(...batch);
      }
      if (!opened.every((s) => s.state === 'open')) throw new Error('not every session is open');
    };
    closeAll = () => Promise.all(opened.map((s) => s.close()));
  } else if (kind === 'raw') {
    const { default: WebSocket } = await import('ws');
    const opened = [];
    const openOne = () =>
      new Promise((resolve, reject) => {
        const ws = new WebSocket(`${wsUrl}?network_api_key=${KEY}`);
        ws.on('message', () => {});
        ws.on('error', reject);
        ws.once('open', () => resolve(ws));
      });
    const first = await openOne();
    await new Promise((resolve) => {
      first.once('close', resolve);
      first.close(1000);
    });
    open = async (n) => {
      for (let i = 0; i < n; i += 100) {
        const batch = await Promise.all(Array.from({ length: Math.min(100, n - i) }, openOne));
        opened.push(...batch);
      }
      if (!opened.every((ws) => ws.readyState === WebSocket.OPEN))
        throw new Error('not every socket is open');
    };
    closeAll = () =>
      Promise.all(
        opened.map(
          (ws) =>
            new Promise((resolve) => {
              ws.once('close', resolve);
              ws.close(1000);
            }),
        ),
      );
  } else {
    throw new Error(`--side: sdk or raw, not ${kind}`);
  }

  await sleep(200);
  gcHard();
  await sleep(100);
  gcHard();
  const before = usage();
  const t0 = performance.now();
  await open(N);
  const openMs = performance.now() - t0;
  await sleep(500);
  gcHard();
  await sleep(100);
  gcHard();
  const after = usage();
  const per = Object.fromEntries(Object.keys(before).map((k) => [k, (after[k] - before[k]) / N]));
  process.stdout.write(`${JSON.stringify({ side: kind, n: N, openMs, before, after, per })}\n`);
  await closeAll();
  process.exit(0);
}

/* ------------------------------------------------------------------------------ the driver */

function fdLimit() {
  try {
    return Number(execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim());
  } catch {
    return NaN;
  }
}

function runChild(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', SELF, ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`bench/memory: ${args.join(' ')} exited ${code}`));
      resolve(JSON.parse(out.trim().split('\n').at(-1)));
    });
  });
}

async function main() {
  const limit = fdLimit();
  if (Number.isFinite(limit) && limit < N + 100) {
    console.error(
      `bench/memory: ulimit -n is ${limit}; ${N} sockets need at least ${N + 100}. Raise it (ulimit -n ${N * 2 + 200}) or pass --n.`,
    );
    process.exit(2);
  }
  const loadBefore = os.loadavg();
  const mockChild = spawn(
    process.execPath,
    [SELF, '--mock-server', ...(opt.dist ? ['--dist', opt.dist] : [])],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const mock = JSON.parse(
    await new Promise((resolve, reject) => {
      createInterface({ input: mockChild.stdout }).once('line', resolve);
      mockChild.once('exit', (code) => reject(new Error(`bench/memory: the mock exited (${code})`)));
    }),
  );
  const common = [
    '--n',
    String(N),
    '--url',
    mock.url,
    '--ws-url',
    mock.wsUrl,
    ...(opt.dist ? ['--dist', opt.dist] : []),
  ];
  const runs = { sdk: [], raw: [] };
  try {
    for (let rep = 0; rep < REPS; rep++) {
      for (const kind of rep % 2 === 0 ? ['sdk', 'raw'] : ['raw', 'sdk'])
        runs[kind].push(await runChild(['--side', kind, ...common]));
    }
  } finally {
    mockChild.stdin.end();
  }

  const med = (kind, key) => median(runs[kind].map((r) => r.per[key]));
  const keys = ['heapUsed', 'rss', 'external', 'arrayBuffers'];
  const per = { sdk: {}, raw: {} };
  for (const kind of ['sdk', 'raw']) for (const key of keys) per[kind][key] = med(kind, key);
  const heapRatio = per.sdk.heapUsed / per.raw.heapUsed;
  const rssRatio = per.sdk.rss / per.raw.rss;
  const totalRatio = (per.sdk.heapUsed + per.sdk.external) / (per.raw.heapUsed + per.raw.external);
  const pass = heapRatio <= FLOOR;
  const report = {
    ...runInfo(loadBefore),
    fdLimit: limit,
    n: N,
    reps: REPS,
    perConnectionBytes: per,
    heapRatio,
    rssRatio,
    heapPlusExternalRatio: totalRatio,
    openMs: { sdk: median(runs.sdk.map((r) => r.openMs)), raw: median(runs.raw.map((r) => r.openMs)) },
    runs: Object.fromEntries(
      Object.entries(runs).map(([k, rs]) => [
        k,
        rs.map((r) => ({ heapUsed: Math.round(r.per.heapUsed), rss: Math.round(r.per.rss) })),
      ]),
    ),
    floor: FLOOR,
    aim: AIM,
    pass,
  };
  if (opt.json) {
    console.log(JSON.stringify(report, null, 2));
  } else {
    const kb = (b) => `${(b / 1024).toFixed(1)} KB`.padStart(9);
    console.log(
      `memory: ${N} open idle connections per side, each side in a fresh process; mock in its own process`,
    );
    console.log(
      `node ${process.version}, ${report.cpus} cpus, ulimit -n ${limit}, loadavg ${report.loadavgBefore.join(' ')} → ${report.loadavgAfter.join(' ')}; build of ${report.build}`,
    );
    console.log(`${REPS} processes per side, alternated; medians of (after gc − baseline after gc) / ${N}`);
    console.log(
      `${''.padEnd(24)} ${'heapUsed'.padStart(9)} ${'rss'.padStart(9)} ${'external'.padStart(9)}   open ${N}`,
    );
    console.log(
      `${'raw ws socket'.padEnd(24)} ${kb(per.raw.heapUsed)} ${kb(per.raw.rss)} ${kb(per.raw.external)}   ${report.openMs.raw.toFixed(0)} ms`,
    );
    console.log(
      `${'SDK session (idle, open)'.padEnd(24)} ${kb(per.sdk.heapUsed)} ${kb(per.sdk.rss)} ${kb(per.sdk.external)}   ${report.openMs.sdk.toFixed(0)} ms`,
    );
    console.log(
      `ratio SDK / raw: heap ${heapRatio.toFixed(2)}×, rss ${rssRatio.toFixed(2)}×, heap+external ${totalRatio.toFixed(2)}×`,
    );
    console.log(
      `per run (bytes/connection heap, rss): sdk ${report.runs.sdk.map((r) => `${r.heapUsed}/${r.rss}`).join(' ')} | raw ${report.runs.raw.map((r) => `${r.heapUsed}/${r.rss}`).join(' ')}`,
    );
    let level = 'ABOVE THE 2× FLOOR';
    if (heapRatio <= FLOOR) level = 'within the 2× floor, above the 1.3× aim';
    if (heapRatio <= AIM) level = 'meets the 1.3× aim';
    console.log(
      `${pass ? 'PASS' : 'FAIL'}: SDK heap per session = ${heapRatio.toFixed(2)}× a raw ws socket (${level})`,
    );
  }
  process.exitCode = pass ? 0 : 1;
}
