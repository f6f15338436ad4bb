/**
 * cli/backend — what the CLI talks to: the real AUI API (key from AUI_NETWORK_API_KEY, the
 * client's default) or, with --mock, the embedded mock server on 127.0.0.1 with a throwaway
 * key. Builds the AuiClient and owns shutting the mock down. The client's log lines go to
 * stderr, dimmed. The mock is loaded only for --mock.
 * Imports: the SDK's public entry, the mock (lazily), ./args, ./terminal.
 */
import { randomUUID } from 'node:crypto';
import { format } from 'node:util';
import { AuiClient, InvalidRequestError, type AuiClientOptions, type Logger } from '../index.node.ts';
import { type ChatOptions, KEY_ENV, UsageError } from './args.ts';
import type { Terminal } from './terminal.ts';

/** Delay between the mock's streaming frames: slow enough to watch the answer arrive. */
const MOCK_FRAME_DELAY_MS = 15;

export interface Backend {
  aui: AuiClient;
  /** For the banner: "mock server 127.0.0.1:PORT", "gcp region", a base URL. */
  where: string;
  close(): Promise<void>;
}

export async function openBackend(
  options: ChatOptions,
  term: Terminal,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Backend> {
  const logger = stderrLogger(term);
  if (options.mock) {
    // A fresh key per run: nothing the mock accepts is ever printed or reused.
    const apiKey = `mock-${randomUUID()}`;
    term.secret(apiKey);
    const { startMockAui } = await import('../mock/index.ts');
    const mock = await startMockAui({ apiKey, frameDelayMs: MOCK_FRAME_DELAY_MS });
    const aui = new AuiClient({ apiKey, baseUrl: mock.url, wsUrl: mock.wsUrl, logger, logLevel: 'warn' });
    return { aui, where: `mock server ${new URL(mock.url).host}`, close: () => mock.close() };
  }

  const key = env[KEY_ENV];
  if (key === undefined || key.trim() === '') {
    throw new UsageError(
      `No API key: ${KEY_ENV} is not set.`,
      `Set it to your network API key (export ${KEY_ENV}=…), or try the embedded mock: aui-messaging chat --mock`,
    );
  }
  term.secret(key);
  const clientOptions: AuiClientOptions = { logger, logLevel: 'warn' }; // apiKey: the client's default, envKey(KEY_ENV)
  if (options.region) clientOptions.region = options.region;
  if (options.baseUrl) clientOptions.baseUrl = options.baseUrl;
  let aui: AuiClient;
  try {
    aui = new AuiClient(clientOptions);
  } catch (error) {
    if (error instanceof InvalidRequestError)
      throw new UsageError(options.baseUrl ? `--base-url: ${error.message}` : error.message);
    throw error;
  }
  return { aui, where: options.baseUrl ?? `${options.region ?? 'gcp'} region`, close: async () => {} };
}

function stderrLogger(term: Terminal): Logger {
  const line = (message: string, ...rest: unknown[]) => term.note(format(message, ...rest));
  return { debug: line, info: line, warn: line, error: line };
}
