// Public types of the mock AUI server (options, faults, the handle returned by
// startMockAui). Types only: no runtime code lives here.

/** A product in a mock reply, sent in the message shape `productShape` picks. */
export interface MockProduct {
  /** The product's name. */
  name: string;
  /** Its price, e.g. `'$358.08'`: a parameter titled `Price`. */
  price?: string;
  /** Whether the agent recommends it. Default false. */
  recommended?: boolean;
}

/** One answer of the mock agent: its text, how it streams, and its products and suggestions. */
export interface MockAgentReply {
  /** The final message text. */
  text: string;
  /**
   * How the reply is streamed on the socket. Default: `text` split into word-ish
   * pieces (`chunks.join('') === text`). May differ from `text` on purpose, to test
   * clients whose final text disagrees with what was streamed.
   */
  chunks?: string[];
  /** Product cards on the final message. Default none. */
  products?: MockProduct[];
  /** Follow-up questions on the final message. Default none. */
  followup_suggestions?: string[];
}

/** What a `reply` function is called with: the turn the mock received. */
export interface MockReplyInput {
  /** The task the message was sent to. */
  task_id: string;
  /** What the user wrote. */
  text: string;
  /** 1-based count of user turns on this task, this one included. */
  turn: number;
}

/** The mock agent's answer: its text, a whole reply, or a function of the turn that returns either. */
export type MockReply = string | MockAgentReply | ((input: MockReplyInput) => string | MockAgentReply);

/** Options of `startMockAui`. Every one is optional: `startMockAui()` is a working AUI that accepts `'test-key'`. */
export interface MockAuiOptions {
  /** The port on 127.0.0.1. Default 0: any free port (read it from `mock.port` or `mock.url`). */
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

/** The options `mock.setOptions` can change while the mock runs. */
export type MockRuntimeOptions = Partial<
  Pick<MockAuiOptions, 'envelope' | 'text' | 'productShape' | 'frameDelayMs' | 'handshake'>
>;

/** One request the mock received, as `mock.requests` lists it. */
export interface RecordedRequest {
  /** HTTP method, or 'WS' for a WebSocket upgrade. */
  method: string;
  /** Full URL pathname as received, e.g. `/api/ia-controller/api/v1/external/tasks`. */
  path: string;
  /** The query parameters (the socket's `network_api_key` among them). */
  query: Record<string, string>;
  /** Lower-cased names; repeated headers joined with ', '. */
  headers: Record<string, string>;
  /** Parsed JSON, the raw string when it is not JSON, or undefined when empty. */
  body: unknown;
}

/** A REST failure for `mock.failRest`: which requests it hits, and what they get instead of the real answer. */
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
  /** Extra response headers, e.g. `{ 'retry-after': '1' }`. */
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

/** A streaming failure for `mock.failTurn` (or `chooseTurnFaults`): what goes wrong in the next turn. */
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
    /** The HTTP-like status of the error. */
    status_code: number;
    /** A short title, e.g. `'Content moderation triggered'`. */
    description?: string;
    /** What went wrong. */
    message?: string;
    /** Details that vary by error. */
    extra_data?: Record<string, unknown>;
  };
  /** For 'slow': the per-frame delay; default 50. */
  frameDelayMs?: number;
  /** Apply to this many turns; default 1. */
  times?: number;
}

/** Picks the fault for one turn the mock received, or `undefined` for a clean turn. */
export type TurnFaultChooser = (turn: MockReplyInput) => TurnFault | undefined;

/** A running mock AUI server, as `startMockAui` returns it: its URLs, what it saw, and the controls tests drive. */
export interface MockAui {
  /** REST base: `http://127.0.0.1:${port}/api/ia-controller`. */
  url: string;
  /** `ws://127.0.0.1:${port}/api/ia-controller/api/v1/external/session`. */
  wsUrl: string;
  /** The port it listens on, on 127.0.0.1. */
  port: number;
  /** Every REST request in order, WebSocket upgrades too (method 'WS'); CORS preflights are not recorded. */
  requests: RecordedRequest[];
  /** WebSocket connections accepted, and every client→server frame (parsed JSON, or the raw string). */
  sockets: {
    /** WebSocket connections accepted so far. */
    opened: number;
    /** Every frame a client sent, in order. */
    messages: unknown[];
  };
  /** Changes the key(s) the mock accepts, from the next request on. */
  setApiKey(key: string | string[]): void;
  /** Changes how the agent answers, from the next turn on. */
  setReply(reply: MockReply): void;
  /** Changes the streaming envelope, text mode, product shape, frame delay or handshake, from the next turn on. */
  setOptions(o: MockRuntimeOptions): void;
  /** Queues a REST failure for the next matching request(s). */
  failRest(fault: RestFault): void;
  /** Queues a streaming failure for the next turn(s). */
  failTurn(fault: TurnFault): void;
  /**
   * Picks a fault for every turn the `failTurn` queue has none for (the queue wins), from the turn
   * itself: a seeded soak draws a random fault per turn, and a resent message can be told by its
   * text. Return `undefined` for a clean turn; pass `undefined` to stop choosing. `reset()` stops it too.
   */
  chooseTurnFaults(choose: TurnFaultChooser | undefined): void;
  /** The messages stored for a task (what `tasks.messages` would return), oldest first. */
  history(task_id: string): unknown[];
  /** Appends a user or agent message to a task's history, creating the task if needed. */
  addHistory(task_id: string, entry: { role: 'user' | 'agent'; text: string }): void;
  /** Clears requests, socket counters, queued faults, tasks and pending delayed writes. */
  reset(): void;
  /** Closes every socket and the server; resolves when fully closed. */
  close(): Promise<void>;
}
