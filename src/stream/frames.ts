// stream/frames — what a frame from the session socket is. The API's frames carry no type field,
// so each is classified first (streaming → error → final → unknown) and only then
// checked as that kind; the streaming frames, thousands per turn, on a path of their own.
// Knows frames, not sockets. Imports: errors, schemas, shared.

import { ResponseValidationError } from '../errors/errors.ts';
import { isRecord } from '../shared/values.ts';
import { checkResponse } from '../schemas/check.ts';
import { type Message, MessageSchema } from '../schemas/wire.ts';

export const TEXT_EVENT = 'thread-message-text-content-updated';

/** A frame that is not a streaming frame, classified: the final message, an error, or unknown. */
export type TurnFrame =
  | { kind: 'error'; frame: Record<string, unknown> }
  | { kind: 'final'; message: Message }
  | { kind: 'unknown'; frame: unknown };

const decoder = /* @__PURE__ */ new TextDecoder();

/** The JSON value of one socket frame; a frame that is not JSON is a typed error whose message starts with `where`. */
export function parseFrame(data: unknown, where: string): unknown {
  try {
    // Sockets deliver a string or (binaryType 'arraybuffer') bytes; anything else makes decode
    // throw, which is the same typed error as bad JSON.
    return JSON.parse(typeof data === 'string' ? data : decoder.decode(data as ArrayBuffer));
  } catch {
    throw new ResponseValidationError(`${where}: a frame is not JSON.`);
  }
}

/**
 * The text of a streaming frame (either envelope: the full one's `channel.event_name`, the flat
 * one's `event`), or undefined for any other frame. It runs for every frame, so it asks
 * `Object.hasOwn` which envelope a frame has before it reads a field: V8 compiles `frame.channel`
 * for the shapes it has seen, and the final message — one per turn, with a shape that is new
 * whenever a full GC collected the last one — would make it throw away the code it optimized for
 * the streaming frames at the end of every turn (bench/README.md, "Stream throughput").
 */
export function streamingText(frame: unknown, where: string): string | undefined {
  if (!isRecord(frame)) return undefined;
  const isText =
    (Object.hasOwn(frame, 'channel') &&
      (frame.channel as { event_name?: unknown } | null)?.event_name === TEXT_EVENT) ||
    (Object.hasOwn(frame, 'event') && frame.event === TEXT_EVENT);
  if (!isText) return undefined;
  const text = (frame.data as { text?: unknown } | undefined)?.text;
  if (typeof text !== 'string') {
    throw new ResponseValidationError(`${where}: a frame failed validation at data.text.`, ['data', 'text']);
  }
  return text;
}

/** Any other frame: a final message has an id and text, an error frame a status_code and no id. */
export function classify(frame: unknown, where: string): TurnFrame {
  if (isRecord(frame)) {
    if ('id' in frame) {
      if ('text' in frame)
        return { kind: 'final', message: checkResponse<Message>(MessageSchema, frame, where) };
    } else if ('status_code' in frame) {
      return { kind: 'error', frame };
    }
  }
  return { kind: 'unknown', frame };
}
