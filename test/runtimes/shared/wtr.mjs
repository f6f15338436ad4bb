// The WTR config shared by chromium/, firefox/ and webkit/wtr.config.mjs: one pre-bundled test
// file (shared/browser.test.ts → browser/runtime.test.js, built from the staging folder by
// scripts/runtimes.mjs, so no nodeResolve and no esbuild plugin here), and /__mock.json telling
// the page where the mock that scripts/runtimes.mjs started (in Node 20) listens.
import { join } from 'node:path';

function required(name) {
  const value = process.env[name];
  if (!value)
    throw new Error(
      `${name} is not set: run the browsers through scripts/runtimes.mjs (npm run test:runtimes)`,
    );
  return value;
}

/** @param {{ browsers: unknown[] }} options */
export function matrixConfig({ browsers }) {
  const app = required('AUI_RUNTIMES_APP');
  const mock = {
    url: required('AUI_MOCK_URL'),
    wsUrl: required('AUI_MOCK_WS_URL'),
    apiKey: required('AUI_MOCK_KEY'),
  };
  return {
    rootDir: app,
    files: [join(app, 'browser', 'runtime.test.js')],
    nodeResolve: false,
    plugins: [
      {
        name: 'aui-mock-info',
        serve(context) {
          if (context.path === '/__mock.json') return { body: JSON.stringify(mock), type: 'json' };
          return undefined;
        },
      },
    ],
    browsers,
    concurrency: 1,
    testFramework: { config: { timeout: 30000 } },
    browserStartTimeout: 60000,
    testsStartTimeout: 60000,
    testsFinishTimeout: 90000,
  };
}
