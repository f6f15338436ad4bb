// Property-based fuzzing of the frame reader: whatever a hostile AUI sends on the socket —
// random JSON, JSON nested thousands of levels deep, huge strings, `__proto__` keys, bytes that are
// not UTF-8 — the engine's reading (`parseFrame` and `streamingText` of stream/frames, then `replyOf`
// of session/replies) gives streaming text, or a reply
// for the turn, or throw a typed AuiError the engine can fail that turn with. Never another throw:
// a RangeError from a socket handler once took the whole process down.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { APIError, MessageStream } from '../../src/index.node.ts';
import { noteSecret } from '../../src/errors/redact.ts';
import { replyOf, type Reply } from '../../src/session/replies.ts';
import { Turn } from '../../src/session/turn.ts';
import type { StreamSink } from '../../src/stream/events.ts';
import { parseFrame, streamingText, TEXT_EVENT } from '../../src/stream/frames.ts';
import {
  anyBytes,
  anyText,
  assertNotPolluted,
  assertTypedError,
  deepJsonText,
  hugeString,
  params,
  protoKeyedJsonText,
} from '../fixtures/fuzz.ts';

// A key of the shape the pattern redaction once cut in half; resolveKey notes every key it hands out.
const KEY = 'API_KEY_fz01.SECRETTAIL+x/y=';
noteSecret(KEY);
// The key, and its tail alone: a redaction that stops at the pattern's end leaves the tail.
const SECRETS = [KEY, 'SECRETTAIL'];

/** A turn on the socket, as the engine holds one: sent after a watermark, one frame in. */
function turnOnSocket(frames: number): Turn {
  let sink: StreamSink | undefined;
  const stream = new MessageStream((s) => {
    sink = s;
  });
  stream.finalMessage().catch(() => undefined);
  const turn = new Turn({ task_id: 'task-1', text: 'hello' }, sink!);
  turn.markSent({ lastId: 'watermark-id' });
  for (let i = 0; i < frames; i++) turn.sink.frame('x');
  return turn;
}

/** What the engine does with one frame: parse it, take its streaming text, else read it for the turn. */
function readAsEngine(data: unknown, turn: Turn, lastFinalId: string | undefined): string | Reply {
  const frame = parseFrame(data, 'session');
  return streamingText(frame, 'session') ?? replyOf(frame, turn, lastFinalId, 'session');
}

function assertReply(reply: string | Reply): void {
  if (typeof reply === 'string') return;
  if (reply.kind === 'final') {
    assert.equal(typeof reply.message.id, 'string');
    assert.equal(typeof reply.message.text, 'string');
  } else if (reply.kind === 'error') {
    // An error frame's text is quoted in the message capped (errors/body MAX_SUMMARY).
    const error = assertTypedError(reply.error, 'replyOf', { secrets: SECRETS, maxMessage: 1_000 });
    assert.ok(error instanceof APIError);
    assert.ok(
      Number.isInteger(error.status) && error.status >= 400 && error.status <= 599,
      `status ${error.status}`,
    );
    assert.ok(
      [true, false, 'unknown'].includes(error.delivered as never),
      `delivered ${String(error.delivered)}`,
    );
  } else if (reply.kind === 'key-rejected') {
    assert.equal(typeof reply.why, 'string');
  } else {
    assert.ok(reply.kind === 'repeated-final' || reply.kind === 'unknown', `kind ${reply.kind}`);
  }
}

/** One frame read for a turn with no frame yet and one with a frame: text or a reply, else a typed error; nothing polluted. */
function readsSafely(data: unknown): void {
  for (const frames of [0, 1]) {
    try {
      assertReply(readAsEngine(data, turnOnSocket(frames), 'last-final-id'));
    } catch (error) {
      assertTypedError(error, 'the frame reader', { secrets: SECRETS });
    }
  }
  assertNotPolluted();
}

