// cli/args — the command line's shared parts: `util.parseArgs` with its errors turned into
// `UsageError` (exit code 2), the options every command that talks to AUI accepts (`--mock`,
// `--region`, `--base-url`), the exit codes, and `Interrupted` (exit code 130). No I/O here.
// Imports: node builtins only.

import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Terminal } from './terminal.ts';

export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

/** One `aui-messaging <name>` command: its help and what it does. */
export interface CliCommand {
  name: string;
  /** One line for the command list in `aui-messaging --help`. */
  summary: string;
  /** The text of `aui-messaging <name> --help`. */
  help: string;
  /** Runs with the arguments after the command's name; resolves to the exit code. */
  run(argv: string[], term: Terminal): Promise<number>;
}

export const KEY_ENV = 'AUI_NETWORK_API_KEY';

export type Region = 'gcp' | 'azure' | 'aws';
export const REGIONS: readonly Region[] = ['gcp', 'azure', 'aws'];

/**
 * Bad invocation: printed as one line and exit code 2. `hint` replaces the "see --help" line;
 * `false` prints no second line.
 */
export class UsageError extends Error {
  readonly hint: string | false | undefined;
  constructor(message: string, hint?: string | false) {
    super(message);
    this.name = 'UsageError';
    this.hint = hint;
  }
}

/** The user pressed Ctrl-C (or sent SIGTERM) before the command finished: exit code 130. */
export class Interrupted extends Error {
  constructor() {
    super('interrupted');
    this.name = 'Interrupted';
  }
}

/** Where a command sends its calls, as the user typed it. */
export interface Endpoint {
  /** Talk to an embedded mock AUI server instead (no key needed). */
  mock: boolean;
  region?: Region;
  baseUrl?: string;
}

type Options = NonNullable<ParseArgsConfig['options']>;

export const ENDPOINT_OPTIONS = {
  region: { type: 'string' },
  'base-url': { type: 'string' },
} as const satisfies Options;

export const MOCK_OPTION = { mock: { type: 'boolean' } } as const satisfies Options;

export const ENDPOINT_HELP = `  --region <name>     gcp (default) | azure | aws
  --base-url <url>    REST base URL, e.g. https://…/api/ia-controller (overrides --region)`;

/**
 * `util.parseArgs`, strict, with its errors as `UsageError`. Its messages quote the offending
 * argument; `quiet` drops that quote (for `login`, where a stray argument may be the key).
 */
export function parseOptions<T extends Options>(argv: string[], options: T, quiet = false) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (quiet) throw new UsageError('Unexpected argument or option.');
    // Keep parseArgs' first sentence ("Unknown option '--x'."), not its advice.
    throw new UsageError(message.replace(/\. To specify .*$/s, '.'));
  }
}

/** A string option's value, trimmed; a UsageError when it was given empty. */
export function optionValue(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (value.trim() === '') throw new UsageError(`--${name} needs a value.`);
  return value.trim();
}

/** The endpoint options, checked (a command without --mock simply never passes `mock`). */
export function endpointOf(values: { mock?: boolean; region?: string; 'base-url'?: string }): Endpoint {
  const endpoint: Endpoint = { mock: values.mock ?? false };
  const region = optionValue('region', values.region);
  if (region !== undefined) {
    const name = region.toLowerCase() as Region;
    if (!REGIONS.includes(name))
      throw new UsageError(`--region must be one of ${REGIONS.join(', ')} (got "${region}").`);
    endpoint.region = name;
  }
  const baseUrl = optionValue('base-url', values['base-url']);
  if (baseUrl !== undefined) endpoint.baseUrl = baseUrl;
  if (endpoint.mock && (endpoint.region || endpoint.baseUrl)) {
    throw new UsageError('--mock runs against the embedded mock server; drop --region/--base-url.');
  }
  return endpoint;
}

/** Throws unless there are no positionals left. */
export function noMoreArguments(positionals: string[]): void {
  if (positionals.length > 0) throw new UsageError(`Unexpected argument "${positionals[0]}".`);
}

/** A whole number in [min, max], for options such as --port. */
export function integerOption(name: string, value: string | undefined, min: number, max: number) {
  const text = optionValue(name, value);
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max} (got "${text}").`);
  return n;
}
