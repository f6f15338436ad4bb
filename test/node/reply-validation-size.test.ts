// Found by test/node/fuzz-frames.test.ts (huge strings): a reply that fails validation because a
// field holds a string where a list belongs quotes that whole string in the error's message. valibot's
// issue says `received "<the value>"`, and schemas/check puts it in the message as it is: a 1 MB
// server string gives a 1 MB `ResponseValidationError.message` — in every log line and every SSE
// error event the proxy sends. Error bodies are capped (errors/body MAX_SUMMARY, 300 characters);
// this message is not. Both over REST (below) and on the socket (a final frame with such a field).
// Fixed in schemas/check: a quoted value is cut at 40 characters.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ResponseValidationError } from '../../src/index.node.ts';
import { clientFor, mockServer, rejection } from '../fixtures/mock.ts';

const mock = await mockServer();
const aui = clientFor(mock, { maxRetries: 0 });

test('a reply with a huge string where a list belongs fails with a short message that names the field', async () => {
  const task = await aui.tasks.create({ user_id: 'found' });
  const huge = 'x'.repeat(1_000_000);
  mock.failRest({ match: 'GET /tasks/*', status: 200, body: { ...task, followup_suggestions: huge } });
  const error = await rejection(aui.tasks.get(task.id));
  assert.ok(error instanceof ResponseValidationError, String(error));
  assert.deepEqual(error.path, ['followup_suggestions']);
  assert.ok(error.message.length < 1_000, `a ${error.message.length}-character message`);
});
