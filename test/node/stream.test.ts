// MessageStream over a real WebSocket to the mock: both envelopes × both text modes, the text
// invariant, frame classification (unknown frames, non-JSON frames, error frames), the consumer
// API (events, for-await, final*, abort, break), unhandled-error surfacing, and the SSE round trip.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { promisify } from 'node:util';
import {
  APIUserAbortError,
  AuiError,
  InternalServerError,
  InvalidRequestError,
  type Message,
  MessageStream,
  RateLimitError,
  ResponseValidationError,
  SSE_HEADERS,
  type StreamEvent,
  TurnInterruptedError,
  UnprocessableEntityError,
} from '../../src/index.node.ts';
import { clientFor, mockServer, rejection } from '../fixtures/mock.ts';

const execFileAsync = promisify(execFile);
const mock = await mockServer();
const aui = clientFor(mock);
const task = await aui.tasks.create({ user_id: 'streamer' });

/** Runs one turn and records every event in order, checking the invariant as it goes. */
async function record(stream: MessageStream) {
  const events: Array<[string, ...unknown[]]> = [];
  let sinceSnapshot = '';
  let base = '';
  stream.on('text', (delta, snapshot) => {
    sinceSnapshot += delta;
    assert.equal(base + sinceSnapshot, snapshot, 'deltas since the last snapshot add up to the snapshot');
    events.push(['text', delta]);
  });
  stream.on('snapshot', (snapshot) => {
    base = snapshot;
    sinceSnapshot = '';
    events.push(['snapshot', snapshot]);
  });
  stream.on('message', (message) => events.push(['message', message.text]));
  stream.on('error', (error) => events.push(['error', error]));
  stream.on('end', () => events.push(['end']));
  const outcome = await stream.finalMessage().catch((error: unknown) => error);
  await new Promise((resolve) => setImmediate(resolve));
  return { events, outcome, text: base + sinceSnapshot };
}

for (const envelope of ['full', 'flat'] as const) {
  for (const mode of ['delta', 'cumulative'] as const) {
    test(`${envelope} envelope, ${mode} text: deltas add up to the final text`, async () => {
      mock.setOptions({ envelope, text: mode });
      const reply = { text: 'The Panasonic NN-SN98JS is my top pick at $358.08.' };
      mock.setReply(reply);
      const { events, outcome, text } = await record(
        aui.messages.stream({ task_id: task.id, text: 'a microwave' }),
      );
      assert.equal((outcome as Message).text, reply.text);
      assert.equal(text, reply.text);
      const kinds = events.map((e) => e[0]);
      assert.ok(kinds.filter((k) => k === 'text').length > 5, 'streamed in several deltas');
      assert.ok(!kinds.includes('snapshot'), 'no correction needed');
      assert.deepEqual(kinds.slice(-2), ['message', 'end']);
      assert.equal(
        events
          .filter((e) => e[0] === 'text')
          .map((e) => e[1])
          .join(''),
        reply.text,
      );
    });
  }
}

test('a final text that differs from the stream: one snapshot event carries it, before message', async () => {
  mock.setOptions({ envelope: 'full', text: 'delta' });
  mock.setReply({ text: 'Final answer, corrected.', chunks: ['Draft ', 'answer ', 'that ', 'changed'] });
  const { events, text } = await record(aui.messages.stream({ task_id: task.id, text: 'x' }));
  assert.deepEqual(events.slice(-4), [
    ['text', 'changed'],
    ['snapshot', 'Final answer, corrected.'],
    ['message', 'Final answer, corrected.'],
    ['end'],
  ]);
  assert.equal(text, 'Final answer, corrected.');
});

