/**
 * A mock AUI server on 127.0.0.1 for your tests and demos: `startMockAui`. Node only.
 * @module aui-messaging/mock
 */
// Entry of `aui-messaging/mock`: startMockAui wires the REST and WebSocket halves onto
// one node:http server on 127.0.0.1 and returns the control handle tests drive.
// Imports nothing from other folders of src/ (the client must never depend on the mock).

/// <reference types="node" />
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { agentMessage, userMessage } from './messages.ts';
import { createRestListener } from './rest.ts';
import { attachSockets } from './socket.ts';
import { MockState, toKeySet } from './state.ts';
import type { MockAui, MockAuiOptions } from './types.ts';

export type {
  MockAgentReply,
  MockAui,
  MockAuiOptions,
  MockProduct,
  MockReply,
  MockReplyInput,
  MockRuntimeOptions,
  RecordedRequest,
  RestFault,
  TurnFault,
  TurnFaultChooser,
} from './types.ts';

const HOST = '127.0.0.1';
// How long close() lets clients answer our 1001 before cutting their sockets.
const CLOSE_GRACE_MS = 250;

/**
 * Starts a mock AUI Messaging API on 127.0.0.1: REST and the streaming WebSocket, in the API's
 * wire format, with faults on demand. It accepts the key `'test-key'` unless `apiKey` says
 * otherwise; point a client at it with `baseUrl: mock.url` (the WebSocket URL follows). Node only.
 * @example
 * const mock = await startMockAui();
 * const aui = new AuiClient({ apiKey: 'test-key', baseUrl: mock.url });
 * // …
 * await mock.close();
 */
export async function startMockAui(options: MockAuiOptions = {}): Promise<MockAui> {
  const state = new MockState(options);
  const server = createServer(createRestListener(state));
  // Keep-alive and mid-delay connections would hold server.close() open: track and cut them.
  const connections = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    connections.add(s);
    s.on('close', () => connections.delete(s));
  });
  const sockets = attachSockets(server, state);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      state.closed = true;
      state.timers.cancelAll();
      await sockets.closeAll(CLOSE_GRACE_MS);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of connections) s.destroy();
      });
    })());

  return {
    url: `http://${HOST}:${port}/api/ia-controller`,
    wsUrl: `ws://${HOST}:${port}/api/ia-controller/api/v1/external/session`,
    port,
    requests: state.requests,
    sockets: state.sockets,
    setApiKey(key) {
      state.keys = toKeySet(key);
    },
    setReply(reply) {
      state.reply = reply;
    },
    setOptions(o) {
      const live = state.options;
      if (o.envelope !== undefined) live.envelope = o.envelope;
      if (o.text !== undefined) live.text = o.text;
      if (o.productShape !== undefined) live.productShape = o.productShape;
      if (o.frameDelayMs !== undefined) live.frameDelayMs = o.frameDelayMs;
      if (o.handshake !== undefined) live.handshake = o.handshake;
    },
    failRest(fault) {
      state.faults.addRest(fault);
    },
    failTurn(fault) {
      state.faults.addTurn(fault);
    },
    chooseTurnFaults(choose) {
      state.faults.chooser = choose;
    },
    history(task_id) {
      return [...state.store.history(task_id)];
    },
    addHistory(task_id, entry) {
      // Recovery tests may seed history for a task the mock has not seen yet.
      const task = state.store.getTask(task_id) ?? state.store.createTask('mock-user', task_id);
      const shape = state.options.productShape;
      state.store.append(
        task_id,
        entry.role === 'user'
          ? userMessage(task, entry.text, shape)
          : agentMessage(task, { text: entry.text }, '', shape),
      );
    },
    reset() {
      // Cleared in place, so arrays a test already holds stay the live ones. Faults go, the chooser too.
      state.requests.length = 0;
      state.sockets.opened = 0;
      state.sockets.messages.length = 0;
      state.faults.clear();
      state.store.clear();
      state.timers.cancelAll();
    },
    close,
  };
}
