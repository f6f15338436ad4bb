// Every REST endpoint of AuiClient against the mock AUI server over real HTTP on loopback:
// the request the SDK puts on the wire and the typed result it hands back.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { APIPromise, NotFoundError, productsOf, VERSION } from '../../src/index.node.ts';
import { calls, clientFor, mockServer, TEST_KEY } from '../fixtures/mock.ts';

const mock = await mockServer();
const aui = clientFor(mock);
const last = () => mock.requests.at(-1)!;

test('tasks.create sends user_id, the default task_origin_type and the key, and returns the task', async () => {
  const task = await aui.tasks.create({ user_id: 'user_123' });
  assert.match(task.id, /^[0-9a-f]{24}$/);
  assert.equal(task.user_id, 'user_123');
  assert.equal(typeof task.welcome_message, 'string');
  assert.ok(Array.isArray(task.followup_suggestions));
  const request = last();
  assert.equal(request.method, 'POST');
  assert.equal(request.path, '/api/ia-controller/api/v1/external/tasks');
  assert.deepEqual(request.body, { user_id: 'user_123', task_origin_type: 'web-widget' });
  assert.equal(request.headers['x-network-api-key'], TEST_KEY);
  assert.equal(request.headers['content-type'], 'application/json');
  assert.match(request.headers['idempotency-key'] ?? '', /^[0-9a-f-]{36}$/);
  assert.equal(request.headers['user-agent'], `aui-messaging/${VERSION} node/${process.versions.node}`);
});

test('tasks.create keeps a caller task_origin_type and agent, and the client default is configurable', async () => {
  await aui.tasks.create({
    user_id: 'u1',
    task_origin_type: 'stores',
    agent: { agent_id: 'a1', version_tag: 'v8' },
  });
  assert.deepEqual(last().body, {
    user_id: 'u1',
    task_origin_type: 'stores',
    agent: { agent_id: 'a1', version_tag: 'v8' },
  });
  await clientFor(mock, { taskOriginType: 'third-party' }).tasks.create({ user_id: 'u1' });
  assert.deepEqual(last().body, { user_id: 'u1', task_origin_type: 'third-party' });
});

test('tasks.list sends user_id/page/size in the query and returns the page', async () => {
  for (let i = 0; i < 3; i++) await aui.tasks.create({ user_id: 'lister' });
  const page = await aui.tasks.list({ user_id: 'lister', page: 2, size: 2 });
  assert.deepEqual(last().query, { user_id: 'lister', page: '2', size: '2' });
  assert.equal(page.total, 3);
  assert.equal(page.page, 2);
  assert.equal(page.size, 2);
  assert.equal(page.tasks.length, 1);
});

test('tasks.iterate walks every page lazily, one request per page', async () => {
  for (let i = 0; i < 5; i++) await aui.tasks.create({ user_id: 'walker' });
  const before = mock.requests.length;
  const iterator = aui.tasks.iterate({ user_id: 'walker', size: 2 });
  assert.equal(mock.requests.length, before, 'no request before the first next()');
  const ids: string[] = [];
  for await (const task of iterator) {
    ids.push(task.id);
    if (ids.length === 1)
      assert.equal(mock.requests.length, before + 1, 'one page fetched for the first task');
  }
  assert.equal(ids.length, 5);
  assert.equal(new Set(ids).size, 5);
  assert.deepEqual(
    mock.requests.slice(before).map((r) => r.query.page),
    ['1', '2', '3'],
  );
});

test('tasks.get returns one task; an unknown id is a NotFoundError', async () => {
  const created = await aui.tasks.create({ user_id: 'getter' });
  const task = await aui.tasks.get(created.id);
  assert.equal(task.id, created.id);
  const error = await aui.tasks.get('ffffffffffffffffffffffff').catch((e) => e);
  assert.ok(error instanceof NotFoundError);
  assert.equal(error.status, 404);
});

test('path parameters are encoded: an id cannot reach another upstream path', async () => {
  await aui.tasks.get('../../tasks?x=1').catch(() => undefined);
  assert.equal(last().path, '/api/ia-controller/api/v1/external/tasks/..%2F..%2Ftasks%3Fx%3D1');
});

