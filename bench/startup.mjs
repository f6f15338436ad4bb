#!/usr/bin/env node
// bench/startup.mjs — start-up cost: from process start to a completed `tasks.create` against the
// mock on loopback, in Node 20, for the built SDK (`dist/index.node.js`) versus a script doing the
// same call with raw `fetch`. Each run is a fresh `node` process timed from spawn to exit; the two
// sides alternate; medians of N runs (default 20). Budget: at most +50 ms over raw.
//
//   npm run build && node bench/startup.mjs [--runs 20] [--json]
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { median } from './common.mjs';

const { values: opt } = parseArgs({
  options: { runs: { type: 'string', default: '20' }, json: { type: 'boolean', default: false } },
});
const runs = Math.max(5, Number(opt.runs));
const root = fileURLToPath(new URL('..', import.meta.url));
const { startMockAui } = await import(new URL('../dist/mock.js', import.meta.url).href);
const mock = await startMockAui({ apiKey: 'k' });

// Both scripts end with process.exit(0) right after the call, so keep-alive sockets do not count.
const sdk = `
import { AuiClient } from './dist/index.node.js';
const aui = new AuiClient({ apiKey: 'k', baseUrl: process.env.URL, logLevel: 'off' });
const task = await aui.tasks.create({ user_id: 'startup' });
if (!task.id) process.exit(1);
process.exit(0);`;
const raw = `
const response = await fetch(process.env.URL + '/api/v1/external/tasks', {
  method: 'POST',
  headers: { 'content-type': 'application/json', 'x-network-api-key': 'k' },
  body: JSON.stringify({ user_id: 'startup', task_origin_type: 'web-widget' }),
});
const task = await response.json();
if (!task.id) process.exit(1);
process.exit(0);`;

function once(source) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['--input-type=module', '-e', source], {
      cwd: root,
      env: { ...process.env, URL: mock.url },
      stdio: 'inherit',
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve(performance.now() - started) : reject(new Error(`exit ${code}`)),
    );
  });
}

const times = { sdk: [], raw: [] };
// Warm the disk cache.
for (let i = 0; i < 2; i++) {
  await once(sdk);
  await once(raw);
}
for (let i = 0; i < runs; i++) {
  const order = i % 2 ? ['raw', 'sdk'] : ['sdk', 'raw'];
  for (const side of order) times[side].push(await once(side === 'sdk' ? sdk : raw));
}
await mock.close();

const result = { runs, sdk: median(times.sdk), raw: median(times.raw) };
result.overhead = result.sdk - result.raw;
if (opt.json) console.log(JSON.stringify(result));
else {
  console.log(
    `start-up to a completed tasks.create, Node ${process.version}, ${runs} runs each (fresh process per run), medians:`,
  );
  console.log(`  raw fetch   ${result.raw.toFixed(1)} ms`);
  console.log(
    `  SDK         ${result.sdk.toFixed(1)} ms   (+${result.overhead.toFixed(1)} ms; budget +50 ms)`,
  );
}
process.exit(result.overhead <= 50 ? 0 : 1);
