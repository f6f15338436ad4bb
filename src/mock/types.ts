// Public types of the mock AUI server (options, faults, the handle returned by
// startMockAui). Types only: no runtime code lives here.

export interface MockProduct {
  name: string;
  price?: string;
  recommended?: boolean;
}

export interface MockAgentReply {
  /** The final message text. */
  text: string;
  /**
   * How the reply is streamed on the socket. Default: `text` split into word-ish
   * pieces (`chunks.join('') === text`). May differ from `text` on purpose, to test
   * clients whose final text disagrees with what was streamed.
   */
  chunks?: string[];
  products?: MockProduct[];
  followup_suggestions?: string[];
}

export interface MockReplyInput {
  task_id: string;
  text: string;
  /** 1-based count of user turns on this task, this one included. */
  turn: number;
}

export type MockReply = string | MockAgentReply | ((input: MockReplyInput) => string | MockAgentReply);

export interface MockAuiOptions {
  /** Default 0 (ephemeral). */
  port?: number;
  /** Accepted key(s); default 'test-key'. */
  apiKey?: string | string[];
  /** Default: a deterministic shopping-agent reply (products when the text mentions a microwave). */
  reply?: MockReply;
  /** Streaming frame envelope; default 'full'. */
  envelope?: 'full' | 'flat';
  /** Streaming text mode; default 'delta'. */
  text?: 'delta' | 'cumulative';
  /** Message body shape; default 'cards'. */
  productShape?: 'cards' | 'options';
  /** Delay between streaming frames; default 0. */
  frameDelayMs?: number;
  /** 'reject-403' refuses every WebSocket upgrade with HTTP 403 (no accept). Default 'accept'. */
  handshake?: 'accept' | 'reject-403';
}

export type MockRuntimeOptions = Partial<
  Pick<MockAuiOptions, 'envelope' | 'text' | 'productShape' | 'frameDelayMs' | 'handshake'>
>;

export interface RecordedRequest {
  /** HTTP method, or 'WS' for a WebSocket upgrade. */
  method: string;
  /** Full URL pathname as received, e.g. `/api/ia-controller/api/v1/external/tasks`. */
  path: string;
  query: Record<string, string>;
  /** Lower-cased names; repeated headers joined with ', '. */
  headers: Record<string, string>;
  /** Parsed JSON, the raw string when it is not JSON, or undefined when empty. */
  body: unknown;
}

export interface RestFault {
  /**
   * 'POST /message' or 'GET /tasks/*' (method + exact path, `*` = one segment),
   * '/tasks' (any method, path prefix on segment boundaries), or 'POST' (any path).
   * Paths are relative to `/api/ia-controller/api/v1/external` (full paths work too).
   * Default: any request.
   */
  match?: string;
  /** Respond with this status instead of running the real handler. */
  status?: number;
  /** JSON value, or a raw string sent as-is. */
  body?: unknown;
  /** Default application/json (text/html for a raw string starting with '<'). */
  contentType?: string;
  headers?: Record<string, string>;
  /** Wait before responding. */
  delayMs?: number;
  /** Destroy the socket without a response. */
  hangUp?: boolean;
  /**
   * Run the real handler (after delayMs) even if the client has gone, so its side effects
   * happen (a timed-out POST /message is still stored). Its response is sent unless the
   * fault also gives status/body (sent instead) or hangUp (socket destroyed instead).
   * A fault with neither status, body nor hangUp always passes through.
   */
  passThrough?: boolean;
  /** Apply to this many matching requests; default 1. */
  times?: number;
}

export interface TurnFault {
  /**
   * What goes wrong. Mid-turn: `drop` (TCP cut), `close` (close frame, `code`), `error-frame`
   * (an error frame, then a close), `malformed` (a non-JSON frame), `unknown-frame`, `slow`,
   * `auth-close` (close 1008 on receipt, storing the user entry only with `recordUser: true`).
   * After a complete answer (the reply is stored and its final frame sent), a hostile server's
   * extras: `repeat-final` (the final frame again), `error-after-final` (an error frame, the
   * socket left open), `close-after-final` (a close with `code`, default 1000). `raw-frame` sends
   * `frame` as it is (say, JSON nested deeper than JSON.stringify can write) and closes with `code`
   * (default 1011).
   */
  kind:
    | 'drop'
    | 'close'
    | 'error-frame'
    | 'malformed'
    | 'unknown-frame'
    | 'slow'
    | 'auth-close'
    | 'repeat-final'
    | 'error-after-final'
    | 'close-after-final'
    | 'raw-frame';
  /** For 'raw-frame': the text sent as one frame. */
  frame?: string;
  /** Streaming frames sent before the fault; default 0. */
  afterFrames?: number;
  /** For 'close': the close code, default 1011; for 'close-after-final', default 1000. */
  code?: number;
  /** For drop/close/error-frame: store the user entry in history; default true. For auth-close: default false. */
  recordUser?: boolean;
  /** For drop/close/error-frame: store the agent entry now, after laterMs, or never; default 'never'. */
  recordReply?: 'now' | 'later' | 'never';
  /** Default 3000. */
  laterMs?: number;
  /** For 'error-frame' and 'error-after-final'; default status 500. 'error-frame' closes with 1011 for 5xx, else 1008. */
  error?: {
    status_code: number;
    description?: string;
    message?: string;
    extra_data?: Record<string, unknown>;
  };
  /** For 'slow': the per-frame delay; default 50. */
  frameDelayMs?: number;
  /** Apply to this many turns; default 1. */
  times?: number;
}

/** Picks the fault for one turn the mock received, or `undefined` for a clean turn. */
export type TurnFaultChooser = (turn: MockReplyInput) => TurnFault | undefined;

export interface MockAui {
  /** REST base: `http://127.0.0.1:${port}/api/ia-controller`. */
  url: string;
  /** `ws://127.0.0.1:${port}/api/ia-controller/api/v1/external/session`. */
  wsUrl: string;
  port: number;
  /** Every REST request in order, WebSocket upgrades too (method 'WS'); CORS preflights are not recorded. */
  requests: RecordedRequest[];
  /** WebSocket connections accepted, and every client→server frame (parsed JSON, or the raw string). */
  sockets: { opened: number; messages: unknown[] };
  setApiKey(key: string | string[]): void;
  setReply(reply: MockReply): void;
  setOptions(o: MockRuntimeOptions): void;
  failRest(fault: RestFault): void;
  failTurn(fault: TurnFault): void;
  /**
   * Picks a fault for every turn the `failTurn` queue has none for (the queue wins), from the turn
   * itself: a seeded soak draws a random fault per turn, and a resent message can be told by its
   * text. Return `undefined` for a clean turn; pass `undefined` to stop choosing. `reset()` stops it too.
   */
  chooseTurnFaults(choose: TurnFaultChooser | undefined): void;
  history(task_id: string): unknown[];
  addHistory(task_id: string, entry: { role: 'user' | 'agent'; text: string }): void;
  /** Clears requests, socket counters, queued faults, tasks and pending delayed writes. */
  reset(): void;
  /** Closes every socket and the server; resolves when fully closed. */
  close(): Promise<void>;
}
