// Deno: `deno test` runs this file from the staging folder, where a package.json sits next to the
// node_modules holding the packed tarball, so `aui-messaging` is resolved from there (Deno's
// `deno` export condition → the web build). No jsr:/https: imports (unreachable on our machines).
// Deno's own sanitizers are on: a timer or socket the SDK leaves open fails the test.
import { mockFromEnv } from '../shared/env.ts';
import { check, runScenario } from '../shared/scenario.ts';

// Deno's globals, as far as this file uses them (the root typecheck has no Deno types).
declare const Deno: {
  test(name: string, fn: () => Promise<void>): void;
  env: { get(name: string): string | undefined };
  version: { deno: string };
};

Deno.test(`Deno ${Deno.version.deno}: task, message, two streamed turns, AuthenticationError`, async () => {
  const install = Deno.env.get('AUI_RUNTIMES_PACKAGE');
  const resolved = import.meta.resolve('aui-messaging');
  check(
    install && resolved === new URL(`file://${install}/dist/index.js`).href,
    `aui-messaging resolved to the tarball web build (got ${resolved})`,
  );
  const report = await runScenario(mockFromEnv((name) => Deno.env.get(name)));
  console.log(
    `turns: ${report.first.turn.deltas} + ${report.second.turn.deltas} deltas; ${report.second.streamError}`,
  );
});
