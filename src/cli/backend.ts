// cli/backend — what the CLI talks to, and with which key. The key chain: AUI_NETWORK_API_KEY,
// then the key `aui-messaging login` stored, then an error that names both and --mock. The
// endpoint: --region/--base-url when given, else the one stored with the key, else gcp. With
// --mock, the embedded mock server on 127.0.0.1 and a throwaway key instead (the mock is loaded
// only then). Builds the AuiClient, its log lines dimmed on stderr, and owns closing the mock.
// Imports: the SDK's public entry, keys/stored.node, the mock (lazily), ./args, ./credentials,
// ./terminal.

import { createHash, randomUUID } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import { format } from 'node:util';
import {
  AuiClient,
  envKey,
  InvalidRequestError,
  storedKey,
  type ApiKeyInput,
  type AuiClientOptions,
  type Logger,
} from '../index.node.ts';
import { credentialsPath, readStoredCredential, type StoredCredential } from '../keys/stored.node.ts';
import { type Endpoint, KEY_ENV, type Region, REGIONS, UsageError } from './args.ts';
import { displayPath } from './credentials.ts';
import type { Terminal } from './terminal.ts';

/** Delay between the mock's streaming frames: slow enough to watch the answer arrive. */
export const MOCK_FRAME_DELAY_MS = 15;

/** The key the CLI uses, and where it came from. */
export interface KeyInUse {
  key: string;
  from: 'env' | 'stored';
  /** The credentials file, whether or not the key came from it. */
  path: string;
  /** The stored credential, when the key came from it. */
  stored?: StoredCredential;
}

/** Where calls go, when not to the mock. */
export interface Target {
  region?: Region;
  baseUrl?: string;
}

export interface Backend {
  aui: AuiClient;
  /** For banners and messages: "mock server 127.0.0.1:PORT", "gcp region", a base URL. */
  where: string;
  close(): Promise<void>;
}

/** The key chain, without the error: undefined when neither source has a key. */
export async function findKey(): Promise<KeyInUse | undefined> {
  const path = credentialsPath();
  const fromEnv = process.env[KEY_ENV]?.trim();
  if (fromEnv) return { key: fromEnv, from: 'env', path };
  const stored = await readStoredCredential(path);
  if (stored) return { key: stored.apiKey, from: 'stored', path, stored };
  return undefined;
}

/** The key chain's error: names both sources, and the mock as a way to try things without a key. */
export function noKeyError(path: string, tryMock: string): UsageError {
  return new UsageError(
    `No API key: ${KEY_ENV} is not set and no key is stored (${displayPath(path)}).`,
    `Run \`aui-messaging login\` (or set ${KEY_ENV}), or try the embedded mock: ${tryMock}`,
  );
}

/** The flags when given; else the endpoint stored with the key in use; else the default (gcp). */
export function targetFor(endpoint: Endpoint, key: KeyInUse | undefined): Target {
  const target: Target = {};
  if (endpoint.region || endpoint.baseUrl) {
    if (endpoint.region) target.region = endpoint.region;
    if (endpoint.baseUrl) target.baseUrl = endpoint.baseUrl;
    return target;
  }
  const stored = key?.stored;
  if (!stored) return target;
  if (stored.baseUrl) target.baseUrl = stored.baseUrl;
  if (stored.region !== undefined) {
    if (!REGIONS.includes(stored.region as Region))
      throw new UsageError(
        `${displayPath(key.path)} names an unknown region "${stored.region}".`,
        'Run `aui-messaging login` again.',
      );
    target.region = stored.region as Region;
  }
  return target;
}

export function describeTarget(target: Target): string {
  return target.baseUrl ?? `${target.region ?? 'gcp'} region`;
}

/** An AuiClient for `target`; a bad --base-url is a usage error, not a crash. */
export function createClient(
  apiKey: ApiKeyInput,
  target: Target,
  term: Terminal,
  extra: AuiClientOptions = {},
): AuiClient {
  const options: AuiClientOptions = { logger: stderrLogger(term), logLevel: 'warn', ...extra, apiKey };
  if (target.region) options.region = target.region;
  if (target.baseUrl) options.baseUrl = target.baseUrl;
  try {
    return new AuiClient(options);
  } catch (error) {
    if (error instanceof InvalidRequestError)
      throw new UsageError(target.baseUrl ? `--base-url: ${error.message}` : error.message);
    throw error;
  }
}

/** The client for a command: the embedded mock with --mock, else the key chain and the endpoint. */
export async function openBackend(endpoint: Endpoint, term: Terminal, tryMock: string): Promise<Backend> {
  if (endpoint.mock) return openMock(term);
  const key = await findKey();
  if (!key) throw noKeyError(credentialsPath(), tryMock);
  term.secret(key.key);
  const target = targetFor(endpoint, key);
  // Providers, not the key itself: a rotated variable or a new login applies on the next request.
  const provider = key.from === 'env' ? envKey(KEY_ENV) : storedKey({ path: key.path });
  const aui = createClient(provider, target, term);
  return { aui, where: describeTarget(target), close: async () => {} };
}

async function openMock(term: Terminal): Promise<Backend> {
  // A fresh key per run: nothing the mock accepts is ever printed or reused.
  const apiKey = `mock-${randomUUID()}`;
  term.secret(apiKey);
  const { startMockAui } = await import('../mock/index.ts');
  const mock = await startMockAui({ apiKey, frameDelayMs: MOCK_FRAME_DELAY_MS });
  const aui = createClient(apiKey, { baseUrl: mock.url }, term, { wsUrl: mock.wsUrl });
  return { aui, where: `mock server ${new URL(mock.url).host}`, close: () => mock.close() };
}

/**
 * The user_id the CLI uses without --user: the same for this account on this machine (so
 * `tasks list` finds what `send` and `chat` created), and naming no one (a hash, not the name).
 */
export function defaultUser(): string {
  let who: string;
  try {
    who = userInfo().username;
  } catch {
    who = process.env.USER ?? 'user'; // no passwd entry, as in some containers
  }
  return `cli-${createHash('sha256').update(`${who}@${hostname()}`).digest('hex').slice(0, 8)}`;
}

function stderrLogger(term: Terminal): Logger {
  const line = (message: string, ...rest: unknown[]) => term.note(format(message, ...rest));
  return { debug: line, info: line, warn: line, error: line };
}
