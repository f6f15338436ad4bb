// Pure helpers: the three created_at formats seen on the wire, and both product shapes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCreatedAt, productsOf, type Message } from '../../src/index.node.ts';
import { VERSION } from '../../src/runtime/version.ts';
import pkg from '../../package.json' with { type: 'json' };

test('parseCreatedAt reads ISO with Z, ISO without zone, and the space-separated form', () => {
  assert.equal(parseCreatedAt('2026-03-09T14:22:01.000Z')?.toISOString(), '2026-03-09T14:22:01.000Z');
  assert.equal(parseCreatedAt('2025-11-12T14:03:46.984000')?.toISOString(), '2025-11-12T14:03:46.984Z');
  assert.equal(parseCreatedAt('2025-10-09 12:26:07.576000')?.toISOString(), '2025-10-09T12:26:07.576Z');
  assert.equal(parseCreatedAt('2025-10-09T12:26:07+02:00')?.toISOString(), '2025-10-09T10:26:07.000Z');
  assert.equal(parseCreatedAt('yesterday'), undefined);
  assert.equal(parseCreatedAt(undefined), undefined);
});

test('productsOf unifies cards and options/variants_options', () => {
  const cards = {
    cards: [
      {
        id: 'p1',
        name: 'Panasonic NN-SN98JS',
        is_recommended: true,
        parameters: [{ param: 'price', title: 'Price', value: '$358.08', type: 'string' }],
      },
    ],
  } as Partial<Message>;
  const options = {
    options: [
      {
        is_recommended: false,
        widget_parameters: [
          { title: 'Product name', value: 'BLACK+DECKER EM044KB19', type: 'string' },
          { title: 'Price', value: 199, type: 'numeric' },
        ],
      },
    ],
    variants_options: [{ is_recommended: true, widget_parameters: [{ title: 'Name', value: 'Variant B' }] }],
  } as Partial<Message>;
  assert.deepEqual(
    productsOf(cards as Message).map((p) => [p.source, p.name, p.recommended, p.values]),
    [['card', 'Panasonic NN-SN98JS', true, { Price: '$358.08' }]],
  );
  assert.deepEqual(
    productsOf(options as Message).map((p) => [p.source, p.name, p.recommended, p.values.Price]),
    [
      ['option', 'BLACK+DECKER EM044KB19', false, 199],
      ['variant', 'Variant B', true, undefined],
    ],
  );
  assert.deepEqual(productsOf({}), []);
});

test('VERSION matches package.json', () => {
  assert.equal(VERSION, pkg.version);
});

test('session options: defaults, then each layer in order; undefined sets nothing', async () => {
  const { resolveSessionOptions, DEFAULTS } = await import('../../src/session/options.ts');
  assert.deepEqual(resolveSessionOptions(), DEFAULTS);
  const resolved = resolveSessionOptions({ idleTimeout: 5, reconnect: { maxRetries: 1 } }, undefined, {
    connectTimeout: undefined,
    reconnect: { minDelay: 7, maxRetries: 2 },
  });
  assert.deepEqual(resolved, {
    ...DEFAULTS,
    idleTimeout: 5,
    reconnect: { ...DEFAULTS.reconnect, maxRetries: 2, minDelay: 7 },
  });
  assert.equal(DEFAULTS.reconnect.maxRetries, 10, 'the defaults are never written to');
});

test('nextTask still runs its task where setImmediate is a stub that throws (Next.js Edge routes)', async () => {
  const { nextTask } = await import('../../src/runtime/timers.ts');
  const real = globalThis.setImmediate;
  // What Next.js's Edge sandbox puts on globalThis for each Node API it does not support.
  const stub = () => {
    throw new Error('A Node.js API is used (setImmediate) which is not supported in the Edge Runtime.');
  };
  Object.defineProperty(globalThis, 'setImmediate', { value: stub, configurable: true, writable: true });
  try {
    const ran: string[] = [];
    await new Promise<void>((resolve) => {
      nextTask(() => ran.push('first'));
      nextTask(() => {
        ran.push('second');
        resolve();
      });
    });
    assert.deepEqual(ran, ['first', 'second']);
  } finally {
    Object.defineProperty(globalThis, 'setImmediate', { value: real, configurable: true, writable: true });
  }
});
