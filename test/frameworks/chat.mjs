// The Chromium script of the framework builds (test/frameworks/run.mjs): one chat page of one app,
// driven as a user would. Sign in (an httpOnly cookie), wait for the task, ask about a microwave,
// see the answer's text grow and its product cards, click a follow-up suggestion for a second
// turn. Every response the page received is kept (headers and body) for the key check, and the
// time from send to the first streamed text is measured in the page, per turn.
//
// The pages (nextjs/app/chat.tsx, react-router/app/chat.tsx, worker/src/client.ts) share the
// selectors used here: #status[data-state], #composer, #input, .bubble[data-role][data-state],
// .bubble__text, [data-testid="product-card"], .suggestion.
import { chromium } from 'playwright-core';
import { chromiumArgs, requireChromium } from '../fixtures/chromium.mjs';

const QUESTION = 'I need a built-in microwave';
const FOLLOW_UP = 'What is the price range?';
const FIRST_ANSWER = /^I found several built-in microwaves .* \$358\.08\.$/;
const SECOND_ANSWER = /^They range from \$189\.99/;

export function launchChromium() {
  return chromium.launch({ executablePath: requireChromium(), headless: true, args: chromiumArgs });
}

/**
 * Drives the chat at `origin` + `page` after signing in at `origin` + `login`; `api` is the
 * proxy's path the page must stream through. Resolves with `{ firstTokenMs: [turn 1, turn 2],
 * textSteps, responses }`; rejects with what went wrong.
 */
export async function driveChat(browser, { origin, login, api }) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems = [];
  const requests = [];
  const captures = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  page.on('request', (request) => requests.push(request.url()));
  page.on('response', (response) => captures.push(capture(response)));
  page.setDefaultTimeout(60_000);

  try {
    await page.goto(origin + login);
    await checkSessionCookie(context, page);
    await waitForReady(page);
    await page.evaluate(recordTurns);

    await page.locator('#input').fill(QUESTION);
    await page.locator('#input').press('Enter');
    const first = await answerOf(page, 2);
    expect(FIRST_ANSWER.test(first.text), `first answer: ${JSON.stringify(first.text)}`);
    const cards = page.locator('.bubble[data-role="agent"][data-state="done"] [data-testid="product-card"]');
    expect((await cards.count()) === 3, `3 product cards, saw ${await cards.count()}`);
    const firstCard = await cards.nth(0).innerText();
    expect(/Panasonic NN-SN98JS/.test(firstCard) && /\$358\.08/.test(firstCard), `first card: ${firstCard}`);
    expect((await page.locator('[data-testid="product-card"] .badge').count()) === 1, 'one recommended card');

    await page.locator('.suggestion', { hasText: FOLLOW_UP }).click();
    const second = await answerOf(page, 3);
    expect(SECOND_ANSWER.test(second.text), `second answer: ${JSON.stringify(second.text)}`);

    const turns = await page.evaluate(() => window.__auiTurns);
    const textSteps = turns.map((turn) => turn.lengths.length);
    for (const [index, turn] of turns.entries()) {
      expect(turn.first !== null, `turn ${index + 1}: no streamed text was seen before the answer was done`);
      expect(
        turn.lengths.every((length, i) => i === 0 || length > turn.lengths[i - 1]),
        `turn ${index + 1}: the text only grows (lengths ${turn.lengths.join(', ')})`,
      );
    }
    expect(
      textSteps[0] >= 3,
      `the first answer grew in several steps while streaming (saw ${turns[0].lengths.join(', ')})`,
    );

    const foreign = requests.filter((url) => new URL(url).origin !== origin);
    expect(
      foreign.length === 0,
      `the page only talks to its own origin, but requested ${foreign.join(', ')}`,
    );
    expect(
      requests.some((url) => new URL(url).pathname === `${api}/messages/stream`),
      `the page streamed through ${api}/messages/stream`,
    );
    expect(problems.length === 0, problems.join('\n'));

    const responses = await Promise.all(captures);
    responses.push({ url: `${origin}${login} (final DOM)`, headers: {}, body: await page.content() });
    return {
      firstTokenMs: turns.map((turn) => turn.first - turn.start),
      textSteps,
      responses,
    };
  } finally {
    await context.close();
  }
}

function expect(condition, message) {
  if (!condition) throw new Error(message);
}

/** A response as the page got it: headers, and the body where there is one (not on redirects). */
async function capture(response) {
  const headers = await response.allHeaders().catch(() => ({}));
  const body = await response.body().catch(() => undefined);
  return { url: response.url(), status: response.status(), headers, body };
}

/** The sign-in set the user cookie httpOnly: the browser sends it, the page's scripts cannot read it. */
async function checkSessionCookie(context, page) {
  const cookie = (await context.cookies()).find((c) => c.name === 'aui_demo_user');
  expect(cookie, 'signing in set the aui_demo_user cookie');
  expect(cookie.httpOnly, 'the aui_demo_user cookie is httpOnly');
  const visible = await page.evaluate(() => document.cookie);
  expect(!visible.includes('aui_demo_user'), 'the page cannot read the session cookie');
}

/** The task is created (the welcome bubble and the status), or the page's error text. */
async function waitForReady(page) {
  const state = await page.waitForFunction(() => {
    const status = document.getElementById('status')?.dataset.state;
    return status === 'ready' || status === 'error' ? status : false;
  });
  if ((await state.jsonValue()) === 'error') {
    throw new Error(`creating the task failed: ${await page.locator('.bubble').last().innerText()}`);
  }
}

/**
 * The `count`-th agent bubble once it is done (its text), or the error it shows. Text that
 * reached the bubble while it streamed is recorded by `recordTurns`.
 */
async function answerOf(page, count) {
  const handle = await page.waitForFunction((n) => {
    const bubbles = document.querySelectorAll('.bubble[data-role="agent"]');
    const bubble = bubbles[n - 1];
    const state = bubble?.dataset.state;
    if (state !== 'done' && state !== 'error') return false;
    return { state, text: bubble.querySelector('.bubble__text')?.textContent ?? '' };
  }, count);
  const answer = await handle.jsonValue();
  if (answer.state === 'error') throw new Error(`turn ${count - 1} failed in the page: ${answer.text}`);
  return answer;
}

/**
 * Runs in the page: a turn starts at a submit or a suggestion click; every length the newest
 * agent bubble's text takes while it streams is recorded, with the time of the first.
 */
function recordTurns() {
  const turns = [];
  window.__auiTurns = turns;
  const begin = () => turns.push({ start: performance.now(), first: null, lengths: [] });
  document.addEventListener('submit', begin, { capture: true });
  document.addEventListener(
    'click',
    (event) => {
      if (event.target instanceof window.Element && event.target.closest('.suggestion')) begin();
    },
    { capture: true },
  );
  new window.MutationObserver(() => {
    const turn = turns[turns.length - 1];
    const bubbles = document.querySelectorAll('.bubble[data-role="agent"]');
    const bubble = bubbles[bubbles.length - 1];
    if (!turn || bubble?.dataset.state !== 'streaming') return;
    const length = bubble.querySelector('.bubble__text')?.textContent?.length ?? 0;
    if (length === 0 || length === turn.lengths[turn.lengths.length - 1]) return;
    turn.first ??= performance.now();
    turn.lengths.push(length);
  }).observe(document.getElementById('log'), {
    subtree: true,
    childList: true,
    characterData: true,
    attributes: true,
  });
}