test('cumulative mode is decided once per turn: a rewritten cumulative frame becomes a snapshot', async () => {
  mock.setOptions({ text: 'delta' }); // chunks are sent as given: we write cumulative frames ourselves
  mock.setReply({
    text: 'Hello there, friend',
    chunks: ['Hel', 'Hello', 'Hello th', 'Hallo there', 'Hello there, friend'],
  });
  const { events, text } = await record(aui.messages.stream({ task_id: task.id, text: 'x' }));
  assert.deepEqual(
    events.map((e) => e.slice(0, 2)),
    [
      ['text', 'Hel'],
      ['text', 'lo'],
      ['text', ' th'],
      ['snapshot', 'Hallo there'],
      ['snapshot', 'Hello there, friend'],
      ['message', 'Hello there, friend'],
      ['end'],
    ],
  );
  assert.equal(text, 'Hello there, friend');
});

test('a single-frame turn works in either mode', async () => {
  mock.setReply({ text: 'Yes.', chunks: ['Yes.'] });
  const { events } = await record(aui.messages.stream({ task_id: task.id, text: 'x' }));
  assert.deepEqual(
    events.map((e) => e[0]),
    ['text', 'message', 'end'],
  );
  mock.setReply({ text: 'Yes, same.', chunks: ['Yes,', ' same.'] });
});

test('for await yields text events then the message; finalText and done agree', async () => {
  mock.setReply({ text: 'one two three', chunks: ['one ', 'two ', 'three'] });
  const stream = aui.messages.stream({ task_id: task.id, text: 'count' });
  const seen: StreamEvent[] = [];
  for await (const event of stream) seen.push(event);
  assert.deepEqual(
    seen.map((e) => e.type),
    ['text', 'text', 'text', 'message'],
  );
  assert.deepEqual(seen[2], { type: 'text', delta: 'three', snapshot: 'one two three' });
  assert.equal(await stream.finalText(), 'one two three');
  await stream.done();
  assert.equal(stream.ended, true);
});

test('a for-await reader that starts late still sees the whole turn: the text so far as a snapshot', async () => {
  mock.setReply({ text: 'one two three', chunks: ['one ', 'two ', 'three'] });
  const ended = aui.messages.stream({ task_id: task.id, text: 'late' });
  await ended.done();
  const after: StreamEvent[] = [];
  for await (const event of ended) after.push(event);
  assert.deepEqual(
    after.map((e) => e.type),
    ['snapshot', 'message'],
  );
  assert.deepEqual(after[0], { type: 'snapshot', snapshot: 'one two three' });

  mock.setOptions({ frameDelayMs: 30 });
  try {
    const midway = aui.messages.stream({ task_id: task.id, text: 'midway' });
    await new Promise<void>((resolve) => midway.once('text', () => resolve()));
    const seen: StreamEvent[] = [];
    for await (const event of midway) seen.push(event);
    assert.equal(seen[0]!.type, 'snapshot', 'starts from the text so far');
    let text = '';
    for (const event of seen) {
      if (event.type === 'snapshot') text = event.snapshot;
      if (event.type === 'text') assert.equal((text += event.delta), event.snapshot);
    }
    assert.equal(text, 'one two three');
    assert.equal(seen.at(-1)!.type, 'message');
  } finally {
    mock.setOptions({ frameDelayMs: 0 });
  }
});

test('break in for await aborts the turn and closes its socket; no unhandled rejection', async () => {
  mock.setOptions({ frameDelayMs: 20 });
  mock.setReply({ text: 'a b c d e f g h i j', chunks: 'a b c d e f g h i j'.split(/(?<= )/) });
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    const opened = mock.sockets.opened;
    const stream = aui.messages.stream({ task_id: task.id, text: 'long' });
    let count = 0;
    for await (const event of stream) {
      if (event.type === 'text' && ++count === 2) break;
    }
    const error = await rejection(stream.finalMessage());
    assert.ok(error instanceof APIUserAbortError);
    assert.equal(mock.sockets.opened, opened + 1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(unhandled, []);
  } finally {
    process.off('unhandledRejection', onUnhandled);
    mock.setOptions({ frameDelayMs: 0 });
  }
});

