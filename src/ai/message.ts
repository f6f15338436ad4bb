// ai/message — what an AUI answer is in the Vercel AI SDK: a `UIMessage` whose parts are its text,
// its product cards (`data-products`) and its follow-up suggestions (`data-suggestions`), with the
// chat's AUI task in its metadata. Types only: `ai` is imported for its types, never at run time.
// Imports: schemas/helpers (type), ai (types).

import type { InferUIMessageChunk, UIMessage } from 'ai';
import type { Product } from '../schemas/helpers.ts';

/**
 * The data parts of an AUI answer, by name: `message.parts` holds them as
 * `{ type: 'data-products', data: Product[] }` and `{ type: 'data-suggestions', data: string[] }`.
 */
// A type alias, not an interface: the AI SDK requires data types to be a `Record<string, unknown>`.
export type AuiDataParts = {
  /** The answer's product cards, both wire shapes as one list (what `productsOf(message)` returns). */
  products: Product[];
  /** Follow-up questions the user can send as the next message, in the agent's order. */
  suggestions: string[];
};

/** The metadata of an assistant message: `message.metadata`. */
export type AuiMessageMetadata = {
  /**
   * The AUI task the answer belongs to. The proxy (`protocol: 'ai-sdk'`) sets it and reads it back
   * from the chat's messages to continue the same task.
   */
  taskId?: string;
};

/**
 * A chat message of an AUI conversation, for `useChat<AuiUIMessage>()`: `message.parts` are typed
 * text parts, `data-products` and `data-suggestions` parts, and `message.metadata` is
 * {@link AuiMessageMetadata}.
 *
 * A text part whose `providerMetadata.aui.replaced` is `true` was superseded by the text part
 * after it (AUI corrected text it had already streamed): skip it when rendering.
 *
 * @example
 * const { messages, sendMessage } = useChat<AuiUIMessage>();
 * message.parts.map((part) => {
 *   if (part.type === 'text' && !part.providerMetadata?.aui?.replaced) return part.text;
 *   if (part.type === 'data-products') return part.data.map((product) => product.name);
 *   if (part.type === 'data-suggestions') return part.data; // send one with sendMessage({ text })
 * });
 */
export type AuiUIMessage = UIMessage<AuiMessageMetadata, AuiDataParts>;

/** One chunk of the UI message stream `toUIMessageStream` produces. */
export type AuiUIMessageChunk = InferUIMessageChunk<AuiUIMessage>;
