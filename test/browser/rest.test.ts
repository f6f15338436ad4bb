// Smoke test of the web entry (src/index.ts) in a real browser (headless Chromium via WTR):
// REST calls over the browser's fetch + CORS against the mock AUI server that
// web-test-runner.config.mjs starts once for the run and describes at /__mock.json.
import { expect } from 'chai';
import { AuiClient, AuthenticationError, type Message, type Task } from '../../src/index.ts';

// Mocha globals provided by @web/test-runner's page (no @types/mocha in this project).
declare function describe(name: string, body: () => void): void;
declare function it(name: string, body: () => unknown): void;
declare function before(body: () => unknown): void;

interface MockInfo {
  url: string;
  wsUrl: string;
  apiKey: string;
}

let mock: MockInfo;

before(async () => {
  const response = await fetch('/__mock.json');
  if (!response.ok)
    throw new Error(`/__mock.json answered ${response.status}: is the aui-mock plugin in the WTR config?`);
  mock = (await response.json()) as MockInfo;
});

function client(apiKey = mock.apiKey): AuiClient {
  return new AuiClient({
    apiKey,
    baseUrl: mock.url,
    wsUrl: mock.wsUrl,
    dangerouslyAllowBrowser: true,
    logLevel: 'off',
  });
}

describe('AuiClient REST in the browser', () => {
  it('tasks.create then messages.send return a typed task and agent message', async () => {
    const aui = client();
    const task: Task = await aui.tasks.create({ user_id: 'browser_user' });
    expect(task.id).to.match(/^[0-9a-f]{24}$/);
    expect(task.user_id).to.equal('browser_user');
    expect(task.welcome_message).to.be.a('string');
    expect(task.followup_suggestions).to.be.an('array');

    const message: Message = await aui.messages.send({
      task_id: task.id,
      text: 'I need a built-in microwave',
    });
    expect(message.id).to.be.a('string').and.not.equal('');
    expect(message.text).to.be.a('string');
    expect(message.sender?.type).to.equal('agent');
  });

  it('an injected fetch is called as a plain function (window.fetch passed unbound works)', async () => {
    let calls = 0;
    // eslint-disable-next-line @typescript-eslint/unbound-method -- taking fetch off window is the point
    const unbound = window.fetch;
    const counting = ((input: RequestInfo | URL, init?: RequestInit) => {
      calls++;
      return unbound(input, init);
    }) as typeof fetch;
    for (const fetch of [unbound, counting]) {
      const aui = new AuiClient({
        apiKey: mock.apiKey,
        baseUrl: mock.url,
        wsUrl: mock.wsUrl,
        dangerouslyAllowBrowser: true,
        logLevel: 'off',
        fetch,
      });
      const task = await aui.tasks.create({ user_id: 'browser_fetch' });
      expect(task.user_id).to.equal('browser_fetch');
    }
    expect(calls).to.equal(1);
  });

  it('a wrong key rejects with AuthenticationError (401)', async () => {
    let error: unknown;
    try {
      await client('API_KEY_wrong_0000000000').tasks.create({ user_id: 'browser_user' });
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(AuthenticationError);
    expect((error as AuthenticationError).status).to.equal(401);
  });

  it('refuses a raw key in the browser without dangerouslyAllowBrowser', () => {
    expect(
      () => new AuiClient({ apiKey: mock.apiKey, baseUrl: mock.url, wsUrl: mock.wsUrl, logLevel: 'off' }),
    ).to.throw(/dangerouslyAllowBrowser/);
  });
});