test('abort() emits error then end and nothing after; the user abort never surfaces as unhandled', async () => {
  mock.setOptions({ frameDelayMs: 20 });
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    const stream = aui.messages.stream({ task_id: task.id, text: 'abort me' });
    const events: string[] = [];
    stream.on('text', () => {
      events.push('text');
      if (events.length === 1) stream.abort();
    });
    stream.on('message', () => events.push('message'));
    stream.on('end', () => events.push('end'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(events, ['text', 'end']);
    assert.deepEqual(unhandled, []);
  } finally {
    process.off('unhandledRejection', onUnhandled);
    mock.setOptions({ frameDelayMs: 0 });
  }
});

test('an error nobody listens to or awaits surfaces as an unhandled rejection; a user abort does not', async () => {
  const run = (mode: string) =>
    execFileAsync(process.execPath, ['--import', 'tsx', 'test/fixtures/unhandled.ts', mode], {
      timeout: 15_000,
    }).then((r) => r.stdout.trim());
  assert.equal(await run('error'), 'UNHANDLED UnprocessableEntityError');
  assert.equal(await run('abort'), 'NONE');
});

test('a throwing listener ends the turn with its error; end comes once and nothing follows it', async () => {
  for (const event of ['text', 'message'] as const) {
    const stream = aui.messages.stream({ task_id: task.id, text: `throw in ${event}` });
    const seen: string[] = [];
    const boom = new Error(`listener failed on ${event}`);
    stream.on(event, () => {
      throw boom;
    });
    for (const name of ['text', 'snapshot', 'message', 'error', 'end'] as const)
      stream.on(name, () => void seen.push(name));
    assert.equal(await rejection(stream.finalMessage()), boom);
    await new Promise((resolve) => setTimeout(resolve, 50)); // any late frame or event would land now
    assert.equal(seen.filter((name) => name === 'end').length, 1, seen.join(' '));
    assert.equal(seen.at(-1), 'end', seen.join(' '));
    assert.deepEqual(seen.slice(-2), ['error', 'end'], seen.join(' '));
  }
});

test('unknown frame kinds are ignored', async () => {
  mock.failTurn({ kind: 'unknown-frame' });
  mock.setReply({ text: 'fine', chunks: ['fi', 'ne'] });
  assert.equal(await aui.messages.stream({ task_id: task.id, text: 'x' }).finalText(), 'fine');
});

test('a non-JSON frame fails that turn with a typed error (not the process); the next turn works', async () => {
  mock.failTurn({ kind: 'malformed', afterFrames: 1 });
  const error = await rejection(aui.messages.stream({ task_id: task.id, text: 'x' }).finalMessage());
  assert.ok(error instanceof ResponseValidationError);
  assert.match(error.message, /not JSON/);
  assert.equal(error.delivered, true);
  assert.equal(await aui.messages.stream({ task_id: task.id, text: 'again' }).finalText(), 'fine');
});

test('error frames reject the turn with the mapped class; nothing is resent', async () => {
  const before = mock.sockets.messages.length;
  mock.failTurn({
    kind: 'error-frame',
    error: { status_code: 422, description: 'Unprocessable Entity', message: 'text too long' },
  });
  const invalid = await rejection(aui.messages.stream({ task_id: task.id, text: 'x' }).finalMessage());
  assert.ok(invalid instanceof UnprocessableEntityError);
  assert.equal(invalid.delivered, false);
  mock.failTurn({
    kind: 'error-frame',
    afterFrames: 2,
    error: { status_code: 500, description: 'Internal server error', message: 'boom' },
  });
  const broken = await rejection(aui.messages.stream({ task_id: task.id, text: 'y' }).finalMessage());
  assert.ok(broken instanceof InternalServerError);
  assert.equal(broken.delivered, true, 'two frames came before the error: AUI had the message');
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(mock.sockets.messages.length - before, 2, 'each message sent exactly once');
});

test('bad input fails the stream before any connection', async () => {
  const opened = mock.sockets.opened;
  const requests = mock.requests.length;
  for (const params of [
    { task_id: '', text: 'x' },
    { task_id: task.id, text: '' },
    { task_id: task.id },
    { task_id: task.id, text: 'x', context: 5 },
  ]) {
    const error = await rejection(aui.messages.stream(params as never).finalMessage());
    assert.ok(error instanceof InvalidRequestError, String(error));
  }
  assert.equal(mock.sockets.opened, opened);
  assert.equal(mock.requests.length, requests);
});

test('toReadableStream → SSE → fromReadableStream reproduces the turn, parsed with getReader()', async () => {
  mock.setReply({ text: 'Final answer, corrected.', chunks: ['Draft ', 'answer'] });
  const source = aui.messages.stream({ task_id: task.id, text: 'sse' });
  const response = new Response(source.toReadableStream(), { headers: SSE_HEADERS });
  assert.equal(response.headers.get('content-type'), 'text/event-stream; charset=utf-8');
  const [raw, forReader] = response.body!.tee();
  const { events, outcome } = await record(MessageStream.fromReadableStream(forReader));
  assert.deepEqual(
    events.map((e) => e.slice(0, 2)),
    [
      ['text', 'Draft '],
      ['text', 'answer'],
      ['snapshot', 'Final answer, corrected.'],
      ['message', 'Final answer, corrected.'],
      ['end'],
    ],
  );
  assert.equal((outcome as Message).id, (await source.finalMessage()).id);
  const wire = await new Response(raw).text();
  assert.match(wire, /^event: text\ndata: \{"delta":"Draft "\}\n\n/);
  assert.match(wire, /event: end\ndata: \{\}\n\n$/);
  mock.setReply({ text: 'fine', chunks: ['fi', 'ne'] });
});

test('every error class survives the SSE round trip', async () => {
  const cases: AuiError[] = [
    new UnprocessableEntityError({
      status: 422,
      body: { detail: [{ loc: ['body', 'text'], msg: 'too long', type: 'x' }] },
    }),
    new RateLimitError({ status: 429, body: {}, retryAfterMs: 3000 }),
    new TurnInterruptedError({ task_id: 't1', delivered: true, partialText: 'half' }),
    new InvalidRequestError('bad', ['params', 'text']),
    new InternalServerError({ status: 503, body: { detail: 'busy' } }),
  ];
  for (const original of cases) {
    const source = new MessageStream((sink) => {
      setTimeout(() => (sink.frame('partial '), sink.fail(original)), 1);
    });
    const copy = MessageStream.fromReadableStream(source.toReadableStream());
    const error = await rejection(copy.finalMessage());
    assert.equal(error.constructor, original.constructor, original.name);
    assert.equal(error.message, original.message);
    if (original instanceof UnprocessableEntityError) assert.deepEqual(error.issues, original.issues);
    if (original instanceof RateLimitError) assert.equal(error.retryAfterMs, 3000);
    if (original instanceof TurnInterruptedError)
      assert.deepEqual([error.delivered, error.partialText, error.task_id], [true, 'half', 't1']);
    if (original instanceof InvalidRequestError) assert.deepEqual(error.path, ['params', 'text']);
    if (original instanceof InternalServerError) assert.equal(error.status, 503);
  }
});

test('an SSE body that ends without `end` is a TurnInterruptedError with the partial text', async () => {
  const body = new Response(
    'event: text\ndata: {"delta":"Hel"}\n\n: ping\n\nevent: text\ndata: {"delta":"lo"}\n\n',
  ).body!;
  const stream = MessageStream.fromReadableStream(body);
  const error = await rejection(stream.finalMessage());
  assert.ok(error instanceof TurnInterruptedError);
  assert.equal(error.partialText, 'Hello');
  assert.equal(error.delivered, 'unknown');
});
