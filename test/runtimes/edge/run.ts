// Runs the scenario bundle (edge.ts → edge.js) inside @edge-runtime/vm's EdgeVM, Vercel's Edge
// runtime sandbox (no `process`, no `require`, web APIs only). Run on Node 20 by scripts/runtimes.mjs.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { EdgeVM } from '@edge-runtime/vm';
import { mockFromEnv } from '../shared/env.ts';

const mock = mockFromEnv((name) => process.env[name]);
const vm = new EdgeVM();
assert.equal(vm.evaluate('typeof process'), 'undefined', 'EdgeVM has no process');
assert.equal(vm.evaluate('typeof EdgeRuntime'), 'string', 'EdgeVM defines EdgeRuntime');
vm.evaluate(await readFile(new URL('./edge.js', import.meta.url), 'utf8'));
const report = JSON.parse(await vm.evaluate<Promise<string>>(`__auiMatrix.run(${JSON.stringify(mock)})`));
console.log(
  `turns: ${report.first.turn.deltas} + ${report.second.turn.deltas} deltas; ${report.second.streamError}`,
);
