// The mock's WebSocket half: upgrade handling (key check, 403 handshake), one turn at
// a time per socket, streaming frames in the configured envelope/text mode, and turn faults.

/// <reference types="node" />
import { Buffer } from 'node:buffer';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { setImmediate as nextMacrotask } from 'node:timers';
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import { API_PREFIX } from './faults.ts';
import { agentMessage, resolveReply, splitChunks, userMessage } from './messages.ts';
import { headerRecord, queryRecord, type MockState } from './state.ts';
import { closeWith, errorFrame, framesFor, rawText } from './frames.ts';
import { uuid, type StoredMessage, type StoredTask } from './store.ts';
import type { TurnFault } from './types.ts';

const SESSION_PATH = `${API_PREFIX}/session`;
// Without yielding, one 20,000-frame turn would starve every other socket and timer.
const YIELD_EVERY = 500;

function yieldToLoop(): Promise<void> {
  return new Promise((resolve) => nextMacrotask(resolve));
}

function rejectUpgrade(socket: Duplex, status: number, text: string): void {
  const body = JSON.stringify({ detail: text });
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `Connection: close\r\n\r\n${body}`,
  );
}

class Connection {
  private readonly channel = uuid();
  private readonly queue: string[] = [];
  private busy = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly state: MockState,
  ) {
    ws.on('message', (data: RawData) => {
      const raw = rawText(data);
      let parsed: unknown = raw;
      try {
        parsed = JSON.parse(raw) as unknown;
      } catch {
        // Recorded as the raw string; the turn answers with an error frame.
      }
      state.sockets.messages.push(parsed);
      this.queue.push(raw);
      void this.pump();
    });
    // A client that vanishes mid-turn must not crash the test process.
    ws.on('error', () => {});
  }

  private open(): boolean {
    return this.ws.readyState === WebSocket.OPEN && !this.state.closed;
  }

  /** One turn at a time: frames arriving mid-turn wait for it to finish. */
  private async pump(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      while (this.queue.length > 0 && this.open()) {
        await this.turn(this.queue.shift() as string);
      }
    } finally {
      this.busy = false;
    }
  }

  private fail(status_code: number, message: string, code = 1008): void {
    this.ws.send(errorFrame({ status_code, message }));
    closeWith(this.ws, code, code === 1011 ? 'Internal error' : 'Policy violation');
  }

  private async turn(raw: string): Promise<void> {
    const state = this.state;
    let frame: unknown;
    try {
      frame = JSON.parse(raw) as unknown;
    } catch {
      this.fail(422, 'Invalid JSON message');
      return;
    }
    const f =
      typeof frame === 'object' && frame !== null && !Array.isArray(frame)
        ? (frame as Record<string, unknown>)
        : {};
    if (typeof f.task_id !== 'string') return this.fail(422, 'field required: task_id');
    if (typeof f.text !== 'string') return this.fail(422, 'field required: text');
    const task = state.store.getTask(f.task_id);
    if (!task) return this.fail(422, 'Task not found');

    const fault = state.faults.takeTurn({
      task_id: task.id,
      text: f.text,
      turn: state.store.userTurns(task.id) + 1,
    });
    if (fault?.kind === 'auth-close') {
      // A server that stored the message and then rejected the key: the client must not resend it blindly.
      if (fault.recordUser === true)
        state.store.append(task.id, userMessage(task, f.text, state.options.productShape));
      closeWith(this.ws, 1008, 'Invalid API key');
      return;
    }
    const interrupts =
      fault !== undefined &&
      (fault.kind === 'drop' ||
        fault.kind === 'close' ||
        fault.kind === 'error-frame' ||
        fault.kind === 'raw-frame');
    const shape = state.options.productShape;
    const recordUser = !interrupts || (fault.recordUser ?? true);
    if (recordUser) state.store.append(task.id, userMessage(task, f.text, shape));
    const turn = state.store.userTurns(task.id) + (recordUser ? 0 : 1);

    let message: StoredMessage;
    let chunks: string[];
    try {
      const reply = resolveReply(state.reply, { task_id: task.id, text: f.text, turn });
      message = agentMessage(task, reply, f.text, shape);
      chunks = reply.chunks ?? splitChunks(reply.text);
    } catch (e) {
      this.fail(500, `Reply function threw: ${e instanceof Error ? e.message : String(e)}`, 1011);
      return;
    }

    const frames = framesFor(state, this.channel, task.id, message.id);
    const delay = fault?.kind === 'slow' ? (fault.frameDelayMs ?? 50) : state.options.frameDelayMs;
    const cumulative = state.options.text === 'cumulative';
    const stopAt = fault ? Math.min(Math.max(0, fault.afterFrames ?? 0), chunks.length) : -1;
    const ws = this.ws;

    if (fault?.kind === 'unknown-frame') ws.send('{"kind":"typing","data":{}}');
    let acc = '';
    let ts = new Date().toISOString();
    for (let i = 0; i <= chunks.length; i++) {
      if (i === stopAt) {
        if (interrupts) return this.interrupt(fault, task, message);
        if (fault?.kind === 'malformed') ws.send('{not json');
      }
      if (i === chunks.length) break;
      const chunk = chunks[i] as string;
      acc = cumulative ? acc + chunk : chunk;
      ws.send(frames.frame(acc, ts));
      if (delay > 0) {
        if (!(await state.timers.sleep(delay))) return;
        ts = new Date().toISOString();
      } else if ((i + 1) % YIELD_EVERY === 0) {
        await yieldToLoop();
        ts = new Date().toISOString();
      }
      // The client left mid-turn: stop streaming but, like a backend that finishes its
      // LLM run regardless, still store the reply.
      if (!this.open()) break;
    }
    state.store.append(task.id, message);
    if (!this.open()) return;
    const final = JSON.stringify(message);
    ws.send(final);
    if (fault) this.afterFinal(fault, final);
  }

  /** A hostile server's extras after a complete answer (frames the next turn must not take for its own). */
  private afterFinal(fault: TurnFault, final: string): void {
    if (fault.kind === 'repeat-final') this.ws.send(final);
    if (fault.kind === 'error-after-final') this.ws.send(errorFrame(fault.error ?? { status_code: 500 }));
    if (fault.kind === 'close-after-final') closeWith(this.ws, fault.code ?? 1000, '');
  }

  private interrupt(fault: TurnFault, task: StoredTask, message: StoredMessage): void {
    const state = this.state;
    const recordReply = fault.recordReply ?? 'never';
    if (recordReply === 'now') state.store.append(task.id, message);
    if (recordReply === 'later') {
      state.timers.later(fault.laterMs ?? 3000, () => {
        // reset() may have dropped the task meanwhile.
        if (state.store.getTask(task.id) === task) state.store.append(task.id, message);
      });
    }
    if (fault.kind === 'drop') {
      this.ws.terminate();
    } else if (fault.kind === 'close') {
      const code = fault.code ?? 1011;
      closeWith(this.ws, code, code === 1011 ? 'Internal error' : '');
    } else if (fault.kind === 'raw-frame') {
      this.ws.send(fault.frame ?? '');
      closeWith(this.ws, fault.code ?? 1011, '');
    } else {
      const error = fault.error ?? { status_code: 500 };
      this.ws.send(errorFrame(error));
      closeWith(
        this.ws,
        error.status_code >= 500 ? 1011 : 1008,
        error.status_code >= 500 ? 'Internal error' : 'Policy violation',
      );
    }
  }
}

