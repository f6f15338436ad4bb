/**
 * stream/frames — what a frame from the session socket is. The API's frames carry no type
 * field, so each is classified first (streaming → error → final → unknown, wire decision 5)
 * and only then checked as that kind. Knows frames, not sockets.
 * Imports: errors, schemas.
 */
import { ResponseValidationError } from '../errors/errors.ts';
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
  const text = typeof data === 'string' ? data : decode(data);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ResponseValidationError('session: a frame is not JSON.', []);
  }
  return classify(value);
}

export function classify(value: unknown): Frame {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { kind: 'unknown', frame: value };
  const frame = value as Record<string, unknown>;
  // Both envelopes: the full one (`channel.event_name`) and the flat one (`event`).
  const channel = frame.channel as { event_name?: unknown } | undefined;
  if (frame.event === TEXT_EVENT || (typeof channel === 'object' && channel?.event_name === TEXT_EVENT)) {
    const text = (frame.data as { text?: unknown } | undefined)?.text;
    if (typeof text !== 'string') {
      throw new ResponseValidationError('session: a frame failed validation at data.text.', ['data', 'text']);
    }
    return text;
  }
  if ('status_code' in frame && !('id' in frame)) return { kind: 'error', frame };
  if ('id' in frame && 'text' in frame) return { kind: 'final', message: checkResponse<Message>(MessageSchema, frame, 'session (final message)') };
  return { kind: 'unknown', frame };
}

function decode(data: unknown): string {
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) return decoder.decode(data as ArrayBuffer);
  return String(data);
}
