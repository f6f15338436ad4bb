#!/usr/bin/env node
// bench/soak — a seeded soak of the streaming engine against a hostile mock AUI: N turns
// over ONE long-lived `aui.session()` and N one-shot `aui.messages.stream()` turns, each meeting a
// fault drawn from the seed (drops with the reply stored now / later / never, close 1011, close
// 1000 after the answer, refused handshakes for a stretch, repeated finals, stray error frames,
// slow and malformed frames, the client's own abort). Runs the source with tsx; no build needed.
//
//   npm run soak                                   # 2,000 turns per mode, seed 42
//   npm run soak -- --turns 200 --seed 7 --mode session --json
//
// Options: --turns N (per mode, default 2000), --seed S (default 42), --mode session|one-shot|both
// (default both), --recovery-timeout MS (default 600), --turn-cap MS (default 30000: a turn with
// no outcome after this is hung), --concurrency C (one-shot turns in flight, default 4), --json.
// Exits 1 when a turn was doubled, hung, given another turn's reply, failed untyped, broke the
// event order, or was lost with `delivered: false`, or when the process saw an uncaught exception
// or an unhandled rejection. Heap figures need --expose-gc (the npm script passes it).
import { parseArgs } from 'node:util';
import { runInfo } from './common.mjs';
import { runMode } from './soak/run.ts';
import type { ModeReport, SoakMode } from './soak/tally.ts';

const { values: opt } = parseArgs({
  options: {
    turns: { type: 'string', default: '2000' },
    seed: { type: 'string', default: '42' },
    mode: { type: 'string', default: 'both' },
    'recovery-timeout': { type: 'string', default: '600' },
    'turn-cap': { type: 'string', default: '30000' },
    concurrency: { type: 'string', default: '4' },
    json: { type: 'boolean', default: false },
  },
});

const modes: SoakMode[] = opt.mode === 'both' ? ['session', 'one-shot'] : [opt.mode as SoakMode];
if (!modes.every((mode) => mode === 'session' || mode === 'one-shot')) {
  console.error(`soak: --mode is session, one-shot or both, not ${opt.mode}.`);
  process.exit(2);
}

// What escapes every turn: counted, not fatal, so one crash does not hide the rest of the run.
const escaped = { crashes: [] as string[], unhandled: [] as string[] };
const describe = (value: unknown) =>
  value instanceof Error ? `${value.name}: ${value.message}` : `non-error: ${String(value)}`;
process.on('uncaughtException', (error) => escaped.crashes.push(describe(error)));
process.on('unhandledRejection', (reason) => escaped.unhandled.push(describe(reason)));

interface ModeResult extends ModeReport {
  crashes: string[];
  unhandled: string[];
}

const loadBefore = (await import('node:os')).loadavg();
const results: ModeResult[] = [];
for (const mode of modes) {
  const crashes = escaped.crashes.length;
  const unhandled = escaped.unhandled.length;
  const report = await runMode({
    mode,
    turns: Number(opt.turns),
    seed: Number(opt.seed),
    recoveryTimeout: Number(opt['recovery-timeout']),
    turnCap: Number(opt['turn-cap']),
    concurrency: Number(opt.concurrency),
    progress: true,
  });
  results.push({
    ...report,
    crashes: escaped.crashes.slice(crashes),
    unhandled: escaped.unhandled.slice(unhandled),
  });
}

const failures = results.flatMap(problemsOf);
if (opt.json) {
  console.log(JSON.stringify({ run: runInfo(loadBefore), results, failures }, null, 2));
} else {
  console.log(table(results));
  console.log(`\n${JSON.stringify(runInfo(loadBefore))}`);
  for (const result of results) {
    const lines = [...result.problems, ...result.crashes, ...result.unhandled];
    for (const line of lines) console.log(`  ${result.mode}: ${line}`);
    if (result.lostTurns.length > 0) console.log(`\n${result.mode}, the first lost turns:`);
    for (const line of result.lostTurns) console.log(`  ${line}`);
  }
  console.log(failures.length === 0 ? '\nsoak: passed' : `\nsoak: FAILED\n  ${failures.join('\n  ')}`);
}
process.exit(failures.length === 0 ? 0 : 1);

