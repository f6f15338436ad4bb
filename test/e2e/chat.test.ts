// End-to-end: the browser-chat page (examples/browser-chat) in headless Debian Chromium, driven by
// playwright-core, against the playground (scripts/playground.mjs: page + real proxy + mock AUI).
// Run: npm run test:e2e. Browser: $CHROMIUM_PATH, else `command -v chromium`, else /usr/bin/chromium.
// Leaves test-results/chat.png (the conversation) and test-results/chat-error.png (an error).
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { MockAui } from '../../src/mock/index.ts';
import { chromiumArgs, chromiumPath } from '../fixtures/chromium.mjs';

interface Playground {
  url: string;
  mock: MockAui;
  close(): Promise<void>;
}
// scripts/playground.mjs is plain JS (no declarations): import it by URL with its shape spelled out.
const playgroundModule = new URL('../../scripts/playground.mjs', import.meta.url).href;
const { startPlayground } = (await import(playgroundModule)) as {
  startPlayground: (options: { port: number; frameDelayMs?: number; quiet?: boolean }) => Promise<Playground>;
};

const RESULTS = new URL('../../test-results/', import.meta.url);
let playground: Playground;
let browser: Browser;

before(async () => {
  await mkdir(RESULTS, { recursive: true });
  // 60 ms between frames: slow enough that the test sees the text grow, fast enough to be quick.
  [playground, browser] = await Promise.all([
    startPlayground({ port: 0, frameDelayMs: 60, quiet: true }),
    chromium.launch({ executablePath: chromiumPath(), headless: true, args: chromiumArgs }),
  ]);
});

after(async () => {
  await Promise.allSettled([browser?.close(), playground?.close()]);
});

/** A fresh page on the playground that records page errors and every URL it requests. */
async function openChat(): Promise<{ page: Page; errors: string[]; requests: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1100, height: 1000 } });
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('request', (request) => requests.push(request.url()));
  await page.goto(playground.url);
  // The welcome message and its suggestions come from POST /api/aui/tasks.
  await page.locator('.bubble--agent[data-state="done"]').first().waitFor();
  await page.locator('.suggestion').first().waitFor();
  return { page, errors, requests };
}

const lastAgentText = (page: Page) => page.locator('.bubble--agent').last().locator('.bubble__text');

test('chat page: streamed answer, product cards, a follow-up suggestion', { timeout: 60_000 }, async () => {
  const { page, errors, requests } = await openChat();
  assert.match(await page.locator('.bubble--agent').first().innerText(), /What are you looking for today\?/);
  assert.ok((await page.locator('.suggestion').count()) >= 1, 'welcome suggestions are buttons');

  // Record every length the answer bubble's text goes through while it streams.
  await page.evaluate(() => {
    const seen: number[] = [];
    (window as unknown as { __lengths: number[] }).__lengths = seen;
    new MutationObserver(() => {
      const bubbles = document.querySelectorAll('.bubble--agent');
      const last = bubbles[bubbles.length - 1] as HTMLElement | undefined;
      if (last?.dataset.state === 'streaming')
        seen.push(last.querySelector('.bubble__text')?.textContent?.length ?? 0);
    }).observe(document.getElementById('log')!, {
      subtree: true,
      childList: true,
      characterData: true,
      attributes: true,
    });
  });

  await page.locator('#input').fill('I need a built-in microwave');
  await page.locator('#input').press('Enter');
  await page.locator('.bubble--user', { hasText: 'I need a built-in microwave' }).waitFor();

  // Token by token: partial text while the bubble is still streaming, then more of it.
  const partial = await page.waitForFunction(() => {
    const bubbles = document.querySelectorAll<HTMLElement>('.bubble--agent');
    const last = bubbles[bubbles.length - 1];
    const length = last?.querySelector('.bubble__text')?.textContent?.length ?? 0;
    return last?.dataset.state === 'streaming' && length > 0 ? length : false;
  });
  const firstLength = (await partial.jsonValue()) as number;
  await page.waitForFunction((before) => {
    const bubbles = document.querySelectorAll<HTMLElement>('.bubble--agent');
    return (bubbles[bubbles.length - 1]?.querySelector('.bubble__text')?.textContent?.length ?? 0) > before;
  }, firstLength);

  // The final answer and its three product cards (mock: cards shape), one recommended.
  await page.locator('.bubble--agent[data-state="done"] [data-testid="product-card"]').nth(2).waitFor();
  const answer = await lastAgentText(page).innerText();
  assert.match(answer, /^I found several built-in microwaves .* \$358\.08\.$/);
  const cards = page.locator('[data-testid="product-card"]');
  assert.equal(await cards.count(), 3);
  assert.match(await cards.nth(0).innerText(), /Panasonic NN-SN98JS/);
  assert.match(await cards.nth(0).innerText(), /\$358\.08/);
  assert.equal(await page.locator('.product--recommended .badge', { hasText: 'Recommended' }).count(), 1);

  const lengths = await page.evaluate(() => (window as unknown as { __lengths: number[] }).__lengths);
  const distinct = [...new Set(lengths.filter((n) => n > 0))];
  assert.ok(
    distinct.length >= 3,
    `text grew in steps while streaming (saw lengths ${JSON.stringify(distinct)})`,
  );
  assert.deepEqual(
    distinct,
    [...distinct].sort((a, b) => a - b),
    'text only grew',
  );

  // The answer's follow-up suggestions replaced the welcome ones; click the first.
  const suggestion = page.locator('.suggestion').first();
  await page.locator('.suggestion', { hasText: 'What is the price range?' }).waitFor();
  const question = await suggestion.innerText();
  await suggestion.click();
  await page.mouse.move(0, 0); // no hover state on the chip that replaces it
  await page.locator('.bubble--user', { hasText: question }).waitFor();
  await page.waitForFunction(
    (count) => document.querySelectorAll('.bubble--agent[data-state="done"]').length > count,
    2,
  );
  assert.match(await lastAgentText(page).innerText(), /^They range from \$189\.99/);
  assert.equal(await page.locator('.bubble--agent').count(), 3, 'welcome + two answers');
  assert.ok(await page.locator('#input').isEnabled(), 'the composer is usable again');

  await page.screenshot({ path: new URL('chat.png', RESULTS).pathname });

  // The page only ever talked to its own origin (page, bundle, /api/aui) — never to AUI itself.
  const origin = new URL(playground.url).origin;
  assert.deepEqual(
    requests.filter((url) => new URL(url).origin !== origin),
    [],
  );
  assert.ok(requests.some((url) => url.endsWith('/api/aui/messages/stream')));
  assert.deepEqual(errors, []);
  await page.close();
});

