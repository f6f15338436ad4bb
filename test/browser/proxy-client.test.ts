// The browser client (`aui-messaging/browser`) in a real page (headless Chromium): a relative
// url resolves against the page, as an app writes it (`createProxyClient({ url: '/api/aui' })`),
// through the real proxy that web-test-runner.config.mjs serves at /api/aui on the page's own
// origin, in front of the mock AUI server.
import { expect } from 'chai';
import { AuthenticationError, createProxyClient } from '../../src/browser/proxy-client.ts';

declare function describe(name: string, body: () => void): void;
declare function it(name: string, body: () => unknown): void;

describe('createProxyClient in a page', () => {
  it('a relative url works: create, stream (deltas add up to the final text), messages', async () => {
    const aui = createProxyClient({ url: '/api/aui', headers: { authorization: 'Bearer page_user' } });
    const task = await aui.tasks.create();
    expect(task.user_id).to.equal('page_user');
    const stream = aui.messages.stream({ task_id: task.id, text: 'a built-in microwave please' });
    let text = '';
    stream.on('text', (delta) => (text += delta));
    const message = await stream.finalMessage();
    expect(text).to.equal(message.text);
    expect(await aui.tasks.messages(task.id)).to.have.length(2);
  });

  it('without the app’s auth the proxy answers 401: an AuthenticationError', async () => {
    let error: unknown;
    try {
      await createProxyClient({ url: '/api/aui/' }).tasks.create();
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(AuthenticationError);
  });
});
