#!/usr/bin/env node
// bench/stream.mjs — stream throughput: one agent turn of 20,000 small delta frames (+ the final
// message), consumed through the SDK (`aui.messages.stream`) versus a raw `ws` client that only
// JSON.parses each frame and appends `data.text`. Measures the BUILT package: run `npx rollup -c`
// (or `npm run build`) first. Figures and findings: bench/README.md.
//
//   npm run bench:stream                          # = node --expose-gc bench/stream.mjs
//   npm run bench:stream -- --runs 21 --json
//   npm run bench:stream -- --target mock --gate mock   # only the mock target, gated on its ratio
//   npm run bench:stream -- --inproc              # servers in this process instead of a child
//   npm run bench:stream -- --no-pin              # do not pin client/servers to separate CPUs
//   npm run bench:stream -- --dist DIR            # another build (inside the repo), for A/B
//   node --expose-gc --cpu-prof bench/stream.mjs --target replay --only sdk --runs 25
//
// What is timed, per run:
//   SDK  — a fresh `aui.messages.stream({ task_id, text })` turn on an existing task (its own
//          short-lived socket: connect → send → 20,000 frames → final), consumed with
//          `.on('text')` accumulating the deltas, then `await finalMessage()`; from the call to
//          stream() until finalMessage() resolves. The "for await" variant consumes the same
//          turn with `for await (const event of stream)`.
//   raw  — `new WebSocket(wsUrl?network_api_key=k)` (package `ws`), send the same turn frame,
//          JSON.parse every frame and append `data.text` until a frame with `id` (the final);
//          from `new WebSocket` until that frame.
// Every run checks that the accumulated text equals the final text (and the expected text).
//
// Targets (both served by one child process, this script with --mock-server):
//   mock   — `startMockAui` from dist/mock.js, one ws.send per frame. It is slower than either
//            client, so this ratio shows whether the SDK keeps up with the mock.
//   replay — the mock's frames for this turn, captured once and pre-encoded, sent in one write
//            per turn (see startReplay): client-bound, so this ratio is the SDK's own cost.
// On Linux the measuring process is pinned to CPU 0 and the child to CPU 1 with `taskset`:
// unpinned, the scheduler now and then runs both on one core and a run takes twice as long.
// Each run starts after gc() and a 30 ms pause.
//
// Rounds: 2 warm-up rounds (discarded), then N rounds (default 15, at least 7); per target a
// round is three adjacent runs, raw in the middle: [SDK .on, raw, SDK for-await], the SDK
// variants swapping places every round. The ratio (SDK throughput / raw throughput) is the
// median over rounds of (raw ms / SDK ms) in the same round — paired, so drifting machine load
// cancels out; the ratio of the medians and the CPU ratio are printed too.
// Exit code 1 when the `.on('text')` ratio of a gated target (--gate mock | replay | both,
// default replay: the client-bound figure) is below the 0.90 floor (aim 0.95), or when
// any run's text check failed. The mock figure is still measured and reported.
// Per-frame cost: (SDK median ms − raw median ms) / frames, in µs — what the SDK adds to each frame
// on top of `ws` + `JSON.parse` (it includes the turn's fixed cost, ~1 ms, spread over the frames).
import { execFileSync, spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { resolve as resolvePath } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { median, runInfo } from './common.mjs';

const KEY = 'k';
const FLOOR = 0.9;
const AIM = 0.95;

const { values: opt } = parseArgs({
  allowNegative: true,
  options: {
    frames: { type: 'string', default: '20000' },
    runs: { type: 'string', default: '15' },
    warmup: { type: 'string', default: '2' },
    inproc: { type: 'boolean', default: false },
    pin: { type: 'boolean', default: true },
    json: { type: 'boolean', default: false },
    // Which server(s) to run against: mock | replay | both (see startReplay), and which gate.
    target: { type: 'string', default: 'both' },
    gate: { type: 'string', default: 'replay' },
    dist: { type: 'string' },
    // Profiling aid: run one variant only (sdk | raw | sdkIter); prints its summary, no gate.
    only: { type: 'string' },
    // Internal: run as the mock server child.
    'mock-server': { type: 'boolean', default: false },
  },
});
for (const [name, allowed] of [
  ['target', ['mock', 'replay', 'both']],
  ['gate', ['mock', 'replay', 'both']],
]) {
  if (!allowed.includes(opt[name])) {
    console.error(`bench/stream: --${name} is one of ${allowed.join(', ')}`);
    process.exit(2);
  }
}
const FRAMES = Number(opt.frames);
const RUNS = Math.max(7, Number(opt.runs));
const WARMUP = Number(opt.warmup);

// --dist DIR measures another build (A/B against a change); default ../dist. DIR must sit inside
// the repo so that `ws`/`isomorphic-ws` resolve from node_modules.
const distDir = opt.dist ? pathToFileURL(`${resolvePath(opt.dist)}/`) : new URL('../dist/', import.meta.url);
const dist = (f) => new URL(f, distDir);
if (!existsSync(fileURLToPath(dist('index.node.js'))) || !existsSync(fileURLToPath(dist('mock.js')))) {
  console.error(
    `bench/stream: ${fileURLToPath(distDir)} has no build; run \`npx rollup -c\` (or \`npm run build\`) first.`,
  );
  process.exit(2);
}

/** FRAMES chunks like "tok123 " and the final text they add up to. */
function makeReply(frames) {
  const chunks = Array.from({ length: frames }, (_, i) => `tok${i} `);
  return { text: chunks.join(''), chunks };
}

async function startMock() {
  const { startMockAui } = await import(dist('mock.js'));
  return startMockAui({ apiKey: KEY, reply: makeReply(FRAMES), envelope: 'full', text: 'delta' });
}

if (opt['mock-server']) {
  const mock = await startMock();
  const replay = await startReplay(mock);
  process.stdout.write(
    `${JSON.stringify({ url: mock.url, wsUrl: mock.wsUrl, replayWsUrl: replay.wsUrl, replayBytes: replay.bytes })}\n`,
  );
  // The parent closes our stdin when it is done (or dies): close and leave.
  process.stdin.on('end', () => void mock.close().finally(() => process.exit(0)));
  process.stdin.resume();
} else {
  await main();
}

/* ------------------------------------------------------- child: the client-bound replay */

/**
 * The mock writes its frames one `ws.send` at a time, and how fast it goes depends on how fast
 * the client reads (a slow reader makes the mock's writes coalesce), so against the mock both
 * clients mostly wait for the mock. The replay server takes one turn's frames as the mock sent
 * them (captured once, byte for byte in the payloads), pre-encodes them as WebSocket frames, and
 * answers each turn with a single write: the client, not the server, is then the bottleneck.
 * It speaks just enough RFC 6455 for this: handshake, one turn, close.
 */
async function startReplay(mock) {
  const { AuiClient } = await import(dist('index.node.js'));
  const aui = new AuiClient({ apiKey: KEY, baseUrl: mock.url, wsUrl: mock.wsUrl, logLevel: 'off' });
  const { id: task_id } = await aui.tasks.create({ user_id: 'bench-replay' });
  const payloads = await new Promise((resolve, reject) => {
    const ws = new WebSocket(`${mock.wsUrl}?network_api_key=${KEY}`);
    const out = [];
    ws.on('open', () => ws.send(JSON.stringify({ task_id, text: 'go' })));
    ws.on('message', (data) => {
      out.push(Buffer.from(data));
      if (JSON.parse(data.toString()).id !== undefined) {
        ws.close(1000);
        resolve(out);
      }
    });
    ws.on('error', reject);
  });
  // The streaming frames are pre-encoded once. The final message gets a fresh id every turn, as a
  // real reply does: the SDK takes a final whose id it has already seen for a repeated one.
  const streaming = Buffer.concat(payloads.slice(0, -1).flatMap((p) => [frameHeader(p.length), p]));
  const finalMessage = JSON.parse(payloads.at(-1).toString());
  const finalFrame = () => {
    const final = Buffer.from(JSON.stringify({ ...finalMessage, id: randomUUID() }));
    return Buffer.concat([frameHeader(final.length), final]);
  };
  const turnLength = streaming.length + finalFrame().length;
  const server = createServer((socket) => {
    let state = 'handshake';
    let head = Buffer.alloc(0);
    socket.on('error', () => {});
    socket.on('data', (chunk) => {
      if (state === 'handshake') {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        const key = /sec-websocket-key:\s*(\S+)/i.exec(head.subarray(0, end).toString())?.[1] ?? '';
        const accept = createHash('sha1')
          .update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`)
          .digest('base64');
        socket.write(
          `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
        );
        state = 'open';
      } else if (state === 'open') {
        state = 'streaming'; // the client's turn frame: answer with the whole turn at once
        socket.write(streaming);
        socket.write(finalFrame());
      } else if (state === 'streaming') {
        state = 'closed'; // the client's close frame: answer 1000 and end
        socket.end(Buffer.from([0x88, 0x02, 0x03, 0xe8]));
      }
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref(); // never what keeps the process alive
  return { wsUrl: `ws://127.0.0.1:${server.address().port}/replay`, bytes: turnLength };
}

/** Header of an unmasked, final text frame of `n` payload bytes. */
function frameHeader(n) {
  if (n < 126) return Buffer.from([0x81, n]);
  if (n < 65536) return Buffer.from([0x81, 126, n >> 8, n & 0xff]);
  const h = Buffer.alloc(10);
  h[0] = 0x81;
  h[1] = 127;
  h.writeBigUInt64BE(BigInt(n), 2);
  return h;
}

/* ------------------------------------------------------------------------ one run each */

function cpuMs(usage) {
  return (usage.user + usage.system) / 1000;
}

function settle() {
  globalThis.gc?.();
  return new Promise((resolve) => setTimeout(resolve, 30));
}

async function sdkOn(aui, task_id, expected) {
  await settle();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const stream = aui.messages.stream({ task_id, text: 'go' });
  let acc = '';
  let deltas = 0;
  let snapshots = 0;
  stream.on('text', (delta) => {
    acc += delta;
    deltas++;
  });
  stream.on('snapshot', () => snapshots++);
  const message = await stream.finalMessage();
  const ms = performance.now() - t0;
  const cpu = cpuMs(process.cpuUsage(c0));
  const ok = acc === message.text && message.text === expected && deltas === FRAMES && snapshots === 0;
  return { ms, cpu, ok, frames: deltas };
}

async function sdkIter(aui, task_id, expected) {
  await settle();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const stream = aui.messages.stream({ task_id, text: 'go' });
  let acc = '';
  let deltas = 0;
  let snapshots = 0;
  let message;
  for await (const event of stream) {
    if (event.type === 'text') {
      acc += event.delta;
      deltas++;
    } else if (event.type === 'snapshot') {
      snapshots++;
    } else if (event.type === 'message') {
      message = event.message;
    }
  }
  const ms = performance.now() - t0;
  const cpu = cpuMs(process.cpuUsage(c0));
  const ok =
    message !== undefined &&
    acc === message.text &&
    message.text === expected &&
    deltas === FRAMES &&
    snapshots === 0;
  return { ms, cpu, ok, frames: deltas };
}

async function raw(wsUrl, task_id, expected) {
  await settle();
  return new Promise((resolve, reject) => {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const ws = new WebSocket(`${wsUrl}?network_api_key=${KEY}`);
    let acc = '';
    let frames = 0;
    let done = false;
    ws.on('open', () => ws.send(JSON.stringify({ task_id, text: 'go' })));
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString());
      if (frame.id === undefined) {
        acc += frame.data.text;
        frames++;
        return;
      }
      const ms = performance.now() - t0;
      const cpu = cpuMs(process.cpuUsage(c0));
      done = true;
      ws.close(1000);
      resolve({ ms, cpu, ok: acc === frame.text && frame.text === expected && frames === FRAMES, frames });
    });
    ws.on('error', reject);
    ws.on('close', () => done || reject(new Error('raw: the socket closed before the final frame')));
  });
}

/* ------------------------------------------------------------------------------ helpers */

/** Pins every thread of `pid` to one CPU; false when taskset is unavailable. */
function pin(pid, cpu) {
  try {
    execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function summary(results) {
  const ms = median(results.map((r) => r.ms));
  return {
    runs: results.length,
    medianMs: ms,
    minMs: Math.min(...results.map((r) => r.ms)),
    maxMs: Math.max(...results.map((r) => r.ms)),
    framesPerSec: (FRAMES / ms) * 1000,
    medianCpuMs: median(results.map((r) => r.cpu)),
    ok: results.every((r) => r.ok),
    allMs: results.map((r) => Number(r.ms.toFixed(1))),
  };
}

/** µs the SDK adds per frame: (SDK median − raw median) over the frames of a turn. */
function usPerFrame(variant, rawRuns) {
  return ((median(variant.map((r) => r.ms)) - median(rawRuns.map((r) => r.ms))) * 1000) / FRAMES;
}

/** raw ms / variant ms per round (= variant throughput / raw throughput), then the median. */
function pairedRatio(variant, rawRuns, key = 'ms') {
  return median(variant.map((r, i) => rawRuns[i][key] / r[key]));
}

async function startMockChild(pinned) {
  const args = [
    fileURLToPath(import.meta.url),
    '--mock-server',
    '--frames',
    String(FRAMES),
    ...(opt.dist ? ['--dist', opt.dist] : []),
  ];
  const child = pinned
    ? spawn('taskset', ['-c', '1', process.execPath, ...args], { stdio: ['pipe', 'pipe', 'inherit'] })
    : spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`bench/stream: the mock server exited (${code})`)));
  });
  return { child, server: JSON.parse(line) };
}

