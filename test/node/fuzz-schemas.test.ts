// Property-based fuzzing of the reply schemas: `checkResponse` with each reply schema on
// random values — anything at all, valid replies with one field broken, `__proto__` keys, deep
// nesting, huge strings — either returns a value that has what the SDK relies on, or throws a
// ResponseValidationError whose path leads to the field at fault. Never another throw.
// Only the schema names that survive the schema rewrite are imported (Message, Task, TaskPage, Messages).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ResponseValidationError } from '../../src/index.node.ts';
import { checkResponse } from '../../src/schemas/check.ts';
import { MessageSchema, MessagesSchema, TaskPageSchema, TaskSchema } from '../../src/schemas/wire.ts';
import { assertNotPolluted, assertTypedError, deepJsonText, hugeString, params } from '../fixtures/fuzz.ts';

type Schema = Parameters<typeof checkResponse>[0];
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** What the SDK reads from each reply once it passed (the schemas check what the SDK relies on). */
const SCHEMAS: Array<{
  name: string;
  schema: Schema;
  relies: (value: unknown) => void;
  rootIsArray: boolean;
}> = [
  { name: 'MessageSchema', schema: MessageSchema, relies: assertMessage, rootIsArray: false },
  { name: 'TaskSchema', schema: TaskSchema, relies: assertTask, rootIsArray: false },
  {
    name: 'TaskPageSchema',
    schema: TaskPageSchema,
    relies: (page) => {
      assert.ok(isObject(page));
      const { tasks } = page;
      assert.ok(tasks === undefined || Array.isArray(tasks), 'tasks is a list');
      for (const task of (tasks as unknown[] | undefined) ?? []) assertTask(task);
    },
    rootIsArray: false,
  },
  {
    name: 'MessagesSchema',
    schema: MessagesSchema,
    relies: (messages) => {
      assert.ok(Array.isArray(messages));
      for (const message of messages) assertMessage(message);
    },
    rootIsArray: true,
  },
];

function assertMessage(message: unknown): void {
  assert.ok(isObject(message));
  assert.equal(typeof message.id, 'string');
  assert.equal(typeof message.text, 'string');
}

function assertTask(task: unknown): void {
  assert.ok(isObject(task));
  assert.equal(typeof task.id, 'string');
}

/** A value passes with what the SDK relies on, or fails with a path that leads into the value. */
function checksSafely(entry: (typeof SCHEMAS)[number], value: unknown): void {
  let checked: unknown;
  try {
    checked = checkResponse(entry.schema, value, 'fuzz');
  } catch (error) {
    assertTypedError(error, entry.name);
    assert.ok(error instanceof ResponseValidationError, `${entry.name}: ${String(error)}`);
    const { path } = error;
    assert.ok(Array.isArray(path), 'path is a list');
    for (const key of path)
      assert.ok(typeof key === 'string' || typeof key === 'number', `path key ${String(key)}`);
    // A reply of the right outer shape fails at a field, never at "(root)".
    const rightShape = entry.rootIsArray ? Array.isArray(value) : isObject(value);
    if (rightShape) assert.ok(path.length > 0, `${entry.name}: no path for ${error.message.slice(0, 200)}`);
    let at: unknown = value;
    for (const key of path.slice(0, -1)) {
      assert.ok(typeof at === 'object' && at !== null, `${entry.name}: path ${path.join('.')} leads nowhere`);
      at = (at as Record<string | number, unknown>)[key];
    }
    if (path.length > 0) assert.ok(typeof at === 'object' && at !== null, `path ${path.join('.')}`);
    return;
  }
  entry.relies(checked);
  assertNotPolluted();
}

const everySchema = fc.constantFrom(...SCHEMAS);

/** fast-check's anything, with the odd values a JS caller could hand over. */
const oddValues = fc.anything({
  maxDepth: 4,
  withBigInt: true,
  withBoxedValues: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withObjectString: true,
  withSparseArray: true,
  withTypedArray: true,
  key: fc.oneof(fc.string(), fc.constantFrom('__proto__', 'id', 'text', 'tasks', 'constructor')),
});