/** What makes a run fail, as sentences. */
function problemsOf(r: ModeResult): string[] {
  const problems: string[] = [];
  const check = (count: number, what: string) => {
    if (count > 0) problems.push(`${r.mode}: ${count} ${what}`);
  };
  check(r.doubled, 'doubled turn(s)');
  check(r.hung, 'hung turn(s)');
  check(r.wrongReplies, "turn(s) resolved with another turn's reply");
  check(r.untyped, 'turn(s) failed with an error that is not an AuiError');
  check(r.orderViolations, 'turn(s) broke the event order');
  check(r.lost.byDelivered.false, 'lost turn(s) said delivered: false');
  check(r.falselyUndelivered, 'turn(s) said delivered: false although the message was stored');
  check(r.crashes.length, 'uncaught exception(s)');
  check(r.unhandled.length, 'unhandled rejection(s)');
  return problems;
}

/** The report as a plain-text table, one column per mode. */
function table(rs: ModeResult[]): string {
  const rows: Array<[string, ...string[]]> = [];
  const row = (label: string, value: (r: ModeResult) => string | number) =>
    rows.push([label, ...rs.map((r) => String(value(r)))]);
  const delivered = (counts: Record<string, number>) =>
    Object.entries(counts)
      .filter(([, n]) => n > 0)
      .map(([d, n]) => `${n} ${d}`)
      .join(', ') || '0';
  const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

  row('turns', (r) => r.turns);
  row('completed (own reply)', (r) => r.completed);
  row('typed failures', (r) => Object.values(r.typedFailures).reduce((n, c) => n + sum(c), 0));
  const classes = [...new Set(rs.flatMap((r) => Object.keys(r.typedFailures)))].sort();
  for (const name of classes) {
    row(`  ${name} (delivered)`, (r) => {
      const counts = r.typedFailures[name];
      return counts ? `${sum(counts)}: ${delivered(counts)}` : '0';
    });
  }
  row('own aborts (APIUserAbortError)', (r) => r.ownAborts);
  row('lost (reply in history)', (r) => r.lost.total);
  row('  lost, by delivered', (r) => delivered(r.lost.byDelivered));
  row('  lost, reply stored before failing', (r) => r.lost.storedBeforeFailure);
  row("wrong reply (another turn's)", (r) => r.wrongReplies);
  row('untyped failures', (r) => r.untyped);
  row('delivered false, but stored', (r) => r.falselyUndelivered);
  row('doubled', (r) => r.doubled);
  row('hung', (r) => r.hung);
  row('event-order violations', (r) => r.orderViolations);
  row('crashes (uncaught)', (r) => r.crashes.length);
  row('unhandled rejections', (r) => r.unhandled.length);
  row('session deaths (replaced)', (r) => r.sessionDeaths.length);
  row('sockets opened', (r) => r.socketsOpened);
  row('heap before → after GC (MB)', (r) => `${r.heapBeforeMB ?? '?'} → ${r.heapAfterMB ?? '?'}`);
  row('duration (s)', (r) => (r.durationMs / 1000).toFixed(1));
  row('seed', (r) => r.seed);
  rows.push(['faults drawn', ...rs.map(() => '')]);
  for (const name of Object.keys(rs[0]?.faults ?? {})) {
    row(`  ${name}`, (r) => r.faults[name as keyof ModeReport['faults']]);
  }

  const header: [string, ...string[]] = ['', ...rs.map((r) => r.mode)];
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((cells) => (cells[i] ?? '').length)));
  return all
    .map((cells) =>
      cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[0]!) : cell.padStart(widths[i]!))).join('  '),
    )
    .join('\n');
}
