// stream/events — what a turn's stream carries: the events a user listens to or iterates, and the
// sink its producer (the session, the SSE reader) drives it through. Types only.
// Imports: errors (types), schemas (types).

import type { AuiError } from '../errors/errors.ts';
import type { Message } from '../schemas/wire.ts';

/** What `for await (const event of stream)` yields. */
export type StreamEvent =
  | {
      /** New text. */
      type: 'text';
      /** The text that arrived. */
      delta: string;
      /** The text so far, `delta` included. */
      snapshot: string;
    }
  | {
      /** The text so far was corrected, or the reader started late: show `snapshot` instead. */
      type: 'snapshot';
      /** The whole text so far. */
      snapshot: string;
    }
  | {
      /** The final message: the last event. */
      type: 'message';
      /** The agent's whole answer; its `text` equals the last snapshot. */
      message: Message;
    };

/** The events of `stream.on(…)` and their listeners. */
export interface MessageStreamEvents {
  /** New text: `delta` appended to the text so far gives `snapshot`. */
  text: (delta: string, snapshot: string) => void;
  /** The text so far was corrected (only when it had to be): replace what you showed with `snapshot`. */
  snapshot: (snapshot: string) => void;
  /** The final message; its `text` equals the last snapshot. */
  message: (message: Message) => void;
  /** The turn failed: an `AuiError` (or an error a listener threw); `end` follows. */
  error: (error: AuiError | Error) => void;
  /** Always last, after `message` or `error`; nothing follows it. */
  end: () => void;
}

/** How a producer drives a stream. Calls after the turn ended are ignored. */
export interface StreamSink {
  /** A socket frame's text: delta or cumulative, decided once per turn. */
  frame(text: string): void;
  /** A known delta (the SSE reader). */
  delta(delta: string): void;
  /** A known correction (the SSE reader). */
  snapshot(snapshot: string): void;
  /** The final message. `recovered`: it came from history, so the text not yet seen is emitted as a delta. */
  final(message: Message, recovered?: boolean): void;
  fail(error: unknown): void;
  /** The text so far (for TurnInterruptedError.partialText). */
  readonly text: string;
  /** Frames received this turn. */
  readonly frames: number;
  readonly ended: boolean;
}

/** Starts the producer; returns what stops it when the consumer aborts (the producer may fail the stream with that error). */
export type StreamExecutor = (sink: StreamSink) => ((error: AuiError) => void) | void;