const text = fc.string({ maxLength: 12 });
const message = fc.record(
  {
    id: text,
    text: fc.string(),
    created_at: text,
    sender: fc.record({ type: fc.constantFrom('user', 'agent') }),
    cards: fc.array(
      fc.record({ name: text, parameters: fc.array(fc.record({ title: text }), { maxLength: 2 }) }),
      { maxLength: 2 },
    ),
    options: fc.array(fc.record({ widget_parameters: fc.array(fc.record({ title: text })) }), {
      maxLength: 2,
    }),
    followup_suggestions: fc.array(text, { maxLength: 3 }),
  },
  { requiredKeys: ['id', 'text'] },
);
const task = fc.record(
  {
    id: text,
    user_id: text,
    title: text,
    welcome_message: fc.option(text),
    followup_suggestions: fc.array(text),
  },
  { requiredKeys: ['id', 'user_id'] },
);
const taskPage = fc.record({
  tasks: fc.array(task, { maxLength: 3 }),
  total: fc.nat(),
  page: fc.nat(),
  size: fc.nat(),
});
const VALID: Record<string, fc.Arbitrary<unknown>> = {
  MessageSchema: message,
  TaskSchema: task,
  TaskPageSchema: taskPage,
  MessagesSchema: fc.array(message, { maxLength: 3 }),
};

/** Every path to a value inside `value` (objects and arrays), the root excluded. */
function pathsOf(value: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> {
  if (typeof value !== 'object' || value === null) return [];
  const keys = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
  return keys.flatMap((key) => {
    const path = [...prefix, key];
    return [path, ...pathsOf((value as Record<string | number, unknown>)[key], path)];
  });
}

/** `value` with the field at one of its paths replaced by `replacement`, or deleted. */
function broken(value: unknown, pick: number, replacement: unknown, remove: boolean): unknown {
  const copy = structuredClone(value);
  const paths = pathsOf(copy);
  const path = paths[pick % Math.max(1, paths.length)];
  if (!path) return replacement;
  let parent = copy as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = path.at(-1)!;
  if (remove && !Array.isArray(parent)) delete parent[last];
  else parent[last] = replacement;
  return copy;
}

const replacement = fc.oneof(
  oddValues,
  fc.constantFrom(undefined, null, '', 0, -1, NaN, Infinity, true, [], {}, [[]], '[]', '{}'),
);

test('anything at all: a valid reply or a ResponseValidationError with its path, never another throw', () => {
  fc.assert(fc.property(everySchema, oddValues, checksSafely), params(1_000));
});

test('valid replies pass and keep what the SDK reads', () => {
  fc.assert(
    fc.property(
      everySchema.chain((entry) => fc.tuple(fc.constant(entry), VALID[entry.name]!)),
      ([entry, value]) => checksSafely(entry, value),
    ),
    params(300),
  );
});

test('a valid reply with one field broken or removed: passes, or fails at a path that leads to it', () => {
  const cases = everySchema.chain((entry) =>
    fc.tuple(fc.constant(entry), VALID[entry.name]!, fc.nat(), replacement, fc.boolean()),
  );
  fc.assert(
    fc.property(cases, ([entry, value, pick, swap, remove]) =>
      checksSafely(entry, broken(value, pick, swap, remove)),
    ),
    params(1_000),
  );
});

test('replies parsed from JSON with `__proto__` keys, deep nesting and huge strings', () => {
  const hostile = fc.oneof(
    deepJsonText(10_000),
    hugeString().map((s) => JSON.stringify(s)),
    fc.constantFrom('{"__proto__":{"id":"x","text":"y"}}', '{"__proto__":null}', '[{"__proto__":[]}]'),
  );
  const fields = ['', 'id', 'text', 'cards', 'sender', 'tasks', 'total', '__proto__', 'followup_suggestions'];
  const json = fc
    .tuple(hostile, fc.constantFrom(...fields))
    .map(([inner, field]) =>
      field === ''
        ? inner
        : `{"id":"i","text":"t","user_id":"u","total":1,"page":1,"size":1,"${field}":${inner}}`,
    );
  fc.assert(
    fc.property(everySchema, json, fc.boolean(), (entry, source, wrap) =>
      checksSafely(entry, JSON.parse(wrap ? `[${source}]` : source)),
    ),
    params(120),
  );
});
