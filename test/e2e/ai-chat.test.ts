// End-to-end: examples/nextjs-ai-sdk — its React page with the AI SDK's `useChat` (bundled for the
// browser by esbuild, mounted the way Next.js would render it) and its route (app/api/chat/route.ts,
// `createAuiHandler({ protocol: 'ai-sdk' })`) — in headless Debian Chromium driven by
// playwright-core, against the mock AUI on 127.0.0.1. Type, watch the answer grow, see the product
// cards, click a suggestion (a second turn on the same task), and see a failed turn as useChat's
// error. Runs in `npm run test:e2e` (so in `npm test`): a few seconds, no network but loopback.
// Browser: $CHROMIUM_PATH, else `command -v chromium`, else /usr/bin/chromium.
// Leaves test-results/ai-chat.png (the conversation) and test-results/ai-chat-error.png.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startMockAui, type MockAui } from '../../src/mock/index.ts';
import type { AuiHandler } from '../../src/server/types.ts';
import { toNodeListener } from '../../src/server/node-listener.ts';
import { chromiumArgs, chromiumPath } from '../fixtures/chromium.mjs';
import { serveOnLoopback } from '../fixtures/http.ts';

// scripts/playground.mjs is plain JS (no declarations): import it by URL with its shape spelled out.
const shared = (await import(new URL('../../scripts/playground.mjs', import.meta.url).href)) as {
  localSourceMap(conditions: string[]): Promise<Record<string, string>>;
  localSourcePlugin(map: Record<string, string>): Plugin;
};

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const EXAMPLE = join(ROOT, 'examples', 'nextjs-ai-sdk', 'app');
const CACHE = join(ROOT, 'node_modules', '.cache', 'aui-ai-chat');
const RESULTS = new URL('../../test-results/', import.meta.url);
const KEY = 'API_KEY_ai_chat_0123456789';
const USER = 'ai-chat-user';

/** The page as Next.js would serve it: its layout's <html>, the client bundle mounted on it. */
async function bundlePage(): Promise<{ js: string; css: string }> {
  const result = await build({
    stdin: {
      contents: `
        import { createElement } from 'react';
        import { createRoot } from 'react-dom/client';
        import ChatPage from ${JSON.stringify(join(EXAMPLE, 'page.tsx'))};
        createRoot(document.getElementById('root')).render(createElement(ChatPage));`,
      resolveDir: ROOT,
      loader: 'tsx',
    },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    jsx: 'automatic',
    define: { 'process.env.NODE_ENV': '"production"' },
    outdir: '/bundle', // in memory (write: false): app.js and app.css
    entryNames: 'app',
    write: false,
    logLevel: 'silent',
  });
  const file = (ext: string) => result.outputFiles.find((f) => f.path.endsWith(ext))!.text;
  return { js: file('.js'), css: file('.css') };
}

/** app/api/chat/route.ts bundled for Node with `aui-messaging/*` mapped to this repository's source. */
async function importRoute(aui: MockAui): Promise<{ POST: (request: Request) => Promise<Response> }> {
  const outfile = join(CACHE, 'route.mjs');
  await build({
    entryPoints: [join(EXAMPLE, 'api', 'chat', 'route.ts')],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'es2022',
    packages: 'external',
    logLevel: 'silent',
    plugins: [shared.localSourcePlugin(await shared.localSourceMap(['node']))],
  });
  // The route reads AUI_BASE_URL when it loads and the key on each request, as on Vercel.
  Object.assign(process.env, { AUI_NETWORK_API_KEY: KEY, AUI_BASE_URL: aui.url });
  return (await import(`${pathToFileURL(outfile).href}?${Date.now()}`)) as {
    POST: (request: Request) => Promise<Response>;
  };
}

