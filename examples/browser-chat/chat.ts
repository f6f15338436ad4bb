// browser-chat: a chat page on `createProxyClient` — create a task, stream each answer token by
// token, render product cards through `productsOf`, show errors with what to do about them.
// Served by `npm run playground` (mock AUI + proxy + this page); no framework, no key in the page.
import { createProxyClient } from 'aui-messaging/browser';
import { productsOf, type Message, type Product, type Task } from 'aui-messaging';

const aui = createProxyClient({ url: '/api/aui' });

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const log = $<HTMLElement>('log');
const status = $<HTMLElement>('status');
const suggestions = $<HTMLElement>('suggestions');
const composer = $<HTMLFormElement>('composer');
const input = $<HTMLInputElement>('input');
const send = $<HTMLButtonElement>('send');

let task: Task | undefined;
let busy = false;

/* ------------------------------------------------------------------ small DOM helpers */

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className?: string,
  text?: string,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function scrollDown(): void {
  log.scrollTo({ top: log.scrollHeight, behavior: 'smooth' });
}

function setStatus(text: string, state: 'connecting' | 'ready' | 'busy' | 'error'): void {
  status.textContent = text;
  status.dataset.state = state;
}

function setBusy(value: boolean): void {
  busy = value;
  input.disabled = value || !task;
  send.disabled = value || !task;
  for (const button of suggestions.querySelectorAll('button')) button.disabled = value;
  if (!value && task) input.focus();
}

/** A row in the log: `who` is 'user' or 'agent'; returns the bubble to fill. */
function bubble(who: 'user' | 'agent', text = ''): HTMLElement {
  const row = el('div', `row row--${who}`);
  const body = el('div', `bubble bubble--${who}`);
  body.dataset.role = who;
  const textNode = el('p', 'bubble__text', text);
  body.append(textNode);
  row.append(body);
  log.append(row);
  scrollDown();
  return body;
}

function showSuggestions(list: readonly string[] | null | undefined): void {
  suggestions.replaceChildren(
    ...(list ?? []).map((text) => {
      const button = el('button', 'suggestion', text);
      button.type = 'button';
      button.disabled = busy;
      button.addEventListener('click', () => void ask(text));
      return button;
    }),
  );
}

/* ------------------------------------------------------------------ products */

const PRICE = /price|cost|amount|total/i;
const NAME = /^(product )?name$/i;

function money(value: unknown): string {
  return typeof value === 'number' ? `$${value.toFixed(2)}` : String(value);
}

function productCard(product: Product): HTMLElement {
  const card = el('article', 'product');
  card.dataset.testid = 'product-card';
  if (product.recommended) card.classList.add('product--recommended');

  const name =
    product.name ?? nameFrom(Object.entries(product.values).find(([title]) => NAME.test(title))?.[1]);
  const head = el('div', 'product__head');
  head.append(el('div', 'product__thumb', name.trim().charAt(0).toUpperCase() || '?'));
  if (product.recommended) head.append(el('span', 'badge', '★ Recommended'));
  card.append(head, el('h3', 'product__name', name));

  const entries = Object.entries(product.values).filter(
    ([title, value]) => !NAME.test(title) && value !== null && value !== '',
  );
  const prices = entries.filter(([title]) => PRICE.test(title));
  const details = entries.filter(([title]) => !PRICE.test(title)).slice(0, 3);
  if (prices.length > 0) {
    const price = el('p', 'product__price');
    price.append(
      ...prices.map(([title, value]) =>
        el('span', undefined, prices.length > 1 ? `${title}: ${money(value)}` : money(value)),
      ),
    );
    card.append(price);
  }
  if (details.length > 0) {
    const list = el('dl', 'product__details');
    for (const [title, value] of details)
      list.append(el('dt', undefined, title), el('dd', undefined, String(value)));
    card.append(list);
  }
  return card;
}

function showProducts(target: HTMLElement, message: Message): void {
  const products = productsOf(message);
  if (products.length === 0) return;
  const grid = el('div', 'products');
  grid.append(...products.map(productCard));
  target.append(grid);
  scrollDown();
}

