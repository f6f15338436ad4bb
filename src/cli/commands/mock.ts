// cli/commands/mock — `aui-messaging mock`: serves the embedded mock AUI server on 127.0.0.1 for
// other tools (an app under development, curl, a second terminal), prints its URLs and the key it
// accepts, and runs until Ctrl-C or SIGTERM, which stop it cleanly (exit 0: that is how it ends).
// The key printed here is the mock's own, made up for this run: it is meant to be copied.
// Imports: the mock (lazily: no other command loads it), ../args, ../backend, ../terminal (types).

import { randomUUID } from 'node:crypto';
import { type CliCommand, EXIT, integerOption, KEY_ENV, noMoreArguments, parseOptions } from '../args.ts';
import { MOCK_FRAME_DELAY_MS } from '../backend.ts';

const OPTIONS = { port: { type: 'string' } } as const;

export const mock: CliCommand = {
  name: 'mock',
  summary: 'serve the mock AUI server for other tools until Ctrl-C',
  help: `Usage: aui-messaging mock [--port <n>]

Serves the mock AUI server (REST and streaming WebSocket, the API's wire format) on 127.0.0.1
and prints its URLs and the key it accepts (a new one each run). Ctrl-C or SIGTERM stops it.

Options
  --port <n>          the port to listen on (default: any free port)

Example
  aui-messaging mock --port 8787
  ${KEY_ENV}=<the printed key> aui-messaging send --base-url http://127.0.0.1:8787/api/ia-controller "hi"
`,
  async run(argv, term) {
    const { values, positionals } = parseOptions(argv, OPTIONS);
    noMoreArguments(positionals);
    const port = integerOption('port', values.port, 0, 65_535);
    const apiKey = `mock-${randomUUID()}`;
    const { startMockAui } = await import('../../mock/index.ts');
    const server = await startMockAui({
      apiKey,
      frameDelayMs: MOCK_FRAME_DELAY_MS,
      ...(port ? { port } : {}),
    });

    const c = term.out;
    term.line(`${c.bold(c.magenta('◆ aui-messaging mock server'))}`);
    term.line(`  ${c.dim('REST     ')} ${server.url}`);
    term.line(`  ${c.dim('WebSocket')} ${server.wsUrl}`);
    term.line(`  ${c.dim('key      ')} ${apiKey}`);
    term.line();
    term.line(c.dim('Try it:'));
    term.line(`  ${KEY_ENV}=${apiKey} aui-messaging send --base-url ${server.url} "hello"`);
    term.note('Ctrl-C stops the server.');

    await stopSignal();
    await server.close();
    term.note('mock server stopped');
    return EXIT.ok;
  },
};

/** Resolves on the first SIGINT or SIGTERM. */
function stopSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
