// npm run bench:unreachable — how long a call to an AUI host that refuses connections takes to fail:
// a REST call (`tasks.messages`), a one-shot streamed turn (`messages.stream`), and the
// first error of a long-lived session with its default reconnect policy cut to 3 attempts. Each on
// a 127.0.0.1 port nothing listens on, from the built package (dist/). Prints the medians and the
// errors' messages (the host and the cause, never the key).
//
//   npm run build && npm run bench:unreachable [-- --runs 9]
import { createServer } from 'node:net';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { median, runInfo } from './common.mjs';

const { values: opt } = parseArgs({ options: { runs: { type: 'string', default: '9' } } });
const loadBefore = os.loadavg();
const { AuiClient } = await import('../dist/index.node.js');

/** A loopback port nothing listens on. */
async function refusedPort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const port = await refusedPort();
const aui = new AuiClient({
  apiKey: 'API_KEY_bench_unreachable',
  baseUrl: `http://127.0.0.1:${port}/api/ia-controller`,
  logLevel: 'off',
});

/** ms until `start()` rejects, and the rejection's class and message. */
async function timeFailure(start) {
  const t0 = performance.now();
  try {
    await start();
  } catch (error) {
    return { ms: performance.now() - t0, error: `${error.name}: ${error.message}` };
  }
  throw new Error('bench/unreachable: the call succeeded against a refused port');
}

const cases = {
  'REST tasks.messages (maxRetries 0)': () => aui.tasks.messages('task-1', { maxRetries: 0 }),
  'REST tasks.messages (default retries)': () => aui.tasks.messages('task-1'),
  'messages.stream (one-shot turn)': () =>
    aui.messages.stream({ task_id: 'task-1', text: 'hello?' }).finalMessage(),
  'session() turn, reconnect maxRetries 3': async () => {
    const session = aui.session({ reconnect: { maxRetries: 3 } });
    try {
      await session.stream({ task_id: 'task-1', text: 'hello?' }).finalMessage();
    } finally {
      await session.close();
    }
  },
};

const report = { ...runInfo(loadBefore), port, runs: Number(opt.runs), cases: {} };
for (const [name, start] of Object.entries(cases)) {
  const results = [];
  for (let i = 0; i < report.runs; i++) results.push(await timeFailure(start));
  report.cases[name] = {
    medianMs: Number(median(results.map((r) => r.ms)).toFixed(1)),
    error: results[0].error,
  };
}
report.loadavgAfter = os.loadavg().map((x) => Number(x.toFixed(2)));

console.log(
  `unreachable host 127.0.0.1:${port}, ${report.runs} runs each, node ${report.node}, build ${report.build}`,
);
for (const [name, { medianMs, error }] of Object.entries(report.cases)) {
  console.log(`  ${name.padEnd(40)} ${String(medianMs).padStart(8)} ms   ${error}`);
}
process.exit(0);
