/**
 * stream/frames — what a frame from the session socket is. The API's frames carry no type
 * field, so each is classified first (streaming → error → final → unknown, wire decision 5)
 * and only then checked as that kind. Knows frames, not sockets.
 * Imports: errors, schemas.
 */
import { ResponseValidationError } from '../errors/errors.ts';
import { isRecord } from '../shared/values.ts';
import { checkResponse } from '../schemas/check.ts';
import { type Message, MessageSchema } from '../schemas/wire.ts';

export const TEXT_EVENT = 'thread-message-text-content-updated';

/**
 * A classified frame. A streaming frame is just its text (a string): it is the one kind that
 * arrives thousands of times per turn, so it gets no wrapper object.
 */
export type Frame =
  | string
  | { kind: 'error'; frame: Record<string, unknown> }
  | { kind: 'final'; message: Message }
  | { kind: 'unknown'; frame: unknown };

const decoder = /* @__PURE__ */ new TextDecoder();

/** Parses and classifies one socket frame; a frame that is not JSON is a typed error. */
export function readFrame(data: unknown): Frame {
  let value: unknown;
  try {
    // Sockets deliver a string or (binaryType 'arraybuffer') bytes; anything else makes decode
    // throw, which is the same typed error as bad JSON.
    value = JSON.parse(typeof data === 'string' ? data : decoder.decode(data as ArrayBuffer));
  } catch {
    throw new ResponseValidationError('session: a frame is not JSON.');
  }
  return classify(value);
}

export function classify(frame: unknown): Frame {
  if (isRecord(frame)) {
    // Both envelopes: the full one (`channel.event_name`) and the flat one (`event`).
    if (
      frame.event === TEXT_EVENT ||
      (frame.channel as { event_name?: unknown } | null | undefined)?.event_name === TEXT_EVENT
    ) {
      const text = (frame.data as { text?: unknown } | undefined)?.text;
      if (typeof text !== 'string') {
        throw new ResponseValidationError('session: a frame failed validation at data.text.', [
          'data',
          'text',
        ]);
      }
      return text;
    }
    // A final message has an id and text; an error frame has a status_code and no id.
    if ('id' in frame) {
      if ('text' in frame)
        return { kind: 'final', message: checkResponse<Message>(MessageSchema, frame, 'session') };
    } else if ('status_code' in frame) return { kind: 'error', frame };
  }
  return { kind: 'unknown', frame };
}