test(
  'chat page: a failed turn shows the error class, its message, a retry hint and a working retry',
  { timeout: 30_000 },
  async () => {
    const { page } = await openChat();
    // The next turn is refused upstream by an error frame (400, before any text, nothing stored):
    // the SDK knows the message was not delivered, so retrying is safe.
    playground.mock.failTurn({
      kind: 'error-frame',
      recordUser: false,
      error: {
        status_code: 400,
        description: 'Content moderation',
        message: 'The message was blocked by a content filter.',
      },
    });
    await page.locator('#input').fill('Show me kettles');
    await page.locator('#input').press('Enter');

    const error = page.locator('.bubble--agent[data-state="error"] .error');
    await error.waitFor();
    const title = await error.locator('.error__title').innerText();
    assert.match(title, /^BadRequestError\s+\S/, `class name, then the message: ${title}`);
    assert.match(
      await error.locator('.error__hint').innerText(),
      /did not reach the agent .*safe to send it again/,
    );
    await page.mouse.move(0, 0);
    await page.screenshot({ path: new URL('chat-error.png', RESULTS).pathname });

    // Retry sends the same text again and this time gets the answer.
    await error.locator('.error__retry').click();
    await page
      .locator('.bubble--agent[data-state="done"]', { hasText: 'You said: "Show me kettles"' })
      .waitFor();
    assert.equal(await page.locator('.error').count(), 0, 'the failed attempt is replaced by the answer');
    assert.equal(await page.locator('.bubble--user').count(), 1, 'one user message, not two');
    await page.close();
  },
);

test(
  'chat page: the other product shape (options + widget_parameters) renders the same cards',
  { timeout: 30_000 },
  async () => {
    const { page } = await openChat();
    playground.mock.setOptions({ productShape: 'options' });
    try {
      await page.locator('#input').fill('Any microwave under $400?');
      await page.locator('#input').press('Enter');
      const cards = page.locator('.bubble--agent[data-state="done"] [data-testid="product-card"]');
      await cards.nth(2).waitFor();
      assert.equal(await cards.count(), 3);
      assert.match(await cards.nth(0).innerText(), /Panasonic NN-SN98JS[\s\S]*\$358\.08/);
      assert.equal(await page.locator('.product--recommended .badge').count(), 1);
    } finally {
      playground.mock.setOptions({ productShape: 'cards' });
      await page.close();
    }
  },
);
