// Bun: `bun test` runs this file from the staging folder; `aui-messaging` comes from the packed
// tarball in its node_modules (Bun's `bun` export condition → the web build).
import { test } from 'bun:test';
import { mockFromEnv } from '../shared/env.ts';
import { check, runScenario } from '../shared/scenario.ts';

declare const Bun: { version: string };

test(`Bun ${Bun.version}: task, message, two streamed turns, AuthenticationError`, async () => {
  const install = process.env.AUI_RUNTIMES_PACKAGE;
  const resolved = import.meta.resolve('aui-messaging');
  check(
    install && resolved === new URL(`file://${install}/dist/index.js`).href,
    `aui-messaging resolved to the tarball web build (got ${resolved})`,
  );
  const report = await runScenario(mockFromEnv((name) => process.env[name]));
  console.log(
    `turns: ${report.first.turn.deltas} + ${report.second.turn.deltas} deltas; ${report.second.streamError}`,
  );
}, 30_000);
