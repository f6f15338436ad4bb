// Property-based fuzzing of the SSE decoder: `MessageStream.fromReadableStream` fed the
// bytes `toReadableStream` wrote for a turn — random turns, and real turns against the mock — cut
// into random chunks must give back the same turn (every text and snapshot event, the message, or
// the error's class and `delivered`), whatever the cut. Random garbage and bodies cut short must end
// the stream with a typed error (an AuiError), never hang, and never throw out of the stream.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import fc from 'fast-check';
import {
  APIConnectionError,
  APITimeoutError,
  AuiError,
  type Delivered,
  type Message,
  MessageStream,
  ResponseValidationError,
  SessionClosedError,
  TurnInterruptedError,
} from '../../src/index.node.ts';
import { errorFromStatus } from '../../src/errors/map.ts';
import { clientFor, mockServer } from '../fixtures/mock.ts';
import { anyBytes, anyText, describe, params } from '../fixtures/fuzz.ts';

// Whatever escapes a stream is a failure of the property that caused it.
const escaped: string[] = [];
const onEscape = (what: unknown) => escaped.push(describe(what));
process.on('unhandledRejection', onEscape);
process.on('uncaughtException', onEscape);
after(() => {
  process.off('unhandledRejection', onEscape);
  process.off('uncaughtException', onEscape);
});
const assertNothingEscaped = () => assert.deepEqual(escaped.splice(0), [], 'escaped the stream');

type Event =
  | ['text', string]
  | ['snapshot', string]
  | ['message', Message]
  | ['error', { name: string; delivered: unknown; status: unknown; message: string }]
  | ['end'];

interface Outcome {
  events: Event[];
  message?: Message;
  error?: unknown;
}

const SETTLE_MS = 2_000;

/** Every event of a stream, and how it ended; fails if it does not end within SETTLE_MS. */
async function outcomeOf(stream: MessageStream): Promise<Outcome> {
  const events: Event[] = [];
  stream
    .on('text', (delta) => events.push(['text', delta]))
    .on('snapshot', (snapshot) => events.push(['snapshot', snapshot]))
    .on('message', (message) => events.push(['message', message]))
    .on('error', (error) => {
      const { name, message } = error;
      const { delivered, status } = error as { delivered?: unknown; status?: unknown };
      events.push(['error', { name, delivered, status, message }]);
    })
    .on('end', () => events.push(['end']));
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hung = new Promise<'hung'>((resolve) => (timer = setTimeout(() => resolve('hung'), SETTLE_MS)));
  const settled = stream.finalMessage().then(
    (message): Outcome => ({ events, message }),
    (error: unknown): Outcome => ({ events, error }),
  );
  const outcome = await Promise.race([settled, hung]);
  clearTimeout(timer);
  assert.notEqual(outcome, 'hung', `the stream did not end within ${SETTLE_MS} ms`);
  return outcome as Outcome;
}

/** All the bytes of a body. */
async function bytesOf(body: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  const reader = body.getReader();
  for (let read = await reader.read(); !read.done; read = await reader.read()) chunks.push(read.value);
  return concat(chunks);
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

/** `bytes` cut at `cuts` (any numbers), served one chunk per read; the body then closes or fails. */
function bodyOf(
  bytes: Uint8Array,
  cuts: number[],
  end: 'close' | 'error' = 'close',
): ReadableStream<Uint8Array> {
  const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let from = 0;
  for (const point of [...points, bytes.length]) {
    chunks.push(bytes.subarray(from, point));
    from = point;
  }
  let next = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (next < chunks.length) controller.enqueue(chunks[next++]);
      else if (end === 'close') controller.close();
      else controller.error(new TypeError('network error'));
    },
  });
}

/* ----------------------------------------------------------------- turns to encode */

interface RandomTurn {
  steps: Array<{ kind: 'delta' | 'snapshot'; text: string }>;
  end: { kind: 'message'; message: Message } | { kind: 'error'; error: () => AuiError };
}