test('messages.send posts task_id/text/context, flags in the query, and returns the agent message', async () => {
  const task = await aui.tasks.create({ user_id: 'shopper' });
  const message = await aui.messages.send({
    task_id: task.id,
    text: 'I need a built-in microwave',
    context: { url: 'https://example.com/p', lead_details: { budget: '300-500' } },
    agent_variables: { tone: 'brief' },
    include_business_trace: true,
  });
  const request = last();
  assert.equal(request.path, '/api/ia-controller/api/v1/external/message');
  assert.deepEqual(request.query, { is_external_api: 'true', include_business_trace: 'true' });
  assert.deepEqual(request.body, {
    task_id: task.id,
    text: 'I need a built-in microwave',
    context: { url: 'https://example.com/p', lead_details: { budget: '300-500' } },
    agent_variables: { tone: 'brief' },
  });
  assert.equal(typeof message.id, 'string');
  assert.equal(typeof message.text, 'string');
  assert.equal(message.sender?.type, 'agent');
  assert.ok(productsOf(message).length > 0, 'a microwave question gets products');
  assert.ok(message.trace_info, 'trace flag honoured');
});

test('both product shapes parse and productsOf unifies them', async () => {
  for (const productShape of ['cards', 'options'] as const) {
    mock.setOptions({ productShape });
    const task = await aui.tasks.create({ user_id: 'shapes' });
    const message = await aui.messages.send({ task_id: task.id, text: 'microwave please' });
    assert.ok(
      productShape === 'cards' ? message.cards?.length : message.options?.length,
      `${productShape} present`,
    );
    const products = productsOf(message);
    assert.ok(products.length >= 2);
    for (const product of products) {
      assert.equal(typeof product.name, 'string', `${productShape}: product name`);
      assert.ok(Object.keys(product.values).length > 0);
    }
  }
  mock.setOptions({ productShape: 'cards' });
});

test('tasks.messages returns the history: user and agent entries, oldest first', async () => {
  const task = await aui.tasks.create({ user_id: 'historian' });
  await aui.messages.send({ task_id: task.id, text: 'first question' });
  const history = await aui.tasks.messages(task.id);
  assert.deepEqual(
    history.map((m) => m.sender?.type),
    ['user', 'agent'],
  );
  assert.equal(history[0]!.text, 'first question');
});

test('agentContext, followupSuggestions, traceInfo, textConversation and renderWidget', async () => {
  const task = await aui.tasks.create({ user_id: 'extras' });
  const message = await aui.messages.send({ task_id: task.id, text: 'hello' });

  const context = await aui.agentContext({ task_id: task.id });
  assert.deepEqual(calls(mock).at(-1), 'POST /agent-context');
  assert.deepEqual(last().body, { task_id: task.id });
  assert.ok(Array.isArray(context.params));

  const suggestions = await aui.followupSuggestions({ context: { task_id: task.id } });
  assert.equal(calls(mock).at(-1), 'POST /direct-followup-suggestions');
  assert.ok(suggestions.suggestions && suggestions.suggestions.length > 0);

  const trace = await aui.traceInfo(task.id, message.id, { include_business_logic: true });
  assert.equal(calls(mock).at(-1), `GET /tasks/${task.id}/messages/${message.id}/trace-info`);
  assert.deepEqual(last().query, { include_business_logic: 'true' });
  assert.equal(typeof trace, 'object');

  const conversation = await aui.textConversation({
    phoneNumber: '+14155550123',
    channel: 'sms',
    message: 'hi',
  });
  assert.equal(calls(mock).at(-1), 'POST /text/conversation');
  assert.deepEqual(last().body, { phoneNumber: '+14155550123', channel: 'sms', message: 'hi' });
  assert.equal(conversation.status, true);

  const widget = await aui.renderWidget({
    task_id: task.id,
    integration_code: 'INVENTORY_SEARCH',
    card_template_code: 'card',
    variables: { q: 'x' },
  });
  assert.equal(calls(mock).at(-1), 'POST /widgets');
  assert.equal(typeof widget.rendered_jsx, 'string');
});

test('every method returns an APIPromise whose withResponse() has the Response and request id', async () => {
  const promise = aui.tasks.create({ user_id: 'raw' });
  assert.ok(promise instanceof APIPromise);
  const { data, response, requestId } = await promise.withResponse();
  assert.equal(response.status, 200);
  assert.equal(data.user_id, 'raw');
  assert.equal(requestId, response.headers.get('x-request-id'));
  assert.ok(requestId);
});

test('fields the SDK does not read pass through untouched', async () => {
  mock.failRest({
    match: 'POST /tasks',
    status: 200,
    body: { id: 'abc', user_id: 'u', title: 't', brand_new_field: { nested: [1, 2] } },
  });
  const task = (await aui.tasks.create({ user_id: 'u' })) as unknown as Record<string, unknown>;
  assert.deepEqual(task.brand_new_field, { nested: [1, 2] });
});

test('params fields the SDK does not know still reach the server (the API grows faster than SDKs)', async () => {
  await aui.tasks.create({ user_id: 'u', brand_new_option: { on: true } } as never);
  assert.deepEqual(last().body, {
    user_id: 'u',
    brand_new_option: { on: true },
    task_origin_type: 'web-widget',
  });
});