/** Where a hostile value goes: each kind of frame, and each field a reader looks at. */
const placements: Array<(value: string) => string> = [
  (v) => v,
  (v) => `{"status_code":400,"description":"Deep","message":"m","extra_data":${v}}`,
  (v) => `{"status_code":500,"message":${v},"description":${v}}`,
  (v) => `{"status_code":${v}}`,
  (v) => `{"status_code":401,"detail":${v}}`,
  (v) => `{"status_code":422,"detail":[{"loc":${v},"msg":${v}}],"errors":${v}}`,
  (v) => `{"event":"${TEXT_EVENT}","data":{"text":${v}}}`,
  (v) => `{"channel":{"event_name":"${TEXT_EVENT}"},"data":${v}}`,
  (v) => `{"channel":${v},"event":${v}}`,
  (v) => `{"id":"m-1","text":"t","cards":${v},"sender":${v}}`,
  (v) => `{"id":"m-1","text":"t","trace_info":${v},"followup_suggestions":${v}}`,
  (v) => `{"id":${v},"text":${v}}`,
  (v) => `{"__proto__":${v},"status_code":400,"extra_data":{"__proto__":${v}}}`,
];
const placed = (value: fc.Arbitrary<string>) =>
  fc.tuple(value, fc.constantFrom(...placements)).map(([v, place]) => place(v));

test('random JSON in every kind of frame: a frame, a reply or a typed error', () => {
  const json = fc.jsonValue({ maxDepth: 6 }).map((value) => JSON.stringify(value));
  fc.assert(fc.property(fc.oneof(fc.json(), placed(json)), readsSafely), params(400));
});

test('JSON nested up to 12,000 levels deep, in every field a reader looks at: never a stack overflow', () => {
  fc.assert(fc.property(placed(deepJsonText()), readsSafely), params(60));
});

// (A ResponseValidationError quotes at most 40 characters of a wrong-typed string: test/node/reply-validation-size.test.ts.)
test('huge strings in every field: a frame or a typed error', () => {
  fc.assert(fc.property(placed(hugeString().map((s) => JSON.stringify(s))), readsSafely), params(15));
});

test('`__proto__`, `constructor` and `prototype` keys: read as plain fields, nothing polluted', () => {
  fc.assert(
    fc.property(fc.oneof(protoKeyedJsonText(), placed(protoKeyedJsonText())), (text) => {
      readsSafely(text);
      let reply: string | Reply | undefined;
      try {
        reply = readAsEngine(text, turnOnSocket(1), undefined);
      } catch {
        return; // a typed error, checked above
      }
      if (typeof reply === 'object' && reply.kind === 'error') {
        // The body keeps the key as a field; the error's body is still an ordinary object.
        assert.equal(Object.getPrototypeOf(reply.error.body), Object.prototype);
      }
    }),
    params(300),
  );
});

test('bytes that are not UTF-8, and values no socket delivers: a typed error, never another throw', () => {
  const data = fc.oneof(
    anyBytes().map((bytes) => bytes.slice().buffer),
    anyBytes(),
    anyText(),
    fc.anything(),
  );
  fc.assert(fc.property(data, readsSafely), params(400));
});

test('an error frame carrying the key anywhere: the typed error never shows it', () => {
  const spot = fc.constantFrom(
    (k: string) => `{"status_code":500,"message":"bad key ${k} here"}`,
    (k: string) => `{"status_code":400,"description":"${k}","extra_data":{"${k}":"${k}"}}`,
    (k: string) => `{"status_code":422,"detail":[{"loc":["${k}"],"msg":"invalid ${k}"}]}`,
    (k: string) => `{"status_code":503,"extra_data":{"network_api_key":"${k}","nested":[{"a":"x${k}y"}]}}`,
    (k: string) => `{"status_code":401,"detail":"key ${k} refused"}`,
  );
  fc.assert(
    fc.property(spot, anyText(), (frameWith, noise) => {
      const key = JSON.stringify(`${noise}${KEY}${noise}`).slice(1, -1);
      readsSafely(frameWith(key));
    }),
    params(200),
  );
});
