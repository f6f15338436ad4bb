// The browsers' entry (chromium/, firefox/, webkit/ each run it through @web/test-runner): the
// scenario with `dangerouslyAllowBrowser` and the mock's test key, in the page. scripts/runtimes.mjs
// bundles this file with esbuild (condition `browser`) from the staging folder, so `aui-messaging`
// is the packed tarball's web build; the page learns the mock's URLs from /__mock.json, which
// the WTR config (shared/wtr.mjs) serves.
import { runScenario, type MockInfo } from './scenario.ts';

// Mocha globals of @web/test-runner's page (no @types/mocha in this project).
declare function describe(name: string, body: () => void): void;
declare function it(name: string, body: () => unknown): void;

describe('aui-messaging (packed) in the browser', () => {
  it('task, message, two streamed turns over the browser WebSocket, AuthenticationError', async () => {
    const response = await fetch('/__mock.json');
    if (!response.ok) throw new Error(`/__mock.json answered ${response.status}`);
    const info = (await response.json()) as MockInfo;
    await runScenario(info, { browser: true });
  });
});
