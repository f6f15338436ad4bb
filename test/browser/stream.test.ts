// Streaming in a real browser (headless Chromium): the web entry uses the browser's own
// WebSocket (URL-only constructor, key in the query string) against the mock AUI server, and the
// SSE format round-trips through a Response body parsed with getReader().
import { expect } from 'chai';
import {
  AuiClient,
  AuthenticationError,
  MessageStream,
  SSE_HEADERS,
  TurnInterruptedError,
} from '../../src/index.ts';

declare function describe(name: string, body: () => void): void;
declare function it(name: string, body: () => unknown): void;
declare function before(body: () => unknown): void;

let mock: { url: string; wsUrl: string; apiKey: string };
before(async () => {
  mock = await (await fetch('/__mock.json')).json();
});
const client = (apiKey = mock.apiKey) =>
  new AuiClient({
    apiKey,
    baseUrl: mock.url,
    wsUrl: mock.wsUrl,
    dangerouslyAllowBrowser: true,
    logLevel: 'off',
  });

describe('streaming in the browser', () => {
  it('streams one turn over the browser WebSocket: deltas add up to the final text', async () => {
    const aui = client();
    const task = await aui.tasks.create({ user_id: 'browser_streamer' });
    const stream = aui.messages.stream({ task_id: task.id, text: 'a built-in microwave please' });
    let text = '';
    let deltas = 0;
    stream.on('text', (delta, snapshot) => {
      text += delta;
      deltas++;
      expect(snapshot).to.equal(text);
    });
    const message = await stream.finalMessage();
    expect(deltas).to.be.greaterThan(3);
    expect(text).to.equal(message.text);
    expect(message.cards).to.be.an('array').with.length.above(0);
  });

  it('a wrong key on the socket is an AuthenticationError, not an endless reconnect', async () => {
    const aui = client('API_KEY_wrong_0000000000');
    let error: unknown;
    try {
      await aui.messages.stream({ task_id: '0123456789abcdef01234567', text: 'hi' }).finalMessage();
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(AuthenticationError);
  });

  it('toReadableStream → Response → fromReadableStream round-trips the turn', async () => {
    const aui = client();
    const task = await aui.tasks.create({ user_id: 'browser_sse' });
    const source = aui.messages.stream({ task_id: task.id, text: 'hello' });
    const response = new Response(source.toReadableStream(), { headers: SSE_HEADERS });
    const copy = MessageStream.fromReadableStream(response.body!);
    const events: string[] = [];
    copy
      .on('text', () => events.push('text'))
      .on('message', () => events.push('message'))
      .on('end', () => events.push('end'));
    const message = await copy.finalMessage();
    expect(message.text).to.equal((await source.finalMessage()).text);
    expect(events.slice(-2)).to.deep.equal(['message', 'end']);
  });

  it('an SSE body cut short is a TurnInterruptedError', async () => {
    const body = new Response('event: text\ndata: {"delta":"Hi"}\n\n').body!;
    let error: unknown;
    try {
      await MessageStream.fromReadableStream(body).finalMessage();
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(TurnInterruptedError);
    expect((error as TurnInterruptedError).partialText).to.equal('Hi');
  });
});
