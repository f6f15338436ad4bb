// cli/commands/logout — `aui-messaging logout`: deletes the stored key. Says so when there was
// none, and when AUI_NETWORK_API_KEY still gives this shell a key.
// Imports: keys/stored.node, ../args, ../credentials.

import { credentialsPath } from '../../keys/stored.node.ts';
import { type CliCommand, EXIT, KEY_ENV, noMoreArguments, parseOptions } from '../args.ts';
import { deleteCredential, displayPath } from '../credentials.ts';

export const logout: CliCommand = {
  name: 'logout',
  summary: 'delete the stored key',
  help: `Usage: aui-messaging logout

Deletes the key \`aui-messaging login\` stored. ${KEY_ENV}, if set, is not touched.
`,
  async run(argv, term) {
    noMoreArguments(parseOptions(argv, {}).positionals);
    const path = credentialsPath();
    if (await deleteCredential(path)) term.line(`✓ Logged out: deleted ${displayPath(path)}.`);
    else term.line(`Not logged in: no key stored (${displayPath(path)}).`);
    if (process.env[KEY_ENV]) term.note(`${KEY_ENV} is still set in this shell, and still gives a key.`);
    return EXIT.ok;
  },
};
