// The mutable state one mock server instance shares between its REST and socket
// halves, plus timers that close()/reset() can cancel so nothing outlives the server.

import { FaultQueues } from './faults.ts';
import { Store } from './store.ts';
import type { MockAuiOptions, MockReply, RecordedRequest } from './types.ts';

export interface LiveOptions {
  envelope: 'full' | 'flat';
  text: 'delta' | 'cumulative';
  productShape: 'cards' | 'options';
  frameDelayMs: number;
  handshake: 'accept' | 'reject-403';
}

class Timers {
  private readonly pending = new Map<ReturnType<typeof setTimeout>, () => void>();

  /** Runs fn after ms unless cancelled first. */
  later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.pending.delete(t);
      fn();
    }, ms);
    this.pending.set(t, () => {});
  }

  /** Resolves true after ms, or false as soon as the timers are cancelled. */
  sleep(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.pending.delete(t);
        resolve(true);
      }, ms);
      this.pending.set(t, () => resolve(false));
    });
  }

  cancelAll(): void {
    for (const [t, onCancel] of this.pending) {
      clearTimeout(t);
      onCancel();
    }
    this.pending.clear();
  }
}

export class MockState {
  readonly store = new Store();
  readonly faults = new FaultQueues();
  readonly timers = new Timers();
  readonly requests: RecordedRequest[] = [];
  readonly sockets: { opened: number; messages: unknown[] } = { opened: 0, messages: [] };
  keys: Set<string>;
  reply: MockReply | undefined;
  options: LiveOptions;
  closed = false;

  constructor(o: MockAuiOptions) {
    this.keys = toKeySet(o.apiKey ?? 'test-key');
    this.reply = o.reply;
    this.options = {
      envelope: o.envelope ?? 'full',
      text: o.text ?? 'delta',
      productShape: o.productShape ?? 'cards',
      frameDelayMs: o.frameDelayMs ?? 0,
      handshake: o.handshake ?? 'accept',
    };
  }

  keyOk(key: string | undefined): boolean {
    return key !== undefined && this.keys.has(key);
  }
}

export function toKeySet(key: string | string[]): Set<string> {
  return new Set(Array.isArray(key) ? key : [key]);
}

export function headerRecord(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

export function queryRecord(params: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of params) out[k] = v;
  return out;
}
