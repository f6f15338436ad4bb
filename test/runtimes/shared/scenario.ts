// The runtime matrix scenario: the same steps in every runtime, against the mock AUI server that
// scripts/runtimes.mjs starts in Node 20 on 127.0.0.1. `aui-messaging` here is the packed tarball
// installed into the staging folder (never src/): this file is copied there and resolved by each
// runtime (or bundler) with its own export conditions, so the classes checked with `instanceof`
// below are the ones that runtime imported.
//
// Framework-free: every check throws a plain Error with a message naming the step, and the
// entries (node:test, Deno.test, bun:test, mocha in the browsers, a Worker's fetch handler,
// EdgeVM) only call the steps and report.
import { AuiClient, AuthenticationError, type Message } from 'aui-messaging';

/** What the entry learns from its runtime: env vars, a Worker binding, /__mock.json… */
export interface MockInfo {
  url: string;
  wsUrl: string;
  apiKey: string;
}

export interface ScenarioOptions {
  /** Browsers only: the SDK refuses a raw key there without it. Never passed elsewhere, so a runtime mistaken for a browser fails. */
  browser?: boolean;
}

export interface TurnReport {
  id: string;
  deltas: number;
  text: string;
}

export interface FirstReport {
  task_id: string;
  sent: string;
  turn: TurnReport;
}

export interface SecondReport {
  turn: TurnReport;
  restError: string;
  streamError: string;
}

export const WRONG_KEY = 'API_KEY_wrong_0000000000';
const USER = 'runtime_matrix';

export function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`scenario: ${message}`);
}

function client(info: MockInfo, options: ScenarioOptions, apiKey = info.apiKey): AuiClient {
  return new AuiClient({
    apiKey,
    baseUrl: info.url,
    wsUrl: info.wsUrl,
    logLevel: 'off',
    ...(options.browser ? { dangerouslyAllowBrowser: true } : {}),
  });
}

/** One streamed turn: the deltas, each checked against the running snapshot, add up to the final text. */
async function streamTurn(aui: AuiClient, task_id: string, text: string, step: string): Promise<TurnReport> {
  const stream = aui.messages.stream({ task_id, text });
  let joined = '';
  let deltas = 0;
  let snapshots = 0;
  stream.on('text', (delta, snapshot) => {
    joined += delta;
    deltas++;
    if (snapshot !== joined)
      throw new Error(
        `scenario: ${step}: snapshot ${JSON.stringify(snapshot)} != deltas ${JSON.stringify(joined)}`,
      );
  });
  stream.on('snapshot', () => snapshots++);
  const message: Message = await stream.finalMessage();
  check(deltas > 1, `${step}: several text deltas (got ${deltas})`);
  check(snapshots === 0, `${step}: no snapshot correction (got ${snapshots})`);
  check(
    joined === message.text,
    `${step}: deltas ${JSON.stringify(joined)} === final text ${JSON.stringify(message.text)}`,
  );
  check(
    /built-in microwaves/.test(message.text),
    `${step}: the mock's microwave answer (got ${JSON.stringify(message.text)})`,
  );
  check(typeof message.id === 'string' && message.id !== '', `${step}: the final message has an id`);
  return { id: message.id, deltas, text: message.text };
}

/** Resolves with what `run` threw; fails if it did not throw. */
async function thrown(run: () => PromiseLike<unknown>, step: string): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error(`scenario: ${step}: expected an AuthenticationError, but the call succeeded`);
}

function expectAuthError(error: unknown, step: string): string {
  const seen = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  check(error instanceof AuthenticationError, `${step}: instanceof AuthenticationError (got ${seen})`);
  // The error was built from this runtime's own copy of the class, not merely branded like it.
  check(
    Object.getPrototypeOf(error) === AuthenticationError.prototype,
    `${step}: built by the AuthenticationError this runtime imported (got ${seen})`,
  );
  check(error instanceof Error, `${step}: an Error`);
  check(error.name === 'AuthenticationError', `${step}: name (got ${error.name})`);
  return seen;
}

/** Steps 1–3: create a task (REST), send a message (REST), stream one turn (WebSocket). */
export async function firstHalf(
  info: MockInfo,
  options: ScenarioOptions = {},
  aui = client(info, options),
): Promise<FirstReport> {
  const task = await aui.tasks.create({ user_id: USER });
  check(/^[0-9a-f]{24}$/.test(task.id), `tasks.create: a task id (got ${JSON.stringify(task.id)})`);
  check(task.user_id === USER, `tasks.create: user_id (got ${JSON.stringify(task.user_id)})`);

  const sent = await aui.messages.send({ task_id: task.id, text: 'Hello, I am shopping' });
  check(
    sent.sender?.type === 'agent',
    `messages.send: an agent message (got sender ${JSON.stringify(sent.sender)})`,
  );
  check(typeof sent.text === 'string' && sent.text !== '', 'messages.send: text');

  const turn = await streamTurn(aui, task.id, 'I need a built-in microwave', 'first streamed turn');
  return { task_id: task.id, sent: sent.id, turn };
}

/** Steps 4–5: a second streamed turn on the same task, then a wrong key on REST and on the socket. */
export async function secondHalf(
  info: MockInfo,
  task_id: string,
  options: ScenarioOptions = {},
  aui = client(info, options),
): Promise<SecondReport> {
  const turn = await streamTurn(
    aui,
    task_id,
    'Which built-in microwave do you recommend?',
    'second streamed turn',
  );

  const wrong = client(info, options, WRONG_KEY);
  const restError = expectAuthError(
    await thrown(() => wrong.tasks.create({ user_id: USER }), 'wrong key, REST'),
    'wrong key, REST',
  );
  const streamError = expectAuthError(
    await thrown(
      () => wrong.messages.stream({ task_id, text: 'hello' }).finalMessage(),
      'wrong key, WebSocket',
    ),
    'wrong key, WebSocket',
  );
  return { turn, restError, streamError };
}

/** The whole scenario with one client (the two turns on the same task, one socket per turn). */
export async function runScenario(
  info: MockInfo,
  options: ScenarioOptions = {},
): Promise<{ first: FirstReport; second: SecondReport }> {
  const aui = client(info, options);
  const first = await firstHalf(info, options, aui);
  const second = await secondHalf(info, first.task_id, options, aui);
  check(first.turn.id !== second.turn.id, 'the two turns are two messages');
  return { first, second };
}
