// What a caller reads when they pass something wrong: the call, the field, and what
// was wrong with it in words — never valibot's "expected … received undefined". Every call here
// fails before the network: the mock server counts zero requests for the whole file.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { EdgeVM } from '@edge-runtime/vm';
import { APIUserAbortError, AuiClient, InvalidRequestError } from '../../src/index.node.ts';
import { clientFor, mockServer, rejection, TEST_KEY } from '../fixtures/mock.ts';

const mock = await mockServer();
const aui = clientFor(mock);
let requestsBefore = 0;
before(() => (requestsBefore = mock.requests.length));
after(() => assert.equal(mock.requests.length, requestsBefore, 'no bad input reached the server'));

/** The InvalidRequestError a call rejects (or throws) with. */
async function invalid(call: () => unknown): Promise<InvalidRequestError> {
  let error: unknown;
  try {
    error = await rejection(call() as PromiseLike<unknown>);
  } catch (thrown) {
    error = thrown;
  }
  assert.ok(error instanceof InvalidRequestError, `expected an InvalidRequestError, got ${String(error)}`);
  return error;
}

test('a missing required field "is required", named with its path', async () => {
  const error = await invalid(() => aui.tasks.create({} as never));
  assert.equal(error.message, 'tasks.create: params.user_id is required');
  assert.deepEqual(error.path, ['params', 'user_id']);
  assert.equal(
    (
      await invalid(() =>
        aui.renderWidget({ task_id: 't', integration_code: 'I', card_template_code: 'c' } as never),
      )
    ).message,
    'renderWidget: params.variables is required',
  );
  // An explicit undefined reads the same as a missing key, and so does a missing argument.
  assert.equal(
    (await invalid(() => aui.tasks.create({ user_id: undefined } as never))).message,
    'tasks.create: params.user_id is required',
  );
  assert.equal(
    (await invalid(() => aui.tasks.create(undefined as never))).message,
    'tasks.create: params is required',
  );
});

test('an empty string "must not be empty"', async () => {
  assert.equal(
    (await invalid(() => aui.tasks.create({ user_id: '' }))).message,
    'tasks.create: params.user_id must not be empty',
  );
  assert.equal(
    (await invalid(() => aui.tasks.messages(''))).message,
    'tasks.messages: task_id must not be empty',
  );
  assert.equal(
    (await invalid(() => aui.traceInfo('t', ''))).message,
    'traceInfo: message_id must not be empty',
  );
  // A stream never throws: its finalMessage() rejects with the same error, and no socket opens.
  const opened = mock.sockets.opened;
  const stream = aui.messages.stream({ task_id: 't', text: '' });
  assert.equal(
    (await invalid(() => stream.finalMessage())).message,
    'messages.stream: params.text must not be empty',
  );
  assert.equal(mock.sockets.opened, opened);
});

test('a wrong type names what was expected and what came, in words', async () => {
  const cases: Array<[() => unknown, string]> = [
    [
      () => aui.messages.send({ task_id: 't', text: 5 } as never),
      'messages.send: params.text must be a string, got 5',
    ],
    [() => aui.tasks.get(42 as never), 'tasks.get: task_id must be a string, got 42'],
    [
      () => aui.messages.send({ task_id: 't', context: { url: true } } as never),
      'messages.send: params.context.url must be a string, got true',
    ],
    [
      () => aui.messages.send({ task_id: 't', agent_variables: 'tone=brief' } as never),
      'messages.send: params.agent_variables must be an object, got "tone=brief"',
    ],
    [() => aui.agentContext(null as never), 'agentContext: body must be an object, got null'],
    [
      () => aui.tasks.create({ user_id: 'u', agent: { bundle_mode: 'yes' } } as never),
      'tasks.create: params.agent.bundle_mode must be true or false, got "yes"',
    ],
    [
      () => aui.tasks.get('t', { signal: {} } as never),
      'tasks.get: options.signal must be an instance of AbortSignal, got an object',
    ],
    [
      () => aui.session({ connectTimeout: [] } as never),
      'session: options.connectTimeout must be a number, got an array',
    ],
    [
      () => new AuiClient({ apiKey: TEST_KEY, WebSocket: 'ws' } as never),
      'new AuiClient: options.WebSocket must be a function, got "ws"',
    ],
  ];
  for (const [call, message] of cases) assert.equal((await invalid(call)).message, message);
});

test("an AbortSignal of another realm (Next.js's Edge sandbox) is taken as a signal, not refused", async () => {
  // Next.js runs Edge routes in such a sandbox: `request.signal` there is not `instanceof` the
  // AbortSignal the package sees. An aborted one, so the call ends before the network.
  const foreign = new EdgeVM().evaluate<AbortSignal>(
    '(() => { const controller = new AbortController(); controller.abort(); return controller.signal; })()',
  );
  assert.ok(!(foreign instanceof AbortSignal), 'the signal comes from another realm');
  const error: unknown = await rejection(aui.tasks.get('t', { signal: foreign }));
  assert.ok(error instanceof APIUserAbortError, `expected the abort, got ${String(error)}`);
});

test('a value outside its rule says the rule and the value', async () => {
  const cases: Array<[() => unknown, string]> = [
    [() => aui.tasks.list({ user_id: 'u', page: 0 }), 'tasks.list: params.page must be at least 1, got 0'],
    [
      () => aui.tasks.list({ user_id: 'u', size: 2.5 }),
      'tasks.list: params.size must be a whole number, got 2.5',
    ],
    [() => aui.tasks.get('t', { timeout: -5 }), 'tasks.get: options.timeout must be at least 1, got -5'],
    [
      () => aui.textConversation({ phoneNumber: '+14155550123', channel: 'fax' as never }),
      'textConversation: params.channel must be "whatsapp" or "sms", got "fax"',
    ],
    [
      () => aui.textConversation({ phoneNumber: '555-1234', channel: 'sms' }),
      'textConversation: params.phoneNumber must be an E.164 phone number (like +14155550123), got "555-1234"',
    ],
    [
      () => new AuiClient({ apiKey: TEST_KEY, region: 'mars' as never }),
      'new AuiClient: options.region must be "gcp", "azure" or "aws", got "mars"',
    ],
    [
      () => new AuiClient({ apiKey: TEST_KEY, baseUrl: 'ftp://example.com' }),
      'new AuiClient: options.baseUrl must be an http(s) URL, got "ftp://example.com"',
    ],
    [
      () => new AuiClient({ apiKey: TEST_KEY, wsUrl: 'example.com' }),
      'new AuiClient: options.wsUrl must be a URL, got "example.com"',
    ],
  ];
  for (const [call, message] of cases) assert.equal((await invalid(call)).message, message);
});

test('a long value is cut, and a key passed by mistake is never echoed', async () => {
  const long = (await invalid(() => aui.textConversation({ phoneNumber: 'x'.repeat(100), channel: 'sms' })))
    .message;
  assert.ok(long.endsWith(`got "${'x'.repeat(40)}…"`), long);
  const key = (await invalid(() => new AuiClient({ apiKey: TEST_KEY, region: TEST_KEY as never }))).message;
  assert.ok(!key.includes(TEST_KEY), key);
  assert.match(key, /options\.region must be .*, got "\[redacted\]"/);
});

test('tasks.iterate with bad params throws at the call, before the loop starts', () => {
  assert.throws(() => aui.tasks.iterate({ size: 10 } as never), {
    name: 'InvalidRequestError',
    message: 'tasks.iterate: params.user_id is required',
  });
});
