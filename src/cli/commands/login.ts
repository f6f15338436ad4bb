// cli/commands/login — `aui-messaging login`: takes a network API key (hidden prompt, stdin, or
// --api-key), checks it with one call, and only then stores it with its endpoint. AUI's own
// `aui login` flags for account logins (--token, --email, a browser login) are understood, and
// answered with one line about where network keys come from. No argument is ever echoed back:
// a stray one may be the key.
// Imports: keys/stored.node, ../args, ../backend, ../credentials, ../key-check, ../prompt,
// ../terminal (types).

import { credentialsPath } from '../../keys/stored.node.ts';
import {
  type CliCommand,
  ENDPOINT_HELP,
  ENDPOINT_OPTIONS,
  endpointOf,
  EXIT,
  KEY_ENV,
  parseOptions,
  UsageError,
} from '../args.ts';
import { describeTarget, targetFor } from '../backend.ts';
import { displayPath, maskKey, saveCredential } from '../credentials.ts';
import { interruptible } from '../interrupts.ts';
import { checkKey } from '../key-check.ts';
import { readHidden, readStdin } from '../prompt.ts';
import type { Terminal } from '../terminal.ts';

/** Where network API keys come from (the docs' authentication page). */
const WHERE_KEYS_COME_FROM = 'the AUI Console (https://console.aui.io) or your AUI account manager';

const OPTIONS = {
  ...ENDPOINT_OPTIONS,
  'api-key': { type: 'string' },
  token: { type: 'string' },
  email: { type: 'string' },
  browser: { type: 'boolean' },
} as const;

// Three dot-separated base64url parts: a JWT, i.e. an account access token.
const ACCESS_TOKEN = /^eyJ[\w-]*\.[\w-]*\.[\w-]*$/;

export const login: CliCommand = {
  name: 'login',
  summary: 'check a network API key and store it for the other commands',
  help: `Usage: aui-messaging login [--region <name> | --base-url <url>] [--api-key <key>]

Checks your network API key with one call to AUI and, if it works, stores it with its region in
$XDG_CONFIG_HOME/aui-messaging/credentials.json (else ~/.config/aui-messaging/credentials.json),
readable by you only. Nothing is stored when the check fails.

The key is read from a hidden prompt on a terminal, or from stdin when it is piped in:
  aui-messaging login
  pbpaste | aui-messaging login --region azure

Options
${ENDPOINT_HELP}
  --api-key <key>     take the key from the command line (it then lands in your shell history)

Network API keys come from ${WHERE_KEYS_COME_FROM}.
--token, --email and a browser login sign in to an AUI account (the \`aui\` CLI); they do not
give a network API key. ${KEY_ENV}, when set, is used before the stored key.
`,
  async run(argv, term) {
    const { values, positionals } = parseOptions(argv, OPTIONS, true);
    if (values.token !== undefined) term.secret(values.token);
    for (const flag of ['token', 'email', 'browser'] as const) {
      if (values[flag] !== undefined)
        throw accountLogin(flag === 'browser' ? 'A browser login' : `--${flag}`);
    }
    if (positionals.length > 0)
      throw new UsageError(
        'login takes no arguments.',
        'Give the key at the prompt, on stdin (… | aui-messaging login), or with --api-key.',
      );
    const target = targetFor(endpointOf(values), undefined);
    const key = await readKey(term, values['api-key']);
    const where = describeTarget(target);

    const verdict = await interruptible((signal) => checkKey(key, target, term, signal));
    if (!verdict.works) {
      if (verdict.rejected) {
        term.error(`✗ ${where} rejected the key (${verdict.status ?? 401}): nothing was saved.`);
        term.note(
          `Check that it is the whole network API key, for this region (--region ${target.region ?? 'gcp'}).`,
        );
      } else {
        term.error(`✗ Could not check the key, so nothing was saved: ${verdict.reason}`);
      }
      return EXIT.failed;
    }

    const path = credentialsPath();
    await saveCredential(path, {
      apiKey: key,
      region: target.region ?? 'gcp',
      ...(target.baseUrl ? { baseUrl: target.baseUrl } : {}),
      savedAt: new Date().toISOString(),
    });
    term.line(`✓ ${maskKey(key)} works with ${where}: saved to ${displayPath(path)} (readable by you only).`);
    if (process.env[KEY_ENV]) term.note(`${KEY_ENV} is set in this shell: it is used before the stored key.`);
    return EXIT.ok;
  },
};

function accountLogin(what: string): UsageError {
  return new UsageError(
    `${what} is a login to an AUI account (as in the \`aui\` CLI), not a network API key: get one from ${WHERE_KEYS_COME_FROM}, then run \`aui-messaging login\`.`,
    false,
  );
}

/** The key from --api-key (with a warning), the hidden prompt, or stdin; checked for shape. */
async function readKey(term: Terminal, fromFlag: string | undefined): Promise<string> {
  let raw: string;
  if (fromFlag !== undefined) {
    term.secret(fromFlag);
    term.note(
      '⚠ --api-key puts the key in your shell history. Next time, paste it at the prompt or pipe it in.',
    );
    raw = fromFlag;
  } else if (process.stdin.isTTY) {
    raw = await readHidden(term, 'Network API key (input hidden): ');
  } else {
    raw = firstLine(await readStdin());
  }
  const key = raw.trim();
  term.secret(key);
  if (key === '')
    throw new UsageError(
      'No key given.',
      'Paste it at the prompt, pipe it in (… | aui-messaging login), or pass --api-key.',
    );
  if (/\s/.test(key)) throw new UsageError('The key has spaces in it: give the key alone.');
  if (ACCESS_TOKEN.test(key)) throw accountLogin('That looks like an access token: it');
  return key;
}

function firstLine(text: string): string {
  return text.split(/\r?\n/).find((line) => line.trim() !== '') ?? '';
}
