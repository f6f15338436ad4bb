// ai/chunks — one AUI turn, event by event, as the AI SDK's UI message chunks: `start`; the text
// as `text-start`/`text-delta`/`text-end`; the product cards and follow-up suggestions as
// `data-products`/`data-suggestions` parts; `finish`. A failed turn ends with an `error` chunk
// instead (`abort` when the app aborted it). Text parts only grow in the AI SDK, so a correction
// that rewrites text already shown closes that part as replaced and opens a new one. Pure: no
// streams, no timers; part ids are deterministic.
// Imports: errors/, schemas/, stream (types), ./message (types).

import { APIUserAbortError } from '../errors/errors.ts';
import { productsOf } from '../schemas/helpers.ts';
import type { Message } from '../schemas/wire.ts';
import type { StreamEvent } from '../stream/events.ts';
import type { AuiUIMessageChunk } from './message.ts';

/** Marks a text part that the part after it supersedes: `part.providerMetadata.aui.replaced`. */
const REPLACED = { aui: { replaced: true } };

/** The chunks of one turn, produced as its events arrive. */
export class TurnChunks {
  /** The id of the text part being streamed, while one is open. */
  #openPart: string | undefined;
  #partsOpened = 0;
  /** The turn's text as the open (or last) text part shows it. */
  #shown = '';

  /** The first chunk: `start`, with the task in the message's metadata when it is known. */
  start(taskId: string | undefined): AuiUIMessageChunk[] {
    return [taskId === undefined ? { type: 'start' } : { type: 'start', messageMetadata: { taskId } }];
  }

  /** The chunks for one event of the turn. */
  event(event: StreamEvent): AuiUIMessageChunk[] {
    if (event.type === 'text') return this.#append(event.delta);
    if (event.type === 'snapshot') return this.#correct(event.snapshot);
    return this.#finish(event.message);
  }

  /** The last chunks of a failed turn: the open text part closed, then `abort` or `error`. */
  fail(error: unknown, errorText: (error: unknown) => string): AuiUIMessageChunk[] {
    const chunks = this.#closeText();
    if (error instanceof APIUserAbortError) chunks.push({ type: 'abort' });
    else chunks.push({ type: 'error', errorText: errorText(error) });
    return chunks;
  }

  #append(delta: string): AuiUIMessageChunk[] {
    if (delta === '') return [];
    const chunks: AuiUIMessageChunk[] = [];
    let id = this.#openPart;
    if (id === undefined) {
      id = this.#openPart = `text-${++this.#partsOpened}`;
      chunks.push({ type: 'text-start', id });
    }
    this.#shown += delta;
    chunks.push({ type: 'text-delta', id, delta });
    return chunks;
  }

  /**
   * The text so far became `snapshot`. When it only grew, the new end is one more delta; when it
   * rewrote what was shown, the shown part is closed as replaced and the whole text starts anew.
   */
  #correct(snapshot: string): AuiUIMessageChunk[] {
    if (snapshot.startsWith(this.#shown)) return this.#append(snapshot.slice(this.#shown.length));
    const chunks = this.#closeText(REPLACED);
    this.#shown = '';
    chunks.push(...this.#append(snapshot));
    return chunks;
  }

  /** The final message: the text part closed, then the products and suggestions, then `finish`. */
  #finish(message: Message): AuiUIMessageChunk[] {
    const chunks = this.#closeText();
    const products = productsOf(message);
    if (products.length > 0) chunks.push({ type: 'data-products', data: products });
    const suggestions = message.followup_suggestions ?? [];
    if (suggestions.length > 0) chunks.push({ type: 'data-suggestions', data: [...suggestions] });
    chunks.push({ type: 'finish', finishReason: 'stop' });
    return chunks;
  }

  #closeText(providerMetadata?: typeof REPLACED): AuiUIMessageChunk[] {
    const id = this.#openPart;
    if (id === undefined) return [];
    this.#openPart = undefined;
    return [providerMetadata ? { type: 'text-end', id, providerMetadata } : { type: 'text-end', id }];
  }
}