async function stopMockChild(child) {
  child.stdin.end();
  await new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill();
      resolve();
    }, 3000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/* --------------------------------------------------------------------------------- main */

async function main() {
  const loadBefore = os.loadavg();
  const pinned = !opt.inproc && opt.pin && os.cpus().length >= 2 && pin(process.pid, 0);
  let child;
  let server;
  if (opt.inproc) {
    const mock = await startMock();
    const replay = await startReplay(mock);
    server = {
      url: mock.url,
      wsUrl: mock.wsUrl,
      replayWsUrl: replay.wsUrl,
      replayBytes: replay.bytes,
      close: () => mock.close(),
    };
  } else {
    ({ child, server } = await startMockChild(pinned));
  }

  try {
    const { AuiClient } = await import(dist('index.node.js'));
    const { text: expected } = makeReply(FRAMES);
    const targets = {};
    for (const [name, wsUrl] of [
      ['mock', server.wsUrl],
      ['replay', server.replayWsUrl],
    ]) {
      if (opt.target !== 'both' && opt.target !== name) continue;
      const aui = new AuiClient({ apiKey: KEY, baseUrl: server.url, wsUrl, logLevel: 'off' });
      const { id: task_id } = await aui.tasks.create({ user_id: 'bench-user' });
      targets[name] = {
        variants: {
          sdk: () => sdkOn(aui, task_id, expected),
          raw: () => raw(wsUrl, task_id, expected),
          sdkIter: () => sdkIter(aui, task_id, expected),
        },
        results: { sdk: [], raw: [], sdkIter: [] },
      };
    }
    if (opt.only && !['sdk', 'raw', 'sdkIter'].includes(opt.only))
      throw new Error('--only: one of sdk, raw, sdkIter');
    let bad = 0;

    const round = async (i, record) => {
      for (const [tname, target] of Object.entries(targets)) {
        const order = opt.only ? [opt.only] : roundOrder(i);
        for (const name of order) {
          const r = await target.variants[name]();
          if (!r.ok) {
            bad++;
            console.error(
              `bench/stream: ${tname} ${name} ${record ? `run ${i + 1}` : 'warm-up'}: accumulated text != final text (${r.frames} deltas)`,
            );
          }
          if (record) target.results[name].push(r);
        }
      }
    };
    // Warm-up (discarded): the first SDK turn also loads `ws` and reads the task's watermark.
    for (let i = 0; i < WARMUP; i++) await round(i, false);
    for (let i = 0; i < RUNS; i++) await round(i, true);

    if (opt.only) {
      for (const [tname, t] of Object.entries(targets))
        console.log(
          JSON.stringify({ target: tname, only: opt.only, frames: FRAMES, ...summary(t.results[opt.only]) }),
        );
      return;
    }

    const report = {
      ...runInfo(loadBefore),
      frames: FRAMES,
      turnBytes: server.replayBytes,
      runs: RUNS,
      warmupRounds: WARMUP,
      layout: layoutOf(pinned),
      gate: opt.gate,
      floor: FLOOR,
      aim: AIM,
      correct: bad === 0,
      targets: {},
    };
    for (const [tname, t] of Object.entries(targets)) {
      const { sdk, raw: rawRuns, sdkIter } = t.results;
      report.targets[tname] = {
        raw: summary(rawRuns),
        sdk: summary(sdk),
        sdkForAwait: summary(sdkIter),
        // SDK throughput / raw throughput: per-round pairs, then the median.
        ratio: pairedRatio(sdk, rawRuns),
        ratioOfMedians: median(rawRuns.map((r) => r.ms)) / median(sdk.map((r) => r.ms)),
        cpuRatio: pairedRatio(sdk, rawRuns, 'cpu'),
        ratioForAwait: pairedRatio(sdkIter, rawRuns),
        ratioOfMediansForAwait: median(rawRuns.map((r) => r.ms)) / median(sdkIter.map((r) => r.ms)),
        cpuRatioForAwait: pairedRatio(sdkIter, rawRuns, 'cpu'),
        usPerFrame: usPerFrame(sdk, rawRuns),
        usPerFrameForAwait: usPerFrame(sdkIter, rawRuns),
      };
    }
    const gated = Object.entries(report.targets).filter(
      ([tname]) => opt.gate === 'both' || opt.gate === tname,
    );
    const failing = gated.filter(([, t]) => t.ratio < FLOOR).map(([tname]) => tname);
    const pass = failing.length === 0 && bad === 0;

    if (opt.json) {
      console.log(JSON.stringify({ ...report, pass }, null, 2));
    } else {
      const f = (x, d = 1) => x.toFixed(d);
      const row = (name, s, r, rm, c, us) =>
        `  ${name.padEnd(20)} ${f(s.medianMs).padStart(7)} ms ${Math.round(s.framesPerSec).toLocaleString('en-US').padStart(9)} frames/s ` +
        `${f(s.medianCpuMs).padStart(7)} ms cpu` +
        (r === undefined
          ? ''
          : `   ratio ${f(r, 3)}× (of medians ${f(rm, 3)}×, cpu ${f(c, 3)}×), ${us >= 0 ? '+' : ''}${f(us, 2)} µs/frame`);
      console.log(
        `stream: 1 turn × ${FRAMES.toLocaleString('en-US')} delta frames + final (${(server.replayBytes / 1e6).toFixed(1)} MB), full envelope`,
      );
      console.log(`layout: ${report.layout}`);
      console.log(
        `node ${process.version}, ${report.cpus} cpus, loadavg ${report.loadavgBefore.join(' ')} → ${report.loadavgAfter.join(' ')}; build of ${report.build}`,
      );
      console.log(
        `${RUNS} rounds after ${WARMUP} warm-up rounds; medians; ratio = SDK throughput / raw throughput (median of per-round pairs)`,
      );
      for (const [tname, t] of Object.entries(report.targets)) {
        console.log(
          tname === 'mock'
            ? 'target mock (startMockAui, one ws.send per frame):'
            : "target replay (the mock's frames, pre-encoded, one write per turn: client-bound):",
        );
        console.log(row('raw ws + JSON.parse', t.raw));
        console.log(row("SDK .on('text')", t.sdk, t.ratio, t.ratioOfMedians, t.cpuRatio, t.usPerFrame));
        console.log(
          row(
            'SDK for await',
            t.sdkForAwait,
            t.ratioForAwait,
            t.ratioOfMediansForAwait,
            t.cpuRatioForAwait,
            t.usPerFrameForAwait,
          ),
        );
        console.log(`    ms per run  raw: ${t.raw.allMs.join(' ')}`);
        console.log(`                sdk: ${t.sdk.allMs.join(' ')}`);
        console.log(`          for await: ${t.sdkForAwait.allMs.join(' ')}`);
      }
      console.log(
        `correctness (accumulated text === final text, ${FRAMES} deltas, no snapshot event), every run: ${bad === 0 ? 'ok' : `${bad} BAD run(s)`}`,
      );
      for (const [tname, t] of Object.entries(report.targets)) {
        let level = `BELOW THE ${FLOOR}× FLOOR`;
        if (t.ratio >= AIM) level = `meets the ${AIM}× aim`;
        else if (t.ratio >= FLOOR) level = `above the ${FLOOR}× floor, below the ${AIM}× aim`;
        const isGated = gated.some(([g]) => g === tname);
        let verdict = 'info';
        if (isGated) verdict = t.ratio >= FLOOR ? 'PASS' : 'FAIL';
        console.log(
          `${verdict}: ${tname}: SDK .on('text') throughput = ${f(t.ratio, 3)}× raw (${level})${isGated ? '' : ' [not gated; --gate ' + tname + ' or both]'}`,
        );
      }
      if (bad) console.log('FAIL: the text check failed');
    }
    process.exitCode = pass ? 0 : 1;
  } finally {
    if (child) await stopMockChild(child);
    else await server.close();
  }
}

/** Raw in the middle, adjacent to both SDK variants; those swap places every round. */
function roundOrder(round) {
  return round % 2 === 0 ? ['sdk', 'raw', 'sdkIter'] : ['sdkIter', 'raw', 'sdk'];
}

/** Where the servers ran relative to the measuring process. */
function layoutOf(pinned) {
  if (opt.inproc) return 'mock and replay in this process';
  if (pinned) return 'mock and replay in a child process; client pinned to cpu 0, child to cpu 1';
  return 'mock and replay in a child process, unpinned';
}
