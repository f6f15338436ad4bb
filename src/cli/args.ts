/**
 * cli/args — the command line: `util.parseArgs` over argv into a typed command, the
 * `--help` text, and `UsageError` (exit code 2). No I/O here.
 * Imports: node builtins only.
 */
import { parseArgs } from 'node:util';

export type Region = 'gcp' | 'azure' | 'aws';
const REGIONS: readonly Region[] = ['gcp', 'azure', 'aws'];

export interface ChatOptions {
  mock: boolean;
  demo: boolean;
  user?: string;
  task?: string;
  region?: Region;
  baseUrl?: string;
}

export type Command = { kind: 'help' } | { kind: 'version' } | { kind: 'chat'; options: ChatOptions };

/** Bad invocation: printed as one line and exit code 2. `hint` replaces the "see --help" line. */
export class UsageError extends Error {
  readonly hint: string | undefined;
  constructor(message: string, hint?: string) {
    super(message);
    this.name = 'UsageError';
    this.hint = hint;
  }
}

export const KEY_ENV = 'AUI_NETWORK_API_KEY';

export function helpText(version: string): string {
  return `aui-messaging ${version} — chat with an AUI agent from your terminal

Usage
  aui-messaging chat [options]      stream a conversation live
  aui-messaging --help | --version

Chat options
  --mock              talk to an embedded mock AUI server (no key needed)
  --demo              play a short scripted conversation, then exit
  --user <id>         user_id for the new task (default: a random cli-… id)
  --task <id>         continue an existing task instead of creating one
  --region <name>     gcp (default) | azure | aws
  --base-url <url>    REST base URL, e.g. https://…/api/ia-controller (overrides --region)

Environment
  ${KEY_ENV}   your network API key (required without --mock)
  NO_COLOR              no colours

In a chat, type a message, or the number of a suggestion to send it.
/exit or Ctrl-D quits. Ctrl-C stops the answer in flight; a second Ctrl-C exits.

Examples
  aui-messaging chat --mock
  aui-messaging chat --mock --demo
  ${KEY_ENV}=… aui-messaging chat --region azure
`;
}

export function parseCommand(argv: string[]): Command {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
        mock: { type: 'boolean' },
        demo: { type: 'boolean' },
        user: { type: 'string' },
        task: { type: 'string' },
        region: { type: 'string' },
        'base-url': { type: 'string' },
      },
    });
  } catch (error) {
    // parseArgs' messages: keep the first sentence ("Unknown option '--x'."), not its advice.
    throw new UsageError(
      (error instanceof Error ? error.message : String(error)).replace(/\. To specify .*$/s, '.'),
    );
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };

  const [command, ...extra] = positionals;
  if (command === undefined) throw new UsageError('No command given.');
  if (command !== 'chat') throw new UsageError(`Unknown command "${command}".`);
  if (extra.length > 0) throw new UsageError(`Unexpected argument "${extra[0]}".`);

  const options: ChatOptions = { mock: values.mock ?? false, demo: values.demo ?? false };
  for (const [name, value] of [
    ['--user', values.user],
    ['--task', values.task],
    ['--base-url', values['base-url']],
  ] as const) {
    if (value !== undefined && value.trim() === '') throw new UsageError(`${name} needs a value.`);
  }
  if (values.user !== undefined) options.user = values.user.trim();
  if (values.task !== undefined) options.task = values.task.trim();
  if (values.region !== undefined) {
    const region = values.region.toLowerCase() as Region;
    if (!REGIONS.includes(region))
      throw new UsageError(`--region must be one of ${REGIONS.join(', ')} (got "${values.region}").`);
    options.region = region;
  }
  if (values['base-url'] !== undefined) options.baseUrl = values['base-url'].trim();
  if (options.mock && (options.region || options.baseUrl)) {
    throw new UsageError('--mock runs against the embedded mock server; drop --region/--base-url.');
  }
  return { kind: 'chat', options };
}
