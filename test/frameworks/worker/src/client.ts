// The chat page's script (bundled by esbuild into public/client.js): the DOM twin of
// nextjs/app/chat.tsx, with the same ids, data-* attributes and classes for
// test/frameworks/chat.mjs. It talks only to the Worker's proxy at /api/aui; no key here.
import { productsOf, type Product } from 'aui-messaging';
import { createProxyClient, type Task } from 'aui-messaging/browser';

const aui = createProxyClient({ url: '/api/aui' });

const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const status = byId<HTMLElement>('status');
const log = byId<HTMLElement>('log');
const suggestions = byId<HTMLElement>('suggestions');
const composer = byId<HTMLFormElement>('composer');
const input = byId<HTMLInputElement>('input');
const send = byId<HTMLButtonElement>('send');

let task: Task | undefined;

function setStatus(state: 'connecting' | 'ready' | 'busy' | 'error'): void {
  status.dataset.state = state;
  status.textContent = state;
  const idle = state !== 'ready';
  input.disabled = idle;
  send.disabled = idle;
  for (const button of suggestions.querySelectorAll('button')) button.disabled = idle;
}

function element<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, text = '') {
  const node = document.createElement(tag);
  node.className = className;
  node.textContent = text;
  return node;
}

/** A bubble in the log; returns it and its text paragraph. */
function bubble(role: 'user' | 'agent', text: string, state: 'streaming' | 'done' | 'error') {
  const node = element('div', 'bubble');
  node.dataset.role = role;
  node.dataset.state = state;
  const paragraph = element('p', 'bubble__text', text);
  node.append(paragraph);
  log.append(node);
  return { node, paragraph };
}

function showError(target: { node: HTMLElement; paragraph: HTMLElement }, error: unknown): void {
  target.node.dataset.state = 'error';
  target.paragraph.setAttribute('role', 'alert');
  target.paragraph.textContent = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function showProducts(target: HTMLElement, products: Product[]): void {
  for (const product of products) {
    const card = element('article', 'product');
    card.dataset.testid = 'product-card';
    card.append(element('h3', '', product.name ?? 'Product'));
    if (product.recommended) card.append(element('span', 'badge', 'Recommended'));
    const price = Object.entries(product.values).find(([name]) => /price/i.test(name))?.[1];
    card.append(element('p', '', price === undefined ? '' : String(price)));
    target.append(card);
  }
}

function showSuggestions(list: readonly string[] | null | undefined): void {
  suggestions.replaceChildren(
    ...(list ?? []).map((text) => {
      const button = element('button', 'suggestion', text);
      button.type = 'button';
      button.addEventListener('click', () => void ask(text));
      return button;
    }),
  );
}

async function ask(text: string): Promise<void> {
  if (!task || status.dataset.state !== 'ready' || text.trim() === '') return;
  setStatus('busy');
  bubble('user', text, 'done');
  const answer = bubble('agent', '', 'streaming');
  const stream = aui.messages.stream({ task_id: task.id, text });
  stream.on('text', (_delta, snapshot) => {
    answer.paragraph.textContent = snapshot;
  });
  stream.on('snapshot', (snapshot) => {
    answer.paragraph.textContent = snapshot;
  });
  try {
    const message = await stream.finalMessage();
    answer.paragraph.textContent = message.text;
    answer.node.dataset.state = 'done';
    showProducts(answer.node, productsOf(message));
    showSuggestions(message.followup_suggestions);
  } catch (error) {
    showError(answer, error);
  } finally {
    setStatus('ready');
  }
}

composer.addEventListener('submit', (event) => {
  event.preventDefault();
  const text = input.value;
  input.value = '';
  void ask(text);
});

aui.tasks.create().then(
  (created) => {
    task = created;
    bubble('agent', created.welcome_message ?? 'Hi! What are you looking for?', 'done');
    showSuggestions(created.followup_suggestions);
    setStatus('ready');
  },
  (error: unknown) => {
    showError(bubble('agent', '', 'error'), error);
    setStatus('error');
  },
);
