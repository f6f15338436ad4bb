// The Node entries (node20/, node22/, node24/): the scenario under node:test, in whichever Node
// binary scripts/runtimes.mjs runs the staged bundle with. The bundle keeps `aui-messaging`
// external, so Node itself resolves it from the staged tarball install with its `node` condition.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { mockFromEnv } from './env.ts';
import { runScenario } from './scenario.ts';

export function nodeMatrix(expected: { major: number; webSocket: 'ws' | 'native' }): void {
  test(`Node ${expected.major}: task, message, two streamed turns (${expected.webSocket} WebSocket), AuthenticationError`, async () => {
    assert.equal(
      process.versions.node.split('.')[0],
      String(expected.major),
      `running on Node ${process.version}`,
    );
    // Node 20 has no global WebSocket unless flagged (the orchestrator clears NODE_OPTIONS): the SDK must fall back to `ws`.
    assert.equal(
      typeof globalThis.WebSocket,
      expected.webSocket === 'native' ? 'function' : 'undefined',
      'global WebSocket',
    );

    const install = process.env.AUI_RUNTIMES_PACKAGE;
    assert.ok(install, 'AUI_RUNTIMES_PACKAGE (the installed tarball) is set');
    assert.equal(
      import.meta.resolve('aui-messaging'),
      pathToFileURL(`${install}/dist/index.node.js`).href,
      'resolved to the tarball Node build',
    );

    const report = await runScenario(mockFromEnv((name) => process.env[name]));
    console.log(
      `turns: ${report.first.turn.deltas} + ${report.second.turn.deltas} deltas; ${report.second.streamError}`,
    );

    // Which WebSocket carried the turns: `ws` is loaded (through isomorphic-ws) only as the fallback.
    const require = createRequire(import.meta.url);
    const wsLoaded = Object.keys(require.cache).filter((file) => /[\\/]node_modules[\\/]ws[\\/]/.test(file));
    const app = process.env.AUI_RUNTIMES_APP ?? '(unset)';
    if (expected.webSocket === 'ws')
      assert.ok(
        wsLoaded.some((file) => file.startsWith(`${app}/node_modules/ws/`)),
        `ws loaded from the staged install (loaded: ${wsLoaded[0] ?? 'none'})`,
      );
    else assert.deepEqual(wsLoaded, [], 'ws never loaded: the native WebSocket was used');
  });
}
