// cli/commands/whoami — `aui-messaging whoami`: which key the other commands would use (masked:
// the documented prefix and at most its last 4 characters) and where it came from, the endpoint,
// the default user id, and whether the key still works (one check call). Exit 0 when it works,
// 1 when it does not or the check failed, 2 when there is no key at all.
// Imports: keys/stored.node, ../args, ../backend, ../credentials,
// ../interrupts, ../key-check, ../terminal (types).

import { credentialsPath, readStoredCredential } from '../../keys/stored.node.ts';
import {
  type CliCommand,
  ENDPOINT_HELP,
  ENDPOINT_OPTIONS,
  endpointOf,
  EXIT,
  KEY_ENV,
  noMoreArguments,
  parseOptions,
} from '../args.ts';
import { defaultUser, describeTarget, findKey, type KeyInUse, noKeyError, targetFor } from '../backend.ts';
import { displayPath, maskKey, readableByOthers } from '../credentials.ts';
import { interruptible } from '../interrupts.ts';
import { checkKey } from '../key-check.ts';
import type { Terminal } from '../terminal.ts';

export const whoami: CliCommand = {
  name: 'whoami',
  summary: 'show the key in use (masked), its region, and whether it still works',
  help: `Usage: aui-messaging whoami [--region <name> | --base-url <url>]

Shows the key the other commands use (${KEY_ENV}, else the stored one), masked; the region
or base URL it goes to; the default --user; and whether the key still works (one call to AUI).
Exit code 0 when it works, 1 when it does not.

Options
${ENDPOINT_HELP}
`,
  async run(argv, term) {
    const { values, positionals } = parseOptions(argv, ENDPOINT_OPTIONS);
    noMoreArguments(positionals);
    const endpoint = endpointOf(values);
    const key = await findKey();
    if (!key) throw noKeyError(credentialsPath(), 'aui-messaging chat --mock');
    term.secret(key.key);
    const target = targetFor(endpoint, key);

    // With the variable set, a stored key is shadowed: say so, or the user wonders why login "did nothing".
    const shadowed =
      key.from === 'env' && (await readStoredCredential(key.path).catch(() => undefined)) !== undefined;
    const c = term.out;
    term.line(`${c.dim('key   ')}  ${c.bold(maskKey(key.key))}  ${c.dim(source(key, shadowed))}`);
    term.line(`${c.dim('where ')}  ${describeTarget(target)}`);
    term.line(`${c.dim('user  ')}  ${defaultUser()} ${c.dim('(the default --user)')}`);
    await warnIfShared(term, key);

    const verdict = await interruptible((signal) => checkKey(key.key, target, term, signal));
    if (verdict.works) {
      term.line(`${c.dim('status')}  ${c.green('✓ works')}`);
      return EXIT.ok;
    }
    if (verdict.rejected) {
      term.line(`${c.dim('status')}  ${c.red(`✗ rejected (${verdict.status ?? 401})`)}`);
      term.note(advice(key, shadowed));
    } else {
      term.line(`${c.dim('status')}  ${c.yellow('? could not check')}`);
      term.note(verdict.reason);
    }
    return EXIT.failed;
  },
};

function source(key: KeyInUse, shadowed: boolean): string {
  if (key.from === 'stored') {
    const saved = key.stored?.savedAt ? `, saved ${key.stored.savedAt.slice(0, 10)}` : '';
    return `(stored in ${displayPath(key.path)}${saved})`;
  }
  return shadowed ? `(from ${KEY_ENV}; the stored key is not used while it is set)` : `(from ${KEY_ENV})`;
}

/** What to do about a rejected key. */
function advice(key: KeyInUse, shadowed: boolean): string {
  if (key.from === 'stored') return 'Run `aui-messaging login` again with a current key.';
  if (shadowed) return `Check ${KEY_ENV}, or unset it to use the stored key.`;
  return `Check ${KEY_ENV}, or unset it and run \`aui-messaging login\`.`;
}

async function warnIfShared(term: Terminal, key: KeyInUse): Promise<void> {
  if (key.from !== 'stored' || !(await readableByOthers(key.path))) return;
  const path = displayPath(key.path);
  term.note(`⚠ ${path} can be read by other users: chmod 600 ${path}`);
}