// Set up at the top (not in a before hook): serveOnLoopback registers its own after() to stop it.
await mkdir(RESULTS, { recursive: true });
await mkdir(CACHE, { recursive: true });
// 40 ms between frames: slow enough to see the text grow, fast enough to be quick.
const mock = await startMockAui({ apiKey: KEY, frameDelayMs: 40 });
after(() => mock.close());
const [app, route] = await Promise.all([bundlePage(), importRoute(mock)]);
// toNodeListener calls only the handler itself; the route module exports its POST member.
const chatRoute = toNodeListener(((request: Request) => route.POST(request)) as unknown as AuiHandler);
const HTML = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>AUI × useChat</title>
  <link rel="stylesheet" href="/app.css"></head><body><div id="root"></div>
  <script type="module" src="/app.js"></script></body></html>`;
const send = (res: ServerResponse, type: string, body: string) =>
  res.writeHead(200, { 'content-type': `${type}; charset=utf-8` }).end(body);
const { origin } = await serveOnLoopback((req, res) => {
  if (req.url === '/api/chat') return chatRoute(req, res);
  if (req.url === '/app.js') return send(res, 'text/javascript', app.js);
  if (req.url === '/app.css') return send(res, 'text/css', app.css);
  if (req.url === '/') return send(res, 'text/html', HTML);
  res.writeHead(404).end();
});
let browser: Browser;

before(async () => {
  browser = await chromium.launch({ executablePath: chromiumPath(), headless: true, args: chromiumArgs });
});

after(async () => {
  await browser?.close();
});

/** A fresh page, signed in (the example's placeholder authorize reads a `demo-user` cookie). */
async function openChat(): Promise<{ page: Page; errors: string[]; requests: string[] }> {
  const context = await browser.newContext({ viewport: { width: 900, height: 1000 } });
  await context.addCookies([{ name: 'demo-user', value: USER, url: origin }]);
  const page = await context.newPage();
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('request', (request) => requests.push(request.url()));
  await page.goto(origin);
  await page.getByRole('textbox', { name: 'Message' }).waitFor();
  return { page, errors, requests };
}

async function ask(page: Page, text: string): Promise<void> {
  await page.getByRole('textbox', { name: 'Message' }).fill(text);
  await page.getByRole('textbox', { name: 'Message' }).press('Enter');
  await page.locator('.bubble--user', { hasText: text }).waitFor();
}

const lastAnswer = (page: Page) => page.locator('.bubble--assistant').last();

test(
  'useChat page: the answer streams in, product cards and suggestions arrive, a suggestion is a second turn',
  { timeout: 60_000 },
  async () => {
    const { page, errors, requests } = await openChat();
    // Every length the answer's text goes through while useChat streams it.
    await page.evaluate(() => {
      const seen: number[] = [];
      (window as unknown as { __lengths: number[] }).__lengths = seen;
      new MutationObserver(() => {
        const answers = document.querySelectorAll('.bubble--assistant');
        const text = answers[answers.length - 1]?.querySelector('.bubble__text')?.textContent;
        if (text) seen.push(text.length);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });

    await ask(page, 'I need a built-in microwave');
    const cards = lastAnswer(page).locator('.product');
    await cards.nth(2).waitFor();
    await page.locator('main[data-status="ready"]').waitFor();
    assert.match(
      await lastAnswer(page).locator('.bubble__text').innerText(),
      /^I found several built-in microwaves .* \$358\.08\.$/,
    );
    assert.equal(await cards.count(), 3);
    assert.match(await cards.nth(0).innerText(), /Panasonic NN-SN98JS\s+\$358\.08\s+Top pick/);
    assert.equal(await page.locator('.product--recommended').count(), 1);

    const lengths = await page.evaluate(() => (window as unknown as { __lengths: number[] }).__lengths);
    const distinct = [...new Set(lengths)];
    assert.ok(distinct.length >= 5, `the text grew in steps (saw ${JSON.stringify(distinct)})`);
    assert.deepEqual(
      distinct,
      [...distinct].sort((a, b) => a - b),
      'the text only grew',
    );

    const suggestion = lastAnswer(page).locator('.suggestion', { hasText: 'What is the price range?' });
    await suggestion.click();
    await page.mouse.move(0, 0); // no hover state on the screenshot
    await page.locator('.bubble--user', { hasText: 'What is the price range?' }).waitFor();
    await lastAnswer(page)
      .locator('.bubble__text', { hasText: /^They range from \$189\.99/ })
      .waitFor();
    await page.locator('main[data-status="ready"]').waitFor();
    assert.equal(await page.locator('.bubble--assistant').count(), 2);
    assert.equal(
      await page.locator('.suggestion', { hasText: 'What is the price range?' }).count(),
      0,
      "the older answer's suggestions are gone",
    );
    await page.screenshot({ path: new URL('ai-chat.png', RESULTS).pathname, fullPage: true });

    // Both turns went to one task, made for the signed-in user; the page only talked to its own origin.
    const tasks = mock.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/tasks'));
    assert.equal(tasks.length, 1);
    assert.equal((tasks[0]!.body as { user_id: string }).user_id, USER);
    const sent = mock.sockets.messages as Array<{ task_id: string; text: string }>;
    assert.deepEqual(
      sent.map((m) => m.text),
      ['I need a built-in microwave', 'What is the price range?'],
    );
    assert.equal(new Set(sent.map((m) => m.task_id)).size, 1);
    assert.deepEqual(
      requests.filter((url) => new URL(url).origin !== origin),
      [],
    );
    assert.deepEqual(errors, []);
    await page.context().close();
  },
);

test(
  "useChat page: a failed turn is useChat's error state, with the proxy's safe message",
  { timeout: 30_000 },
  async () => {
    const { page } = await openChat();
    mock.failTurn({
      kind: 'error-frame',
      afterFrames: 2,
      error: { status_code: 500, description: 'db-7.internal exploded', message: 'stack trace' },
    });
    await ask(page, 'Show me kettles');
    const error = page.getByRole('alert');
    await error.waitFor();
    assert.equal(await error.innerText(), 'AUI failed to handle the request.');
    await page.locator('main[data-status="error"]').waitFor();
    // The text that streamed before the failure stays on screen.
    assert.match(await lastAnswer(page).locator('.bubble__text').innerText(), /^You said:/);
    await page.mouse.move(0, 0);
    await page.screenshot({ path: new URL('ai-chat-error.png', RESULTS).pathname, fullPage: true });
    await page.context().close();
  },
);
