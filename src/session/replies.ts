// session/replies — what a frame from the socket means for the turn on it. The API's frames carry
// no turn id, so a frame is judged against what the session knows: the same final message again
// belongs to no turn (a server that repeats itself must not shift every later answer by one), an
// auth error is a rejected key (handled like a close 1008), and any other error frame ends the turn,
// saying whether AUI had the message. Pure: no sockets, no timers.
// Imports: errors, schemas (types), stream/frames, ./turn (type).

import type { APIError, Delivered } from '../errors/errors.ts';
import { errorFromFrame } from '../errors/map.ts';
import type { Message } from '../schemas/wire.ts';
import { classify } from '../stream/frames.ts';
import type { Turn } from './turn.ts';

/** What a frame that is not streaming text (those go straight to the stream) asks of the session. */
export type Reply =
  | { kind: 'final'; message: Message }
  | { kind: 'repeated-final' }
  | { kind: 'key-rejected'; why: string }
  | { kind: 'error'; error: APIError; why: string }
  | { kind: 'unknown' };

/**
 * Reads a parsed frame that is not streaming text, for `turn`. Throws a typed error
 * (ResponseValidationError) for a final message that fails its schema.
 */
export function replyOf(value: unknown, turn: Turn, lastFinalId: string | undefined, where: string): Reply {
  const frame = classify(value, where);
  if (frame.kind === 'unknown') return frame;
  if (frame.kind === 'final') {
    const { id } = frame.message;
    const repeated = id === lastFinalId || id === turn.watermark?.lastId;
    return repeated ? { kind: 'repeated-final' } : frame;
  }
  const error = errorFromFrame(frame.frame);
  const why = `error frame ${error.status}`;
  if (error.status === 401 || error.status === 403) return { kind: 'key-rejected', why };
  error.delivered = deliveredAfter(turn, error.status);
  return { kind: 'error', error, why };
}

/** A frame before the error proves receipt; a 4xx means AUI looked and refused; a 5xx may have come after it acted. */
function deliveredAfter(turn: Turn, status: number): Delivered {
  if (turn.sink.frames > 0) return true;
  if (status >= 500) return 'unknown';
  return false;
}
