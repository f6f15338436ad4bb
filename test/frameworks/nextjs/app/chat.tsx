'use client';
// The chat: creates a task through the proxy client it is given, streams each answer into a
// bubble as it is written, shows the answer's product cards and its follow-up suggestions as
// buttons. No key and no user id here: the proxy has both. test/frameworks/chat.mjs drives it by
// the ids, data-* attributes and classes below, the same in every app (nextjs/app/chat.tsx and
// react-router/app/chat.tsx are one file, kept in step; worker/src/client.ts is its DOM twin).
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { productsOf, type Product } from 'aui-messaging';
import type { ProxyClient, Task } from 'aui-messaging/browser';

type Status = 'connecting' | 'ready' | 'busy' | 'error';

interface Bubble {
  id: number;
  role: 'user' | 'agent';
  text: string;
  state: 'streaming' | 'done' | 'error';
  products: Product[];
}

export function Chat({ aui, title }: { aui: ProxyClient; title: string }) {
  const [task, setTask] = useState<Task>();
  const [bubbles, setBubbles] = useState<Bubble[]>([]);
  const [suggestions, setSuggestions] = useState<readonly string[]>([]);
  const [status, setStatus] = useState<Status>('connecting');
  const [draft, setDraft] = useState('');
  const nextId = useRef(0);
  const started = useRef(false);

  function add(bubble: Omit<Bubble, 'id' | 'products'>): number {
    const id = nextId.current++;
    setBubbles((list) => [...list, { ...bubble, id, products: [] }]);
    return id;
  }

  function update(id: number, change: Partial<Bubble>): void {
    setBubbles((list) => list.map((bubble) => (bubble.id === id ? { ...bubble, ...change } : bubble)));
  }

  useEffect(() => {
    if (started.current) return; // once, even when React runs effects twice in development
    started.current = true;
    aui.tasks.create().then(
      (created) => {
        setTask(created);
        add({
          role: 'agent',
          text: created.welcome_message ?? 'Hi! What are you looking for?',
          state: 'done',
        });
        setSuggestions(created.followup_suggestions ?? []);
        setStatus('ready');
      },
      (error: unknown) => {
        add({ role: 'agent', text: describe(error), state: 'error' });
        setStatus('error');
      },
    );
  }, [aui]);

  async function ask(text: string): Promise<void> {
    if (!task || status !== 'ready' || text.trim() === '') return;
    setStatus('busy');
    add({ role: 'user', text, state: 'done' });
    const answer = add({ role: 'agent', text: '', state: 'streaming' });
    const stream = aui.messages.stream({ task_id: task.id, text });
    stream.on('text', (_delta, snapshot) => update(answer, { text: snapshot }));
    stream.on('snapshot', (snapshot) => update(answer, { text: snapshot }));
    try {
      const message = await stream.finalMessage();
      update(answer, { text: message.text, state: 'done', products: productsOf(message) });
      setSuggestions(message.followup_suggestions ?? []);
    } catch (error) {
      update(answer, { text: describe(error), state: 'error' });
    } finally {
      setStatus('ready');
    }
  }

  function submit(event: FormEvent<HTMLFormElement>): void {
    event.preventDefault();
    const text = draft;
    setDraft('');
    void ask(text);
  }

  const idle = status !== 'ready';
  return (
    <main className="chat">
      <header>
        <h1>{title}</h1>
        <p id="status" data-state={status}>
          {status}
        </p>
      </header>
      <section id="log" aria-live="polite">
        {bubbles.map((bubble) => (
          <div key={bubble.id} className="bubble" data-role={bubble.role} data-state={bubble.state}>
            <p className="bubble__text" role={bubble.state === 'error' ? 'alert' : undefined}>
              {bubble.text}
            </p>
            {bubble.products.map((product, index) => (
              <article key={index} className="product" data-testid="product-card">
                <h3>{product.name ?? 'Product'}</h3>
                {product.recommended ? <span className="badge">Recommended</span> : null}
                <p>{priceOf(product)}</p>
              </article>
            ))}
          </div>
        ))}
      </section>
      <nav id="suggestions">
        {suggestions.map((suggestion) => (
          <button
            key={suggestion}
            type="button"
            className="suggestion"
            disabled={idle}
            onClick={() => void ask(suggestion)}
          >
            {suggestion}
          </button>
        ))}
      </nav>
      <form id="composer" onSubmit={submit}>
        <input
          id="input"
          aria-label="Message"
          value={draft}
          onChange={(event) => setDraft(event.target.value)}
          disabled={idle}
        />
        <button id="send" type="submit" disabled={idle}>
          Send
        </button>
      </form>
    </main>
  );
}

function priceOf(product: Product): string {
  const price = Object.entries(product.values).find(([name]) => /price/i.test(name))?.[1];
  return price === undefined ? '' : String(price);
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