const delivered = fc.constantFrom<Delivered>(true, false, 'unknown');
const errors: fc.Arbitrary<() => AuiError> = fc.oneof(
  fc
    .record({ task_id: fc.string(), delivered, partialText: anyText() })
    .map((init) => () => new TurnInterruptedError(init)),
  fc
    .record({ status: fc.integer({ min: 400, max: 599 }), message: anyText(), delivered })
    .map(({ status, message, delivered }) => () => {
      const error = errorFromStatus({ status, body: { description: 'Fuzzed', message } });
      error.delivered = delivered;
      return error;
    }),
  fc.tuple(fc.constantFrom(APIConnectionError, APITimeoutError, ResponseValidationError), anyText()).map(
    ([ErrorClass, message]) =>
      () =>
        new ErrorClass(message),
  ),
  fc.constant(() => new SessionClosedError()),
);
const message: fc.Arbitrary<Message> = fc
  .record({ id: fc.string({ minLength: 1 }), text: anyText(), extra: fc.jsonValue({ maxDepth: 3 }) })
  .map(({ id, text, extra }) => JSON.parse(JSON.stringify({ id, text, extra })) as Message);
const randomTurn: fc.Arbitrary<RandomTurn> = fc.record({
  steps: fc.array(fc.record({ kind: fc.constantFrom('delta', 'delta', 'snapshot'), text: anyText() }), {
    maxLength: 12,
  }),
  end: fc.oneof(
    { weight: 3, arbitrary: message.map((m) => ({ kind: 'message' as const, message: m })) },
    { weight: 1, arbitrary: errors.map((e) => ({ kind: 'error' as const, error: e })) },
  ),
});

/** A turn produced the way the session produces one, after the encoder attached its listeners. */
function streamOf(turn: RandomTurn): MessageStream {
  return new MessageStream((sink) => {
    setTimeout(() => {
      for (const step of turn.steps) {
        if (step.kind === 'delta') sink.delta(step.text);
        else sink.snapshot(step.text);
      }
      if (turn.end.kind === 'message') sink.final(turn.end.message);
      else sink.fail(turn.end.error());
    }, 0);
  });
}

/** What the source said, and the bytes it wrote: the encoder and an observer on the same stream. */
async function encoded(source: MessageStream): Promise<{ sent: Outcome; bytes: Uint8Array }> {
  const sent = outcomeOf(source);
  const bytes = await bytesOf(source.toReadableStream());
  return { sent: await sent, bytes };
}

/** The decoded turn is the sent one: the same events in order; an error keeps its class and `delivered`. */
function assertSameTurn(got: Outcome, sent: Outcome): void {
  const comparable = (events: Event[]) =>
    events.map((event) => {
      if (event[0] !== 'error') return event;
      const { name, delivered, status, message } = event[1];
      // An empty message comes back as the envelope's default wording.
      return ['error', { name, delivered, status, message: message || 'The request failed.' }];
    });
  assert.deepEqual(comparable(got.events), comparable(sent.events));
  assert.deepEqual(got.message, sent.message);
  if (sent.error) assert.ok(got.error instanceof AuiError, describe(got.error));
}

/* ----------------------------------------------------------------- properties */

const cuts = fc.array(fc.nat(), { maxLength: 40 });

test('random turns cut into random chunks decode to the same turn', async () => {
  await fc.assert(
    fc.asyncProperty(randomTurn, cuts, async (turn, at) => {
      const { sent, bytes } = await encoded(streamOf(turn));
      assertSameTurn(await outcomeOf(MessageStream.fromReadableStream(bodyOf(bytes, at))), sent);
      assertNothingEscaped();
    }),
    params(200),
  );
});

test('real turns from the mock (delta, cumulative, corrected by the final text) decode the same, whatever the split', async () => {
  const mock = await mockServer({
    reply: ({ text }) =>
      text === 'corrected'
        ? { text: 'The final text wins.', chunks: ['The streamed ', 'text differs'] }
        : { text: `Answer to ${text}: 😀 — "quoted", back\\slash, new\nline, é.` },
  });
  const aui = clientFor(mock);
  const task = await aui.tasks.create({ user_id: 'fuzz-sse' });
  const turns: Array<{ sent: Outcome; bytes: Uint8Array }> = [];
  for (const [text, mode] of [
    ['delta', 'delta'],
    ['cumulative', 'cumulative'],
    ['corrected', 'delta'],
  ] as const) {
    mock.setOptions({ text: mode });
    turns.push(await encoded(aui.messages.stream({ task_id: task.id, text })));
  }
  for (const turn of turns) assert.ok(turn.sent.message, 'the real turn completed');
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...turns), cuts, async ({ sent, bytes }, at) => {
      assertSameTurn(await outcomeOf(MessageStream.fromReadableStream(bodyOf(bytes, at))), sent);
      assertNothingEscaped();
    }),
    params(150),
  );
});

