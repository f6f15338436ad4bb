// keys/stored.node — the network API key that `aui-messaging login` saved: where the file lives
// (`$XDG_CONFIG_HOME/aui-messaging/credentials.json`, else `~/.config/…`), reading it, and
// `storedKey()`, the KeyProvider over it. Node build only (it reads the file system); the CLI
// owns writing the file. No error here ever quotes the file's content.
// Imports: node builtins, errors (leaf), ./providers (types).

import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { AuiError, InvalidRequestError } from '../errors/errors.ts';
import { isRecord } from '../shared/values.ts';
import type { KeyProvider } from './providers.ts';

/** What `aui-messaging login` saves: the key and the endpoint it was checked against. */
export interface StoredCredential {
  apiKey: string;
  /** The region the key was checked against (`gcp`, `azure`, `aws`). */
  region?: string;
  /** The REST base URL, when login was given `--base-url`. */
  baseUrl?: string;
  /** ISO time of the login. */
  savedAt?: string;
}

/**
 * The credentials file: `$XDG_CONFIG_HOME/aui-messaging/credentials.json`, or
 * `~/.config/aui-messaging/credentials.json` when that variable is unset, empty or relative
 * (the XDG spec says to ignore a relative one).
 */
export function credentialsPath(env: Record<string, string | undefined> = process.env): string {
  const configHome = env.XDG_CONFIG_HOME;
  const base = configHome && isAbsolute(configHome) ? configHome : join(homedir(), '.config');
  return join(base, 'aui-messaging', 'credentials.json');
}

/**
 * Reads the credentials file; `undefined` when there is none.
 * @throws AuiError when the file cannot be read or is not a credentials file (the message names
 * the path and never quotes the content, which holds the key).
 */
export async function readStoredCredential(path = credentialsPath()): Promise<StoredCredential | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new AuiError(`Could not read ${path} (${code ?? 'unknown error'}).`);
  }
  return parseCredential(text, path);
}

function parseCredential(text: string, path: string): StoredCredential {
  const broken = () =>
    new AuiError(`${path} is not an aui-messaging credentials file: run \`aui-messaging login\` again.`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // JSON.parse's own message quotes the text, which holds the key.
    throw broken();
  }
  if (!isRecord(value) || typeof value.apiKey !== 'string' || value.apiKey.trim() === '') throw broken();
  const credential: StoredCredential = { apiKey: value.apiKey.trim() };
  if (typeof value.region === 'string') credential.region = value.region;
  if (typeof value.baseUrl === 'string') credential.baseUrl = value.baseUrl;
  if (typeof value.savedAt === 'string') credential.savedAt = value.savedAt;
  return credential;
}

/** Options of `storedKey`. */
export interface StoredKeyOptions {
  /** The credentials file. Default: `credentialsPath()`. */
  path?: string;
}

/**
 * A key read from the file `aui-messaging login` saved, on every call (so a new login is picked
 * up). Node build only. The region saved with the key is not applied to the client: pass
 * `region` or `baseUrl` yourself.
 * @throws InvalidRequestError (from `getKey`, so from the first request) when no key is stored;
 * AuiError when the file cannot be read or is not a credentials file.
 * @example
 * const aui = new AuiClient({ apiKey: storedKey(), region: 'azure' });
 */
export function storedKey(options: StoredKeyOptions = {}): KeyProvider {
  return {
    async getKey() {
      const path = options.path ?? credentialsPath();
      const credential = await readStoredCredential(path);
      if (!credential)
        throw new InvalidRequestError(
          `No stored API key (${path}): run \`aui-messaging login\` or pass \`apiKey\`.`,
          ['apiKey'],
        );
      return credential.apiKey;
    },
  };
}