/* ------------------------------------------------------------------ errors */

interface ErrorLike {
  name?: string;
  message?: string;
  delivered?: boolean | 'unknown';
  status?: number;
}

function hintFor(error: ErrorLike): string | undefined {
  if (error.delivered === false) return 'The message did not reach the agent — it is safe to send it again.';
  if (error.delivered === 'unknown')
    return 'It may have reached the agent: check the conversation before sending it again.';
  if (error.delivered === true)
    return 'The agent received it; its answer will be in the conversation history.';
  if (error.name === 'RateLimitError') return 'Too many messages — wait a moment, then retry.';
  if (error.name === 'APIConnectionError' || error.name === 'APITimeoutError')
    return 'Check your connection, then retry.';
  return undefined;
}

/** Renders `Class: message`, a hint, and a retry button when retrying is safe. */
function showError(target: HTMLElement, raw: unknown, retry?: () => void): void {
  const error: ErrorLike = typeof raw === 'object' && raw !== null ? raw : { message: String(raw) };
  target.dataset.state = 'error';
  const box = el('div', 'error');
  box.setAttribute('role', 'alert');
  const title = el('p', 'error__title');
  title.append(
    el('strong', undefined, error.name ?? 'Error'),
    document.createTextNode(` ${error.message ?? ''}`),
  );
  box.append(title);
  const hint = hintFor(error);
  if (hint) box.append(el('p', 'error__hint', hint));
  if (retry && (error.delivered === false || error.delivered === undefined)) {
    const button = el('button', 'error__retry', 'Retry');
    button.type = 'button';
    button.addEventListener('click', () => {
      box.remove();
      retry();
    });
    box.append(button);
  }
  target.append(box);
  scrollDown();
}

/* ------------------------------------------------------------------ the conversation */

async function start(): Promise<void> {
  log.replaceChildren();
  showSuggestions([]);
  task = undefined;
  setBusy(true);
  setStatus('Connecting…', 'connecting');
  try {
    const created = await aui.tasks.create();
    task = created;
    bubble('agent', created.welcome_message ?? 'Hi! What are you looking for today?').dataset.state = 'done';
    showSuggestions(created.followup_suggestions);
    setStatus('Online', 'ready');
  } catch (error) {
    setStatus('Offline', 'error');
    showError(bubble('agent'), error, () => void start());
  } finally {
    setBusy(false);
  }
}

async function ask(text: string): Promise<void> {
  const current = task;
  if (!current || busy || text.trim() === '') return;
  setBusy(true);
  setStatus('Typing…', 'busy');
  bubble('user', text);
  await answer(current, text);
}

/** Streams one answer into a new agent bubble; retries reuse the user's bubble. */
async function answer(current: Task, text: string): Promise<void> {
  const target = bubble('agent');
  const body = target.querySelector<HTMLElement>('.bubble__text')!;
  target.dataset.state = 'streaming';
  try {
    const stream = aui.messages.stream({ task_id: current.id, text });
    stream.on('text', (_delta, snapshot) => {
      body.textContent = snapshot;
      scrollDown();
    });
    stream.on('snapshot', (snapshot) => {
      body.textContent = snapshot;
    });
    const message = await stream.finalMessage();
    body.textContent = message.text;
    target.dataset.state = 'done';
    showProducts(target, message);
    showSuggestions(message.followup_suggestions);
    setStatus('Online', 'ready');
  } catch (error) {
    if (body.textContent === '') body.remove();
    setStatus('Online', 'ready');
    showError(target, error, () => {
      target.closest('.row')?.remove();
      setBusy(true);
      void answer(current, text);
    });
  } finally {
    setBusy(false);
  }
}

composer.addEventListener('submit', (event) => {
  event.preventDefault();
  const text = input.value;
  input.value = '';
  void ask(text);
});
$<HTMLButtonElement>('new-chat').addEventListener('click', () => void start());

void start();

/** A product's name from its "Product name" parameter, when that is text. */
function nameFrom(value: unknown): string {
  return typeof value === 'string' && value !== '' ? value : 'Product';
}