test('a body cut short before its message ends with TurnInterruptedError; after it, with the message', async () => {
  await fc.assert(
    fc.asyncProperty(randomTurn, fc.nat(), cuts, fc.boolean(), async (turn, cutAt, at, fails) => {
      const { sent, bytes } = await encoded(streamOf(turn));
      const cut = cutAt % bytes.length;
      const kept = bytes.subarray(0, cut);
      const got = await outcomeOf(
        MessageStream.fromReadableStream(bodyOf(kept, at, fails ? 'error' : 'close')),
      );
      // Where the message (or error) event ends: before it the turn is not over.
      const text = new TextDecoder().decode(bytes);
      const ending = /event: (message|error)\ndata: [^\n]*\n/.exec(text);
      const endsAt = ending
        ? new TextEncoder().encode(text.slice(0, ending.index + ending[0].length)).length
        : Infinity;
      if (cut < endsAt) {
        assert.ok(
          got.error instanceof TurnInterruptedError,
          `cut at ${cut}/${bytes.length}: ${describe(got.error)}`,
        );
      } else if (sent.message) {
        assert.deepEqual(got.message, sent.message);
      } else {
        assert.ok(got.error instanceof AuiError, describe(got.error));
      }
      assertNothingEscaped();
    }),
    params(200),
  );
});

/** Lines that look like SSE, and lines that almost do. */
const sseLine = fc.oneof(
  fc.constantFrom(
    'event: text',
    'event: snapshot',
    'event: message',
    'event: error',
    'event: end',
    'event:',
    'event: __proto__',
    'data: {}',
    'data: {"delta":5}',
    'data: {"delta":"x"}',
    'data: {"snapshot":null}',
    'data: {"id":"m","text":"t"}',
    'data: {"id":1,"text":[]}',
    'data: {"error":null}',
    'data: {"error":{"type":"__proto__","status":"x"}}',
    'data: {"error":{"type":"constructor"}}',
    'data: {"error":{"type":"toString","status":1e400}}',
    'data: {"error":{"type":"TurnInterruptedError","delivered":"maybe"}}',
    'data: {"__proto__":{"polluted":1}}',
    'data: [',
    'data: ',
    'data',
    ': ping',
    '',
  ),
  anyText().map((text) => `data: ${text}`),
  fc.jsonValue({ maxDepth: 3 }).map((value) => `data: ${JSON.stringify(value)}`),
  anyText(),
);
const soup = fc
  .tuple(fc.array(sseLine, { maxLength: 30 }), fc.constantFrom('\n', '\r\n', '\r', '\n\n'))
  .map(([lines, eol]) => new TextEncoder().encode(lines.join(eol)));

test('garbage, and SSE-looking garbage: the stream ends, with a message or a typed error, and nothing escapes', async () => {
  await fc.assert(
    fc.asyncProperty(fc.oneof(anyBytes(), soup), cuts, fc.boolean(), async (bytes, at, fails) => {
      const got = await outcomeOf(
        MessageStream.fromReadableStream(bodyOf(bytes, at, fails ? 'error' : 'close')),
      );
      if (got.message) {
        assert.equal(typeof got.message.id, 'string');
        assert.equal(typeof got.message.text, 'string');
      } else {
        assert.ok(got.error instanceof AuiError, describe(got.error));
      }
      // `end` comes once, and last.
      assert.equal(got.events.filter(([name]) => name === 'end').length, 1);
      assert.deepEqual(got.events.at(-1), ['end']);
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
      assertNothingEscaped();
    }),
    params(400),
  );
});