export interface SocketHalf {
  /** Sends 1001 to every client, then terminates whoever has not closed within graceMs. */
  closeAll(graceMs: number): Promise<void>;
}

export function attachSockets(server: Server, state: MockState): SocketHalf {
  const wss = new WebSocketServer({ noServer: true });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const headers = headerRecord(req.headers);
    state.requests.push({
      method: 'WS',
      path: url.pathname,
      query: queryRecord(url.searchParams),
      headers,
      body: undefined,
    });
    socket.on('error', () => {});
    if (state.closed) return rejectUpgrade(socket, 503, 'Service Unavailable');
    if (url.pathname !== SESSION_PATH) return rejectUpgrade(socket, 404, 'Not Found');
    if (state.options.handshake === 'reject-403') return rejectUpgrade(socket, 403, 'Forbidden');
    wss.handleUpgrade(req, socket, head, (ws) => {
      state.sockets.opened += 1;
      const keys = [url.searchParams.get('network_api_key'), headers['x-network-api-key']];
      // Like the real server: accept first, then close 1008 before any frame.
      if (!keys.some((k) => k !== null && state.keyOk(k))) {
        ws.on('error', () => {});
        closeWith(ws, 1008, 'Invalid API key');
        return;
      }
      new Connection(ws, state);
    });
  });

  return {
    async closeAll(graceMs) {
      const clients = [...wss.clients];
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        Promise.all(
          clients.map(
            (ws) =>
              new Promise<void>((resolve) => {
                if (ws.readyState === WebSocket.CLOSED) return resolve();
                ws.once('close', () => resolve());
                closeWith(ws, 1001, 'Server shutting down');
              }),
          ),
        ),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, graceMs);
        }),
      ]);
      clearTimeout(timer);
      for (const ws of clients) if (ws.readyState !== WebSocket.CLOSED) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
