// Browser tests: the web entry (src/index.ts) and the browser client (src/browser) in headless
// Debian Chromium through @web/test-runner + the Playwright launcher, against ONE mock AUI server
// for the whole run, and the proxy (createAuiHandler) served at /api/aui on the page's origin.
//
// Run: npm run test:browser   (or: npx wtr --config web-test-runner.config.mjs)
// Browser: $CHROMIUM_PATH, else `command -v chromium`, else /usr/bin/chromium. Playwright's own
// browser download is unreachable on our machines, so we always point it at a system binary.
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { playwrightLauncher } from '@web/test-runner-playwright';
// The mock server is TypeScript (src/mock/index.ts) and Node 20 cannot import .ts by itself.
// tsx's `tsImport` loads that one module graph through tsx's loader *scoped to this import*:
// unlike a global `register()`, it does not change how anything else in this Node process
// (WTR itself, its plugins, esbuild) resolves or loads files. It works on Node >= 20.6
// (module.register), which our engines field (>= 20.19) already guarantees.
import { tsImport } from 'tsx/esm/api';
import { chromiumArgs, requireChromium } from './test/fixtures/chromium.mjs';

const { startMockAui } = await tsImport('./src/mock/index.ts', import.meta.url);
const { createAuiHandler } = await tsImport('./src/server/handler.node.ts', import.meta.url);
const { toNodeListener } = await tsImport('./src/server/node-listener.ts', import.meta.url);

/** The fixed key the mock accepts; tests read it from /__mock.json like the URLs. */
const MOCK_KEY = 'API_KEY_browser_0123456789';

const executablePath = requireChromium();

/**
 * Starts one mock AUI server when the dev server starts, answers GET /__mock.json with
 * `{ url, wsUrl, apiKey }` so tests can find it, and closes it when the run ends.
 */
function mockAuiPlugin() {
  let mock;
  return {
    mock: () => mock,
    name: 'aui-mock',
    async serverStart() {
      mock = await startMockAui({ apiKey: MOCK_KEY });
    },
    serve(context) {
      if (context.path === '/__mock.json') {
        if (!mock) return { status: 503, body: '{"error":"mock not started"}', type: 'json' };
        return { body: JSON.stringify({ url: mock.url, wsUrl: mock.wsUrl, apiKey: MOCK_KEY }), type: 'json' };
      }
      return undefined;
    },
    async serverStop() {
      await mock?.close();
      mock = undefined;
    },
  };
}

/**
 * The app's proxy, as a page sees it: `createAuiHandler` behind `toNodeListener` at /api/aui on
 * the dev server itself (same origin as the test page), in front of the plugin's mock. Its
 * `authorize` takes `Authorization: Bearer <user>`. Made on the first request: the mock is up by then.
 */
function proxyMiddleware(plugin) {
  let listener;
  return async (context, next) => {
    if (!context.path.startsWith('/api/aui/')) return next();
    const mock = plugin.mock();
    listener ??= toNodeListener(
      createAuiHandler({
        apiKey: MOCK_KEY,
        baseUrl: mock.url,
        wsUrl: mock.wsUrl,
        authorize: (request) => {
          const user = /^Bearer (\w+)$/.exec(request.headers.get('authorization') ?? '')?.[1];
          return user ? { userId: user } : null;
        },
      }),
    );
    context.respond = false; // the listener writes the Node response itself
    // Held until the answer is out, so the dev server logs its real status, not Koa's default 404.
    await new Promise((resolve) => {
      context.res.once('close', resolve);
      listener(context.req, context.res);
    });
  };
}

const mockPlugin = mockAuiPlugin();

export default {
  files: 'test/browser/**/*.test.ts',
  // browser: true picks each package's browser build (isomorphic-ws has no usable default otherwise).
  nodeResolve: { browser: true, exportConditions: ['browser'] },
  middleware: [proxyMiddleware(mockPlugin)],
  plugins: [mockPlugin, esbuildPlugin({ ts: true, target: 'es2022' })],
  browsers: [
    playwrightLauncher({
      product: 'chromium',
      launchOptions: { executablePath, headless: true, args: chromiumArgs },
    }),
  ],
  testFramework: { config: { timeout: 10000 } },
  browserStartTimeout: 60000,
};
